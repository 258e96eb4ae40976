"""Parse the ``All Assets`` table and holdings into :class:`~clo_xl.portfolio.asset.Asset` records, column by
column, with every bad value located.

Input is a :class:`~clo_xl.ingest.raw.RawTable` keyed by the 70 legacy headers (a workbook sheet, a JSON/CSV/
XLSX extract, or ``clo.asset`` rows read back from the database). :func:`read_asset_table` parses it into an
:class:`AssetTable` and records each bad value in a :class:`~clo_xl.ingest.problems.Problems` collector with
its location (file, sheet, cell, column header, value, reason), so one run lists every problem;
:func:`parse_assets` does the same and raises :class:`~clo_xl.errors.InputRejected` when anything is wrong.

**Columnar.** A column is parsed as a whole: numeric columns that hold only numbers are checked with numpy
(finite, in range, whole where a count is expected) without a Python call per cell, and every other column
parses each *distinct* value once (ratings, flags, industries, dates repeat across thousands of rows).
Errors are still located by row: the rows holding a bad value are found after the fact.

**Rules** (:mod:`clo_xl.ingest.rules`, the same for every source): text without control characters;
numbers finite, money within ±1e11, rates and prices within the plausible ranges of :data:`RANGES`;
dates within QuantLib's calendar; a maturity on every asset (the legacy drops a row whose maturity is blank,
and every cash flow needs one); a payment frequency of 1 to 12 a year (12 ÷ 0 fails the legacy row); known
ratings, Bond/Loan values, coupon types, day counts and business-day conventions.

Deliberate difference from the legacy loader (COMPLIANCE_SPEC §2.1, §6 Q1): the legacy **silently drops**
a row with a bad value, and lets a non-numeric market value or a blank credit-estimate date inherit the
previous row's value; clo-xl refuses such a row with a located error instead. The two columns the legacy
never reads (``Par Amount``, ``Index Cap``) are kept when they hold a plausible number and otherwise ignored,
never a reason to refuse a workbook.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from clo_xl.enums import BondLoan, BusinessDayConvention, CouponType, DayCount, Outlook
from clo_xl.errors import IngestError, Location
from clo_xl.gc_pause import paused_gc
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawTable
from clo_xl.ingest.rules import (
    MAX_DATE,
    MAX_MONEY,
    MIN_DATE,
    ValueProblem,
    is_blank,
    parse_bool,
    parse_date,
    parse_flag,
    parse_int,
    parse_money,
    parse_number,
    parse_text,
)
from clo_xl.portfolio.asset import ASSET_COLUMNS, Asset, AssetColumn, FieldKind, assets_from_columns
from clo_xl.portfolio.pool import Holding
from clo_xl.ratings.scales import parse_moodys, parse_sp

#: Largest par accepted in a holding (deal currency): anything above is a data error, not a position.
MAX_PAR = MAX_MONEY

#: Headers that must be present in an assets table (the rest default when absent).
REQUIRED_HEADERS: tuple[str, ...] = ("BLKRockID",)

#: (lowest, highest) accepted per Asset field, inclusive; units as in the sheet (rates as fractions,
#: market value in points of par, WAL in years, payment frequency in payments a year, money in currency)
RANGES: dict[str, tuple[float, float]] = {
    "coupon_spread": (-0.01, 0.30),
    "libor_floor": (0.0, 0.10),
    "coupon": (0.0, 0.50),
    "commitment_fee": (0.0, 0.10),
    "moodys_recovery_rate": (0.0, 1.0),
    "market_value": (0.0, 200.0),
    "wal": (0.0, 50.0),
    "payment_frequency": (1.0, 12.0),
    "unfunded_amount": (0.0, MAX_MONEY),
    "facility_size": (0.0, MAX_MONEY),
    "pik_amount": (0.0, MAX_MONEY),
    "amount_issued": (0.0, MAX_MONEY),
}

#: fields a blank cell is refused in
REQUIRED_FIELDS = frozenset({"maturity"})

_NUMERIC: frozenset[FieldKind] = frozenset({"money", "rate", "float", "int"})
_NUMBER_TYPES = frozenset({float, int, type(None)})


def _enum_parser(mapping: Mapping[str, Any], what: str) -> Callable[[object], Any]:
    choices = ", ".join(sorted({str(getattr(v, "value", v)) for v in mapping.values()}))

    def parse(value: object) -> Any:
        if is_blank(value):
            return None
        key = " ".join(parse_text(value).upper().split())
        try:
            return mapping[key]
        except KeyError:
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


def resolve_headers(table: RawTable, wanted: Iterable[str]) -> dict[str, str | None]:
    """Map each wanted header to the table's header: exact match first, then ignoring surrounding spaces
    and case (so ``"Country"`` finds ``"Country "``). ``None`` when absent."""
    present = list(table.headers)
    loose: dict[str, str] = {}
    for h in present:
        loose.setdefault(h.strip().casefold(), h)
    out: dict[str, str | None] = {}
    for w in wanted:
        out[w] = w if w in present else loose.get(w.strip().casefold())
    return out


# ------------------------------------------------------------------------------------------------
# One cell, by kind. Each returns (value, tag): tag "inexact" marks a flag or coupon type that meant yes /
# FLOAT without the legacy's exact spelling (§6 Q1, Q3); "withdrawn" a rating cell holding WR (§6 Q6).

Tagged = tuple[Any, str | None]


def _ignored_number(value: object) -> Tagged:
    """A column the legacy never reads: kept if it is a plausible number, else dropped (0)."""
    try:
        f = parse_number(value, percent=False)
    except ValueProblem:
        return 0.0, None
    return (f if abs(f) <= MAX_MONEY else 0.0), None


def _flag(value: object) -> Tagged:
    flag, exact = parse_flag(value)
    return flag, (None if exact or not flag else "inexact")


def _flag_ci(value: object) -> Tagged:
    """PiKing: the legacy compares the trimmed, uppercased cell with "YES" (case-insensitive)."""
    flag, _ = parse_flag(value)
    exact = not flag or str(value).strip().upper() == "YES"
    return flag, (None if exact else "inexact")


def _rating(parse: Callable[[object], Any]) -> Callable[[object], Tagged]:
    def run(value: object) -> Tagged:
        try:
            rating = parse(value)
        except ValueError as exc:
            raise ValueProblem(f"{exc} (blank, NR or WR mean unrated)") from None
        if rating is None and isinstance(value, str) and value.strip().upper() == "WR":
            return None, "withdrawn"
        return rating, None

    return run


def _coupon_type(value: object) -> Tagged:
    parsed = parse_coupon_type(value)
    exact = parsed is None or str(value).strip() == parsed.value  # legacy compares "FLOAT"/"FIXED" exactly
    return parsed, (None if exact else "inexact")


def _outlook(value: object) -> Tagged:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return None, None
    if isinstance(value, str) and value.strip() in {"0", "N/A", "NA", "NR"}:
        return None, None
    return parse_outlook(value), None


def _plain(parse: Callable[[object], Any]) -> Callable[[object], Tagged]:
    return lambda value: (parse(value), None)


_CELL_PARSERS: dict[FieldKind, Callable[[object], Tagged]] = {
    "text": _plain(parse_text),
    "upper": _plain(lambda v: parse_text(v).upper()),
    "opinion": _plain(lambda v: parse_text(v).upper() or "HOLD"),
    "money": _plain(parse_money),
    "rate": _plain(parse_number),
    "float": _plain(lambda v: parse_number(v, percent=False)),
    "int": _plain(parse_int),
    "ignored_number": _ignored_number,
    "flag": _flag,
    "flag_ci": _flag_ci,
    "bool": _plain(parse_bool),
    "date": _plain(parse_date),
    "moodys": _rating(parse_moodys),
    "sp": _rating(parse_sp),
    "outlook": _outlook,
    "bond_loan": _plain(parse_bond_loan),
    "coupon_type": _coupon_type,
    "day_count": _plain(parse_day_count),
    "bdc": _plain(parse_business_day_convention),
}


# ------------------------------------------------------------------------------------------------
# The parsed table


@dataclass(frozen=True, eq=False)
class AssetTable:
    """``All Assets`` parsed column by column: one entry per asset (rows with a blank BLKRockID are not
    assets), in sheet order. ``values`` maps each :class:`Asset` field to its parsed column; ``tags`` the
    asset positions whose flag/coupon type was inexact or whose rating was WR, per field."""

    table: RawTable
    ids: tuple[str, ...]
    rows: tuple[int, ...]  # index of each asset's row in ``table``
    values: Mapping[str, Sequence[Any]]
    inexact: Mapping[int, frozenset[str]] = field(default_factory=dict)
    withdrawn: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        """BLKRockID → position."""
        return {brs_id: i for i, brs_id in enumerate(self.ids)}

    def __contains__(self, brs_id: object) -> bool:
        return brs_id in self.index

    def asset(self, i: int) -> Asset:
        kwargs = {name: column[i] for name, column in self.values.items()}
        kwargs["brs_id"] = self.ids[i]
        kwargs["inexact_flags"] = self.inexact.get(i, frozenset())
        kwargs["withdrawn_ratings"] = self.withdrawn.get(i, frozenset())
        return Asset(**kwargs)

    @cached_property
    def assets(self) -> tuple[Asset, ...]:
        """Every asset, in sheet order (built field by field: :func:`assets_from_columns`)."""
        n = len(self.ids)
        empty: frozenset[str] = frozenset()
        columns: dict[str, Sequence[Any]] = {**self.values, "brs_id": self.ids}
        if self.inexact:
            columns["inexact_flags"] = [self.inexact.get(i, empty) for i in range(n)]
        if self.withdrawn:
            columns["withdrawn_ratings"] = [self.withdrawn.get(i, empty) for i in range(n)]
        with paused_gc():
            return assets_from_columns(n, columns)

    def select(self, brs_ids: Iterable[str]) -> tuple[Asset, ...]:
        """The assets with these IDs (unknown IDs skipped), in the order given, each once."""
        seen: set[str] = set()
        out = []
        for brs_id in brs_ids:
            i = self.index.get(brs_id)
            if i is not None and brs_id not in seen:
                seen.add(brs_id)
                out.append(self.asset(i))
        return tuple(out)

    def locate(self, i: int, header: str) -> Location:
        return self.table.locate(self.rows[i], header)


def _rows_with(values: Sequence[object], bad: object) -> list[int]:
    """Row indices holding ``bad`` (identity first: NaN is not equal to itself)."""
    return [i for i, v in enumerate(values) if v is bad or v == bad]


class _ColumnParser:
    """Parses one column of the table, recording each bad cell in ``problems``."""

    def __init__(
        self,
        locate: Callable[[int, str], Location],
        header: str,
        column: AssetColumn,
        problems: Problems,
        *,
        strict_dates: bool,
    ) -> None:
        self.locate = locate
        self.header = header
        self.column = column
        self.problems = problems
        self.strict_dates = strict_dates

    def fail(self, i: int, value: object, reason: str) -> None:
        self.problems.add(self.locate(i, self.header), value, reason)

    def parse(self, values: Sequence[object]) -> tuple[list[Any], dict[int, str]]:
        kind = self.column.kind
        if kind in _NUMERIC and set(map(type, values)) <= _NUMBER_TYPES:
            return self._numbers(values), {}
        return self._distinct(values)

    def _numbers(self, values: Sequence[object]) -> list[Any]:
        """A column of numbers and blanks: checked with numpy, no Python call per cell."""
        kind, name = self.column.kind, self.column.field
        arr = np.array([0.0 if v is None else v for v in values], dtype=np.float64)
        bad = ~np.isfinite(arr)
        for i in np.flatnonzero(bad).tolist():
            self.fail(i, values[i], "expected a finite number")
        low, high = RANGES.get(name, (-MAX_MONEY, MAX_MONEY) if kind == "money" else (None, None))
        if kind == "money" and name not in RANGES:
            low = 0.0
        out_of_range = np.zeros(arr.shape, dtype=bool)
        if low is not None:
            out_of_range |= arr < low
        if high is not None:
            out_of_range |= arr > high
        out_of_range &= ~bad
        if kind == "int":
            whole = arr == np.round(arr)
            for i in np.flatnonzero(~whole & ~bad).tolist():
                self.fail(i, values[i], "expected a whole number")
        blank_allowed = name not in RANGES or low is None or low <= 0.0
        for i in np.flatnonzero(out_of_range).tolist():
            if values[i] is None and blank_allowed:
                continue
            self.fail(i, values[i], _range_reason(name, low, high))
        floats: list[float] = arr.tolist()
        if kind == "int":
            return [int(x) if math.isfinite(x) else 0 for x in floats]
        return floats

    def _distinct(self, values: Sequence[object]) -> tuple[list[Any], dict[int, str]]:
        """Any other column: each distinct value parsed once, its rows found only when it is bad."""
        try:
            distinct = set(values)
        except TypeError:  # a list or mapping in a JSON cell
            return self._cell_by_cell(values)
        kind = self.column.kind
        parse = _CELL_PARSERS[kind]
        value_of: dict[object, Any] = {}
        if kind == "text":
            value_of = _plain_texts(distinct)
        elif kind == "date" and not self.strict_dates:
            value_of = _iso_dates(distinct)
        tag_of: dict[object, str] = {}
        for v in distinct:
            if v in value_of:
                continue
            try:
                parsed, tag = self._cell(parse, v)
            except ValueProblem as exc:
                value_of[v] = None
                for i in _rows_with(values, v):
                    self.fail(i, values[i], str(exc))
                continue
            value_of[v] = parsed
            if tag is not None:
                tag_of[v] = tag
            self._check_range(v, parsed, values)
        out = list(map(value_of.__getitem__, values))
        tags = {i: tag_of[v] for i, v in enumerate(values) if v in tag_of} if tag_of else {}
        return out, tags

    def _check_range(self, raw: object, parsed: object, values: Sequence[object]) -> None:
        name = self.column.field
        if name not in RANGES or not isinstance(parsed, int | float) or is_blank(raw):
            return
        low, high = RANGES[name]
        if not low <= parsed <= high:
            for i in _rows_with(values, raw):
                self.fail(i, values[i], _range_reason(name, low, high))

    def _cell_by_cell(self, values: Sequence[object]) -> tuple[list[Any], dict[int, str]]:
        parse = _CELL_PARSERS[self.column.kind]
        out: list[Any] = []
        tags: dict[int, str] = {}
        for i, v in enumerate(values):
            try:
                parsed, tag = self._cell(parse, v)
            except ValueProblem as exc:
                self.fail(i, v, str(exc))
                out.append(None)
                continue
            out.append(parsed)
            if tag is not None:
                tags[i] = tag
        return out, tags

    def _cell(self, parse: Callable[[object], Tagged], value: object) -> Tagged:
        if (
            self.column.kind == "date"
            and self.strict_dates
            and isinstance(value, str)
            and not is_blank(value)
        ):
            raise ValueProblem("date stored as text: enter it as an Excel date (the legacy cell is a date)")
        if self.column.field in REQUIRED_FIELDS and is_blank(value):
            raise ValueProblem(f"{self.header.strip()} is required (the legacy drops an asset without one)")
        return parse(value)


def _range_reason(name: str, low: float | None, high: float | None) -> str:
    lo = "-inf" if low is None else f"{low:,.10g}"
    hi = "+inf" if high is None else f"{high:,.10g}"
    if name in RANGES and RANGES[name][1] == MAX_MONEY:
        return f"out of range: expected an amount from {lo} to {hi}"
    return f"out of range: expected {lo} to {hi}"


def read_asset_table(table: RawTable, problems: Problems, *, require_all_columns: bool = True) -> AssetTable:
    """Parse every data row of an ``All Assets`` table, recording each bad value in ``problems``.

    With ``require_all_columns`` (default) all 70 legacy headers must be present (a missing one is a problem
    naming the column); otherwise only ``BLKRockID`` is required and absent columns take the Asset defaults.
    Rows whose BLKRockID is blank are not assets (the legacy stops loading at the first such row; the
    workbook reader refuses a blank row inside the table). A BLKRockID seen twice is a problem at its second
    row. A row with a problem is still returned (with the field's default) so the caller can carry on
    checking; the caller refuses the input when ``problems`` is not empty.
    """
    with paused_gc():  # every column parsed stays alive to the end: nothing for the collector to find
        return _read_asset_table(table, problems, require_all_columns=require_all_columns)


def _read_asset_table(table: RawTable, problems: Problems, *, require_all_columns: bool) -> AssetTable:
    headers = resolve_headers(table, [c.header for c in ASSET_COLUMNS])
    required = [c.header for c in ASSET_COLUMNS] if require_all_columns else list(REQUIRED_HEADERS)
    for h in required:
        if headers[h] is None:
            problems.add(
                Location(file=table.file, sheet=table.sheet, column=h),
                None,
                f"missing column {h!r} (the 70 All Assets headers are listed in docs/ingest.md)",
            )
    id_header = headers["BLKRockID"]
    if id_header is None:
        return AssetTable(table, (), (), {})
    ids: list[str] = []
    rows: list[int] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(table.column(id_header)):
        try:
            brs_id = parse_text(raw)
        except ValueProblem as exc:
            problems.add(table.locate(i, id_header), raw, str(exc))
            continue
        if not brs_id:
            continue
        if brs_id in first:
            where = table.locate(first[brs_id], id_header)
            problems.add(
                table.locate(i, id_header),
                brs_id,
                f"BLKRockID appears twice (first at {where.cell or f'row {where.row}'}): IDs must be unique",
            )
            continue
        first[brs_id] = i
        ids.append(brs_id)
        rows.append(i)
    values: dict[str, Sequence[Any]] = {}
    inexact: dict[int, set[str]] = {}
    withdrawn: dict[int, set[str]] = {}
    for column in ASSET_COLUMNS[1:]:
        header = headers[column.header]
        if header is None:
            continue
        raw = table.column(header)
        locate: Callable[[int, str], Location]
        if len(rows) == len(raw):
            picked, locate = raw, table.locate
        else:  # blank or repeated IDs left out: locate by the underlying row
            picked = [raw[i] for i in rows]
            locate = _subset_locator(table, rows)
        parser = _ColumnParser(locate, header, column, problems, strict_dates=table.typed)
        parsed, tags = parser.parse(picked)
        values[column.field] = parsed
        for i, tag in tags.items():
            (inexact if tag == "inexact" else withdrawn).setdefault(i, set()).add(column.field)
    _dates_in_order(values, len(rows), _subset_locator(table, rows), headers, problems)
    return AssetTable(
        table,
        tuple(ids),
        tuple(rows),
        values,
        {i: frozenset(s) for i, s in inexact.items()},
        {i: frozenset(s) for i, s in withdrawn.items()},
    )


def _dates_in_order(
    values: Mapping[str, Sequence[Any]],
    n: int,
    locate: Callable[[int, str], Location],
    headers: Mapping[str, str | None],
    problems: Problems,
) -> None:
    """An asset cannot mature before it was issued."""
    maturity, issued = values.get("maturity"), values.get("issue_date")
    if maturity is None or issued is None:
        return
    header = headers["Maturity"] or "Maturity"
    for i in range(n):
        m, d = maturity[i], issued[i]
        if m is not None and d is not None and m < d:
            problems.add(locate(i, header), m, f"maturity is before the issue date {d.isoformat()}")


def _plain_texts(distinct: set[object]) -> dict[object, Any]:
    """Text values that need no more than trimming (no control character anywhere, no blank marker),
    parsed in bulk: one printability check over all of them instead of a call per value."""
    texts = [v for v in distinct if type(v) is str]
    if not texts or not "".join(texts).isprintable():
        return {}
    out: dict[object, Any] = {}
    for v in texts:
        text = v.strip()
        if text and (len(text) > 4 or text.upper() not in _BLANK_MARKERS):
            out[v] = text
    return out


_BLANK_MARKERS = frozenset({"NONE", "NULL", "NAN"})


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _iso_dates(distinct: set[object]) -> dict[object, Any]:
    """Dates written as ``YYYY-MM-DD`` text (an extract's usual shape) within :data:`MIN_DATE` ..
    :data:`MAX_DATE`, read by ``date.fromisoformat``: the same dates :func:`parse_date` gives them, without
    its walk through the other shapes. Anything else (another shape, an impossible or out-of-range date)
    is left to :func:`parse_date` and its message."""
    out: dict[object, Any] = {}
    for v in distinct:
        if type(v) is str and len(v) == 10 and v[4] == v[7] == "-" and _ascii_digits(v[:4] + v[5:7] + v[8:]):
            try:
                d = date.fromisoformat(v)
            except ValueError:
                continue
            if MIN_DATE <= d <= MAX_DATE:
                out[v] = d
    return out


def _subset_locator(table: RawTable, rows: Sequence[int]) -> Callable[[int, str], Location]:
    def locate(i: int, header: str) -> Location:
        return table.locate(rows[i], header)

    return locate


def parse_assets(table: RawTable, *, require_all_columns: bool = True) -> tuple[Asset, ...]:
    """Every asset of an ``All Assets`` table (see :func:`read_asset_table`); raises
    :class:`~clo_xl.errors.InputRejected` listing every bad value when anything is wrong."""
    problems = Problems()
    parsed = read_asset_table(table, problems, require_all_columns=require_all_columns)
    problems.raise_if_any()
    return parsed.assets


# ------------------------------------------------------------------------------------------------
# Holdings


def read_holdings(
    table: RawTable,
    problems: Problems,
    *,
    par_header: str = "Par Amount",
    id_header: str = "BLKRockID",
    skip_zero: bool = True,
) -> tuple[Holding, ...]:
    """Parse a holdings table (``DealCollateral`` D:E, or an extract's ``<DEAL>_Par_Amount`` column).

    Rows with neither an ID nor a par are skipped (as the legacy); a par without an ID is a problem (the
    legacy would drop its par silently); with ``skip_zero`` a blank or zero par means "not held" (an extract
    lists the whole universe with one par column per deal). A missing par column, text or a percentage in
    a par cell, a negative par or one above 1e11 are problems. Duplicate IDs are kept as separate holdings
    (the pool sums them, as the legacy does).
    """
    headers = resolve_headers(table, [par_header, id_header])
    for wanted, what in ((par_header, "par column"), (id_header, "column")):
        if headers[wanted] is None:
            problems.add(
                Location(file=table.file, sheet=table.sheet, column=wanted),
                None,
                f"missing {what} {wanted!r}",
            )
    par_src, id_src = headers[par_header], headers[id_header]
    if par_src is None or id_src is None:
        return ()
    out: list[Holding] = []
    for i, (raw_id, raw) in enumerate(zip(table.column(id_src), table.column(par_src), strict=True)):
        try:
            brs_id = parse_text(raw_id)
        except ValueProblem as exc:
            problems.add(table.locate(i, id_src), raw_id, str(exc))
            continue
        try:
            par = parse_money(raw, what="par")
        except ValueProblem as exc:
            problems.add(table.locate(i, par_src), raw, str(exc) if "par" in str(exc) else f"par: {exc}")
            continue
        if not brs_id:
            if par != 0.0:
                problems.add(
                    table.locate(i, id_src),
                    None,
                    f"a par of {par:,.2f} with no BLKRockID: enter the asset's ID or clear the par",
                )
            continue
        if skip_zero and par == 0.0:
            continue
        out.append(Holding(brs_id, par, table.locate(i, id_src)))
    return tuple(out)


def parse_holdings(
    table: RawTable,
    *,
    par_header: str = "Par Amount",
    id_header: str = "BLKRockID",
    skip_zero: bool = True,
) -> tuple[Holding, ...]:
    """:func:`read_holdings`, raising :class:`~clo_xl.errors.InputRejected` when anything is wrong."""
    problems = Problems()
    found = read_holdings(table, problems, par_header=par_header, id_header=id_header, skip_zero=skip_zero)
    problems.raise_if_any()
    return found


__all__ = [
    "MAX_PAR",
    "RANGES",
    "REQUIRED_HEADERS",
    "AssetTable",
    "IngestError",
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
    "read_asset_table",
    "read_holdings",
    "resolve_headers",
]
