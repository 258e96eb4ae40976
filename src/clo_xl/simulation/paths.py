"""Rating-driven deal runs: one full deal run per migration path (§1.4, §8).

On each path an asset defaults in full on its first interest date on/after the step at which its
simulated rating reaches D; prepayments still follow the CPR assumption, recoveries (1 − severity) after
the lag. Paths step quarterly (the legacy always did, whatever the matrix frequency — Q40).

The rating paths are simulated in the driver (:func:`simulate_pool`, threads); the deal runs, one per path,
go through an executor like a scenario grid (:func:`path_summaries`): a task is a chunk of
``(path, default dates)`` with one :class:`PathInputs` (the curve as nodes, the calendar as dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from clo_xl.cashflows.assumptions import CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves import CurveSpec
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import from_day_number
from clo_xl.simulation.executor import Executor, Progress, parallel_map
from clo_xl.simulation.grid import tranche_totals
from clo_xl.simulation.matrix import Matrix
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
    threads: int = 2,
) -> MigrationResult:
    initial = np.array(
        [
            rating_index("D" if d else str(r), legacy=legacy)
            for r, d in zip(coll.sp_rating, coll.defaulted, strict=True)
        ],
        dtype=np.int64,
    )
    last = from_day_number(int(coll.maturity.max())) if len(coll) else start
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
        workers=threads,
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


@dataclass(frozen=True)
class PathInputs:
    """What a path task needs besides its paths' default dates, as picklable values."""

    deal: DealStructure
    collateral: CollateralArrays
    assumptions: CashflowAssumptions
    curve: CurveSpec
    conventions: Conventions
    sink: SinkSchedule | None = None


@dataclass(frozen=True)
class PathSummary:
    """One path's deal run: Sub Notes IRR, incentive fee, defaulted assets, cash paid per class."""

    path: int
    sub_note_irr: float | None
    incentive_fee: float
    defaults: int
    tranche_cash: dict[str, float]


PathItem = tuple[int, npt.NDArray[np.int64]]
"""A path number (1-based) and each asset's default date on it (day serial; int64 max = never)."""


def run_path_chunk(inputs: PathInputs, chunk: list[PathItem]) -> list[PathSummary]:
    """A path task: one deal run per path of ``chunk`` on the curve built from its nodes."""
    curve = inputs.curve.build()
    never = np.iinfo(np.int64).max
    out = []
    for path, default_dates in chunk:
        r = run_deal(
            inputs.deal,
            inputs.collateral,
            inputs.assumptions,
            curve,
            conventions=inputs.conventions,
            sink=inputs.sink,
            default_dates=default_dates,
        )
        defaults = int((default_dates != never).sum())
        out.append(PathSummary(path, r.sub_note_irr, r.incentive_fee_total, defaults, tranche_totals(r)[1]))
    return out


def path_summaries(
    inputs: PathInputs,
    migration: MigrationResult,
    executor: Executor,
    *,
    paths: int | None = None,
    progress: Progress | None = None,
) -> list[PathSummary]:
    """The first ``paths`` paths of ``migration`` (default: all), one deal run each, on ``executor``."""
    count = migration.default_step.shape[0] if paths is None else min(paths, migration.default_step.shape[0])
    items: list[PathItem] = [(p + 1, migration.default_dates(p)) for p in range(count)]
    return parallel_map(executor, run_path_chunk, inputs, items, progress=progress)
