"""Per-workbook deal state for the UDFs, keyed on a hash of the input sheets.

A CLO_ call finds its workbook (the caller's book in Excel, or a file bound with :func:`bind_workbook`
headless), computes a fingerprint of the inputs that call depends on (the ``All Assets`` sheet and the
deal's ``<Deal> Inputs`` sheet), and reuses the evaluated deal while the fingerprint is unchanged. A
changed input gives a new fingerprint, so the next call re-reads the workbook: the cache can go stale
only in the sense Excel itself decides when to call a UDF (non-volatile functions recalculate when their
arguments change; after editing inputs press Ctrl+Alt+F9, see ``workbook/README.md``).

For a file the fingerprint check is a ``stat`` (size and modification time) mapped to a content hash
computed once; for live Excel it reads the input sheets (one COM call per sheet), memoised for
``LIVE_FINGERPRINT_SECONDS`` so one recalculation burst reads them once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from clo_xl.errors import UsageError
from clo_xl.excel import engine
from clo_xl.excel.engine import TestRow
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.workbook_access import WorkbookAccess, fingerprint

_T = TypeVar("_T")

#: how long a live workbook's input fingerprint is trusted within one recalculation burst.
LIVE_FINGERPRINT_SECONDS = 1.0

ALL_ASSETS = "All Assets"


def input_sheets(deal: str) -> tuple[str, ...]:
    """The sheets a deal's results depend on."""
    return (ALL_ASSETS, f"{deal} Inputs")


@dataclass
class _Entry:
    key: str
    model: engine.WorkbookModel
    per_deal: dict[tuple[Any, ...], Any] = field(default_factory=dict)


class DealCache:
    """Evaluated deals per workbook, invalidated when the workbook's input sheets change."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._bound: FileWorkbook | None = None
        self._entries: dict[str, _Entry] = {}
        self._file_keys: dict[tuple[str, int, int], tuple[str, tuple[str, ...]]] = {}
        self._live_keys: dict[tuple[str, str], tuple[float, str]] = {}

    # -- which workbook ----------------------------------------------------------------------------
    def bind(self, path: str | Path | None) -> None:
        """Headless calls (no Excel caller) read this workbook file; ``None`` unbinds."""
        with self._lock:
            if path is not None and self._bound is not None and self._bound.path == Path(path):
                return
            self._bound = None if path is None else FileWorkbook(path)

    def book_for(self, caller: Any) -> WorkbookAccess:
        if caller is not None:
            from clo_xl.excel.xlwings_workbook import XlwingsWorkbook

            return XlwingsWorkbook(caller.sheet.book)
        if self._bound is None:
            raise UsageError("no workbook: call from Excel, or bind a workbook file first")
        return self._bound

    # -- the cache key -----------------------------------------------------------------------------
    def _key(self, book: WorkbookAccess, deal: str) -> str:
        sheets = input_sheets(deal)
        if isinstance(book, FileWorkbook):
            stat = book.path.stat()
            file_key = (str(book.path), stat.st_mtime_ns, stat.st_size)
            found = self._file_keys.get(file_key)
            if found is None:
                # Content, not the stat, is the key: a re-saved identical file keeps its evaluated deals.
                fresh = FileWorkbook(book.path)
                names = fresh.sheet_names()
                found = (fingerprint(fresh, [n for n in names if _is_input(n)]), tuple(names))
                self._file_keys[file_key] = found
            _check_deal(deal, found[1])
            return found[0]
        live_key = (book.name, deal)
        now = time.monotonic()
        memo = self._live_keys.get(live_key)
        if memo is not None and now - memo[0] < LIVE_FINGERPRINT_SECONDS:
            return memo[1]
        _check_deal(deal, tuple(book.sheet_names()))
        digest = fingerprint(book, sheets)
        self._live_keys[live_key] = (now, digest)
        return digest

    def _entry(self, caller: Any, deal: str) -> _Entry:
        with self._lock:
            book = self.book_for(caller)
            key = f"{book.name}|{self._key(book, deal)}"
            entry = self._entries.get(key)
            if entry is None:
                entry = _Entry(key, engine.load_workbook_model(book.snapshot_path()))
                # one workbook, one live entry: drop this book's stale states
                for stale in [k for k in self._entries if k.startswith(f"{book.name}|")]:
                    del self._entries[stale]
                self._entries[key] = entry
            return entry

    def _memo(self, entry: _Entry, key: tuple[Any, ...], build: Callable[[], _T]) -> _T:
        found = entry.per_deal.get(key)
        if found is None:
            found = build()
            entry.per_deal[key] = found
        return cast(_T, found)

    # -- what the UDFs ask for ---------------------------------------------------------------------
    def tests(self, caller: Any, deal: str) -> list[TestRow]:
        entry = self._entry(caller, deal)
        rows: list[TestRow] = self._memo(entry, ("tests", deal), lambda: entry.model.compliance(deal))
        return rows

    def test(self, caller: Any, deal: str, number: int) -> TestRow:
        for row in self.tests(caller, deal):
            if row.number == number:
                return row
        raise UsageError(f"deal '{deal}' has no test {number}")

    def metric(self, caller: Any, deal: str, name: str) -> float:
        entry = self._entry(caller, deal)
        value: float = self._memo(entry, ("metric", deal, name), lambda: entry.model.metric(deal, name))
        return value

    def coverage(self, caller: Any, deal: str, tranche_class: str, kind: str) -> float:
        entry = self._entry(caller, deal)
        ratios: dict[str, float] = self._memo(
            entry, ("coverage", deal, kind), lambda: entry.model.coverage(deal, kind)
        )
        for name, value in ratios.items():
            if name.strip().lower() == tranche_class.strip().lower():
                return value
        known = ", ".join(ratios) or "none"
        raise UsageError(f"deal '{deal}' has no {kind.upper()} test for class '{tranche_class}' ({known})")

    def hypo(self, caller: Any, deal: str, trades: Any) -> list[list[Any]]:
        entry = self._entry(caller, deal)
        parsed = engine.parse_trades(deal, trades)
        return self._memo(entry, ("hypo", deal, repr(parsed)), lambda: entry.model.hypo(deal, parsed))

    def cashflows(
        self,
        caller: Any,
        deal: str,
        *,
        cpr: float | None,
        cdr: float | None,
        severity: float | None,
        lag: int | None,
    ) -> tuple[Sequence[str], list[list[Any]]]:
        entry = self._entry(caller, deal)
        key = ("cashflows", deal, cpr, cdr, severity, lag)
        return self._memo(
            entry,
            key,
            lambda: entry.model.cashflows(deal, cpr=cpr, cdr=cdr, severity=severity, lag=lag),
        )

    def derived_rating(self, caller: Any, brs_id: str, which: str) -> Any:
        """A derived rating of an asset: the All Assets inputs decide it, so any deal's key will do."""
        book = self.book_for(caller)
        deals = [n.removesuffix(" Inputs") for n in book.sheet_names() if n.endswith(" Inputs")]
        if not deals:
            raise UsageError("the workbook has no deal sheet")
        entry = self._entry(caller, deals[0])
        return entry.model.derived_rating(brs_id, which)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._file_keys.clear()
            self._live_keys.clear()


def _check_deal(deal: str, names: Sequence[str]) -> None:
    if f"{deal} Inputs" not in names:
        deals = ", ".join(n.removesuffix(" Inputs") for n in names if n.endswith(" Inputs"))
        raise UsageError(f"unknown deal '{deal}' (deals: {deals})")


def _is_input(sheet: str) -> bool:
    return sheet == ALL_ASSETS or sheet.endswith(" Inputs") or sheet in {"Reference Table", "Run Model"}


#: the UDF server's cache (one per Python process, as xlwings runs one UDF server per Excel instance).
CACHE = DealCache()


def bind_workbook(path: str | Path | None) -> None:
    """Point headless CLO_ calls at a workbook file (tests, benchmarks, scripts)."""
    CACHE.bind(path)


def rating_factor(rating: str) -> float:
    """Moody's rating factor for the WARF test (unknown → 10000, legacy CT table; quirk 9)."""
    return engine.rating_factor(rating)
