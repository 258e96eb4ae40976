"""A1 addresses for the Excel bridge: ``"B12"`` / ``"B1:J40"`` as 1-based :class:`Cell` positions.

The reference syntax itself is :mod:`clo_xl.xlsx`'s; this module adds the bridge's value type and turns a
malformed address into a usage error (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from clo_xl import xlsx
from clo_xl.errors import UsageError


@dataclass(frozen=True)
class Cell:
    """A 1-based sheet position."""

    row: int
    column: int

    @property
    def a1(self) -> str:
        return xlsx.cell_ref(self.row, self.column)

    def offset(self, rows: int = 0, columns: int = 0) -> Cell:
        return Cell(self.row + rows, self.column + columns)


def parse_cell(text: str) -> Cell:
    """``"B12"`` → ``Cell(12, 2)``; raises :class:`UsageError` on anything else."""
    try:
        row, column = xlsx.parse_cell(text)
    except ValueError:
        raise UsageError(f"not a cell address: {text!r} (expected something like 'B12')") from None
    return Cell(row, column)


def parse_range(text: str) -> tuple[Cell, Cell]:
    """``"B1:J40"`` → (top-left, bottom-right); a single cell gives the same cell twice."""
    first, _, last = text.partition(":")
    start = parse_cell(first)
    end = parse_cell(last) if last else start
    if end.row < start.row or end.column < start.column:
        raise UsageError(f"range {text!r} must run from top-left to bottom-right")
    return start, end
