"""Day counts, month arithmetic and business days against QuantLib and Excel's documented values."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import QuantLib as ql

from clo_xl.curves.conventions import (
    BusinessDayRule,
    DayCount,
    add_months,
    add_months_serials,
    adjust,
    days360,
    parse_day_count,
    to_day_number,
    year_fraction,
)

PAIRS = [
    (date(2016, 1, 15), date(2016, 4, 15)),
    (date(2016, 3, 23), date(2016, 7, 20)),
    (date(2015, 11, 30), date(2016, 2, 29)),
    (date(2016, 5, 31), date(2016, 8, 31)),
    (date(2017, 1, 20), date(2018, 1, 22)),
]


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


@pytest.mark.parametrize(("start", "end"), PAIRS)
@pytest.mark.parametrize(
    ("basis", "ql_dc"),
    [
        (DayCount.ACT_360, ql.Actual360()),
        (DayCount.ACT_365, ql.Actual365Fixed()),
        (DayCount.THIRTY_360_EU, ql.Thirty360(ql.Thirty360.European)),
        (DayCount.ACT_ACT, ql.ActualActual(ql.ActualActual.ISDA)),
    ],
)
def test_year_fraction_matches_quantlib(
    start: date, end: date, basis: DayCount, ql_dc: ql.DayCounter
) -> None:
    ours = year_fraction(np.array([to_day_number(start)]), np.array([to_day_number(end)]), int(basis))[0]
    assert ours == pytest.approx(ql_dc.yearFraction(_ql(start), _ql(end)), abs=1e-12)


def test_us_30_360_matches_quantlib_away_from_february_ends() -> None:
    # QuantLib's Thirty360.USA and Excel's NASD basis 0 agree except for end-of-February rules.
    for start, end in [PAIRS[0], PAIRS[1], PAIRS[3], PAIRS[4]]:
        ours = year_fraction(np.array([to_day_number(start)]), np.array([to_day_number(end)]), 0)[0]
        ref = ql.Thirty360(ql.Thirty360.USA).yearFraction(_ql(start), _ql(end))
        assert ours == pytest.approx(ref, abs=1e-12)


def test_days360_us_examples_from_excel_help() -> None:
    # Excel DAYS360("1/30/2011","2/1/2011") = 1; DAYS360("1/31/2011","3/31/2011") = 60 (US method).
    s = np.array([to_day_number(date(2011, 1, 30)), to_day_number(date(2011, 1, 31))])
    e = np.array([to_day_number(date(2011, 2, 1)), to_day_number(date(2011, 3, 31))])
    assert days360(s, e).tolist() == [1, 60]


def test_add_months_clamps_month_end_like_edate() -> None:
    assert add_months(date(2016, 1, 31), 1) == date(2016, 2, 29)
    assert add_months(date(2016, 1, 31), 13) == date(2017, 2, 28)
    out = add_months_serials(np.array([to_day_number(date(2016, 1, 31))]), np.array([3]), np.array([False]))
    assert out[0] == to_day_number(date(2016, 4, 30))
    eom = add_months_serials(np.array([to_day_number(date(2016, 2, 15))]), np.array([1]), np.array([True]))
    assert eom[0] == to_day_number(date(2016, 3, 31))


def test_business_day_adjustment_against_quantlib_and_legacy_quirk() -> None:
    cal = ql.UnitedStates(ql.UnitedStates.Settlement)
    sat = date(2016, 4, 30)  # Saturday, month end
    ref = cal.adjust(_ql(sat), ql.ModifiedFollowing)
    assert adjust(sat, BusinessDayRule.MODIFIED_FOLLOWING) == date(ref.year(), ref.month(), ref.dayOfMonth())
    # Q36: legacy Mod Following rolls back only on the calendar month end; 2016-07-30 (Sat) rolls forward
    assert adjust(date(2016, 7, 30), BusinessDayRule.MODIFIED_FOLLOWING, legacy=True) == date(2016, 8, 1)
    assert adjust(date(2016, 7, 30), BusinessDayRule.MODIFIED_FOLLOWING) == date(2016, 7, 29)
    # Q36: PRECEDING is never honoured in legacy
    assert adjust(date(2016, 7, 16), BusinessDayRule.PRECEDING, legacy=True) == date(2016, 7, 18)


def test_day_count_text_parses_like_the_legacy() -> None:
    assert parse_day_count("Actual/360") is DayCount.ACT_360
    assert parse_day_count("ACT365") is DayCount.ACT_365
    assert parse_day_count("something else") is DayCount.THIRTY_360_US


def test_workbook_holidays_become_a_quantlib_calendar() -> None:
    from clo_xl.curves.conventions import holiday_calendar, is_business_day

    # 4 July 2016 (Monday) listed as a holiday; 11 November 2016 (Friday, a US settlement holiday) not listed
    name = holiday_calendar([date(2016, 7, 4)])
    assert name == holiday_calendar([date(2016, 7, 4)])  # same list, same calendar
    assert not is_business_day(date(2016, 7, 4), name)
    assert not is_business_day(date(2016, 7, 2), name)  # Saturday
    assert is_business_day(date(2016, 11, 11), name)
    assert adjust(date(2016, 7, 2), BusinessDayRule.FOLLOWING, name) == date(2016, 7, 5)
