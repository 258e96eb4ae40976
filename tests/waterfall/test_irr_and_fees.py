"""XIRR against closed forms and scipy; fee accrual and the incentive-fee hurdle by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy.optimize import newton

from clo_xl.cashflows.structure import FeeSpec, IncentiveFeeSpec
from clo_xl.fees.fees import FeeState
from clo_xl.fees.incentive import IncentiveFeeState
from clo_xl.fees.irr import xirr


def test_xirr_one_year_closed_form() -> None:
    # -100 then +110 exactly 365 days later: (1 + r)^1 = 1.1
    assert xirr([date(2015, 1, 1), date(2016, 1, 1)], [-100.0, 110.0]) == pytest.approx(0.10, abs=1e-10)


def test_xirr_against_scipy_newton_on_the_same_equation() -> None:
    dates = [date(2016, 3, 31), date(2016, 7, 20), date(2016, 10, 20), date(2017, 1, 20), date(2019, 4, 22)]
    flows = [-38_750_000.0, 1_500_000.0, 1_400_000.0, 1_450_000.0, 45_000_000.0]
    t = np.array([(d - dates[0]).days / 365.0 for d in dates])
    ref = newton(lambda r: float(np.sum(np.array(flows) / (1 + r) ** t)), 0.1, tol=1e-14, maxiter=200)
    assert xirr(dates, flows) == pytest.approx(ref, abs=1e-9)


def test_xirr_without_sign_change() -> None:
    assert xirr([date(2016, 1, 1), date(2017, 1, 1)], [1.0, 2.0]) is None
    # a total loss: NPV(r) = −100 + 0 for every r; the limit IRR is −100%
    assert xirr([date(2016, 1, 1), date(2017, 1, 1)], [-100.0, 0.0]) == -1.0


def test_fee_accrual_beginning_and_average_basis() -> None:
    # 15 bp on a 400m beginning basis over a 92-day Act/360 quarter = 400e6 × 0.0015 × 92/360 = 153,333.33
    fee = FeeState(FeeSpec("Base Manager Fee", "BEGINNING", rate=0.0015), unpaid=0.0)
    assert fee.accrue(400e6, 390e6, 92 / 360, 0.01, legacy_unpaid=True) == pytest.approx(
        153_333.3333, rel=1e-9
    )
    avg = FeeState(FeeSpec("X", "AVERAGE", rate=0.0015, fixed_annual=40_000), unpaid=0.0)
    # ((400m + 390m)/2 × 0.0015 + 40,000) × 0.25 = (592,500 + 40,000) × 0.25 = 158,125
    assert avg.accrue(400e6, 390e6, 0.25, 0.01, legacy_unpaid=True) == pytest.approx(158_125.0)
    # unpaid carries forward at the same priority (Q28)
    assert fee.pay(100_000.0) == 100_000.0
    fee.roll()
    assert fee.unpaid == pytest.approx(53_333.3333, rel=1e-9)


def test_fee_interest_on_unpaid_uses_the_opening_input_in_legacy() -> None:
    # Q27: 10,000 opening unpaid × (1% index + 2% spread) × 0.25 = 75 every period in legacy
    spec = FeeSpec(
        "Admin Fee", "BEGINNING", opening_unpaid=10_000, interest_on_unpaid=True, unpaid_spread=0.02
    )
    fee = FeeState(spec, unpaid=50_000.0)
    assert fee.accrue(1.0, 1.0, 0.25, 0.01, legacy_unpaid=True) == pytest.approx(75.0)
    assert fee.accrue(1.0, 1.0, 0.25, 0.01, legacy_unpaid=False) == pytest.approx(375.0)


def test_incentive_threshold_reaches_the_hurdle_exactly() -> None:
    # Subs bought for 100 on 1 Jan 2015, hurdle 12%: on 1 Jan 2016 (365 days) the threshold is 112.
    closing = date(2015, 1, 1)
    spec = IncentiveFeeSpec(hurdle=0.12, rate=0.2, history=((closing, -100.0),))
    state = IncentiveFeeState.start(spec, closing, date(2015, 6, 1), first_positive=True)
    assert state.begin_period(date(2016, 1, 1)) == pytest.approx(112.0)
    # 150 of residual: 112 to subs, then 20% of the other 38 to the manager
    to_subs, fee = state.split(150.0)
    assert fee == pytest.approx(7.6)
    assert to_subs == pytest.approx(142.4)
    state.end_period(date(2016, 1, 1))
    assert state.irr() == pytest.approx(0.424, abs=1e-9)  # 142.4/100 - 1 over exactly one year


def test_hurdle_walk_stops_at_first_positive_pv_in_legacy() -> None:
    # Q29: input order (+50 first) makes the running PV positive at once → "met" though the total is negative
    closing = date(2015, 1, 1)
    spec = IncentiveFeeSpec(history=((date(2015, 6, 1), 50.0), (closing, -100.0)))
    assert IncentiveFeeState.start(spec, closing, date(2016, 1, 1), first_positive=True).met
    assert not IncentiveFeeState.start(spec, closing, date(2016, 1, 1), first_positive=False).met
