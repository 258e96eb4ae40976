"""Sheet grids read once from the workbook file (cached values, as Excel last saved them).

A grid is a list of rows from A1; ``grid[r - 1][c - 1]`` is the value at sheet row r, column c.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.cells import Cell
from clo_xl.excel.workbook_access import Value, WorkbookAccess, plain_value

Grid = list[list[Value]]


class WorkbookGrids:
    """Lazy, cached grids of a workbook's sheets: a file (python-calamine), or an open workbook through the
    workbook-access interface (one read per sheet)."""

    def __init__(self, source: Path | WorkbookAccess) -> None:
        self._access: WorkbookAccess | None = None
        self._book: CalamineWorkbook | None = None
        if isinstance(source, Path):
            if not source.is_file():
                raise UsageError(f"workbook not found: {source}")
            try:
                self._book = CalamineWorkbook.from_path(str(source))
            except Exception as exc:  # calamine's own error types
                raise CloXlError(f"cannot read workbook {source}: {exc}") from exc
            self.sheet_names: list[str] = list(self._book.sheet_names)
            self.where = str(source)
        else:
            self._access = source
            self.sheet_names = source.sheet_names()
            self.where = source.name
        self._grids: dict[str, Grid] = {}

    def grid(self, sheet: str) -> Grid:
        found = self._grids.get(sheet)
        if found is None:
            found = self._read(sheet)
            self._grids[sheet] = found
        return found

    def _read(self, sheet: str) -> Grid:
        if self._access is not None:
            return [list(row) for row in self._access.read_sheet(sheet)]
        assert self._book is not None
        try:
            rows = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine's own error types (a damaged or half-written file)
            raise CloXlError(f"cannot read sheet '{sheet}' of {self.where}: {exc}") from exc
        return [[plain_value(v) for v in row] for row in rows]


def at(grid: Sequence[Sequence[Value]], cell: Cell) -> Value:
    """The value at ``cell`` (``None`` outside the grid)."""
    if cell.row - 1 >= len(grid):
        return None
    row = grid[cell.row - 1]
    return row[cell.column - 1] if cell.column - 1 < len(row) else None


def find_header(
    grid: Sequence[Sequence[Value]], wanted: str, *, max_rows: int = 6, start_column: int = 1
) -> Cell | None:
    """The first cell in the top rows whose text equals ``wanted`` (trimmed, case-insensitive)."""
    target = wanted.strip().lower()
    for r, row in enumerate(grid[:max_rows], start=1):
        for c in range(start_column - 1, len(row)):
            value = row[c]
            if isinstance(value, str) and value.strip().lower() == target:
                return Cell(r, c + 1)
    return None


def header_columns(grid: Sequence[Sequence[Value]], header_row: int, first_column: int) -> dict[str, int]:
    """Header text (trimmed, lower-case) → 1-based column, scanning right until two empty cells."""
    columns: dict[str, int] = {}
    row = grid[header_row - 1] if header_row - 1 < len(grid) else []
    empty = 0
    for c in range(first_column - 1, len(row)):
        value = row[c]
        if value is None:
            empty += 1
            if empty >= 2:
                break
            continue
        empty = 0
        columns.setdefault(str(value).strip().lower(), c + 1)
    return columns
