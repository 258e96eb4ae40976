"""Analytics results as pandas DataFrames, for the Python API (:class:`clo_xl.api.DealSession`).

Money in deal currency, rates and prices as decimals, dates as ``datetime64``; each frame's columns are the
JSON keys of the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

import pandas as pd


def records_frame(rows: Sequence[Any], *, index: str | None = None) -> pd.DataFrame:
    """A frame from frozen dataclass rows (or mappings), ``date`` columns as datetimes."""
    if rows and is_dataclass(rows[0]):
        names = [f.name for f in fields(rows[0])]
        data = [[getattr(r, n) for n in names] for r in rows]
        frame = pd.DataFrame(data, columns=names)
    else:
        frame = pd.DataFrame([dict(r) for r in rows if isinstance(r, Mapping)])
    for col in frame.columns:
        if col.endswith("date"):
            frame[col] = pd.to_datetime(frame[col])
    return frame.set_index(index) if index and index in frame.columns else frame
