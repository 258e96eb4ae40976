"""Day counts, calendars and business-day rules, behind QuantLib; python ``date`` in, numbers/dates out.

No ``ql.*`` object leaves this module. Dates in hot paths are ``numpy.int64`` **day numbers**: days since
1970-01-01 (:data:`DAY_NUMBER_EPOCH`, i.e. ``datetime64[D]`` viewed as integers), made by
:func:`to_day_number`; the vectorised day counts work on those. They are not Excel serial dates (days
since 1899-12-30, :mod:`clo_xl.xlsx`).

Day-count bases follow Excel ``YEARFRAC``: 0 US 30/360 (NASD), 1 Actual/Actual, 2 Actual/360,
3 Actual/365, 4 European 30/360.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from clo_xl.errors import CloXlError


class LazyModule:
    """Stands for a module until its first use: the first attribute read imports it and rebinds ``alias`` in
    ``namespace`` (the using module's globals) to the real module, so every later read is a plain global.
    For QuantLib (about 0.1 s to import), which cash flows and curves use and a migrate, a compliance run or
    ``--help`` never touch."""

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name, self._namespace, self._alias = name, namespace, alias

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)  # thread-safe: the import system's module lock
        self._namespace[self._alias] = module
        return getattr(module, attr)


if TYPE_CHECKING:
    import QuantLib as ql
else:
    ql = LazyModule("QuantLib", globals(), "ql")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: day 0 of the engine's day numbers (``numpy.datetime64[D]``'s epoch; Excel serials are in clo_xl.xlsx)
DAY_NUMBER_EPOCH = date(1970, 1, 1)


class DayCount(IntEnum):
    """Excel YEARFRAC basis codes."""

    THIRTY_360_US = 0
    ACT_ACT = 1
    ACT_360 = 2
    ACT_365 = 3
    THIRTY_360_EU = 4


def parse_day_count(text: object) -> DayCount:
    """Legacy day-count text → basis (`CASHFLOW_SPEC` §1.1); unknown text → US 30/360 like the legacy."""
    key = str(text or "").strip().upper().replace(" ", "")
    return {
        "30/360": DayCount.THIRTY_360_US,
        "ACTUAL/ACTUAL": DayCount.ACT_ACT,
        "ACT/ACT": DayCount.ACT_ACT,
        "ACTUAL/365": DayCount.ACT_365,
        "ACT365": DayCount.ACT_365,
        "ACT/365": DayCount.ACT_365,
        "ACTUAL/360": DayCount.ACT_360,
        "ACT360": DayCount.ACT_360,
        "ACT/360": DayCount.ACT_360,
        "30/360EU": DayCount.THIRTY_360_EU,
    }.get(key, DayCount.THIRTY_360_US)


class BusinessDayRule(IntEnum):
    """Business-day conventions used by the deal and asset schedules."""

    UNADJUSTED = 0
    FOLLOWING = 1
    MODIFIED_FOLLOWING = 2
    PRECEDING = 3


def parse_business_day_rule(text: object) -> BusinessDayRule:
    key = str(text or "").strip().upper().replace("-", " ")
    if key in ("MOD FOLLOWING", "MODIFIED FOLLOWING", "MODFOLLOWING"):
        return BusinessDayRule.MODIFIED_FOLLOWING
    if key == "FOLLOWING":
        return BusinessDayRule.FOLLOWING
    if key in ("PREVIOUS", "PRECEDING"):
        return BusinessDayRule.PRECEDING
    return BusinessDayRule.FOLLOWING


def to_day_number(d: date) -> int:
    """A date as the engine's day number: days since 1970-01-01 (``datetime64[D]`` as an integer)."""
    return (d - DAY_NUMBER_EPOCH).days


def from_day_number(n: int) -> date:
    """Inverse of :func:`to_day_number`."""
    return DAY_NUMBER_EPOCH + timedelta(days=int(n))


# Former names, kept while open branches rebase onto the rename (they counted from 1970, not as Excel does).
to_serial = to_day_number
from_serial = from_day_number


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def _py(d: ql.Date) -> date:
    return date(d.year(), d.month(), d.dayOfMonth())


MARKET_CALENDARS = ("weekends", "us-settlement", "us-sofr", "us-government-bond", "uk", "target")


@dataclass(frozen=True)
class BusinessCalendar:
    """A business-day calendar as plain data, so it travels with a task to any worker process.

    ``market`` names a QuantLib market calendar (one of :data:`MARKET_CALENDARS`); ``holidays`` non-empty
    means the workbook's own `Holidays` list on top of Saturdays and Sundays (the legacy `Math.bas` rule),
    whatever ``market`` says. Equal lists give equal (and equally hashed) calendars; nothing is registered
    anywhere, so a process that never saw the workbook builds the same calendar from the value alone.
    """

    market: str = "us-settlement"
    holidays: tuple[date, ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.holidays and self.market not in MARKET_CALENDARS:
            raise CloXlError(
                f"unknown calendar {self.market!r}; choose one of {', '.join(sorted(MARKET_CALENDARS))}"
            )
        object.__setattr__(self, "_hash", hash((self.market, self.holidays)))

    def __hash__(self) -> int:  # cached: the calendar keys per-date caches in the projection
        return self._hash

    @property
    def name(self) -> str:
        """``us-settlement``, or ``holidays:<12 hex>`` (a digest of the list) for a workbook calendar."""
        if not self.holidays:
            return self.market
        digest = hashlib.sha1(",".join(d.isoformat() for d in self.holidays).encode()).hexdigest()
        return "holidays:" + digest[:12]


CalendarLike = BusinessCalendar | str
"""A :class:`BusinessCalendar`, or the name of a market calendar (``"us-settlement"``)."""

US_SETTLEMENT = BusinessCalendar()


def holiday_calendar(holidays: Iterable[date]) -> BusinessCalendar:
    """The workbook's `Holidays` list (plus Saturdays and Sundays, as the legacy `Math.bas`) as a calendar
    for the ``calendar`` arguments. Same list (in any order, with repeats) → equal calendars."""
    return BusinessCalendar("weekends", tuple(sorted(set(holidays))))


def as_calendar(calendar: CalendarLike) -> BusinessCalendar:
    return calendar if isinstance(calendar, BusinessCalendar) else BusinessCalendar(calendar)


def _calendar(calendar: CalendarLike) -> ql.Calendar:
    return _ql_calendar(as_calendar(calendar))


@lru_cache(maxsize=64)
def _ql_calendar(cal: BusinessCalendar) -> ql.Calendar:
    """The QuantLib calendar for a value (a per-process cache of something rebuilt from the value alone)."""
    if cal.holidays:
        bespoke = ql.BespokeCalendar(cal.name)
        bespoke.addWeekend(ql.Saturday)
        bespoke.addWeekend(ql.Sunday)
        for d in cal.holidays:
            bespoke.addHoliday(_ql(d))
        return bespoke
    calendars = {
        "weekends": ql.WeekendsOnly,
        "us-settlement": lambda: ql.UnitedStates(ql.UnitedStates.Settlement),
        "us-sofr": lambda: ql.UnitedStates(ql.UnitedStates.SOFR),
        "us-government-bond": lambda: ql.UnitedStates(ql.UnitedStates.GovernmentBond),
        "uk": ql.UnitedKingdom,
        "target": ql.TARGET,
    }
    return calendars[cal.market]()


def is_business_day(d: date, calendar: CalendarLike = US_SETTLEMENT) -> bool:
    return bool(_calendar(calendar).isBusinessDay(_ql(d)))


def adjust(
    d: date,
    rule: BusinessDayRule,
    calendar: CalendarLike = US_SETTLEMENT,
    *,
    legacy: bool = False,
    date_add: bool = False,
) -> date:
    """Business-day adjustment.

    ``legacy=True`` reproduces the VBA helpers (Q36). `CheckBusinessDate` (deal payment dates, the
    default): PRECEDING is never honoured (rolls forward) and Modified Following rolls back only when the
    unadjusted date is the last calendar day of its month. ``date_add=True`` is `DateAddBusiness` (asset
    interest dates): Modified Following rolls back only on a month end, as above, but PRECEDING does roll
    back. Otherwise QuantLib's own conventions apply.
    """
    cal = _calendar(calendar)
    qd = _ql(d)
    if cal.isBusinessDay(qd) or rule == BusinessDayRule.UNADJUSTED:
        return d
    if legacy:
        if rule == BusinessDayRule.MODIFIED_FOLLOWING and ql.Date.isEndOfMonth(qd):
            return _py(cal.adjust(qd, ql.Preceding))
        if date_add and rule == BusinessDayRule.PRECEDING:
            return _py(cal.adjust(qd, ql.Preceding))
        return _py(cal.adjust(qd, ql.Following))
    ql_rule = {
        BusinessDayRule.FOLLOWING: ql.Following,
        BusinessDayRule.MODIFIED_FOLLOWING: ql.ModifiedFollowing,
        BusinessDayRule.PRECEDING: ql.Preceding,
    }[rule]
    return _py(cal.adjust(qd, ql_rule))


def adjust_serials(
    serials: IntArray,
    rule: BusinessDayRule,
    calendar: CalendarLike = US_SETTLEMENT,
    *,
    legacy: bool = False,
    date_add: bool = False,
) -> IntArray:
    """Vectorised :func:`adjust` over day serials (QuantLib is called once per distinct date)."""
    flat = np.asarray(serials, dtype=np.int64).ravel()
    uniq, inverse = np.unique(flat, return_inverse=True)
    adjusted = np.array(
        [_adjust_serial(int(u), rule, calendar, legacy, date_add) for u in uniq], dtype=np.int64
    )
    return adjusted[inverse].reshape(np.shape(serials))


@lru_cache(maxsize=65536)
def _adjust_serial(
    serial: int, rule: BusinessDayRule, calendar: CalendarLike, legacy: bool, date_add: bool
) -> int:
    return to_serial(adjust(from_serial(serial), rule, calendar, legacy=legacy, date_add=date_add))


def previous_business_day(
    d: date, lag: int, calendar: CalendarLike = US_SETTLEMENT, *, legacy: bool = False
) -> date:
    """``lag`` business days before ``d``.

    ``legacy=False``: QuantLib's advance (−lag business days, Preceding). ``legacy=True`` reproduces
    `GetPreviousBusinessDate` (Q36): a non-business ``d`` first rolls back to a business day and counts as
    one step; each remaining step rolls back over non-business days and then steps back one calendar day,
    so the result can land on a weekend or holiday (a Monday with lag 1 gives the Sunday before).
    """
    cal = _calendar(calendar)
    qd = _ql(d)
    if not legacy:
        return _py(cal.advance(qd, -int(lag), ql.Days, ql.Preceding))
    steps = int(lag)
    if not cal.isBusinessDay(qd):
        qd = cal.adjust(qd, ql.Preceding)
        steps -= 1
    for _ in range(max(steps, 0)):
        qd = cal.adjust(qd, ql.Preceding) - 1
    return _py(qd)


def next_business_day(
    d: date, count: int = 1, calendar: CalendarLike = US_SETTLEMENT, *, legacy: bool = False
) -> date:
    """``count`` business days after ``d`` (QuantLib advance, Following).

    ``legacy=True`` reproduces `GetNextBusinessDate` (Q36): the count is ignored; ``d`` itself if it is a
    business day, else the next business day.
    """
    cal = _calendar(calendar)
    if legacy:
        return _py(cal.adjust(_ql(d), ql.Following))
    return _py(cal.advance(_ql(d), int(count), ql.Days, ql.Following))


def add_months(d: date, months: int, *, end_of_month: bool = False) -> date:
    """Calendar month arithmetic with month-end clamping (Excel EDATE); ``end_of_month`` snaps to the end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = _days_in_month(year, month)
    return date(year, month, last if end_of_month else min(d.day, last))


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def add_months_serials(start: IntArray, months: IntArray, end_of_month: npt.NDArray[np.bool_]) -> IntArray:
    """Vectorised :func:`add_months` on day serials (broadcasting ``start`` against ``months``)."""
    d = np.asarray(start, dtype="int64").astype("datetime64[D]")
    month_index = d.astype("datetime64[M]")
    day = (d - month_index.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = month_index + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    eom = np.broadcast_to(np.asarray(end_of_month, dtype=bool), np.shape(first))
    dom = np.where(eom, length - 1, np.minimum(day, length - 1))
    out: IntArray = (first.astype(np.int64) + dom).astype(np.int64)
    return out


def _ymd(serials: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    d = np.asarray(serials, dtype="int64").astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, day


def days360(start: IntArray, end: IntArray, *, european: bool = False) -> IntArray:
    """Excel DAYS360 (US method by default, European with ``european``), vectorised over day serials."""
    y1, m1, d1 = _ymd(start)
    y2, m2, d2 = _ymd(end)
    if european:
        d1 = np.minimum(d1, 30)
        d2 = np.minimum(d2, 30)
    else:
        d1 = np.where(d1 == 31, 30, d1)
        d2 = np.where((d2 == 31) & (d1 >= 30), 30, d2)
    out: IntArray = (360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)).astype(np.int64)
    return out


def _last_of_feb(y: IntArray, m: IntArray, d: IntArray) -> npt.NDArray[np.bool_]:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    out: npt.NDArray[np.bool_] = (m == 2) & (d == np.where(leap, 29, 28))
    return out


def year_fraction(start: IntArray, end: IntArray, basis: IntArray | int) -> FloatArray:
    """Excel YEARFRAC(start, end, basis), vectorised (start <= end expected).

    Basis 0 applies Excel's NASD rule (end-of-February starts count as day 30); basis 1 uses QuantLib's
    ISDA Actual/Actual per distinct pair (Excel's own Act/Act averages year lengths; the two agree within
    a day's accrual for spans under a year).
    """
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    s, e = np.broadcast_arrays(s, e)
    b = np.broadcast_to(np.asarray(basis, dtype=np.int64), s.shape)
    out = np.zeros(s.shape, dtype=np.float64)
    actual = (e - s).astype(np.float64)
    out = np.where(b == 2, actual / 360.0, out)
    out = np.where(b == 3, actual / 365.0, out)
    if np.any(b == 0):
        y1, m1, d1 = _ymd(s)
        y2, m2, d2 = _ymd(e)
        feb1 = _last_of_feb(y1, m1, d1)
        feb2 = _last_of_feb(y2, m2, d2)
        d2 = np.where(feb1 & feb2, 30, d2)
        d1 = np.where(feb1 | (d1 == 31), 30, d1)
        d2 = np.where((d2 == 31) & (d1 >= 30), 30, d2)
        us = (360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)) / 360.0
        out = np.where(b == 0, us, out)
    if np.any(b == 4):
        out = np.where(b == 4, days360(s, e, european=True) / 360.0, out)
    if np.any(b == 1):
        sel = b == 1
        pairs = np.stack([s[sel], e[sel]], axis=1)
        uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
        dc = ql.ActualActual(ql.ActualActual.ISDA)
        vals = np.array(
            [dc.yearFraction(_ql(from_serial(a)), _ql(from_serial(z))) for a, z in uniq], dtype=np.float64
        )
        out = out.copy()
        out[sel] = vals[np.asarray(inverse).ravel()]
    return out


def ql_year_fraction(start: date, end: date, basis: DayCount) -> float:
    """QuantLib's own year fraction for ``basis`` (the independent route used by tests and `corrected`)."""
    dc = {
        DayCount.THIRTY_360_US: ql.Thirty360(ql.Thirty360.USA),
        DayCount.ACT_ACT: ql.ActualActual(ql.ActualActual.ISDA),
        DayCount.ACT_360: ql.Actual360(),
        DayCount.ACT_365: ql.Actual365Fixed(),
        DayCount.THIRTY_360_EU: ql.Thirty360(ql.Thirty360.European),
    }[basis]
    return float(dc.yearFraction(_ql(start), _ql(end)))


def bankers_round(x: float) -> int:
    """VBA integer assignment: round half to even (Q49)."""
    return round(x)
