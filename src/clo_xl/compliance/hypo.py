"""Hypothetical trades (COMPLIANCE_SPEC §5.2): before/after compliance for a list of buys and sales.

Nothing is mutated and undone (the legacy applied trades to its pool and reversed them afterwards): the
trades produce a new :class:`~clo_xl.portfolio.pool.Pool` and a new cash figure.

Rules, in list order:

* **Buy**: price = trade price (blank/0 → market value ÷ 100; > 1 → ÷ 100). Cost = price × par; when the
  cost exceeds the Collection principal cash *at that moment*, par is reduced so that cost = cash (a sale
  later in the list does not help). Cash −= cost; the par is added to the pool.
* **Sale**: only of an asset held (legacy: a sale of an unheld asset is silently ignored; both conventions
  report it in the trade list as ``not held``). Par is capped at the holding; cash += par × price.
* A trade whose transaction is neither Buy nor Sale is not traded (status ``ignored``).

Pool mode applies all trades together; individual mode evaluates each trade alone against the deal.
Legacy state (Q17): the "before" run moves the previous values forward, the "after" run is judged against
them, and in individual mode each trade's "before" starts from the previous trade's "after" state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clo_xl.compliance.derive import rating_factor
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import ComplianceReport, EngineState
from clo_xl.enums import HypoMode, TransactionType
from clo_xl.portfolio.pool import Pool, Trade


@dataclass(frozen=True)
class ExecutedTrade:
    """A trade as carried out: requested vs executed par, price (fraction of par), cash moved, status."""

    trade: Trade
    executed_par: float
    price: float
    cash_change: float
    status: str  # executed, capped by cash, not held, capped at holding, unknown asset, ignored

    def to_json(self) -> dict[str, Any]:
        t = self.trade
        return {
            "brs_id": t.brs_id,
            "transaction": t.transaction.value if t.transaction else None,
            "par": t.par,
            "price": t.price,
            "price_unit": price_unit(t.price),
            "executed_par": self.executed_par,
            "executed_price": self.price,
            "cash_change": self.cash_change,
            "status": self.status,
        }


def price_unit(price: float | None) -> str:
    """How a given trade price was read (:func:`clo_xl.portfolio.pool.price_unit_problem`): ``"points"``
    (above 1), ``"fraction"`` (of par, at most 1) or ``"market value"`` (blank or 0: the asset's mark)."""
    if not price:
        return "market value"
    return "points" if price > 1.0 else "fraction"


def apply_trades(
    pool: Pool, cash: float, trades: Iterable[Trade]
) -> tuple[Pool, float, tuple[ExecutedTrade, ...]]:
    """Apply trades in order; returns the new pool, the new principal cash and what was executed."""
    done: list[ExecutedTrade] = []
    for t in trades:
        asset = pool.universe.get(t.brs_id)
        if asset is None:
            done.append(ExecutedTrade(t, 0.0, 0.0, 0.0, "unknown asset"))
            continue
        price = t.price_fraction(asset.market_value)
        if t.transaction is TransactionType.BUY:
            par = t.par
            status = "executed"
            if price * par > cash:
                par = max(cash, 0.0) / price if price > 0 else 0.0
                status = "capped by cash"
            cost = price * par
            cash -= cost
            pool = pool.with_par_change(t.brs_id, par)
            done.append(ExecutedTrade(t, par, price, -cost, status))
        elif t.transaction is TransactionType.SALE:
            held = pool.par_of(t.brs_id)
            if held <= 0.0:
                done.append(ExecutedTrade(t, 0.0, price, 0.0, "not held"))
                continue
            par = min(t.par, held)
            status = "executed" if par == t.par else "capped at holding"
            cash += par * price
            pool = pool.with_par_change(t.brs_id, -par)
            done.append(ExecutedTrade(t, par, price, par * price, status))
        else:
            done.append(ExecutedTrade(t, 0.0, price, 0.0, "ignored"))
    return pool, cash, tuple(done)


@dataclass(frozen=True)
class HypoOutcome:
    """Before and after reports for one trade set (pool mode) or one trade (individual mode)."""

    label: str
    before: ComplianceReport
    after: ComplianceReport
    trades: tuple[ExecutedTrade, ...]
    pool_after: Pool
    cash_after: float
    report_unheld: bool = True

    @property
    def state_after(self) -> EngineState:
        return self.after.state_after

    def to_json(self) -> dict[str, Any]:
        """The ``compliance --json`` document with ``hypo_result``/``hypo_pass`` per test and ``trades``."""
        doc = self.before.to_json()
        after = {(r.number, i): r for i, r in enumerate(self.after.results)}
        by_number = {r.number: r for r in self.after.results}
        for i, t in enumerate(doc["tests"]):
            r = after.get((t["number"], i)) or by_number.get(t["number"])
            t["hypo_result"] = r.result if r else None
            t["hypo_pass"] = r.passed if r else None
            t["hypo_threshold"] = r.threshold if r else None
            t["hypo_numerator"] = r.numerator if r else None
            t["hypo_denominator"] = r.denominator if r else None
            t["hypo_comment"] = r.comment if r else None
            t["hypo_pass_fail_comment"] = r.pass_fail_comment if r else None
        doc["hypo_objective"] = self.after.objective
        doc["hypo_collateral_principal_amount"] = self.after.collateral_principal_amount
        doc["hypo_principal_cash"] = self.cash_after
        doc["trades"] = [e.to_json() for e in self.trades]
        if self.report_unheld:  # corrected (Q25): say which sales did nothing; the legacy is silent
            doc["notices"] = [
                f"sale of {e.trade.brs_id}: not held, nothing sold"
                for e in self.trades
                if e.status == "not held"
            ]
        return doc


def run_hypo(
    engine: ComplianceEngine,
    pool: Pool,
    trades: Sequence[Trade],
    *,
    mode: HypoMode = HypoMode.POOL,
    state: EngineState | None = None,
    cash: float | None = None,
) -> tuple[HypoOutcome, ...]:
    """Evaluate the trades (pool mode: one outcome; individual mode: one outcome per trade)."""
    state = state or engine.initial_state
    cash0 = engine.deal.principal_cash if cash is None else cash
    groups: list[tuple[str, Sequence[Trade]]]
    if mode is HypoMode.POOL:
        groups = [("Pool", trades)]
    else:
        groups = []
        for t in trades:
            asset = pool.universe.get(t.brs_id)
            if asset is None:
                continue  # the legacy skips unknown IDs in individual mode
            groups.append((f"{t.brs_id}     {asset.issue_name}", [t]))
    out: list[HypoOutcome] = []
    for label, group in groups:
        before = engine.evaluate_before(pool, cash0, state)
        new_pool, new_cash, executed = apply_trades(pool, cash0, group)
        after = engine.evaluate(new_pool, cash=new_cash, state=before.state_after)
        report_unheld = Quirk.Q25_UNHELD_SALE_IGNORED not in engine.quirks
        out.append(HypoOutcome(label, before, after, executed, new_pool, new_cash, report_unheld))
        state = after.state_after
    return tuple(out)


# -- "Hypothetical Trade's Attributes" (CH 3355–3446) ------------------------------------------------
ATTRIBUTE_ROWS = (
    "Par Amount",
    "Weighted Average Spread",
    "WAS with LIBOR Floor",
    "Weighted Average Rating",
    "Weighted Average Life",
    "Weighted Average Recovery Rate",
    "Weighted Average Market Value",
    "Weighted Average Trade Price",
)


def trade_attributes(
    engine: ComplianceEngine, pool: Pool, executed: Sequence[ExecutedTrade], *, with_price: bool = True
) -> dict[str, dict[str, float | None]]:
    """Par-weighted attributes of the purchases and of the sales: ``{"Purchases": {row: value}, "Sales": …}``
    (``None`` = "N/A", no par). Rating = Moody's rating factor (UDT table); LIBOR = the deal's current LIBOR.
    """
    q: QuirkSet = engine.quirks
    libor = engine.deal.qti_number("Current LIBOR")
    cols = engine.columns(pool)
    buckets: dict[str, list[tuple[float, int, float | None]]] = {"Purchases": [], "Sales": []}
    last = "Purchases"
    for e in executed:
        pos = pool.universe.position(e.trade.brs_id)
        if pos is None:
            continue
        if e.trade.transaction is TransactionType.BUY:
            last = "Purchases"
        elif e.trade.transaction is TransactionType.SALE:
            last = "Sales"
        elif Quirk.Q31_ATTRIBUTE_BUCKET not in q:
            continue
        par = e.executed_par if e.trade.transaction is not None else e.trade.par
        raw_price = e.trade.price
        if Quirk.Q25_ATTRIBUTE_PRICE_POINTS in q and raw_price:
            price: float | None = raw_price / 100.0
        else:
            price = e.price
        buckets[last].append((par, pos, price))
    out: dict[str, dict[str, float | None]] = {}
    for name, items in buckets.items():
        total = sum(p for p, _, _ in items)
        row: dict[str, float | None] = {}
        if total == 0:
            for r in ATTRIBUTE_ROWS if with_price else ATTRIBUTE_ROWS[:-1]:
                row[r] = None
            out[name] = row
            continue

        def wavg(
            values: list[float], items: list[tuple[float, int, float | None]] = items, t: float = total
        ) -> float:
            return sum(p * v for (p, _, _), v in zip(items, values, strict=True)) / t

        a = pool.universe.assets
        spreads = [a[i].coupon_spread for _, i, _ in items]
        floored = [
            (a[i].libor_floor - libor + a[i].coupon_spread)
            if a[i].libor_floor > libor
            else a[i].coupon_spread
            for _, i, _ in items
        ]
        unknown = 0.0 if Quirk.Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS in q else 10000.0
        factors = [
            rating_factor(cols.derived[i].moodys.moodys, table="udt", unknown=unknown) for _, i, _ in items
        ]
        row["Par Amount"] = total
        row["Weighted Average Spread"] = wavg(spreads)
        row["WAS with LIBOR Floor"] = wavg(floored)
        row["Weighted Average Rating"] = wavg(factors)
        row["Weighted Average Life"] = wavg([a[i].wal for _, i, _ in items])
        row["Weighted Average Recovery Rate"] = wavg([float(cols.recovery[i]) for _, i, _ in items])
        row["Weighted Average Market Value"] = wavg([a[i].market_value / 100.0 for _, i, _ in items])
        if with_price:
            row["Weighted Average Trade Price"] = wavg([p if p is not None else 0.0 for _, _, p in items])
        out[name] = row
    return out


__all__ = ["ATTRIBUTE_ROWS", "ExecutedTrade", "HypoOutcome", "apply_trades", "run_hypo", "trade_attributes"]
