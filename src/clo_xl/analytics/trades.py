"""Trade analytics for a hypothetical trade list or a rebalancing: par build or burn, trading gain or loss,
the effect on each coverage cushion, and the reinvestment criteria that apply after the reinvestment
period.

* **Par build (burn)** of a trade = the change in collateral par plus principal cash: a purchase of par P at
  price p builds P × (1 − p), a sale burns P × (1 − p) (builds when sold above par).
* **Trading gain (loss)** against the mark = (sale price − market value) × par for a sale, (market value −
  purchase price) × par for a purchase; against cost = (sale price − purchase price) × par for a sale of an
  obligation whose purchase price is known.
* **Cushions**: each coverage test on the determination date before and after the trades (the denominators
  do not move; the numerator follows the pool and the cash; IC follows the scheduled interest).
* **Maintain or improve** (post-reinvestment-period criteria): WARF, WAS, the diversity score and each
  class's OC each hold when, after the trades, the test passes its threshold or is no worse than before.

Money in deal currency; prices as fractions of par.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from clo_xl.analytics.coverage import CoverageRow
from clo_xl.compliance.hypo import ExecutedTrade
from clo_xl.compliance.results import ComplianceReport
from clo_xl.enums import TransactionType
from clo_xl.portfolio.pool import Pool


@dataclass(frozen=True)
class TradeLine:
    brs_id: str
    side: str  # "buy" or "sale"
    status: str
    par: float
    price: float
    market_value: float
    cash_change: float
    par_build: float
    gain_loss_vs_mark: float
    gain_loss_vs_cost: float | None


def trade_line(t: ExecutedTrade, market_value: float, cost: float | None) -> TradeLine | None:
    """One executed trade (``None`` for a trade that moved nothing: unknown, not held, ignored)."""
    if t.executed_par <= 0 or t.trade.transaction is None:
        return None
    par, price = t.executed_par, t.price
    if t.trade.transaction is TransactionType.BUY:
        build, vs_mark, vs_cost = par * (1.0 - price), (market_value - price) * par, None
        side = "buy"
    else:
        build, vs_mark = -par * (1.0 - price), (price - market_value) * par
        vs_cost = None if cost is None else (price - cost) * par
        side = "sale"
    return TradeLine(
        t.trade.brs_id, side, t.status, par, price, market_value, t.cash_change, build, vs_mark, vs_cost
    )


@dataclass(frozen=True)
class CushionChange:
    """One coverage test before and after the trades (cushion in currency, ratio points as decimals)."""

    test: str
    kind: str
    tranche_class: str | None
    trigger: float
    ratio_before: float | None
    ratio_after: float | None
    cushion_before: float
    cushion_after: float
    pass_before: bool
    pass_after: bool

    @property
    def cushion_change(self) -> float:
        return self.cushion_after - self.cushion_before

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["class"] = out.pop("tranche_class")
        out["cushion_change"] = self.cushion_change
        return out


def cushion_changes(before: Sequence[CoverageRow], after: Sequence[CoverageRow]) -> tuple[CushionChange, ...]:
    by_test = {r.test: r for r in after}
    out = []
    for b in before:
        a = by_test.get(b.test)
        if a is None:
            continue
        out.append(
            CushionChange(
                b.test,
                b.kind,
                b.tranche_class,
                b.trigger,
                b.ratio,
                a.ratio,
                b.cushion,
                a.cushion,
                b.passed,
                a.passed,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Criterion:
    """A maintain-or-improve criterion: holds when the test passes after the trades, or is no worse."""

    name: str
    better: str  # "higher" or "lower"
    before: float | None
    after: float | None
    threshold: float | None

    @property
    def passes_after(self) -> bool | None:
        if self.after is None or self.threshold is None:
            return None
        return self.after <= self.threshold if self.better == "lower" else self.after >= self.threshold

    @property
    def maintained_or_improved(self) -> bool | None:
        if self.after is None or self.before is None:
            return None
        # within a millionth: summation noise is not a deterioration
        slack = 1e-9 * max(abs(self.before), 1.0)
        return (
            self.after <= self.before + slack if self.better == "lower" else self.after >= self.before - slack
        )

    @property
    def holds(self) -> bool:
        return bool(self.passes_after) or bool(self.maintained_or_improved)

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "passes_after": self.passes_after,
            "maintained_or_improved": self.maintained_or_improved,
            "holds": self.holds,
        }


def oc_criteria(changes: Sequence[CushionChange]) -> list[Criterion]:
    """Each class's OC ratio, with its trigger as the threshold, as a maintain-or-improve criterion."""
    return [
        Criterion(c.test, "higher", c.ratio_before, c.ratio_after, c.trigger)
        for c in changes
        if c.kind == "OC"
    ]


@dataclass(frozen=True)
class TradeAnalytics:
    deal: str
    convention: str
    source: str
    lines: tuple[TradeLine, ...]
    par_before: float
    par_after: float
    cash_before: float
    cash_after: float
    cushions: tuple[CushionChange, ...]
    criteria: tuple[Criterion, ...]
    reinvestment_end: date
    analysis_date: date
    warnings: tuple[dict[str, str], ...] = field(default=())
    notices: tuple[str, ...] = field(default=())

    @property
    def par_build(self) -> float:
        return float(sum(x.par_build for x in self.lines))

    @property
    def after_reinvestment_period(self) -> bool:
        return self.analysis_date > self.reinvestment_end

    def to_json(self) -> dict[str, Any]:
        """``trade-analytics --json``."""
        return {
            "deal": self.deal,
            "convention": self.convention,
            "source": self.source,
            "trades": [asdict(x) for x in self.lines],
            "par_build": self.par_build,
            "gain_loss_vs_mark": float(sum(x.gain_loss_vs_mark for x in self.lines)),
            "gain_loss_vs_cost": _sum_known([x.gain_loss_vs_cost for x in self.lines]),
            "collateral_par": {"before": self.par_before, "after": self.par_after},
            "principal_cash": {"before": self.cash_before, "after": self.cash_after},
            "cushions": [c.to_json() for c in self.cushions],
            "reinvestment_criteria": {
                "reinvestment_period_end": self.reinvestment_end.isoformat(),
                "apply": self.after_reinvestment_period,
                "hold": all(c.holds for c in self.criteria),
                "criteria": [c.to_json() for c in self.criteria],
            },
            "notices": list(self.notices),
            "warnings": list(self.warnings),
        }

    def to_pandas(self) -> Any:
        """The cushions before and after, indexed by test."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        return records_frame([c.to_json() for c in self.cushions], index="test")


def _sum_known(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(sum(known)) if known else None


def trade_lines(
    executed: Sequence[ExecutedTrade],
    market_values: Mapping[str, float],
    costs: Mapping[str, float] | None = None,
) -> tuple[TradeLine, ...]:
    lines = (
        trade_line(t, market_values.get(t.trade.brs_id, 0.0), (costs or {}).get(t.trade.brs_id))
        for t in executed
    )
    return tuple(x for x in lines if x is not None)


def cushion_figures(changes: Sequence[CushionChange]) -> dict[str, float | bool | None]:
    """Every cushion figure by label (for the warnings)."""
    out: dict[str, float | bool | None] = {}
    for c in changes:
        out[f"{c.test} ratio before"] = c.ratio_before
        out[f"{c.test} ratio after"] = c.ratio_after
        out[f"{c.test} cushion before"] = c.cushion_before
        out[f"{c.test} cushion after"] = c.cushion_after
        out[f"{c.test} pass after"] = c.pass_after
    return out


@dataclass(frozen=True)
class TradeRun:
    """A trade list or a rebalancing as carried out: trades, compliance before and after, pool and principal
    cash after, and what it was."""

    executed: tuple[ExecutedTrade, ...]
    before: ComplianceReport
    after: ComplianceReport
    pool: Pool
    cash: float
    source: str
