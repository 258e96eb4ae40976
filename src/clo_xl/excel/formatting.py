"""Parsing what Excel passes to a UDF and shaping what goes back.

Excel hands a UDF plain values: text, floats (every number, whole or not), booleans, ``None`` for an empty
cell, or nested lists for a range. These helpers turn them into what the core expects and raise a
:class:`CloXlError` naming the argument when they cannot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from clo_xl.errors import UsageError

#: the prefix of every error text a CLO_ function returns (xlwings cannot return a real #N/A).
ERROR_PREFIX = "#CLO!"
_MAX_ERROR = 120


def excel_error(message: str) -> str:
    """A short error text for a cell: ``#CLO! <first line of the message>`` (at most ~120 characters)."""
    first = message.strip().splitlines()[0] if message.strip() else "error"
    if len(first) > _MAX_ERROR:
        first = first[: _MAX_ERROR - 1] + "…"
    return f"{ERROR_PREFIX} {first}"


def _scalar(value: object) -> Any:
    """A 1×1 range arrives as a value, but a 1-cell list can too: unwrap it."""
    while isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    return value


def plain_text(value: object, name: str) -> str:
    """A text argument, trimmed; whole numbers typed into a cell (17.0) become "17"."""
    value = _scalar(value)
    if value is None:
        raise UsageError(f"{name} is empty")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        raise UsageError(f"{name} must be a single cell, not a range")
    text = str(value).strip()
    if not text:
        raise UsageError(f"{name} is empty")
    return text


def plain_number(value: object, name: str) -> float:
    """A numeric argument; text such as "2.5%" or "1,000" is accepted as Excel would display it."""
    value = _scalar(value)
    if isinstance(value, bool) or value is None:
        raise UsageError(f"{name} must be a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            number = float(text) * scale
        except ValueError:
            raise UsageError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise UsageError(f"{name} must be a finite number, got {value!r}")
    return number


def cell_value(value: object) -> Any:
    """A Python value → something Excel shows: NaN/inf become empty, numpy scalars plain floats."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, list | tuple | str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """A header row plus data rows as a rectangular 2-D list (short rows padded with empty cells)."""
    width = max([len(header), *(len(r) for r in rows)])
    out = [[*header, *([None] * (width - len(header)))]]
    for row in rows:
        cells = [cell_value(v) for v in row]
        out.append(cells + [None] * (width - len(cells)))
    return out
