"""Curves: discount factors against QuantLib built independently, legacy forwards by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import QuantLib as ql

from clo_xl.curves import CurveConvention, CurveRangeError, Extrapolation, build_curve, flat_curve
from clo_xl.curves.conventions import add_months, to_day_number

ANCHOR = date(2016, 3, 23)
TENORS = {1: 0.0044, 3: 0.0063, 6: 0.0089, 12: 0.0119, 60: 0.0150, 120: 0.0200}


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def test_corrected_discount_factors_match_a_quantlib_zero_curve() -> None:
    curve = build_curve(ANCHOR, TENORS, convention=CurveConvention.CORRECTED)
    dates = [_ql(ANCHOR)] + [_ql(add_months(ANCHOR, m)) for m in sorted(TENORS)]
    rates = [TENORS[1]] + [TENORS[m] for m in sorted(TENORS)]
    ref = ql.ZeroCurve(
        dates, rates, ql.Actual365Fixed(), ql.NullCalendar(), ql.Linear(), ql.Compounded, ql.Annual
    )
    for when in (date(2016, 7, 20), date(2018, 3, 1), date(2025, 12, 31)):
        assert curve.discount_factor(when) == pytest.approx(ref.discount(_ql(when)), rel=1e-12)


def test_flat_curve_discount_factor_closed_form() -> None:
    # DF = (1 + r)^(-days/365) for a flat annually-compounded Act/365 zero curve
    curve = flat_curve(ANCHOR, 0.03, convention=CurveConvention.CORRECTED)
    when = date(2021, 3, 23)
    assert curve.discount_factor(when) == pytest.approx(1.03 ** (-(when - ANCHOR).days / 365.0), rel=1e-12)


def test_corrected_index_rate_is_the_simple_act360_forward() -> None:
    curve = build_curve(ANCHOR, TENORS, convention=CurveConvention.CORRECTED)
    start, end = date(2017, 1, 20), date(2017, 4, 20)
    expected = (curve.discount_factor(start) / curve.discount_factor(end) - 1) / ((end - start).days / 360)
    assert curve.index_rate(np.array([to_day_number(start)]), 3)[0] == pytest.approx(expected, rel=1e-12)


def test_legacy_flat_curve_returns_the_flat_rate() -> None:
    # forwards (1+r)^(m+1)/(1+r)^m - 1 = r, so every SpotRate is r
    curve = flat_curve(ANCHOR, 0.02)
    out = curve.index_rate(np.array([to_day_number(ANCHOR), to_day_number(date(2020, 5, 31))]), 3)
    assert out == pytest.approx([0.02, 0.02], abs=1e-14)


def test_legacy_monthly_forward_compounds_annual_quotes_monthly() -> None:
    # Q2 by hand: s(1)=1%, s(2)=2% → f(1) = 1.02^2/1.01 - 1 = 0.0301089...
    curve = build_curve(ANCHOR, {1: 0.01, 2: 0.02})
    node1 = to_day_number(add_months(ANCHOR, 1))
    assert curve.index_rate(np.array([node1]), 1)[0] == pytest.approx(1.02**2 / 1.01 - 1, rel=1e-12)
    # on the anchor the first node (s(1)) applies
    assert curve.index_rate(np.array([to_day_number(ANCHOR)]), 1)[0] == pytest.approx(0.01)


def test_legacy_spot_rate_is_geometric_average_with_month_end_drift() -> None:
    # Q3: a 31st start steps 31 Jan → 29 Feb → 29 Mar; factors read at those dates
    curve = build_curve(date(2016, 1, 31), {1: 0.01, 2: 0.02, 3: 0.03, 4: 0.04})
    start = date(2016, 1, 31)
    fwd = curve.forward  # type: ignore[attr-defined]
    steps = [start, date(2016, 2, 29), date(2016, 3, 29)]
    expected = np.prod([1 + fwd(np.array([to_day_number(d)]))[0] for d in steps]) ** (1 / 3) - 1
    assert curve.index_rate(np.array([to_day_number(start)]), 3)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("convention", list(CurveConvention))
def test_past_the_end_is_an_error_and_leaves_the_curve_intact(convention: CurveConvention) -> None:
    curve = build_curve(ANCHOR, {1: 0.01, 12: 0.02}, convention=convention)
    inside = curve.index_rate(np.array([to_day_number(date(2016, 6, 1))]), 3)[0]
    with pytest.raises(CurveRangeError):
        curve.index_rate(np.array([to_day_number(date(2020, 1, 1))]), 3)
    # Q1: the legacy corrupted the shared curve here; ours answers the same as before
    assert curve.index_rate(np.array([to_day_number(date(2016, 6, 1))]), 3)[0] == inside


def test_flat_extrapolation_uses_the_last_node() -> None:
    curve = build_curve(ANCHOR, {1: 0.01, 12: 0.02}, extrapolation=Extrapolation.FLAT)
    far = curve.index_rate(np.array([to_day_number(date(2030, 1, 1))]), 3)[0]
    last = curve.forward(np.array([to_day_number(add_months(ANCHOR, 11))]))[0]  # type: ignore[attr-defined]
    assert far == pytest.approx(last)


def test_shift_moves_every_node() -> None:
    base = flat_curve(ANCHOR, 0.02)
    up = base.shifted(0.01)
    assert up.index_rate(np.array([to_day_number(ANCHOR)]), 3)[0] == pytest.approx(0.03)


def test_cached_spot_chain_equals_the_step_by_step_spot_rate() -> None:
    curve = build_curve(ANCHOR, TENORS, extrapolation=Extrapolation.FLAT)
    for start, months in (
        (ANCHOR, 1),
        (date(2017, 1, 31), 3),
        (date(2018, 5, 15), 40),
        (date(2024, 5, 15), 100),
    ):
        slow = curve.index_rate(np.array([to_day_number(start)]), months)[0]
        assert curve._spot(start, months) == pytest.approx(slow, rel=1e-13)  # type: ignore[attr-defined]
