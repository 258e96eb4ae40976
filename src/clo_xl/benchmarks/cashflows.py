"""Cash-flow speed cases (issues 4 and 13): ``clo-xl bench --only cashflows``.

* one deal's full-life cash flows (goal: under 10 ms), beside the floor of its collateral projection;
* a 1,000-scenario grid (CPR × CDR × severity × curve shift) on 2 worker processes, each row with every
  class's IRR, WAL, principal loss and price at its discount margin (goal: under 30 s), beside the same
  grid run in one process (the figures checked equal);
* credit migration of 10,000 paths × 500 assets × 32 quarterly correlated steps (goal: within 1.5x of the
  floor: the same draws and correlating matrix multiplies, nothing else).

Data: the Mag 17 extract when the legacy folder is found, else a synthetic Mag 17 deal; the migration case
uses a seeded 500-asset system correlation and a quarterly root of a synthetic S&P-style annual matrix.
"""

from __future__ import annotations

import json
import math
from datetime import date
from functools import cache
from typing import Any

import numpy as np

from clo_xl.analytics.scenario import CashflowModel
from clo_xl.benchmarks import Case, legacy_dir
from clo_xl.benchmarks.floors import (
    ProjectionInputs,
    check_migration,
    check_projection,
    migration_floor,
    projection_floor,
)
from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions, periodic_rate
from clo_xl.cashflows.projection import bucket_to_deal, project_asset_rows
from clo_xl.cashflows.structure import Conventions
from clo_xl.curves import CurveSpec, Extrapolation
from clo_xl.runs.cashflow_pipeline import inputs_from_extract, prepare_model
from clo_xl.runs.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.grid import (
    GridInputs,
    Scenario,
    ScenarioResult,
    grid_table,
    run_grid,
    run_scenarios,
    scenario_grid,
)
from clo_xl.simulation.matrix import STATES, period_matrix
from clo_xl.simulation.migration import MigrationResult, simulate
from clo_xl.waterfall.run import DealResult, run_deal

ANALYSIS = date(2016, 3, 23)
BASE = AssetAssumption(0.20, 0.02, 0.35, 12)
MIGRATION = {"steps": 32, "paths": 10_000, "seed": 1, "block_paths": 2_000, "workers": 2}


@cache
def model() -> CashflowModel:
    """Mag 17 ready to project: the extract when the legacy folder is found, else a synthetic Mag 17 deal
    of 195 loans on a flat 0.54% curve."""
    legacy = legacy_dir()
    if legacy is not None:
        records = json.loads((legacy / "mag17_assets.json").read_text())
        doc = json.loads((legacy / "mag17_deal.json").read_text())
        return prepare_model(inputs_from_extract(records, doc, deal="Mag 17"))
    conv = Conventions()
    curve = CurveSpec.of(ANALYSIS, {1: 0.0054, 480: 0.0054}, extrapolation=Extrapolation.FLAT)
    base = CashflowAssumptions(BASE, legacy_vector_overrun=conv.legacy)
    return CashflowModel(synthetic_deal("Mag 17"), synthetic_collateral(195, seed=17), curve, conv, base)


def assumptions() -> CashflowAssumptions:
    return CashflowAssumptions(BASE, legacy_vector_overrun=model().conventions.legacy)


def one_deal() -> DealResult:
    m = model()
    return run_deal(m.structure, m.collateral, assumptions(), m.curve_spec.build(), conventions=m.conventions)


@cache
def projection_inputs() -> tuple[ProjectionInputs, dict[str, Any]]:
    """The collateral's schedule, coupons and periodic rates as the engine prepares them, and the engine's
    own pool flows per period (to check the floor against)."""
    m = model()
    a = assumptions()
    analysis = m.structure.dates.analysis_date
    rows = project_asset_rows(m.collateral, a, m.curve_spec.build(), analysis, switches=m.switches)
    sched = rows.schedule
    fraction = sched.fraction.copy() if sched.fraction is not None else np.zeros(sched.valid.shape)
    last = np.maximum(sched.last, 0)
    fraction[np.arange(len(last)), last] = np.where(sched.last >= 0, 1.0, 0.0)
    grid = m.grid
    pool = bucket_to_deal(rows, m.collateral, grid)
    n = grid.n
    inputs = ProjectionInputs(
        par=np.where(rows.predefault, 0.0, rows.par),
        valid=sched.valid,
        cdr=periodic_rate(np.full(sched.valid.shape, BASE.cdr), sched.days360),
        cpr=periodic_rate(np.full(sched.valid.shape, BASE.cpr), sched.days360),
        fraction=fraction,
        accrual=sched.year_fraction * rows.coupon,
        cash_period=np.searchsorted(grid.collection_end, sched.dates, side="left"),
        default_period=np.searchsorted(grid.collection_end, sched.accrual_start, side="left"),
        periods=n,
    )
    engine = {
        "interest": pool.interest,
        "scheduled": pool.scheduled,
        "prepayment": pool.prepayment,
        "default": pool.default,
    }
    return inputs, engine


def one_deal_case() -> Case:
    return Case(
        "one deal full-life cash flows (Mag 17, ~200 assets)",
        one_deal,
        target_s=0.010,
        floor=lambda: projection_floor(projection_inputs()[0]),
        check=lambda _, floor: check_projection(floor, projection_inputs()[1]),
        note="the collateral projection on its prepared schedule (survival as one cumulative product, "
        "bincount into periods); no schedule building, no waterfall",
    )


def _grid() -> tuple[GridInputs, list[Scenario]]:
    m = model()
    grid = scenario_grid(
        cpr=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
        cdr=[0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12],
        severity=[0.25, 0.35, 0.45, 0.55, 0.65],
        shifts=[0.0, 0.01],
    )
    assert len(grid) == 1000
    return GridInputs(m.structure, m.collateral, m.curve_spec, m.conventions, m.sink, m.assumptions), grid


def grid_1000() -> list[ScenarioResult]:
    inputs, grid = _grid()
    results = run_grid(inputs, grid, workers=2)
    assert all(r.classes for r in results)  # per-class metrics on every row
    return results


def grid_in_one_process() -> list[ScenarioResult]:
    """The floor of the grid: the same scenarios one after another in this process (no pickling, no
    workers): a ratio under 1 is what the two worker processes save."""
    inputs, grid = _grid()
    return run_scenarios(inputs, grid)


def check_grid(results: list[ScenarioResult], serial: list[ScenarioResult]) -> None:
    """Same rows, same per-class figures (NaN, e.g. the IRR of a class never paid, equal to NaN)."""
    a, b = grid_table(results), grid_table(serial)
    assert len(a) == len(b) == 1000, (len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x.keys() == y.keys(), f"row {i}: columns differ"
        for k, v in x.items():
            w = y[k]
            nan = isinstance(v, float) and isinstance(w, float) and math.isnan(v) and math.isnan(w)
            same = v == w or nan
            assert same, f"row {i} {k}: {v!r} on 2 processes, {w!r} in one"


def grid_case() -> Case:
    return Case(
        "1,000-scenario grid with per-class IRR, WAL, principal loss and price at DM, 2 processes",
        grid_1000,
        target_s=30.0,
        floor=grid_in_one_process,
        check=check_grid,
        repeat=1,
        note="the same 1,000 scenarios one after another in one process (same figures checked); "
        "a ratio below 1 is the saving of the 2 worker processes",
    )


@cache
def migration_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2016)
    s = len(STATES)
    annual = np.eye(s) * 0.86 + rng.random((s, s)) * 0.004
    annual[:, -1] += np.linspace(0.0001, 0.25, s)
    annual[-1] = 0.0
    annual[-1, -1] = 1.0
    annual /= annual.sum(axis=1, keepdims=True)
    quarterly = period_matrix(annual, "QUARTERLY")
    n = 500
    issuers = [f"ISS{i % 320}" for i in range(n)]
    industries = [f"IND{i % 33}" for i in range(n)]
    ranks = rng.integers(10, 17, n).tolist()
    chol = cholesky(system_correlation(issuers, industries, ranks, SystemCorrelation()))
    initial = rng.integers(11, 17, n)
    maturity_step = rng.integers(8, 33, n)
    return quarterly, chol, initial, maturity_step


def migration() -> MigrationResult:
    quarterly, chol, initial, maturity_step = migration_inputs()
    return simulate(initial, maturity_step, quarterly, chol, start=ANALYSIS, **MIGRATION)


def migration_case() -> Case:
    def floor() -> np.ndarray:
        _, chol, initial, _ = migration_inputs()
        return migration_floor(chol, len(initial), **MIGRATION)

    def check(result: MigrationResult, first: np.ndarray) -> None:
        quarterly, _, initial, maturity_step = migration_inputs()
        check_migration(result.default_step, first, quarterly, initial, maturity_step)

    return Case(
        "credit migration 10,000 paths x 500 assets x 32 quarters",
        migration,
        target_s=30.0,
        floor=floor,
        check=check,
        max_ratio=1.5,
        repeat=3,
        note="the same normal draws and correlating matrix multiplies (same blocks, same 2 threads), "
        "no rating states kept",
    )


def cases() -> list[Case]:
    return [
        one_deal_case(),
        grid_case(),
        migration_case(),
    ]
