"""Scenario grids (CPR × CDR × severity × lag × curve shift) and migration paths, run in parallel.

Runs go to a local process pool by default, or to a Dask cluster when ``scheduler`` (an address such as
``tcp://10.0.0.5:8786``, or a ``distributed.Client``) is given: the scale-out path for users who outgrow
one machine. Work is shipped as picklable frozen inputs (deal structure, collateral columns, curve
tenors) and each worker rebuilds its curve, so no QuantLib object crosses a process boundary.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves import LIBOR_3M, CurveConvention, Extrapolation, RateIndex, build_curve
from clo_xl.waterfall.run import DealResult, run_deal


@dataclass(frozen=True)
class Scenario:
    """One grid point: annual CPR/CDR/severity (decimals), lag in months, parallel curve shift (decimal)."""

    cpr: float
    cdr: float
    severity: float
    lag_months: int = 12
    curve_shift: float = 0.0


@dataclass(frozen=True)
class GridInputs:
    deal: DealStructure
    collateral: CollateralArrays
    tenors: tuple[tuple[int, float], ...]
    conventions: Conventions
    index: RateIndex = LIBOR_3M
    sink: SinkSchedule | None = None


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    sub_note_irr: float | None
    tranche_principal: dict[str, float]
    tranche_cash: dict[str, float]
    incentive_fee: float
    periods: int
    defaults: float


def scenario_grid(
    cpr: Iterable[float],
    cdr: Iterable[float],
    severity: Iterable[float],
    shifts: Iterable[float] = (0.0,),
    lags: Iterable[int] = (12,),
) -> list[Scenario]:
    return [
        Scenario(c, d, s, lag, sh) for c, d, s, sh, lag in itertools.product(cpr, cdr, severity, shifts, lags)
    ]


def summarise(result: DealResult, scenario: Scenario) -> ScenarioResult:
    principal: dict[str, float] = {}
    cash: dict[str, float] = {}
    for p in result.periods:
        for t in p.tranches:
            principal[t.name] = principal.get(t.name, 0.0) + t.principal_paid + t.deferred_principal_paid
            cash[t.name] = (
                cash.get(t.name, 0.0)
                + t.principal_paid
                + t.deferred_principal_paid
                + t.interest_paid
                + t.deferred_interest_paid
            )
    return ScenarioResult(
        scenario,
        result.sub_note_irr,
        principal,
        cash,
        result.incentive_fee_total,
        len(result.periods),
        0.0,
    )


def run_one(inputs: GridInputs, scenario: Scenario) -> ScenarioResult:
    conv = inputs.conventions
    curve = build_curve(
        inputs.deal.dates.analysis_date,
        dict(inputs.tenors),
        convention=CurveConvention.LEGACY if conv.legacy else CurveConvention.CORRECTED,
        extrapolation=Extrapolation.FLAT,
        shift=scenario.curve_shift,
        index=inputs.index,
    )
    a = CashflowAssumptions(
        AssetAssumption(scenario.cpr, scenario.cdr, scenario.severity, scenario.lag_months),
        legacy_vector_overrun=conv.legacy,
    )
    result = run_deal(inputs.deal, inputs.collateral, a, curve, conventions=conv, sink=inputs.sink)
    return summarise(result, scenario)


def _run_chunk(inputs: GridInputs, chunk: Sequence[Scenario]) -> list[ScenarioResult]:
    return [run_one(inputs, s) for s in chunk]


def _chunks(items: Sequence[Scenario], size: int) -> list[list[Scenario]]:
    return [list(items[k : k + size]) for k in range(0, len(items), size)]


def run_grid(
    inputs: GridInputs,
    scenarios: Sequence[Scenario],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
) -> list[ScenarioResult]:
    """Every scenario's summary, in the order given."""
    workers = workers or min(2, os.cpu_count() or 1)
    size = chunk_size or max(1, len(scenarios) // (workers * 4) or 1)
    chunks = _chunks(scenarios, size)
    if scheduler is not None:
        return _run_dask(inputs, chunks, scheduler)
    if workers == 1 or len(chunks) == 1:
        return [r for c in chunks for r in _run_chunk(inputs, c)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_run_chunk, itertools.repeat(inputs), chunks))
    return [r for part in parts for r in part]


def _run_dask(inputs: GridInputs, chunks: list[list[Scenario]], scheduler: Any) -> list[ScenarioResult]:
    from dask.distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        shared = client.scatter(inputs, broadcast=True)
        futures = client.map(_run_chunk, [shared] * len(chunks), chunks, pure=False)
        parts = client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()
    return [r for part in parts for r in part]


def grid_table(results: Sequence[ScenarioResult]) -> list[Mapping[str, object]]:
    """Flat rows (for JSON / a report)."""
    return [
        {
            "cpr": r.scenario.cpr,
            "cdr": r.scenario.cdr,
            "severity": r.scenario.severity,
            "lag_months": r.scenario.lag_months,
            "curve_shift": r.scenario.curve_shift,
            "sub_note_irr": r.sub_note_irr,
            "incentive_fee": r.incentive_fee,
            "periods": r.periods,
            **{f"cash:{k}": v for k, v in r.tranche_cash.items()},
        }
        for r in results
    ]


_ = np
