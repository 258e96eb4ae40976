"""Each remaining quirk switch, in both conventions, on the smallest pool that shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clo_xl.compliance.columns import adjust_business_day
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import run_hypo
from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk
from clo_xl.compliance.rebalance import rebalance
from clo_xl.enums import BondLoan, BusinessDayConvention, CouponType, TransactionType
from clo_xl.portfolio.pool import Trade

from .helpers import NSSL, asset, deal, pool


def both(p, tests, n, **kw):
    d = deal(tests, **kw)
    return (
        ComplianceEngine(d, LEGACY).evaluate(p).by_number[n],
        ComplianceEngine(d, CORRECTED).evaluate(p).by_number[n],
    )


def test_q1_flags_exact_yes() -> None:
    # cov-lite cell was "yes" (not exactly "Yes"): the legacy reads False
    p = pool((asset("A", cov_lite=True, inexact_flags=frozenset({"cov_lite"})), 50.0), (asset("B"), 50.0))
    legacy, corrected = both(p, [(29, "Max", 0.6)], 29)
    assert legacy.result == 0.0 and corrected.result == pytest.approx(0.5)


def test_q3_coupon_type_exact() -> None:
    a = asset("A", coupon_type=CouponType.FIXED, inexact_flags=frozenset({"coupon_type"}))  # cell was "Fixed"
    p = pool((a, 50.0), (asset("B"), 50.0))
    legacy, corrected = both(p, [(9, "Max", 0.5)], 9)
    assert legacy.result == 0.0 and corrected.result == pytest.approx(0.5)


def test_q3_sp_industry_case() -> None:
    p = pool((asset("A", sp_industry="Health care"), 40.0), (asset("B", sp_industry="Health Care"), 35.0),
             (asset("C", sp_industry="Retail"), 25.0))  # fmt: skip
    legacy, corrected = both(p, [(25, "Max", 0.5)], 27)
    assert legacy.result == pytest.approx(0.40) and corrected.result == pytest.approx(0.75)


def test_q5_business_day() -> None:
    sat_month_end = date(2022, 4, 30)  # a Saturday, last day of April
    sunday = date(2022, 7, 31)
    prev = BusinessDayConvention.PREVIOUS
    mod = BusinessDayConvention.MOD_FOLLOWING
    assert adjust_business_day(sat_month_end, mod, frozenset(), LEGACY) == date(2022, 4, 29)
    assert adjust_business_day(date(2022, 7, 30), mod, frozenset(), LEGACY) == date(
        2022, 8, 1
    )  # not month end
    assert adjust_business_day(date(2022, 7, 30), mod, frozenset(), CORRECTED) == date(2022, 7, 29)
    assert adjust_business_day(sunday, prev, frozenset(), LEGACY) == date(2022, 8, 1)  # Previous ignored
    assert adjust_business_day(sunday, prev, frozenset(), CORRECTED) == date(2022, 7, 29)


def test_q11_test1_subtracts_non_senior_bonds() -> None:
    p = pool((asset("A"), 80.0), (asset("B", bond_loan=BondLoan.BOND, moody_asset_category=NSSL), 20.0))
    legacy, corrected = both(p, [(1, "Min", 0.5)], 1)
    assert legacy.result == pytest.approx(0.6) and corrected.result == pytest.approx(0.8)


def test_q12_test51_numerator() -> None:
    p = pool(
        *[
            (asset(c, moodys_industry=f"IND{c}"), par)
            for c, par in zip("ABCD", (40.0, 30.0, 20.0, 10.0), strict=True)
        ]
    )
    legacy, corrected = both(p, [(49, "Max", 0.5)], 51)
    assert legacy.result == corrected.result == pytest.approx(0.2)
    assert legacy.numerator == 30.0 and corrected.numerator == 20.0


def test_q14_country_lists() -> None:
    p = pool(
        (asset("A", country="UK"), 10.0),
        (asset("B", country="Netherlands Antilles"), 10.0),
        (asset("C"), 80.0),
    )
    l18, c18 = both(p, [(18, "Max", 0.5)], 18)
    assert l18.result == 0.0 and c18.result == pytest.approx(0.1)
    l24, c24 = both(p, [(24, "Max", 0.5)], 24)
    assert l24.result == 0.0 and c24.result == pytest.approx(0.1)


def test_q19_warf_input_rounding() -> None:
    p = pool((asset("A"), 100.0))
    legacy, corrected = both(p, [(36, "Max", None)], 36, qti={"WARF Threshold": 2740.5, "WARF Factor": 66.5,
                                                               "MWARR": 0.44})  # fmt: skip
    assert legacy.threshold == pytest.approx(2740 + 1 * 66)  # both rounded half-to-even
    assert corrected.threshold == pytest.approx(2740.5 + 1 * 66.5)


def test_q30_missing_stated_maturity() -> None:
    p = pool((asset("A"), 100.0))
    legacy, corrected = both(p, [(43, "Max", 0.05)], 43)
    assert legacy.result == pytest.approx(1.0) and not legacy.passed
    assert corrected.result == 0.0 and "Stated Maturity Date" in (corrected.pass_fail_comment or "")
    with_input = deal([(43, "Max", 0.05)], qti={"Stated Maturity Date": date(2028, 4, 20)})
    assert ComplianceEngine(with_input, LEGACY).evaluate(p).by_number[43].result == 0.0


def test_q25_unheld_sale_reported() -> None:
    p = pool((asset("A"), 100.0))
    trades = [Trade("B", TransactionType.SALE, 10.0)]
    universe_p = replace(p)  # same pool; "B" is not in its universe → unknown asset
    d = deal([(14, "Max", 0.5)])
    p2 = pool((asset("A"), 100.0), (asset("B"), 0.0))
    (legacy,) = run_hypo(ComplianceEngine(d, LEGACY), p2, trades)
    (corrected,) = run_hypo(ComplianceEngine(d, CORRECTED), p2, trades)
    assert "notices" not in legacy.to_json()
    assert corrected.to_json()["notices"] == ["sale of B: not held, nothing sold"]
    assert universe_p.total_par == 100.0


def test_q27_sale_loop_message() -> None:
    p = pool((asset("A"), 10.0))
    d = deal([(14, "Max", 0.5)])
    # one holding: the legacy ranking reports exactly one candidate as none (Q26), and without a filter the
    # legacy sale loop would then spin for ever (Q27); clo-xl stops and says so
    legacy = rebalance(ComplianceEngine(d, LEGACY), p, step=10.0, sale_target=10.0)
    assert legacy.sales == () and "never leaves this loop" in legacy.messages[0]
    corrected = rebalance(ComplianceEngine(d, CORRECTED), p, step=10.0, sale_target=10.0)
    assert sum(s.executed_par for s in corrected.sales) == 10.0 and corrected.messages == ()


def test_q29_acceptance_rule() -> None:
    # all objective weights 0: the legacy never buys (objective 0); corrected buys while nothing newly fails
    p = pool((asset("A"), 50.0), (asset("B"), 0.0), (asset("C"), 0.0))
    d = deal([(14, "Max", 0.5)], cash=100.0)
    assert (
        rebalance(ComplianceEngine(d, LEGACY), p, step=1.0, buy_target=2.0, allow_increase=True).purchases
        == ()
    )
    got = rebalance(ComplianceEngine(d, CORRECTED), p, step=1.0, buy_target=2.0, allow_increase=True)
    assert sum(e.executed_par for e in got.purchases) == pytest.approx(2.0)


def test_q34_wac_without_fixed_rate_assets() -> None:
    # issue 11 item 3: only floating assets and a Min 7 % WAC row. Legacy reads 0/0 as 0 and fails it
    # (§4.8); corrected: the test does not apply, passes with a remark and cannot zero the objective.
    p = pool((asset("A"), 60.0), (asset("B"), 40.0))
    tests = [(1, "Min", 0.5), (34, "Min", 0.07)]
    legacy, corrected = both(p, tests, 34)
    assert legacy.result == 0.0 and not legacy.passed
    assert corrected.result == 0.0 and corrected.passed
    assert corrected.pass_fail_comment == "no fixed-rate obligation: the test does not apply (passes)"
    # objective = 100 × Σ weight × result ÷ threshold: test 1 (all senior secured loans: 1.0) weighted 1
    # → 100 × 1.0 / 0.5 = 200. Before the fix the corrected failing WAC zeroed it (Q20 off); the legacy
    # skips a failure with no numerator (Q20), so it shows 200 too.
    d = deal(tests, weights={1: 1.0})
    assert ComplianceEngine(d, CORRECTED).evaluate(p).objective == pytest.approx(200.0)
    assert ComplianceEngine(d, LEGACY).evaluate(p).objective == pytest.approx(200.0)
    assert (
        ComplianceEngine(d, CORRECTED.with_(Quirk.Q34_WAC_WITHOUT_FIXED_FAILS)).evaluate(p).objective == 0.0
    )
    fixed = asset("F", coupon_type=CouponType.FIXED, coupon=0.08)  # with a fixed asset the test applies
    r = ComplianceEngine(d, CORRECTED).evaluate(pool((asset("A"), 60.0), (fixed, 40.0))).by_number[34]
    assert r.result == pytest.approx(0.08) and r.pass_fail_comment is None
