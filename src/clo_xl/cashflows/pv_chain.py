"""The legacy liability PV (`M/Math.bas` `CalcPVwSpread` ~338-360, Q4), reproduced in `legacy` convention.

The VBA discounts quarterly (4 per year) and chains the factors:
DF_1 = (1 + (z_1 + s)/4)^(−p(start, d_1)) and DF_i = DF_{i−1} × (1 + (z_i + s)/4)^(−p(d_{i−1}, d_i)),
where z_i is the *zero* rate from the start date to d_i: a zero rate applied as if it were the forward rate
of the interval (d_{i−1}, d_i] (Q4). ``corrected`` prices with the curve's own discount factors instead
(:mod:`clo_xl.runs.cashflow_document`).

p(a, b) is `CompoundingPeriodsBetweenDates` (~653-691): whole 3-month steps plus a stub = day-count days of
the stub ÷ day-count days of the full 3-month quasi-period (DAYS360 US for basis 0, European for basis 4,
actual days for 1/2/3). The first interval counts its steps backwards from the end date, later intervals
forwards from the start date. Steps are taken k × 3 months from the anchor date with month-end clamping
(EDATE) [assumption: the spec does not say whether the VBA steps iteratively].
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np

from clo_xl.curves.conventions import DayCount, FloatArray, add_months, days360, to_day_number

PERIODS_PER_YEAR = 4
STEP_MONTHS = 12 // PERIODS_PER_YEAR


def _dc_days(a: date, b: date, basis: DayCount) -> float:
    if basis in (DayCount.THIRTY_360_US, DayCount.THIRTY_360_EU):
        s, e = np.array([to_day_number(a)]), np.array([to_day_number(b)])
        return float(days360(s, e, european=basis == DayCount.THIRTY_360_EU)[0])
    return float((b - a).days)


@lru_cache(maxsize=65536)
def compounding_periods(a: date, b: date, basis: DayCount, *, backward: bool) -> float:
    """Quarterly compounding periods between ``a`` and ``b`` (whole steps + day-count stub)."""
    if b <= a:
        return 0.0
    k = 0
    if backward:
        while add_months(b, -STEP_MONTHS * (k + 1)) >= a:
            k += 1
        q = add_months(b, -STEP_MONTHS * k)
        stub, full = _dc_days(a, q, basis), _dc_days(add_months(q, -STEP_MONTHS), q, basis)
    else:
        while add_months(a, STEP_MONTHS * (k + 1)) <= b:
            k += 1
        q = add_months(a, STEP_MONTHS * k)
        stub, full = _dc_days(q, b, basis), _dc_days(q, add_months(q, STEP_MONTHS), basis)
    return k + (stub / full if full > 0 else 0.0)


def chain_periods(start: date, dates: list[date], basis: DayCount) -> FloatArray:
    """p(start, d_1), p(d_1, d_2), … (the first backwards, the rest forwards)."""
    out = []
    prev = start
    for i, d in enumerate(dates):
        out.append(compounding_periods(prev, d, basis, backward=i == 0))
        prev = d
    return np.array(out, dtype=np.float64)


def chained_discount_factors(zero_rates: FloatArray, periods: FloatArray, spread: float) -> FloatArray:
    """DF_i = Π_{j ≤ i} (1 + (z_j + spread)/4)^(−p_j): each zero rate used as its interval's rate (Q4)."""
    z = np.asarray(zero_rates, dtype=np.float64)
    factors = (1.0 + (z + spread) / PERIODS_PER_YEAR) ** (-np.asarray(periods, dtype=np.float64))
    return np.asarray(np.cumprod(factors), dtype=np.float64)
