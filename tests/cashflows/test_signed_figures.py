"""Issue 11's cash-flow findings, each against an independent route.

* item 2, modified duration: QuantLib's ``CashFlows.duration`` (Modified and Macaulay) on the Sub Notes'
  flows at QuantLib's own yield (``CashFlows.yieldRate``, Actual/365F, quarterly compounding);
* item 7, one Sub Notes IRR per run: QuantLib's yield from the settlement date equals the hurdle-basis XIRR;
* item 4, interest-sourced cures: the period worked by hand below;
* item 6, the IC numerator: fee accruals worked by hand from the deal inputs;
* WAL: CASHFLOW_SPEC §3.8's formula (unpaid balance counted at the last payment date) by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import QuantLib as ql

from clo_xl.cashflows.from_deal import structure_from_inputs
from clo_xl.cashflows.quirks import CashflowQuirk
from clo_xl.cashflows.structure import Conventions
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import Variants, cashflow_document, inputs_from_workbook, prepare_model

Q = CashflowQuirk


@pytest.fixture(scope="module")
def book(sample_workbook: Path) -> Any:
    return read_workbook(sample_workbook, deals=["Mag 17"])


@pytest.fixture(scope="module")
def mag17(book: Any) -> Any:
    return inputs_from_workbook(book, "Mag 17")


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def _sub_notes_flows(doc: dict[str, Any]) -> list[tuple[date, float]]:
    out = []
    for p in doc["periods"]:
        cash = sum(x["amount"] for x in p["payments"] if x["payee"] == "Sub Notes")
        if cash:
            out.append((date.fromisoformat(p["payment_date"]), cash))
    return out


def _quantlib_measures(
    flows: list[tuple[date, float]], invest: float, settle: date
) -> tuple[float, float, float]:
    """(quarterly yield, Macaulay, modified) by QuantLib for flows bought at ``invest`` on ``settle``."""
    leg = ql.Leg([ql.SimpleCashFlow(a, _ql(d)) for d, a in flows])
    dc = ql.Actual365Fixed()
    y = ql.CashFlows.yieldRate(
        leg, invest, dc, ql.Compounded, ql.Quarterly, False, _ql(settle), _ql(settle), 1e-12, 1000, 0.05
    )
    s = _ql(settle)
    mac = ql.CashFlows.duration(leg, y, dc, ql.Compounded, ql.Quarterly, ql.Duration.Macaulay, False, s, s)
    mod = ql.CashFlows.duration(leg, y, dc, ql.Compounded, ql.Quarterly, ql.Duration.Modified, False, s, s)
    return y, mac, mod


CASES = {
    "legacy": Conventions(),  # Mag 17 legacy: Sub Notes −1.40 % (item 2's run: Macaulay 3.05, modified 0.00)
    "legacy without Q6": Conventions().without(Q.Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD),
    "corrected": Conventions.corrected(),  # with defaults high enough for the Sub Notes to lose money
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_sub_notes_durations_against_quantlib(mag17: Any, case: str) -> None:
    conv = CASES[case]
    stress = {"cdr": 0.05, "severity": 0.4, "lag": 6} if case == "corrected" else {}
    doc = cashflow_document(mag17, deal="Mag 17", convention=conv, **stress)
    subs = next(t for t in doc["summary"]["tranches"] if t["class"] == "Sub Notes")
    settle = date.fromisoformat(subs["settlement_date"])
    invest = 0.86 * 44_000_000.0  # Liability table: price 0.86, current balance 44m
    y, mac, mod = _quantlib_measures(_sub_notes_flows(doc), invest, settle)
    assert y < 0  # the Sub Notes lose money in this run: the case item 2 is about
    assert subs["macaulay_duration"] == pytest.approx(mac, rel=1e-7)
    if case != "legacy":
        assert subs["modified_duration"] == pytest.approx(mod, rel=1e-7)  # e.g. 3.06 in legacy, not 0
        assert subs["modified_duration"] > subs["macaulay_duration"]  # y < 0: Macaulay ÷ (1 + y/4) grows
    else:  # CASHFLOW_SPEC §3.8: the legacy prints 0 unless y > 0 (Q6), and says so in the warnings
        assert subs["modified_duration"] == 0.0
        assert any(w["quirk"] == Q.Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD.name for w in doc["warnings"])


def test_one_sub_notes_irr_per_run(mag17: Any) -> None:
    """Item 7. Sample Mag 17: analysis date 2016-03-23, closing (first accrual start) 2016-03-31, the Sub
    Notes bought at 86 on the closing date (PaySubNotes). Corrected settles on 2016-03-31, so the tranche
    IRR and the hurdle-basis IRR are the same XIRR; QuantLib's annual yield from that date agrees."""
    doc = cashflow_document(mag17, deal="Mag 17", convention="corrected")
    subs = next(t for t in doc["summary"]["tranches"] if t["class"] == "Sub Notes")
    assert subs["settlement_date"] == "2016-03-31"
    assert subs["irr"] == pytest.approx(doc["summary"]["sub_note_irr"], abs=1e-10)
    leg = ql.Leg([ql.SimpleCashFlow(a, _ql(d)) for d, a in _sub_notes_flows(doc)])
    settle = _ql(date(2016, 3, 31))
    y = ql.CashFlows.yieldRate(
        leg,
        0.86 * 44e6,
        ql.Actual365Fixed(),
        ql.Compounded,
        ql.Annual,
        False,
        settle,
        settle,
        1e-12,
        1000,
        0.05,
    )
    assert subs["irr"] == pytest.approx(y, abs=1e-9)
    legacy = cashflow_document(mag17, deal="Mag 17", convention="legacy")
    lsubs = next(t for t in legacy["summary"]["tranches"] if t["class"] == "Sub Notes")
    assert lsubs["settlement_date"] == "2016-03-23"  # the legacy starts on the analysis date (Q25)
    assert any(w["quirk"] == Q.Q25_MEASURES_FROM_ANALYSIS_DATE.name for w in legacy["warnings"])


def test_class_a_irr_against_quantlib(mag17: Any) -> None:
    doc = cashflow_document(mag17, deal="Mag 17", convention="corrected")
    a = next(t for t in doc["summary"]["tranches"] if t["class"] == "Class A")
    flows = []
    for p in doc["periods"]:
        row = next(r for r in p["tranches"] if r["class"] == "Class A")
        flows.append((date.fromisoformat(p["payment_date"]), row["interest_paid"] + row["principal_paid"]))
    leg = ql.Leg([ql.SimpleCashFlow(v, _ql(d)) for d, v in flows if v])
    settle = _ql(date(2016, 3, 31))
    y = ql.CashFlows.yieldRate(
        leg, 320e6, ql.Actual365Fixed(), ql.Compounded, ql.Annual, False, settle, settle, 1e-12, 1000, 0.05
    )
    assert a["irr"] == pytest.approx(y, abs=2e-7)  # cent-rounded flows in the document


def test_interest_cure_is_interest_sourced(mag17: Any) -> None:
    """Item 4, worked by hand. Mag 17, corrected, CDR 8 %, severity 40 %, lag 6, period 3 (2017-01-20):
    the Class B-2 OC test fails (N = 471,592,848.93, D = 381,847,700.65, ratio 1.2350 < T = 1.24); its
    interest cure is D − N/T = 381,847,700.65 − 380,316,813.66 = 1,530,887.00, paid after the Class B
    interest. The senior fees and every class's interest take 4,616,464.59, and 4,616,464.59 +
    1,530,887.00 ≈ 6,147,351.58 (to the cent) = the interest proceeds: nothing is left for the junior fee or
    the Sub Notes. The cure redeems notes (Class X first, the note sequence) and is interest, not
    principal: each waterfall then reconciles on its own (the principal proceeds, 37,355,009.90, are all
    reinvested)."""
    doc = cashflow_document(mag17, deal="Mag 17", convention="corrected", cdr=0.08, severity=0.4, lag=6)
    p = doc["periods"][2]
    assert p["payment_date"] == "2017-01-20"
    assert p["interest_proceeds"] == pytest.approx(6_147_351.58, abs=0.005)
    cure = next(x for x in p["payments"] if x["step"].startswith("PayPrincipal"))
    assert cure["source"] == "interest" and cure["amount"] == pytest.approx(1_530_887.00, abs=0.005)
    b2 = next(t for t in p["tests"] if t["name"] == "Class B-2 OC")
    assert not b2["pass"]
    assert b2["denominator"] - b2["numerator"] / 1.24 == pytest.approx(1_530_887.00, abs=0.005)
    before_cure = sum(x["amount"] for x in p["payments"] if x is not cure and x["source"] == "interest")
    assert before_cure == pytest.approx(4_616_464.59, abs=0.005)
    assert p["interest_cures"] == pytest.approx(1_530_887.00, abs=0.005)
    assert p["diverted_interest"] == pytest.approx(1_530_887.00, abs=0.005)
    assert p["interest_to_principal"] == 0.0
    principal_paid = sum(x["amount"] for x in p["payments"] if x["source"] == "principal")
    assert (
        principal_paid == 0.0
    )  # all 37,355,009.90 of principal proceeds are reinvested (reinvestment period)
    assert p["reinvested"] == pytest.approx(p["principal_proceeds"], abs=0.005)


def _setup(mag17: Any, structure: Any = None) -> Variants:
    """The sample deal's inputs ready to run under any switch set (optionally with another structure)."""
    model = prepare_model(mag17, deal="Mag 17")
    if structure is not None:
        model = replace(model, structure=structure)
    return Variants(model, mag17.tables, (None, None, None, None, None))


def test_ic_numerator_deducts_senior_expenses(mag17: Any) -> None:
    """Item 6, by hand. Sample Mag 17 fee inputs, the Base Manager Fee put on a Beginning basis so every
    senior accrual is hand-computable. Beg Fee Basis B = 490,092,395.08; period 1 runs 2016-03-31 → 07-20:
      Trustee  (B × 0.015 % + 25,000) × 111/360          =  98,513.86 × 0.308333 = 30,375.11
      Admin    (B × 0.010 % + 50,000) × DAYS360 110/360   =  99,009.24 × 0.305556 = 30,252.82
      Base     B × 0.15 % × 111/360                       = 735,138.59 × 0.308333 = 226,667.73
    legacy (Q53) IC numerator = interest − Trustee − Base; corrected also deducts Admin (DOMAIN.md)."""
    st = structure_from_inputs(mag17.inputs, mag17.cashflow, deal_name="Mag 17")
    fees = tuple(replace(f, basis="BEGINNING") if f.name == "Base Manager Fee" else f for f in st.fees)
    setup = _setup(mag17, replace(st, fees=fees))
    trustee, admin, base = 30_375.11, 30_252.82, 226_667.73
    for conv, deducted in (
        (Conventions(), trustee + base),
        (Conventions.corrected(), trustee + admin + base),
    ):
        result, _ = setup.run(conv)
        p1 = result.periods[0]
        ic = next(t for t in p1.tests if t.name == "Class B-2 IC")
        assert ic.numerator == pytest.approx(p1.interest_proceeds - deducted, abs=0.01)
    only_q53_off = Conventions().without(Q.Q53_IC_NUMERATOR_TRUSTEE_AND_BASE_ONLY)
    p1 = setup.run(only_q53_off)[0].periods[0]
    ic = next(t for t in p1.tests if t.name == "Class B-2 IC")
    assert ic.numerator == pytest.approx(p1.interest_proceeds - trustee - admin - base, abs=0.01)


def test_wal_as_the_spec_defines_it(mag17: Any) -> None:
    """CASHFLOW_SPEC §3.8: WAL = [Σ (d_i − analysis) × principal_i + (period-1 balance − Σ principal) ×
    (last date − analysis)] ÷ original ÷ 365. Legacy Mag 17 never pays Class X (Q48): Σ principal = 0, so
    its WAL is the time to the last payment date, 2028-04-20 − 2016-03-23 = 4,411 days = 12.0849 years (the
    old figure 0.00 dropped the second term); Class E gets only its last principal, on 2028-04-20 too."""
    legacy = cashflow_document(mag17, deal="Mag 17", convention="legacy")
    last = date.fromisoformat(legacy["periods"][-1]["payment_date"])
    assert last == date(2028, 4, 20)
    t_last = (last - date(2016, 3, 23)).days / 365.0
    by_class = {t["class"]: t for t in legacy["summary"]["tranches"]}
    assert by_class["Class X"]["wal"] == pytest.approx(t_last, rel=1e-12)
    assert by_class["Class E"]["wal"] == pytest.approx(t_last, rel=1e-12)  # 12.08, not 5.00
    # corrected: Σ t × principal ÷ principal received, t from the 2016-03-31 settlement (deferred interest
    # paid down is not principal)
    corrected = cashflow_document(mag17, deal="Mag 17", convention="corrected")
    e = next(t for t in corrected["summary"]["tranches"] if t["class"] == "Class E")
    result, _ = _setup(mag17).run(Conventions.corrected())
    rows = [
        (p.payment_date, r.principal_paid) for p in result.periods for r in p.tranches if r.name == "Class E"
    ]
    weighted = sum((d - date(2016, 3, 31)).days / 365.0 * x for d, x in rows)
    assert e["wal"] == pytest.approx(weighted / sum(x for _, x in rows), rel=1e-9)


def test_every_cashflow_switch_is_documented() -> None:
    """docs/cashflows.md names every CashflowQuirk (the name the warnings print)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cashflows.md").read_text(encoding="utf-8")
    assert [q.name for q in CashflowQuirk if f"`{q.name}`" not in doc] == []
