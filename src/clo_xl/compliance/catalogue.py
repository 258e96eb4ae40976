"""The test catalogue: ``clo_xl/data/compliance/tests.csv`` loaded into :class:`TestSpec` records.

The catalogue is data: each row names the kernel that computes the test (``kind``), its population, the
grouping key and predicate, the parent for child tests, and the code's default threshold and direction
(used only when a test is not in the deal's threshold table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

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


#: Tests whose result is a ratio of par (shown as a percentage); the others are WAL, WARF, diversity, JROC…
NON_PERCENT_TESTS = frozenset({35, 36, 37, 54})

__all__ = ["NON_PERCENT_TESTS", "TestSpec", "catalogue", "children_of", "country_sets"]
