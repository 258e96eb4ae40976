"""Rebalancing that respects price (issue 11): buys above par burn par, the corrected objective accounts for
it, and the liquidation price at the deal's maturity is an input (deal sheet CFInputs, or given).

Hand arithmetic in each test's comment; the pools are built so that the answer is known without the engine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import apply_trades
from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk
from clo_xl.compliance.rankings import liquidation_price, price_factors, rank_assets
from clo_xl.compliance.rebalance import par_build, rebalance
from clo_xl.enums import TransactionType
from clo_xl.portfolio.pool import Trade

from .helpers import asset, deal, pool

STATED = date(2028, 4, 20)


def _deal(cash: float = 10e6, **cf: float):
    d = deal([(33, "Min", 0.4), (35, "Max", 8.0)], cash=cash, weights={33: 0.6, 35: 0.4},
             qti={"Stated Maturity Date": STATED})  # fmt: skip
    return replace(d, extras={"cf_inputs": dict(cf)}) if cf else d


def test_a_buy_above_par_burns_par() -> None:
    # 750,000 par bought at 101.5 costs 761,250: par up 750,000, cash down 761,250 → 11,250 of par burnt;
    # at 98 it costs 735,000 → 15,000 built
    p = pool((asset("A"), 100.0), (asset("B", market_value=101.5), 0.0), (asset("C", market_value=98.0), 0.0))
    _, cash, (above,) = apply_trades(p, 10e6, [Trade("B", TransactionType.BUY, 750_000.0)])
    assert cash == pytest.approx(10e6 - 761_250.0)
    assert par_build(above) == pytest.approx(-11_250.0)
    _, _, (below,) = apply_trades(p, 10e6, [Trade("C", TransactionType.BUY, 750_000.0)])
    assert par_build(below) == pytest.approx(15_000.0)


def test_price_factor_by_hand() -> None:
    # terminal ÷ price: B at 102 maturing 2022 (before the stated maturity) → 1 / 1.02 = 0.980392;
    # L at 95 maturing 2030 (after it) → liquidation price 0.70 (CFInputs) / 0.95 = 0.736842;
    # with the liquidation price given as 0.90 → 0.90 / 0.95 = 0.947368
    b = asset("B", market_value=102.0)
    late = asset("L", market_value=95.0, maturity=date(2030, 1, 15))
    p = pool((asset("A"), 100.0), (b, 0.0), (late, 0.0))
    engine = ComplianceEngine(_deal(**{"Liquidation Price": 0.7}), CORRECTED)
    pos = np.array([p.universe.position("B"), p.universe.position("L")], dtype=np.int64)
    assert price_factors(engine, p, pos) == pytest.approx([1 / 1.02, 0.7 / 0.95])
    assert price_factors(engine, p, pos, 0.9) == pytest.approx([1 / 1.02, 0.9 / 0.95])
    assert liquidation_price(engine.deal) == 0.7 and liquidation_price(_deal()) == 1.0


def test_corrected_prefers_the_cheaper_of_two_identical_assets() -> None:
    # two assets equal in every attribute but price: legacy scores them the same (ties keep pool order);
    # corrected divides by price, so the one at 95 outranks the one at 105
    rich = asset("R", market_value=105.0)
    cheap = asset("C", market_value=95.0)
    p = pool((asset("A"), 100.0), (rich, 0.0), (cheap, 0.0))
    d = _deal()
    legacy = rank_assets(ComplianceEngine(d, LEGACY), p, step=750_000.0)
    corrected = rank_assets(ComplianceEngine(d, CORRECTED), p, step=750_000.0)
    ids = lambda r: [p.universe.assets[i].brs_id for i in r.positions.tolist()]  # noqa: E731
    assert legacy.scores[0] == pytest.approx(legacy.scores[1])
    assert ids(corrected)[0] == "C"
    assert corrected.scores[0] / corrected.scores[1] == pytest.approx(105.0 / 95.0)
    only_q26 = rank_assets(
        ComplianceEngine(d, LEGACY.without(Quirk.Q26_PRICE_BLIND_SCORES)), p, step=750_000.0
    )
    assert ids(only_q26)[0] == "C"


def test_rebalance_reports_par_build_and_lots_per_asset() -> None:
    # buy 2,000,000 par in 750,000 steps (corrected, no sale) from six candidates alternately at 95 and 105;
    # a name already bought may take no more than 5 % of the target (100,000), so each asset is bought once
    # and the cheap ones come first: each lot at 95 builds 750,000 × 0.05 = 37,500 of par
    cands = [asset(f"C{i}", market_value=95.0 + 10 * (i % 2)) for i in range(6)]
    p = pool((asset("A"), 100e6), *((c, 0.0) for c in cands))
    result = rebalance(ComplianceEngine(_deal(cash=10e6), CORRECTED), p, step=750_000.0, buy_target=2e6)
    bought = result.lots(TransactionType.BUY)
    assert sum(a.par for a in bought) == pytest.approx(sum(t.executed_par for t in result.purchases))
    assert all(a.lots == 1 for a in bought)
    # every lot's par build is par − cash, and the total is their sum
    assert result.par_build == pytest.approx(sum(a.par - a.cash for a in bought))
    assert next(a.price for a in bought) == pytest.approx(0.95)  # the cheap ones first
    doc = result.to_json()
    assert doc["par_build"] == pytest.approx(result.par_build)
    assert doc["purchases_by_asset"][0]["par_build"] == pytest.approx(750_000.0 * 0.05)
