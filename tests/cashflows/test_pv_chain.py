"""Q4: the legacy liability PV chains zero rates as interval rates (`CalcPVwSpread`); corrected uses the
curve's discount factors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.pv_chain import chain_periods, chained_discount_factors, compounding_periods
from clo_xl.cashflows.quirks import CashflowQuirk
from clo_xl.cashflows.structure import Conventions
from clo_xl.curves import build_curve
from clo_xl.curves.conventions import DayCount
from clo_xl.runs.cashflow_document import tranche_measures
from clo_xl.runs.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.waterfall.run import run_deal


def test_compounding_periods_by_hand() -> None:
    # 15 Jan → 15 Apr 2020: exactly one quarter backwards from 15 Apr; no stub → p = 1.
    assert compounding_periods(date(2020, 1, 15), date(2020, 4, 15), DayCount.ACT_360, backward=True) == 1.0
    # 15 Jul → 14 Aug 2020 forwards: no whole quarter; stub 30 actual days over the quasi-period
    # 15 Jul → 15 Oct (92 days) → p = 30/92.
    p = compounding_periods(date(2020, 7, 15), date(2020, 8, 14), DayCount.ACT_360, backward=False)
    assert p == pytest.approx(30 / 92)
    # 30/360: 1 Feb → 16 May 2020 backwards: one quarter 16 Feb → 16 May, stub DAYS360(1 Feb, 16 Feb) = 15
    # over DAYS360(16 Nov, 16 Feb) = 90 → p = 1 + 15/90.
    p = compounding_periods(date(2020, 2, 1), date(2020, 5, 16), DayCount.THIRTY_360_US, backward=True)
    assert p == pytest.approx(1 + 15 / 90)


def test_zero_rates_chained_as_interval_rates_by_hand() -> None:
    # Zero rates 2% to 15 Apr and 3% to 15 Jul, DM 1%, analysis 15 Jan 2020, Act/360:
    #   p = [1, 1]; DF1 = 1/(1 + 0.03/4) = 0.992555831…; DF2 = DF1/(1 + 0.04/4) = 0.982728546…
    # (a consistent curve would use the 3% zero over both quarters: (1 + 0.04/4)^−2 = 0.980296049…).
    dates = [date(2020, 4, 15), date(2020, 7, 15)]
    periods = chain_periods(date(2020, 1, 15), dates, DayCount.ACT_360)
    assert periods.tolist() == [1.0, 1.0]
    dfs = chained_discount_factors(np.array([0.02, 0.03]), periods, 0.01)
    assert dfs[0] == pytest.approx(1 / 1.0075, rel=1e-12)
    assert dfs[1] == pytest.approx(1 / (1.0075 * 1.01), rel=1e-12)
    assert dfs[1] == pytest.approx(0.982728546, abs=1e-9)


def _conv(legacy_pv_chain: bool) -> Conventions:
    q = CashflowQuirk.Q4_PV_CHAIN
    return Conventions() if legacy_pv_chain else Conventions().without(q)


def _measures(legacy_pv_chain: bool) -> dict[str, float]:
    deal = synthetic_deal("Mag 12")
    tranches = tuple(replace(t, price=0.98) if t.name == "Class B" else t for t in deal.tranches)
    deal = replace(deal, tranches=tranches)
    # an upward-sloping curve, so that chaining zero rates as interval rates differs from the curve's DFs
    curve = build_curve(date(2016, 3, 23), {1: 0.01, 12: 0.015, 60: 0.025, 240: 0.035})
    result = run_deal(
        deal, synthetic_collateral(40), CashflowAssumptions(AssetAssumption(0.2, 0.01, 0.4, 6)), curve
    )
    b = next(
        m
        for m in tranche_measures(result, deal, curve, conventions=_conv(legacy_pv_chain))
        if m["class"] == "Class B"
    )
    repriced = replace(
        deal, tranches=tuple(replace(t, discount_margin=b["dm_given_price"]) for t in deal.tranches)
    )
    again = next(
        m
        for m in tranche_measures(result, repriced, curve, conventions=_conv(legacy_pv_chain))
        if m["class"] == "Class B"
    )
    return {"price": b["price_given_dm"], "dm": b["dm_given_price"], "inverse": again["price_given_dm"]}


def test_price_and_dm_in_both_conventions() -> None:
    legacy, corrected = _measures(True), _measures(False)
    # each convention's DM-given-price reprices to 98 under its own PV
    assert legacy["inverse"] == pytest.approx(0.98, abs=1e-9)
    assert corrected["inverse"] == pytest.approx(0.98, abs=1e-9)
    # on an upward curve the forward rate of each later interval is above the zero rate to its end date;
    # the legacy discounts each interval at that (lower) zero rate, so it discounts less: a higher price at
    # the same DM and a higher DM for the same price
    assert legacy["price"] > corrected["price"]
    assert legacy["dm"] > corrected["dm"]
