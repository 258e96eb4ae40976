"""Portfolio rebalancing (COMPLIANCE_SPEC §5.4): sell down to a sale target, then buy up to a buy target,
one step at a time, re-ranking candidates with the asset-level objective after every accepted trade.

* Sale loop: while sold < target, sell the lowest-scoring sale candidate at market value (min(step,
  remaining) par, capped at the holding).
* Buy loop: while bought < target and principal cash > 0, walk the ranked buy candidates: buy one step
  (capped by cash); a name may take at most 5% of the buy target (Q29: the code comment says 2%); accept
  when the portfolio objective stays > 0 (legacy) / when no test other than 31 newly fails (corrected);
  otherwise undo and try the next candidate.

Nothing is mutated: the result carries the final pool and cash. The legacy could loop forever when no
sale candidate is left without a filter (Q27); clo-xl stops.

Price: every trade is at the asset's market value (MV ÷ 100), capped by the cash at that moment, so a buy
above par burns par (cash spent > par bought) and a sale above par builds it; the result reports each
trade's and the whole rebalancing's par build (:attr:`RebalanceResult.par_build`). In corrected the
candidates are ranked per unit of cash at what their par returns (switch Q26_PRICE_BLIND_SCORES: par, or the
``liquidation`` price at the deal's stated maturity for an asset maturing after it; by default the deal
sheet's CFInputs "Liquidation Price"). :meth:`RebalanceResult.lots` aggregates the step-sized lots per asset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clo_xl.compliance.catalogue import TEST_FACILITY_SIZE
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import ExecutedTrade, apply_trades
from clo_xl.compliance.quirks import Quirk
from clo_xl.compliance.rankings import candidates, liquidation_price, rank_assets
from clo_xl.compliance.results import ComplianceReport
from clo_xl.enums import TransactionType
from clo_xl.portfolio.pool import Pool, Trade

NAME_CAP = 0.05


def par_build(trade: ExecutedTrade) -> float:
    """Par built (+) or burnt (−) by a trade: par bought − cash paid, or cash received − par sold."""
    if trade.trade.transaction is TransactionType.BUY:
        return trade.executed_par + trade.cash_change
    if trade.trade.transaction is TransactionType.SALE:
        return trade.cash_change - trade.executed_par
    return 0.0


@dataclass(frozen=True)
class AssetLots:
    """The lots of one asset on one side, aggregated: par, cash (paid for buys, received for sales), the
    average price (cash ÷ par, decimal) and the par built (+) or burnt (−)."""

    brs_id: str
    side: TransactionType
    lots: int
    par: float
    cash: float

    @property
    def price(self) -> float:
        return self.cash / self.par if self.par else 0.0

    @property
    def par_build(self) -> float:
        return self.par - self.cash if self.side is TransactionType.BUY else self.cash - self.par

    def to_json(self) -> dict[str, Any]:
        return {
            "brs_id": self.brs_id,
            "side": self.side.value,
            "lots": self.lots,
            "par": self.par,
            "cash": self.cash,
            "price": self.price,
            "par_build": self.par_build,
        }


@dataclass(frozen=True)
class RebalanceResult:
    before: ComplianceReport
    after: ComplianceReport
    sales: tuple[ExecutedTrade, ...]
    purchases: tuple[ExecutedTrade, ...]
    pool: Pool
    cash: float
    messages: tuple[str, ...] = field(default_factory=tuple)
    evaluations: int = 0
    liquidation_price: float = 1.0

    @property
    def par_build(self) -> float:
        """Par built (+) or burnt (−) by all the trades: Δ(par + principal cash) is 0, so this is the change
        in par held less the principal cash spent."""
        return sum(par_build(t) for t in (*self.sales, *self.purchases))

    def lots(self, side: TransactionType) -> tuple[AssetLots, ...]:
        """The executed lots of ``side`` aggregated per asset, in the order each asset was first traded."""
        trades = self.purchases if side is TransactionType.BUY else self.sales
        out: dict[str, AssetLots] = {}
        for t in trades:
            if t.executed_par <= 0:
                continue
            seen = out.get(t.trade.brs_id)
            cash = abs(t.cash_change)
            if seen is None:
                out[t.trade.brs_id] = AssetLots(t.trade.brs_id, side, 1, t.executed_par, cash)
            else:
                out[t.trade.brs_id] = AssetLots(
                    seen.brs_id, side, seen.lots + 1, seen.par + t.executed_par, seen.cash + cash
                )
        return tuple(out.values())

    def to_json(self) -> dict[str, Any]:
        before = self.before.to_json()
        after = {r.number: r for r in self.after.results}
        for t in before["tests"]:
            r = after.get(t["number"])
            t["after_result"] = r.result if r else None
            t["after_pass"] = r.passed if r else None
            t["after_threshold"] = r.threshold if r else None
        before["after_objective"] = self.after.objective
        before["after_collateral_principal_amount"] = self.after.collateral_principal_amount
        before["after_principal_cash"] = self.cash
        before["sales"] = [{**e.to_json(), "par_build": par_build(e)} for e in self.sales]
        before["purchases"] = [{**e.to_json(), "par_build": par_build(e)} for e in self.purchases]
        before["sales_by_asset"] = [a.to_json() for a in self.lots(TransactionType.SALE)]
        before["purchases_by_asset"] = [a.to_json() for a in self.lots(TransactionType.BUY)]
        before["par_build"] = self.par_build
        before["liquidation_price"] = self.liquidation_price
        before["messages"] = list(self.messages)
        return before


@dataclass
class _Walk:
    """The rebalancing's running state: the pool and cash so far, the last accepted evaluation, the
    previous-values state carried between evaluations, how many evaluations ran and the messages."""

    engine: ComplianceEngine
    pool: Pool
    cash: float
    current: ComplianceReport
    state: Any
    max_evaluations: int
    liquidation: float | None
    evals: int = 1
    messages: list[str] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.evals >= self.max_evaluations

    def accept(self, pool: Pool, cash: float, report: ComplianceReport) -> None:
        self.pool, self.cash, self.current, self.state = pool, cash, report, report.state_after


def rebalance(
    engine: ComplianceEngine,
    pool: Pool,
    *,
    step: float = 750_000.0,
    sale_target: float = 0.0,
    buy_target: float = 0.0,
    buy_filter: str = "",
    sale_filter: str = "",
    allow_increase: bool = False,
    max_evaluations: int = 20_000,
    liquidation: float | None = None,
) -> RebalanceResult:
    cash = engine.deal.principal_cash
    before = engine.evaluate(pool, cash=cash)
    walk = _Walk(engine, pool, cash, before, before.state_after, max_evaluations, liquidation)
    sales = _sell(walk, step, sale_target, sale_filter)
    purchases = _buy(walk, step, buy_target, buy_filter, allow_increase)
    after = engine.evaluate(walk.pool, cash=walk.cash, state=walk.state)
    return RebalanceResult(
        before, after, tuple(sales), tuple(purchases), walk.pool, walk.cash, tuple(walk.messages),
        walk.evals + 1, liquidation_price(engine.deal, liquidation),
    )  # fmt: skip


def _sell(walk: _Walk, step: float, sale_target: float, sale_filter: str) -> list[ExecutedTrade]:
    """The sale loop: sell the lowest-scoring candidate, one step at a time, up to the sale target (capped
    at the par matching the sale filter)."""
    engine, pool = walk.engine, walk.pool
    sale_pos = candidates(engine, pool, TransactionType.SALE, sale_filter=sale_filter)
    available = float(sum(pool.par_of(pool.universe.assets[p].brs_id) for p in sale_pos.tolist()))
    if sale_target > available:
        walk.messages.append(
            f"sale target {sale_target:,.2f} exceeds the par matching the sale filter; capped"
        )
        sale_target = available
    sales: list[ExecutedTrade] = []
    sold = 0.0
    while sold < sale_target - 1e-6 and not walk.exhausted:
        ranking = rank_assets(
            engine, walk.pool, side=TransactionType.SALE, step=step, sale_filter=sale_filter,
            report=walk.current, liquidation=walk.liquidation,
        )  # fmt: skip
        if ranking.positions.size == 0:
            if Quirk.Q27_FILTERED_COUNT_ZERO in engine.quirks and not sale_filter.strip():
                walk.messages.append(
                    "no sale candidates left (the legacy never leaves this loop; clo-xl stops)"
                )
            else:
                walk.messages.append("no sale candidates left")
            break
        brs = walk.pool.universe.assets[int(ranking.positions[0])].brs_id
        par = min(step, sale_target - sold)
        pool, cash, done = apply_trades(walk.pool, walk.cash, [Trade(brs, TransactionType.SALE, par)])
        sales.extend(done)
        sold += done[0].executed_par
        if done[0].executed_par <= 0:
            walk.pool, walk.cash = pool, cash
            break
        walk.accept(pool, cash, engine.evaluate(pool, cash=cash, state=walk.state))
        walk.evals += 1
    return sales


def _buy(
    walk: _Walk, step: float, buy_target: float, buy_filter: str, allow_increase: bool
) -> list[ExecutedTrade]:
    """The buy loop: while cash and the buy target last, buy one step of the best candidate that keeps
    the portfolio compliant (legacy: objective > 0; corrected: no test newly fails), a name at most
    :data:`NAME_CAP` of the buy target."""
    engine = walk.engine
    legacy = Quirk.Q29_REBALANCE_DEFECTS in engine.quirks
    purchases: list[ExecutedTrade] = []
    bought_by_name: dict[str, float] = {}
    do_not_buy: set[str] = set()
    bought = 0.0
    while bought < buy_target - 1e-6 and walk.cash > 0 and not walk.exhausted:
        ranking = rank_assets(
            engine, walk.pool, side=TransactionType.BUY, step=step, buy_filter=buy_filter,
            allow_increase=allow_increase, report=walk.current, liquidation=walk.liquidation,
        )  # fmt: skip
        accepted = False
        ids = [walk.pool.universe.assets[p].brs_id for p in ranking.positions.tolist()]
        for i, brs in enumerate(ids):
            if brs in do_not_buy:
                continue
            par = step if legacy else min(step, buy_target - bought)
            trial_pool, trial_cash, done = apply_trades(
                walk.pool, walk.cash, [Trade(brs, TransactionType.BUY, par)]
            )
            got = done[0].executed_par
            trial = engine.evaluate(trial_pool, cash=trial_cash, state=walk.state)
            walk.evals += 1
            if legacy:
                walk.state = trial.state_after  # the recalculation moves previous values forward (Q17)
            objective = trial.objective
            if (
                brs in bought_by_name
                and buy_target > 0
                and (bought_by_name[brs] + got) / buy_target > NAME_CAP
            ):
                objective = 0.0
                do_not_buy.add(brs)
            ok = objective > 0 if legacy else _no_new_failures(walk.current, trial) and objective >= 0
            if ok and got > 0 and brs not in do_not_buy:
                walk.accept(trial_pool, trial_cash, trial)
                purchases.extend(done)
                bought += got
                bought_by_name[brs] = bought_by_name.get(brs, 0.0) + got
                accepted = True
                break
            if i == len(ids) - 1 or walk.exhausted:
                break
        if not accepted:
            walk.messages.append("no candidate purchase keeps the portfolio compliant; stopped")
            break
    return purchases


def _no_new_failures(before: ComplianceReport, after: ComplianceReport) -> bool:
    was_ok = {r.number for r in before.results if r.passed}
    return not any(
        (not r.passed) and r.number in was_ok and r.number != TEST_FACILITY_SIZE for r in after.results
    )


__all__ = ["NAME_CAP", "AssetLots", "RebalanceResult", "par_build", "rebalance"]
