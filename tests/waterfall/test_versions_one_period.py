"""One interest-waterfall period per version, worked by hand from CASHFLOW_SPEC §4 (not from the data files).

Set-up for every version: senior fees due Trustee 10,000, Admin 20,000, Base Manager 30,000; every rated
class owes 100,000 of current interest; all coverage tests pass; the interest pot is the 60,000 of fees
plus 250,000. Reading the spec's step order, the 250,000 pays:

| version        | paid in full            | partly                           | nothing        |
|----------------|-------------------------|----------------------------------|----------------|
| Mag 6          | A, B                    | C 50,000                         | D, E           |
| Mag 7          | A-1A, A-1B              | A-2A, A-2B pro rata 25,000 each  | B, C, D        |
| Mag 8, 12, 14  | A, B                    | C 50,000                         | D, E, F        |
| Mag 9, 11      | A-1, A-2                | B 50,000                         | C, D (E)       |
| Mag 15         | A                       | B-1, B-2 pro rata 75,000 each    | C, D, E        |
| Mag 16         | A, B                    | C-1, C-2 pro rata 25,000 each    | D, E           |
| Mag 17 (real)  | X, A (pari passu 200k)  | X amortisation 50,000 (=400k/8)  | B-1 onwards    |
"""

from __future__ import annotations

from datetime import date

import pytest

from clo_xl.cashflows.structure import FeeSpec, IncentiveFeeSpec, Tranche
from clo_xl.fees.fees import FeeState
from clo_xl.fees.incentive import IncentiveFeeState
from clo_xl.waterfall.coverage import CoverageTest
from clo_xl.waterfall.engine import PeriodContext, run_steps
from clo_xl.waterfall.ledger import Ledger, Pot
from clo_xl.waterfall.tranches import TrancheState
from clo_xl.waterfall.versions import load_version

EXPECTED = {
    "Mag 6": {"Class A": 100e3, "Class B": 100e3, "Class C": 50e3, "Class D": 0.0, "Class E": 0.0},
    "Mag 7": {
        "Class A-1A": 100e3,
        "Class A-1B": 100e3,
        "Class A-2A": 25e3,
        "Class A-2B": 25e3,
        "Class B": 0.0,
    },
    "Mag 8": {"Class A": 100e3, "Class B": 100e3, "Class C": 50e3, "Class D": 0.0, "Class F": 0.0},
    "Mag 12": {"Class A": 100e3, "Class B": 100e3, "Class C": 50e3, "Class D": 0.0, "Class F": 0.0},
    "Mag 14": {"Class A": 100e3, "Class B": 100e3, "Class C": 50e3, "Class E": 0.0},
    "Mag 9": {"Class A-1": 100e3, "Class A-2": 100e3, "Class B": 50e3, "Class C": 0.0, "Class E": 0.0},
    "Mag 11": {"Class A-1": 100e3, "Class A-2": 100e3, "Class B": 50e3, "Class C": 0.0, "Class D": 0.0},
    "Mag 15": {"Class A": 100e3, "Class B-1": 75e3, "Class B-2": 75e3, "Class C": 0.0, "Class E": 0.0},
    "Mag 16": {"Class A": 100e3, "Class B": 100e3, "Class C-1": 25e3, "Class C-2": 25e3, "Class D": 0.0},
    "Mag 17": {"Class X": 100e3 + 50e3, "Class A": 100e3, "Class B-1": 0.0, "Class B-2": 0.0},
}


def context(version: str, *, legacy: bool = True) -> tuple[PeriodContext, object]:
    wf = load_version(version, legacy=legacy, mag17_as_mag15=False)
    tranches = {}
    for name in wf.classes:
        original = 400e3 if name == "Class X" else 10e6
        spec = Tranche(name, original, original, 0.01, deferrable=name in wf.deferrable)
        st = TrancheState(spec, original, 0.0)
        st.interest_accrued = 100e3
        tranches[name] = st
    subs = TrancheState(Tranche("Sub Notes", 5e6, 5e6, 0.0, equity=True), 5e6, 0.0)
    tranches["Sub Notes"] = subs
    fees = {}
    for name, due in (
        ("Trustee Fee", 10e3),
        ("Admin Fee", 20e3),
        ("Base Manager Fee", 30e3),
        ("Junior Manager Fee", 0),
    ):
        f = FeeState(FeeSpec(name), 0.0)
        f.accrued = due
        fees[name] = f
    tests = {}
    for td in wf.tests:
        t = CoverageTest(td.name, td.kind, 1.1)
        t.evaluate(2.0, 1.0, 1.0, strict=True)  # ratio 2 > 1.1: passes
        tests[td.name] = t
    inc = IncentiveFeeState(IncentiveFeeSpec(), date(2015, 1, 1))
    inc.met = True
    ctx = PeriodContext(tranches, wf.classes, subs, fees, tests, inc, Ledger(), True, 0.0)
    return ctx, wf


@pytest.mark.parametrize("version", sorted(EXPECTED))
def test_short_interest_pays_in_the_documented_order(version: str) -> None:
    ctx, wf = context(version)
    pot = Pot(60e3 + 250e3, 0.0)
    run_steps(ctx, wf.interest, pot, Pot())  # type: ignore[attr-defined]
    paid = {p.payee: 0.0 for p in ctx.ledger.payments}
    for p in ctx.ledger.payments:
        paid[p.payee] += p.amount
    assert paid["Trustee Fee"] == pytest.approx(10e3)
    assert paid["Admin Fee"] == pytest.approx(20e3)
    assert paid["Base Manager Fee"] == pytest.approx(30e3)
    for cls, amount in EXPECTED[version].items():
        assert paid.get(cls, 0.0) == pytest.approx(amount), cls
    assert paid.get("Sub Notes", 0.0) == 0.0
    assert pot.cash == pytest.approx(0.0)


def test_mag15_b2_interest_cure_goes_to_notes_payable_and_credits_juniors() -> None:
    # B-2 OC: N = 85m, D = 80m (A + B-1 + B-2 current balances in this set-up), T = 1.10 → fails;
    # interest cure = 80m − 85m/1.1 = 2,727,272.73. After fees (60k) and A, B-1, B-2 interest (300k) the
    # pot has 1,000,000 left: all of it goes to notes payable, the C OC test is credited 1,000,000 and
    # Class C gets no interest.
    ctx, wf = context("Mag 15")
    oc = ctx.tests["Class B-2 OC"]
    oc.trigger = 1.10
    oc.evaluate(85e6, 80e6, 80e6, strict=True)
    c_oc = ctx.tests["Class C OC"]
    c_oc.trigger = 1.3
    c_oc.evaluate(85e6, 90e6, 90e6, strict=True)  # C OC failing too: cure 90m − 85m/1.3
    before = c_oc.remaining("interest")
    pot = Pot(60e3 + 300e3 + 1e6, 0.0)
    run_steps(ctx, wf.interest, pot, Pot())  # type: ignore[attr-defined]
    assert ctx.notes_payable == pytest.approx(1e6)
    assert oc.remaining("interest") == pytest.approx(80e6 - 85e6 / 1.1 - 1e6)
    assert c_oc.remaining("interest") == pytest.approx(before - 1e6)
    assert ctx.tranches["Class C"].interest_paid == 0.0


@pytest.mark.parametrize(("legacy", "remaining"), [(True, 2e6 - 2 * 0.5e6), (False, 2e6 - 0.5e6)])
def test_mag6_b_cure_credits_its_own_oc_twice_in_legacy(legacy: bool, remaining: float) -> None:
    # Q11: OC B interest cure 2,000,000 (D = 100m, N = 107.8m, T = 1.1 → 100m − 98m = 2m); 500,000 of
    # cash pays 500,000 of it; legacy then credits OC B again with min(500k, 1.5m) → 1,000,000 left.
    ctx, wf = context("Mag 6", legacy=legacy)
    oc = ctx.tests["Class B OC"]
    oc.trigger = 1.1
    oc.evaluate(107.8e6, 100e6, 100e6, strict=True)
    pot = Pot(60e3 + 200e3 + 0.5e6, 0.0)
    run_steps(ctx, wf.interest, pot, Pot())  # type: ignore[attr-defined]
    assert oc.remaining("interest") == pytest.approx(remaining)


def _paid(ctx: PeriodContext) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in ctx.ledger.payments:
        out[p.payee] = out.get(p.payee, 0.0) + p.amount
    return out


@pytest.mark.parametrize(("legacy", "e_interest"), [(True, 0.0), (False, 100e3)])
def test_mag8_class_e_interest_from_principal_only_when_the_label_matches(
    legacy: bool, e_interest: float
) -> None:
    # Principal waterfall with A–D retired (E is the controlling class), fees already paid, 1,000,000 of
    # principal, no reinvestment: legacy checks the label "Class e" and never pays E's 100,000 from
    # principal (Q17); corrected pays it. The rest goes to notes payable.
    ctx, wf = context("Mag 8", legacy=legacy)
    for name in ("Class A", "Class B", "Class C", "Class D"):
        ctx.tranches[name].balance = 0.0
        ctx.tranches[name].interest_accrued = 0.0
    for fee in ctx.fees.values():
        fee.accrued = 0.0
    ctx.section = "principal"
    pot = Pot(0.0, 1e6)
    run_steps(ctx, wf.principal, pot)  # type: ignore[attr-defined]
    assert _paid(ctx).get("Class E", 0.0) == pytest.approx(e_interest)
    assert ctx.notes_payable == pytest.approx(1e6 - e_interest)


def test_mag6_reinvests_all_principal_during_the_reinvestment_period() -> None:
    # Q19: fees (60k) and A, B interest (200k) first, then every remaining dollar of the 1,000,000 is
    # reinvested although the maximum reinvestment is 0; no cure, nothing to notes payable.
    ctx, wf = context("Mag 6")
    ctx.section = "principal"
    ctx.max_reinvestment = 0.0
    pot = Pot(0.0, 1e6)
    run_steps(ctx, wf.principal, pot)  # type: ignore[attr-defined]
    assert ctx.reinvested == pytest.approx(1e6 - 60e3 - 200e3)
    assert ctx.notes_payable == 0.0
    assert _paid(ctx).get("Class C", 0.0) == 0.0


@pytest.mark.parametrize("legacy", [True, False])
def test_mag16_junior_fee_never_creates_cash(legacy: bool) -> None:
    # Q16: legacy pays the junior fee (50,000 due) "out of" the E-OC cure just moved to notes payable; here it
    # comes out of notes payable, so principal in = fees + class interest + notes payable + reinvested.
    ctx, wf = context("Mag 16", legacy=legacy)
    ctx.fees["Junior Manager Fee"].accrued = 50e3
    e_oc = ctx.tests["Class E OC"]
    e_oc.trigger = 1.1
    e_oc.evaluate(100e6, 95e6, 95e6, strict=True)  # fails: principal cure (1.1 × 95m − 100m)/0.1 = 45m
    ctx.section = "principal"
    pot = Pot(0.0, 2e6)
    run_steps(ctx, wf.principal, pot)  # type: ignore[attr-defined]
    paid = sum(_paid(ctx).values())
    assert paid + ctx.notes_payable + ctx.reinvested + pot.cash == pytest.approx(2e6)
    assert _paid(ctx).get("Junior Manager Fee", 0.0) == pytest.approx(50e3 if legacy else 0.0)
