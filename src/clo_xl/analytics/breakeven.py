"""Break-even default rates and severities per class, by bracketing and bisection on a basis-point grid.

For each note class: the highest constant annual CDR at which the class still receives all its interest
and principal (:mod:`clo_xl.analytics.outcomes`), at the run's CPR, severity and lag; and the highest
severity at which it does at a given CDR. Both axes are searched on the integer grid of basis points
(0 … 10,000 = 0 % … 100 %), so the answer is exact to 1 bp: the class is paid in full at the reported
value and not at one basis point more (assuming, as every break-even does, that more defaults never help
a class; the test suite checks ±50 bp around each answer).

The searches of all classes run together, round by round: a round projects the midpoint of every open
bracket in one batch (:meth:`CashflowModel.pools`), and every projection informs every class whose
bracket it falls in. ``iterations`` counts, per class, the projections that narrowed its brackets
(the two end points included).

Reinvestment collateral takes the stressed rate too (``stress_reinvestment``), since a break-even asks
what the collateral can lose; ``False`` keeps the deal's reinvestment assumptions (`CFInputs`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from clo_xl.analytics.outcomes import paid_in_full
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions, edit_assumptions
from clo_xl.cashflows.structure import DealStructure
from clo_xl.progress import Progress, no_progress

BP = 10_000  # grid points per unit (1 bp = 0.0001)
ROUNDS = math.ceil(math.log2(BP))  # halvings of [0, BP] to a 1 bp bracket


class Axis(Enum):
    CDR = "cdr"
    SEVERITY = "severity"


@dataclass
class Bracket:
    """A class's search on one axis, in basis points: paid at ``lo``, not paid at ``hi``."""

    lo: int
    hi: int
    iterations: int = 0
    fails_at_zero: bool = False
    survives_all: bool = False

    @property
    def open(self) -> bool:
        return not (self.fails_at_zero or self.survives_all) and self.hi - self.lo > 1

    @property
    def value(self) -> float | None:
        """The break-even as a decimal; ``None`` when the class is not paid in full even at 0."""
        if self.fails_at_zero:
            return None
        return (self.hi if self.survives_all else self.lo) / BP


@dataclass(frozen=True)
class ClassBreakeven:
    """One class: break-even CDR and severity (decimals), projections used, and what the ends showed."""

    name: str
    breakeven_cdr: float | None
    breakeven_severity: float | None
    iterations: int
    survives_100pct_cdr: bool
    survives_100pct_severity: bool
    note: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "class": self.name,
            "breakeven_cdr": self.breakeven_cdr,
            "breakeven_severity": self.breakeven_severity,
            "iterations": self.iterations,
            "survives_100pct_cdr": self.survives_100pct_cdr,
            "survives_100pct_severity": self.survives_100pct_severity,
            "note": self.note,
        }


@dataclass(frozen=True)
class BreakevenResult:
    deal: str
    convention: str
    assumptions: dict[str, object]
    classes: tuple[ClassBreakeven, ...]
    projections: int
    rounds: int
    warnings: tuple[dict[str, str], ...] = field(default=())

    def to_pandas(self) -> Any:
        """One row per class (break-evens as decimals), indexed by class."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        return records_frame([c.to_json() for c in self.classes], index="class")

    def to_json(self) -> dict[str, object]:
        """``breakeven --json`` (issue 14): deal, convention, assumptions, classes, warnings."""
        return {
            "deal": self.deal,
            "convention": self.convention,
            "assumptions": self.assumptions,
            "classes": [c.to_json() for c in self.classes],
            "projections": self.projections,
            "rounds": self.rounds,
            "warnings": list(self.warnings),
        }


# one variant to project: the axis and the grid point (bp)
Point = tuple[Axis, int]
Evaluate = Callable[[Sequence[Point]], list[frozenset[str]]]


def _narrow(bracket: Bracket, point: int, paid: bool) -> None:
    if bracket.lo < point < bracket.hi:
        bracket.iterations += 1
        if paid:
            bracket.lo = point
        else:
            bracket.hi = point


def solve_brackets(
    classes: Sequence[str], axes: Sequence[Axis], evaluate: Evaluate, progress: Progress = no_progress
) -> tuple[dict[tuple[str, Axis], Bracket], int, int]:
    """Joint bisection: (brackets by (class, axis), projections, rounds). ``evaluate`` returns, for each
    point, the set of classes paid in full there."""
    progress("break-even bisection", 0, ROUNDS)
    ends = [(axis, x) for axis in axes for x in (0, BP)]
    outcome = dict(zip(ends, evaluate(ends), strict=True))
    brackets: dict[tuple[str, Axis], Bracket] = {}
    for c in classes:
        for axis in axes:
            b = Bracket(0, BP, iterations=2)
            b.fails_at_zero = c not in outcome[(axis, 0)]
            b.survives_all = not b.fails_at_zero and c in outcome[(axis, BP)]
            brackets[(c, axis)] = b
    projections, rounds = len(ends), 0
    while True:
        todo = sorted(
            {(axis, (b.lo + b.hi) // 2) for (_, axis), b in brackets.items() if b.open},
            key=lambda p: (p[0].value, p[1]),
        )
        if not todo:
            progress("break-even bisection", ROUNDS, ROUNDS)
            return brackets, projections, rounds
        rounds += 1
        progress("break-even bisection", rounds, ROUNDS)
        projections += len(todo)
        for (axis, x), paid in zip(todo, evaluate(todo), strict=True):
            for (c, ax), b in brackets.items():
                if ax is axis and b.open:
                    _narrow(b, x, c in paid)


def _with_rate(model: CashflowModel, axis: Axis, rate: float, at_cdr: float | None) -> CashflowAssumptions:
    def edit(a: AssetAssumption) -> AssetAssumption:
        if axis is Axis.CDR:
            return replace(a, cdr=rate)
        return replace(a, severity=rate, cdr=a.cdr if at_cdr is None else at_cdr)

    edited = edit_assumptions(model.assumptions, edit)
    # a constant CDR is searched: a default-timing curve (which replaces the CDR) does not apply to it
    if axis is Axis.CDR or at_cdr is not None:
        edited = replace(edited, default_timing=None)
    return edited


def _structure(model: CashflowModel, axis: Axis, rate: float, at_cdr: float | None) -> DealStructure:
    rs = model.structure.reinvestment
    if axis is Axis.CDR:
        rs = replace(rs, cdr=rate)
    else:
        rs = replace(rs, severity=rate, cdr=rs.cdr if at_cdr is None else at_cdr)
    return replace(model.structure, reinvestment=rs)


def paid_at(
    model: CashflowModel,
    points: Sequence[Point],
    *,
    severity_at_cdr: float | None = None,
    stress_reinvestment: bool = True,
) -> list[frozenset[str]]:
    """For each point (axis, basis points), the classes paid in full there: one batch of projections."""
    variants = [_with_rate(model, axis, x / BP, severity_at_cdr) for axis, x in points]
    structures = [
        _structure(model, axis, x / BP, severity_at_cdr) if stress_reinvestment else model.structure
        for axis, x in points
    ]
    equity = model.structure.equity.name
    return [paid_in_full(r, equity=equity) for r in model.run_many(variants, structures)]


def bracket_points(result: BreakevenResult) -> dict[str, list[tuple[Point, bool]]]:
    """Per class, the points that pin its break-evens and whether it is paid there: the break-even and one
    basis point above it; 0 for a class not paid even at 0; 100% for one that survives it."""
    out: dict[str, list[tuple[Point, bool]]] = {}
    for c in result.classes:
        pins: list[tuple[Point, bool]] = []
        for axis, value, survives in (
            (Axis.CDR, c.breakeven_cdr, c.survives_100pct_cdr),
            (Axis.SEVERITY, c.breakeven_severity, c.survives_100pct_severity),
        ):
            if value is None:
                pins.append(((axis, 0), False))
            elif survives:
                pins.append(((axis, BP), True))
            else:
                x = round(value * BP)
                pins += [((axis, x), True), ((axis, x + 1), False)]
        out[c.name] = pins
    return out


def breakevens(
    model: CashflowModel,
    *,
    severity_at_cdr: float | None = None,
    stress_reinvestment: bool = True,
    classes: Sequence[str] | None = None,
    assumptions_json: dict[str, object] | None = None,
    notes: dict[str, str] | None = None,
    progress: Progress = no_progress,
) -> BreakevenResult:
    """Break-even CDR and severity of every note class of ``model`` (or of ``classes``).

    ``severity_at_cdr``: the constant CDR at which severity is stressed (``None`` = the run's own CDR
    assumption, scalar or vector). ``notes``: a remark per class shown when the class is not paid in full
    even at 0 (e.g. a legacy waterfall that never pays it).
    """
    names = list(classes or [t.name for t in model.structure.tranches if not t.equity])

    def evaluate(points: Sequence[Point]) -> list[frozenset[str]]:
        return paid_at(
            model, points, severity_at_cdr=severity_at_cdr, stress_reinvestment=stress_reinvestment
        )

    brackets, projections, rounds = solve_brackets(names, (Axis.CDR, Axis.SEVERITY), evaluate, progress)
    rows = []
    for c in names:
        cdr, sev = brackets[(c, Axis.CDR)], brackets[(c, Axis.SEVERITY)]
        note = None
        if cdr.fails_at_zero:
            note = (notes or {}).get(c) or "not paid in full even at 0% CDR"
        elif cdr.survives_all:
            note = "survives 100% CDR"
        rows.append(
            ClassBreakeven(
                c,
                cdr.value,
                sev.value,
                cdr.iterations + sev.iterations,
                cdr.survives_all,
                sev.survives_all,
                note,
            )
        )
    return BreakevenResult(
        model.structure.name,
        model.convention_name,
        dict(assumptions_json or {}),
        tuple(rows),
        projections,
        rounds,
    )
