"""Q36: the legacy business-day helpers (`M/Math.bas`) in `legacy`, QuantLib's advance in `corrected`.

Every expected date is worked by hand on a weekends-only calendar (July 2016: Fri 15, Sat 16, Sun 17,
Mon 18, Tue 19, Wed 20).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from clo_xl.curves.conventions import (
    BusinessDayRule,
    adjust,
    adjust_serials,
    next_business_day,
    previous_business_day,
    to_day_number,
)

CAL = "weekends"


def test_get_previous_business_date_can_land_on_a_weekend() -> None:
    # Mon 18, lag 1: Monday is a business day; step back one calendar day → Sun 17 (legacy).
    assert previous_business_day(date(2016, 7, 18), 1, CAL, legacy=True) == date(2016, 7, 17)
    # QuantLib: one business day before Monday is Friday 15.
    assert previous_business_day(date(2016, 7, 18), 1, CAL) == date(2016, 7, 15)
    # Tue 19, lag 2: step 1 → Mon 18; step 2: Mon is a business day, step back → Sun 17 (legacy).
    assert previous_business_day(date(2016, 7, 19), 2, CAL, legacy=True) == date(2016, 7, 17)
    assert previous_business_day(date(2016, 7, 19), 2, CAL) == date(2016, 7, 15)


def test_get_previous_business_date_from_a_weekend_counts_the_roll_back() -> None:
    # Sat 16, lag 2: roll back to Fri 15 (counts as one), then Fri → Thu 14. QuantLib agrees here.
    assert previous_business_day(date(2016, 7, 16), 2, CAL, legacy=True) == date(2016, 7, 14)
    assert previous_business_day(date(2016, 7, 16), 2, CAL) == date(2016, 7, 14)
    # Wed 20, lag 2: Wed → Tue 19 → Mon 18 (no weekend crossed): both agree.
    assert previous_business_day(date(2016, 7, 20), 2, CAL, legacy=True) == date(2016, 7, 18)
    assert previous_business_day(date(2016, 7, 20), 2, CAL) == date(2016, 7, 18)


def test_get_next_business_date_ignores_its_count() -> None:
    # Fri 15 is a business day: the legacy returns it whatever the count; QuantLib advances 3 → Wed 20.
    assert next_business_day(date(2016, 7, 15), 3, CAL, legacy=True) == date(2016, 7, 15)
    assert next_business_day(date(2016, 7, 15), 3, CAL) == date(2016, 7, 20)
    # Sat 16 → Mon 18 in legacy (next business day, count ignored).
    assert next_business_day(date(2016, 7, 16), 3, CAL, legacy=True) == date(2016, 7, 18)


def test_date_add_business_honours_previous_but_check_business_date_does_not() -> None:
    sat = date(2016, 7, 16)
    # `DateAddBusiness` (asset schedules): PREVIOUS rolls back to Fri 15.
    assert adjust(sat, BusinessDayRule.PRECEDING, CAL, legacy=True, date_add=True) == date(2016, 7, 15)
    # `CheckBusinessDate` (deal grid): the misspelt variable means PREVIOUS rolls forward to Mon 18.
    assert adjust(sat, BusinessDayRule.PRECEDING, CAL, legacy=True) == date(2016, 7, 18)
    # Mod Following on Sat 30 July (not the month end): both legacy helpers roll forward to Mon 1 Aug;
    # QuantLib's Modified Following stays in July (Fri 29).
    jul30 = date(2016, 7, 30)
    assert adjust(jul30, BusinessDayRule.MODIFIED_FOLLOWING, CAL, legacy=True, date_add=True) == date(
        2016, 8, 1
    )
    assert adjust(jul30, BusinessDayRule.MODIFIED_FOLLOWING, CAL) == date(2016, 7, 29)
    # Sun 31 July is the month end: legacy rolls back to Fri 29 as QuantLib does.
    assert adjust(date(2016, 7, 31), BusinessDayRule.MODIFIED_FOLLOWING, CAL, legacy=True) == date(
        2016, 7, 29
    )
    s = np.array([to_day_number(sat), to_day_number(jul30)])
    out = adjust_serials(s, BusinessDayRule.PRECEDING, CAL, legacy=True, date_add=True)
    assert out.tolist() == [to_day_number(date(2016, 7, 15)), to_day_number(date(2016, 7, 29))]


def test_deal_grid_collection_end_follows_the_convention() -> None:
    from clo_xl.cashflows.timeline import DealDates, build_grid
    from clo_xl.curves.conventions import from_day_number

    dates = DealDates(
        analysis_date=date(2016, 5, 1),
        closing_date=date(2016, 4, 20),
        first_payment_date=date(2016, 7, 18),  # Monday
        non_call_date=date(2018, 7, 18),
        reinvestment_end=date(2019, 7, 18),
        stated_maturity=date(2020, 7, 18),
        payment_day=18,
        determination_lag=1,
        calendar=CAL,
    )
    # Collection end of period 1 = GetPreviousBusinessDate(Mon 18 Jul, 1): Sun 17 Jul in legacy,
    # Fri 15 Jul with QuantLib.
    assert from_day_number(int(build_grid(dates, legacy=True).collection_end[0])) == date(2016, 7, 17)
    assert from_day_number(int(build_grid(dates, legacy=False).collection_end[0])) == date(2016, 7, 15)
