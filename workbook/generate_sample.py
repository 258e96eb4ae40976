"""Seeded synthetic data for the sample ``TradeHypo.xlsm``, laid out in the legacy workbook's cells.

``generate(seed)`` returns a :class:`SampleBook`: every sheet as a map of (row, column) → value (1-based,
values are str, float, int, bool or ``datetime.date``), formulas with their cached values, merged ranges
and named ranges, plus the plain records it was built from (assets keyed by the 70 ``All Assets`` headers,
each deal's interchange document). ``workbook/build.py`` writes it with XlsxWriter.

Everything is synthetic: asset and issuer names, IDs, ratings and pars come from a numpy ``Generator``
seeded with :data:`SEED`. The deal-level parameters (period dates, quality-test inputs, JR OC
denominators, negative collection principal on Mag 6/12/15) follow ``legacy/deals_quality_inputs.json``
and COMPLIANCE_SPEC §1.5 (deal-level numbers, not asset data). Test lists and their order per deal follow
COMPLIANCE_SPEC §4.5; tranche classes per deal family CASHFLOW_SPEC §4.
"""

# ruff: noqa: E501  (data tables: one deal, fee or knot per line reads better than wrapped)
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.stats import norm

from clo_xl.ingest import layout as L

SEED = 20160323
N_ASSETS = 1000
ANALYSIS_DATE = date(2016, 3, 23)

Cell = tuple[int, int]


# ------------------------------------------------------------------------------------------------
# The in-memory description


@dataclass
class SheetData:
    """One sheet: values by (row, col), formulas (cached value in ``cells``), merges, widths."""

    name: str
    cells: dict[Cell, object] = field(default_factory=dict)
    formulas: dict[Cell, str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    bold: set[Cell] = field(default_factory=set)
    col_formats: dict[int, str] = field(default_factory=dict)  # column → Excel number format
    validations: list[tuple[str, dict[str, object]]] = field(
        default_factory=list
    )  # (A1 range, XlsxWriter options)
    freeze: tuple[int, int] | None = None  # (rows, cols) kept in view
    hidden: bool = False

    def put(self, row: int, column: int, value: object, *, bold: bool = False) -> None:
        if value is None or value == "":
            self.cells.pop((row, column), None)
        else:
            self.cells[(row, column)] = value
        if bold:
            self.bold.add((row, column))

    def put_row(self, row: int, column: int, values: Iterable[object], *, bold: bool = False) -> None:
        for j, v in enumerate(values):
            self.put(row, column + j, v, bold=bold)

    def put_formula(self, row: int, column: int, formula: str, cached: object) -> None:
        self.formulas[(row, column)] = formula
        self.put(row, column, cached)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


@dataclass(frozen=True)
class DefinedName:
    name: str
    ref: str  # sheet-qualified absolute range, e.g. 'Mag 17 Inputs'!$D$4:$E$198
    scope: str | None = None  # sheet name for sheet-scoped names


@dataclass(frozen=True)
class SampleBook:
    sheets: tuple[SheetData, ...]
    names: tuple[DefinedName, ...]
    assets: tuple[dict[str, object], ...]
    deals: dict[str, dict[str, Any]]  # interchange documents (mag17_deal.json shape + CF keys)
    holdings: dict[str, tuple[tuple[str, float], ...]]
    trades: tuple[tuple[str, str, str, float, float | None], ...]

    def sheet(self, name: str) -> SheetData:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


# ------------------------------------------------------------------------------------------------
# Vocabularies (public classification names; no legacy asset data)

# fmt: off
MOODYS_INDUSTRIES: tuple[str, ...] = (
    "Aerospace & Defense", "Automotive", "Banking, Finance, Insurance & Real Estate",
    "Beverage, Food & Tobacco", "Capital Equipment", "Chemicals, Plastics & Rubber",
    "Construction & Building", "Consumer goods: Durable", "Consumer goods: Non-durable",
    "Containers, Packaging & Glass", "Energy: Electricity", "Energy: Oil & Gas", "Environmental Industries",
    "Forest Products & Paper", "Healthcare & Pharmaceuticals", "High Tech Industries",
    "Hotel, Gaming & Leisure", "Media: Advertising, Printing & Publishing",
    "Media: Broadcasting & Subscription", "Media: Diversified & Production", "Metals & Mining", "Retail",
    "Services: Business", "Services: Consumer", "Sovereign & Public Finance", "Telecommunications",
    "Transportation: Cargo", "Transportation: Consumer", "Utilities: Electric", "Utilities: Oil & Gas",
    "Utilities: Water", "Wholesale", "FIRE: Real Estate",
)
# fmt: on
# relative weights: a loan book leans to healthcare, tech, business services
# fmt: off
_MDY_IND_W = np.array(
    [2, 2, 4, 5, 3, 4, 3, 2, 3, 3, 1, 2, 1, 1, 11, 10, 6, 2, 6, 3, 1, 6, 9, 4, 0.2, 5, 2, 1, 1, 0.5, 0.3, 2, 1],
    dtype=float,
)
# fmt: on
# fmt: off
SP_INDUSTRIES: tuple[str, ...] = (
    "Aerospace & defense", "Air transport", "Automotive", "Beverage & tobacco", "Building & development",
    "Business equipment & services", "Cable & satellite television", "Chemicals & plastics",
    "Clothing/textiles", "Conglomerates", "Containers & glass products", "Cosmetics/toiletries", "Drugs",
    "Ecological services & equipment", "Electronics/electrical", "Equipment leasing", "Farming/agriculture",
    "Financial intermediaries", "Food/drug retailers", "Food products", "Food service", "Forest products",
    "Health care", "Home furnishings", "Industrial equipment", "Insurance",
    "Leisure goods/activities/movies", "Lodging & casinos", "Nonferrous metals/minerals", "Oil & gas",
    "Publishing", "Radio & television", "Retailers (except food & drug)", "Steel", "Surface transport",
    "Telecommunications", "Utilities", "Brokers/dealers/investment houses", "Property & casualty insurance",
    "Life insurance", "Containers & packaging", "Commercial services",
)
# fmt: on
# Moody's industry index → plausible S&P industries
_SP_FOR_MDY: dict[int, tuple[int, ...]] = {
    0: (0,),
    1: (2,),
    2: (17, 25, 37, 38),
    3: (3, 19, 20),
    4: (24, 15),
    5: (7,),
    6: (4,),
    7: (23, 26),
    8: (11, 8),
    9: (10, 40),
    10: (36,),
    11: (29,),
    12: (13,),
    13: (21,),
    14: (22, 12),
    15: (14, 5),
    16: (27, 26),
    17: (30,),
    18: (6, 31),
    19: (26, 30),
    20: (28, 33),
    21: (32, 18),
    22: (5, 41),
    23: (41, 20),
    24: (9,),
    25: (35,),
    26: (34,),
    27: (1,),
    28: (36,),
    29: (36,),
    30: (36,),
    31: (18, 9),
    32: (4, 39),
}

COUNTRIES: tuple[tuple[str, float], ...] = (
    ("USA", 0.865),
    ("Canada", 0.045),
    ("UK", 0.01),
    ("United Kingdom", 0.01),
    ("Luxembourg", 0.02),
    ("Netherlands", 0.012),
    ("Germany", 0.008),
    ("France", 0.008),
    ("Cayman Islands", 0.006),
    ("Bermuda", 0.004),
    ("Sweden", 0.003),
    ("Australia", 0.003),
    ("Spain", 0.002),
    ("Switzerland", 0.002),
    ("Ireland", 0.002),
    ("Belgium", 0.001),
    ("Denmark", 0.001),
)

# fmt: off
MOODYS_SCALE: tuple[str, ...] = (
    "Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3", "Baa1", "Baa2", "Baa3", "Ba1", "Ba2", "Ba3", "B1", "B2",
    "B3", "Caa1", "Caa2", "Caa3", "Ca", "C",
)
# fmt: on
# fmt: off
SP_SCALE: tuple[str, ...] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-", "B+", "B", "B-",
    "CCC+", "CCC", "CCC-", "CC", "C", "D",
)
# fmt: on
# issuer (corporate family) rating distribution on the Moody's scale: B-heavy leveraged-loan book
_CFR_P = {
    "Baa3": 0.01,
    "Ba1": 0.03,
    "Ba2": 0.07,
    "Ba3": 0.13,
    "B1": 0.19,
    "B2": 0.26,
    "B3": 0.22,
    "Caa1": 0.06,
    "Caa2": 0.025,
    "Caa3": 0.005,
}

_NAME_A = (
    "Alder",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northgate",
    "Orion",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
    "Union",
    "Vantage",
    "Westbrook",
    "Yarrow",
    "Zephyr",
    "Atlas",
    "Bluewater",
    "Crescent",
    "Driftwood",
    "Evergreen",
    "Frontier",
    "Golden",
    "Highland",
    "Insight",
    "Jetstream",
    "Kingfisher",
    "Lakeshore",
    "Maple",
    "Nimbus",
    "Oakmont",
    "Pinnacle",
    "Quantum",
    "Ridgeline",
    "Silverline",
    "Trident",
    "Upland",
    "Vertex",
    "Wildcat",
    "Arrow",
    "Brightstar",
)
_NAME_B = (
    "Health",
    "Software",
    "Logistics",
    "Foods",
    "Media",
    "Networks",
    "Chemicals",
    "Packaging",
    "Brands",
    "Energy",
    "Industries",
    "Services",
    "Systems",
    "Entertainment",
    "Pharma",
    "Retail",
    "Holdings",
    "Technologies",
    "Solutions",
    "Partners",
    "Labs",
    "Outdoor",
    "Telecom",
    "Gaming",
    "Aviation",
    "Dental",
    "Security",
    "Learning",
    "Fitness",
    "Auto",
)
_NAME_C = ("Inc", "LLC", "Corp", "Holdings Inc", "Group Ltd", "Intermediate LLC", "Co", "Acquisition Corp")
_ID_CHARS = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))

MOODYS_NSS = "Moody’s Non-Senior Secured Loan"  # typographic apostrophe U+2019, as the legacy
MOODYS_SS = "Moody’s Senior Secured loan"
SP_SS = "Senior Secured Loan"
SP_SS_CL = "Senior Secured Loan (Cov-Lite)/Senior Secured Bond"
SP_2L = "Senior Unsecured Loan/Second Lien Loan"


# ------------------------------------------------------------------------------------------------
# Calendar helpers


def us_holidays(first_year: int, last_year: int) -> list[date]:
    """US bank holidays (New Year, MLK, Presidents, Memorial, Independence, Labor, Columbus, Veterans,
    Thanksgiving, Christmas), observed on Friday/Monday when they fall on a weekend."""

    def nth(year: int, month: int, weekday: int, n: int) -> date:
        d = date(year, month, 1)
        d += timedelta(days=(weekday - d.weekday()) % 7)
        return d + timedelta(weeks=n - 1)

    def last(year: int, month: int, weekday: int) -> date:
        d = date(year, month + 1, 1) - timedelta(days=1)
        return d - timedelta(days=(d.weekday() - weekday) % 7)

    def observed(d: date) -> date:
        if d.weekday() == 5:
            return d - timedelta(days=1)
        if d.weekday() == 6:
            return d + timedelta(days=1)
        return d

    out: list[date] = []
    for y in range(first_year, last_year + 1):
        out += [
            observed(date(y, 1, 1)),
            nth(y, 1, 0, 3),
            nth(y, 2, 0, 3),
            last(y, 5, 0),
            observed(date(y, 7, 4)),
            nth(y, 9, 0, 1),
            nth(y, 10, 0, 2),
            observed(date(y, 11, 11)),
            nth(y, 11, 3, 4),
            observed(date(y, 12, 25)),
        ]
    return sorted(d for d in set(out) if d.year >= first_year)


class Calendar:
    def __init__(self, holidays: Sequence[date]) -> None:
        self.holidays = frozenset(holidays)

    def is_business(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def adjust(self, d: date) -> date:
        """Modified following."""
        out = d
        while not self.is_business(out):
            out += timedelta(days=1)
        if out.month != d.month:
            out = d
            while not self.is_business(out):
                out -= timedelta(days=1)
        return out

    def add_business_days(self, d: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        out = d
        for _ in range(abs(n)):
            out += timedelta(days=step)
            while not self.is_business(out):
                out += timedelta(days=step)
        return out


def add_months(d: date, months: int, day: int | None = None) -> date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    last_day = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(day or d.day, last_day))


def _num(value: object) -> float:
    """A record's number (int, float or numeric text) as a float; anything else is a generator bug."""
    if isinstance(value, int | float | str):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def _day(value: object) -> date:
    """A record's date; anything else is a generator bug."""
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def excel_serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


# ------------------------------------------------------------------------------------------------
# Deals: parameters, test lists, tranche families


@dataclass(frozen=True)
class DealParams:
    deal: str
    next_payment: date
    beg_collection: date
    end_collection: date
    last_payment: date
    closing: date
    stated_maturity: date
    reinvestment_target: float
    was: float
    warf_factor: int
    warf_threshold: int
    jr_oc_denominator: float
    n_holdings: int
    collection_principal: float
    classes: tuple[str, ...]  # rated classes, senior first (Sub Notes added)
    class_share: tuple[float, ...]  # share of the JR OC denominator
    oc_tests: tuple[str, ...]
    ic_tests: tuple[str, ...]
    tests: tuple[int, ...]
    weights: tuple[tuple[int, float], ...]
    results_header: str = "Test Results"
    account_header: str = "Account Num"


def _r(a: int, b: int) -> tuple[int, ...]:
    return tuple(range(a, b + 1))


_STD = (*_r(1, 11), *_r(13, 38))
_MAG7 = (
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
    *_r(16, 27),
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
)
_MAG6 = (1, 2, 3, 4, 8, 9, 10, 11, 13, 14, *_r(16, 31), 34, 35, 38, 40, 41, 42, 43, 44, 45, 46)
_MAG8 = (*_r(1, 11), *_r(13, 24), 28, 29, 30, 33, 34, 35, 37, 38, 39, 49, 50, 51, 52, 53, 54)
_MAG14 = (*_r(1, 11), *_r(13, 31), *_r(33, 38), 39)
_MAG17 = (*_r(1, 11), *_r(13, 31), 33, 32, 36, 35, 37, 38, 34)

_A_B_E = ("Class A", "Class B", "Class C", "Class D", "Class E")
_A_F = (*_A_B_E, "Class F")

DEAL_PARAMS: tuple[DealParams, ...] = (
    DealParams(
        deal="Mag 6",
        next_payment=date(2016, 6, 15),
        beg_collection=date(2016, 3, 3),
        end_collection=date(2016, 6, 3),
        last_payment=date(2016, 3, 15),
        closing=date(2012, 9, 13),
        stated_maturity=date(2023, 9, 15),
        reinvestment_target=400000000.0,
        was=0.044,
        warf_factor=64,
        warf_threshold=2720,
        jr_oc_denominator=367_750_000,
        n_holdings=313,
        collection_principal=-3_319_125.56,
        classes=_A_B_E,
        class_share=(0.7, 0.11, 0.08, 0.065, 0.045),
        oc_tests=("Class B", "Class C", "Class D", "Class E"),
        ic_tests=("Class B", "Class C", "Class D", "Class E"),
        tests=_MAG6,
        weights=((46, 0.0), (35, 1.0), (38, 0.0)),
        results_header="Test Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 7",
        next_payment=date(2016, 4, 15),
        beg_collection=date(2016, 1, 5),
        end_collection=date(2016, 4, 5),
        last_payment=date(2016, 1, 15),
        closing=date(2012, 12, 20),
        stated_maturity=date(2025, 1, 15),
        reinvestment_target=600000000.0,
        was=0.0415,
        warf_factor=75,
        warf_threshold=2910,
        jr_oc_denominator=552_000_000,
        n_holdings=320,
        collection_principal=1_254_330.12,
        classes=("Class A-1A", "Class A-1B", "Class A-2A", "Class A-2B", "Class B", "Class C", "Class D"),
        class_share=(0.56, 0.1, 0.07, 0.05, 0.1, 0.07, 0.05),
        oc_tests=("Class A-2B", "Class B", "Class C", "Class D"),
        ic_tests=("Class A-2B", "Class B", "Class C", "Class D"),
        tests=_MAG7,
        weights=((33, 0.0), (46, 0.5), (35, 0.5)),
        results_header="Current Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 8",
        next_payment=date(2016, 4, 15),
        beg_collection=date(2016, 1, 5),
        end_collection=date(2016, 4, 5),
        last_payment=date(2016, 1, 15),
        closing=date(2014, 5, 15),
        stated_maturity=date(2026, 4, 15),
        reinvestment_target=600000000.0,
        was=0.0395,
        warf_factor=70,
        warf_threshold=2935,
        jr_oc_denominator=558_720_000,
        n_holdings=260,
        collection_principal=2_845_112.4,
        classes=_A_F,
        class_share=(0.66, 0.12, 0.08, 0.06, 0.05, 0.03),
        oc_tests=("Class B", "Class C", "Class D", "Class E"),
        ic_tests=("Class B", "Class C", "Class D"),
        tests=_MAG8,
        weights=((33, 0.0), (39, 0.3), (54, 0.4), (38, 0.3)),
        results_header="Test Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 9",
        next_payment=date(2016, 4, 25),
        beg_collection=date(2016, 1, 15),
        end_collection=date(2016, 4, 18),
        last_payment=date(2016, 1, 25),
        closing=date(2014, 7, 17),
        stated_maturity=date(2026, 7, 25),
        reinvestment_target=400000000.0,
        was=0.0405,
        warf_factor=64,
        warf_threshold=2835,
        jr_oc_denominator=373_200_000,
        n_holdings=230,
        collection_principal=915_400.0,
        classes=("Class A-1", "Class A-2", "Class B", "Class C", "Class D", "Class E"),
        class_share=(0.62, 0.08, 0.12, 0.08, 0.06, 0.04),
        oc_tests=("Class A-2", "Class B", "Class C", "Class D"),
        ic_tests=("Class A-2", "Class B", "Class C"),
        tests=_STD,
        weights=((33, 0.0), (32, 0.5), (36, 0.5)),
        results_header="Test Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 11",
        next_payment=date(2016, 4, 18),
        beg_collection=date(2016, 1, 6),
        end_collection=date(2016, 4, 6),
        last_payment=date(2016, 1, 19),
        closing=date(2014, 12, 18),
        stated_maturity=date(2027, 1, 18),
        reinvestment_target=550000000.0,
        was=0.041,
        warf_factor=75,
        warf_threshold=2840,
        jr_oc_denominator=507_000_000,
        n_holdings=280,
        collection_principal=4_120_877.31,
        classes=("Class A-1", "Class A-2", "Class B", "Class C", "Class D"),
        class_share=(0.65, 0.1, 0.11, 0.08, 0.06),
        oc_tests=("Class A-2", "Class B", "Class C", "Class D"),
        ic_tests=("Class A-2", "Class B", "Class C"),
        tests=_STD,
        weights=((33, 0.0), (32, 0.65), (36, 0.35)),
        results_header="Current Test Result",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 12",
        next_payment=date(2016, 4, 15),
        beg_collection=date(2016, 1, 8),
        end_collection=date(2016, 4, 8),
        last_payment=date(2016, 1, 15),
        closing=date(2015, 3, 12),
        stated_maturity=date(2027, 4, 15),
        reinvestment_target=600000000.0,
        was=0.042,
        warf_factor=63,
        warf_threshold=2645,
        jr_oc_denominator=564_000_000,
        n_holdings=290,
        collection_principal=-3_662_004.87,
        classes=_A_F,
        class_share=(0.66, 0.12, 0.08, 0.06, 0.05, 0.03),
        oc_tests=("Class B", "Class C", "Class D", "Class E"),
        ic_tests=("Class B", "Class C", "Class D"),
        tests=_STD,
        weights=((33, 0.0), (32, 0.0), (36, 1.0)),
        results_header="Test Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 14",
        next_payment=date(2016, 4, 18),
        beg_collection=date(2016, 1, 6),
        end_collection=date(2016, 4, 6),
        last_payment=date(2016, 1, 19),
        closing=date(2015, 6, 25),
        stated_maturity=date(2028, 7, 18),
        reinvestment_target=600000000.0,
        was=0.044,
        warf_factor=63,
        warf_threshold=2695,
        jr_oc_denominator=493_500_000,
        n_holdings=300,
        collection_principal=3_507_260.05,
        classes=_A_F,
        class_share=(0.66, 0.12, 0.08, 0.06, 0.05, 0.03),
        oc_tests=("Class B", "Class C", "Class D", "Class E"),
        ic_tests=("Class B", "Class C", "Class D"),
        tests=_MAG14,
        weights=((33, 0.0), (39, 0.55), (36, 0.45)),
        results_header="Current Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 15",
        next_payment=date(2016, 4, 25),
        beg_collection=date(2015, 11, 18),
        end_collection=date(2016, 4, 13),
        last_payment=date(2015, 11, 18),
        closing=date(2015, 11, 18),
        stated_maturity=date(2027, 10, 25),
        reinvestment_target=606000000.0,
        was=0.044,
        warf_factor=67,
        warf_threshold=2740,
        jr_oc_denominator=559_400_000,
        n_holdings=300,
        collection_principal=-142_877.19,
        classes=("Class A", "Class B-1", "Class B-2", "Class C", "Class D", "Class E"),
        class_share=(0.68, 0.09, 0.03, 0.08, 0.07, 0.05),
        oc_tests=("Class B-2", "Class C", "Class D", "Class E"),
        ic_tests=("Class B-2", "Class C", "Class D"),
        tests=_STD,
        weights=((33, 0.0), (32, 0.5), (36, 0.5)),
        results_header="Test Results",
        account_header="Account Num",
    ),
    DealParams(
        deal="Mag 16",
        next_payment=date(2016, 7, 18),
        beg_collection=date(2015, 12, 18),
        end_collection=date(2016, 7, 6),
        last_payment=date(2015, 12, 18),
        closing=date(2015, 12, 18),
        stated_maturity=date(2028, 1, 18),
        reinvestment_target=500000000.0,
        was=0.0365,
        warf_factor=60,
        warf_threshold=2470,
        jr_oc_denominator=460_000_000,
        n_holdings=240,
        collection_principal=5_606_320.0,
        classes=("Class A", "Class B", "Class C-1", "Class C-2", "Class D", "Class E"),
        class_share=(0.68, 0.12, 0.04, 0.03, 0.07, 0.06),
        oc_tests=("Class B", "Class C-2", "Class D", "Class E"),
        ic_tests=("Class B", "Class C-2", "Class D"),
        tests=_MAG14,
        weights=((33, 0.0), (39, 0.3), (36, 0.4), (37, 0.3)),
        results_header="Current Results",
        account_header="Account Number",
    ),
    DealParams(
        deal="Mag 17",
        next_payment=date(2016, 7, 20),
        beg_collection=date(2016, 3, 31),
        end_collection=date(2016, 7, 8),
        last_payment=date(2016, 3, 31),
        closing=date(2016, 3, 31),
        stated_maturity=date(2028, 4, 20),
        reinvestment_target=490000000.0,
        was=0.044,
        warf_factor=67,
        warf_threshold=2740,
        jr_oc_denominator=462_400_000,
        n_holdings=195,
        collection_principal=68_842_395.08,
        classes=("Class X", "Class A", "Class B-1", "Class B-2", "Class C", "Class D", "Class E"),
        class_share=(0.0052, 0.692, 0.0973, 0.0324, 0.0584, 0.0649, 0.0498),
        oc_tests=("Class B-2", "Class C", "Class D", "Class E"),
        ic_tests=("Class B-2", "Class C", "Class D"),
        tests=_MAG17,
        weights=((33, 0.0), (32, 0.6), (36, 0.4)),
        results_header="Current Test Result",
        account_header="Account Num",
    ),
)

TEST_CATALOGUE: dict[int, tuple[str, str, float | None]] = {
    1: ("Limitation on Senior Secured Loans", "Min", 0.9),
    2: ("Limitation on non Senior Secured Loans", "Max", 0.1),
    3: ("Limitaton on the 6th largest obligor", "Max", 0.02),
    4: ("Limitaton on the 1st largest obligor", "Max", 0.025),
    5: ("Limitaton on the 1st largest obligor for DIP", "Max", 0.02),
    6: ("Limitaton on the 1st largest obligor of non Senior Secured Loans", "Max", 0.02),
    7: ("Limitation on Caa Loans", "Max", 0.075),
    8: ("Limitation on Collateral Obligations that pay interest less frequently than quarterly", "Max", 0.05),
    9: ("Limitation on Fixed Rate Obligations", "Max", 0.025),
    10: ("Limitation on Current Pay Obligations", "Max", 0.025),
    11: ("Limitation on DIP Obligations", "Max", 0.025),
    12: ("Limitation on Unfunded Commites", "Max", 0.05),
    13: ("Limitation on Participation Interest", "Max", 0.15),
    14: ("Limitation on countries other then the United States", "Max", 0.2),
    15: ("Limitation on countries that are Tax Jurisdictions or Canada", "Max", 0.125),
    16: ("Limitation on countries other that are not USA, Canada, or UK", "Max", 0.1),
    17: ("Limitation on Group Countries", "Max", 0.15),
    18: ("Limitaton on Group I Countries", "Max", 0.15),
    19: ("Limitaton on individual Group I Countries", "Max", 0.05),
    20: ("Limitaton on Group II Countries", "Max", 0.1),
    21: ("Limitaton on individual Group II Countries", "Max", 0.05),
    22: ("Limitaton on Group III Countries", "Max", 0.075),
    23: ("Limitaton on individual Group III Countries", "Max", 0.05),
    24: ("Limitation on Tax Jurisdictions", "Max", 0.075),
    25: ("Limitaton on the 4th largest S&P Industry Classification", "Max", 0.1),
    26: ("Limitaton on the 2nd largest Industry Classification", "Max", 0.12),
    27: ("Limitaton on the 1st largest S&P Industry Classification", "Max", 0.15),
    28: ("Limitation on Bridge Loan Obligations", "Max", 0.05),
    29: ("Limitation on Cov-Lite Loans", "Max", 0.6),
    30: ("Limitation on Deferabble Securities", "Max", 0.05),
    31: ("Limitation on Facility Size", "Max", 0.07),
    32: ("Minimum Floating Spread Test", "Min", None),
    33: ("Minimum Weighted Average Moody’s Recovery Rate Test", "Min", 0.455),
    34: ("Minimum Weighted Average Coupon Test", "Min", 0.07),
    35: ("Weighted Average Life Test", "Max", None),  # per deal, from the pool's WAL
    36: ("Maximum Moody's Rating Factor Test", "Max", None),
    37: ("Moody's Diversity Test", "Min", 50),
    38: ("Junior OC Test", "Min", 1.029),
    39: ("Minimum Floating Spread Test", "Min", None),
    40: ("Limitation on CCC Loans", "Max", 0.075),
    41: ("Limitation on Canada", "Max", 0.125),
    42: ("Limitation on Letter of Credit", "Max", 0.05),
    43: ("Limitation on Long Dated", "Max", 0.05),
    44: ("Limitation on Unsecured Loans", "Max", 0.1),
    45: ("Limitation on Swap Non Discount", "Max", 0.05),
    46: ("Minimum Floating Spread Test", "Min", 0.039),
    47: ("Limitation on Non-Emerging Market Obligot", "Min", 0.875),
    48: ("Limitation on S&P Criteria", "Max", 0.15),
    49: ("Limitation on Largest Moody's Industry", "Max", 0.15),
    50: ("Limitation on 2nd Largest Moody's Industry", "Max", 0.12),
    51: ("Limitation on 3rd Largest Moody's Industry", "Max", 0.12),
    52: ("Limitation on 4th Largest Moody's Industry", "Max", 0.1),
    53: ("Limitation on Facility Size", "Max", 0.07),
    54: ("Maximum Moody's Rating Factor Test", "Max", None),
}
"""Test number → (sheet test name, Min/Max, sheet threshold); ``None`` = dynamic (blank on the sheet)."""

_SPREAD_BY_CLASS = {"X": 0.0125, "A": 0.0148, "B": 0.0215, "C": 0.031, "D": 0.041, "E": 0.0575, "F": 0.069}
CF_INPUT_ROWS: tuple[tuple[str, object], ...] = (
    ("A Liquidation Price", 0.96),
    ("AA Liquidation Price", 0.97),
    ("AAA Liquidation Price", 0.98),
    ("BBB Liquidation Price", 0.95),
    ("BB Liquidation Price", 0.93),
    ("B Liquidation Price", 0.9),
    ("Liquidation Price", 0.7),
    ("CCC Liquidation Price", 0.7),
    ("Call when Quarterly Sub Dist <", 0.0),
    ("Reinvestment Amortization Type", "Bullet"),
    ("Reinvestment CDR", 0.02),
    ("Reinvestment Floor", 0.01),
    ("Reinvestment Lag", 3),
    ("Reinvestment Maturity", 84),
    ("Post Reinvestment%", 0.5),
    ("Post Reinvestment", "Unscheduled Principal"),
    ("Reinvestment CPR", 0.2),
    ("Pre Reinvestment Type", "All Principal"),
    ("Pre Reinvestment %", 1.0),
    ("Reinvestment Price", 0.995),
    ("Reinverstment Severity", 0.3),
    ("Reinvestment Spread", 0.0375),
    # clo-xl's scenario shapes (docs/analytics.md), blank = none: a call at a date and price, defaults timed
    # by a CF_Vectors curve (shares of a cumulative rate by year), recoveries timed by a CF_Vectors curve
    ("Call Date", None),
    ("Call Price", None),
    ("Cumulative Default Rate", None),
    ("Default Timing Curve", None),
    ("Recovery Timing Curve", None),
)


# ------------------------------------------------------------------------------------------------
# Assets


def _unique_codes(rng: np.random.Generator, n: int, length: int, prefix: str = "") -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        code = prefix + "".join(rng.choice(_ID_CHARS, size=length))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def generate_assets(rng: np.random.Generator, n: int = N_ASSETS) -> list[dict[str, object]]:
    """The ``All Assets`` universe: ``n`` facilities of about ``0.62 n`` issuers, keyed by the 70 headers."""
    n_issuers = int(n * 0.62)
    # issuers
    words = [
        f"{_NAME_A[i % len(_NAME_A)]} {_NAME_B[(i * 7 + i // len(_NAME_A)) % len(_NAME_B)]}"
        for i in rng.permutation(len(_NAME_A) * len(_NAME_B))[:n_issuers]
    ]
    suffixes = rng.choice(len(_NAME_C), size=n_issuers)
    issuer_names = [f"{w} {_NAME_C[s]}".upper() for w, s in zip(words, suffixes, strict=True)]
    issuer_ids = _unique_codes(rng, n_issuers, 6)
    mdy_ind = rng.choice(len(MOODYS_INDUSTRIES), size=n_issuers, p=_MDY_IND_W / _MDY_IND_W.sum())
    sp_ind = np.array([_SP_FOR_MDY[int(k)][int(rng.integers(len(_SP_FOR_MDY[int(k)])))] for k in mdy_ind])
    names, probs = zip(*COUNTRIES, strict=True)
    country = rng.choice(len(names), size=n_issuers, p=np.array(probs) / sum(probs))
    cfr_names, cfr_p = zip(*_CFR_P.items(), strict=True)
    cfr = np.array([MOODYS_SCALE.index(c) for c in rng.choice(cfr_names, size=n_issuers, p=cfr_p)])
    facility_base = np.exp(rng.normal(math.log(600e6), 0.8, size=n_issuers)).round(-5) + 100e6

    # facilities: issuer of each asset (every issuer at least once)
    issuer_of = np.concatenate([np.arange(n_issuers), rng.integers(0, n_issuers, size=n - n_issuers)])
    issuer_of = np.sort(issuer_of)
    ids = _unique_codes(rng, n, 6, prefix="BRS")
    u = rng.random((n, 16))
    second_lien = u[:, 0] < 0.05
    bond = (u[:, 1] < 0.03) & ~second_lien
    fixed_loan = (u[:, 2] < 0.008) & ~bond
    fixed = bond | fixed_loan
    defaulted = u[:, 3] < 0.02
    dip = (u[:, 4] < 0.012) & ~bond & ~defaulted
    revolver = (u[:, 5] < 0.02) & ~bond
    ddtl = (u[:, 6] < 0.03) & ~bond & ~revolver
    participation = (u[:, 7] < 0.015) & ~bond
    bridge = (u[:, 8] < 0.01) & ~bond
    current_pay = (u[:, 9] < 0.012) & ~defaulted
    covlite = (u[:, 10] < 0.38) & ~bond & ~second_lien
    pik_bond = (u[:, 11] < 0.2) & bond
    piking = (u[:, 12] < 0.008) & ~defaulted
    loc = (u[:, 13] < 0.005) & ~bond
    convertible = (u[:, 14] < 0.003) & bond
    structured = (u[:, 15] < 0.003) & bond
    semiannual = (rng.random(n) < 0.012) & ~fixed

    notch = rng.choice([-1, 0, 0, 0, 1], size=n)
    facility_mdy = np.clip(cfr[issuer_of] - 1 + notch, 8, 19)
    facility_mdy = np.where(second_lien | bond, np.clip(cfr[issuer_of] + 2, 9, 19), facility_mdy)
    facility_mdy = np.where(defaulted, rng.choice([17, 18, 19], size=n), facility_mdy)
    dpr = np.where(defaulted, 19, cfr[issuer_of])
    # S&P issuer rating ~ Moody's CFR ± a notch (Moody's index i ↔ S&P index i up to B-; Caa→CCC)
    sp_issuer = np.clip(cfr[issuer_of] + rng.choice([-1, 0, 0, 1], size=n), 9, 18)
    # the agencies rarely split across the B-/CCC+ line: a B3-or-better issuer stays at B- or better at
    # S&P, so the S&P CCC bucket stays near the Moody's Caa bucket (a few percent, as in 2016 books)
    sp_issuer = np.where(cfr[issuer_of] <= 15, np.minimum(sp_issuer, 15), sp_issuer)
    sp_issuer = np.where(defaulted, 21, sp_issuer)
    sp_facility = np.where(defaulted, 21, np.clip(sp_issuer + np.where(second_lien | bond, 2, 0), 9, 18))

    spread_bp = 250 + 25 * np.clip(
        np.round((facility_mdy - 10) * 1.4 + 2 + rng.normal(0, 1.6, size=n)), 0, 14
    )
    spread_bp = np.where(second_lien, np.clip(spread_bp + 350, 600, 900), spread_bp)
    spread = spread_bp / 10_000
    floor = rng.choice([0.0, 0.0075, 0.01, 0.01, 0.01, 0.01], size=n)
    floor = np.where(fixed, 0.0, floor)
    libor_3m = 0.0063385
    coupon = np.where(
        fixed,
        rng.choice([0.055, 0.0625, 0.07, 0.075, 0.08, 0.0875, 0.095], size=n),
        np.maximum(floor, libor_3m) + spread,
    )
    issue = np.array([date(2012, 6, 1) + timedelta(days=int(d)) for d in rng.integers(0, 1340, size=n)])
    tenor_years = np.where(
        bond, rng.integers(7, 9, size=n), np.where(second_lien, 8, rng.integers(5, 8, size=n))
    )
    maturity = np.array([add_months(d, 12 * int(t)) for d, t in zip(issue, tenor_years, strict=True)])
    wal = np.array(
        [
            max(0.25, (m - ANALYSIS_DATE).days / 365.25 * (0.97 if b else 0.9))
            for m, b in zip(maturity, bond, strict=True)
        ]
    ).round(2)
    mv = np.clip(np.round(101.0 - (facility_mdy - 12) * 1.1 + rng.normal(0, 1.2, size=n), 3), 60, 101.5)
    mv = np.where(defaulted, np.round(rng.uniform(20, 60, size=n), 3), mv)
    recovery = np.where(second_lien | bond, 0.15, rng.choice([0.45, 0.5, 0.5, 0.6, 0.45], size=n))
    recovery = np.where(rng.random(n) < 0.02, 0.0, recovery)  # 0 → derived (COMPLIANCE_SPEC §3.7)
    facility = np.where(
        rng.random(n) < 0.05, rng.choice([75e6, 110e6, 140e6, 190e6], size=n), facility_base[issuer_of]
    )
    unfunded = np.where(revolver | ddtl, np.round(rng.uniform(0.2e6, 1.5e6, size=n), -3), 0.0)
    scheduled = rng.random(n) < 0.35
    credit_estimate = rng.random(n) < 0.02
    blank_rating = rng.random(n) < 0.02
    opinion = rng.choice(["", "", "", "", "", "", "Buy", "Hold", "Sale"], size=n)
    tranche_names = rng.choice(["TL", "TL-B", "TL-B1", "TL-B2", "TL-B3", "TL-C"], size=n)
    eom = rng.random(n) < 0.9
    bdc = rng.choice(["Mod Following"] * 9 + ["Following"], size=n)

    rows: list[dict[str, object]] = []
    for i in range(n):
        k = int(issuer_of[i])
        is_bond, is_fixed = bool(bond[i]), bool(fixed[i])
        fac = MOODYS_SCALE[int(facility_mdy[i])]
        cfr_i = MOODYS_SCALE[int(cfr[k])]
        ss = not (second_lien[i] or bond[i])
        issue_d: date = issue[i]
        first_pay = add_months(date(issue_d.year, ((issue_d.month - 1) // 3) * 3 + 1, 1), 3) - timedelta(
            days=1
        )
        first_pay = add_months(first_pay, 0, 31)
        seniority = "Senior Secured" if ss else ("Second Lien" if second_lien[i] else "Senior Unsecured")
        if is_bond and not pik_bond[i] and rng.random() < 0.5:
            seniority = "Senior Secured"
        row: dict[str, object] = {
            "BLKRockID": ids[i],
            "Issue Name": issuer_names[k]
            if not is_bond
            else f"{issuer_names[k]} {coupon[i] * 100:.3g}% {maturity[i].year}",
            "Issuer Name": issuer_names[k],
            "ISSUER ID": issuer_ids[k],
            "Tranche": "BOND"
            if is_bond
            else ("2L TL" if second_lien[i] else ("RC" if revolver[i] else str(tranche_names[i]))),
            "Bond/Loan": "BOND" if is_bond else "LOAN",
            "Par Amount": 0,
            "Maturity": maturity[i],
            "Coupon Type": "FIXED" if is_fixed else "FLOAT",
            "Payment Frequency": 2 if (is_fixed or semiannual[i]) else 4,
            "Coupon Spread": 0.0 if is_fixed else float(spread[i]),
            "Libor Floor": float(floor[i]),
            "Index": "" if is_fixed else ("6M Libor" if semiannual[i] else "3M Libor"),
            "Coupon": float(round(coupon[i], 6)),
            "Commitment Fee": 0.005 if (revolver[i] or ddtl[i]) else 0,
            "Unfunded Amount": float(unfunded[i]),
            "Facility Size": float(facility[i]),
            "Moody's Industry": MOODYS_INDUSTRIES[int(mdy_ind[k])],
            "S&P Industry": SP_INDUSTRIES[int(sp_ind[k])],
            "Moody Asset Category": MOODYS_SS if ss else MOODYS_NSS,
            "S&P Priority Category": (SP_SS_CL if covlite[i] else SP_SS) if ss else SP_2L,
            "Country ": names[int(country[k])],
            "Seniority": seniority,
            "Deferred Interest Bond": "Yes" if pik_bond[i] else "No",
            "PiKing": "Yes" if piking[i] else "No",
            "PIK Amount": float(round(rng.uniform(50e3, 400e3), -3)) if piking[i] else 0,
            "Default Obligation": "Yes" if defaulted[i] else "No",
            "Date of Defaulted": date(2015, 6, 1) + timedelta(days=int(rng.integers(0, 290)))
            if defaulted[i]
            else 0,
            "Delayed Drawdown ": "Yes" if ddtl[i] else "No",
            "Revolver": "Yes" if revolver[i] else "No",
            "Letter of Credit": "Yes" if loc[i] else "No",
            "Participation": "Yes" if participation[i] else "No",
            "DIP": "Yes" if dip[i] else "No",
            "Convertible": "Yes" if convertible[i] else "No",
            "Structured Finance": "Yes" if structured[i] else "No",
            "Bridge Loan": "Yes" if bridge[i] else "No",
            "Current Pay": "Yes" if current_pay[i] else "No",
            "Cov-Lite": "Yes" if covlite[i] else "No",
            "Currency": "USD",
            "WAL": float(wal[i]),
            "Market Value": float(mv[i]),
            "First Lien Last Out Loan": "Yes" if (ss and rng.random() < 0.01) else "No",
            "Moody's Rating-21": "" if blank_rating[i] else fac,
            "Moody's Recovery Rate-23": float(recovery[i]),
            "Moody's Default Probability Rating-18": MOODYS_SCALE[int(dpr[i])],
            "Moody's Rating WARF": MOODYS_SCALE[int(dpr[i])],
            "Moody Facility Rating": fac,
            "Moody Facility Outlook": str(
                rng.choice(["", "", "", "", "", "", "", "", "Upgrade", "Downgrade"])
            ),
            "Moody Issuer Rating": cfr_i,
            "Moody Issuer outlook": str(rng.choice(["", "", "", "", "", "", "", "", "", "Negative"])),
            "Moody's Senior Secured Rating": fac if ss else "NR",
            "Moody Senior Unsecured Rating": MOODYS_SCALE[min(int(cfr[k]) + 2, 20)]
            if rng.random() < 0.4
            else "NR",
            "Moody Subordinate Rating": "NR",
            "Moody's Credit Estimate": MOODYS_SCALE[int(cfr[k])] if credit_estimate[i] else "",
            "Moody's Credit Estimate Date": date(2015, 9, 30) if credit_estimate[i] else "",
            "S&P Facility Rating": SP_SCALE[int(sp_facility[i])],
            "S&P Issuer Rating": SP_SCALE[int(sp_issuer[i])],
            "S&P Senior Secured Rating": SP_SCALE[int(sp_facility[i])] if ss and rng.random() < 0.4 else "NR",
            "S&P Subordinated Rating": "NR"
            if rng.random() < 0.9
            else SP_SCALE[min(int(sp_issuer[i]) + 2, 18)],
            "S&P Recovery Rating": "6" if not ss else str(rng.choice(["1", "2H", "2L", "3H", "3L", "4H"])),
            "Dated Date": issue_d,
            "Issue Date": issue_d,
            "First Payment Date": first_pay,
            "Amortization Type": "Scheduled" if scheduled[i] and not is_bond else "Bullet",
            "Day Count": "30/360" if is_fixed else ("ACTUAL/365" if rng.random() < 0.01 else "ACTUAL/360"),
            "Index Cap": 0,
            "Business Day Convention": str(bdc[i]),
            "PMT EOM": bool(eom[i]),
            "Amount Issued": float(facility[i]),
            "Credit Opinion": str(opinion[i]),
        }
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------------
# LIBOR fixings and reference data


def libor_fixings(
    rng: np.random.Generator, cal: Calendar, start: date, end: date
) -> dict[str, list[tuple[date, float]]]:
    """Daily 1M/3M/6M LIBOR fixings in percent (0.6234 = 0.6234%), a smooth 2011–2016 path plus noise."""
    knots = [
        (date(2011, 1, 3), 0.30),
        (date(2012, 6, 1), 0.47),
        (date(2013, 6, 1), 0.27),
        (date(2014, 6, 1), 0.23),
        (date(2015, 6, 1), 0.28),
        (date(2015, 12, 16), 0.53),
        (date(2016, 3, 31), 0.63),
    ]
    x = np.array([excel_serial(d) for d, _ in knots], dtype=float)
    y = np.array([v for _, v in knots])
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if cal.is_business(d)]
    base = np.interp([excel_serial(d) for d in days], x, y)
    noise = np.cumsum(rng.normal(0, 0.0015, size=len(days)))
    noise -= np.linspace(0, noise[-1], len(days))
    out: dict[str, list[tuple[date, float]]] = {}
    for series, shift in (("1 MONTH LIBOR", -0.18), ("3 MONTH LIBOR", 0.0), ("6 MONTH LIBOR", 0.26)):
        vals = np.round(np.maximum(base + shift + noise, 0.12), 5)
        out[series] = list(zip(days, vals.tolist(), strict=True))
    return out


def transition_matrix() -> np.ndarray:
    """An 18×18 annual S&P transition matrix (AAA … CCC, D), synthetic: mass on the diagonal, decaying
    off it, default probabilities rising with the rating; each row sums to 1, D is absorbing."""
    n = 18
    pd_ = np.array(
        [
            0.0,
            0.0002,
            0.0003,
            0.0005,
            0.0006,
            0.0008,
            0.001,
            0.0015,
            0.002,
            0.003,
            0.005,
            0.008,
            0.012,
            0.02,
            0.035,
            0.06,
            0.26,
            1.0,
        ]
    )
    m = np.zeros((n, n))
    for i in range(n - 1):
        stay = 0.91 - 0.012 * i if i < 16 else 0.48
        row = np.array([math.exp(-abs(i - j) * 1.3) for j in range(n - 1)])
        row[i] = 0
        row = row / row.sum() * (1 - stay - pd_[i])
        row[i] = stay
        m[i, : n - 1] = row
        m[i, n - 1] = pd_[i]
    m[n - 1, n - 1] = 1.0
    return np.round(m, 6)


# ------------------------------------------------------------------------------------------------
# Deal sheets


def _classes(p: DealParams) -> list[dict[str, object]]:
    """Tranche matrix columns; rated balances sum exactly to the JR OC denominator."""
    total = p.jr_oc_denominator
    bal: list[float] = [round(total * s / 250_000) * 250_000 for s in p.class_share]
    bal[-1] = total - sum(bal[:-1])
    out: list[dict[str, object]] = []
    for name, b in zip(p.classes, bal, strict=True):
        letter = name.split()[-1][0]
        fixed = p.deal in ("Mag 15", "Mag 17") and name == "Class B-2"
        spread = _SPREAD_BY_CLASS[letter] + (0.0015 if "2" in name.split()[-1] else 0.0)
        deferrable = letter in "CDEF" or fixed
        out.append(
            {
                "class": name,
                "Original_Balance": float(b),
                "Price": 1,
                "Current_Balance": float(b),
                "Defaulted_Deferred": 0,
                "Spread_bps": round(0.037 if fixed else spread, 4),
                "Discount_Margin": round(0.037 if fixed else spread, 4),
                "PIKable": 1 if deferrable else 0,
                "OC_Test": "NA",
                "IC_Test": "NA",
                "DayCount": "30/360" if fixed else "Actual/360",
                "Equity": 0,
                "Coupon_Type": "Fixed" if fixed else "Floating",
            }
        )
    # OC triggers sit a few points under each class's OC ratio at the analysis date (collateral ≈ the
    # reinvestment target over the notes senior to and including the class), as at a 2016 deal's ramp:
    # a 4-point cushion, rounded down to 0.5 point like indenture triggers
    cumulative = 0.0
    ratio_at: dict[str, float] = {}
    for c in out:
        cumulative += _num(c["Current_Balance"])
        ratio_at[str(c["class"])] = p.reinvestment_target / cumulative
    for name in p.oc_tests:
        rec = next(c for c in out if c["class"] == name)
        rec["OC_Test"] = float(np.floor((ratio_at[name] - 0.04) * 200) / 200)
    for k, name in enumerate(p.ic_tests):
        rec = next(c for c in out if c["class"] == name)
        rec["IC_Test"] = round(1.20 - 0.05 * k, 3)
    sub = round(total * 0.095 / 250_000) * 250_000
    out.append(
        {
            "class": "Sub Notes",
            "Original_Balance": float(sub),
            "Price": 0.86 if p.closing.year >= 2015 else 0.74,
            "Current_Balance": float(sub),
            "Defaulted_Deferred": 0,
            "Spread_bps": 0,
            "Discount_Margin": 0.135,
            "PIKable": "NA",
            "OC_Test": "NA",
            "IC_Test": "NA",
            "DayCount": "Actual/360",
            "Equity": 1,
            "Coupon_Type": "Floating",
        }
    )
    return out


def _payment_schedule(p: DealParams, cal: Calendar) -> list[dict[str, date]]:
    """Quarterly payment dates from the first payment date to stated maturity, with the legacy columns:
    interest determination date (2 business days before the period-start payment date), collection
    period begin/end (end = 8 business days before the payment date)."""
    first = p.last_payment if p.closing == p.last_payment else add_months(p.closing, 3, p.stated_maturity.day)
    if p.closing != p.last_payment:
        # walk back from the known last payment date to the first after closing
        d = p.last_payment
        while add_months(d, -3, p.stated_maturity.day) > p.closing:
            d = add_months(d, -3, p.stated_maturity.day)
        first = d
    else:
        first = p.next_payment
    unadjusted = [first]
    while unadjusted[-1] < p.stated_maturity:
        unadjusted.append(add_months(unadjusted[-1], 3, p.stated_maturity.day))
    pays = [cal.adjust(d) for d in unadjusted]
    rows: list[dict[str, date]] = []
    prev = p.closing
    for d in pays:
        end = cal.add_business_days(d, -8)
        rows.append(
            {
                "payment_date": d,
                "interest_determination_date": cal.add_business_days(prev, -2),
                "collection_begin": prev if not rows else rows[-1]["collection_end"] + timedelta(days=1),
                "collection_end": end,
            }
        )
        prev = d
    return rows


def _choose_holdings(
    rng: np.random.Generator, p: DealParams, assets: Sequence[dict[str, object]], cash: float
) -> list[tuple[str, float]]:
    n = len(assets)
    maturity = np.array([a["Maturity"] for a in assets])
    weight = np.ones(n)
    weight[maturity > p.stated_maturity] = 0.02  # few long-dated assets
    weight[np.array([a["Default Obligation"] == "Yes" for a in assets])] = 0.25
    weight[np.array([a["Bond/Loan"] == "BOND" for a in assets])] = 0.3
    caa = np.array([str(a["Moody Facility Rating"]).startswith("Caa") for a in assets])
    weight[caa] *= 0.6
    picks = list(rng.choice(n, size=p.n_holdings, replace=False, p=weight / weight.sum()))
    if p.deal != "Mag 6" and not any(assets[i]["DIP"] == "Yes" for i in picks):
        dips = [i for i in range(n) if assets[i]["DIP"] == "Yes" and maturity[i] <= p.stated_maturity]
        picks[-1] = dips[int(rng.integers(len(dips)))]
    raw = np.exp(rng.normal(0.0, 0.45, size=len(picks)))
    target = p.reinvestment_target * rng.uniform(1.0, 1.015) - cash
    par = raw / raw.sum() * target
    par = np.maximum(np.round(par / 250_000) * 250_000, 250_000)
    par[np.array([assets[i]["DIP"] == "Yes" for i in picks])] = 1_000_000.0
    return [(str(assets[i]["BLKRockID"]), float(v)) for i, v in zip(picks, par, strict=True)]


def _pool_wal(holdings: Sequence[tuple[str, float]], by_id: dict[str, dict[str, object]]) -> float:
    num = den = 0.0
    for brs, par in holdings:
        a = by_id[brs]
        if a["Default Obligation"] != "Yes":
            num += par * _num(a["WAL"])
            den += par
    return num / den if den else 0.0


def build_deal(
    rng: np.random.Generator,
    p: DealParams,
    assets: Sequence[dict[str, object]],
    by_id: dict[str, dict[str, object]],
    cal: Calendar,
    fixings: dict[str, list[tuple[date, float]]],
) -> dict[str, Any]:
    """One deal's interchange document (``legacy/mag17_deal.json`` keys + cash-flow keys)."""
    three_m = dict(fixings["3 MONTH LIBOR"])
    schedule = _payment_schedule(p, cal)
    current = next((r for r in schedule if r["payment_date"] == cal.adjust(p.next_payment)), schedule[0])
    det = current["interest_determination_date"]
    first_fixing = min(three_m)
    while det not in three_m and det > first_fixing:
        det -= timedelta(days=1)
    current_libor = round(three_m[det] / 100, 7)
    first_det = schedule[0]["interest_determination_date"]
    while first_det not in three_m and first_det > first_fixing:
        first_det -= timedelta(days=1)
    original_libor = round(three_m.get(first_det, three_m[first_fixing]) / 100, 7)
    interest_cash = round(float(rng.uniform(0.1e6, 3.5e6)), 2)
    holdings = _choose_holdings(rng, p, assets, p.collection_principal)
    wal = _pool_wal(holdings, by_id)
    jroc = (
        p.collection_principal
        + sum(
            par * (_num(by_id[b]["Market Value"]) / 100 if by_id[b]["Default Obligation"] == "Yes" else 1.0)
            for b, par in holdings
        )
    ) / p.jr_oc_denominator
    mwarr = 0.47
    qti: dict[str, object] = {
        "Current LIBOR": current_libor,
        "Reinvestment Target Balance": p.reinvestment_target,
        "Weighted Average Spread": p.was,
        "WARF Factor": p.warf_factor,
        "WARF Threshold": p.warf_threshold,
        "JR OC Denominator": p.jr_oc_denominator,
        "WAS Factor": 0.00065 if p.was >= 0.031 else 0.0005,
        "WARR Threshold": 0.43,
        "Stated Maturity Date": p.stated_maturity,
    }
    if p.deal != "Mag 17":
        qti["MWARR"] = mwarr
    thresholds: list[dict[str, object]] = []
    for k, num in enumerate(p.tests):
        name, mm, thr = TEST_CATALOGUE[num]
        if num == 35:
            thr = round(math.ceil((wal + rng.uniform(0.15, 0.6)) * 100) / 100, 2)
        if num == 37:
            thr = 50 if p.n_holdings < 250 else 55
        if num == 38:  # a trigger the book clears, as after ramp-up
            thr = min(
                round(float(rng.choice([1.021, 1.029, 1.035])), 3), math.floor((jroc - 0.004) * 1000) / 1000
            )
        prev: float | None = None
        if k < 2 and p.deal in ("Mag 6", "Mag 9", "Mag 16"):
            prev = 0.996092 if k == 0 else 0.0  # stale copy-pasted values, as on the legacy sheets
        thresholds.append(
            {
                "test_number": num,
                "test_name": name,
                "min_max": mm,
                "threshold": thr,
                "overwrite": None,
                "previous_value": prev,
            }
        )
    if p.deal == "Mag 9":  # one analyst overwrite, as seen on legacy sheets
        row = next(t for t in thresholds if t["test_number"] == 29)
        row["overwrite"] = 0.65
    weights = [
        {"test_number": n, "weight": w, "test_name": TEST_CATALOGUE[n][0], "current_result": None}
        for n, w in p.weights
    ]
    tranches = _classes(p)
    date_inputs = {
        "pricing_date": p.closing - timedelta(days=28),
        "closing_date": p.closing,
        "effective_date": add_months(p.closing, 5),
        "first_payment_date": schedule[0]["payment_date"],
        "non_call_date": add_months(p.closing, 24, p.stated_maturity.day),
        "reinvestment_end_date": add_months(p.closing, 48, p.stated_maturity.day),
        "stated_maturity": p.stated_maturity,
        "payment_day": p.stated_maturity.day,
        "months_between_payments": 3,
        "interest_determination_days": 2,
        "determination_days": 8,
        "business_day_convention": "Mod Following",
    }
    clo_inputs = [
        (
            "Interest Diversion Trigger",
            # tested on every rated note (the junior OC denominator): half a point inside that ratio's
            # 4-point cushion, i.e. it bites just before the most junior OC test would
            float(np.floor((p.reinvestment_target / p.jr_oc_denominator - 0.035) * 200) / 200),
        ),
        ("Event of Default Trigger", 1.025),
        ("Event of Default", False),
        ("Current LIBOR", current_libor),
        ("Purchase Finance Accrued Interest", 0),
        ("CCC Asset Haircut Percent", 0.075),
        ("Analysis Date", ANALYSIS_DATE),
        ("Beg Fee Basis", round(sum(par for _, par in holdings) + p.collection_principal, 2)),
        ("Deal Name", p.deal),
        ("Incentive Management Fee Hurdle", 0.12),
        ("Incentive Management Fee", 0.2),
    ]
    fees = [
        {
            "name": "Trustee Fee",
            "basis": "Beginning",
            "unpaid": 0,
            "fixed_amount": 25_000,
            "day_count": "Actual/360",
            "rate": 0.00015,
            "interest_on_unpaid": False,
            "spread": 0,
        },
        {
            "name": "Admin Fee",
            "basis": "Beginning",
            "unpaid": 0,
            "fixed_amount": 50_000,
            "day_count": "30/360",
            "rate": 0.0001,
            "interest_on_unpaid": False,
            "spread": 0,
        },
        {
            "name": "Base Manager Fee",
            "basis": "Average",
            "unpaid": 0,
            "fixed_amount": 0,
            "day_count": "Actual/360",
            "rate": 0.0015,
            "interest_on_unpaid": True,
            "spread": 0.0,
        },
        {
            "name": "Junior Manager Fee",
            "basis": "Average",
            "unpaid": 0,
            "fixed_amount": 0,
            "day_count": "Actual/360",
            "rate": 0.0035,
            "interest_on_unpaid": True,
            "spread": 0.0,
        },
    ]
    sub = next(t for t in tranches if t["class"] == "Sub Notes")
    sub_balance = _num(sub["Original_Balance"])
    pay_sub: list[dict[str, object]] = [
        {"date": p.closing, "amount": -round(sub_balance * _num(sub["Price"]), 2)}
    ]
    for r in schedule:
        if r["payment_date"] >= ANALYSIS_DATE:
            break
        pay_sub.append(
            {
                "date": r["payment_date"],
                "amount": round(sub_balance * rng.uniform(0.035, 0.05), 2),
            }
        )
    accounts = [
        {"number": 1, "name": "Payment ", "interest": 0, "principal": 0},
        {"number": 2, "name": "Collection", "interest": interest_cash, "principal": p.collection_principal},
        {"number": 3, "name": "Ramp Up", "interest": 0, "principal": 0},
        {
            "number": 5,
            "name": "Expense Reserve",
            "interest": round(float(rng.uniform(20e3, 120e3)), 2),
            "principal": 0,
        },
        {"number": 8, "name": "Interest Reserve", "interest": 0, "principal": 0},
    ]
    return {
        "deal": p.deal,
        "analysis_date": ANALYSIS_DATE,
        "next_payment_date": p.next_payment,
        "beg_collection_period": p.beg_collection,
        "end_collection_period": p.end_collection,
        "last_payment_date": p.last_payment,
        "current_libor": current_libor,
        "original_libor": original_libor,
        "accounts": accounts,
        "quality_test_inputs": qti,
        "test_thresholds": thresholds,
        "objective_weights": weights,
        "tranches": tranches,
        "par_column": L.par_column(p.deal),
        "cf_inputs": dict(CF_INPUT_ROWS),
        "clo_inputs": [{"label": k, "value": v} for k, v in clo_inputs],
        "date_inputs": date_inputs,
        "fees": fees,
        "payment_dates": schedule,
        "pay_sub_notes": pay_sub,
        "holdings": [{"BLKRockID": b, "Par Amount": v} for b, v in holdings],
    }


def _deal_sheet(p: DealParams, doc: dict[str, Any], names: list[DefinedName]) -> SheetData:
    s = SheetData(L.deal_sheet(p.deal))
    sheet = s.name
    s.put(2, 1, "Table Of Contents", bold=True)
    for k, item in enumerate(L.DEAL_TOC):
        s.put(3 + k, 1, item)
    for block in L.DEAL_BLOCKS:
        s.put(1, block.first_col, "Table of Contents")
        s.put(L.DEAL_TITLE_ROW, block.first_col, block.title, bold=True)
        if block.name != "QualityTestInputs":
            hdr = [h[0] if h else None for h in block.headers]
            if block.name == "Accounts":
                hdr[0] = p.account_header
            if block.name == "ObjWeights":
                hdr[1] = p.results_header
            s.put_row(block.header_row, block.first_col, hdr, bold=True)
    for title_col, title in ((L.PERIOD_LABEL_COL, "Current Period Dates"), (L.LIBOR_LABEL_COL, "LIBOR")):
        s.put(1, title_col, "Table of Contents")
        s.put(L.DEAL_TITLE_ROW, title_col, title, bold=True)
    s.put(L.DEAL_TITLE_ROW, L.LIABILITY_LABEL_COL, "Liability", bold=True)

    # B:C period dates; C3 is the formula =DealAnalysisDate
    for key, label, row in L.PERIOD_DATES:
        s.put(row, L.PERIOD_LABEL_COL, label)
        s.put(row, L.PERIOD_VALUE_COL, doc[key])
    s.put_formula(3, L.PERIOD_VALUE_COL, "=DealAnalysisDate", doc["analysis_date"])
    names.append(DefinedName("AnalysisDate", L.range_ref(3, 3, 3, 3, sheet).replace(":$C$3", ""), sheet))
    # J:K LIBOR
    s.put(L.ORIGINAL_LIBOR_ROW, L.LIBOR_LABEL_COL, L.LIBOR_LABELS["original_libor"])
    s.put(L.ORIGINAL_LIBOR_ROW, L.LIBOR_VALUE_COL, doc["original_libor"])
    s.put(L.CURRENT_LIBOR_ROW, L.LIBOR_LABEL_COL, L.LIBOR_LABELS["current_libor"])
    s.put(L.CURRENT_LIBOR_ROW, L.LIBOR_VALUE_COL, doc["current_libor"])

    def table(
        block: L.Block, rows: Sequence[Sequence[object]], name_cols: tuple[int, int] | None = None
    ) -> None:
        for i, values in enumerate(rows):
            s.put_row(block.first_row + i, block.first_col, values)
        c1, c2 = name_cols or (block.first_col, block.first_col + block.width - 1)
        last = block.first_row + max(len(rows), 1) - 1
        names.append(DefinedName(block.name, L.range_ref(block.first_row, c1, last, c2, sheet), sheet))

    table(L.DEAL_COLLATERAL, [(h["BLKRockID"], h["Par Amount"]) for h in doc["holdings"]])
    table(L.ACCOUNTS, [(a["number"], a["name"], a["interest"], a["principal"]) for a in doc["accounts"]])
    table(L.TEST_THRESHOLDS, [tuple(t[f] for f in L.TEST_THRESHOLDS.fields) for t in doc["test_thresholds"]])
    table(L.QUALITY_TEST_INPUTS, list(doc["quality_test_inputs"].items()))
    # S3 = K4 (Current LIBOR), S8 = sum of the rated tranches' current balances (row 7 of the matrix)
    s.put_formula(3, L.QUALITY_TEST_INPUTS.first_col + 1, "=K4", doc["current_libor"])
    n_rated = len(doc["tranches"]) - 1
    jr_row = 3 + list(doc["quality_test_inputs"]).index("JR OC Denominator")
    cur_row = L.LIABILITY_FIRST_ROW + 3
    s.put_formula(
        jr_row,
        L.QUALITY_TEST_INPUTS.first_col + 1,
        f"=SUM({L.cell_ref(cur_row, L.LIABILITY_FIRST_COL)}:{L.cell_ref(cur_row, L.LIABILITY_FIRST_COL + n_rated - 1)})",
        doc["quality_test_inputs"]["JR OC Denominator"],
    )
    ow = L.OBJ_WEIGHTS
    table(
        ow,
        [
            (w["test_name"], w["current_result"], w["test_number"], w["weight"])
            for w in doc["objective_weights"]
        ],
        (ow.first_col + L.OBJ_WEIGHTS_NAME_OFFSET, ow.first_col + 3),
    )
    table(L.CF_INPUTS, list(doc["cf_inputs"].items()))
    table(L.CLO_INPUTS, [(r["label"], r["value"]) for r in doc["clo_inputs"]])
    di = L.DATE_INPUTS
    table(
        di,
        [(label, doc["date_inputs"][key]) for key, label in L.DATE_INPUT_KEYS],
        (di.first_col + 1, di.first_col + 1),
    )
    names.append(
        DefinedName(
            "Close_Date",
            L.range_ref(di.first_row + 1, di.first_col + 1, di.first_row + 1, di.first_col + 1, sheet),
            sheet,
        )
    )
    pd_ = L.PAYMENT_DATES
    table(
        pd_, [tuple(r[f] for f in pd_.fields) for r in doc["payment_dates"]], (pd_.first_col, pd_.first_col)
    )
    last = pd_.first_row + len(doc["payment_dates"]) - 1
    names.append(
        DefinedName(
            "CollBegDate",
            L.range_ref(pd_.first_row, pd_.first_col + 2, last, pd_.first_col + 2, sheet),
            sheet,
        )
    )
    names.append(
        DefinedName(
            "CollEndDate",
            L.range_ref(pd_.first_row, pd_.first_col + 3, last, pd_.first_col + 3, sheet),
            sheet,
        )
    )
    # Liability: labels in AJ, one column per tranche
    for k, (key, label) in enumerate(L.TRANCHE_FIELDS):
        s.put(L.LIABILITY_FIRST_ROW + k, L.LIABILITY_LABEL_COL, label, bold=True)
        for j, t in enumerate(doc["tranches"]):
            s.put(L.LIABILITY_FIRST_ROW + k, L.LIABILITY_FIRST_COL + j, t[key])
    names.append(
        DefinedName(
            "Liability",
            L.range_ref(
                L.LIABILITY_FIRST_ROW,
                L.LIABILITY_FIRST_COL,
                L.LIABILITY_FIRST_ROW + len(L.TRANCHE_FIELDS) - 1,
                L.LIABILITY_FIRST_COL + len(doc["tranches"]) - 1,
                sheet,
            ),
            sheet,
        )
    )
    s.put(L.FEES.header_row - 1, L.FEES.first_col, L.FEES.title, bold=True)
    table(L.FEES, [tuple(f[k] for k in L.FEES.fields) for f in doc["fees"]])
    s.put(L.PAY_SUB_NOTES.header_row - 1, L.PAY_SUB_NOTES.first_col, L.PAY_SUB_NOTES.title, bold=True)
    table(L.PAY_SUB_NOTES, [(r["date"], r["amount"]) for r in doc["pay_sub_notes"]])
    money = "#,##0.00"
    s.col_formats.update({5: money, 8: money, 9: money})
    s.widths.update(
        {
            1: 18,
            2: 22,
            3: 12,
            4: 12,
            5: 14,
            7: 16,
            8: 13,
            9: 15,
            10: 18,
            13: 60,
            18: 28,
            20: 45,
            24: 30,
            26: 32,
            29: 28,
            30: 13,
        }
    )
    return s


# ------------------------------------------------------------------------------------------------
# Run Model, Reference Table, Filter Sheet, Asset Correlation


def _run_model(
    deals: dict[str, dict[str, Any]],
    trades: Sequence[tuple[str, str, str, float, float | None]],
    names: list[DefinedName],
) -> SheetData:
    s = SheetData(L.RUN_MODEL)
    deal = "Mag 17"
    doc = deals[deal]
    coll = next(a for a in doc["accounts"] if a["number"] == 2)
    values: dict[str, object] = {
        "analysis_date": ANALYSIS_DATE,
        "deal": deal,
        "collateral_par": sum(h["Par Amount"] for h in doc["holdings"]),
        "collection_principal": coll["principal"],
        "collection_interest": coll["interest"],
        "show_cf_options": True,
        "use_rating_migration": False,
        "correlation": "System Defined",
        "simulations": 100,
        "rm_frequency": "Quarterly",
        "static_random": True,
        "seed": 12345,
        "incremental_loan_size": 750_000,
        "allow_par_increase": False,
        "ranking_transaction": "Buy",
        "rebalance_sale_par": 15_000_000,
        "rebalance_buy_par": 75_000_000,
        "hypo_pool_mode": True,
    }
    s.put(2, 2, "CLO Reinvestment Model", bold=True)
    s.put(6, 2, "Model Inputs", bold=True)
    s.put(6, 4, "Rankings & Rebalancing", bold=True)
    s.put(6, 10, "Hypothetical Trading", bold=True)
    for key, ref, label in L.RUN_MODEL_CELLS:
        r, c = L.parse_cell(ref)
        s.put(r, c - 1, label)
        s.put(r, c, values[key])
    names.append(DefinedName("DealAnalysisDate", f"'{L.RUN_MODEL}'!$C$8"))
    s.put(13, 4, "Buy Filter", bold=True)
    s.put(21, 4, "Sale Filter", bold=True)
    s.put_row(14, L.FILTER_FIRST_COL, ("Logical", "(", "Field", "Operator", "Value", ")"), bold=True)
    s.put_row(22, L.FILTER_FIRST_COL, ("Logical", "(", "Field", "Operator", "Value", ")"), bold=True)
    s.put_row(15, L.FILTER_FIRST_COL, (None, None, "Moody's Rating WARF", "<=", "B3", None))
    s.put_row(16, L.FILTER_FIRST_COL, ("and", None, "Market Value", ">=", 95, None))
    s.put_row(23, L.FILTER_FIRST_COL, (None, None, "Market Value", "<", 97, None))
    for name, r1, r2 in (L.BUY_FILTER, L.SALE_FILTER):
        names.append(
            DefinedName(name, L.range_ref(r1, L.FILTER_FIRST_COL, r2, L.FILTER_FIRST_COL + 5, L.RUN_MODEL))
        )
    s.put_row(L.HYPO_HEADER_ROW, L.HYPO_FIRST_COL, L.HYPO_HEADERS, bold=True)
    for i, t in enumerate(trades):
        s.put_row(L.HYPO_FIRST_ROW + i, L.HYPO_FIRST_COL, t)
    names.append(
        DefinedName(
            "HypoAssets",
            L.range_ref(
                L.HYPO_FIRST_ROW, L.HYPO_FIRST_COL, L.HYPO_LAST_ROW, L.HYPO_FIRST_COL + 4, L.RUN_MODEL
            ),
        )
    )
    s.put(30, 4, "Objective Weights", bold=True)
    s.put_row(30, 7, ("Result", "Test #", "Weight"), bold=True)
    r0, r1 = L.OBJECTIVE_PANEL_ROWS
    total = 0.0
    for i, w in enumerate(doc["objective_weights"][: r1 - r0 + 1]):
        cols = L.OBJECTIVE_PANEL_COLS
        s.put(r0 + i, cols["test_name"], w["test_name"])
        s.put(r0 + i, cols["test_number"], w["test_number"])
        s.put(r0 + i, cols["weight"], w["weight"])
        total += float(w["weight"])
    rr, cc = L.parse_cell(L.OBJECTIVE_PANEL_SUM)
    s.put_formula(rr, cc, f"=SUM(I{r0}:I{r1})", total)
    s.merges.append((27, 2, 31, 2))
    s.put(27, 2, "Run Model")
    s.put(L.parse_cell(L.DELETE_ALL_CELL)[0], 2, "Delete Output Tabs")
    s.widths.update({2: 26, 3: 16, 4: 24, 5: 14, 6: 22, 9: 24, 10: 10, 11: 12, 12: 12, 13: 22, 14: 10})
    s.col_formats.update({3: "#,##0.00", 5: "#,##0", 13: "#,##0"})
    # the legacy data validations (COMPLIANCE_SPEC §1.3, [data, PJ])
    true_false: dict[str, object] = {"validate": "list", "source": ["TRUE", "FALSE"]}
    s.validations += [
        ("C9", {"validate": "list", "source": "=Deals"}),
        ("J11:J39", {"validate": "list", "source": "=Deals"}),
        ("F10:I10", {"validate": "list", "source": ["Buy", "Sale", "All"]}),
        ("C14:C15", true_false),
        ("C19", true_false),
        ("E9:I9", true_false),
        ("N8", true_false),
        ("C18", {"validate": "list", "source": ["Annually", "Semi-Annually", "Quarterly"]}),
        ("C17", {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 500}),
        ("C16", {"validate": "list", "source": ["User Defined", "System Defined"]}),
        ("F15:F20", {"validate": "list", "source": "=FilterFields"}),
        ("F23:F28", {"validate": "list", "source": "=FilterFields"}),
        ("E10", {"validate": "list", "source": ["Buy", "Sale"]}),
        ("L11:L39", {"validate": "list", "source": ["Buy", "Sale"]}),
    ]
    return s


def _reference_table(
    rng: np.random.Generator,
    assets: Sequence[dict[str, object]],
    holidays: Sequence[date],
    fixings: dict[str, list[tuple[date, float]]],
    names: list[DefinedName],
) -> SheetData:
    s = SheetData(L.REFERENCE_TABLE)
    sheet = s.name
    s.put(2, 1, "Table Of Contents", bold=True)
    sections = {sec.key: sec for sec in L.REFERENCE_SECTIONS}
    for k, sec in enumerate(L.REFERENCE_SECTIONS):
        s.put(1, sec.first_col, "Table Of Contents")
        s.put(2, sec.first_col, sec.title, bold=True)
        s.put_row(L.REFERENCE_HEADER_ROW, sec.first_col, sec.headers, bold=True)
        s.put(3 + k, 1, sec.title)
    first = L.REFERENCE_FIRST_ROW

    def rows(
        key: str,
        data: Sequence[Sequence[object]],
        *,
        name_cols: tuple[int, int] | None = None,
        include_header: bool = False,
    ) -> None:
        sec = sections[key]
        for i, values in enumerate(data):
            s.put_row(first + i, sec.first_col, values)
        c1, c2 = name_cols or (sec.first_col, sec.first_col + len(sec.headers) - 1)
        r1 = L.REFERENCE_HEADER_ROW if include_header else first
        names.append(DefinedName(sec.name, L.range_ref(r1, c1, first + len(data) - 1, c2, sheet)))

    rows("holidays", [(d, d.strftime("%A")) for d in holidays], name_cols=(2, 2))
    libor: list[tuple[str, date, str, float, str]] = []
    for series, points in fixings.items():
        libor += [(f"{excel_serial(d)}{series}", d, series, v, "REUT") for d, v in points]
    libor.sort(key=lambda r: (r[1], r[2]))
    rows("libor_rates", libor)
    periods = 40
    t = np.arange(1, periods + 1)
    vectors = np.column_stack(
        [
            t,
            np.round(np.minimum(0.2 + 0.002 * t, 0.25), 4),
            np.round(np.minimum(0.19 + 0.003 * t, 0.25), 4),
            np.round(np.where(t <= 8, 0.02 + 0.002 * t, 0.03), 5),
            np.zeros(periods),
            np.full(periods, np.nan),
            np.round(np.where(t <= 4, 0.0, 0.03), 4),
            np.full(periods, 0.3),
            np.full(periods, 0.3),
        ]
    )
    vec_rows = [
        [None if math.isnan(x) else (int(x) if j == 0 else float(x)) for j, x in enumerate(r)]
        for r in vectors
    ]
    rows("cf_vectors", vec_rows, include_header=True)
    sink: list[tuple[object, ...]] = []
    for a in assets:
        if a["Amortization Type"] != "Scheduled":
            continue
        issue, mat = a["Issue Date"], a["Maturity"]
        assert isinstance(issue, date) and isinstance(mat, date)
        d = add_months(date(issue.year, issue.month, 1), 3) - timedelta(days=1)
        amount = round(_num(a["Facility Size"]) * 0.0025, -2)
        while d < mat:
            sink.append((a["BLKRockID"], d, amount))
            d = add_months(d + timedelta(days=1), 3) - timedelta(days=1)
    rows("sink_schedule", sink)
    m = transition_matrix()
    labels = list(sections["transition_matrix"].headers[1:])
    rows(
        "transition_matrix",
        [(labels[i], *m[i].tolist()) for i in range(len(labels))],
        name_cols=(
            sections["transition_matrix"].first_col + 1,
            sections["transition_matrix"].first_col + len(labels),
        ),
    )
    tm_col = sections["transition_matrix"].first_col
    cum = np.cumsum(m[:, ::-1], axis=1)[:, ::-1]  # P(rating at or below column)
    s.put(L.TRANSITION_CUMULATIVE_ROW - 1, tm_col, "Cumulative", bold=True)
    s.put(L.TRANSITION_THRESHOLD_ROW - 1, tm_col, "Thresholds (NORM.S.INV)", bold=True)
    for i, label in enumerate(labels):
        s.put(L.TRANSITION_CUMULATIVE_ROW + i, tm_col, label)
        s.put(L.TRANSITION_THRESHOLD_ROW + i, tm_col, label)
        for j in range(len(labels)):
            c = float(np.clip(round(cum[i, j], 6), 0.0, 1.0))
            s.put(L.TRANSITION_CUMULATIVE_ROW + i, tm_col + 1 + j, c)
            z = 8.0 if c >= 1.0 else (-8.0 if c <= 0.0 else float(round(norm.ppf(c), 6)))
            s.put(L.TRANSITION_THRESHOLD_ROW + i, tm_col + 1 + j, z)
    curve = [
        (1, 0.0044),
        (3, 0.0063),
        (6, 0.0089),
        (12, 0.0121),
        (24, 0.0098),
        (36, 0.0112),
        (60, 0.0138),
        (84, 0.0160),
        (120, 0.0181),
    ]
    rows("libor_curve", curve)
    rows("deals", [("All",), *((d,) for d in L.DEALS)])
    assumptions: list[tuple[object, ...]] = [("ALL", "QTR_CPR_1", "QTR_CDR_1", 0.3, 6)]
    for a in assets[:: max(1, len(assets) // 3)][:3]:
        assumptions.append((a["BLKRockID"], 0.15, 0.02, 0.35, 6))
    rows("cf_assumptions", assumptions)
    s.widths.update({2: 11, 4: 22, 5: 11, 6: 16, 18: 11, 19: 11, 21: 22})
    s.hidden = False
    return s


def _filter_sheet(names: list[DefinedName]) -> SheetData:
    s = SheetData(L.FILTER_SHEET)
    lists: dict[str, Sequence[object]] = {
        "sp_ratings": [r for r in SP_SCALE if r not in ("CC", "C")],
        "moodys_ratings": [*MOODYS_SCALE, "NR"],
        "sp_industries": sorted(SP_INDUSTRIES),
        "moodys_industries": sorted(MOODYS_INDUSTRIES),
        "open_parenthesis": ["(", "((", "(((", "(((("],
        "close_parenthesis": [")", "))", ")))", "))))"],
        "numeric_operators": ["=", "<", "<=", ">", ">=", "!="],
        "string_operators": ["=", "!="],
        "logical_operators": ["and", "or", "not", "or not"],
        "filter_fields": [
            "Moody's Rating",
            "Moody's Rating WARF",
            "Moody's Rating DPR",
            "S&P Industry",
            "Moody's Industry",
            "S&P Rating",
            "WAL",
            "Facility Size",
            "Market Value",
            "Cov-Lite",
            "Country",
            "Analyst Opinion",
        ],
        "boolean_fields": [True, False],
        "countries": [
            "USA",
            "Luxembourg",
            "Netherlands",
            "Cayman Islands",
            "Canada",
            "UK",
            "Germany",
            "France",
        ],
        "analyst_opinion": ["Buy", "Hold", "Sale"],
    }
    for j, (key, header) in enumerate(L.FILTER_LISTS):
        s.put(1, 1 + j, header, bold=True)
        for i, v in enumerate(lists[key]):
            s.put(2 + i, 1 + j, v)
    n = len(lists["filter_fields"])
    # the legacy ignores the last row of FilterFields: the range runs one row past the list
    names.append(DefinedName("FilterFields", L.range_ref(2, 10, 2 + n, 10, L.FILTER_SHEET)))
    s.widths.update({c: 24 for c in range(1, 14)})
    return s


def _asset_correlation(ids: Sequence[str], names: list[DefinedName]) -> SheetData:
    s = SheetData(L.ASSET_CORRELATION)
    n = len(ids)
    for j, brs in enumerate(ids):
        s.put(1, 2 + j, brs, bold=True)
        s.put(2 + j, 1, brs, bold=True)
    for i in range(n):
        for j in range(n):
            s.cells[(2 + i, 2 + j)] = 1 if i == j else 0.3
    names.append(DefinedName("AssetCorrelation", L.range_ref(2, 2, 1 + n, 1 + n, L.ASSET_CORRELATION)))
    return s


def _all_assets(assets: Sequence[dict[str, object]], names: list[DefinedName]) -> SheetData:
    s = SheetData(L.ALL_ASSETS)
    s.put_row(1, 1, L.ALL_ASSETS_HEADERS, bold=True)
    for i, a in enumerate(assets):
        s.put_row(2 + i, 1, (a[h] for h in L.ALL_ASSETS_HEADERS))
    names.append(
        DefinedName("AllAssets", L.range_ref(2, 1, 1 + len(assets), len(L.ALL_ASSETS_HEADERS), L.ALL_ASSETS))
    )
    s.widths.update({1: 12, 2: 36, 3: 34, 4: 10, 18: 30, 19: 28, 20: 30, 21: 30})
    s.col_formats.update({16: "#,##0.00", 17: "#,##0", 26: "#,##0.00", 69: "#,##0"})
    s.freeze = (1, 1)
    return s


# ------------------------------------------------------------------------------------------------


def hypo_trades(
    deals: dict[str, dict[str, Any]], assets: Sequence[dict[str, object]]
) -> tuple[tuple[str, str, str, float, float | None], ...]:
    """The ``Run Model`` hypo list (J11:N39): per deal a purchase of a loan it does not hold and a partial
    sale of one of its holdings (Mag 17 also buys at market, blank price), so every deal's
    ``HYPO-<Deal>-Output`` tab has trades behind it."""
    out: list[tuple[str, str, str, float, float | None]] = []
    good = [
        a
        for a in assets
        if a["Default Obligation"] == "No"
        and a["Bond/Loan"] == "LOAN"
        and a["Moody's Rating-21"] in ("B1", "B2", "Ba3")
        and a["DIP"] == "No"
    ]
    for k, (deal, doc) in enumerate(deals.items()):
        held = {h["BLKRockID"] for h in doc["holdings"]}
        stated = doc["date_inputs"]["stated_maturity"]
        buys = [a for a in good if a["BLKRockID"] not in held and _day(a["Maturity"]) < stated]
        buy = buys[(7 * k) % len(buys)]
        sale = doc["holdings"][(5 * k + 3) % len(doc["holdings"])]
        out.append((deal, str(buy["BLKRockID"]), "Buy", 2_000_000.0, 99.5))
        if deal == "Mag 17":
            out.append((deal, str(buys[(7 * k + 1) % len(buys)]["BLKRockID"]), "Buy", 1_500_000.0, None))
        out.append((deal, str(sale["BLKRockID"]), "Sale", float(min(sale["Par Amount"], 1_000_000.0)), 98.75))
    return tuple(out)


def generate(seed: int = SEED, n_assets: int = N_ASSETS) -> SampleBook:
    """The whole sample workbook, deterministic for a given ``seed``."""
    rng = np.random.default_rng(seed)
    holidays = us_holidays(2002, 2030)
    cal = Calendar(holidays)
    assets = generate_assets(rng, n_assets)
    by_id = {str(a["BLKRockID"]): a for a in assets}
    # a small book (tests) keeps only the fixings of the last year
    fixings = libor_fixings(
        rng, cal, date(2011, 1, 3) if n_assets >= N_ASSETS else date(2015, 3, 2), ANALYSIS_DATE
    )
    names: list[DefinedName] = []
    deals: dict[str, dict[str, Any]] = {}
    deal_sheets: list[SheetData] = []
    for p in DEAL_PARAMS:
        p = replace(p, n_holdings=min(p.n_holdings, int(n_assets * 0.32)))
        doc = build_deal(rng, p, assets, by_id, cal, fixings)
        deals[p.deal] = doc
        deal_sheets.append(_deal_sheet(p, doc, names))
    held17 = {h["BLKRockID"] for h in deals["Mag 17"]["holdings"]}
    trades = hypo_trades(deals, assets)
    sheets = (
        _run_model(deals, trades, names),
        *deal_sheets,
        _all_assets(assets, names),
        _asset_correlation(sorted(held17), names),
        _reference_table(rng, assets, holidays, fixings, names),
        _filter_sheet(names),
    )
    holdings = {
        d: tuple((h["BLKRockID"], h["Par Amount"]) for h in doc["holdings"]) for d, doc in deals.items()
    }
    return SampleBook(sheets, tuple(names), tuple(assets), deals, holdings, trades)


if __name__ == "__main__":  # a quick look at the book
    book = generate()
    for sh in book.sheets:
        print(f"{sh.name:20s} {len(sh.cells):7d} cells, {sh.max_row:5d} rows")
    for d, h in book.holdings.items():
        print(f"{d:7s} {len(h):4d} holdings, par {sum(v for _, v in h):,.0f}")
