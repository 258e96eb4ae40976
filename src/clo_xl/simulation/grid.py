"""Scenario grids (CPR × CDR × severity × lag × recovery timing × curve shift), run through an
:mod:`executor <clo_xl.simulation.executor>`: this process, a local process pool, or a Dask cluster.

An axis left out of a scenario (``None``) takes the run's own assumption: the workbook's `CFAssumptions`
(vectors and per-asset rows included) when the grid's :class:`GridInputs` carry them. Each scenario reports,
per class of notes, its yield (IRR at the input price), WAL, principal loss and price at the class's
discount margin (:mod:`clo_xl.waterfall.measures`), beside the Sub Notes IRR and the incentive fee.

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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from clo_xl.cashflows.assumptions import (
    AssetAssumption,
    CallSpec,
    CashflowAssumptions,
    RecoveryTiming,
    edit_assumptions,
)
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves import CurveSpec, ForwardCurve
from clo_xl.simulation.executor import Executor, Progress, open_executor, parallel_map
from clo_xl.waterfall.measures import tranche_measures
from clo_xl.waterfall.run import DealResult, run_deal

if TYPE_CHECKING:  # Dask is optional (the ``clo-xl[cluster]`` extra)
    from distributed import Client


@dataclass(frozen=True)
class Scenario:
    """One grid point: annual CPR/CDR/severity (decimals), lag in months, parallel curve shift (decimal),
    recovery timing; ``None`` = the run's own assumption (the workbook's)."""

    cpr: float | None
    cdr: float | None
    severity: float | None
    lag_months: int | None = 12
    curve_shift: float = 0.0
    recovery_timing: RecoveryTiming | None = None

    def assumptions(self, base: CashflowAssumptions) -> CashflowAssumptions:
        """``base`` with this scenario's rates in place of the ones it gives (every asset row too)."""

        def edit(a: AssetAssumption) -> AssetAssumption:
            return AssetAssumption(
                a.cpr if self.cpr is None else self.cpr,
                a.cdr if self.cdr is None else self.cdr,
                a.severity if self.severity is None else self.severity,
                a.lag_months if self.lag_months is None else self.lag_months,
            )

        edited = edit_assumptions(base, edit)
        return (
            edited if self.recovery_timing is None else replace(edited, recovery_timing=self.recovery_timing)
        )


@dataclass(frozen=True)
class GridInputs:
    """Everything a grid task needs, as picklable values (the curve as nodes, the calendar as dates)."""

    deal: DealStructure
    collateral: CollateralArrays
    curve: CurveSpec
    conventions: Conventions
    sink: SinkSchedule | None = None
    assumptions: CashflowAssumptions | None = None  # the run's own (e.g. the workbook's CFAssumptions)
    call: CallSpec | None = None

    def base(self) -> CashflowAssumptions:
        """The assumptions a scenario edits (the run's own, or none with the convention's vector switches)."""
        if self.assumptions is not None:
            return self.assumptions
        conv = self.conventions
        return CashflowAssumptions(
            legacy_vector_overrun=conv.vector_overrun, unknown_vector_zero=conv.unknown_vector_zero
        )


@dataclass(frozen=True)
class ClassMetrics:
    """One class of notes in one scenario: yield (IRR at its input price), WAL (years), principal loss
    (currency: balance and deferred balance still outstanding at the end) and price at its discount margin
    (a fraction of par)."""

    irr: float | None
    wal: float | None
    principal_loss: float
    price_at_dm: float | None


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    sub_note_irr: float | None
    tranche_principal: dict[str, float]
    tranche_cash: dict[str, float]
    incentive_fee: float
    periods: int
    defaults: float
    classes: dict[str, ClassMetrics] = field(default_factory=dict)


def scenario_grid(
    cpr: Iterable[float | None],
    cdr: Iterable[float | None],
    severity: Iterable[float | None],
    shifts: Iterable[float] = (0.0,),
    lags: Iterable[int | None] = (12,),
    recovery_timings: Iterable[RecoveryTiming | None] = (None,),
) -> list[Scenario]:
    """Every combination of the axes (``None`` on an axis = the run's own assumption)."""
    return [
        Scenario(c, d, s, lag, sh, rt)
        for c, d, s, sh, lag, rt in itertools.product(cpr, cdr, severity, shifts, lags, recovery_timings)
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


def class_metrics(
    result: DealResult, deal: DealStructure, curve: ForwardCurve, conventions: Conventions
) -> dict[str, ClassMetrics]:
    """Per class of notes (the equity left out): the measures of :mod:`clo_xl.waterfall.measures` without
    the margin solve, and the principal outstanding at the end."""
    if not result.periods:
        return {}
    measures = {
        m["class"]: m for m in tranche_measures(result, deal, curve, conventions=conventions, solve_dm=False)
    }
    last = {t.name: t for t in result.periods[-1].tranches}
    return {
        t.name: ClassMetrics(
            measures[t.name]["irr"],
            measures[t.name]["wal"],
            max(last[t.name].ending_balance + last[t.name].deferred_ending, 0.0),
            measures[t.name]["price_given_dm"],
        )
        for t in deal.tranches
        if not t.equity and t.name in last
    }


def summarise(
    result: DealResult, scenario: Scenario, classes: dict[str, ClassMetrics] | None = None
) -> ScenarioResult:
    principal, cash = tranche_totals(result)
    return ScenarioResult(
        scenario,
        result.sub_note_irr,
        principal,
        cash,
        result.incentive_fee_total,
        len(result.periods),
        0.0,
        classes or {},
    )


def run_one(inputs: GridInputs, scenario: Scenario, curve: ForwardCurve | None = None) -> ScenarioResult:
    """One scenario: the deal run at the scenario's CPR/CDR/severity/lag on the shifted curve."""
    conv = inputs.conventions
    curve = curve or inputs.curve.shifted(scenario.curve_shift).build()
    a = scenario.assumptions(inputs.base())
    deal, call = inputs.deal, inputs.call
    result = run_deal(
        deal if call is None else replace(deal, liquidation_price=call.price),
        inputs.collateral,
        a,
        curve,
        conventions=conv,
        sink=inputs.sink,
        call_date=None if call is None else call.on,
    )
    return summarise(result, scenario, class_metrics(result, deal, curve, conv))


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
    """Flat rows (for JSON / a report): the axes (``None`` = the run's own assumption), then the deal's
    figures, then per class ``irr:``, ``wal:``, ``principal_loss:``, ``price:`` and ``cash:`` columns."""
    rows: list[Mapping[str, object]] = []
    for r in results:
        per_class: dict[str, object] = {}
        for name, m in r.classes.items():
            per_class[f"irr:{name}"] = m.irr
            per_class[f"wal:{name}"] = m.wal
            per_class[f"principal_loss:{name}"] = m.principal_loss
            per_class[f"price:{name}"] = m.price_at_dm
        timing = r.scenario.recovery_timing
        rows.append(
            {
                "cpr": r.scenario.cpr,
                "cdr": r.scenario.cdr,
                "severity": r.scenario.severity,
                "lag_months": r.scenario.lag_months,
                "recovery_timing": None if timing is None else [list(x) for x in timing.shares],
                "curve_shift": r.scenario.curve_shift,
                "sub_note_irr": r.sub_note_irr,
                "incentive_fee": r.incentive_fee,
                "periods": r.periods,
                **per_class,
                **{f"cash:{k}": v for k, v in r.tranche_cash.items()},
            }
        )
    return rows
