"""The compliance engine on a four-asset pool worked by hand.

Pool (par): A1 40 (issuer X, USA, Retail, B2, rec 0.45, WAL 5, floor 1% > LIBOR 0.5%, coupon 5%)
            A2 30 (issuer Y, CANADA, Retail, Caa1, rec 0.30, WAL 3, no floor → spread 4%)
            A3 20 (issuer Z, NETHERLANDS, Healthcare, B1, DIP, rec 0.50, WAL 7)
            A4 10 (issuer X, USA, Retail, defaulted, market value 40, WAL 5)
Collection principal cash 10  →  CPA = 40 + 30 + 20 + 10 = 100 (defaulted A4 excluded).
"""

from __future__ import annotations

import pytest

from clo_xl.compliance.engine import ComplianceEngine, passes
from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk
from clo_xl.compliance.results import RELIEF_COMMENT
from clo_xl.deal import ThresholdRow
from clo_xl.enums import MinMax
from clo_xl.ratings.scales import MoodysRating

from .helpers import asset, deal, pool

A1 = asset("A1", issuer_id="X")
A2 = asset("A2", issuer_id="Y", country="Canada", moodys_rating=MoodysRating.Caa1,
           moodys_rating_warf=MoodysRating.Caa1, moodys_recovery_rate=0.30, wal=3.0,
           libor_floor=0.0)  # fmt: skip
A3 = asset("A3", issuer_id="Z", country="Netherlands", moodys_industry="Healthcare", dip=True,
           moodys_rating=MoodysRating.B1, moodys_rating_warf=MoodysRating.B1, moodys_recovery_rate=0.50,
           wal=7.0)  # fmt: skip
A4 = asset("A4", issuer_id="X", defaulted=True, market_value=40.0)
POOL = pool((A1, 40.0), (A2, 30.0), (A3, 20.0), (A4, 10.0))


def run(tests, conv=LEGACY, **kw):
    return ComplianceEngine(deal(tests, cash=10.0, **kw), conv).evaluate(POOL)


def test_cpa_and_share_tests() -> None:
    r = run([(1, "Min", 0.9), (7, "Max", 0.075), (11, "Max", 0.25), (14, "Max", 0.6)])
    assert r.collateral_principal_amount == pytest.approx(100.0)
    res = r.by_number
    assert res[1].result == pytest.approx(1.0)  # loans 90 − non-senior 0 + cash 10 = 100
    assert res[7].result == pytest.approx(0.30)  # Caa1 A2
    assert res[11].result == pytest.approx(0.20)  # DIP A3
    assert res[14].result == pytest.approx(0.50)  # Canada 30 + Netherlands 20
    assert [t.passed for t in r.results] == [True, False, True, True]


def test_obligor_tests_and_crash_cases() -> None:
    r = run([(3, "Max", 0.02), (4, "Max", 0.5), (5, "Max", 0.25)])
    res = r.by_number
    # test 3 needs a 6th obligor: only X and Y (A3 is DIP, excluded) → clear result instead of a crash
    assert res[3].result == 0.0 and "fewer than 6 obligors" in (res[3].pass_fail_comment or "")
    assert res[4].result == pytest.approx(0.40) and res[4].comment == "X"  # A4 is defaulted
    assert res[5].result == pytest.approx(0.20) and res[5].comment == "Z"
    assert [t.number for t in r.results] == [3, 4, 5]  # child 4 right after its parent


def test_weighted_averages_by_hand() -> None:
    r = run([(33, "Min", 0.4), (32, "Min", None), (35, "Max", 6.0), (36, "Max", None), (38, "Min", 1.0)])
    res = r.by_number
    assert res[33].result == pytest.approx(37 / 90)  # (40×.45 + 30×.30 + 20×.50) / 90
    # WAS over ALL floating assets (legacy): floored → coupon − L = 4.5%, A2 unfloored → spread 4%
    assert res[32].result == pytest.approx((40 * 0.045 + 30 * 0.04 + 20 * 0.045 + 10 * 0.045) / 100)
    # dynamic threshold with the computed WARR (33 comes first): 0.044 − (41.11 − 43) × 0.00065
    assert res[32].threshold == pytest.approx(0.044 - (37 / 90 * 100 - 43) * 0.00065)
    assert res[35].result == 5.33  # (200 + 90 + 140 + 50) / 90 = 5.333…, rounded by the engine
    assert res[36].result == pytest.approx((40 * 2720 + 30 * 4770 + 20 * 2220) / 90)
    assert res[36].threshold == pytest.approx(2740 + (37 / 90 * 100 - 43) * 67)
    assert res[38].result == pytest.approx((10 + 40 + 30 + 20 + 10 * 0.40) / 100)  # defaulted at MV


def test_warr_order_q18() -> None:
    legacy = run([(32, "Min", None), (33, "Min", 0.4)]).by_number
    assert legacy[32].threshold == pytest.approx(0.044 + 43 * 0.00065)  # MWARR input missing → 0
    corrected = run([(32, "Min", None), (33, "Min", 0.4)], LEGACY.without(Quirk.Q18_WARR_ORDER_SENSITIVE))
    assert corrected.by_number[32].threshold == pytest.approx(0.044 - (37 / 90 * 100 - 43) * 0.00065)


def test_diversity_both_conventions() -> None:
    # legacy ALL: X 50 (Retail), Y 30, Z 20; avg 33.33 → units 1, 0.9, 0.6 → Retail 1.9 → 1.45, Health 0.6
    assert run([(37, "Min", 1.0)]).by_number[37].result == pytest.approx(2.05)
    # corrected ND: X 40, Y 30, Z 20; avg 30 → 1, 1, 0.667 → Retail 2.0 → 1.5, Health 0.667 → 0.7: Moody's
    # table lists 0.65 → 0.7 and 0.75 → 0.8, and 0.667 takes the lower of the two (issue 11 item 1; the
    # earlier floor(10x) read 0.6 here)
    assert run([(37, "Min", 1.0)], CORRECTED).by_number[37].result == pytest.approx(2.2)


def test_population_quirk_q11_wal() -> None:
    assert run([(35, "Max", 6.0)], CORRECTED).by_number[35].result == 4.78  # 430 / 90 = 4.777…


def test_previous_value_relief_and_overwrite() -> None:
    fail = run([ThresholdRow(14, "", "Max", 0.4, None, 0.45)]).by_number[14]
    assert not fail.passed
    relief = run([ThresholdRow(14, "", "Max", 0.4, None, 0.50)]).by_number[14]
    assert relief.passed and relief.pass_fail_comment == RELIEF_COMMENT
    over = run([ThresholdRow(14, "", "Max", 0.4, 0.6, None)]).by_number[14]
    assert over.passed and over.threshold == 0.6


def test_min_max_blank_q16() -> None:
    rows = [ThresholdRow(14, "", "", 0.6)]
    assert not run(rows).by_number[14].passed  # legacy: blank = MIN, 0.5 >= 0.6 fails
    assert run(rows, CORRECTED).by_number[14].passed  # corrected: catalogue direction (Max)


def test_unlisted_child_q15() -> None:
    legacy = run([(18, "Max", 0.25)]).results
    assert [r.number for r in legacy] == [18, 19]
    assert legacy[1].result == pytest.approx(0.20) and legacy[1].comment == "NETHERLANDS"
    assert legacy[1].passed  # inherits the parent's pass flag
    assert not run([(18, "Max", 0.25)], CORRECTED).results[1].passed  # 0.20 > default 0.05


def test_test5_sort_q12() -> None:
    extra = asset("A5", issuer_id="AAA", dip=True)
    p = pool((A1, 40.0), (A3, 20.0), (extra, 5.0))
    d = deal([(5, "Max", 0.5)])
    assert ComplianceEngine(d, LEGACY).evaluate(p).by_number[5].comment == "AAA"
    assert ComplianceEngine(d, CORRECTED).evaluate(p).by_number[5].comment == "Z"


def test_objective_and_q20() -> None:
    tests = [(33, "Min", 0.4), (32, "Min", None), (37, "Min", 10.0)]
    legacy = run(tests, weights={32: 0.6}, qti={"Weighted Average Spread": 0.04})
    r32 = legacy.by_number[32]
    assert r32.passed
    assert not legacy.by_number[37].passed  # diversity fails but has no numerator
    assert legacy.objective == pytest.approx(100 * 0.6 * r32.result / r32.threshold)
    assert run(tests, CORRECTED, weights={32: 0.6}, qti={"Weighted Average Spread": 0.04}).objective == 0.0


def test_state_rolls_forward_q17() -> None:
    engine = ComplianceEngine(deal([ThresholdRow(14, "", "Max", 0.4, None, 0.5)], cash=10.0), LEGACY)
    first = engine.evaluate(POOL)
    assert first.state_after.previous[14] == pytest.approx(0.5)
    engine_c = ComplianceEngine(deal([ThresholdRow(14, "", "Max", 0.4, None, 0.5)], cash=10.0), CORRECTED)
    assert engine_c.evaluate(POOL).state_after.previous[14] == 0.5


def test_threshold_comparison_is_robust() -> None:
    assert passes(0.1 + 0.2, 0.3, MinMax.MAX)  # 0.30000000000000004 sits on 0.3
    assert passes(0.025, 0.025, MinMax.MAX) and not passes(0.0251, 0.025, MinMax.MAX)
    assert passes(0.3, 0.1 + 0.2, MinMax.MIN)


def test_unknown_test_number_ignored_and_json_shape() -> None:
    r = run([(99, "Max", 0.1), (9, "Max", 0.025)])
    doc = r.to_json()
    assert [t["number"] for t in doc["tests"]] == [9]
    assert set(doc["tests"][0]) >= {"number", "name", "min_max", "threshold", "result", "numerator",
                                     "denominator", "pass", "comment", "pass_fail_comment"}  # fmt: skip
    assert set(doc) >= {"deal", "analysis_date", "collateral_principal_amount", "tests", "objective"}
