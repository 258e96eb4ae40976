"""A workbook file on disk behind the :class:`WorkbookAccess` interface (headless runs and tests).

Reads come from the cached values Excel (or LibreOffice) saved, through python-calamine (fast). Writes
are what the buttons write: value-only output tabs, and ("Refresh from DB") values into the input cells of
existing sheets. Both go into the package through :mod:`clo_xl.excel.xlsx_package` without re-serialising
the workbook, so the VBA project, the form buttons, the cell formats and the cached values of every
formula survive (openpyxl would drop the cached values, leaving the next reader with empty inputs).
An input cell that holds a formula is never overwritten.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from python_calamine import CalamineWorkbook

from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.cells import Cell, parse_cell, parse_range
from clo_xl.excel.workbook_access import OUTPUT_PREFIXES, OUTPUT_TAB_COLOR, Rows, Value, plain_value
from clo_xl.excel.xlsx_package import XlsxPackage, formula_cells


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
        self._new: dict[str, list[list[Value]]] = {}  # sheets created (or rewritten) in this session
        self._colors: dict[str, str | None] = {}
        self._gone: set[str] = set()  # sheets of the file deleted in this session
        self._hidden: set[str] = set()
        self._edited = False  # input cells or names changed in this session
        self._formulas: dict[str, set[tuple[int, int]]] = {}
        self._defined: dict[tuple[str | None, str], str] | None = None

    # -- reading ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    def _calamine(self) -> CalamineWorkbook:
        try:
            return CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types
            raise CloXlError(f"cannot read workbook {self.path}: {exc}") from exc

    def _file_sheets(self) -> list[str]:
        if self._names is None:
            self._names = list(self._calamine().sheet_names)
        return self._names

    def sheet_names(self) -> list[str]:
        kept = [n for n in self._file_sheets() if n not in self._gone]
        return kept + [n for n in self._new if n not in kept]

    def read_sheet(self, sheet: str) -> list[list[Value]]:
        if sheet in self._new:
            return self._new[sheet]
        if sheet not in self.sheet_names():
            raise UsageError(f"workbook {self.name} has no sheet '{sheet}'")
        if sheet not in self._values:
            # skip_empty_area=False keeps rows/columns absolute: grid[r - 1][c - 1] is the cell at (r, c)
            rows = self._calamine().get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            self._values[sheet] = [[plain_value(v) for v in row] for row in rows]
        return self._values[sheet]

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

    # -- writing (output tabs only) ----------------------------------------------------------------
    def write_table(self, sheet: str, cell: str, rows: Rows) -> None:
        if sheet not in self._new:
            if sheet not in self.sheet_names():
                raise UsageError(f"workbook {self.name} has no sheet '{sheet}' to write to")
            if not is_output_sheet(sheet):
                raise UsageError(
                    f"'{sheet}' is an input sheet: a workbook file is only written with output tabs "
                    "(edit inputs in Excel)"
                )
            grid = [list(r) for r in self.read_sheet(sheet)]  # rewrite an existing output tab as values
            self.delete_sheets([sheet])
            self._new[sheet] = grid
            self._colors[sheet] = OUTPUT_TAB_COLOR
        grid = self._new[sheet]
        top = parse_cell(cell)
        for i, row in enumerate(rows):
            r = top.row - 1 + i
            while len(grid) <= r:
                grid.append([])
            line = grid[r]
            for j, value in enumerate(row):
                c = top.column - 1 + j
                while len(line) <= c:
                    line.append(None)
                line[c] = value

    def create_sheet(
        self, name: str, *, tab_color: str | None = OUTPUT_TAB_COLOR, hidden: bool = False
    ) -> None:
        if name in self.sheet_names():
            self.delete_sheets([name])
        self._new[name] = []
        self._colors[name] = tab_color
        if hidden:
            self._hidden.add(name)
        else:
            self._hidden.discard(name)

    # -- writing input cells ---------------------------------------------------------------------
    def write_inputs(self, sheet: str, cell: str, rows: Rows) -> list[str]:
        if sheet in self._new or is_output_sheet(sheet):
            self.write_table(sheet, cell, rows)
            return []
        if sheet not in self.sheet_names():
            raise UsageError(f"workbook {self.name} has no sheet '{sheet}' to write to")
        if sheet not in self._formulas:
            self._formulas[sheet] = formula_cells(self._pending.sheet_part(sheet))
        formulas = self._formulas[sheet]
        grid = self.read_sheet(sheet)  # kept in step with the pending writes for later reads
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
        self._pending.set_cells(sheet, edits)
        self._edited = True
        return kept

    def name_address(self, sheet: str, name: str) -> str | None:
        if self._defined is None:
            self._defined = self._pending.names()
        reference = self._defined.get((sheet, name))
        if reference is None:
            return None
        return reference.rpartition("!")[2].replace("$", "")

    def resize_name(self, sheet: str, name: str, address: str) -> None:
        if self.name_address(sheet, name) is None:
            raise UsageError(f"'{sheet}' has no name {name}")
        start, end = parse_range(address)
        quoted = sheet.replace("'", "''")
        reference = f"'{quoted}'!${_col(start)}${start.row}:${_col(end)}${end.row}"
        self._pending.set_name(sheet, name, reference)
        assert self._defined is not None
        self._defined[(sheet, name)] = reference
        self._edited = True

    def delete_sheets(self, prefixes: Iterable[str]) -> list[str]:
        lowered = tuple(p.lower() for p in prefixes)
        doomed = [n for n in self.sheet_names() if n.lower().startswith(lowered)]
        for sheet in doomed:
            if sheet in self._new:
                del self._new[sheet]
            if sheet in self._file_sheets() and sheet not in self._gone:
                self._gone.add(sheet)
                self._pending.delete_sheet(sheet)
            self._values.pop(sheet, None)
        return doomed

    def save(self) -> None:
        if not self._new and not self._gone and not self._edited:
            return
        for sheet, grid in self._new.items():
            self._pending.add_sheet(
                sheet, grid, tab_color=self._colors.get(sheet), hidden=sheet in self._hidden
            )
        self._pending.save(self.out)
        if self.out == self.path:
            self._reset()

    def snapshot_path(self) -> Path:
        """The file itself (handlers read inputs, which this class never changes)."""
        return self.path

    def notify(self, text: str) -> None:
        print(text, file=sys.stderr)


def _col(cell: Cell) -> str:
    return cell.a1.rstrip("0123456789")


def is_output_sheet(sheet: str) -> bool:
    """Output tabs (legacy prefixes, and the Parallel Run tab) hold values only and may be rewritten."""
    return sheet.lower().startswith(tuple(p.lower() for p in (*OUTPUT_PREFIXES, "Parallel Run")))
