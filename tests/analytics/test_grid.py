"""Scenario grids report per class IRR, WAL, principal loss and price at the discount margin; an axis left
out takes the workbook's assumptions; lag and recovery timing are axes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clo_xl.cashflows.assumptions import RecoveryTiming
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import DealInputsBundle, inputs_from_workbook, run_pipeline
from clo_xl.simulation.grid import Scenario, scenario_grid


@pytest.fixture(scope="module")
def mag17(sample_workbook: Path) -> DealInputsBundle:
    return inputs_from_workbook(read_workbook(sample_workbook, deals=["Mag 17"]), "Mag 17")


def _by_class(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    return {t["class"]: t for t in doc["summary"]["tranches"]}  # type: ignore[index]


def test_a_row_with_every_axis_given_matches_the_single_run(mag17: DealInputsBundle) -> None:
    options: dict[str, Any] = {"cpr": 0.2, "cdr": 0.05, "severity": 0.35, "lag": 12}
    run = run_pipeline(mag17, grid=[Scenario(0.2, 0.05, 0.35, 12)], workers=1, **options)
    row = run.payload["grid"][0]
    single = _by_class(run.payload)
    last = {t["class"]: t for t in run.payload["periods"][-1]["tranches"]}
    for name in ("Class A", "Class C", "Class E"):
        assert row[f"irr:{name}"] == pytest.approx(single[name]["irr"], rel=1e-12)
        assert row[f"wal:{name}"] == pytest.approx(single[name]["wal"], rel=1e-12)
        assert row[f"price:{name}"] == pytest.approx(single[name]["price_given_dm"], rel=1e-12)
        # principal still outstanding when the deal ends (the document rounds to the cent)
        outstanding = last[name]["ending_balance"] + last[name]["deferred_interest"]
        assert row[f"principal_loss:{name}"] == pytest.approx(outstanding, abs=0.01)
    assert row["sub_note_irr"] == pytest.approx(run.payload["summary"]["sub_note_irr"], rel=1e-12)


def test_axes_left_out_take_the_workbooks_assumptions(mag17: DealInputsBundle) -> None:
    # the sample's CFAssumptions: CPR and CDR vectors, severity 30%, lag 6, three per-asset rows
    run = run_pipeline(mag17, grid=scenario_grid([None], [None], [None], [0.0], [None]), workers=1)
    row = run.payload["grid"][0]
    assert row["cpr"] is None and row["lag_months"] is None
    single = _by_class(run.payload)
    assert row["sub_note_irr"] == run.payload["summary"]["sub_note_irr"]
    assert row["irr:Class D"] == single["Class D"]["irr"]
    # one axis given: only that rate moves (the CPR vector, severity and lag stay the workbook's)
    stressed = run_pipeline(mag17, grid=scenario_grid([None], [0.08], [None], [0.0], [None]), workers=1)
    assert stressed.payload["grid"][0]["principal_loss:Class E"] > row["principal_loss:Class E"]


def test_lag_and_recovery_timing_axes(mag17: DealInputsBundle) -> None:
    all_at_12 = RecoveryTiming(((12, 1.0),))
    split = RecoveryTiming(((6, 0.5), (18, 0.5)))
    grid = scenario_grid([0.2], [0.06], [0.4], [0.0], [6, 12], [None, all_at_12, split])
    run = run_pipeline(mag17, grid=grid, workers=1, cpr=0.2, cdr=0.06, severity=0.4, lag=12)
    rows = run.payload["grid"]
    assert len(rows) == 6
    keyed = {(r["lag_months"], str(r["recovery_timing"])): r for r in rows}
    lag12 = keyed[(12, "None")]
    timed12 = keyed[(6, str([[12, 1.0]]))]  # a timing replaces the lag: all of it after 12 months
    for k in lag12:
        if k not in ("lag_months", "recovery_timing"):
            assert timed12[k] == lag12[k], k
    assert keyed[(6, "None")]["sub_note_irr"] != lag12["sub_note_irr"]
    assert keyed[(6, str([[6, 0.5], [18, 0.5]]))]["sub_note_irr"] != lag12["sub_note_irr"]


def test_session_grid_as_a_dataframe(sample_workbook: Path) -> None:
    from clo_xl.api import DealSession

    session = DealSession.from_workbook(sample_workbook, "Mag 17")
    grid = session.scenario_grid(scenario_grid([0.2], [0.02, 0.08], [0.35], [0.0], [12]), workers=1)
    frame = grid.to_pandas()
    assert list(frame["cdr"]) == [0.02, 0.08]
    assert (frame["principal_loss:Class E"].iloc[1]) >= frame["principal_loss:Class E"].iloc[0]
    assert {"irr:Class A", "wal:Class A", "price:Class A"} <= set(frame.columns)
    assert grid.to_json()["warnings"]  # legacy: switches that moved these figures are listed
