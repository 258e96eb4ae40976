"""Per-period vectors, default- and recovery-timing curves and a call: vectors equal to a constant reproduce
the constant run exactly; the curves against hand calculations on one loan; a call sells at its price."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.cashflows.helpers import loans

from clo_xl.analytics.collateral_report import collateral_report
from clo_xl.cashflows.assumptions import (
    AssetAssumption,
    CallSpec,
    CashflowAssumptions,
    DefaultTiming,
    RecoveryTiming,
    ScenarioVectors,
)
from clo_xl.cashflows.from_tables import shapes_from_document
from clo_xl.cashflows.projection import project_asset_rows
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import (
    DealInputsBundle,
    inputs_from_extract,
    inputs_from_workbook,
    prepare_model,
)

ANALYSIS = date(2016, 3, 23)


@pytest.fixture(scope="module")
def mag17(sample_workbook: Path) -> DealInputsBundle:
    return inputs_from_workbook(read_workbook(sample_workbook, deals=["Mag 17"]), "Mag 17")


def _constant_vs_vectors(inputs: DealInputsBundle, convention: str) -> None:
    constant = prepare_model(inputs, cpr=0.15, cdr=0.04, severity=0.4, lag=6, convention=convention)
    # vectors of different lengths: past its end a scenario vector holds its last value
    vectors = ScenarioVectors(cpr=(0.15,) * 40, cdr=(0.04,) * 3, severity=(0.4,) * 7, lag=(6.0,))
    vectored = prepare_model(inputs, vectors=vectors, convention=convention)
    a, b = constant.run(), vectored.run()
    assert len(a.periods) == len(b.periods)
    assert a.periods == b.periods  # every figure of every period, exactly
    assert a.sub_note_irr == b.sub_note_irr


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_constant_vectors_reproduce_the_constant_run_exactly(
    mag17: DealInputsBundle, convention: str
) -> None:
    _constant_vs_vectors(mag17, convention)


@pytest.mark.legacy_data
@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_constant_vectors_on_the_real_mag17(legacy_dir: Path, convention: str) -> None:
    inputs = inputs_from_extract(
        json.loads((legacy_dir / "mag17_assets.json").read_text()),
        json.loads((legacy_dir / "mag17_deal.json").read_text()),
    )
    _constant_vs_vectors(inputs, convention)


def test_vectors_move_the_run(mag17: DealInputsBundle) -> None:
    flat = prepare_model(mag17, cdr=0.02).run()
    rising = prepare_model(mag17, vectors=ScenarioVectors(cdr=(0.02, 0.02, 0.06))).run()
    assert sum(p.collateral.default for p in rising.periods if p.collateral) > sum(
        p.collateral.default for p in flat.periods if p.collateral
    )


def _rows(assumptions: CashflowAssumptions) -> Any:
    # one 1,000,000 6% fixed quarterly loan to 15 Jun 2018, 30/360, first payment 15 Jun 2016
    return project_asset_rows(loans(), assumptions, None, ANALYSIS)


def test_default_timing_curve_by_hand() -> None:
    timing = DefaultTiming(0.20, (0.5, 0.3))
    flows = _rows(CashflowAssumptions(AssetAssumption(cdr=0.5), default_timing=timing))
    defaults = flows.default[0][flows.schedule.valid[0]]
    # year 1: 1,000,000 × 20% × 50% spread over 4 quarters = 25,000 a quarter (the 50% CDR is ignored);
    # year 2: 1,000,000 × 20% × 30% / 4 = 15,000 a quarter; nothing after the curve
    assert defaults[:4] == pytest.approx([25_000.0] * 4)
    assert defaults[4:8] == pytest.approx([15_000.0] * 4)
    assert defaults[8:].sum() == 0.0
    assert flows.default.sum() == pytest.approx(1_000_000 * 0.2 * 0.8)


def test_recovery_timing_and_lag_vector_by_hand() -> None:
    base = AssetAssumption(cdr=0.1, severity=0.4, lag_months=0)
    split = _rows(CashflowAssumptions(base, recovery_timing=RecoveryTiming(((3, 0.5), (6, 0.5)))))
    valid = split.schedule.valid[0]
    d = split.default[0][valid]
    mv = d * 0.6
    rec = split.recovery[0][valid]
    # half of each recovery one quarter after its default, half two quarters after
    assert rec[0] == 0.0
    assert rec[1] == pytest.approx(0.5 * mv[0])
    assert rec[2] == pytest.approx(0.5 * mv[0] + 0.5 * mv[1])
    assert rec[3] == pytest.approx(0.5 * mv[1] + 0.5 * mv[2])
    # a lag vector by period (months): period 1's defaults after 3 months, every later one after 6
    vectored = _rows(
        CashflowAssumptions(AssetAssumption(cdr=0.1, severity=0.4, lag_months="L"), {}, {"L": (3.0, 6.0)})
    )
    v = vectored.recovery[0][vectored.schedule.valid[0]]
    dv = vectored.default[0][vectored.schedule.valid[0]] * 0.6
    assert v[1] == pytest.approx(dv[0])  # period 1 → period 2
    assert v[2] == 0.0  # period 2's recovery arrives in period 4
    assert v[3] == pytest.approx(dv[1])


def test_call_at_a_date_and_price(mag17: DealInputsBundle) -> None:
    call = CallSpec(date(2018, 4, 1), 0.99)
    model = prepare_model(mag17, cpr=0.2, cdr=0.02, severity=0.35, lag=6, call=call)
    result = model.run()
    last = result.periods[-1]
    assert last.payment_date == date(2018, 4, 20)  # the first payment date on or after the call date
    c = last.collateral
    assert c is not None
    # sold: the performing par left at the end of the period at 99 (defaulted par at its market value):
    # the same call at par raises the proceeds by exactly 1% of that par
    end_performing = c.performing - c.default - c.scheduled - c.unscheduled
    at_par = prepare_model(mag17, cpr=0.2, cdr=0.02, severity=0.35, lag=6, call=CallSpec(call.on, 1.0)).run()
    assert at_par.periods[-1].liquidation_proceeds - last.liquidation_proceeds == pytest.approx(
        0.01 * end_performing, rel=1e-9
    )
    assert len(at_par.periods) == len(result.periods)
    rows = collateral_report(result, model.structure)
    assert rows[-1].sales_par == pytest.approx(end_performing) and rows[-1].ending_par == pytest.approx(0.0)
    for t in last.tranches:
        if t.name not in ("Sub Notes", "Class X"):  # the legacy's Mag 15 waterfall never pays X (Q48)
            assert t.ending_balance == pytest.approx(0.0, abs=0.01)  # the notes are redeemed at the call


def test_shapes_from_the_deal_sheet() -> None:
    vectors = {"TIMING": (0.4, 0.3, 0.3, 0.0), "REC": (0.25, 0.75, 0.0)}
    cf = {"Call Date": "2019-04-20", "Call Price": 1.005, "Cumulative Default Rate": 0.15,
          "Default Timing Curve": "TIMING", "Recovery Timing Curve": "REC"}  # fmt: skip
    shapes = shapes_from_document(cf, vectors, 3)
    assert shapes.call == CallSpec(date(2019, 4, 20), 1.005)
    assert shapes.default_timing == DefaultTiming(0.15, (0.4, 0.3, 0.3))
    assert shapes.recovery_timing == RecoveryTiming(((3, 0.25), (6, 0.75)))
    assert shapes_from_document({}, vectors, 3).call is None
