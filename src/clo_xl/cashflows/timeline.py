"""The deal's payment grid (CASHFLOW_SPEC §3.1): payment dates, collection windows, accrual periods.

All dates are python ``date`` at the interface and int64 serials in :class:`PaymentGrid` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from clo_xl.curves.conventions import (
    US_SETTLEMENT,
    BusinessDayRule,
    CalendarLike,
    IntArray,
    add_months,
    adjust,
    previous_business_day,
    to_day_number,
)
from clo_xl.errors import CloXlError


@dataclass(frozen=True)
class DealDates:
    """The `DateInputs` block (§0.3). ``analysis_date`` is the deal-sheet `AnalysisDate`."""

    analysis_date: date
    closing_date: date
    first_payment_date: date
    non_call_date: date
    reinvestment_end: date
    stated_maturity: date
    payment_day: int
    months_between_payments: int = 3
    interest_determination_lag: int = 2
    determination_lag: int = 10
    business_day_rule: BusinessDayRule = BusinessDayRule.MODIFIED_FOLLOWING
    calendar: CalendarLike = US_SETTLEMENT

    def __post_init__(self) -> None:
        if self.months_between_payments not in (1, 2, 3, 4, 6, 12):
            raise CloXlError(
                f"months between payments must divide 12, got {self.months_between_payments}; "
                "fix DateInputs row 9"
            )
        if self.stated_maturity <= self.closing_date:
            raise CloXlError("stated maturity must be after the closing date; fix DateInputs row 7")


@dataclass(frozen=True)
class PaymentGrid:
    """Projected periods i = 1..n (index 0..n−1 here); ``*_prev`` hold period i−1 (period 0 synthesised)."""

    payment: IntArray
    payment_prev: IntArray
    collection_begin: IntArray
    collection_end: IntArray
    determination: IntArray

    @property
    def n(self) -> int:
        return len(self.payment)


def first_unadjusted(dates: DealDates, *, legacy: bool) -> date:
    """DateSerial(year, month, pay day): a pay day past the month end rolls into next month (Q37, legacy)."""
    fp = dates.first_payment_date
    if legacy:
        return date(fp.year, fp.month, 1) + timedelta(days=dates.payment_day - 1)
    return add_months(date(fp.year, fp.month, 1), 0).replace(
        day=min(dates.payment_day, (add_months(date(fp.year, fp.month, 1), 1) - timedelta(days=1)).day)
    )


@lru_cache(maxsize=256)
def build_grid(dates: DealDates, *, legacy: bool = True, pay_day_rolls: bool | None = None) -> PaymentGrid:
    """Payment dates after the analysis date up to the stated maturity (off-cycle maturity not added).

    ``legacy``: the VBA business-day helpers (Q36); ``pay_day_rolls``: Q37 (default: as ``legacy``).
    """
    first = first_unadjusted(dates, legacy=legacy if pay_day_rolls is None else pay_day_rolls)
    m = dates.months_between_payments
    unadjusted: list[date] = []
    k = 0
    while True:
        d = add_months(first, k * m)
        if d > dates.stated_maturity:
            break
        unadjusted.append(d)
        k += 1
    rule, cal = dates.business_day_rule, dates.calendar
    adjusted = [adjust(d, rule, cal, legacy=legacy) for d in unadjusted]
    projected = [i for i, d in enumerate(adjusted) if d > dates.analysis_date]
    if not projected:
        raise CloXlError(
            f"no payment date after the analysis date {dates.analysis_date} (stated maturity "
            f"{dates.stated_maturity}); nothing to project"
        )
    pay, prev, beg, end, det = [], [], [], [], []
    for i in projected:
        p = adjusted[i]
        ce = previous_business_day(p, dates.determination_lag, cal, legacy=legacy)
        if i == 0:
            prev_pay = dates.closing_date
            cb = dates.closing_date
            idd = dates.closing_date
        else:
            prev_pay = adjusted[i - 1]
            cb = previous_business_day(prev_pay, dates.determination_lag, cal, legacy=legacy)
            idd = previous_business_day(prev_pay, dates.interest_determination_lag, cal, legacy=legacy)
        pay.append(to_day_number(p))
        prev.append(to_day_number(prev_pay))
        beg.append(to_day_number(cb))
        end.append(to_day_number(ce))
        det.append(to_day_number(idd))

    def arr(xs: list[int]) -> npt.NDArray[np.int64]:
        return np.array(xs, dtype=np.int64)

    return PaymentGrid(arr(pay), arr(prev), arr(beg), arr(end), arr(det))
