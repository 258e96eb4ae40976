"""Builders for hand-checkable pools (no real data)."""

from __future__ import annotations

from datetime import date

import numpy as np

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.curves.conventions import BusinessDayRule, DayCount, to_day_number


def loans(
    n: int = 1,
    *,
    par: float = 1_000_000.0,
    coupon: float = 0.06,
    first: date = date(2016, 6, 15),
    maturity: date = date(2018, 6, 15),
    dated: date = date(2016, 3, 15),
    floating: bool = False,
    day_count: DayCount = DayCount.THIRTY_360_US,
    defaulted: bool = False,
    market_value: float = 0.5,
    rule: BusinessDayRule = BusinessDayRule.FOLLOWING,
) -> CollateralArrays:
    return CollateralArrays(
        asset_id=np.array([f"L{i}" for i in range(n)]),
        par=np.full(n, par),
        spread=np.full(n, 0.04),
        floor=np.full(n, 0.01),
        coupon=np.full(n, coupon),
        is_float=np.full(n, floating),
        maturity=np.full(n, to_day_number(maturity), dtype=np.int64),
        first_payment=np.full(n, to_day_number(first), dtype=np.int64),
        dated=np.full(n, to_day_number(dated), dtype=np.int64),
        payments_per_year=np.full(n, 4, dtype=np.int64),
        day_count=np.full(n, int(day_count), dtype=np.int64),
        business_day_rule=np.full(n, int(rule), dtype=np.int64),
        end_of_month=np.zeros(n, dtype=bool),
        defaulted=np.full(n, defaulted),
        market_value=np.full(n, market_value),
        sp_rating=np.full(n, "B"),
        moodys_rating=np.full(n, "B2"),
    )
