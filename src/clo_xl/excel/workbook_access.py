"""The workbook-access interface every button handler works through (CONTRACT §5).

Two implementations: :class:`clo_xl.excel.file_workbook.FileWorkbook` (a file on disk; headless runs and
tests) and :class:`clo_xl.excel.xlwings_workbook.XlwingsWorkbook` (the open workbook that pressed the
button, through xlwings' API). Handlers only ever see this protocol, so every handler runs headless in
tests exactly as it runs from a button in Excel.

Values are plain Python: ``str``, ``float``, ``int``, ``bool``, ``datetime`` or ``None`` (an empty cell).
Tables are lists of rows; cells are A1 text (``"B1"``). Reads are one block per table; every write is one
rectangular block; output tabs arrive finished (:class:`~clo_xl.excel.table.Tab`: values, number formats,
bold rows, frozen panes), so both implementations write the same types and formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, Protocol, runtime_checkable

from clo_xl.excel.table import OUTPUT_TAB_COLOR, Rows, Tab, Value
from clo_xl.ingest.layout import OUTPUT_TAB_PREFIXES
from clo_xl.ingest.workbook import WorkbookData

#: every output-tab prefix ``DeleteAll`` removes (COMPLIANCE_SPEC §1.9), case-insensitive: the layout's list
OUTPUT_PREFIXES: tuple[str, ...] = OUTPUT_TAB_PREFIXES


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
        """The values of ``address`` (``"J11:N39"``) as rows, in one read; one cell gives ``[[value]]``."""
        ...

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        """Every value from A1 to the last used cell, as rows, in one read."""
        ...

    def workbook_data(self, deals: Iterable[str] | None = None) -> WorkbookData:
        """The workbook read by :func:`clo_xl.ingest.workbook.read_workbook` (the deal sheets named, or all);
        the open workbook is read one ``Range.value`` block per sheet, unsaved edits included."""
        ...

    def write_tab(self, tab: Tab) -> None:
        """Add ``tab`` at the end, replacing any sheet of that name (compared case-insensitively, as Excel
        compares sheet names): values in one block, then number formats, bold rows, frozen panes."""
        ...

    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        """Add an empty sheet at the end, replacing any sheet of that name (case-insensitive); ``hidden``
        keeps it out of the analyst's tab bar (the ``clo-xl.state`` sheet)."""
        ...

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        """Write ``rows`` (padded to a rectangle) with their top-left value at ``cell``, in one block."""
        ...

    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        """Write values into an input sheet's cells from ``cell`` ("Refresh from DB"); ``None`` empties a
        cell. A cell that holds a formula keeps it: its address (``"S8"``) is returned instead. Cell
        formats stay; nothing outside the written cells changes. A protected sheet is refused with a
        message that says so."""
        ...

    def check_writable(self, sheets: Iterable[str]) -> None:
        """Refuse, before anything is written, when one of ``sheets`` is protected (a message that says
        which and how to unprotect it); a check that cannot be made (macOS) lets the writes find out."""
        ...

    def name_address(self, sheet: str, name: str) -> str | None:
        """The range (``"D4:E198"``) of the sheet-scoped defined name ``name`` on ``sheet``, if any."""
        ...

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        """Point the sheet-scoped name ``name`` of ``sheet`` at ``address`` (written with ``$`` anchors)."""
        ...

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        """Delete every sheet whose name starts with one of ``prefixes`` (case-insensitive); return them."""
        ...

    def activate(self, sheet: str) -> None:
        """Show ``sheet`` (after a run wrote it); cosmetic."""
        ...

    def recalculate(self) -> None:
        """Ask Excel to recalculate every formula, UDFs included (after the database changed under them).
        A file has no calculation engine: a no-op there."""
        ...

    def save(self) -> None:
        """Persist the changes (a no-op for live Excel, where the analyst decides when to save)."""
        ...

    def notify(self, text: str) -> None:
        """Tell the analyst something short while a button runs (Excel's status bar; stderr headless)."""
        ...


def read_cell(book: WorkbookAccess, sheet: str, cell: str) -> Value:
    """The value of one cell."""
    return book.read_range(sheet, cell)[0][0]


def find_sheet(names: Iterable[str], name: str) -> str | None:
    """The sheet called ``name`` as Excel finds it (case-insensitive), in its own spelling."""
    wanted = name.casefold()
    return next((n for n in names if n.casefold() == wanted), None)


def output_sheets(book: WorkbookAccess, prefixes: Iterable[str] = OUTPUT_PREFIXES) -> list[str]:
    """Sheets whose names start with one of ``prefixes`` (case-insensitive), in tab order."""
    lowered = tuple(p.lower() for p in prefixes)
    return [name for name in book.sheet_names() if name.lower().startswith(lowered)]


def rectangle(rows: Rows) -> list[list[Value]]:
    """``rows`` padded with empty cells to the widest row (xlwings and Excel take rectangles only)."""
    width = max((len(r) for r in rows), default=0)
    return [[*r, *([None] * (width - len(r)))] for r in rows]


__all__ = [
    "OUTPUT_PREFIXES",
    "OUTPUT_TAB_COLOR",
    "Rows",
    "Tab",
    "Value",
    "WorkbookAccess",
    "find_sheet",
    "output_sheets",
    "plain_value",
    "read_cell",
    "rectangle",
]
