"""A deal prepared once for many projections, and the projection of many scenarios in one batch.

:class:`CashflowModel` holds what every scenario of one deal shares (structure, collateral, curve,
conventions, the run's own assumptions, the sink schedule). :meth:`CashflowModel.pools` projects several
scenario variants of the collateral at once: the asset pool is stacked once per variant into one set of
column arrays (the schedule of the stacked pool is built once and cached, like a single pool's), the
projection loop runs once over all rows, and each variant's rows are bucketed into the deal periods
separately. Every row is computed by the same numpy expressions as a single projection, so a variant's
pool flows equal the single-scenario projection exactly (``tests/analytics/test_scenario.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from clo_xl.cashflows.assumptions import CallSpec, CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import (
    AssetFlows,
    AssetSchedule,
    PoolFlows,
    ProjectionSwitches,
    SinkSchedule,
    bucket_to_deal,
    project_asset_rows,
)
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.cashflows.timeline import PaymentGrid, build_grid
from clo_xl.curves import CurveSpec
from clo_xl.curves.base import ForwardCurve, RateIndex
from clo_xl.curves.conventions import FloatArray, IntArray
from clo_xl.waterfall.run import CCC_SP, DealResult, run_deal


def _stack_collateral(coll: CollateralArrays, copies: int) -> CollateralArrays:
    """``copies`` copies of the pool in one set of columns; copy k's ids end with ``#k``."""
    fields: dict[str, Any] = {}
    for name, value in vars(coll).items():
        if value is None:
            fields[name] = None
        elif name == "asset_id":
            fields[name] = np.concatenate([np.char.add(value.astype(str), f"#{k}") for k in range(copies)])
        else:
            fields[name] = np.tile(value, copies)
    return CollateralArrays(**fields)


def _stack_sink(sink: SinkSchedule, n: int, copies: int) -> SinkSchedule:
    offsets = np.repeat(np.arange(copies, dtype=np.int64) * n, len(sink.asset))
    return SinkSchedule(
        np.tile(sink.asset, copies) + offsets, np.tile(sink.date, copies), np.tile(sink.amount, copies)
    )


def _slice_flows(flows: AssetFlows, rows: slice) -> AssetFlows:
    """The rows of one stacked copy, as a single pool's :class:`AssetFlows`."""
    s = flows.schedule
    sched = AssetSchedule(
        s.dates[rows],
        s.accrual_start[rows],
        s.valid[rows],
        s.counter[rows],
        s.last[rows],
        s.months[rows],
        s.days360[rows],
        s.year_fraction[rows],
        None if s.principal_only is None else s.principal_only[rows],
        None if s.fraction is None else s.fraction[rows],
    )
    return AssetFlows(
        sched,
        flows.par[rows],
        flows.predefault[rows],
        flows.beginning[rows],
        flows.coupon[rows],
        flows.default[rows],
        flows.mv_default[rows],
        flows.interest[rows],
        flows.scheduled[rows],
        flows.prepayment[rows],
        flows.recovery[rows],
        flows.net_loss[rows],
        None if flows.mv_written_off is None else flows.mv_written_off[rows],
    )


def _shape_key(a: CashflowAssumptions) -> tuple[object, ...]:
    """What a batch of stacked variants must share: everything but the per-asset rates."""
    return (
        tuple(sorted(a.vectors.items())),
        a.legacy_vector_overrun,
        a.unknown_vector_zero,
        a.default_timing,
        a.recovery_timing,
    )


def _stacked_assumptions(variants: Sequence[CashflowAssumptions], ids: Sequence[str]) -> CashflowAssumptions:
    """One assumption set for the stacked pool: copy k's assets take variant k's assumption (the variants
    share their deal-wide shapes, :func:`_shape_key`)."""
    overrides = {f"{a}#{k}": v.for_asset(a) for k, v in enumerate(variants) for a in ids}
    return replace(variants[0], overrides=overrides)


@dataclass(eq=False)
class MemoCurve:
    """A curve that remembers its index rates: every scenario of a deal asks the same fixings (the
    deal's determination and payment dates, the assets' reset dates), and a curve query costs more than
    a period of the waterfall."""

    curve: ForwardCurve
    _rates: dict[tuple[bytes, int], FloatArray] = field(default_factory=dict, init=False, repr=False)

    @property
    def anchor(self) -> date:
        return self.curve.anchor

    @property
    def index(self) -> RateIndex:
        return self.curve.index

    def index_rate(self, fixing: IntArray, months: int) -> FloatArray:
        key = (np.ascontiguousarray(fixing, dtype=np.int64).tobytes(), int(months))
        if key not in self._rates:
            self._rates[key] = self.curve.index_rate(fixing, months)
        return self._rates[key].copy()

    def zero_rate(self, start: date, end: date) -> float:
        return self.curve.zero_rate(start, end)

    def discount_factor(self, when: date) -> float:
        return self.curve.discount_factor(when)

    def shifted(self, shift: float) -> ForwardCurve:
        return MemoCurve(self.curve.shifted(shift))


@dataclass(eq=False)
class CashflowModel:
    """One deal ready for many projections (rates decimals, lag months; see :mod:`clo_xl.cashflows`).

    ``assumptions`` are the run's own (the workbook's `CFAssumptions`, or the options given); scenario
    analytics replace one assumption at a time and keep the rest.
    """

    structure: DealStructure
    collateral: CollateralArrays
    curve_spec: CurveSpec
    conventions: Conventions
    assumptions: CashflowAssumptions
    sink: SinkSchedule | None = None
    convention_name: str = "legacy"
    call: CallSpec | None = None
    _curve: MemoCurve | None = field(default=None, init=False, repr=False)
    _stacks: dict[int, tuple[CollateralArrays, SinkSchedule | None]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as data (a worker rebuilds the curve from its nodes and its own stacked pools)."""
        state = dict(self.__dict__)
        state["_curve"], state["_stacks"] = None, {}
        return state

    @property
    def curve(self) -> ForwardCurve:
        """The curve built once from :attr:`curve_spec`, remembering its index rates."""
        if self._curve is None:
            self._curve = MemoCurve(self.curve_spec.build())
        return self._curve

    @property
    def grid(self) -> PaymentGrid:
        conv = self.conventions
        return build_grid(
            self.structure.dates, legacy=conv.legacy_business_days, pay_day_rolls=conv.pay_day_rolls
        )

    @property
    def switches(self) -> ProjectionSwitches:
        c = self.conventions
        return ProjectionSwitches(
            c.zero_par_million, c.write_off_unrecovered, c.legacy_business_days, self.structure.dates.calendar
        )

    def ccc_mask(self, coll: CollateralArrays | None = None) -> np.ndarray:
        c = self.collateral if coll is None else coll
        return np.isin(np.char.upper(c.sp_rating.astype(str)), CCC_SP)

    def _stack(self, copies: int) -> tuple[CollateralArrays, SinkSchedule | None]:
        """The pool stacked ``copies`` times (kept, so its cached schedule is reused across batches)."""
        if copies not in self._stacks:
            coll = _stack_collateral(self.collateral, copies)
            sink = None if self.sink is None else _stack_sink(self.sink, len(self.collateral), copies)
            self._stacks[copies] = (coll, sink)
        return self._stacks[copies]

    def pools(self, variants: Sequence[CashflowAssumptions]) -> list[PoolFlows]:
        """Each variant's pool flows per deal period, projected in batches over the stacked pool: one batch
        per set of deal-wide shapes (vectors, timing curves, vector switches), usually one."""
        if not variants:
            return []
        if len(self.collateral) == 0:
            return [PoolFlows.zeros(self.grid.n) for _ in variants]
        groups: dict[tuple[object, ...], list[int]] = {}
        for i, v in enumerate(variants):
            groups.setdefault(_shape_key(v), []).append(i)
        out: list[PoolFlows | None] = [None] * len(variants)
        for members in groups.values():
            for i, flows in zip(members, self._batch([variants[i] for i in members]), strict=True):
                out[i] = flows
        return [x for x in out if x is not None]

    def _batch(self, variants: Sequence[CashflowAssumptions]) -> list[PoolFlows]:
        n = len(self.collateral)
        coll, sink = self._stack(len(variants))
        ids = [str(a) for a in self.collateral.asset_id]
        flows = project_asset_rows(
            coll,
            _stacked_assumptions(variants, ids),
            self.curve,
            self.structure.dates.analysis_date,
            switches=self.switches,
            sink=sink,
        )
        mask = self.ccc_mask()
        grid = self.grid
        return [
            bucket_to_deal(
                _slice_flows(flows, slice(k * n, (k + 1) * n)), self.collateral, grid, ccc_mask=mask
            )
            for k in range(len(variants))
        ]

    def run(
        self,
        assumptions: CashflowAssumptions | None = None,
        *,
        structure: DealStructure | None = None,
        pool: PoolFlows | None = None,
    ) -> DealResult:
        """One deterministic run (the model's own assumptions unless others are given; with the model's
        call, the deal is called and its collateral sold at the call price)."""
        deal = structure or self.structure
        if self.call is not None:
            deal = replace(deal, liquidation_price=self.call.price)
        return run_deal(
            deal,
            self.collateral,
            assumptions or self.assumptions,
            self.curve,
            conventions=self.conventions,
            sink=self.sink,
            pool=pool,
            call_date=None if self.call is None else self.call.on,
        )

    def run_many(
        self,
        variants: Sequence[CashflowAssumptions],
        structures: Sequence[DealStructure] | None = None,
    ) -> list[DealResult]:
        """Deal runs of several variants, their collateral projected in one batch."""
        pools = self.pools(variants)
        deals = structures or [self.structure] * len(variants)
        return [self.run(v, structure=s, pool=p) for v, s, p in zip(variants, deals, pools, strict=True)]
