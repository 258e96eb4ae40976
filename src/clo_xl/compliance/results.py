"""Result records of a compliance run and their JSON shape (``compliance --json``, docs/cli.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from clo_xl.enums import Convention, MinMax
from clo_xl.types import Money

if TYPE_CHECKING:
    import pandas as pd

RELIEF_COMMENT = "New test results improves or maintains previous results"


@dataclass(frozen=True)
class TestResult:
    """One legacy result: number, output name, effective direction and threshold, result (unrounded except
    WAL), numerator, denominator, pass flag, comment (obligor/industry/country key) and the pass/fail remark.

    ``listed`` is False for a child test produced by its parent but missing from the threshold table.
    """

    number: int
    name: str
    min_max: MinMax
    threshold: float
    result: float  # a Rate for share tests, years (WAL), a factor (WARF) or a score (diversity)
    numerator: Money  # par (or par-weighted sums for the averages)
    denominator: Money
    passed: bool
    comment: str | None = None
    pass_fail_comment: str | None = None
    listed: bool = True

    @property
    def cushion(self) -> float:
        """Distance to the threshold in the passing direction (positive = room left)."""
        return self.threshold - self.result if self.min_max is MinMax.MAX else self.result - self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "min_max": self.min_max.value,
            "threshold": self.threshold,
            "result": self.result,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "pass": self.passed,
            "comment": self.comment,
            "pass_fail_comment": self.pass_fail_comment,
        }


_RESULT_FIELDS = tuple(f.name for f in fields(TestResult))


def new_result(
    number: int,
    name: str,
    min_max: MinMax,
    threshold: float,
    result: float,
    numerator: Money,
    denominator: Money,
    passed: bool,
    comment: str | None,
    pass_fail_comment: str | None,
    listed: bool,
) -> TestResult:
    """``TestResult(...)`` (every field given), without the frozen dataclass's ``__init__``, which sets each
    field through ``object.__setattr__`` (2.2 µs instead of 0.7 µs; a compliance run builds one per test,
    37 for Mag 17, and a hypothetical trade twice that)."""
    record = object.__new__(TestResult)
    record.__dict__.update(
        zip(
            _RESULT_FIELDS,
            (number, name, min_max, threshold, result, numerator, denominator, passed, comment,
             pass_fail_comment, listed),
            strict=True,
        )
    )  # fmt: skip
    return record


@dataclass(frozen=True)
class EngineState:
    """What the legacy carries from one recalculation to the next (§4.1, §6 Q17/Q18): the stored previous
    values per test, and the "MWARR" input once test 33 has overwritten it."""

    previous: Mapping[int, float] = field(default_factory=dict)
    mwarr: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "previous", MappingProxyType(dict(self.previous)))


@dataclass(frozen=True)
class ComplianceReport:
    deal: str
    analysis_date: date
    convention: Convention | None
    collateral_principal_amount: float
    principal_cash: float
    results: tuple[TestResult, ...]
    objective: float
    state_before: EngineState
    state_after: EngineState
    warr_used: float = 0.0

    def result(self, number: int) -> TestResult | None:
        return next((r for r in self.results if r.number == number), None)

    @property
    def by_number(self) -> dict[int, TestResult]:
        return {r.number: r for r in self.results}

    @property
    def failures(self) -> tuple[TestResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def to_json(self) -> dict[str, Any]:
        return {
            "deal": self.deal,
            "analysis_date": self.analysis_date.isoformat(),
            "convention": self.convention.value if self.convention else "custom",
            "collateral_principal_amount": self.collateral_principal_amount,
            "principal_cash": self.principal_cash,
            "tests": [r.to_json() for r in self.results],
            "objective": self.objective,
        }

    def to_pandas(self) -> pd.DataFrame:
        """The tests as a DataFrame indexed by test number, in threshold-table order: name, min_max,
        threshold, result, numerator, denominator, pass, cushion (room to the threshold in the passing
        direction), comment, pass_fail_comment. Ratios are decimals (0.025 = 2.5 %), money in deal
        currency, as in the JSON document; ``frame.attrs`` carries the deal, analysis date, convention,
        Collateral Principal Amount and objective.
        """
        import pandas as pd  # imported on use: the core runs without loading pandas

        rows = [{**r.to_json(), "cushion": r.cushion} for r in self.results]
        frame = pd.DataFrame(rows).set_index("number") if rows else pd.DataFrame()
        frame.attrs.update(
            deal=self.deal,
            analysis_date=self.analysis_date.isoformat(),
            convention=self.convention.value if self.convention else "custom",
            collateral_principal_amount=self.collateral_principal_amount,
            objective=self.objective,
        )
        return frame


__all__ = ["RELIEF_COMMENT", "ComplianceReport", "EngineState", "TestResult", "new_result"]
