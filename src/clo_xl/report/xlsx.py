"""Macro-free ``.xlsx`` reports: one sheet per table, a bold header row, sensible widths.

``write_workbook(path, {"Parallel Run": (header, rows), ...})``. Values are written with their type
(numbers as numbers, booleans as booleans, dates as dates); NaN/inf become empty cells. Sheet names are
trimmed to Excel's 31 characters and stripped of the characters Excel refuses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

_BAD_SHEET_CHARS = re.compile(r"[\[\]\*\?/\\:]")

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet (31 characters, no []*?/\\:)."""
    cleaned = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    return cleaned[:31]


def write_workbook(
    path: Path, tables: Mapping[str, Table], *, row_styles: Mapping[str, Sequence[str | None]] | None = None
) -> Path:
    """Write ``tables`` (sheet name → (header, rows)) as a macro-free workbook.

    ``row_styles[sheet][i]`` may be "break", "explained" or "ok" to shade data row i red, amber or green.
    """
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd"})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    shades = {
        "break": book.add_format({"bg_color": "#FDE2E2"}),
        "explained": book.add_format({"bg_color": "#FFF4D6"}),
        "ok": book.add_format({"bg_color": "#E8F6E8"}),
    }
    used: set[str] = set()
    for name, (header, rows) in tables.items():
        title = sheet_name(name)
        base, n = title, 2
        while title.lower() in used:
            suffix = f" ({n})"
            title, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(title.lower())
        ws = book.add_worksheet(title)
        ws.write_row(0, 0, list(header), bold)
        widths = [len(str(h)) for h in header]
        styles = (row_styles or {}).get(name, ())
        for r, row in enumerate(rows, start=1):
            fmt = shades.get(styles[r - 1] or "") if r - 1 < len(styles) else None
            for c, value in enumerate(row):
                _write(ws, r, c, value, fmt)
                if c < len(widths):
                    widths[c] = max(widths[c], min(60, len(str(value)) if value is not None else 0))
                else:
                    widths.append(min(60, len(str(value))))
        for c, width in enumerate(widths):
            ws.set_column(c, c, max(8, width + 2))
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), max(len(header), 1) - 1)
    book.close()
    return path


def _write(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
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
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)
