"""Rating scales, notching, derivations and factors (COMPLIANCE_SPEC §3), in both conventions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from clo_xl.compliance.derive import Deriver, derive, rating_factor
from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk
from clo_xl.portfolio.asset import Asset
from clo_xl.ratings.scales import MoodysRating, SPRating, parse_moodys, parse_sp

SSL = "Moody\u2019s Senior Secured loan"


def test_parse_scales() -> None:
    assert parse_moodys("CAA1") is MoodysRating.Caa1
    assert parse_moodys(" b2 ") is MoodysRating.B2
    for blank in (None, "", "NR", "WR", " nr "):
        assert parse_moodys(blank) is None and parse_sp(blank) is None
    assert parse_sp("BB-") is SPRating.BB_MINUS and parse_sp("d") is SPRating.D
    with pytest.raises(ValueError, match="not a Moody's rating"):
        parse_moodys("B9")
    with pytest.raises(ValueError, match="not an S&P rating"):
        parse_sp("BBBB")


def loan(**kw: Any) -> Asset:
    return replace(Asset(brs_id="X1", moody_asset_category=SSL, seniority="Senior Secured"), **kw)


def test_moodys_rating_from_facility_with_outlook() -> None:
    a = loan(moody_facility_rating=MoodysRating.B1, moody_facility_outlook=None)
    assert Deriver(LEGACY).moodys_rating(a).moodys is MoodysRating.B1
    from clo_xl.enums import Outlook

    b = loan(moody_facility_rating=MoodysRating.B1, moody_facility_outlook=Outlook.DOWNGRADE)
    assert Deriver(LEGACY).moodys_rating(b).moodys is MoodysRating.B2  # one notch down


def test_senior_unsecured_upgraded_two_notches_for_ssl() -> None:
    a = loan(moody_senior_unsecured_rating=MoodysRating.Caa1)
    assert Deriver(LEGACY).moodys_rating(a).moodys is MoodysRating.B2


def test_withdrawn_rating_notched_becomes_aaa_q6() -> None:
    # "Other" asset: issuer rating one notch down; a WR issuer rating is present with rank 0 in the legacy
    a = Asset(brs_id="X2", bond_loan=None, withdrawn_ratings=frozenset({"moody_issuer_rating"}))
    assert Deriver(LEGACY).moodys_rating(a).moodys is MoodysRating.Aaa
    assert Deriver(CORRECTED).moodys_rating(a).moodys is MoodysRating.Caa3  # unrated → next rules → Caa3


def test_sp_rank15_spelt_bb_q7() -> None:
    # no S&P ratings: S&P derived from Moody's facility Ba3 (rank 13 > 10 → two notches down → rank 15)
    a = loan(moody_facility_rating=MoodysRating.Ba3)
    assert Deriver(LEGACY).sp_rating(a) is SPRating.BB  # the legacy spells rank 15 "BB"
    assert Deriver(CORRECTED).sp_rating(a) is SPRating.B


def test_sp_rating_order() -> None:
    a = loan(sp_issuer_rating=SPRating.B_PLUS, sp_facility_rating=SPRating.BB, dip=False)
    assert Deriver(LEGACY).sp_rating(a) is SPRating.B_PLUS
    assert Deriver(LEGACY).sp_rating(loan(defaulted=True, sp_issuer_rating=SPRating.B)) is SPRating.D
    assert Deriver(LEGACY).sp_rating(loan(dip=True, sp_facility_rating=SPRating.BB)) is SPRating.BB
    assert Deriver(LEGACY).sp_rating(loan()) is SPRating.AAA  # nothing found: rank 0 notched → AAA (bug)
    assert Deriver(CORRECTED).sp_rating(loan()) is SPRating.CCC_MINUS


def test_recovery_uppercase_rank_q6_and_matrix_q10() -> None:
    # loaded ratings are uppercased by the legacy: "BA3" and "CAA1" have rank 0 → d = 0 − 0 = 0 → 0.45
    a = loan(moodys_rating=MoodysRating.Ba3, moodys_dpr=MoodysRating.Caa1, moodys_recovery_rate=0.0)
    assert derive(a, Deriver(LEGACY)).recovery_rate == 0.45
    # corrected: d = rank(Caa1) − rank(Ba3) = 17 − 13 = 4 → row d >= 2 → 0.60
    assert derive(a, Deriver(CORRECTED)).recovery_rate == 0.60
    # B1 (14) vs B3… uppercase keeps B1/B3 ranks; DPR much better than rating: d = 14 − 17 = −3 row
    nssl = Asset(brs_id="N", moody_asset_category="Moody\u2019s Non-Senior Secured Loan",
                 moodys_rating=MoodysRating.B3, moodys_dpr=MoodysRating.A1)  # fmt: skip
    assert derive(nssl, Deriver(LEGACY)).recovery_rate == 0.50  # d = 5 − 16 = −11 → last row, 0.50 (Q10)
    assert derive(nssl, Deriver(CORRECTED)).recovery_rate == 0.15
    assert derive(loan(dip=True, moodys_recovery_rate=0.0), Deriver(LEGACY)).recovery_rate == 0.50


def test_credit_estimate_clock_q8() -> None:
    a = Asset(brs_id="C", bond_loan=None, moodys_credit_estimate=MoodysRating.B3,
              moodys_credit_estimate_date=date(2016, 1, 1))  # fmt: skip
    legacy = Deriver(LEGACY, date(2016, 3, 23), today=date(2026, 1, 1))
    corrected = Deriver(CORRECTED, date(2016, 3, 23), today=date(2026, 1, 1))
    assert legacy.dpr(a, for_warf=False).moodys is not MoodysRating.B3  # stale by the clock
    assert corrected.dpr(a, for_warf=False).moodys is MoodysRating.B3  # fresh at the analysis date


def test_dpr_for_warf_negative_outlook() -> None:
    from clo_xl.enums import Outlook

    a = loan(moody_issuer_rating=MoodysRating.B1, moody_issuer_outlook=Outlook.NEGATIVE)
    d = Deriver(LEGACY)
    assert d.dpr(a, for_warf=True).moodys is MoodysRating.B3  # two notches down (B1 → B3)
    assert d.dpr(a, for_warf=False).moodys is MoodysRating.B1  # Negative alone does not move the DPR


def test_rating_factors_q9() -> None:
    assert rating_factor(MoodysRating.B2, table="tests") == 2720
    assert rating_factor(MoodysRating.C, table="tests") == 10000  # falls through to the default
    assert rating_factor(None, table="udt", unknown=0.0) == 0.0
    assert rating_factor(MoodysRating.Ca, table="udt") == 10000
    assert Quirk.Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS in LEGACY
