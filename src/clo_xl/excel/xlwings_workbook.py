"""The open workbook behind the :class:`WorkbookAccess` interface, through xlwings' API (Windows and macOS).

Only xlwings' own cross-platform API does the work: ``Range.value`` reads one block per table and writes
one rectangular block per table, ``Range.number_format`` and ``Font.bold`` format ranges, ``Sheets.add`` /
``Sheet.delete`` manage tabs, ``Names`` point named ranges (absolute references). Nothing is copied or saved
(no ``SaveCopyAs``, no temporary files): the handlers read the open workbook, unsaved edits included.

The platform's object model (``.api``: COM on Windows, an AppleScript reference on macOS) is touched only
for cosmetics — the green tab colour, frozen header rows — and for two Windows-only requests: asking Excel
for a full recalculation after the database changed, and asking whether a refused write hit a protected
sheet. Each such call is guarded (:func:`_cosmetic`): on macOS, or if Excel says no, it is skipped and the
button carries on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time
from typing import TypeVar

import xlwings as xw

from clo_xl import xlsx
from clo_xl.errors import UsageError
from clo_xl.excel.cells import Cell, parse_cell, parse_range
from clo_xl.excel.table import OUTPUT_TAB_COLOR, Rows, Tab, Value
from clo_xl.excel.workbook_access import find_sheet, plain_value, rectangle
from clo_xl.ingest.workbook import SheetGrid, WorkbookData, read_workbook

log = logging.getLogger(__name__)
T = TypeVar("T")

#: what xlwings hands back for Excel's error values when asked with ``err_to_str=True``
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)


def _cosmetic(what: str, action: Callable[[], T]) -> T | None:
    """Run a platform object-model (``.api``) call that must never make a button fail."""
    try:
        return action()
    except Exception as exc:  # COM errors, AppleScript references without that member, ...
        log.debug("skipped %s: %s", what, exc)
        return None


_MONTH = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\s./-]*\d", re.I)


def as_typed(text: str) -> str:
    """Text to write through ``Range.Value`` so that Excel keeps it as text: with Excel's ``'`` prefix when
    Excel would otherwise turn it into a number, date, boolean or formula ("1", "2016-03-23", "TRUE", "=x",
    "Mar-16"), in whatever locale; the prefix is not part of the cell's value."""
    stripped = text.strip()
    if not stripped:
        return text
    risky = (
        stripped[0] in "0123456789+-.=@'(" or stripped.upper() in ("TRUE", "FALSE") or _MONTH.match(stripped)
    )
    return "'" + text if risky else text


def _cells(rows: Rows) -> list[list[Value]]:
    """A rectangle of values for ``Range.value``: text kept as text (:func:`as_typed`)."""
    return [[as_typed(v) if isinstance(v, str) else v for v in row] for row in rectangle(rows)]


def _bgr(rgb: str) -> int:
    """``"00B050"`` → Excel's BGR colour integer (5287936)."""
    return int(rgb[4:6] + rgb[2:4] + rgb[0:2], 16)


def _absolute_reference(sheet: str, address: str) -> str:
    """``'Mag 17 Inputs'!$D$4:$E$220``: a name's reference must be absolute, or Excel reads it relative
    to the active cell."""
    start, end = parse_range(address)
    return "=" + xlsx.range_ref(start.row, start.column, end.row, end.column, sheet)


class _OpenWorkbookSource:
    """The open workbook as the ingest reader's :class:`GridSource`: each sheet read in one block."""

    def __init__(self, book: XlwingsWorkbook) -> None:
        self._book = book
        self.file = book.name
        self.sheets = tuple(book.sheet_names())
        self._names: dict[tuple[str | None, str], str] | None = None

    @property
    def names(self) -> Mapping[tuple[str | None, str], str]:
        if self._names is None:
            self._names = self._book.defined_names()
        return self._names

    def grid(self, sheet: str) -> SheetGrid:
        rows: list[list[object]] = []
        errors: dict[tuple[int, int], str] = {}
        for r, line in enumerate(self._book.read_sheet(sheet, keep_errors=True), start=1):
            row: list[object] = []
            for c, value in enumerate(line, start=1):
                if isinstance(value, str) and value in EXCEL_ERRORS:
                    errors[(r, c)] = value
                    value = None
                elif isinstance(value, datetime) and value.time() == time(0):
                    value = value.date()  # COM hands every date over as a datetime; a file reader as a date
                row.append(value)
            rows.append(row)
        return SheetGrid(rows, errors)


class XlwingsWorkbook:
    """:class:`WorkbookAccess` over an ``xlwings.Book`` (normally ``xw.Book.caller()``)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book

    # -- reading -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.book.name)

    def sheet_names(self) -> list[str]:
        return [str(sheet.name) for sheet in self.book.sheets]

    def _sheet(self, name: str) -> xw.Sheet:
        found = find_sheet(self.sheet_names(), name)
        if found is None:
            raise UsageError(f"workbook {self.name} has no sheet '{name}'")
        return self.book.sheets[found]

    def read_range(self, sheet: str, address: str) -> list[list[Value]]:
        values = self._sheet(sheet).range(address).options(ndim=2).value
        return [[plain_value(v) for v in row] for row in values]

    def read_sheet(self, sheet: str, *, keep_errors: bool = False) -> list[list[Value]]:
        ws = self._sheet(sheet)
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=keep_errors).value
        return [[plain_value(v) for v in row] for row in values]

    def defined_names(self) -> dict[tuple[str | None, str], str]:
        """``(sheet or None, name) → reference`` of every defined name (``'S'!$A$1:$B$2``, no ``=``)."""
        out: dict[tuple[str | None, str], str] = {}
        for defined in self.book.names:
            full = str(defined.name)
            scope: str | None = None
            name = full
            if "!" in full:
                head, _, name = full.rpartition("!")
                scope = head[1:-1].replace("''", "'") if head.startswith("'") else head
            out[(scope, name)] = str(defined.refers_to).lstrip("=")
        return out

    def workbook_data(self, deals: Iterable[str] | None = None) -> WorkbookData:
        """The open workbook read by the workbook reader, each sheet it needs in one ``Range.value`` block
        (unsaved edits included)."""
        return read_workbook(_OpenWorkbookSource(self), deals=None if deals is None else list(deals))

    # -- writing -------------------------------------------------------------------------------------
    def check_writable(self, sheets: Iterable[str]) -> None:
        for sheet in sheets:
            if self._protected(sheet):
                raise UsageError(_protected_message(sheet))

    def _protected(self, sheet: str) -> bool:
        """Windows: the sheet's ``ProtectContents``; False where it cannot be asked (macOS)."""
        return bool(_cosmetic("ProtectContents", lambda: bool(self._sheet(sheet).api.ProtectContents)))

    def _guard(self, sheet: str, what: str, action: Callable[[], T]) -> T:
        """Run a write; a refusal on a protected sheet becomes a message that says so."""
        try:
            return action()
        except UsageError:
            raise
        except Exception as exc:
            if self._protected(sheet):
                raise UsageError(_protected_message(sheet)) from exc
            raise UsageError(
                f"could not {what} on '{sheet}' ({exc}); if the sheet is protected, unprotect it"
            ) from exc

    def _remove(self, name: str) -> None:
        found = find_sheet(self.sheet_names(), name)
        if found is not None:
            self._delete([found])

    def _delete(self, names: Iterable[str]) -> None:
        app = self.book.app
        display = app.display_alerts
        app.display_alerts = False  # Excel would ask "permanently delete this sheet?" and wait
        try:
            for name in names:
                self.book.sheets[name].delete()
        finally:
            app.display_alerts = display

    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        self._remove(name)
        try:
            ws = self.book.sheets.add(name, after=self.book.sheets[-1])
        except Exception as exc:
            raise UsageError(
                f"could not add the sheet '{name}' ({exc}); if the workbook's structure is protected, "
                "unprotect it (Review > Protect Workbook)"
            ) from exc
        if tab_color:
            _cosmetic("tab colour", lambda: setattr(ws.api.Tab, "Color", _bgr(tab_color)))
        if hidden:
            ws.visible = False

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        block = _cells(rows)
        if not block or not block[0]:
            return
        ws = self._sheet(sheet)
        top = parse_cell(cell)
        target = ws.range((top.row, top.column), (top.row + len(block) - 1, top.column + len(block[0]) - 1))
        self._guard(sheet, "write", lambda: setattr(target, "value", block))

    def write_tab(self, tab: Tab) -> None:
        self.create_sheet(tab.name, tab_color=tab.tab_color)
        ws = self._sheet(tab.name)
        if not tab.values:
            return
        r0, c0 = tab.anchor
        block = ws.range((r0, c0), (r0 + tab.height - 1, c0 + tab.width - 1))
        block.value = _cells(tab.values)
        for r1, c1, r2, c2, code in tab.format_runs():
            ws.range((r1, c1), (r2, c2)).number_format = code
        for i in sorted(tab.bold_rows):
            ws.range((r0 + i, c0), (r0 + i, c0 + tab.width - 1)).font.bold = True
        block.columns.autofit()
        if tab.freeze_rows:
            _cosmetic("frozen header", lambda: self._freeze(ws, tab.freeze_rows))
        table = tab.filter_range
        if table is not None:
            r1, c1, r2, c2 = table
            _cosmetic("filter", lambda: ws.range((r1, c1), (r2, c2)).api.AutoFilter())

    def _freeze(self, ws: xw.Sheet, rows: int) -> None:
        """Windows: freeze the rows above ``rows + 1`` on the sheet's window (Excel has no other way)."""
        ws.api.Activate()
        window = self.book.app.api.ActiveWindow
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True

    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        """Values only, formula cells kept: the rows are written as rectangular bands that skip the
        formula cells (a block without formulas is one write)."""
        block = _cells(rows)
        if not block or not block[0]:
            return []
        ws = self._sheet(sheet)
        top = parse_cell(cell)
        height, width = len(block), len(block[0])
        target = ws.range((top.row, top.column), (top.row + height - 1, top.column + width - 1))
        formulas = target.formula  # COM: one value for one cell, rows of values otherwise
        lines = formulas if isinstance(formulas, list | tuple) else ((formulas,),)
        is_formula = [[str(f).startswith("=") for f in line] for line in lines]
        kept = [
            Cell(top.row + i, top.column + j).a1
            for i in range(height)
            for j in range(width)
            if is_formula[i][j]
        ]
        for r1, c1, r2, c2 in _bands(is_formula):
            values = [row[c1 : c2 + 1] for row in block[r1 : r2 + 1]]
            cells = ws.range((top.row + r1, top.column + c1), (top.row + r2, top.column + c2))
            self._guard(sheet, "write", _setter(cells, values))
        return kept

    def name_address(self, sheet: str, name: str) -> str | None:
        reference = self.defined_names().get((find_sheet(self.sheet_names(), sheet) or sheet, name))
        if reference is None:
            return None
        return reference.rpartition("!")[2].replace("$", "")

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        own = find_sheet(self.sheet_names(), sheet) or sheet
        for defined in self._sheet(own).names:
            if str(defined.name).rpartition("!")[2] == name:
                defined.refers_to = _absolute_reference(own, address)
                return
        raise UsageError(f"'{sheet}' has no name {name}")

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        lowered = tuple(p.lower() for p in prefixes)
        doomed = [n for n in self.sheet_names() if n.lower().startswith(lowered)]
        if doomed:
            self._delete(doomed)
        return doomed

    def activate(self, sheet: str) -> None:
        _cosmetic("activate", lambda: self._sheet(sheet).activate())

    def recalculate(self) -> None:
        """``CalculateFull`` (Ctrl+Alt+F9) on Windows: a plain ``Calculate`` skips UDFs whose arguments did
        not change, so a deal UDF would keep showing the old version. Elsewhere (macOS has no UDFs):
        ``Calculate``."""
        if not _cosmetic("full recalculation", self._calculate_full):
            _cosmetic("recalculation", self.book.app.calculate)

    def _calculate_full(self) -> bool:
        self.book.app.api.CalculateFull()
        return True

    def save(self) -> None:
        """Leave saving to the analyst, as the legacy macros did."""

    def notify(self, text: str) -> None:
        self.book.app.status_bar = text


def _protected_message(sheet: str) -> str:
    return f"'{sheet}' is protected: unprotect it (Review > Unprotect Sheet) and press the button again"


def _setter(cells: xw.Range, values: list[list[Value]]) -> Callable[[], None]:
    """One block write, to run under :meth:`XlwingsWorkbook._guard`."""

    def write() -> None:
        cells.value = values

    return write


def _bands(is_formula: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """Rectangles (r1, c1, r2, c2) covering every non-formula cell: consecutive rows with the same formula
    columns form one band, split around those columns."""
    bands: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(is_formula):
        pattern = is_formula[i]
        k = i
        while k + 1 < len(is_formula) and is_formula[k + 1] == pattern:
            k += 1
        j = 0
        while j < len(pattern):
            if pattern[j]:
                j += 1
                continue
            start = j
            while j + 1 < len(pattern) and not pattern[j + 1]:
                j += 1
            bands.append((i, start, k, j))
            j += 1
        i = k + 1
    return bands
