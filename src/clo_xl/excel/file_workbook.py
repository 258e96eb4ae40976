"""A workbook file on disk behind the :class:`WorkbookAccess` interface (headless runs and tests).

Reads come from the cached values Excel (or LibreOffice) saved, through python-calamine (fast), and the
workbook reader reads the file itself. Writes are what the buttons write: output tabs (values with the same
number formats, bold rows and frozen panes the live writer sets) and ("Refresh from DB") values into the
input cells of existing sheets. Both go into the package through :mod:`clo_xl.excel.xlsx_package` without
re-serialising the workbook, so the VBA project, the form buttons, the cell formats and the cached values
of every formula survive (openpyxl would drop the cached values, leaving the next reader with empty
inputs). An input cell that holds a formula is never overwritten. Nothing reaches the file until
:meth:`FileWorkbook.save`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from python_calamine import CalamineWorkbook

from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.cells import Cell, parse_cell, parse_range
from clo_xl.excel.table import OUTPUT_TAB_COLOR, Rows, Tab, Value
from clo_xl.excel.workbook_access import OUTPUT_PREFIXES, find_sheet, plain_value, rectangle
from clo_xl.excel.xlsx_package import OutputSheet, XlsxPackage, formula_cells
from clo_xl.ingest.workbook import SheetGrid, WorkbookData, read_workbook
from clo_xl.xlsx import range_ref


class _NewSheet:
    """A sheet added in this session: values from A1, formats, bold rows (sheet rows), frozen rows."""

    def __init__(self, *, tab_color: str | None, hidden: bool) -> None:
        self.values: list[list[Value]] = []
        self.formats: list[list[str | None]] = []
        self.bold: set[int] = set()
        self.freeze_rows = 0
        self.autofilter: tuple[int, int, int, int] | None = None
        self.tab_color = tab_color
        self.hidden = hidden

    def put(self, row: int, column: int, value: Value, code: str | None = None) -> None:
        while len(self.values) < row:
            self.values.append([])
            self.formats.append([])
        for line in (self.values[row - 1], self.formats[row - 1]):
            while len(line) < column:
                line.append(None)
        self.values[row - 1][column - 1] = value
        self.formats[row - 1][column - 1] = code

    def output(self) -> OutputSheet:
        return OutputSheet(
            [list(r) for r in self.values],
            [list(r) for r in self.formats],
            bold_rows=frozenset(r - 1 for r in self.bold),
            freeze_rows=self.freeze_rows,
            autofilter=self.autofilter,
            tab_color=self.tab_color,
            hidden=self.hidden,
        )


class FileWorkbook:
    """:class:`WorkbookAccess` over a ``.xlsx``/``.xlsm`` file. Call :meth:`save` to write changes.

    ``out`` (default: the file itself) is where :meth:`save` writes.
    """

    def __init__(self, path: str | Path, *, out: str | Path | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"workbook not found: {self.path}")
        self.out = Path(out) if out is not None else self.path
        self._reset()

    def _reset(self) -> None:
        self._values: dict[str, list[list[Value]]] = {}
        self._names: list[str] | None = None
        self._pending = XlsxPackage(self.path)
        self._new: dict[str, _NewSheet] = {}  # sheets created (or rewritten) in this session
        self._gone: set[str] = set()  # sheets of the file deleted in this session
        self._edited = False  # input cells or names changed in this session
        self._formulas: dict[str, set[tuple[int, int]]] = {}
        self._defined: dict[tuple[str | None, str], str] | None = None

    # -- reading -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    def _calamine(self) -> CalamineWorkbook:
        try:
            return CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types
            read_workbook(self.path)  # the validation layer's located refusal, as every command gives it
            raise CloXlError(f"cannot read workbook {self.path}: {exc}") from exc

    def _file_sheets(self) -> list[str]:
        if self._names is None:
            self._names = list(self._calamine().sheet_names)
        return self._names

    def sheet_names(self) -> list[str]:
        kept = [n for n in self._file_sheets() if n not in self._gone]
        return kept + [n for n in self._new if n not in kept]

    def _own(self, sheet: str) -> str:
        found = find_sheet(self.sheet_names(), sheet)
        if found is None:
            raise UsageError(f"workbook {self.name} has no sheet '{sheet}'")
        return found

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        own = self._own(sheet)
        if own in self._new:
            return [list(r) for r in self._new[own].values]
        if own not in self._values:
            # skip_empty_area=False keeps rows/columns absolute: grid[r - 1][c - 1] is the cell at (r, c)
            rows = self._calamine().get_sheet_by_name(own).to_python(skip_empty_area=False)
            self._values[own] = [[plain_value(v) for v in row] for row in rows]
        return self._values[own]

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

    def workbook_data(self, deals: Iterable[str] | None = None) -> WorkbookData:
        """The file read by the workbook reader; after unsaved input edits, the grids as edited."""
        wanted = None if deals is None else list(deals)
        if not self._edited and not self._gone:
            return read_workbook(self.path, deals=wanted)
        return read_workbook(_EditedSource(self), deals=wanted)

    def defined_names(self) -> dict[tuple[str | None, str], str]:
        if self._defined is None:
            self._defined = self._pending.names()
        return self._defined

    # -- writing output tabs ------------------------------------------------------------------------
    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        found = find_sheet(self.sheet_names(), name)
        if found is not None:
            self._drop(found)
        self._new[name] = _NewSheet(tab_color=tab_color, hidden=hidden)

    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        own = self._own(sheet)
        if own not in self._new:
            if not is_output_sheet(own):
                raise UsageError(
                    f"'{own}' is an input sheet: a workbook file is only written with output tabs "
                    "(edit inputs in Excel)"
                )
            grid = self.read_sheet(own)  # rewrite an existing output tab as values
            self._drop(own)
            self._new[own] = _NewSheet(tab_color=OUTPUT_TAB_COLOR, hidden=False)
            self.write_table(own, "A1", grid)
        top = parse_cell(cell)
        for i, row in enumerate(rectangle(rows)):
            for j, value in enumerate(row):
                self._new[own].put(top.row + i, top.column + j, value)

    def write_tab(self, tab: Tab) -> None:
        self.create_sheet(tab.name, tab_color=tab.tab_color)
        sheet = self._new[tab.name]
        r0, c0 = tab.anchor
        for i, (values, codes) in enumerate(zip(tab.values, tab.formats, strict=True)):
            for j, (value, code) in enumerate(zip(values, codes, strict=True)):
                sheet.put(r0 + i, c0 + j, value, code)
        sheet.bold = {r0 + i for i in tab.bold_rows}
        sheet.freeze_rows = tab.freeze_rows
        sheet.autofilter = tab.filter_range

    # -- writing input cells ------------------------------------------------------------------------
    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        own = self._own(sheet)
        if own in self._new or is_output_sheet(own):
            self.write_table(own, cell, rows)
            return []
        if own not in self._formulas:
            self._formulas[own] = formula_cells(self._pending.sheet_part(own))
        formulas = self._formulas[own]
        grid = self.read_sheet(own)  # kept in step with the pending writes for later reads
        top = parse_cell(cell)
        kept: list[str] = []
        edits: dict[tuple[int, int], object] = {}
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                r, c = top.row + i, top.column + j
                if (r, c) in formulas:
                    kept.append(Cell(r, c).a1)
                    continue
                edits[(r, c)] = value
                while len(grid) < r:
                    grid.append([])
                line = grid[r - 1]
                while len(line) < c:
                    line.append(None)
                line[c - 1] = plain_value(value)
        self._pending.set_cells(own, edits)
        self._edited = True
        return kept

    def check_writable(self, sheets: Iterable[str]) -> None:
        """The headless writer edits the package itself; sheet protection is Excel's to enforce."""
        for sheet in sheets:
            self._own(sheet)

    def name_address(self, sheet: str, name: str) -> str | None:
        own = find_sheet(self.sheet_names(), sheet) or sheet
        reference = self.defined_names().get((own, name))
        if reference is None:
            return None
        return reference.rpartition("!")[2].replace("$", "")

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        own = self._own(sheet)
        if self.name_address(own, name) is None:
            raise UsageError(f"'{own}' has no name {name}")
        start, end = parse_range(address)
        reference = range_ref(start.row, start.column, end.row, end.column, own)  # absolute: $D$4:$E$220
        self._pending.set_name(own, name, reference)
        self.defined_names()[(own, name)] = reference
        self._edited = True

    def _drop(self, sheet: str) -> None:
        if sheet in self._new:
            del self._new[sheet]
        if sheet in self._file_sheets() and sheet not in self._gone:
            self._gone.add(sheet)
            self._pending.delete_sheet(sheet)
        self._values.pop(sheet, None)

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        lowered = tuple(p.lower() for p in prefixes)
        doomed = [n for n in self.sheet_names() if n.lower().startswith(lowered)]
        for sheet in doomed:
            self._drop(sheet)
        return doomed

    def activate(self, sheet: str) -> None:
        """A file keeps the active tab it was saved with."""

    def recalculate(self) -> None:
        """A file has no calculation engine; Excel recalculates when the analyst opens it."""

    def save(self) -> None:
        if not self._new and not self._gone and not self._edited:
            return
        for sheet, new in self._new.items():
            self._pending.add_sheet(sheet, new.output())
        self._pending.save(self.out)
        if self.out == self.path:
            self._reset()

    def notify(self, text: str) -> None:
        print(text, file=sys.stderr)


class _EditedSource:
    """A file with unsaved input edits, as the reader's :class:`GridSource` (values as edited)."""

    def __init__(self, book: FileWorkbook) -> None:
        self._book = book
        self.file = book.name
        self.sheets = tuple(book.sheet_names())
        self.names = {
            k: ref for k, ref in book.defined_names().items() if k[0] is None or k[0] in self.sheets
        }

    def grid(self, sheet: str) -> SheetGrid:
        return SheetGrid([list(r) for r in self._book.read_sheet(sheet)])


def is_output_sheet(sheet: str) -> bool:
    """Output tabs (legacy prefixes, and the Parallel Run tab) hold values only and may be rewritten."""
    return sheet.lower().startswith(tuple(p.lower() for p in (*OUTPUT_PREFIXES, "Parallel Run")))
