"""Asset rankings (COMPLIANCE_SPEC §5.3) and the asset-level marginal objective (§4.7).

Buy candidates: every universe asset matching the buy filter, minus the deal's holdings unless increases
are allowed (Run Model E9), minus defaulted assets and those with market value < 75. Sale candidates: the
deal's holdings matching the sale filter. Each candidate is scored at the step size (E8) with the
asset-level objective against the deal's current results; buys are sorted best first (descending), sales
worst first (ascending). The legacy set the **master** asset's par to the step size; clo-xl never mutates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from clo_xl.compliance.catalogue import (
    TEST_CAA,
    TEST_JROC,
    TEST_WAL,
    TEST_WARF,
    TEST_WARR,
    TEST_WAS,
    TEST_WAS_MAG14,
)
from clo_xl.compliance.derive import rating_factor
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.filters import FilterEvaluator, parse_filter
from clo_xl.compliance.quirks import Quirk
from clo_xl.compliance.results import ComplianceReport
from clo_xl.deal import QTI_CURRENT_LIBOR, QTI_STATED_MATURITY, DealInputs
from clo_xl.enums import TransactionType
from clo_xl.portfolio.pool import Pool

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NONE_FOUND = "Unable to find any assets that increases the objective function"
RANKING_HEADER = (
    "Objective Function",
    "BlackRock ID",
    "Issue Name",
    "Par",
    "Market Value",
    "Moody's Rating",
    "S&P's Rating",
    "Coupon",
    "WAS",
    "LIBOR Floor",
    "WAL",
    "Moody's Recovery Rate",
)


def liquidation_price(deal: DealInputs, given: float | None = None) -> float:
    """What a par of collateral fetches when the deal is liquidated at its stated maturity (decimal): the
    value given (``--liquidation-price``), else the deal sheet's CFInputs "Liquidation Price", else 1.0."""
    if given is not None:
        return float(given)
    value = (deal.extras.get("cf_inputs") or {}).get("Liquidation Price")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 1.0


def price_factors(
    engine: ComplianceEngine, pool: Pool, positions: IntArray, liquidation: float | None = None
) -> FloatArray:
    """Per candidate, what one unit of cash spent on it returns in par value (corrected scores, Q26):
    terminal ÷ price, price = market value ÷ 100 (the trade price; 0 reads as par) and terminal = 1 (par at
    its maturity) or the liquidation price for an asset maturing after the deal's "Stated Maturity Date".
    A buy above par or a long-dated asset scores below the same asset at par."""
    cols = engine.columns(pool)
    mv = cols.market_value[positions]
    price = np.where(mv > 0, mv / 100.0, 1.0)
    stated = engine.deal.qti(QTI_STATED_MATURITY)
    terminal = np.ones(positions.shape[0])
    if isinstance(stated, date):
        late = cols.maturity_ordinal[positions] > stated.toordinal()
        terminal = np.where(late, liquidation_price(engine.deal, liquidation), 1.0)
    factors: FloatArray = terminal / price
    return factors


def asset_scores(
    engine: ComplianceEngine,
    pool: Pool,
    report: ComplianceReport,
    positions: IntArray,
    side: TransactionType,
    step: float,
    weights: dict[int, float] | None = None,
    liquidation: float | None = None,
) -> FloatArray:
    """Asset-level marginal objective for candidates at universe ``positions`` (vectorised, §4.7); in
    corrected (Q26) scaled by :func:`price_factors`."""
    q = engine.quirks
    legacy = Quirk.Q26_ASSET_OBJECTIVE_DEFECTS in q
    cols = engine.columns(pool)
    weights = weights if weights is not None else engine.deal.weights
    n = positions.shape[0]
    num_add = 1e6 if legacy else step
    den_add = 1e7 if legacy else step
    libor = engine.deal.qti_number(QTI_CURRENT_LIBOR)
    mv = cols.market_value[positions]
    wal = cols.wal[positions]
    rr = cols.recovery[positions]
    spread = np.maximum(cols.floor[positions] - libor, 0.0) + cols.spread[positions]
    unknown = 0.0 if Quirk.Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS in q else 10000.0
    key = ("udt-factors", unknown)
    factors_all: FloatArray = pool.universe.cached(
        (key, id(cols)),
        lambda: np.array(
            [rating_factor(d.moodys.moodys, table="udt", unknown=unknown) for d in cols.derived],
            dtype=np.float64,
        ),
    )
    rf = factors_all[positions]
    buy = side is TransactionType.BUY
    total = np.zeros(n)
    s = np.zeros(n)
    for test, w in weights.items():
        if w <= 0:
            continue
        r = report.result(test)
        if r is None:
            if not legacy:
                continue
            total += w * s  # the legacy reuses the previous loop value
            continue
        N, D, thr = r.numerator, r.denominator, r.threshold
        with np.errstate(divide="ignore", invalid="ignore"):
            if test == TEST_WAL:
                s = thr / ((wal * num_add + N) / (den_add + D))
            elif test == TEST_CAA:
                caa = rf > 3490
                t = (100.0 - mv) / 100.0 * num_add
                val = thr / ((num_add + N) / (t + D)) if buy else (N - num_add) / (-t + D) / thr
                s = np.where(caa, val, 10.0)
            elif test == TEST_WARR:
                s = ((rr * num_add + N) / (den_add + D)) / thr
            elif test in (TEST_WAS, TEST_WAS_MAG14):
                s = ((spread * num_add + N) / (den_add + D)) / thr
            elif test == TEST_WARF:
                x = np.where(rf == 10000.0, 1e10, rf * num_add) if legacy else rf * num_add
                s = thr / ((x + N) / (den_add + D))
            elif test == TEST_JROC:
                t = (100.0 - mv) / 100.0 * num_add * (1 if buy else -1)
                x = (N + t) / D
                s = x / thr if buy else thr / x
            elif not legacy:
                s = np.zeros(n)
                continue
        total += w * np.nan_to_num(s, nan=0.0, posinf=0.0, neginf=0.0)
    if Quirk.Q26_PRICE_BLIND_SCORES not in q:  # more value per unit of cash is better, whatever the sign
        f = price_factors(engine, pool, positions, liquidation)
        total = np.where(total >= 0, total * f, total / f)
    return total


@dataclass(frozen=True)
class Ranking:
    side: TransactionType
    positions: IntArray
    scores: FloatArray
    step: float
    message: str | None = None

    def rows(self, pool: Pool, engine: ComplianceEngine) -> list[list[Any]]:
        """The "Assets to Purchase"/"Assets to Sale" table (header first)."""
        if self.message:
            return [list(RANKING_HEADER), [self.message]]
        cols = engine.columns(pool)
        out: list[list[Any]] = [list(RANKING_HEADER)]
        for pos, score in zip(self.positions.tolist(), self.scores.tolist(), strict=True):
            a = pool.universe.assets[pos]
            d = cols.derived[pos]
            mv = a.market_value / 100.0 if a.market_value else 1.0  # MV 0 shows 100% (Q24)
            out.append(
                [
                    score,
                    a.brs_id,
                    a.issuer_name,  # the legacy "ISSUE NAME" lookup returns the issuer name (Q24)
                    self.step,
                    mv,  # a fraction of par (0.985); the writer shows it as a percentage
                    str(d.moodys.moodys) if d.moodys.moodys else "",
                    str(d.sp) if d.sp else "",
                    a.coupon,
                    a.coupon_spread,
                    a.libor_floor,
                    a.wal,
                    float(cols.recovery[pos]),
                ]
            )
        return out

    def to_json(self, pool: Pool) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "message": self.message,
            "candidates": [
                {"brs_id": pool.universe.assets[p].brs_id, "score": s}
                for p, s in zip(self.positions.tolist(), self.scores.tolist(), strict=True)
            ],
        }


def candidates(
    engine: ComplianceEngine,
    pool: Pool,
    side: TransactionType,
    *,
    buy_filter: str = "",
    sale_filter: str = "",
    allow_increase: bool = False,
) -> IntArray:
    """Universe positions of the ranking candidates (§5.3)."""
    cols = engine.columns(pool)
    universe = pool.universe
    ev = FilterEvaluator(universe, cols, engine.quirks)
    held = np.zeros(len(universe), dtype=bool)
    held[pool.positions] = True
    if side is TransactionType.BUY:
        mask = (
            ev.evaluate(parse_filter(buy_filter, engine.quirks))
            if buy_filter.strip()
            else np.ones(len(universe), bool)
        )
        if not allow_increase:
            mask &= ~held
        mask &= ~cols.defaulted
        mask &= cols.market_value >= 75.0
        return np.nonzero(mask)[0].astype(np.int64)
    mask = (
        ev.evaluate(parse_filter(sale_filter, engine.quirks))
        if sale_filter.strip()
        else np.ones(len(universe), bool)
    )
    keep = mask[pool.positions]
    return pool.positions[keep].astype(np.int64)


def rank_assets(
    engine: ComplianceEngine,
    pool: Pool,
    *,
    side: TransactionType = TransactionType.BUY,
    step: float = 750_000.0,
    buy_filter: str = "",
    sale_filter: str = "",
    allow_increase: bool = False,
    report: ComplianceReport | None = None,
    weights: dict[int, float] | None = None,
    liquidation: float | None = None,
) -> Ranking:
    """Rank buy or sale candidates by the asset-level objective (buys descending, sales ascending)."""
    report = report or engine.evaluate(pool)
    pos = candidates(
        engine, pool, side, buy_filter=buy_filter, sale_filter=sale_filter, allow_increase=allow_increase
    )
    limit = 1 if Quirk.Q26_ONE_CANDIDATE_IS_NONE in engine.quirks else 0
    if pos.size <= limit:
        return Ranking(side, pos[:0], np.zeros(0), step, NONE_FOUND)
    scores = asset_scores(engine, pool, report, pos, side, step, weights, liquidation)
    order = np.argsort(-scores if side is TransactionType.BUY else scores, kind="stable")
    return Ranking(side, pos[order], scores[order], step)


__all__ = [
    "NONE_FOUND",
    "RANKING_HEADER",
    "Ranking",
    "asset_scores",
    "candidates",
    "liquidation_price",
    "price_factors",
    "rank_assets",
]
