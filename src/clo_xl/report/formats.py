"""One vocabulary for how a figure is shown, wherever a person reads it: HTML reports, XLSX sheets, tables.

A :class:`Column` says what its values are (:class:`Kind`): money (deal currency, two decimals, thousands
separators), a ratio (a decimal fraction shown as a percent: 0.025 → 2.500 %), a plain number, an integer,
a date, pass/fail, text. The same column gives the HTML text (:meth:`Column.text`) and the Excel number
format (:meth:`Column.excel_format`), so a report and its workbook agree, and the value itself is never
turned into text before it reaches the sheet.

``Column("Par", Kind.MONEY)``, ``Column("OC ratio", Kind.RATIO, decimals=2)``,
``Column("Payment date", Kind.DATE)``. A bare header string infers its kind from the values
(:func:`infer_kind`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a column's values are."""

    TEXT = "text"
    MONEY = "money"  # deal currency, e.g. 12,088,300.50
    RATIO = "ratio"  # a decimal fraction shown as a percent: 0.025 → 2.500%
    NUMBER = "number"  # a measure without unit (WARF, WAL in years, a price in points): 2,634.1739
    INTEGER = "integer"  # counts: 1,000
    BPS = "bps"  # a value already in basis points: 325.0 bp
    DATE = "date"
    DATETIME = "datetime"
    PASS_FAIL = "pass_fail"  # a boolean shown Pass / FAIL
    BOOL = "bool"  # a boolean shown TRUE / FALSE


#: decimals shown when a column does not say (for RATIO: decimals of the percent)
DEFAULT_DECIMALS = {Kind.MONEY: 2, Kind.RATIO: 3, Kind.NUMBER: 4, Kind.INTEGER: 0, Kind.BPS: 1}

#: kinds whose cells are right-aligned numbers
NUMERIC_KINDS = frozenset({Kind.MONEY, Kind.RATIO, Kind.NUMBER, Kind.INTEGER, Kind.BPS})


def excel_number_format(kind: Kind, decimals: int | None = None) -> str | None:
    """The Excel number format of ``kind`` (``None`` for text and booleans, which keep General)."""
    d = DEFAULT_DECIMALS.get(kind, 0) if decimals is None else decimals
    frac = "." + "0" * d if d > 0 else ""
    return {
        Kind.MONEY: f"#,##0{frac};-#,##0{frac}",
        Kind.RATIO: f"0{frac}%",
        Kind.NUMBER: f"#,##0{frac}",
        Kind.INTEGER: "#,##0",
        Kind.BPS: f'#,##0{frac}" bp"',
        Kind.DATE: "yyyy-mm-dd",
        Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
    }.get(kind)


def _finite(value: Any) -> bool:
    return not (isinstance(value, float) and not math.isfinite(value))


def format_value(value: Any, kind: Kind, decimals: int | None = None) -> str:
    """``value`` as a person reads it (empty for None/NaN); text passes through unchanged."""
    if value is None or not _finite(value):
        return ""
    d = DEFAULT_DECIMALS.get(kind, 0) if decimals is None else decimals
    if isinstance(value, bool):
        if kind is Kind.PASS_FAIL:
            return "Pass" if value else "FAIL"
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if kind is Kind.DATETIME else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    if kind is Kind.RATIO:
        return f"{value * 100:,.{d}f}%"
    if kind is Kind.BPS:
        return f"{value:,.{d}f} bp"
    if kind in (Kind.MONEY, Kind.NUMBER, Kind.INTEGER):
        return f"{value:,.{d}f}"
    return _plain_number(value)


def _plain_number(value: float) -> str:
    """A number without a declared kind: integers with separators, others to 6 significant digits."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.2f}"
    return f"{value:.6g}"


@dataclass(frozen=True)
class Column:
    """A table column: its title, the kind of its values, decimals shown, and (XLSX) a width."""

    title: str
    kind: Kind = Kind.TEXT
    decimals: int | None = None
    width: int | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def text(self, value: Any) -> str:
        return format_value(value, self.kind, self.decimals)

    def excel_format(self) -> str | None:
        return excel_number_format(self.kind, self.decimals)


def infer_kind(values: Iterable[Any]) -> Kind:
    """A kind for a column given only its values: dates, booleans, integers, else money-like numbers when
    any is 1,000 or more, else a plain number; text otherwise."""
    seen = [v for v in values if v is not None and _finite(v) and v != ""]
    if not seen:
        return Kind.TEXT
    if all(isinstance(v, datetime) for v in seen):
        return Kind.DATETIME
    if all(isinstance(v, date) for v in seen):
        return Kind.DATE
    if all(isinstance(v, bool) for v in seen):
        return Kind.BOOL
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen):
        if all(float(v).is_integer() for v in seen):
            return Kind.INTEGER
        return Kind.MONEY if any(abs(v) >= 1000 for v in seen) else Kind.NUMBER
    return Kind.TEXT


def columns_for(header: Sequence[str | Column], rows: Sequence[Sequence[Any]]) -> list[Column]:
    """``header`` as columns: a :class:`Column` stays, a title gets the kind its values suggest."""
    out: list[Column] = []
    for i, h in enumerate(header):
        if isinstance(h, Column):
            out.append(h)
        else:
            out.append(Column(str(h), infer_kind(r[i] for r in rows if i < len(r))))
    return out


__all__ = [
    "Column",
    "Kind",
    "columns_for",
    "excel_number_format",
    "format_value",
    "infer_kind",
]
