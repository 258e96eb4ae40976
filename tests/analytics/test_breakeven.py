"""Break-evens: the bisection itself on a known step function, and the reported break-evens checked by
independent projections ±50 bp around them through the published `cashflows` route."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypedDict

import pytest

from clo_xl.analytics.breakeven import BP, Axis, Point, breakevens, solve_brackets
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.api import DealSession
from clo_xl.curves.conventions import DayCount
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import (
    DealInputsBundle,
    cashflow_document,
    inputs_from_extract,
    inputs_from_workbook,
    prepare_model,
)


class Options(TypedDict):
    """The projection options both the break-even model and the ±50 bp checks run with."""

    cpr: float
    severity: float
    lag: int
    convention: str


def _records(doc: dict[str, object], key: str) -> list[dict[str, Any]]:
    """A list of JSON records of a document, refused when it is anything else."""
    rows = doc[key]
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows), f"{key}: {rows!r}"
    return rows


def _record(doc: dict[str, object], key: str) -> dict[str, Any]:
    value = doc[key]
    assert isinstance(value, dict), f"{key}: {value!r}"
    return value


def _step_evaluator(thresholds: Mapping[str, int]) -> tuple[Any, list[Point]]:
    """Class c is paid in full at x iff x <= thresholds[c] (bp); records every point asked."""
    asked: list[Point] = []

    def evaluate(points: Sequence[Point]) -> list[frozenset[str]]:
        asked.extend(points)
        return [frozenset(c for c, t in thresholds.items() if x <= t) for _, x in points]

    return evaluate, asked


def test_bisection_finds_each_threshold_to_the_basis_point() -> None:
    # E breaks above 4.68% (468 bp), D above 1,483 bp, A survives everything, X fails even at 0
    thresholds = {"A": BP, "D": 1483, "E": 468, "X": -1}
    evaluate, asked = _step_evaluator(thresholds)
    brackets, projections, rounds = solve_brackets(list(thresholds), [Axis.CDR], evaluate)
    assert brackets[("E", Axis.CDR)].value == pytest.approx(0.0468)
    assert brackets[("D", Axis.CDR)].value == pytest.approx(0.1483)
    assert brackets[("A", Axis.CDR)].survives_all and brackets[("A", Axis.CDR)].value == 1.0
    assert brackets[("X", Axis.CDR)].fails_at_zero and brackets[("X", Axis.CDR)].value is None
    # bisection of [0, 10,000] to width 1 takes ceil(log2(10,000)) = 14 halvings, plus the two ends
    assert rounds == 14
    assert brackets[("E", Axis.CDR)].iterations <= 2 + 14
    # no point is projected twice, and the shared first midpoint (5,000 bp) is asked once for everyone
    assert len(asked) == len(set(asked)) == projections
    assert sum(1 for _, x in asked if x == 5000) == 1


def _accrual_fraction(start: date, end: date, thirty_360: bool) -> float:
    """Actual/360, or 30/360 (US: a 31st counts as the 30th) for the fixed-rate classes."""
    if not thirty_360:
        return (end - start).days / 360.0
    d1, d2 = min(start.day, 30), end.day if not (end.day == 31 and min(start.day, 30) == 30) else 30
    return (360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1) / 360.0


def _paid_in_full(doc: dict[str, Any], name: str, closing: date, deferrable: bool, thirty: bool) -> bool:
    """By hand from the CONTRACT §3 document, as a loan account: each period the class is owed its
    beginning balance plus Actual/360 interest at the period's coupon, on the deferred (unpaid) amount too
    when the class is deferrable (§3.3); it receives the period's interest and principal; whatever is
    unpaid beyond the next beginning balance is deferred. Paid in full = nothing owed at the end."""
    start, deferred, remaining = closing, 0.0, 0.0
    for p in doc["periods"]:
        row = next(t for t in p["tranches"] if t["class"] == name)
        end = date.fromisoformat(p["payment_date"])
        fraction = _accrual_fraction(start, end, thirty)
        interest = row["coupon"] * fraction * (row["beginning_balance"] + (deferred if deferrable else 0.0))
        owed = row["beginning_balance"] + deferred + interest
        remaining = owed - row["interest_paid"] - row["principal_paid"]
        deferred = remaining - (row["ending_balance"])
        start = end
    return remaining <= 1.0  # the document rounds each amount to the cent: allow a dollar over ~40 rows


def _check_around(inputs: DealInputsBundle, model: CashflowModel, options: Options) -> int:
    """Each finite break-even: paid in full at BE − 50 bp, not at BE + 50 bp (one projection each)."""
    result = breakevens(model, stress_reinvestment=False)
    closing = model.structure.dates.closing_date
    deferrable = {t.name: t.deferrable for t in model.structure.tranches}
    thirty = {t.name: t.day_count is DayCount.THIRTY_360_US for t in model.structure.tranches}
    checked = 0
    for c in result.classes:
        if c.breakeven_cdr is None or not 0.005 <= c.breakeven_cdr <= 0.995:
            continue
        below = cashflow_document(inputs, cdr=c.breakeven_cdr - 0.005, **options)
        above = cashflow_document(inputs, cdr=c.breakeven_cdr + 0.005, **options)
        how = (closing, deferrable[c.name], thirty[c.name])
        assert _paid_in_full(below, c.name, *how), f"{c.name} short at {c.breakeven_cdr - 0.005:.4f}"
        assert not _paid_in_full(above, c.name, *how), f"{c.name} paid at {c.breakeven_cdr + 0.005:.4f}"
        checked += 1
    return checked


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_sample_mag17_breakevens_hold_around_plus_minus_50bp(sample_workbook: Any, convention: str) -> None:
    inputs = inputs_from_workbook(read_workbook(sample_workbook, deals=["Mag 17"]), "Mag 17")
    options = Options(cpr=0.15, severity=0.4, lag=6, convention=convention)
    model = prepare_model(inputs, **options)
    assert _check_around(inputs, model, options) >= 3


@pytest.mark.legacy_data
@pytest.mark.parametrize("convention", ["legacy", "corrected"])
@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_real_mag17_breakevens_hold_around_plus_minus_50bp(legacy_dir: Any, convention: str) -> None:
    inputs = inputs_from_extract(
        json.loads((legacy_dir / "mag17_assets.json").read_text()),
        json.loads((legacy_dir / "mag17_deal.json").read_text()),
    )
    options = Options(cpr=0.2, severity=0.35, lag=12, convention=convention)
    model = prepare_model(inputs, **options)
    assert _check_around(inputs, model, options) >= 4


@pytest.mark.slow  # many seconds of CPU (a break-even solve): make test runs it, make test-fast does not
def test_document_shape_and_legacy_class_x(sample_workbook: Any) -> None:
    result = DealSession.from_workbook(sample_workbook, "Mag 17").breakeven(cpr=0.2, severity=0.35, lag=12)
    doc = result.to_json()
    frame = result.to_pandas()
    classes = _records(doc, "classes")
    assert frame.loc["Class E", "breakeven_cdr"] == classes[-1]["breakeven_cdr"]
    assert {"deal", "convention", "assumptions", "classes", "warnings"} <= set(doc)
    assert doc["deal"] == "Mag 17" and doc["convention"] == "legacy"
    assumptions = _record(doc, "assumptions")
    assert assumptions["cpr"] == 0.2 and assumptions["lag_months"] == 12
    by_class = {c["class"]: c for c in classes}
    assert list(by_class) == ["Class X", "Class A", "Class B-1", "Class B-2", "Class C", "Class D", "Class E"]
    for c in classes:
        assert {"class", "breakeven_cdr", "breakeven_severity", "iterations"} <= set(c)
    # Q48: the Mag 15 waterfall the legacy runs Mag 17 on never pays Class X
    assert by_class["Class X"]["breakeven_cdr"] is None and "Q48" in by_class["Class X"]["note"]
    # seniority: a junior class never breaks even above a senior one
    ladder = [by_class[c]["breakeven_cdr"] for c in ("Class A", "Class B-1", "Class C", "Class D", "Class E")]
    assert ladder == sorted(ladder, reverse=True)
    survivors = [c for c in classes if c["survives_100pct_cdr"]]
    assert all(c["breakeven_cdr"] == 1.0 and c["note"] == "survives 100% CDR" for c in survivors)
