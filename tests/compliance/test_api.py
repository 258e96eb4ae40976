"""DealSession: build once, evaluate repeatedly; measures agree with the report."""

from __future__ import annotations

import pytest

from clo_xl.api import DealSession
from clo_xl.enums import HypoMode, TransactionType
from clo_xl.portfolio.pool import Holding, Trade

from .helpers import asset, deal

ASSETS = (asset("A", issuer_id="X"), asset("B", issuer_id="Y", country="Canada", wal=3.0),
          asset("C", issuer_id="Z", moodys_industry="Healthcare"))  # fmt: skip
HOLDINGS = (Holding("A", 50.0), Holding("B", 30.0), Holding("C", 20.0))


def session(tests=((33, "Min", 0.4), (32, "Min", None), (36, "Max", None), (14, "Max", 0.5))) -> DealSession:
    return DealSession(ASSETS, HOLDINGS, deal(tests, cash=10.0, weights={32: 0.6}))


def test_measures_and_caching() -> None:
    s = session()
    rep = s.compliance()
    assert s.compliance() is rep  # cached
    assert s.warf() == pytest.approx(2720.0)  # all B2
    assert s.warr() == pytest.approx(0.45)
    assert s.wal() == pytest.approx((50 * 5 + 30 * 3 + 20 * 5) / 100)  # test 35 not listed: computed anyway
    assert s.diversity() > 0 and s.was() == rep.by_number[32].result
    assert s.collateral_principal_amount == pytest.approx(110.0)
    assert s.compliance("corrected").convention is not None


def test_hypo_document_modes() -> None:
    s = session()
    trades = [Trade("B", TransactionType.SALE, 10.0, 100.0), Trade("C", TransactionType.BUY, 5.0, 99.0)]
    doc = s.hypo_document(trades)
    assert doc["mode"] == "pool" and len(doc["trades"]) == 2 and "trade_attributes" in doc
    assert all("hypo_result" in t and "hypo_pass" in t for t in doc["tests"])
    ind = s.hypo_document(trades, mode=HypoMode.INDIVIDUAL)
    assert len(ind["individual"]) == 2


def test_rankings_rebalance_and_weights() -> None:
    s = session()
    r = s.rankings(side=TransactionType.SALE)
    assert r.positions.size == 3
    rb = s.rebalance(step=5.0, sale_target=10.0, buy_target=0.0)
    assert sum(e.executed_par for e in rb.sales) == pytest.approx(10.0)
    assert s.with_weights({32: 0.0}).compliance().objective == 0.0
