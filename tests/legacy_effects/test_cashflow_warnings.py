"""Cash-flow documents list the switches that moved their figures (CONTRACT §5), and only those.

Independent route: for each switch, the same run with that switch alone turned off, built here through the
public pipeline, and the figures compared directly (summary and periods), not through the mechanism's own
figure lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clo_xl.cashflows.quirks import CashflowQuirk
from clo_xl.cashflows.structure import Conventions
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import cashflow_document, inputs_from_workbook
from clo_xl.simulation.grid import scenario_grid

Q = CashflowQuirk


@pytest.fixture(scope="module")
def mag17(sample_workbook: Path) -> Any:
    return inputs_from_workbook(read_workbook(sample_workbook, deals=["Mag 17"]), "Mag 17")


@pytest.fixture(scope="module")
def legacy_doc(mag17: Any) -> dict[str, Any]:
    return cashflow_document(mag17, deal="Mag 17", convention="legacy")


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    s = doc["summary"]
    return {"tranches": s["tranches"], "irr": s["sub_note_irr"], "fee": s["incentive_fee_total"]}


def test_headline_defects_are_flagged(legacy_doc: dict[str, Any]) -> None:
    """Issue 11 item 8 on the sample Mag 17 (legacy): an incentive fee of 9.07m with the Sub Notes at
    −1.41 % against a 12 % hurdle; Class X never paid (IRR −100 %); modified duration 0.00."""
    s = legacy_doc["summary"]
    assert s["incentive_fee_total"] == pytest.approx(9_065_342.32, abs=0.01)
    by = {w["quirk"]: w for w in legacy_doc["warnings"]}
    assert "incentive fee total" in by[Q.Q25_HURDLE_HISTORY_CUTOFF.name]["affects"]
    assert (
        "incentive fee total 9,065,342.32 (0 without it)" in by[Q.Q25_HURDLE_HISTORY_CUTOFF.name]["message"]
    )
    assert "Class X irr" in by[Q.Q48_MAG17_AS_MAG15.name]["affects"]
    assert "Sub Notes modified duration" in by[Q.Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD.name]["affects"]
    for w in legacy_doc["warnings"]:
        assert set(w) == {"quirk", "affects", "message"} and "\n" not in w["message"]


@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_each_listed_switch_moves_a_figure_and_no_other_does(mag17: Any, legacy_doc: dict[str, Any]) -> None:
    listed = {w["quirk"] for w in legacy_doc["warnings"]}
    base = (
        summary(legacy_doc),
        [{k: v for k, v in p.items() if k != "payments"} for p in legacy_doc["periods"]],
        [p["payments"] for p in legacy_doc["periods"]],
    )
    for q in CashflowQuirk:
        other = cashflow_document(mag17, deal="Mag 17", convention=Conventions().without(q))
        moved = (summary(other), [{k: v for k, v in p.items() if k != "payments"} for p in other["periods"]],
                 [p["payments"] for p in other["periods"]]) != base  # fmt: skip
        assert (q.name in listed) == moved, q.name


def test_corrected_lists_nothing(mag17: Any) -> None:
    assert cashflow_document(mag17, deal="Mag 17", convention="corrected")["warnings"] == []


def test_grid_rows_are_covered(mag17: Any) -> None:
    grid = scenario_grid([0.2], [0.0, 0.05], [0.35], [0.0], [12])
    doc = cashflow_document(mag17, deal="Mag 17", convention="legacy", grid=grid, workers=1)
    hurdle = next(w for w in doc["warnings"] if w["quirk"] == Q.Q25_HURDLE_HISTORY_CUTOFF.name)
    assert "grid CPR 0.2, CDR 0.05" in hurdle["affects"] and "incentive_fee" in hurdle["affects"]
    assert len({w["quirk"] for w in doc["warnings"]}) == len(doc["warnings"])  # one entry per switch
