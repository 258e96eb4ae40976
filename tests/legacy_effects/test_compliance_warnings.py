"""Compliance and hypo documents list exactly the switches that moved one of their figures.

Independent route: the pools are built so that the effect of each switch is known by hand (a defaulted asset
moves the tests that count defaulted par under Q11; a bond in the Moody's non-senior category moves test 1;
nothing in the pool makes Q8's credit-estimate clock matter), and every listed switch is re-checked by an
engine run with that switch alone turned off.
"""

from __future__ import annotations

import pytest
from tests.compliance.helpers import NSSL, asset, deal

from clo_xl.api import DealSession
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk
from clo_xl.enums import BondLoan, HypoMode, TransactionType
from clo_xl.portfolio.pool import Holding, Trade

A = asset("A")
B = asset("B", defaulted=True, cov_lite=True, market_value=40.0)  # defaulted cov-lite: test 29 under Q11
C = asset("C", bond_loan=BondLoan.BOND, moody_asset_category=NSSL)  # a bond in the non-senior category
TESTS = [(1, "Min", 0.5), (29, "Max", 0.9), (14, "Max", 0.5)]


def published(doc):
    """The figures of a compliance document (not its ``convention`` label)."""
    return doc["tests"], doc["objective"], doc["collateral_principal_amount"]


def session(*assets, tests=TESTS, convention=LEGACY) -> DealSession:
    holdings = tuple(Holding(a.brs_id, 100.0) for a in assets)
    return DealSession(tuple(assets), holdings, deal(tests), convention)


def test_legacy_lists_the_switches_that_moved_figures() -> None:
    s = session(A, B, C)
    doc = s.compliance_document()
    names = [w["quirk"] for w in doc["warnings"]]
    # test 29 (cov-lite share) counts the defaulted cov-lite asset only under Q11: 100/200 vs 0/200
    assert "Q11_DEFAULTED_IN_POPULATIONS" in names
    # test 1 subtracts the bond's 100 of non-senior category par under Q11_TEST1…: (100+0-100)/200 = 0 vs 0.5
    assert "Q11_TEST1_SUBTRACTS_NON_SENIOR_BONDS" in names
    assert "Q8_CREDIT_ESTIMATE_CLOCK" not in names  # on, but no credit estimate in the pool
    t1 = next(w for w in doc["warnings"] if w["quirk"] == "Q11_TEST1_SUBTRACTS_NON_SENIOR_BONDS")
    assert "test 1 result" in t1["affects"]
    assert "test 1 result 0 (0.5 without it)" in t1["message"]
    for w in doc["warnings"]:  # each listed switch really moves a figure when turned off alone
        q = Quirk[w["quirk"]]
        on = published(ComplianceEngine(s.deal_inputs, LEGACY).evaluate(s.pool).to_json())
        off = published(ComplianceEngine(s.deal_inputs, LEGACY.without(q)).evaluate(s.pool).to_json())
        assert on != off, q


def test_corrected_lists_nothing() -> None:
    s = session(A, B, C, convention=CORRECTED)
    assert s.compliance_document()["warnings"] == []


def test_no_effect_no_warning() -> None:
    assert session(A, asset("D")).compliance_document()["warnings"] == []


def test_hypo_document_carries_warnings() -> None:
    s = session(A, B, C, tests=[*TESTS, (9, "Max", 0.5)])
    trades = [Trade("A", TransactionType.SALE, 50.0, 0.5)]  # a decimal price: Q25 reads it as 0.005
    doc = s.hypo_document(trades, mode=HypoMode.POOL)
    names = [w["quirk"] for w in doc["warnings"]]
    assert "Q25_ATTRIBUTE_PRICE_POINTS" in names
    w = next(w for w in doc["warnings"] if w["quirk"] == "Q25_ATTRIBUTE_PRICE_POINTS")
    assert "Sales Weighted Average Trade Price" in w["affects"]
    assert "0.005 (0.5 without it)" in w["message"]
    ind = s.hypo_document(trades, mode=HypoMode.INDIVIDUAL)
    assert isinstance(ind["warnings"], list)


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_sample_workbook_documents(sample_workbook, convention) -> None:
    s = DealSession.from_workbook(sample_workbook, "Mag 17", convention=convention)
    doc = s.compliance_document()
    if convention == "corrected":
        assert doc["warnings"] == []
        return
    listed = {w["quirk"] for w in doc["warnings"]}
    base = published(s.compliance(LEGACY).to_json())
    for q in Quirk:  # every switch that moves a published figure is listed, and only those
        moved = published(s.compliance(LEGACY.without(q)).to_json()) != base
        assert (q.name in listed) == moved, q


def test_column_cache_keys_on_every_switch_the_columns_read() -> None:
    """`columns_for` keys its cache on COLUMN_QUIRKS only: every switch the column builder and the rating
    derivations read must be in that set, or two switch sets would wrongly share columns."""
    import inspect
    import re

    from clo_xl.compliance import columns, derive

    sources = [inspect.getsource(derive), inspect.getsource(columns.build_columns)]
    sources.append(inspect.getsource(columns.adjust_business_day))
    read = {name for src in sources for name in re.findall(r"Quirk\.(Q\w+)", src)}
    assert read == {q.name for q in columns.COLUMN_QUIRKS}


def test_trade_price_mixing_points_and_decimals_is_flagged() -> None:
    """Item 8's hypo case: buys quoted 96 (points) and 0.97 (a decimal). Trading reads both right (0.96,
    0.97); the legacy attributes block divides every price by 100 (Q25), so its "Weighted Average Trade
    Price" is (1m × 0.96 + 1m × 0.0097) / 2m = 0.48485 instead of (0.96 + 0.97) / 2 = 0.965."""
    s = session(A, asset("D"), asset("E"), tests=[*TESTS, (9, "Max", 0.5)])
    s = DealSession(s.assets, s.holdings, deal([*TESTS, (9, "Max", 0.5)], cash=10e6), LEGACY)
    trades = [Trade("D", TransactionType.BUY, 1e6, 96.0), Trade("E", TransactionType.BUY, 1e6, 0.97)]
    doc = s.hypo_document(trades)
    assert doc["trade_attributes"]["Purchases"]["Weighted Average Trade Price"] == pytest.approx(0.48485)
    w = next(w for w in doc["warnings"] if w["quirk"] == "Q25_ATTRIBUTE_PRICE_POINTS")
    assert "Purchases Weighted Average Trade Price 0.48485 (0.965 without it)" in w["message"]
    corrected = s.hypo_document(trades, convention=CORRECTED)
    assert corrected["trade_attributes"]["Purchases"]["Weighted Average Trade Price"] == pytest.approx(0.965)
    assert corrected["warnings"] == []
