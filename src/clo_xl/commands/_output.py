"""Shared output helpers for CLI commands: one JSON document with ``--json``, else readable rich tables."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from clo_xl.quirk_warnings import warning_lines

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)


def _default(obj: object) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    if hasattr(obj, "tolist"):  # numpy array
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None so the document is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Mapping):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def to_json_text(payload: Any) -> str:
    return json.dumps(_clean(payload), default=_default, allow_nan=False)


def emit(payload: Any, *, as_json: bool, render: Callable[[], None] | None = None) -> None:
    """Print ``payload`` as one JSON document (``as_json``) or call ``render`` for a readable view."""
    if as_json:
        sys.stdout.write(to_json_text(payload) + "\n")
        sys.stdout.flush()
    elif render is not None:
        render()
    else:
        console.print_json(to_json_text(payload))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A rich table; numbers right-aligned."""
    t = Table(title=title, title_justify="left")
    first = rows[0] if rows else []
    for i, col in enumerate(columns):
        numeric = i < len(first) and isinstance(first[i], int | float) and not isinstance(first[i], bool)
        t.add_column(col, justify="right" if numeric else "left")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t


def print_warnings(doc: Mapping[str, Any]) -> None:
    """Under a readable table: one line per legacy switch that changed a figure of ``doc`` (CONTRACT §5)."""
    lines = warning_lines(doc)
    if not lines:
        return
    console.print(f"Legacy effects in these figures ({len(lines)}):", markup=False)
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)
