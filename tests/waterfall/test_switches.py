"""Legacy/corrected switches on the deal engine, each tied to its quirk number."""

from __future__ import annotations

import pytest

from clo_xl.cashflows.structure import Tranche
from clo_xl.runs.synthetic import synthetic_deal
from clo_xl.waterfall.run import ccc_adjustment
from clo_xl.waterfall.steps import Controlling, CureCoverage, PayInterest
from clo_xl.waterfall.tranches import TrancheState
from clo_xl.waterfall.versions import load_version


def test_q7_unpaid_interest_capitalised_in_legacy_carried_in_corrected() -> None:
    # Class A (not deferrable) owes 100 and gets 60: legacy adds the 40 to its deferred balance (never paid
    # again because no waterfall calls PayDeferred on A); corrected carries 40 as interest due next period.
    for capitalise, deferred, shortfall in ((True, 40.0, 0.0), (False, 0.0, 40.0)):
        t = TrancheState(Tranche("Class A", 1000.0, 1000.0, 0.1), 1000.0, 0.0)
        t.accrue(0.0, 1.0)  # 1000 × 1.0 × 10% = 100
        t.pay_interest(60.0)
        t.roll(capitalise_unpaid=capitalise)
        assert (t.deferred, t.shortfall) == (pytest.approx(deferred), pytest.approx(shortfall))
        t.accrue(0.0, 1.0)
        assert t.interest_due == pytest.approx(100.0 + shortfall)


def test_q22_ccc_haircut_cliff_in_legacy() -> None:
    deal = synthetic_deal("Mag 15")  # 7.5% limit, CCC price 0.70
    # collateral 100m, CCC 10m (> 7.5m): legacy (100m pool − 7.5m) × 0.3 = 27.75m; corrected 2.5m × 0.3
    assert ccc_adjustment(100e6, 10e6, 100e6, deal, True) == pytest.approx(27.75e6)
    assert ccc_adjustment(100e6, 10e6, 100e6, deal, False) == pytest.approx(0.75e6)
    assert ccc_adjustment(100e6, 5e6, 100e6, deal, True) == 0.0


def test_q12_e_oc_uses_the_d_denominator_only_in_legacy() -> None:
    legacy = {t.name: t for t in load_version("Mag 8", legacy=True).tests}
    fixed = {t.name: t for t in load_version("Mag 8", legacy=False).tests}
    assert legacy["Class E OC"].classes == legacy["Class D OC"].classes
    assert fixed["Class E OC"].classes[-1] == "Class E"


def test_q13_q17_q18_step_options() -> None:
    assert load_version("Mag 9", legacy=True).tests[-1].classes == ("Class A-2",)
    assert load_version("Mag 9", legacy=False).tests[-1].classes == ("Class A-1", "Class A-2")
    e_legacy = [
        s for s in load_version("Mag 8").principal if isinstance(s, PayInterest) and s.classes == ("Class E",)
    ]
    e_fixed = [
        s
        for s in load_version("Mag 8", legacy=False).principal
        if isinstance(s, PayInterest) and s.classes == ("Class E",)
    ]
    assert e_legacy[0].controlling is Controlling.NEVER
    assert e_fixed[0].controlling is Controlling.IF_CONTROLLING
    cures = [s for s in load_version("Mag 15").principal if isinstance(s, CureCoverage)]
    assert {c.math for c in cures} == {"interest"}
    cures_fixed = [s for s in load_version("Mag 15", legacy=False).principal if isinstance(s, CureCoverage)]
    assert {c.math for c in cures_fixed} == {"principal"}


def test_q48_mag17_runs_on_mag15_only_in_legacy() -> None:
    assert load_version("Mag 17", legacy=True).name == "Mag 15"
    assert load_version("Mag 17", legacy=False).name == "Mag 17"
    assert load_version("Mag 17", legacy=True, mag17_as_mag15=False).name == "Mag 17"


def test_q23_event_of_default_is_sticky_only_in_corrected() -> None:
    from dataclasses import replace
    from datetime import date

    from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
    from clo_xl.cashflows.structure import Conventions
    from clo_xl.curves import flat_curve
    from clo_xl.runs.synthetic import synthetic_collateral
    from clo_xl.waterfall.run import run_deal

    # a 30% CDR in the first period only, 90% severity, EOD OC trigger 140%: the EOD test fails early and
    # recovers as collections pay Class A down. Legacy goes back to the normal waterfall (re-tested every
    # period); corrected stays in the EOD waterfall from the first failure on.
    deal = replace(synthetic_deal("Mag 12"), eod_trigger=1.4)
    a = CashflowAssumptions(
        AssetAssumption(0.3, "V", 0.9, 0), vectors={"V": (0.3, 0.0)}, legacy_vector_overrun=False
    )
    curve = flat_curve(date(2016, 3, 23), 0.01)
    coll = synthetic_collateral(40)
    legacy = [p.event_of_default for p in run_deal(deal, coll, a, curve, conventions=Conventions()).periods]
    fixed = [
        p.event_of_default
        for p in run_deal(deal, coll, a, curve, conventions=Conventions.corrected()).periods
    ]
    assert legacy[0] and not all(legacy)
    assert all(fixed)
