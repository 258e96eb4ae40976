"""A1 addresses: parse ``"B12"`` / ``"B1:J40"`` into 1-based (row, column) pairs and back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clo_xl.errors import UsageError
from clo_xl.ingest.raw import column_letter

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_index(letters: str) -> int:
    """Excel column letters → 1-based index ('A' → 1, 'AA' → 27)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index


@dataclass(frozen=True)
class Cell:
    """A 1-based sheet position."""

    row: int
    column: int

    @property
    def a1(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    def offset(self, rows: int = 0, columns: int = 0) -> Cell:
        return Cell(self.row + rows, self.column + columns)


def parse_cell(text: str) -> Cell:
    """``"B12"`` → ``Cell(12, 2)``; raises :class:`UsageError` on anything else."""
    found = _CELL.match(text.strip())
    if found is None:
        raise UsageError(f"not a cell address: {text!r} (expected something like 'B12')")
    return Cell(int(found.group(2)), column_index(found.group(1)))


def parse_range(text: str) -> tuple[Cell, Cell]:
    """``"B1:J40"`` → (top-left, bottom-right); a single cell gives the same cell twice."""
    first, _, last = text.partition(":")
    start = parse_cell(first)
    end = parse_cell(last) if last else start
    if end.row < start.row or end.column < start.column:
        raise UsageError(f"range {text!r} must run from top-left to bottom-right")
    return start, end
