"""Hypothetical trades, filters, rankings, rebalancing and the legacy tabs, on small hand-made pools."""

from __future__ import annotations

import pytest

from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.filters import (
    And,
    Const,
    FilterEvaluator,
    FilterRow,
    LegacyNot,
    Or,
    Term,
    extra_columns,
    filter_text,
    parse_corrected,
    parse_filter,
    parse_legacy,
)
from clo_xl.compliance.hypo import apply_trades, run_hypo, trade_attributes
from clo_xl.compliance.quirks import CORRECTED, LEGACY
from clo_xl.compliance.rankings import NONE_FOUND, rank_assets
from clo_xl.compliance.rebalance import rebalance
from clo_xl.enums import HypoMode, TransactionType
from clo_xl.portfolio.pool import Pool, Trade, Universe
from clo_xl.ratings.scales import MoodysRating
from clo_xl.runs.compliance_tabs import objective_results_column

from .helpers import asset, deal

A = asset("A", market_value=98.0, country="USA")
B = asset("B", market_value=100.0, moodys_rating=MoodysRating.Caa2, country="Canada", wal=9.0)
C = asset("C", market_value=50.0, wal=10.5)
U = Universe((A, B, C))
POOL = Pool.from_holdings(U, [])
BASE = POOL.with_par_change("A", 60.0).with_par_change("B", 40.0)


def test_buy_capped_by_cash_and_unheld_sale() -> None:
    # cash 10: buy 20 of C at 0.5 → cost 10 fits exactly; then buy 10 of A at 98 → cash 0 → par 0
    trades = [Trade("C", TransactionType.BUY, 20.0), Trade("A", TransactionType.BUY, 10.0, 98.0),
              Trade("C", TransactionType.SALE, 5.0, 0.6),
              Trade("B", TransactionType.SALE, 1.0, 1.0)]  # fmt: skip
    pool, cash, done = apply_trades(POOL.with_par_change("B", 40.0), 10.0, trades[:2] + trades[2:])
    assert [d.status for d in done] == ["executed", "capped by cash", "executed", "executed"]
    assert done[0].executed_par == 20.0 and done[1].executed_par == 0.0
    assert pool.par_of("C") == 15.0 and cash == pytest.approx(0.0 + 5 * 0.6 + 1.0)
    _, _, done2 = apply_trades(POOL, 10.0, [Trade("A", TransactionType.SALE, 5.0)])
    assert done2[0].status == "not held"


def test_hypo_before_after_and_state() -> None:
    d = deal([(14, "Max", 0.5), (7, "Max", 0.5)], cash=0.0)
    eng = ComplianceEngine(d, LEGACY)
    (out,) = run_hypo(eng, BASE, [Trade("B", TransactionType.SALE, 20.0, 100.0)])
    b, a = out.before.by_number, out.after.by_number
    assert b[14].result == pytest.approx(0.40)  # Canada 40 / 100
    assert a[14].result == pytest.approx(20 / 100)  # sold 20 at par: cash +20, CPA stays 100
    assert out.after.state_before.previous[14] == pytest.approx(0.40)  # judged against the before run
    doc = out.to_json()
    assert doc["tests"][0]["hypo_result"] == pytest.approx(0.2) and doc["trades"][0]["status"] == "executed"
    outs = run_hypo(eng, BASE, [Trade("B", TransactionType.SALE, 5.0), Trade("A", TransactionType.BUY, 0.0)],
                    mode=HypoMode.INDIVIDUAL)  # fmt: skip
    assert len(outs) == 2 and outs[1].before.state_before == outs[0].after.state_after


def test_the_before_of_an_unchanged_deal_is_kept_and_nothing_else() -> None:
    """Trade after trade on one deal: the before is evaluated once (the same report object) while the same
    pool, cash and state come back, and evaluated again when any of them changes; either way it equals a
    fresh engine's evaluation (Canada 40 of 100 → test 14 at 0.40, by hand)."""
    d = deal([(14, "Max", 0.5), (7, "Max", 0.5)], cash=0.0)
    eng = ComplianceEngine(d, LEGACY)
    sale = [Trade("B", TransactionType.SALE, 20.0, 100.0)]
    (first,) = run_hypo(eng, BASE, sale)
    (second,) = run_hypo(eng, BASE, [Trade("A", TransactionType.SALE, 10.0, 98.0)])
    assert second.before is first.before and first.before.by_number[14].result == pytest.approx(0.40)
    assert second.after.by_number[14].result == pytest.approx(40 / (100 - 10 + 9.8))  # CPA: 90 par + 9.8
    fresh = ComplianceEngine(d, LEGACY).evaluate(BASE)
    assert first.before == fresh
    other_pool = BASE.with_par_change("A", 0.0)  # another pool object, same holdings
    (third,) = run_hypo(eng, other_pool, sale)
    assert third.before is not first.before and third.before == fresh
    (fourth,) = run_hypo(eng, other_pool, sale, cash=-0.0)  # -0.0 is not 0.0 to the bit
    assert fourth.before is not third.before and fourth.before.principal_cash == -0.0
    state = eng.initial_state
    (fifth,) = run_hypo(eng, other_pool, sale, cash=-0.0, state=type(state)(state.previous, state.mwarr))
    assert fifth.before is not fourth.before and fifth.before == fourth.before


def test_trade_attributes_and_bucket_q31() -> None:
    d = deal([(14, "Max", 0.5)], cash=100.0)
    trades = [Trade("C", TransactionType.BUY, 10.0, 0.5), Trade("A", None, 30.0, 0.9)]
    for conv, par in ((LEGACY, 40.0), (CORRECTED, 10.0)):
        eng = ComplianceEngine(d, conv)
        _, _, done = apply_trades(BASE, 100.0, trades)
        attrs = trade_attributes(eng, BASE, done)
        assert attrs["Purchases"]["Par Amount"] == par
        assert attrs["Sales"]["Par Amount"] is None
    eng = ComplianceEngine(d, LEGACY)
    _, _, done = apply_trades(BASE, 100.0, trades[:1])
    assert trade_attributes(eng, BASE, done)["Purchases"]["Weighted Average Trade Price"] == pytest.approx(
        0.005
    )
    assert trade_attributes(ComplianceEngine(d, CORRECTED), BASE, done)["Purchases"][
        "Weighted Average Trade Price"
    ] == pytest.approx(0.5)


def test_filter_text_and_trees() -> None:
    rows = [
        FilterRow("", "(", "S&P Rating", "<=", "B-", ""),
        FilterRow("or", "", "Moody's Rating", ">=", "B3", ")"),
    ]
    text = filter_text(rows)
    assert text == "(S&P Rating<=B- or Moody's Rating>=B3)"
    t1, t2, t3 = Term("X", "=", "1"), Term("Y", "=", "2"), Term("Z", "=", "3")
    # legacy: " OR " outranks " AND " whatever the position; NOT forms are always False
    assert parse_legacy("X=1 and Y=2 or Z=3") == Or(And(t1, t2), t3)
    assert parse_legacy("X=1 or Y=2 and Z=3") == Or(t1, And(t2, t3))
    assert parse_legacy("X=1 and Y=2 not Z=3") == LegacyNot(And(t1, t2), t3)
    assert parse_legacy("(X=1 or Y=2) and Z=3") == And(Or(t1, t2), t3)
    assert parse_corrected("X=1 and not Y=2") == And(t1, parse_corrected("not Y=2"))
    assert parse_corrected("") == Const(True)


def test_filter_evaluation_fields_and_quirks() -> None:
    cols = ComplianceEngine(deal([(1, "Min", 0.9)]), LEGACY).columns(BASE)
    ev = FilterEvaluator(U, cols, LEGACY)
    assert ev.evaluate(parse_filter("Moody's Rating>=Caa1", LEGACY)).tolist() == [False, True, False]
    assert ev.evaluate(parse_filter("Country=canada", LEGACY)).tolist() == [False, True, False]
    assert ev.evaluate(parse_filter("Market Value<75", LEGACY)).tolist() == [False, False, True]
    # WAL compared as text in the legacy: "10.5" < "9" (Q4)
    assert ev.evaluate(parse_filter("WAL<9", LEGACY)).tolist() == [True, False, True]
    ev_c = FilterEvaluator(U, ComplianceEngine(deal([(1, "Min", 0.9)]), CORRECTED).columns(BASE), CORRECTED)
    assert ev_c.evaluate(parse_filter("WAL<9", CORRECTED)).tolist() == [True, False, False]
    assert ev.evaluate(parse_filter("Country=USA not WAL<9", LEGACY)).tolist() == [False, False, False]
    assert ev_c.evaluate(parse_filter("Country=USA not WAL<9", CORRECTED)).tolist() == [False, False, True]
    assert ev.evaluate(parse_filter("Unknown Field=abc", LEGACY)).all()  # both sides empty
    fields = ["Moody's Rating", "Moody's Rating WARF", "Market Value", "Country", "Analyst Opinion"]
    assert extra_columns("Moody's Rating WARF>=B3 and Market Value>90", fields) == [
        "MOODY'S RATING WARF", "MARKET VALUE"
    ]  # fmt: skip


def test_rankings_and_one_candidate_q26() -> None:
    d = deal([(33, "Min", 0.4), (32, "Min", None)], cash=50.0, weights={32: 0.6, 33: 0.4})
    eng = ComplianceEngine(d, LEGACY)
    r = rank_assets(eng, BASE, side=TransactionType.BUY, allow_increase=True)
    assert set(r.positions.tolist()) == {0, 1}  # C has market value 50 < 75
    assert r.scores[0] >= r.scores[1]
    only_c = rank_assets(eng, BASE, side=TransactionType.BUY, buy_filter="Market Value<99")
    assert (only_c.message is None and only_c.positions.size == 0) or only_c.message == NONE_FOUND
    one = rank_assets(eng, BASE, side=TransactionType.SALE, sale_filter="Country=USA")
    assert one.message == NONE_FOUND  # exactly one candidate → "none found" in the legacy
    assert rank_assets(ComplianceEngine(d, CORRECTED), BASE, side=TransactionType.SALE,
                       sale_filter="Country=USA").positions.size == 1  # fmt: skip
    assert r.rows(BASE, eng)[0][0] == "Objective Function"


def test_rebalance_runs_and_respects_targets() -> None:
    d = deal([(33, "Min", 0.1), (32, "Min", None), (14, "Max", 0.9)], cash=100.0, weights={32: 0.6},
             qti={"Weighted Average Spread": 0.01})  # fmt: skip
    res = rebalance(ComplianceEngine(d, LEGACY), BASE, step=10.0, sale_target=20.0, buy_target=30.0,
                    allow_increase=True)  # fmt: skip
    assert sum(s.executed_par for s in res.sales) == pytest.approx(20.0)
    assert sum(p.executed_par for p in res.purchases) <= 40.0
    assert res.before.objective > 0 and "tests" in res.to_json()


def test_objective_results_column() -> None:
    d = deal([(14, "Max", 0.5), (35, "Max", 6.0), (99, "Max", 1.0)], weights={33: 0.0, 35: 1.0})
    rep = ComplianceEngine(d, LEGACY).evaluate(BASE)
    assert objective_results_column(rep, [33, 35], LEGACY) == ["06.60", None]  # packed (Q22)
    assert objective_results_column(rep, [33, 35], CORRECTED) == [None, "06.60"]
