"""Builders for small hand-worked pools and deals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from clo_xl.deal import Account, DealInputs, ObjectiveWeight, ThresholdRow
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Pool
from clo_xl.ratings.scales import MoodysRating

SSL = "Moody\u2019s Senior Secured loan"
NSSL = "Moody\u2019s Non-Senior Secured Loan"


def asset(brs_id: str, **kw: Any) -> Asset:
    """A plain senior secured USD term loan, B2, recovery 0.45, overridable by keyword."""
    base: dict[str, Any] = {
        "issuer_id": brs_id,
        "issue_name": f"{brs_id} TL",
        "issuer_name": f"{brs_id} Inc",
        "moodys_industry": "Retail",
        "sp_industry": "Retailers",
        "moody_asset_category": SSL,
        "sp_priority_category": "Senior Secured Loan",
        "coupon_spread": 0.04,
        "libor_floor": 0.01,
        "coupon": 0.05,
        "index": "3M LIBOR",
        "wal": 5.0,
        "market_value": 99.0,
        "facility_size": 500_000_000.0,
        "moodys_rating": MoodysRating.B2,
        "moodys_dpr": MoodysRating.B2,
        "moodys_rating_warf": MoodysRating.B2,
        "moodys_recovery_rate": 0.45,
        "maturity": date(2022, 6, 15),
    }
    base.update(kw)
    return Asset(brs_id=brs_id, **base)


def deal(
    tests: Iterable[tuple[int, str, float | None]] | Iterable[ThresholdRow],
    *,
    cash: float = 0.0,
    qti: Mapping[str, Any] | None = None,
    weights: Mapping[int, float] | None = None,
) -> DealInputs:
    rows: list[ThresholdRow] = []
    for t in tests:
        if isinstance(t, ThresholdRow):
            rows.append(t)
        else:
            n, mm, thr = t
            rows.append(ThresholdRow(test_number=n, min_max_text=mm, threshold=thr))
    q = {"Current LIBOR": 0.005, "Weighted Average Spread": 0.044, "WARF Factor": 67, "WARF Threshold": 2740,
         "JR OC Denominator": 100.0}  # fmt: skip
    q.update(qti or {})
    return DealInputs(
        deal="Test Deal",
        analysis_date=date(2016, 3, 23),
        accounts=(Account(1, "Payment"), Account(2, "Collection", 0.0, cash)),
        thresholds=tuple(rows),
        quality_test_inputs=q,
        objective_weights=tuple(ObjectiveWeight(k, v) for k, v in (weights or {}).items()),
    )


def pool(*pairs: tuple[Asset, float]) -> Pool:
    return Pool.from_assets([a for a, _ in pairs], [p for _, p in pairs])


def with_rows(d: DealInputs, rows: Iterable[ThresholdRow]) -> DealInputs:
    return replace(d, thresholds=tuple(rows))
