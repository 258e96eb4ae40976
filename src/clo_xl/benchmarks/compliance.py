"""Compliance speed cases (issues 3 and 13): ``clo-xl bench --only compliance``.

Each case runs beside its numpy floor (``bench/floors.py``), checked to give the same 37 results first:

* warm compliance of one deal at 200 / 2,000 / 10,000 assets (goal: within 3x of the floor) and of Mag 17;
* the first run after a load (a new universe over the loaded assets: ratings derived, columns built) at
  the same sizes (goal: under 10 ms at 2,000 assets);
* a hypothetical trade before/after at Mag 17's ~200 assets (goal: under 1 ms); ten deals; rankings and
  rebalancing (targets only: a search, not a fixed computation, so no floor).

Data: the Mag 17 extract when the legacy folder is found (else a synthetic 200-asset stand-in), and seeded
synthetic universes (:func:`sized`) for the sized cases, so the cases run anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from typing import Any

import numpy as np

from clo_xl.api import DealSession
from clo_xl.benchmarks import Case, legacy_dir
from clo_xl.benchmarks.floors import (
    MAG17_TESTS,
    PoolColumns,
    check_compliance,
    compliance_floor,
    pool_columns,
    read_columns,
)
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import apply_trades, run_hypo
from clo_xl.compliance.rankings import rank_assets
from clo_xl.compliance.rebalance import rebalance
from clo_xl.compliance.results import ComplianceReport, EngineState
from clo_xl.deal import Account, DealInputs, ObjectiveWeight, ThresholdRow
from clo_xl.enums import TransactionType
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe
from clo_xl.ratings.scales import MoodysRating, SPRating

MAG17_ORDER = list(MAG17_TESTS)
SIZES = (200, 2_000, 10_000)
INDUSTRIES = [
    "Retail",
    "Telecommunications",
    "High Tech Industries",
    "Healthcare & Pharmaceuticals",
    "Services: Business",
    "Construction & Building",
    "Utilities: Electric",
    "Automotive",
    "Chemicals, Plastics, & Rubber",
    "Hotel, Gaming, & Leisure",
    "Beverage, Food, & Tobacco",
]
COUNTRIES = ["USA"] * 17 + [
    "Canada",
    "Netherlands",
    "Luxembourg",
    "Germany",
    "United Kingdom",
    "Cayman Islands",
]
RATINGS = [
    MoodysRating.Ba2,
    MoodysRating.Ba3,
    MoodysRating.B1,
    MoodysRating.B2,
    MoodysRating.B3,
    MoodysRating.Caa1,
    MoodysRating.Caa2,
]


def synthetic_assets(n: int, seed: int = 17) -> tuple[Asset, ...]:
    """``n`` seeded loans: two per issuer, 11 industries, a few non-US countries, B-ish ratings."""
    rng = np.random.default_rng(seed)
    assets = []
    for i in range(n):
        m = RATINGS[int(rng.integers(len(RATINGS)))]
        assets.append(
            Asset(
                brs_id=f"BRS{i:05d}",
                issue_name=f"ISSUER {i // 2} TL",
                issuer_name=f"ISSUER {i // 2}",
                issuer_id=f"ISS{i // 2:05d}",
                coupon_spread=float(rng.choice([0.03, 0.035, 0.04, 0.045])),
                libor_floor=float(rng.choice([0.0, 0.0075, 0.01])),
                coupon=0.045,
                facility_size=float(rng.choice([1e8, 3e8, 9e8])),
                moodys_industry=INDUSTRIES[int(rng.integers(len(INDUSTRIES)))],
                sp_industry=INDUSTRIES[int(rng.integers(len(INDUSTRIES)))].upper(),
                moody_asset_category="Moody\u2019s Senior Secured loan",
                sp_priority_category="Senior Secured Loan",
                country=COUNTRIES[int(rng.integers(len(COUNTRIES)))],
                dip=bool(rng.random() < 0.01),
                cov_lite=bool(rng.random() < 0.2),
                defaulted=bool(rng.random() < 0.01),
                wal=float(rng.uniform(2, 7)),
                market_value=float(rng.uniform(85, 101)),
                moodys_rating=m,
                moodys_dpr=m,
                moodys_rating_warf=m,
                moodys_recovery_rate=float(rng.choice([0.45, 0.5, 0.6])),
                sp_issuer_rating=SPRating(min(m.rank, 21)),
                maturity=date(2020 + int(rng.integers(8)), 6, 15),
            )
        )
    return tuple(assets)


def threshold_rows() -> tuple[ThresholdRow, ...]:
    """A Mag 17-style table: the 37 tests in the sheet's order."""
    dynamic = (32, 33, 35, 36, 37, 38)
    rows = tuple(ThresholdRow(n, "", "Max", 0.5) for n in MAG17_ORDER if n not in dynamic)
    return (
        *rows,
        ThresholdRow(33, "", "Min", 0.4),
        ThresholdRow(32, "", "Min", None),
        ThresholdRow(36, "", "Max", None),
        ThresholdRow(35, "", "Max", 7.0),
        ThresholdRow(37, "", "Min", 30),
        ThresholdRow(38, "", "Min", 1.0),
    )


def deal_inputs(name: str) -> DealInputs:
    return DealInputs(
        deal=name,
        analysis_date=date(2016, 3, 23),
        accounts=(Account(1, "Payment"), Account(2, "Collection", 0.0, 40e6)),
        thresholds=threshold_rows(),
        quality_test_inputs={
            "Current LIBOR": 0.0054,
            "Weighted Average Spread": 0.035,
            "WARF Factor": 67,
            "WARF Threshold": 2900,
            "JR OC Denominator": 450e6,
        },
        objective_weights=(ObjectiveWeight(33, 0.0), ObjectiveWeight(32, 0.6), ObjectiveWeight(36, 0.4)),
    )


@cache
def sized(n: int) -> tuple[tuple[Asset, ...], tuple[Holding, ...], DealInputs]:
    """A deal holding every one of ``n`` synthetic assets, pars in cents."""
    assets = synthetic_assets(n)
    rng = np.random.default_rng(n)
    pars = np.round(rng.choice([1e6, 2e6, 2.5e6, 3e6], n) + rng.uniform(0, 1e5, n), 2)
    holdings = tuple(Holding(a.brs_id, float(p)) for a, p in zip(assets, pars, strict=True))
    return assets, holdings, deal_inputs("Mag 17")


@cache
def warm(n: int) -> tuple[ComplianceEngine, Pool]:
    assets, holdings, inputs = sized(n)
    pool = Pool.from_holdings(Universe(assets), holdings)
    eng = ComplianceEngine(inputs)
    eng.evaluate(pool)  # the load: ratings derived, columns built
    return eng, pool


def results_of(report: ComplianceReport) -> dict[int, float]:
    return {r.number: r.result for r in report.results}


def floor_inputs(eng: ComplianceEngine, pool: Pool) -> PoolColumns:
    deal = eng.deal
    return pool_columns(
        eng.columns(pool),
        pool,
        cash=deal.principal_cash,
        libor=deal.qti_number("Current LIBOR"),
        jroc=deal.qti_number("JR OC Denominator"),
    )


def check_report(report: ComplianceReport, floor: dict[int, float]) -> None:
    check_compliance(floor, results_of(report))


def warm_case(label: str, engine_pool: Callable[[], tuple[ComplianceEngine, Pool]], size: int | None) -> Case:
    """The same pool evaluated again (its universe's columns built by a first evaluation)."""

    @cache
    def setup() -> tuple[ComplianceEngine, Pool, PoolColumns]:
        eng, pool = engine_pool()
        return eng, pool, floor_inputs(eng, pool)

    def run() -> ComplianceReport:
        eng, pool, _ = setup()
        return eng.evaluate(pool)

    return Case(
        f"compliance warm, {label}",
        run,
        floor=lambda: compliance_floor(setup()[2]),
        check=check_report,
        max_ratio=3.0,
        family="compliance warm" if size else None,
        size=size,
    )


def cold_case(n: int) -> Case:
    """A new universe over the loaded assets each run: every rating derived, every column built."""

    @cache
    def setup() -> PoolColumns:
        eng, pool = warm(n)
        return floor_inputs(eng, pool)

    def first_run() -> ComplianceReport:
        assets, holdings, inputs = sized(n)
        return ComplianceEngine(inputs).evaluate(Pool.from_holdings(Universe(assets), holdings))

    def floor() -> dict[int, float]:
        read_columns(sized(n)[0])  # the columns read off the loaded assets (no rating derivation)
        return compliance_floor(setup())

    return Case(
        f"compliance first run after a load, {n:,} assets",
        first_run,
        target_s=0.010 if n == 2_000 else None,
        floor=floor,
        check=check_report,
        family="compliance first run after a load",
        size=n,
        repeat=5 if n > 2_000 else None,
        note="reads 30 columns off the loaded assets, derives no rating, then the warm floor",
    )


@cache
def synthetic() -> tuple[Universe, list[tuple[DealInputs, Pool]]]:
    """A 1,000-asset universe and ten deals of 200 holdings each."""
    assets = synthetic_assets(1_000)
    universe = Universe(assets)
    rng = np.random.default_rng(1_017)
    deals = []
    for d in range(10):
        idx = rng.choice(len(assets), size=200, replace=False)
        holdings = [Holding(assets[int(i)].brs_id, float(rng.choice([1e6, 2e6, 2.5e6, 3e6]))) for i in idx]
        deals.append((deal_inputs(f"Mag {d + 6}"), Pool.from_holdings(universe, holdings)))
    return universe, deals


@cache
def mag17() -> tuple[ComplianceEngine, Pool]:
    legacy = legacy_dir()
    if legacy is not None:
        s = DealSession.from_extract(legacy / "mag17_assets.json", legacy / "mag17_deal.json")
        eng = s.engine()
        eng.evaluate(s.pool)  # build the column arrays (loading)
        return eng, s.pool
    _, deals = synthetic()
    inputs, pool = deals[-1]
    eng = ComplianceEngine(inputs)
    eng.evaluate(pool)
    return eng, pool


@cache
def engines() -> list[tuple[ComplianceEngine, Pool]]:
    out = []
    for inputs, pool in synthetic()[1]:
        eng = ComplianceEngine(inputs)
        eng.evaluate(pool)
        out.append((eng, pool))
    return out


def rankings() -> object:
    eng, pool = engines()[0]
    return rank_assets(eng, pool, side=TransactionType.BUY, step=750_000, allow_increase=True)


def rebalancing() -> object:
    eng, pool = engines()[0]
    return rebalance(eng, pool, step=750_000, sale_target=15e6, buy_target=30e6, allow_increase=True)


@dataclass(frozen=True)
class _Hypo:
    engine: ComplianceEngine
    pool: Pool
    trades: tuple[Trade, Trade]
    before: PoolColumns
    edits: tuple[tuple[int, Trade, float], ...]  # position in the pool, trade, price (fraction of par)


@cache
def _hypo() -> _Hypo:
    """Sell 1,000,000 of Mag 17's first holding at 99, buy 2,000,000 of its second at market value."""
    eng, pool = mag17()
    first, second = pool.assets[0], pool.assets[1]
    trades = (
        Trade(first.brs_id, TransactionType.SALE, 1_000_000, 99.0),
        Trade(second.brs_id, TransactionType.BUY, 2_000_000),
    )
    after_pool, _, _ = apply_trades(pool, eng.deal.principal_cash, trades)
    if not np.array_equal(after_pool.positions, pool.positions):
        raise AssertionError("the hypothetical trade case needs trades of held assets")
    edits = tuple(
        (i, t, t.price_fraction(pool.assets[i].market_value)) for i, t in zip((0, 1), trades, strict=True)
    )
    return _Hypo(eng, pool, trades, floor_inputs(eng, pool), edits)


def _floor_trades(h: _Hypo) -> PoolColumns:
    """The floor's pool after the trades: the two edits applied to the par array and the cash."""
    par = h.before.par.copy()
    money = h.before.cash
    for i, t, price in h.edits:
        if t.transaction is TransactionType.SALE:
            par[i] -= t.par
            money += t.par * price
        else:
            par[i] += t.par
            money -= t.par * price
    return h.before.with_par(par, money)


def _check_hypo(out: Any, fl: tuple[dict[int, float], dict[int, float]]) -> None:
    check_compliance(fl[0], results_of(out[0].before))
    check_compliance(fl[1], results_of(out[0].after))


@cache
def _floor_before() -> dict[int, float]:
    return compliance_floor(_hypo().before)


def hypo_case() -> Case:
    """A trade tried on a deal whose "before" the engine already holds (the trades an analyst tries one
    after another): the engine evaluates the after; the floor likewise computes its before once."""

    def run() -> object:
        h = _hypo()
        return run_hypo(h.engine, h.pool, h.trades)

    def floor() -> tuple[dict[int, float], dict[int, float]]:
        return _floor_before(), compliance_floor(_floor_trades(_hypo()))

    return Case(
        "hypothetical trade before/after, Mag 17 (~200 assets)",
        run,
        target_s=0.001,
        floor=floor,
        check=_check_hypo,
        note="the deal's before is kept (by the engine, and by the floor); the trades applied to the par "
        "array, then the warm floor after",
    )


def first_hypo_case() -> Case:
    """The first trade tried on a deal: the before is evaluated too (a new state object each run, so the
    engine's kept before does not apply); the floor computes before and after."""

    def run() -> object:
        h = _hypo()
        state = h.engine.initial_state
        return run_hypo(h.engine, h.pool, h.trades, state=EngineState(state.previous, state.mwarr))

    def floor() -> tuple[dict[int, float], dict[int, float]]:
        h = _hypo()
        return compliance_floor(h.before), compliance_floor(_floor_trades(h))

    return Case(
        "hypothetical trade before/after, first on the deal, Mag 17 (~200 assets)",
        run,
        floor=floor,
        check=_check_hypo,
        note="applies the two trades to the par array, then the warm floor before and after",
    )


def ten_deals_case() -> Case:
    @cache
    def setup() -> tuple[list[tuple[ComplianceEngine, Pool]], list[PoolColumns]]:
        pairs = engines()
        return pairs, [floor_inputs(e, p) for e, p in pairs]

    def check(out: list[ComplianceReport], fl: list[dict[int, float]]) -> None:
        for report, f in zip(out, fl, strict=True):
            check_report(report, f)

    return Case(
        "ten deals full compliance (~200 assets each)",
        lambda: [e.evaluate(p) for e, p in setup()[0]],
        target_s=0.050,
        floor=lambda: [compliance_floor(c) for c in setup()[1]],
        check=check,
        max_ratio=3.0,
    )


def cases() -> list[Case]:
    """The compliance cases for ``clo-xl bench``."""
    return [
        warm_case("Mag 17 (~200 assets)", mag17, None),
        *(warm_case(f"{n:,} assets", partial(warm, n), n) for n in SIZES),
        *(cold_case(n) for n in SIZES),
        hypo_case(),
        first_hypo_case(),
        ten_deals_case(),
        Case("rankings over the universe (1,000 assets)", rankings, target_s=0.200),
        Case("rebalancing (15m sale, 30m buy, 750k steps)", rebalancing, target_s=5.0),
    ]
