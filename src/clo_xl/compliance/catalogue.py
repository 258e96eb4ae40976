"""The test catalogue: ``clo_xl/data/compliance/tests.csv`` loaded into :class:`TestSpec` records.

The catalogue is data: each row names the kernel that computes the test (``kind``), its population, the
grouping key and predicate, the parent for child tests, and the code's default threshold and direction
(used only when a test is not in the deal's threshold table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from clo_xl.enums import MinMax
from clo_xl.ratings.tables import read_csv


@dataclass(frozen=True)
class TestSpec:
    number: int
    enum: str
    name: str
    kind: str
    population: str  # ND, ALL or ALL_ND
    parent: int | None
    nth: int | None
    key: str | None
    predicate: str | None
    default_threshold: float | None
    default_min_max: MinMax | None
    threshold_rule: str  # sheet, was32, was39, warf36, warf54
    metric: str | None = None  # the headline measure it reports (warf, was, wal, warr, wac, diversity, jroc)
    unit: str = "percent"  # percent (a share of par), ratio (coverage) or number (years, factor, score)
    decimals: int = 3  # decimals shown in readable output (percent: of the percentage)

    @property
    def is_child(self) -> bool:
        return self.parent is not None


def _opt_int(s: str) -> int | None:
    return int(s) if s.strip() else None


def _opt_float(s: str) -> float | None:
    return float(s) if s.strip() else None


@cache
def catalogue() -> dict[int, TestSpec]:
    """Test number → spec, for all 54 tests."""
    out: dict[int, TestSpec] = {}
    for row in read_csv("compliance/tests.csv"):
        spec = TestSpec(
            number=int(row["number"]),
            enum=row["enum"],
            name=row["name"],
            kind=row["kind"],
            population=row["population"],
            parent=_opt_int(row["parent"]),
            nth=_opt_int(row["nth"]),
            key=row["key"] or None,
            predicate=row["predicate"] or None,
            default_threshold=_opt_float(row["default_threshold"]),
            default_min_max=MinMax(row["default_min_max"]) if row["default_min_max"] else None,
            threshold_rule=row["threshold_rule"] or "sheet",
            metric=row["metric"] or None,
            unit=row["unit"],
            decimals=int(row["decimals"]),
        )
        out[spec.number] = spec
    return out


@cache
def children_of() -> dict[int, tuple[int, ...]]:
    """Parent test number → its children, in test-number order (the order the legacy emits them)."""
    out: dict[int, list[int]] = {}
    for spec in catalogue().values():
        if spec.parent is not None:
            out.setdefault(spec.parent, []).append(spec.number)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@cache
def country_sets(corrected: bool) -> dict[str, frozenset[str]]:
    sets: dict[str, set[str]] = {}
    for row in read_csv("compliance/countries.csv"):
        if row["convention"] == "both" or (corrected and row["convention"] == "corrected"):
            sets.setdefault(row["set"], set()).add(row["country"])
    return {k: frozenset(v) for k, v in sets.items()}


# The legacy test numbers code refers to by number (COMPLIANCE_SPEC §4.2: the workbook's threshold tables
# name tests by these numbers). Everything else about a test is data in ``data/compliance/tests.csv``.
TEST_CAA: Final = 7  # Limitation on Caa Loans
TEST_FACILITY_SIZE: Final = 31  # Limitation on Facility Size (never zeroes the legacy objective)
TEST_WAS: Final = 32  # Minimum Floating Spread Test
TEST_WARR: Final = 33  # Moody's weighted average recovery rate (overwrites the MWARR input, §4.3)
TEST_WAC: Final = 34  # Minimum Weighted Average Coupon Test
TEST_WAL: Final = 35  # Weighted Average Life Test
TEST_WARF: Final = 36  # Maximum Moody's Rating Factor Test
TEST_DIVERSITY: Final = 37  # Moody's Diversity Test
TEST_JROC: Final = 38  # Junior OC Test
TEST_WAS_MAG14: Final = 39  # Minimum Floating Spread Test (Mag 14's rule)
TEST_CCC: Final = 40  # Limitation on CCC Loans
TEST_WAS_MAG06: Final = 46  # Minimum Floating Spread Test (Mag 6's rule)
TEST_INDUSTRY_3RD: Final = 51  # Limitation on 3rd Largest Moody's Industry (Q-switched numerator)
TEST_WARF_MAG14: Final = 54  # Maximum Moody's Rating Factor Test (Mag 14's rule)


def metric_tests(metric: str) -> tuple[int, ...]:
    """The tests that report ``metric`` (``"warf"`` → (36, 54)), in order of preference (catalogue order)."""
    return tuple(n for n, spec in catalogue().items() if spec.metric == metric)


def numbers_in_unit(unit: str) -> frozenset[int]:
    """The tests whose result is in ``unit`` (``"number"`` → WAL, WARF and diversity tests)."""
    return frozenset(n for n, spec in catalogue().items() if spec.unit == unit)


#: Tests whose result is not a share of par (WAL, WARF, diversity): shown as numbers, not percentages
NON_PERCENT_TESTS = numbers_in_unit("number")

__all__ = [
    "NON_PERCENT_TESTS",
    "TEST_CAA",
    "TEST_CCC",
    "TEST_DIVERSITY",
    "TEST_FACILITY_SIZE",
    "TEST_INDUSTRY_3RD",
    "TEST_JROC",
    "TEST_WAC",
    "TEST_WAL",
    "TEST_WARF",
    "TEST_WARF_MAG14",
    "TEST_WARR",
    "TEST_WAS",
    "TEST_WAS_MAG06",
    "TEST_WAS_MAG14",
    "TestSpec",
    "catalogue",
    "children_of",
    "country_sets",
    "metric_tests",
    "numbers_in_unit",
]
