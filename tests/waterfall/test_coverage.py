"""OC/IC cure amounts (§4.11): properties and hand-worked numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clo_xl.cashflows.structure import IncentiveFeeSpec, Tranche
from clo_xl.fees.incentive import IncentiveFeeState
from clo_xl.waterfall.coverage import CoverageTest
from clo_xl.waterfall.engine import PeriodContext, run_steps
from clo_xl.waterfall.ledger import Ledger, Pot
from clo_xl.waterfall.steps import CureCoverage
from clo_xl.waterfall.tranches import TrancheState


def test_oc_cure_amounts_by_hand() -> None:
    # N = 110, D = 100, T = 1.2: interest cure = D - N/T = 100 - 91.666.. = 8.333..;
    # principal cure = (T·D - N)/(T - 1) = (120 - 110)/0.2 = 50
    t = CoverageTest("Class C OC", "OC", 1.2)
    t.evaluate(110.0, 100.0, 100.0, strict=True)
    assert not t.passed
    assert t.remaining("interest") == pytest.approx(100 - 110 / 1.2)
    assert t.remaining("principal") == pytest.approx(50.0)


def test_ic_cure_amount_by_hand() -> None:
    # N = 9, D = 10 (interest due), T = 1.1, L = 200: (1 - 0.9/1.1) × 200 = 36.3636..
    t = CoverageTest("Class C IC", "IC", 1.1)
    t.evaluate(9.0, 10.0, 200.0, strict=True)
    assert t.remaining("interest") == pytest.approx((1 - 0.9 / 1.1) * 200)


def test_strict_trigger_in_legacy_and_not_less_than_in_corrected() -> None:
    t = CoverageTest("x", "OC", 1.1)
    t.evaluate(110.0, 100.0, 100.0, strict=True)
    assert not t.passed
    t.evaluate(110.0, 100.0, 100.0, strict=False)
    assert t.passed


ratios = st.floats(min_value=0.5, max_value=1.4)
triggers = st.floats(min_value=1.01, max_value=1.5)
denoms = st.floats(min_value=1e6, max_value=1e9)


@given(r=ratios, trigger=triggers, d=denoms)
def test_interest_cure_with_enough_cash_lands_on_the_trigger(r: float, trigger: float, d: float) -> None:
    n = r * d
    t = CoverageTest("t", "OC", trigger)
    t.evaluate(n, d, d, strict=True)
    if t.passed:
        return
    cure = t.remaining("interest")
    # paying notes down with interest cash (not in N): N / (D - cure) = T
    assert n / (d - cure) == pytest.approx(trigger, rel=1e-9)
    t.pay(cure, "interest")
    assert t.remaining("interest") == pytest.approx(0.0, abs=1e-6)
    assert t.remaining("principal") == 0.0


@given(r=ratios, trigger=triggers, d=denoms)
def test_principal_cure_with_enough_cash_lands_on_the_trigger(r: float, trigger: float, d: float) -> None:
    n = r * d
    t = CoverageTest("t", "OC", trigger)
    t.evaluate(n, d, d, strict=True)
    if t.passed:
        return
    cure = t.remaining("principal")
    if r <= 1.001:  # with N <= D no amount of principal can lift the ratio (the cure would be all of N)
        return
    # principal cash is in N: (N - cure) / (D - cure) = T
    assert (n - cure) / (d - cure) == pytest.approx(trigger, rel=1e-9)


@given(r=ratios, trigger=triggers, d=denoms, part=st.floats(min_value=0.0, max_value=1.0))
def test_partial_interest_credit_recomputes_the_principal_cure(
    r: float, trigger: float, d: float, part: float
) -> None:
    n = r * d
    t = CoverageTest("t", "OC", trigger)
    t.evaluate(n, d, d, strict=True)
    if t.passed:
        return
    paid = part * t.remaining("interest")
    t.credit(paid, "interest")
    if t.remaining("interest") > 1e-9:
        # after an interest credit P the principal cure is (T·(D − P) − N)/(T − 1)
        assert t.remaining("principal") == pytest.approx(
            max((trigger * (d - paid) - n) / (trigger - 1), 0), rel=1e-9
        )


@settings(deadline=None)
@given(r=st.floats(min_value=0.8, max_value=1.2), trigger=triggers, d=denoms, spare=st.floats(1.0, 1e7))
def test_cure_step_with_enough_cash_lands_the_ratio_on_the_trigger(
    r: float, trigger: float, d: float, spare: float
) -> None:
    # one CureCoverage step in the interest waterfall with more cash than the cure needs: the amount moved
    # to notes payable P satisfies N / (D − P) = T (interest cash is not in the numerator)
    n = r * d
    oc = CoverageTest("Class C OC", "OC", trigger)
    oc.evaluate(n, d, d, strict=True)
    if oc.passed:
        return
    need = oc.remaining("interest")
    ctx = PeriodContext(
        {},
        (),
        TrancheState(Tranche("Sub Notes", 1.0, 1.0, 0.0, equity=True), 1.0, 0.0),
        {},
        {"Class C OC": oc},
        IncentiveFeeState(IncentiveFeeSpec(), date(2015, 1, 1)),
        Ledger(),
        True,
        0.0,
    )
    pot = Pot(need + spare, 0.0)
    run_steps(ctx, (CureCoverage(oc="Class C OC", ic=None, credit_idt=False),), pot)
    assert n / (d - ctx.notes_payable) == pytest.approx(trigger, rel=1e-9)
    assert pot.cash == pytest.approx(spare, rel=1e-9, abs=1e-6)
