"""The workbook-access interface every button handler works through (CONTRACT §5).

Two implementations: :class:`clo_xl.excel.file_workbook.FileWorkbook` (a file on disk, openpyxl; headless
runs and tests) and :class:`clo_xl.excel.xlwings_workbook.XlwingsWorkbook` (the live Excel workbook that
pressed the button). Handlers only ever see this protocol, so every handler runs headless in tests exactly
as it runs from a button in Excel.

Values are plain Python: ``str``, ``float``, ``int``, ``bool``, ``datetime`` or ``None`` (an empty cell).
Tables are lists of rows; cells are A1 text (``"B1"``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from clo_xl.ingest.layout import OUTPUT_TAB_PREFIXES

#: the legacy output-tab colour (Excel colour 5287936 = RGB 00B050, green; UI 826-933).
OUTPUT_TAB_COLOR = "00B050"

#: every output-tab prefix ``DeleteAll`` removes (COMPLIANCE_SPEC §1.9), case-insensitive: the layout's list
OUTPUT_PREFIXES: tuple[str, ...] = OUTPUT_TAB_PREFIXES

Value = str | float | int | bool | datetime | date | None
Rows = Sequence[Sequence[Value]]


def plain_value(value: Any) -> Value:
    """A cell value as a reader returns it (python-calamine, openpyxl, xlwings) → a plain :data:`Value`.

    Empty strings become ``None``; a time-only cell becomes Excel's fraction of a day; whole floats stay
    floats; anything else becomes its text.
    """
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0
    if isinstance(value, bool | int | float | str | datetime | date):
        return value
    return str(value)


@runtime_checkable
class WorkbookAccess(Protocol):
    """What a button handler may do to a workbook."""

    @property
    def name(self) -> str:
        """The workbook's file name (``TradeHypo.xlsm``)."""
        ...

    def sheet_names(self) -> list[str]:
        """Sheet names in tab order."""
        ...

    def read_range(self, sheet: str, address: str) -> list[list[Value]]:
        """The values of ``address`` (``"J11:N39"``) as rows; a single cell gives ``[[value]]``."""
        ...

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        """Every value from A1 to the last used cell, as rows (ragged rows padded with ``None``)."""
        ...

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        """Write ``rows`` with their top-left value at ``cell``; ``None`` clears a cell."""
        ...

    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        """Add an empty sheet at the end, replacing any sheet of that name (legacy new-tab mode);
        ``hidden`` keeps it out of the analyst's tab bar (the ``clo-xl.state`` sheet)."""
        ...

    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        """Write values into an input sheet's cells from ``cell`` ("Refresh from DB"); ``None`` empties a
        cell. A cell that holds a formula keeps it: its address (``"S8"``) is returned instead. Cell
        formats stay; nothing outside the written cells changes."""
        ...

    def name_address(self, sheet: str, name: str) -> str | None:
        """The range (``"D4:E198"``) of the sheet-scoped defined name ``name`` on ``sheet``, if any."""
        ...

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        """Point the existing sheet-scoped name ``name`` of ``sheet`` at ``address`` (``"D4:E220"``)."""
        ...

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        """Delete every sheet whose name starts with one of ``prefixes`` (case-insensitive); return them."""
        ...

    def snapshot_path(self) -> Path:
        """A file on disk holding the workbook as it is now, for the readers in :mod:`clo_xl.ingest`."""
        ...

    def save(self) -> None:
        """Persist the changes (a no-op for live Excel, where the analyst decides when to save)."""
        ...

    def notify(self, text: str) -> None:
        """Tell the analyst something short (Excel's status bar; stderr headless)."""
        ...


def read_cell(book: WorkbookAccess, sheet: str, cell: str) -> Value:
    """The value of one cell."""
    return book.read_range(sheet, cell)[0][0]


def fingerprint(book: WorkbookAccess, sheets: Iterable[str]) -> str:
    """A SHA-1 over the values of ``sheets``: the cache key that changes whenever an input changes."""
    digest = hashlib.sha1(usedforsecurity=False)
    for sheet in sheets:
        digest.update(sheet.encode("utf-8") + b"\x00")
        for row in book.read_sheet(sheet):
            digest.update(repr(row).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def output_sheets(book: WorkbookAccess, prefixes: Iterable[str] = OUTPUT_PREFIXES) -> list[str]:
    """Sheets whose names start with one of ``prefixes`` (case-insensitive), in tab order."""
    lowered = tuple(p.lower() for p in prefixes)
    return [name for name in book.sheet_names() if name.lower().startswith(lowered)]
