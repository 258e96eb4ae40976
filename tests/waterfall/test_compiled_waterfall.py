"""The compiled waterfall (each step matched once per version, then bound to the run's tranches, fees
and tests) pays exactly what the per-step ``match`` paid (issue 13). Oracle: ``reference_engine.run_steps``,
the dispatch as it was, patched into the deal run; every sample deal, both conventions, base case and a
stress that trips the coverage tests and the event of default, must give the same periods to the last bit
(``repr`` of every row)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.waterfall import reference_engine

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import inputs_from_workbook, prepare_model
from clo_xl.waterfall import run as run_module
from clo_xl.waterfall.run import DealResult, run_deal


def _runs(book: Any, convention: str) -> dict[str, DealResult]:
    out = {}
    for deal in book.deals:
        m = prepare_model(inputs_from_workbook(book, deal), deal=deal, convention=convention)
        stress = CashflowAssumptions(
            AssetAssumption(0.05, 0.25, 0.8, 3), legacy_vector_overrun=m.conventions.legacy
        )
        for label, a in (("base", m.assumptions), ("stress", stress)):
            out[f"{deal} {label}"] = run_deal(
                m.structure, m.collateral, a, m.curve_spec.build(), conventions=m.conventions, sink=m.sink
            )
    return out


def _as_text(r: DealResult) -> str:
    return repr((r.periods, r.sub_note_irr, r.incentive_fee_total, r.fee_totals))


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_compiled_actions_pay_what_the_per_step_match_paid(sample_workbook: Path, convention: str) -> None:
    book = read_workbook(sample_workbook)
    fast = _runs(book, convention)
    unbound: Callable[..., Any] = lambda steps, *_: steps  # noqa: E731 the steps themselves, per step
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run_module, "bind_steps", unbound)
        mp.setattr(run_module, "run_actions", reference_engine.run_steps)
        slow = _runs(book, convention)
    assert fast.keys() == slow.keys()
    eods = sum(any(p.event_of_default for p in r.periods) for r in fast.values())
    cures = sum(any(t.cure_paid > 0 for p in r.periods for t in p.tests) for r in fast.values())
    assert eods > 0 and cures > 0  # the stress reaches the EOD and cure steps
    for name in fast:
        assert _as_text(fast[name]) == _as_text(slow[name]), name
