"""Scenario grids (CPR × CDR × severity × lag × curve shift), run through an :mod:`executor
<clo_xl.simulation.executor>`: this process, a local process pool, or a Dask cluster.

A grid task is :func:`run_scenarios` over a chunk of :class:`Scenario` with one :class:`GridInputs`: the
deal structure, the collateral columns, the curve as nodes (:class:`~clo_xl.curves.CurveSpec`), the
conventions and the sink schedule; the calendar travels inside the deal's dates as a list of holidays. A
worker builds its curve from the nodes, so no QuantLib object and no driver global is needed.

>>> with open_executor(workers=2) as ex:  # doctest: +SKIP
...     results = run_grid(inputs, scenario_grid([0.1, 0.2], [0.02], [0.35]), executor=ex)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves import CurveSpec, ForwardCurve
from clo_xl.simulation.executor import Executor, Progress, open_executor, parallel_map
from clo_xl.waterfall.run import DealResult, run_deal

if TYPE_CHECKING:  # Dask is optional (the ``clo-xl[cluster]`` extra)
    from distributed import Client


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
    """Everything a grid task needs, as picklable values (the curve as nodes, the calendar as dates)."""

    deal: DealStructure
    collateral: CollateralArrays
    curve: CurveSpec
    conventions: Conventions
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


def tranche_totals(result: DealResult) -> tuple[dict[str, float], dict[str, float]]:
    """Per class over the run: principal paid (incl. deferred), and all cash paid (principal and interest,
    current and deferred)."""
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
    return principal, cash


def summarise(result: DealResult, scenario: Scenario) -> ScenarioResult:
    principal, cash = tranche_totals(result)
    return ScenarioResult(
        scenario,
        result.sub_note_irr,
        principal,
        cash,
        result.incentive_fee_total,
        len(result.periods),
        0.0,
    )


def run_one(inputs: GridInputs, scenario: Scenario, curve: ForwardCurve | None = None) -> ScenarioResult:
    """One scenario: the deal run at the scenario's CPR/CDR/severity/lag on the shifted curve."""
    conv = inputs.conventions
    curve = curve or inputs.curve.shifted(scenario.curve_shift).build()
    a = CashflowAssumptions(
        AssetAssumption(scenario.cpr, scenario.cdr, scenario.severity, scenario.lag_months),
        legacy_vector_overrun=conv.vector_overrun,
        unknown_vector_zero=conv.unknown_vector_zero,
    )
    result = run_deal(inputs.deal, inputs.collateral, a, curve, conventions=conv, sink=inputs.sink)
    return summarise(result, scenario)


def run_scenarios(inputs: GridInputs, chunk: list[Scenario]) -> list[ScenarioResult]:
    """A grid task: every scenario of ``chunk``, building each distinct shifted curve once."""
    curves: dict[float, ForwardCurve] = {}
    out = []
    for s in chunk:
        if s.curve_shift not in curves:
            curves[s.curve_shift] = inputs.curve.shifted(s.curve_shift).build()
        out.append(run_one(inputs, s, curves[s.curve_shift]))
    return out


def run_grid(
    inputs: GridInputs,
    scenarios: Sequence[Scenario],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    scheduler: str | Client | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> list[ScenarioResult]:
    """Every scenario's summary, in the order given, on ``executor`` (or one opened from ``workers`` /
    ``scheduler`` for this call: see :func:`~clo_xl.simulation.executor.open_executor`)."""
    if executor is not None:
        return parallel_map(
            executor, run_scenarios, inputs, scenarios, chunk_size=chunk_size, progress=progress
        )
    with open_executor(workers, scheduler) as ex:
        return parallel_map(ex, run_scenarios, inputs, scenarios, chunk_size=chunk_size, progress=progress)


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
