"""Which legacy switches moved a figure of an analytics document (the ``warnings`` of docs/cli.md).

Each switch that is on and can act on the run (:meth:`Variants.on`) is turned off alone and the document's
figures computed again (:func:`document_warnings`); a switch that moves one is listed with the figures it
moved. Switches that act only on report measures or on the incentive fee (paid after the notes) are skipped
where the document cannot show them.

Break-evens are not solved again per switch: each class's break-even is pinned by two projections (paid at
the break-even, not paid one basis point above it, or the 0 / 100% end that decided it), so a switch moved
it exactly when turning it off changes the outcome at one of those points (:func:`breakeven_warnings`, the
same monotonicity every break-even assumes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clo_xl.analytics.breakeven import BP, Axis, BreakevenResult, Point, bracket_points, paid_at
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.quirk_effects import REPORT_QUIRKS
from clo_xl.cashflows.quirks import CashflowQuirk
from clo_xl.quirk_warnings import Figure, QuirkWarning, affects, detect_warnings
from clo_xl.runs.cashflow_pipeline import Variants

Q = CashflowQuirk

#: switches that cannot change what a class of notes receives: report measures, the incentive fee (paid
#: after every note), migration paths
NOTES_UNMOVED = REPORT_QUIRKS | {
    Q.Q25_HURDLE_HISTORY_CUTOFF,
    Q.Q29_HURDLE_FIRST_POSITIVE,
    Q.Q40_MIGRATION_STEPS,
}


def document_warnings(
    variants: Variants,
    figures: Callable[[CashflowModel], Mapping[str, Figure]],
    *,
    skip: frozenset[CashflowQuirk] = REPORT_QUIRKS,
) -> tuple[QuirkWarning, ...]:
    """Warnings for the switches whose removal alone moves one of ``figures(model)``."""
    base = figures(variants.model)
    others = [(q.name, q.legacy, figures(variants.model_without(q))) for q in variants.on() if q not in skip]
    return detect_warnings(base, others)


def _describe(axis: Axis, point: int, paid: bool) -> str:
    rate = f"{point / BP * 100:.2f}%"
    what = "CDR" if axis is Axis.CDR else "severity"
    return f"paid in full at {rate} {what}" if paid else f"not paid in full at {rate} {what}"


def breakeven_warnings(
    variants: Variants,
    result: BreakevenResult,
    *,
    severity_at_cdr: float | None = None,
    stress_reinvestment: bool = True,
) -> tuple[QuirkWarning, ...]:
    """For each switch that can move what the notes receive: the break-evens it moved (checked at the
    points that pin them, one batch of projections per switch)."""
    pins = bracket_points(result)
    points: list[Point] = sorted(
        {p for rows in pins.values() for p, _ in rows}, key=lambda p: (p[0].value, p[1])
    )
    out = []
    for q in variants.on():
        if q in NOTES_UNMOVED:
            continue
        paid = dict(
            zip(
                points,
                paid_at(
                    variants.model_without(q),
                    points,
                    severity_at_cdr=severity_at_cdr,
                    stress_reinvestment=stress_reinvestment,
                ),
                strict=True,
            )
        )
        moved: list[str] = []
        changes: list[str] = []
        for name, rows in pins.items():
            for (axis, x), was in rows:
                now = name in paid[(axis, x)]
                if now != was:
                    label = f"{name} breakeven_{axis.value}"
                    if label not in moved:
                        moved.append(label)
                        changes.append(f"{name} {_describe(axis, x, now)} without it")
        if moved:
            extra = f"; {len(changes) - 2} more" if len(changes) > 2 else ""
            out.append(QuirkWarning(q.name, affects(moved), f"{q.legacy}: {'; '.join(changes[:2])}{extra}"))
    return tuple(out)


def attach(doc: dict[str, Any], warnings: tuple[QuirkWarning, ...]) -> dict[str, Any]:
    doc["warnings"] = [w.to_json() for w in warnings]
    return doc
