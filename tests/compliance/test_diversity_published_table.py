"""Issue 11 item 1: the corrected diversity score against Moody's diversity table as published.

Moody's table ("Aggregate Industry Equivalent Unit Score" → "Industry Diversity Score") lists break points
0.05, 0.15, …, 19.95; a score between two break points takes the lower entry. The rows below are typed from
the published table (its first, last and every change of step), the lookup is a bisect over the break points,
and the pool arithmetic (issuers combined, average par, units capped at 1, summed per Moody's industry, the
defaulted excluded) is redone here in plain Python from the sample workbook's holdings.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from itertools import pairwise
from pathlib import Path

import pytest

from clo_xl.api import DealSession
from clo_xl.compliance.kernels import industry_diversity

#: (Aggregate Industry Equivalent Unit Score, Industry Diversity Score): rows of the published table
PUBLISHED = [
    (0.0, 0.0), (0.05, 0.1), (0.15, 0.2), (0.25, 0.3), (0.35, 0.4), (0.45, 0.5), (0.55, 0.6), (0.65, 0.7),
    (0.75, 0.8), (0.85, 0.9), (0.95, 1.0), (1.05, 1.05), (1.15, 1.1), (1.25, 1.15), (1.35, 1.2), (1.45, 1.25),
    (1.55, 1.3), (1.65, 1.35), (1.75, 1.4), (1.85, 1.45), (1.95, 1.5), (2.05, 1.55), (2.15, 1.6),
    (2.25, 1.65), (2.35, 1.7), (2.45, 1.75), (2.55, 1.8), (2.65, 1.85), (2.75, 1.9), (2.85, 1.95),
    (2.95, 2.0), (3.05, 2.0333), (3.15, 2.0667), (3.25, 2.1), (3.35, 2.1333), (3.45, 2.1667), (3.55, 2.2),
    (3.65, 2.2333), (3.75, 2.2667), (3.85, 2.3), (3.95, 2.3333), (4.05, 2.3667), (4.15, 2.4),
    (4.25, 2.4333), (4.35, 2.4667), (4.45, 2.5), (4.55, 2.5333), (4.65, 2.5667), (4.75, 2.6),
    (4.85, 2.6333), (4.95, 2.6667), (5.05, 2.7), (5.15, 2.7333), (5.25, 2.7667), (5.35, 2.8),
    (5.45, 2.8333), (5.55, 2.8667), (5.65, 2.9), (5.75, 2.9333), (5.85, 2.9667), (5.95, 3.0),
    (6.05, 3.025), (6.15, 3.05), (6.25, 3.075), (6.35, 3.1), (6.45, 3.125), (6.55, 3.15), (6.65, 3.175),
    (6.75, 3.2), (6.85, 3.225), (6.95, 3.25), (7.05, 3.275), (7.15, 3.3), (7.25, 3.325), (7.35, 3.35),
    (7.45, 3.375), (7.55, 3.4), (7.65, 3.425), (7.75, 3.45), (7.85, 3.475), (7.95, 3.5), (8.05, 3.525),
    (8.15, 3.55), (8.25, 3.575), (8.35, 3.6), (8.45, 3.625), (8.55, 3.65), (8.65, 3.675), (8.75, 3.7),
    (8.85, 3.725), (8.95, 3.75), (9.05, 3.775), (9.15, 3.8), (9.25, 3.825), (9.35, 3.85), (9.45, 3.875),
    (9.55, 3.9), (9.65, 3.925), (9.75, 3.95), (9.85, 3.975), (9.95, 4.0),
]  # fmt: skip
# from 10.05 to 19.95 the published table rises by 0.01 per 0.1 of score: 10.05 → 4.01 … 19.95 → 5.00
PUBLISHED += [(round(10.05 + 0.1 * i, 2), round(4.01 + 0.01 * i, 2)) for i in range(100)]
BREAKS = [b for b, _ in PUBLISHED]


def published_value(units: float) -> float:
    """The lower table entry at or below ``units`` (5.0 above the last break point)."""
    if units > 19.95:
        return 5.0
    return PUBLISHED[bisect_right(BREAKS, units + 1e-12) - 1][1]


def test_table_shape() -> None:
    assert len(PUBLISHED) == 201 and PUBLISHED[-1] == (19.95, 5.0)


@pytest.mark.parametrize(
    "units, expected",
    [(8.7983, 3.7), (8.75, 3.7), (8.7499, 3.675), (0.04, 0.0), (0.05, 0.1), (0.1499, 0.1), (1.0, 1.0),
     (2.96, 2.0), (3.1, 2.0333), (10.0, 4.0), (10.06, 4.01), (19.96, 5.0), (25.0, 5.0)],
)  # fmt: skip
def test_lookup_takes_the_lower_entry(units: float, expected: float) -> None:
    assert published_value(units) == pytest.approx(expected)
    assert industry_diversity(units, legacy_rounding=False) == pytest.approx(expected)


def test_every_break_point_and_midpoint() -> None:
    for (b, _), (nxt, _) in pairwise(PUBLISHED[1:]):
        for x in (b, (b + nxt) / 2, nxt - 1e-6):
            assert industry_diversity(x, legacy_rounding=False) == pytest.approx(published_value(x)), x


def test_sample_mag17_corrected_score(sample_workbook: Path) -> None:
    """Sample Mag 17, non-defaulted pool: 67.77 by the published table (the engine said 67.43 before the
    fix: "Hotel, Gaming & Leisure", 8.7983 units, is 3.700, not 3.675)."""
    s = DealSession.from_workbook(sample_workbook, "Mag 17", convention="corrected")
    issuer_par: dict[str, float] = {}
    issuer_industry: dict[str, str] = {}
    for asset, par in s.pool:
        if asset.defaulted:
            continue
        issuer_par[asset.issuer_id] = issuer_par.get(asset.issuer_id, 0.0) + par
        issuer_industry.setdefault(asset.issuer_id, asset.moodys_industry.strip().upper())
    average = sum(issuer_par.values()) / len(issuer_par)
    units: dict[str, float] = {}
    for issuer, par in issuer_par.items():
        ind = issuer_industry[issuer]
        units[ind] = units.get(ind, 0.0) + min(1.0, par / average)
    assert units["HOTEL, GAMING & LEISURE"] == pytest.approx(8.7983, abs=5e-5)
    by_hand = sum(published_value(u) for u in units.values())
    assert by_hand == pytest.approx(67.77, abs=0.005)
    assert s.diversity() == pytest.approx(by_hand, abs=1e-9)
    legacy = DealSession.from_workbook(sample_workbook, "Mag 17", convention="legacy")
    assert legacy.diversity() == pytest.approx(68.4366, abs=5e-5)  # defaulted obligors included (Q11)


@pytest.mark.legacy_data
def test_real_mag17_extract_corrected_score(legacy_dir: Path) -> None:
    """The real Mag 17 extract (195 holdings), re-derived from the raw records (ISSUER ID, Moody's Industry,
    Default Obligation, MAG17_Par_Amount) with the published table, without clo-xl's reader."""
    records = json.loads((legacy_dir / "mag17_assets.json").read_text())
    issuer_par: dict[str, float] = {}
    issuer_industry: dict[str, str] = {}
    for r in records:
        par = float(r["MAG17_Par_Amount"] or 0.0)
        if par <= 0 or str(r["Default Obligation"]).strip().upper() == "YES":
            continue
        issuer = str(r["ISSUER ID"]).strip()
        issuer_par[issuer] = issuer_par.get(issuer, 0.0) + par
        issuer_industry.setdefault(issuer, str(r["Moody's Industry"]).strip().upper())
    average = sum(issuer_par.values()) / len(issuer_par)
    units: dict[str, float] = {}
    for issuer, par in issuer_par.items():
        units[issuer_industry[issuer]] = units.get(issuer_industry[issuer], 0.0) + min(1.0, par / average)
    by_hand = sum(published_value(u) for u in units.values())
    s = DealSession.from_extract(
        legacy_dir / "mag17_assets.json", legacy_dir / "mag17_deal.json", convention="corrected"
    )
    assert by_hand == pytest.approx(59.4399, abs=5e-5)
    assert s.diversity() == pytest.approx(by_hand, abs=1e-9)
