"""Z-spread: a bullet bond priced off a flat curve by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from clo_xl.cashflows.assumptions import CashflowAssumptions
from clo_xl.cashflows.projection import project_asset_rows
from clo_xl.cashflows.spreads import z_spreads
from clo_xl.curves import CurveConvention, flat_curve
from clo_xl.curves.conventions import DayCount, from_day_number

from .helpers import loans

ANALYSIS = date(2016, 3, 23)


def test_z_spread_reprices_the_bond_to_its_market_value() -> None:
    coll = loans(coupon=0.06, market_value=0.97, day_count=DayCount.ACT_360)
    curve = flat_curve(ANALYSIS, 0.02, convention=CurveConvention.CORRECTED)
    flows = project_asset_rows(coll, CashflowAssumptions(), None, ANALYSIS)
    z = z_spreads(flows, coll, curve, ANALYSIS, legacy=False)[0]
    # independent re-pricing: Σ CF × DF × (1 + z/4)^(−4t), t = Act/360 years from the analysis date
    valid = flows.schedule.valid[0]
    dates = [from_day_number(int(d)) for d in flows.schedule.dates[0][valid]]
    cash = flows.cash[0][valid]
    pv = sum(
        c * curve.discount_factor(d) * (1 + z / 4) ** (-4 * (d - ANALYSIS).days / 360)
        for c, d in zip(cash, dates, strict=True)
    )
    assert pv == pytest.approx(0.97 * 1_000_000, rel=1e-9)
    assert 0.03 < z < 0.06  # a 6% coupon over a 2% curve bought below par


def test_defaulted_assets_have_no_spread() -> None:
    coll = loans(defaulted=True)
    flows = project_asset_rows(coll, CashflowAssumptions(), None, ANALYSIS)
    assert np.isnan(z_spreads(flows, coll, flat_curve(ANALYSIS, 0.02), ANALYSIS)[0])
