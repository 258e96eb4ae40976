"""Rating-driven deal runs: one full deal run per migration path (§1.4, §8).

On each path an asset defaults in full on its first interest date on/after the step at which its
simulated rating reaches D; prepayments still follow the CPR assumption, recoveries (1 − severity) after
the lag. Paths step quarterly (the legacy always did, whatever the matrix frequency — Q40).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from clo_xl.cashflows.assumptions import CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import from_serial
from clo_xl.simulation.correlation import Matrix
from clo_xl.simulation.migration import (
    MigrationResult,
    horizon_steps,
    maturity_steps,
    rating_index,
    simulate,
)
from clo_xl.waterfall.run import DealResult, run_deal


@dataclass(frozen=True)
class PathRuns:
    migration: MigrationResult
    results: tuple[DealResult, ...]


def simulate_pool(
    coll: CollateralArrays,
    period_matrix_: Matrix,
    chol: Matrix | None,
    start: date,
    *,
    paths: int,
    seed: int | None = 0,
    step_months: int = 3,
    legacy: bool = True,
) -> MigrationResult:
    initial = np.array(
        [
            rating_index("D" if d else str(r), legacy=legacy)
            for r, d in zip(coll.sp_rating, coll.defaulted, strict=True)
        ],
        dtype=np.int64,
    )
    last = from_serial(int(coll.maturity.max())) if len(coll) else start
    steps = horizon_steps(start, last, step_months)
    return simulate(
        initial,
        maturity_steps(start, coll.maturity, step_months),
        period_matrix_,
        chol,
        start=start,
        steps=steps,
        paths=paths,
        step_months=step_months,
        seed=seed,
    )


def run_paths(
    deal: DealStructure,
    coll: CollateralArrays,
    assumptions: CashflowAssumptions,
    curve: ForwardCurve,
    migration: MigrationResult,
    *,
    conventions: Conventions | None = None,
    paths: int | None = None,
) -> PathRuns:
    count = migration.default_step.shape[0] if paths is None else min(paths, migration.default_step.shape[0])
    results = tuple(
        run_deal(
            deal, coll, assumptions, curve, conventions=conventions, default_dates=migration.default_dates(p)
        )
        for p in range(count)
    )
    return PathRuns(migration, results)
