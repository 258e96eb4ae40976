"""Scenario grids on a process pool; rating-driven deal runs (Dask and spawn: ``test_distributed.py``)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.structure import Conventions
from clo_xl.curves import CurveSpec, Extrapolation, flat_curve
from clo_xl.runs.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.simulation.grid import GridInputs, run_grid, scenario_grid
from clo_xl.simulation.matrix import STATES
from clo_xl.simulation.paths import run_paths, simulate_pool

ANALYSIS = date(2016, 3, 23)


def inputs() -> GridInputs:
    curve = CurveSpec(ANALYSIS, ((1, 0.006), (480, 0.006)), extrapolation=Extrapolation.FLAT)
    return GridInputs(synthetic_deal("Mag 16"), synthetic_collateral(40, seed=5), curve, Conventions())


def test_grid_on_a_process_pool_equals_the_sequential_run() -> None:
    grid = scenario_grid([0.1, 0.25], [0.01, 0.05], [0.3], shifts=[0.0, 0.01])
    seq = run_grid(inputs(), grid, workers=1)
    par = run_grid(inputs(), grid, workers=2, chunk_size=2)
    assert [r.scenario for r in par] == grid
    assert [r.sub_note_irr for r in par] == [r.sub_note_irr for r in seq]
    # more defaults, less for the Sub Notes
    by = {(r.scenario.cdr, r.scenario.cpr, r.scenario.curve_shift): r for r in seq}
    assert by[(0.05, 0.1, 0.0)].tranche_cash["Sub Notes"] < by[(0.01, 0.1, 0.0)].tranche_cash["Sub Notes"]


def test_rating_paths_drive_defaults_in_the_deal_run() -> None:
    deal = synthetic_deal("Mag 8")
    coll = synthetic_collateral(30, seed=9)
    # a matrix where every rated state defaults in the first quarter: every asset defaults at once
    m = np.zeros((len(STATES), len(STATES)))
    m[:, -1] = 1.0
    migration = simulate_pool(coll, m, None, ANALYSIS, paths=2, seed=1)
    assert (migration.default_step == 1).all()
    a = CashflowAssumptions(AssetAssumption(0.0, 0.0, 0.4, 0))
    runs = run_paths(
        deal, coll, a, flat_curve(ANALYSIS, 0.01), migration, conventions=Conventions.corrected()
    )
    # the pool under path 0: all par defaults (on the first interest date after 23 Jun 2016), 60% recovered
    from clo_xl.cashflows.projection import ProjectionSwitches, project_assets
    from clo_xl.cashflows.timeline import build_grid

    pool = project_assets(
        coll,
        a,
        flat_curve(ANALYSIS, 0.01),
        ANALYSIS,
        build_grid(deal.dates, legacy=False),
        switches=ProjectionSwitches.corrected(),
        default_dates=migration.default_dates(0),
    )
    assert pool.default.sum() == pytest.approx(coll.par.sum())
    assert pool.recovery.sum() == pytest.approx(0.6 * coll.par.sum())
    assert pool.prepayment.sum() == 0.0
    for result in runs.results:
        for p in result.periods:
            out = sum(x.amount for x in p.payments) + p.reinvested + p.carried
            assert out == pytest.approx(p.interest_proceeds + p.principal_proceeds, abs=0.005)
