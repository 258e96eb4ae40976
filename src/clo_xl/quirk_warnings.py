"""Warnings that say where a legacy defect changed a published figure.

Every result document (compliance, hypo, cash flows, grids; as JSON, tables, tabs and reports) carries
``"warnings": [{"quirk": ..., "affects": ..., "message": ...}]``: one entry per named legacy switch that
changed a published figure **in that run**. A switch is listed only when turning it off alone (the run's
other switches unchanged) moves at least one figure the document publishes; switches that are on but
change nothing are not listed. Under ``corrected`` every switch is off, so the list is empty.

* ``quirk``: the switch's name, e.g. ``"Q19_ROUNDING"`` (the legacy specification's compliance Q-number,
  :class:`clo_xl.compliance.quirks.Quirk`) or ``"Q5_WAL_ON_ORIGINAL"`` (its cash-flow Q-number,
  :class:`clo_xl.cashflows.quirks.CashflowQuirk`).
* ``affects``: the published figures it moved, by label ("test 37 result", "Class E wal", …).
* ``message``: one line, what the legacy does and the figure(s) without the defect.

This module is neutral: it imports nothing from clo-xl, so the core, the adapters and the faces all use it.
Producers build figures (``{label: value}``) for the published run and for the run with one switch off and
call :func:`detect_warnings`; consumers print :func:`warning_lines` under their table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

#: figures compare equal within this relative tolerance (summation noise is not an effect)
REL_TOL = 1e-9
#: at most this many labels are spelt out in ``affects``; the rest are counted
MAX_LABELS = 6

Figure = float | int | bool | str | None


class LegacySwitch(Enum):
    """Base of the enums of legacy switches (compliance ``Quirk``, cash-flow ``CashflowQuirk``): each member's
    value is ``(quirk number in the spec, what the legacy does, what corrected does)``; the member's name is
    what a warning's ``quirk`` says."""

    @property
    def number(self) -> int:
        return int(self.value[0])

    @property
    def legacy(self) -> str:
        return str(self.value[1])

    @property
    def corrected(self) -> str:
        return str(self.value[2])


@dataclass(frozen=True)
class QuirkWarning:
    """One legacy switch that changed published figures in a run."""

    quirk: str
    affects: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"quirk": self.quirk, "affects": self.affects, "message": self.message}

    def line(self) -> str:
        """One readable line (no line breaks), for tables, tabs and reports."""
        return f"⚠ {self.quirk} ({self.affects}): {self.message}"


def attach_warnings(doc: dict[str, Any], warnings: Iterable[QuirkWarning]) -> dict[str, Any]:
    """Set ``doc["warnings"]`` (a list, empty when nothing was flagged; duplicates dropped) and return doc."""
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for w in warnings:
        if w.quirk in seen:
            continue
        seen.add(w.quirk)
        out.append(w.to_json())
    doc["warnings"] = out
    return doc


def warnings_of(doc: Mapping[str, Any]) -> tuple[QuirkWarning, ...]:
    """The warnings a document carries (an absent key means none)."""
    return tuple(
        QuirkWarning(str(w.get("quirk", "")), str(w.get("affects", "")), str(w.get("message", "")))
        for w in doc.get("warnings") or ()
        if isinstance(w, Mapping)
    )


def warning_lines(source: Mapping[str, Any] | Iterable[QuirkWarning]) -> list[str]:
    """One line per warning of a document (or of a list of warnings), to print under its table."""
    items = warnings_of(source) if isinstance(source, Mapping) else tuple(source)
    return [w.line() for w in items]


def same(a: Figure, b: Figure, rel_tol: float = REL_TOL) -> bool:
    """Two published figures are the same: equal, or numbers within ``rel_tol`` (NaN equals NaN)."""
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not isinstance(a, int | float)
        or not isinstance(b, int | float)
    ):
        return a == b
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)


def show(value: Figure) -> str:
    """A figure as a short text for a message (numbers to 6 significant digits)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
    return str(value)


def changed(base: Mapping[str, Figure], other: Mapping[str, Figure], rel_tol: float = REL_TOL) -> list[str]:
    """Labels whose figure differs between two runs (in ``base`` order; a label in one run only counts)."""
    labels = list(base) + [k for k in other if k not in base]
    out = []
    for k in labels:
        a, b = base.get(k), other.get(k)
        if a is b or (a == b and type(a) is type(b)):
            continue
        if not same(a, b, rel_tol):
            out.append(k)
    return out


def describe_change(labels: Sequence[str], base: Mapping[str, Figure], other: Mapping[str, Figure]) -> str:
    """``"test 37 result 68.4366 (67.7669 without it)"`` for the first two labels, and a count of the rest."""
    parts = [f"{k} {show(base.get(k))} ({show(other.get(k))} without it)" for k in labels[:2]]
    if len(labels) > 2:
        parts.append(f"{len(labels) - 2} more")
    return "; ".join(parts)


def affects(labels: Sequence[str]) -> str:
    head = ", ".join(labels[:MAX_LABELS])
    return head if len(labels) <= MAX_LABELS else f"{head} and {len(labels) - MAX_LABELS} more"


def detect_warnings(
    base: Mapping[str, Figure],
    variants: Iterable[tuple[str, str, Mapping[str, Figure]]],
    *,
    rel_tol: float = REL_TOL,
) -> tuple[QuirkWarning, ...]:
    """Warnings for the switches whose removal moves a figure.

    ``base`` holds the published figures; each variant is ``(switch name, what the legacy does, figures of
    the same run with that one switch off)``. The message reads "<what the legacy does>: <figure> <value>
    (<value> without it)".
    """
    out: list[QuirkWarning] = []
    for name, legacy_text, other in variants:
        moved = changed(base, other, rel_tol)
        if moved:
            out.append(
                QuirkWarning(name, affects(moved), f"{legacy_text}: {describe_change(moved, base, other)}")
            )
    return tuple(out)


def merge_warnings(warnings: Iterable[QuirkWarning]) -> tuple[QuirkWarning, ...]:
    """One warning per switch: entries for the same switch (e.g. from a run and from its grid) are joined,
    their ``affects`` and the detail of their messages separated by "; "."""
    merged: dict[str, QuirkWarning] = {}
    for w in warnings:
        seen = merged.get(w.quirk)
        if seen is None:
            merged[w.quirk] = w
            continue
        detail = w.message.split(": ", 1)[-1]
        merged[w.quirk] = QuirkWarning(w.quirk, f"{seen.affects}; {w.affects}", f"{seen.message}; {detail}")
    return tuple(merged.values())


__all__ = [
    "LegacySwitch",
    "QuirkWarning",
    "attach_warnings",
    "changed",
    "detect_warnings",
    "merge_warnings",
    "same",
    "warning_lines",
    "warnings_of",
]
