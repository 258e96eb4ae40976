"""Pools: holdings summed in order, trades give new pools, nothing mutates."""

from __future__ import annotations

import numpy as np
import pytest

from clo_xl.enums import TransactionType
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe

U = Universe(tuple(Asset(brs_id=i) for i in ("A", "B", "C")))


def test_from_holdings_sums_duplicates_and_skips_unknown() -> None:
    p = Pool.from_holdings(U, [Holding("B", 5.0), Holding(" A ", 2.0), Holding("B", 3.0), Holding("Z", 1.0)])
    assert [a.brs_id for a in p.assets] == ["B", "A"]
    assert p.par.tolist() == [8.0, 2.0]
    assert p.unknown_ids == ("Z",)


def test_trades_return_new_pools() -> None:
    p = Pool.from_holdings(U, [Holding("A", 10.0)])
    q = p.with_trades([Trade("B", TransactionType.BUY, 4.0), Trade("A", TransactionType.SALE, 99.0)])
    assert p.par.tolist() == [10.0]  # unchanged
    assert [a.brs_id for a in q.assets] == ["B"] and q.par.tolist() == [4.0]
    with pytest.raises(ValueError):
        p.par[0] = 1.0  # read-only arrays


def test_small_remainder_is_removed() -> None:
    p = Pool.from_holdings(U, [Holding("A", 10.0)])
    assert len(p.with_par_change("A", -9.5)) == 0  # |par| <= 1 → removed (CP 224–231)
    assert p.with_par_change("A", -20).total_par == 0.0


def test_price_fraction() -> None:
    t = Trade("A", TransactionType.BUY, 1.0, None)
    assert t.price_fraction(99.5) == pytest.approx(0.995)
    assert Trade("A", TransactionType.BUY, 1.0, 98.0).price_fraction(50) == pytest.approx(0.98)
    assert Trade("A", TransactionType.BUY, 1.0, 0.97).price_fraction(50) == pytest.approx(0.97)
    assert np.isclose(Trade("A", None, 1.0, 0.0).price_fraction(100.0), 1.0)
