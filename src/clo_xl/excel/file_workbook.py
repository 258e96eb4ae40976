"""A workbook file on disk behind the :class:`WorkbookAccess` interface (headless runs and tests).

Reads come from the cached values Excel (or LibreOffice) saved, through python-calamine (fast); sheets
written in this session are read back from the openpyxl copy being edited. Writes go through openpyxl
with ``keep_vba=True`` for ``.xlsm`` files, which keeps the VBA project and the VML form buttons
byte-for-byte (openpyxl drops DrawingML shapes and cached formula values; the workbook is flagged for
a full recalculation when Excel next opens it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.cells import parse_cell, parse_range
from clo_xl.excel.workbook_access import OUTPUT_TAB_COLOR, Rows, Value


def _plain(value: Any) -> Value:
    """Calamine/openpyxl cell value → plain value (empty strings become ``None``, whole floats stay)."""
    if value is None or value == "":
        return None
    if isinstance(value, time):  # a time-only cell: Excel's fraction of a day
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0
    if isinstance(value, bool | int | float | str | datetime | date):
        return value
    return str(value)


class FileWorkbook:
    """:class:`WorkbookAccess` over a ``.xlsx``/``.xlsm`` file. Call :meth:`save` to write changes back."""

    def __init__(self, path: str | Path, *, out: str | Path | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"workbook not found: {self.path}")
        self.out = Path(out) if out is not None else self.path
        self._values: dict[str, list[list[Value]]] = {}
        self._sheet_names: list[str] | None = None
        self._book: Any = None  # openpyxl Workbook, opened on the first write
        self._written: set[str] = set()

    # -- reading ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    def _calamine(self) -> CalamineWorkbook:
        try:
            return CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types
            raise CloXlError(f"cannot read workbook {self.path}: {exc}") from exc

    def sheet_names(self) -> list[str]:
        if self._book is not None:
            return list(self._book.sheetnames)
        if self._sheet_names is None:
            self._sheet_names = list(self._calamine().sheet_names)
        return list(self._sheet_names)

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        if sheet not in self.sheet_names():
            raise UsageError(f"workbook {self.name} has no sheet '{sheet}'")
        if sheet in self._written:
            return self._openpyxl_values(sheet)
        if sheet not in self._values:
            # calamine starts at the first used cell; pad back to A1 so row/column indices are absolute.
            data = self._calamine().get_sheet_by_name(sheet)
            rows = data.to_python(skip_empty_area=False)
            self._values[sheet] = [[_plain(v) for v in row] for row in rows]
        return self._values[sheet]

    def _openpyxl_values(self, sheet: str) -> list[list[Value]]:
        ws = self._book[sheet]
        return [[_plain(v) for v in row] for row in ws.iter_rows(values_only=True)]

    def read_range(self, sheet: str, address: str) -> list[list[Value]]:
        start, end = parse_range(address)
        rows = self.read_sheet(sheet)
        out: list[list[Value]] = []
        for r in range(start.row, end.row + 1):
            row = rows[r - 1] if r - 1 < len(rows) else []
            out.append(
                [row[c - 1] if c - 1 < len(row) else None for c in range(start.column, end.column + 1)]
            )
        return out

    # -- writing ---------------------------------------------------------------------------------
    def _open_for_write(self) -> Any:
        if self._book is None:
            keep_vba = self.path.suffix.lower() in {".xlsm", ".xltm"}
            self._book = openpyxl.load_workbook(self.path, keep_vba=keep_vba)
        return self._book

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        book = self._open_for_write()
        if sheet not in book.sheetnames:
            raise UsageError(f"workbook {self.name} has no sheet '{sheet}' to write to")
        ws = book[sheet]
        top = parse_cell(cell)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                ws.cell(row=top.row + i, column=top.column + j, value=value)
        self._written.add(sheet)

    def create_sheet(self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR) -> None:
        book = self._open_for_write()
        if name in book.sheetnames:
            del book[name]
        ws = book.create_sheet(title=name)
        if tab_color:
            ws.sheet_properties.tabColor = tab_color
        self._written.add(name)
        self._values.pop(name, None)

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        lowered = tuple(p.lower() for p in prefixes)
        doomed = [n for n in self.sheet_names() if n.lower().startswith(lowered)]
        if doomed:
            book = self._open_for_write()
            for sheet in doomed:
                del book[sheet]
                self._written.discard(sheet)
                self._values.pop(sheet, None)
        return doomed

    def save(self) -> None:
        if self._book is None:
            return
        self._book.save(self.out)
        if self.out == self.path:
            self._values.clear()
            self._written.clear()
            self._book = None
            self._sheet_names = None

    def snapshot_path(self) -> Path:
        """The file itself once pending writes are saved (handlers read inputs, not their own outputs)."""
        return self.path

    def notify(self, text: str) -> None:
        print(text, file=sys.stderr)
