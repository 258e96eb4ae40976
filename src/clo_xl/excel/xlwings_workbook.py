"""The live Excel workbook behind the :class:`WorkbookAccess` interface (Windows/macOS only).

Kept deliberately thin: each method is one or two xlwings calls, so the logic that matters lives in the
handlers and is exercised headless through :class:`clo_xl.excel.file_workbook.FileWorkbook`. Nothing here
runs on Linux (there is no Excel); ``workbook/README.md`` lists the manual acceptance steps.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from clo_xl.excel.workbook_access import OUTPUT_TAB_COLOR, Rows, Value


def _plain(value: Any) -> Value:
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float | str | datetime | date):
        return value
    return str(value)


class XlwingsWorkbook:
    """:class:`WorkbookAccess` over an ``xlwings.Book`` (normally ``xw.Book.caller()``)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._snapshot: Path | None = None

    @property
    def name(self) -> str:
        return str(self.book.name)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read_range(self, sheet: str, address: str) -> list[list[Value]]:
        values = self.book.sheets[sheet].range(address).options(ndim=2).value
        return [[_plain(v) for v in row] for row in values]

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [[_plain(v) for v in row] for row in values]

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        if rows:
            self.book.sheets[sheet].range(cell).value = [list(r) for r in rows]

    def create_sheet(self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR) -> None:
        if name in self.sheet_names():
            self.book.sheets[name].delete()
        ws = self.book.sheets.add(name, after=self.book.sheets[-1])
        if tab_color:
            ws.api.Tab.Color = int(tab_color[4:6] + tab_color[2:4] + tab_color[0:2], 16)  # RGB → BGR

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        lowered = tuple(p.lower() for p in prefixes)
        doomed = [n for n in self.sheet_names() if n.lower().startswith(lowered)]
        display = self.book.app.display_alerts
        self.book.app.display_alerts = False
        try:
            for name in doomed:
                self.book.sheets[name].delete()
        finally:
            self.book.app.display_alerts = display
        return doomed

    def snapshot_path(self) -> Path:
        """A copy of the workbook as it is now, unsaved edits included (Excel's ``SaveCopyAs``)."""
        folder = Path(tempfile.mkdtemp(prefix="clo-xl-"))
        path = folder / self.name
        self.book.api.SaveCopyAs(str(path))
        self._snapshot = path
        return path

    def save(self) -> None:
        """Leave saving to the analyst, as the legacy macros did."""

    def notify(self, text: str) -> None:
        self.book.app.status_bar = text
