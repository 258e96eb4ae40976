"""Macro-free ``.xlsx`` reports that read like an analyst's own workbook.

Every sheet gets: a bold, shaded header row frozen in place, an autofilter over the table, column widths
from the longest shown value, and a number format per column from its :class:`~clo_xl.report.formats.Column`
kind (money ``#,##0.00``, ratios ``0.000%``, dates ``yyyy-mm-dd``, ...). Values are written with their type
(numbers as numbers, dates as real dates, booleans as booleans; NaN/inf as empty cells). A shaded row keeps
each cell's number format (the shade and the format are one combined cell format). Notes (e.g. the legacy
effects of a result) go under the table, one line each.

Simple use: ``write_workbook(path, {"Parallel Run": (header, rows)})`` where ``header`` holds titles or
:class:`Column` objects; full control: a :class:`SheetSpec` per sheet. Code that writes its own xlsxwriter
workbook (the demo, #11/#14 tabs) calls :func:`add_sheet` on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from clo_xl.report.formats import Column, Kind, columns_for

_BAD_SHEET_CHARS = re.compile(r"[\[\]\*\?/\\:]")

#: shades of a row's status (parallel run): break red, explained amber, match/ok green
SHADES = {"break": "#FDE2E2", "explained": "#FFF4D6", "ok": "#E8F6E8"}
HEADER_FILL = "#EEF2F7"
DATE_KINDS = (Kind.DATE, Kind.DATETIME)
MAX_WIDTH = 60

Table = tuple[Sequence[str | Column], Sequence[Sequence[Any]]]
#: ``cell_kind(row_index, column_index, value)`` → a kind that overrides the column's for that cell
CellKind = Callable[[int, int, Any], Kind | None]


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its columns and rows, an optional shade per row, per-cell kinds, notes under the table."""

    columns: Sequence[str | Column]
    rows: Sequence[Sequence[Any]]
    row_styles: Sequence[str | None] = ()
    cell_kind: CellKind | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet (31 characters, no []*?/\\:)."""
    cleaned = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    return cleaned[:31]


class _Formats:
    """xlsxwriter formats, one per (kind, decimals, shade), created once per workbook."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.cache: dict[tuple[Kind | None, int | None, str | None, bool], Any] = {}
        self.header = book.add_format(
            {"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.note = book.add_format({"italic": True, "font_color": "#555555"})

    def get(self, column: Column | None, shade: str | None, kind: Kind | None = None) -> Any:
        kind = kind or (column.kind if column else None)
        decimals = column.decimals if column is not None and kind is column.kind else None
        key = (kind, decimals, shade, False)
        found = self.cache.get(key)
        if found is None:
            props: dict[str, Any] = {}
            if kind is not None:
                number_format = Column("", kind, decimals).excel_format()
                if number_format:
                    props["num_format"] = number_format
            if shade:
                props["bg_color"] = SHADES.get(shade, shade)
            found = self.book.add_format(props) if props else None
            self.cache[key] = found
        return found


def _unique_title(name: str, used: set[str]) -> str:
    title = sheet_name(name)
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def add_sheet(
    book: Workbook, name: str, spec: SheetSpec | Table, *, used: set[str] | None = None
) -> Worksheet:
    """Add one formatted sheet to an open xlsxwriter ``book`` (see the module docstring)."""
    if not isinstance(spec, SheetSpec):
        spec = SheetSpec(spec[0], spec[1])
    formats = getattr(book, "_clo_xl_formats", None)
    if formats is None:
        formats = _Formats(book)
        book._clo_xl_formats = formats
    taken = used if used is not None else {ws.name.lower() for ws in book.worksheets()}
    ws = book.add_worksheet(_unique_title(name, taken))
    columns = columns_for(spec.columns, spec.rows)
    ws.write_row(0, 0, [c.title for c in columns], formats.header)
    widths = [max(8, len(c.title)) for c in columns]
    for r, row in enumerate(spec.rows, start=1):
        shade = spec.row_styles[r - 1] if r - 1 < len(spec.row_styles) else None
        for c, value in enumerate(row):
            column = columns[c] if c < len(columns) else None
            kind = spec.cell_kind(r - 1, c, value) if spec.cell_kind is not None else None
            if isinstance(value, date) and (kind or (column.kind if column else None)) not in DATE_KINDS:
                kind = Kind.DATETIME if isinstance(value, datetime) else Kind.DATE  # dates stay dates
            _write(ws, r, c, value, formats.get(column, shade, kind))
            shown = (Column("", kind) if kind else column or Column("")).text(value)
            if c < len(widths):
                widths[c] = max(widths[c], min(MAX_WIDTH, len(shown)))
    for c, column in enumerate(columns):
        ws.set_column(c, c, column.width or widths[c] + 2)
    ws.freeze_panes(1, 0)
    if columns:
        ws.autofilter(0, 0, max(len(spec.rows), 1), len(columns) - 1)
    for i, note in enumerate(spec.notes):
        ws.write_string(len(spec.rows) + 2 + i, 0, note, formats.note)
    return ws


def write_workbook(
    path: Path,
    tables: Mapping[str, Table | SheetSpec],
    *,
    row_styles: Mapping[str, Sequence[str | None]] | None = None,
) -> Path:
    """Write ``tables`` (sheet name → ``(header, rows)`` or :class:`SheetSpec`) as a macro-free workbook.

    ``row_styles[sheet][i]`` may be "break", "explained" or "ok" to shade data row i red, amber or green.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd"})
    used: set[str] = set()
    try:
        for name, table in tables.items():
            spec = table if isinstance(table, SheetSpec) else SheetSpec(table[0], table[1])
            styles = (row_styles or {}).get(name)
            if styles is not None:
                spec = SheetSpec(spec.columns, spec.rows, styles, spec.cell_kind, spec.notes)
            add_sheet(book, name, spec, used=used)
    finally:
        book.close()
    return path


def _write(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        ws.write_datetime(row, col, value if isinstance(value, datetime) else _midnight(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


__all__ = ["SHADES", "SheetSpec", "add_sheet", "sheet_name", "write_workbook"]
