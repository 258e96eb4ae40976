"""Compliance speed cases (issue 3): run with ``clo-xl bench --only compliance`` or
``python bench/bench_compliance.py``.

Targets (medians, after loading): one deal's full compliance <= 5 ms; a hypothetical trade before/after
<= 10 ms; ten deals <= 50 ms; rankings over the whole universe <= 200 ms; rebalancing <= 5 s.

Data: the Mag 17 extract from ``../shared/legacy`` when present (one deal, hypo), and a seeded synthetic
universe of 1,000 assets with ten deals of ~200 holdings each (ten deals, rankings, rebalancing), so the
cases run anywhere.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import run_hypo
from clo_xl.compliance.rankings import rank_assets
from clo_xl.compliance.rebalance import rebalance
from clo_xl.deal import Account, DealInputs, ObjectiveWeight, ThresholdRow
from clo_xl.enums import TransactionType
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe
from clo_xl.ratings.scales import MoodysRating, SPRating

LEGACY_DIR = Path(__file__).resolve().parents[2] / "shared" / "legacy"
MAG17_ORDER = [*range(1, 12), *range(13, 32), 33, 32, 36, 35, 37, 38, 34]
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


@cache
def synthetic() -> tuple[Universe, list[tuple[DealInputs, Pool]]]:
    rng = np.random.default_rng(17)
    ratings = [
        MoodysRating.Ba2,
        MoodysRating.Ba3,
        MoodysRating.B1,
        MoodysRating.B2,
        MoodysRating.B3,
        MoodysRating.Caa1,
        MoodysRating.Caa2,
    ]
    assets = []
    for i in range(1000):
        m = ratings[int(rng.integers(len(ratings)))]
        assets.append(
            Asset(
                brs_id=f"BRS{i:05d}",
                issue_name=f"ISSUER {i // 2} TL",
                issuer_name=f"ISSUER {i // 2}",
                issuer_id=f"ISS{i // 2:04d}",
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
    universe = Universe(tuple(assets))
    deals = []
    rows = tuple(ThresholdRow(n, "", "Max", 0.5) for n in MAG17_ORDER if n not in (32, 33, 35, 36, 37, 38))
    rows += (
        ThresholdRow(33, "", "Min", 0.4),
        ThresholdRow(32, "", "Min", None),
        ThresholdRow(36, "", "Max", None),
        ThresholdRow(35, "", "Max", 7.0),
        ThresholdRow(37, "", "Min", 30),
        ThresholdRow(38, "", "Min", 1.0),
    )
    for d in range(10):
        idx = rng.choice(1000, size=200, replace=False)
        holdings = [Holding(assets[int(i)].brs_id, float(rng.choice([1e6, 2e6, 2.5e6, 3e6]))) for i in idx]
        inputs = DealInputs(
            deal=f"Mag {d + 6}",
            analysis_date=date(2016, 3, 23),
            accounts=(Account(1, "Payment"), Account(2, "Collection", 0.0, 40e6)),
            thresholds=rows,
            quality_test_inputs={
                "Current LIBOR": 0.0054,
                "Weighted Average Spread": 0.035,
                "WARF Factor": 67,
                "WARF Threshold": 2900,
                "JR OC Denominator": 450e6,
            },
            objective_weights=(ObjectiveWeight(33, 0.0), ObjectiveWeight(32, 0.6), ObjectiveWeight(36, 0.4)),
        )
        deals.append((inputs, Pool.from_holdings(universe, holdings)))
    return universe, deals


@cache
def mag17() -> tuple[ComplianceEngine, Pool]:
    if (LEGACY_DIR / "mag17_assets.json").is_file():
        from clo_xl.api import DealSession

        s = DealSession.from_extract(LEGACY_DIR / "mag17_assets.json", LEGACY_DIR / "mag17_deal.json")
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


def one_deal() -> object:
    eng, pool = mag17()
    return eng.evaluate(pool)


def hypo() -> object:
    eng, pool = mag17()
    held = pool.assets[0].brs_id
    other = next(a.brs_id for a in pool.universe.assets if a.brs_id != held)
    trades = [
        Trade(held, TransactionType.SALE, 1_000_000, 99.0),
        Trade(other, TransactionType.BUY, 2_000_000),
    ]
    return run_hypo(eng, pool, trades)


def ten_deals() -> object:
    return [eng.evaluate(pool) for eng, pool in engines()]


def rankings() -> object:
    eng, pool = engines()[0]
    return rank_assets(eng, pool, side=TransactionType.BUY, step=750_000, allow_increase=True)


def rebalancing() -> object:
    eng, pool = engines()[0]
    return rebalance(eng, pool, step=750_000, sale_target=15e6, buy_target=30e6, allow_increase=True)


def cases() -> list[tuple[str, Callable[[], object], float]]:
    """(name, function, target seconds) for ``clo-xl bench``."""
    return [
        ("one deal full compliance (Mag 17)", one_deal, 0.005),
        ("hypothetical trade before/after", hypo, 0.010),
        ("ten deals full compliance", ten_deals, 0.050),
        ("rankings over the universe (1,000 assets)", rankings, 0.200),
        ("rebalancing (15m sale, 30m buy, 750k steps)", rebalancing, 5.0),
    ]


def main(repeat: int = 30) -> int:
    ok = True
    for name, fn, target in cases():
        fn()  # warm-up (loading and caches)
        runs = repeat if target < 1 else 3
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        within = med <= target
        ok &= within
        verdict = "ok" if within else "SLOW"
        print(f"{name:48s} median {med * 1000:9.2f} ms  target {target * 1000:7.0f} ms  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
