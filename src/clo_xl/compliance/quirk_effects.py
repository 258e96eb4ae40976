"""Which legacy switches changed a published compliance or hypo figure (CONTRACT §5 ``warnings``).

A switch *changed* a figure when the same run with that one switch off (every other switch as published)
gives a different figure. The figures are what the documents publish: per test its result, threshold,
pass flag, numerator, denominator and key; the objective and the Collateral Principal Amount; with trades
also the after-trade figures, the executed trades and the trade attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.quirk_warnings import Figure, QuirkWarning, detect_warnings

_TEST_FIELDS = ("result", "threshold", "pass", "numerator", "denominator", "comment")
_HYPO_FIELDS = ("hypo_result", "hypo_threshold", "hypo_pass", "hypo_numerator", "hypo_denominator")
_TRADE_FIELDS = ("executed_par", "executed_price", "status")


def _figure(value: Any) -> Figure:
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def compliance_figures(doc: Mapping[str, Any]) -> dict[str, Figure]:
    """``{label: value}`` of everything a compliance (or hypo) document publishes."""
    out: dict[str, Figure] = {}
    for key in (
        "collateral_principal_amount",
        "objective",
        "hypo_objective",
        "hypo_collateral_principal_amount",
    ):
        if key in doc:
            out[key.replace("_", " ")] = _figure(doc[key])
    seen: dict[int, int] = {}
    for t in doc.get("tests", ()):
        n = int(t["number"])
        seen[n] = seen.get(n, 0) + 1
        name = f"test {n}" if seen[n] == 1 else f"test {n} (#{seen[n]})"
        for f in (*_TEST_FIELDS, *_HYPO_FIELDS):
            if f in t:
                out[f"{name} {f.replace('_', ' ')}"] = _figure(t[f])
    for i, tr in enumerate(doc.get("trades", ()), start=1):
        for f in _TRADE_FIELDS:
            out[f"trade {i} ({tr.get('brs_id')}) {f.replace('_', ' ')}"] = _figure(tr.get(f))
    for side, rows in (doc.get("trade_attributes") or {}).items():
        for row, value in rows.items():
            out[f"{side} {row}"] = _figure(value)
    for block in doc.get("individual", ()):
        label = str(block.get("label", "")).split()[0] if block.get("label") else "trade"
        for k, v in compliance_figures({k: v for k, v in block.items() if k != "individual"}).items():
            out[f"{label}: {k}"] = v
    return out


def quirk_warnings(
    quirks: QuirkSet, document_for: Callable[[QuirkSet], Mapping[str, Any]]
) -> tuple[QuirkWarning, ...]:
    """The warnings of the document ``document_for(quirks)``: each switch that is on and, turned off alone,
    moves one of its figures. ``document_for`` builds the same document under another switch set."""
    if not quirks.on:
        return ()
    base = compliance_figures(document_for(quirks))
    variants = (
        (q.name, q.legacy, compliance_figures(document_for(quirks.without(q)))) for q in Quirk if q in quirks
    )
    return detect_warnings(base, variants)


__all__ = ["compliance_figures", "quirk_warnings"]
