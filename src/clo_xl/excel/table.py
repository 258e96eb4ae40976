"""What the bridge writes into a workbook: plain cell values, and a finished output tab.

Kept apart from the builders (:mod:`clo_xl.excel.tabs`) and the writers (:mod:`clo_xl.excel.workbook_access`
and its two implementations) so both sides share the types without depending on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

#: a cell value as the bridge reads and writes it (``None``: an empty cell)
Value = str | float | int | bool | datetime | date | None
Rows = Sequence[Sequence[Value]]

#: the legacy output-tab colour (Excel colour 5287936 = RGB 00B050, green; UI 826-933).
OUTPUT_TAB_COLOR = "00B050"


@dataclass(frozen=True)
class Tab:
    """A finished output tab: a rectangular block of values written at ``anchor``, a number format per
    cell (``None``: General), the block's bold rows and the rows to freeze above the scrolling area."""

    name: str
    values: tuple[tuple[Value, ...], ...]
    formats: tuple[tuple[str | None, ...], ...]
    anchor: tuple[int, int] = (1, 2)  # row, column of the top-left value (B1)
    bold_rows: frozenset[int] = frozenset()  # 0-based rows of ``values``
    freeze_rows: int = 0  # sheet rows above the scrolling area (0: none)
    tab_color: str | None = OUTPUT_TAB_COLOR  # RGB hex; None keeps Excel's default

    @property
    def filter_range(self) -> tuple[int, int, int, int] | None:
        """(first row, first column, last row, last column), in sheet coordinates, of the table under the
        frozen header (the last frozen row): the header's first run of filled cells and the rows below it
        down to the first blank one. ``None`` when nothing is frozen or no row follows the header."""
        header = self.freeze_rows - self.anchor[0]
        if self.freeze_rows <= 0 or not 0 <= header < self.height - 1:
            return None
        cells = self.values[header]
        filled = [j for j, v in enumerate(cells) if v is not None and v != ""]
        if not filled:
            return None
        first = last = filled[0]
        while last + 1 < len(cells) and cells[last + 1] not in (None, ""):
            last += 1
        end = header
        while end + 1 < self.height and any(
            v not in (None, "") for v in self.values[end + 1][first : last + 1]
        ):
            end += 1
        if end == header:
            return None
        r0, c0 = self.anchor
        return r0 + header, c0 + first, r0 + end, c0 + last

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return len(self.values[0]) if self.values else 0

    def format_runs(self) -> list[tuple[int, int, int, int, str]]:
        """(first row, first column, last row, last column, format) rectangles covering every formatted
        cell, in sheet coordinates: each column's runs of one format, side-by-side runs merged."""
        columns: dict[tuple[int, int, str], list[int]] = {}
        for j in range(self.width):
            i = 0
            while i < self.height:
                code = self.formats[i][j]
                k = i
                while k + 1 < self.height and self.formats[k + 1][j] == code:
                    k += 1
                if code is not None:
                    columns.setdefault((i, k, code), []).append(j)
                i = k + 1
        runs: list[tuple[int, int, int, int, str]] = []
        r0, c0 = self.anchor
        for (i, k, code), cols in columns.items():
            start = cols[0]
            for a, b in zip(cols, [*cols[1:], None], strict=True):
                if b != a + 1:
                    runs.append((r0 + i, c0 + start, r0 + k, c0 + a, code))
                    if b is not None:
                        start = b
        return sorted(runs)
