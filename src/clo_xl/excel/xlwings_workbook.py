"""The live Excel workbook behind the :class:`WorkbookAccess` interface (Windows/macOS only).

Kept deliberately thin: each method is one or two xlwings calls, so the logic that matters lives in the
handlers and is exercised headless through :class:`clo_xl.excel.file_workbook.FileWorkbook`. Nothing here
runs on Linux (there is no Excel); ``workbook/README.md`` lists the manual acceptance steps.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clo_xl.excel.cells import Cell, parse_cell
from clo_xl.excel.workbook_access import OUTPUT_TAB_COLOR, Rows, Value, plain_value


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
        return [[plain_value(v) for v in row] for row in values]

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [[plain_value(v) for v in row] for row in values]

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        if rows:
            self.book.sheets[sheet].range(cell).value = [list(r) for r in rows]

    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        if name in self.sheet_names():
            display = self.book.app.display_alerts
            self.book.app.display_alerts = False
            try:
                self.book.sheets[name].delete()
            finally:
                self.book.app.display_alerts = display
        ws = self.book.sheets.add(name, after=self.book.sheets[-1])
        if tab_color:
            ws.api.Tab.Color = int(tab_color[4:6] + tab_color[2:4] + tab_color[0:2], 16)  # RGB → BGR
        if hidden:
            ws.visible = False

    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        """Values only: a row without formulas is written in one call, others cell by cell around them."""
        if not rows:
            return []
        ws = self.book.sheets[sheet]
        top = parse_cell(cell)
        width = max(len(r) for r in rows)
        block = ws.range((top.row, top.column), (top.row + len(rows) - 1, top.column + width - 1))
        formulas = block.options(ndim=2).formula
        rectangular = all(len(r) == width for r in rows)
        if rectangular and not any(str(f).startswith("=") for line in formulas for f in line):
            block.value = [list(r) for r in rows]  # one COM call
            return []
        kept: list[str] = []
        for i, row in enumerate(rows):
            has = [str(f).startswith("=") for f in formulas[i][: len(row)]]
            if not any(has):
                ws.range((top.row + i, top.column)).value = [list(row)]
                continue
            for j, value in enumerate(row):
                if has[j]:
                    kept.append(Cell(top.row + i, top.column + j).a1)
                else:
                    ws.range((top.row + i, top.column + j)).value = value
        return kept

    def name_address(self, sheet: str, name: str) -> str | None:
        for defined in self.book.sheets[sheet].names:
            if str(defined.name).split("!")[-1] == name:
                return str(defined.refers_to).rpartition("!")[2].replace("$", "")
        return None

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        for defined in self.book.sheets[sheet].names:
            if str(defined.name).split("!")[-1] == name:
                quoted = sheet.replace("'", "''")
                defined.refers_to = f"='{quoted}'!{address}"
                return

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
