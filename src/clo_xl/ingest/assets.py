"""Parse raw ``All Assets`` rows and holdings into :class:`~clo_xl.portfolio.asset.Asset` records.

Input is a :class:`~clo_xl.ingest.raw.RawTable` keyed by the 70 legacy headers (from a workbook sheet, a
JSON/CSV/XLSX extract). Every bad value raises :class:`~clo_xl.errors.IngestError` with the exact location
(``row.locate(header)``): file, sheet, cell, column header, value and reason.

Deliberate difference from the legacy loader (COMPLIANCE_SPEC §2.1, §6 Q1): the legacy **silently drops**
a row with a bad value, and lets a non-numeric market value or a blank credit-estimate date inherit the
previous row's value; clo-xl refuses such a row with a located error instead.

The value parsers below (:func:`parse_number`, :func:`parse_date`, :func:`parse_flag`, …) are public so
other readers can share the same rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from clo_xl.enums import BondLoan, BusinessDayConvention, CouponType, DayCount, Outlook
from clo_xl.errors import IngestError, Location
from clo_xl.ingest.raw import RawRow, RawTable
from clo_xl.portfolio.asset import ASSET_COLUMNS, Asset
from clo_xl.portfolio.pool import Holding
from clo_xl.ratings.scales import parse_moodys, parse_sp

_BLANK_TEXT = frozenset({"", "NONE", "NULL", "NAN"})
_EXCEL_EPOCH = date(1899, 12, 30)


class ValueProblem(ValueError):
    """Raised by the value parsers; the caller turns it into a located :class:`IngestError`."""


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().upper() in _BLANK_TEXT


def parse_text(value: object) -> str:
    """Cell → trimmed text; blank → ``""``; a whole float (``12345.0`` from Excel) → ``"12345"``."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(value: object, *, blank: float | None = 0.0) -> float:
    """Cell → float. Accepts numbers and numeric text (thousands commas allowed, ``"5%"`` = 0.05).

    Blank → ``blank`` (``None`` = blank is an error). NaN, booleans and other text → :class:`ValueProblem`.
    """
    if (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip().upper() == "NAN"
    ):
        raise ValueProblem("expected a number, got NaN (not a number)")
    if is_blank(value):
        if blank is None:
            raise ValueProblem("a number is required here, the cell is blank")
        return blank
    if isinstance(value, bool):
        raise ValueProblem("expected a number, got a TRUE/FALSE value")
    if isinstance(value, int | float):
        f = float(value)
    else:
        text = str(value).strip().replace(",", "")
        pct = text.endswith("%")
        if pct:
            text = text[:-1].strip()
        try:
            f = float(text)
        except ValueError:
            raise ValueProblem("expected a number, got text") from None
        if pct:
            f /= 100.0
    if not math.isfinite(f):
        raise ValueProblem("expected a finite number")
    return f


def parse_int(value: object, *, blank: int | None = 0) -> int:
    f = parse_number(value, blank=None if blank is None else float(blank))
    if not f.is_integer():
        raise ValueProblem("expected a whole number")
    return int(f)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: object, *, zero_is_blank: bool = True) -> date | None:
    """Cell → date. Accepts ``date``/``datetime``, ISO text (``2021-09-17`` or ``2021-09-17T00:00:00``),
    US text (``9/17/2021``) and Excel serial numbers. Blank (and the legacy's ``0``) → ``None``.
    Impossible dates (``2021-02-30``) → :class:`ValueProblem`."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueProblem("expected a date, got a TRUE/FALSE value")
    if isinstance(value, int | float):
        if value == 0 and zero_is_blank:
            return None
        if not (0 < value < 2958466):
            raise ValueProblem("not a valid Excel date serial")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    if text in {"0", "00:00:00", "0.0"} and zero_is_blank:
        return None
    m = _ISO.match(text)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _US.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError as exc:
        raise ValueProblem(f"impossible date ({exc})") from None
    try:
        serial = float(text)
    except ValueError:
        raise ValueProblem("expected a date (YYYY-MM-DD)") from None
    return parse_date(serial, zero_is_blank=zero_is_blank)


_TRUE = frozenset({"YES", "Y", "TRUE", "1", "-1"})
_FALSE = frozenset({"NO", "N", "FALSE", "0", ""})


def parse_flag(value: object) -> tuple[bool, bool]:
    """Yes/No cell → (value, exact). ``exact`` is False when the cell meant yes without being exactly
    ``"Yes"`` (the legacy reads those as False, §6 Q1). Blank → (False, True)."""
    if is_blank(value):
        return False, True
    if isinstance(value, bool):
        return value, not value
    if isinstance(value, int | float):
        if value in (0, 1, -1):
            return bool(value), not value
        raise ValueProblem("expected Yes or No")
    text = str(value).strip()
    up = text.upper()
    if up in _TRUE:
        return True, text == "Yes"
    if up in _FALSE:
        return False, True
    raise ValueProblem("expected Yes or No")


def parse_bool(value: object) -> bool:
    """TRUE/FALSE cell (also Yes/No, 1/0) → bool; blank → False."""
    return parse_flag(value)[0]


def _enum_parser(mapping: Mapping[str, Any], what: str) -> Callable[[object], Any]:
    def parse(value: object) -> Any:
        if is_blank(value):
            return None
        key = re.sub(r"\s+", " ", str(value).strip().upper())
        try:
            return mapping[key]
        except KeyError:
            choices = ", ".join(sorted({str(getattr(v, "value", v)) for v in mapping.values()}))
            raise ValueProblem(f"not a known {what} (expected one of: {choices})") from None

    return parse


parse_bond_loan = _enum_parser({"LOAN": BondLoan.LOAN, "BOND": BondLoan.BOND}, "Bond/Loan value")
parse_coupon_type = _enum_parser(
    {"FLOAT": CouponType.FLOAT, "FLOATING": CouponType.FLOAT, "FIXED": CouponType.FIXED}, "coupon type"
)
parse_outlook = _enum_parser(
    {
        "UPGRADE": Outlook.UPGRADE,
        "DOWNGRADE": Outlook.DOWNGRADE,
        "NEGATIVE": Outlook.NEGATIVE,
        "POSITIVE": Outlook.POSITIVE,
        "STABLE": Outlook.STABLE,
        "DEVELOPING": Outlook.DEVELOPING,
    },
    "Moody's outlook",
)
parse_day_count = _enum_parser(
    {
        "ACTUAL/360": DayCount.ACT_360,
        "ACT/360": DayCount.ACT_360,
        "ACTUAL/365": DayCount.ACT_365,
        "ACT/365": DayCount.ACT_365,
        "ACTUAL/365F": DayCount.ACT_365,
        "ACT/365F": DayCount.ACT_365,
        "ACTUAL/ACTUAL": DayCount.ACT_ACT,
        "ACT/ACT": DayCount.ACT_ACT,
        "30/360": DayCount.THIRTY_360,
    },
    "day count",
)
parse_business_day_convention = _enum_parser(
    {
        "MOD FOLLOWING": BusinessDayConvention.MOD_FOLLOWING,
        "MODIFIED FOLLOWING": BusinessDayConvention.MOD_FOLLOWING,
        "FOLLOWING": BusinessDayConvention.FOLLOWING,
        "PREVIOUS": BusinessDayConvention.PREVIOUS,
        "PRECEDING": BusinessDayConvention.PREVIOUS,
        "MOD PREVIOUS": BusinessDayConvention.MOD_PREVIOUS,
        "MODIFIED PRECEDING": BusinessDayConvention.MOD_PREVIOUS,
        "UNADJUSTED": BusinessDayConvention.UNADJUSTED,
        "NONE": BusinessDayConvention.UNADJUSTED,
    },
    "business-day convention",
)


def _lenient_number(value: object) -> float:
    try:
        return parse_number(value)
    except ValueProblem:
        return 0.0


def _outlook(value: object) -> Outlook | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return None
    if isinstance(value, str) and value.strip() in {"0", "N/A", "NA", "NR"}:
        return None
    result: Outlook | None = parse_outlook(value)
    return result


def _opinion(value: object) -> str:
    text = parse_text(value).upper()
    return text or "HOLD"


def resolve_headers(table: RawTable, wanted: Iterable[str]) -> dict[str, str | None]:
    """Map each wanted header to the table's header: exact match first, then ignoring surrounding spaces
    and case (so ``"Country"`` finds ``"Country "``). ``None`` when absent."""
    present = list(table.headers)
    loose: dict[str, str] = {}
    for h in present:
        loose.setdefault(h.strip().casefold(), h)
    out: dict[str, str | None] = {}
    for w in wanted:
        if w in present:
            out[w] = w
        else:
            out[w] = loose.get(w.strip().casefold())
    return out


#: Largest par accepted in a holding (deal currency): anything above is a data error, not a position.
MAX_PAR = 1.0e11

#: Headers that must be present in an assets table (the rest default when absent).
REQUIRED_HEADERS: tuple[str, ...] = ("BLKRockID",)


def parse_assets(table: RawTable, *, require_all_columns: bool = True) -> tuple[Asset, ...]:
    """Parse every data row of an ``All Assets`` table into :class:`Asset` records, in row order.

    With ``require_all_columns`` (default) all 70 legacy headers must be present (a missing one raises an
    :class:`IngestError` naming the column); otherwise only ``BLKRockID`` is required and absent columns
    take the Asset defaults. Rows whose BLKRockID is blank are skipped (the legacy stops loading at the
    first such row). A BLKRockID seen twice is an error.
    """
    headers = resolve_headers(table, [h for h, _, _ in ASSET_COLUMNS])
    required = [h for h, _, _ in ASSET_COLUMNS] if require_all_columns else list(REQUIRED_HEADERS)
    for h in required:
        if headers[h] is None:
            raise IngestError(
                Location(file=table.file, sheet=table.sheet, column=h),
                None,
                f"missing column {h!r} (the All Assets headers are listed in CONTRACT §1)",
            )
    assets: list[Asset] = []
    seen: dict[str, int] = {}
    for row in table:
        asset = _parse_row(row, headers)
        if asset is None:
            continue
        if asset.brs_id in seen:
            src = headers["BLKRockID"] or "BLKRockID"
            raise IngestError(
                row.locate(src),
                asset.brs_id,
                f"BLKRockID appears twice (first in data row {seen[asset.brs_id]})",
            )
        seen[asset.brs_id] = row.index + 1
        assets.append(asset)
    return tuple(assets)


def _parse_row(row: RawRow, headers: Mapping[str, str | None]) -> Asset | None:
    id_header = headers["BLKRockID"] or "BLKRockID"
    brs_id = parse_text(row.get(id_header))
    if not brs_id:
        return None
    kwargs: dict[str, Any] = {}
    inexact: set[str] = set()
    withdrawn: set[str] = set()
    for header, name, kind in ASSET_COLUMNS:
        src = headers.get(header)
        if src is None:
            continue
        raw = row.get(src)
        try:
            value = _convert(kind, raw)
        except ValueProblem as exc:
            raise IngestError(row.locate(src), raw, str(exc)) from None
        if kind in {"flag", "flag_ci"}:
            flag, exact = value
            if kind == "flag_ci":
                exact = not flag or str(raw).strip().upper() == "YES"
            kwargs[name] = flag
            if flag and not exact:
                inexact.add(name)
            continue
        if kind == "coupon_type" and value is not None and str(raw).strip() != value.value:
            inexact.add(name)  # legacy compares Coupon Type to exact "FLOAT"/"FIXED" (§6 Q3)
        if kind in {"moodys", "sp"} and value is None and parse_text(raw).upper() == "WR":
            withdrawn.add(name)
        if kind == "upper":
            value = value.upper()
        kwargs[name] = value
    kwargs["brs_id"] = brs_id
    kwargs["inexact_flags"] = frozenset(inexact)
    kwargs["withdrawn_ratings"] = frozenset(withdrawn)
    try:
        return Asset(**kwargs)
    except ValueError as exc:
        raise IngestError(row.locate(id_header), brs_id, str(exc)) from None


def _convert(kind: str, raw: object) -> Any:  # noqa: C901 #12 replaces it with the columnar parse of the validation layer
    if kind == "text" or kind == "upper":
        return parse_text(raw)
    if kind in {"money", "rate", "float"}:
        return parse_number(raw)
    if kind == "ignored_number":
        return _lenient_number(raw)
    if kind == "int":
        return parse_int(raw)
    if kind in {"flag", "flag_ci"}:
        return parse_flag(raw)
    if kind == "bool":
        return parse_bool(raw)
    if kind == "date":
        return parse_date(raw)
    if kind == "moodys":
        try:
            return parse_moodys(raw)
        except ValueError as exc:
            raise ValueProblem(f"{exc} (blank, NR or WR mean unrated)") from None
    if kind == "sp":
        try:
            return parse_sp(raw)
        except ValueError as exc:
            raise ValueProblem(f"{exc} (blank, NR or WR mean unrated)") from None
    if kind == "outlook":
        return _outlook(raw)
    if kind == "bond_loan":
        return parse_bond_loan(raw)
    if kind == "coupon_type":
        return parse_coupon_type(raw)
    if kind == "day_count":
        return parse_day_count(raw)
    if kind == "bdc":
        return parse_business_day_convention(raw)
    if kind == "opinion":
        return _opinion(raw)
    raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover


def parse_holdings(
    table: RawTable,
    *,
    par_header: str = "Par Amount",
    id_header: str = "BLKRockID",
    skip_zero: bool = True,
) -> tuple[Holding, ...]:
    """Parse a holdings table (``DealCollateral`` D:E, or an extract's ``<DEAL>_Par_Amount`` column).

    Rows with a blank ID are skipped (as the legacy); with ``skip_zero`` a blank or zero par means "not
    held" (an extract lists the whole universe with one par column per deal). A missing par column, text
    in a par cell or a negative par raise a located :class:`IngestError`. Duplicate IDs are kept as
    separate holdings (the pool sums them, as the legacy does).
    """
    headers = resolve_headers(table, [par_header, id_header])
    if headers[par_header] is None:
        raise IngestError(
            Location(file=table.file, sheet=table.sheet, column=par_header),
            None,
            f"missing par column {par_header!r}",
        )
    if headers[id_header] is None:
        raise IngestError(
            Location(file=table.file, sheet=table.sheet, column=id_header),
            None,
            f"missing column {id_header!r}",
        )
    par_src = headers[par_header] or par_header
    id_src = headers[id_header] or id_header
    out: list[Holding] = []
    for row in table:
        brs_id = parse_text(row.get(id_src))
        if not brs_id:
            continue
        raw = row.get(par_src)
        try:
            par = parse_number(raw)
        except ValueProblem as exc:
            raise IngestError(row.locate(par_src), raw, f"par: {exc}") from None
        if par < 0:
            raise IngestError(row.locate(par_src), raw, "par must not be negative")
        if par > MAX_PAR:
            raise IngestError(
                row.locate(par_src), raw, f"par above {MAX_PAR:,.0f} is not a plausible holding"
            )
        if skip_zero and par == 0.0:
            continue
        out.append(Holding(brs_id, par, row.locate(id_src)))
    return tuple(out)


__all__ = [
    "MAX_PAR",
    "REQUIRED_HEADERS",
    "ValueProblem",
    "is_blank",
    "parse_assets",
    "parse_bool",
    "parse_business_day_convention",
    "parse_date",
    "parse_day_count",
    "parse_flag",
    "parse_holdings",
    "parse_int",
    "parse_number",
    "parse_text",
    "resolve_headers",
]
