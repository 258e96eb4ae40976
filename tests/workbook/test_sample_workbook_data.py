"""The synthetic sample book is realistic and follows the legacy deal configuration.

Expected lists are typed from the spec: test lists and order from COMPLIANCE_SPEC §4.5, tranche classes
per deal family from CASHFLOW_SPEC §4, negative collection principal from COMPLIANCE_SPEC §1.5.
"""

from __future__ import annotations

from collections import Counter

import pytest
from workbook.generate_sample import SampleBook

R = range
STD = [*R(1, 12), *R(13, 39)]
EXPECTED_TESTS = {
    "Mag 6": [1, 2, 3, 4, 8, 9, 10, 11, 13, 14, *R(16, 32), 34, 35, 38, 40, 41, 42, 43, 44, 45, 46],
    "Mag 7": [
        1,
        2,
        3,
        4,
        5,
        6,
        40,
        8,
        9,
        10,
        11,
        12,
        13,
        48,
        47,
        14,
        41,
        *R(16, 28),
        42,
        43,
        44,
        45,
        28,
        29,
        30,
        31,
        46,
        35,
        38,
        34,
    ],
    "Mag 8": [*R(1, 12), *R(13, 25), 28, 29, 30, 33, 34, 35, 37, 38, 39, 49, 50, 51, 52, 53, 54],
    "Mag 9": STD,
    "Mag 11": STD,
    "Mag 12": STD,
    "Mag 14": [*R(1, 12), *R(13, 32), *R(33, 39), 39],
    "Mag 15": STD,
    "Mag 16": [*R(1, 12), *R(13, 32), *R(33, 39), 39],
    "Mag 17": [*R(1, 12), *R(13, 32), 33, 32, 36, 35, 37, 38, 34],
}
EXPECTED_CLASSES = {
    "Mag 6": ["A", "B", "C", "D", "E"],
    "Mag 7": ["A-1A", "A-1B", "A-2A", "A-2B", "B", "C", "D"],
    "Mag 8": ["A", "B", "C", "D", "E", "F"],
    "Mag 9": ["A-1", "A-2", "B", "C", "D", "E"],
    "Mag 11": ["A-1", "A-2", "B", "C", "D"],
    "Mag 12": ["A", "B", "C", "D", "E", "F"],
    "Mag 14": ["A", "B", "C", "D", "E", "F"],
    "Mag 15": ["A", "B-1", "B-2", "C", "D", "E"],
    "Mag 16": ["A", "B", "C-1", "C-2", "D", "E"],
    "Mag 17": ["X", "A", "B-1", "B-2", "C", "D", "E"],
}
# deals_quality_inputs.json deal-level parameters (COMPLIANCE_SPEC §1.5 table)
JR_OC = {"Mag 6": 367_750_000, "Mag 7": 552_000_000, "Mag 12": 564_000_000, "Mag 17": 462_400_000}


def test_about_a_thousand_assets_with_every_flag(sample_book: SampleBook) -> None:
    assets = sample_book.assets
    assert len(assets) == 1000
    assert len({a["BLKRockID"] for a in assets}) == 1000
    for header in ("Default Obligation", "DIP", "Cov-Lite", "PiKing", "Revolver", "Participation",
                   "Bridge Loan", "Current Pay", "Delayed Drawdown ", "Deferred Interest Bond"):  # fmt: skip
        n = sum(a[header] == "Yes" for a in assets)
        assert 1 <= n < 500, header
    assert 1 <= sum(a["Coupon Type"] == "FIXED" for a in assets) < 100


def test_ratings_are_b_heavy(sample_book: SampleBook) -> None:
    ratings = Counter(str(a["Moody Facility Rating"]) for a in sample_book.assets)
    b_share = sum(ratings[r] for r in ("B1", "B2", "B3")) / 1000
    assert b_share > 0.45
    assert ratings["Caa1"] + ratings["Caa2"] + ratings["Caa3"] < 150
    sp = Counter(str(a["S&P Issuer Rating"]) for a in sample_book.assets)
    assert sum(sp[r] for r in ("B+", "B", "B-")) / 1000 > 0.4


def test_spreads_floors_and_coupons(sample_book: SampleBook) -> None:
    assets = sample_book.assets
    floats = [a for a in assets if a["Coupon Type"] == "FLOAT" and a["Seniority"] == "Senior Secured"]
    spreads = [float(a["Coupon Spread"]) for a in floats]  # type: ignore[arg-type]
    assert min(spreads) >= 0.025 and max(spreads) <= 0.06
    assert {float(a["Libor Floor"]) for a in floats} <= {0.0, 0.0075, 0.01}  # type: ignore[arg-type]
    libor = 0.0063385
    for a in floats[:50]:  # coupon = max(floor, LIBOR) + spread (the sheet's all-in coupon)
        expected = max(float(a["Libor Floor"]), libor) + float(a["Coupon Spread"])  # type: ignore[arg-type]
        assert float(a["Coupon"]) == pytest.approx(expected, abs=1e-6)  # type: ignore[arg-type]


def test_countries_cover_every_legacy_group(sample_book: SampleBook) -> None:
    countries = {str(a["Country "]).upper() for a in sample_book.assets}
    assert {"USA", "CANADA", "UK", "UNITED KINGDOM"} <= countries
    assert countries & {"NETHERLANDS", "AUSTRALIA", "NEW ZEALAND"}  # Group I
    assert countries & {"GERMANY", "SWEDEN", "SWITZERLAND"}  # Group II
    assert countries & {"LUXEMBOURG", "FRANCE", "SPAIN", "BELGIUM", "DENMARK", "NORWAY"}  # Group III
    assert countries & {"BERMUDA", "CAYMAN ISLANDS", "BAHAMAS"}  # tax jurisdictions
    usa = sum(str(a["Country "]) == "USA" for a in sample_book.assets) / 1000
    assert 0.75 < usa < 0.95


def test_each_deal_lists_its_legacy_tests_in_order(sample_book: SampleBook) -> None:
    for deal, expected in EXPECTED_TESTS.items():
        got = [t["test_number"] for t in sample_book.deals[deal]["test_thresholds"]]
        assert got == expected, deal


def test_tranche_families_and_jr_oc_denominator(sample_book: SampleBook) -> None:
    for deal, classes in EXPECTED_CLASSES.items():
        tranches = sample_book.deals[deal]["tranches"]
        assert [t["class"] for t in tranches] == [f"Class {c}" for c in classes] + ["Sub Notes"], deal
        rated = sum(t["Current_Balance"] for t in tranches[:-1])
        assert rated == sample_book.deals[deal]["quality_test_inputs"]["JR OC Denominator"]
    for deal, value in JR_OC.items():
        assert sample_book.deals[deal]["quality_test_inputs"]["JR OC Denominator"] == value


def test_holdings_and_negative_collection_principal(sample_book: SampleBook) -> None:
    known = {a["BLKRockID"] for a in sample_book.assets}
    for deal, holdings in sample_book.holdings.items():
        assert 150 <= len(holdings) <= 320, deal
        assert {b for b, _ in holdings} <= known
        coll = next(a for a in sample_book.deals[deal]["accounts"] if a["number"] == 2)
        assert (coll["principal"] < 0) == (deal in {"Mag 6", "Mag 12", "Mag 15"}), deal
    assert len(sample_book.holdings["Mag 17"]) == 195
    # every deal that lists test 5 needs a DIP asset (the legacy crashes without one, §4.2)
    by_id = {a["BLKRockID"]: a for a in sample_book.assets}
    for deal, doc in sample_book.deals.items():
        if 5 in [t["test_number"] for t in doc["test_thresholds"]]:
            assert any(by_id[b]["DIP"] == "Yes" for b, _ in sample_book.holdings[deal]), deal


def test_dates_are_real_dates(sample_book: SampleBook) -> None:
    from datetime import date

    assert all(isinstance(a["Maturity"], date) for a in sample_book.assets)
    doc = sample_book.deals["Mag 17"]
    assert doc["analysis_date"] == date(2016, 3, 23) and doc["next_payment_date"] == date(2016, 7, 20)
    pays = [r["payment_date"] for r in doc["payment_dates"]]
    assert pays == sorted(pays) and all(d.weekday() < 5 for d in pays)
