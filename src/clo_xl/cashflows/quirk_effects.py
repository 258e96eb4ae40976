"""Which cash-flow switches changed a published figure (CONTRACT §5 ``warnings``).

The figures are what the ``cashflows`` document publishes: the summary first (each class's IRR, WAL,
durations, prices, cash; the Sub Notes' hurdle IRR; the incentive fee; fee totals), then every period's
proceeds, class payments and balances, coverage ratios and pass flags, fees, reinvestment and residual;
grid rows (Sub Notes IRR, incentive fee, cash per class per scenario). A switch is listed when the same
run with that switch alone turned off moves one of them (:func:`clo_xl.quirk_warnings.detect_warnings`).

A switch that cannot act on a run is not re-run (its figures are the base figures): a waterfall step option
the deal's version file does not carry, Q48 for a deal other than Mag 17, the vector quirks without vectors
in the assumptions, Q33 without a zero-par holding, Q37 when the pay day fits the month, Q40 without
migration paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clo_xl.cashflows.quirks import CashflowQuirk
from clo_xl.quirk_warnings import Figure

Q = CashflowQuirk

#: switches that act only when the report is built from a run (no re-run of the deal needed)
REPORT_QUIRKS = frozenset(
    {
        Q.Q4_PV_CHAIN,
        Q.Q5_WAL_ON_ORIGINAL,
        Q.Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD,
        Q.Q25_MEASURES_FROM_ANALYSIS_DATE,
    }
)

#: switches that change the asset projection or the payment grid (the others re-run only the waterfall on
#: the projection already made)
PROJECTION_QUIRKS = frozenset(
    {
        Q.Q2_LEGACY_CURVE,
        Q.Q30_VECTOR_OVERRUN,
        Q.Q33_ZERO_PAR_MILLION,
        Q.Q34_WRITE_OFF_UNRECOVERED,
        Q.Q36_LEGACY_BUSINESS_DAYS,
        Q.Q37_PAY_DAY_ROLLS,
        Q.Q57_UNKNOWN_VECTOR_ZERO,
    }
)

_SUMMARY_FIELDS = (
    ("irr", "irr"),
    ("wal", "wal"),
    ("macaulay_duration", "Macaulay duration"),
    ("modified_duration", "modified duration"),
    ("price_given_dm", "price given DM"),
    ("dm_given_price", "DM given price"),
    ("total_cash", "total cash"),
    ("total_principal", "total principal"),
)


def _num(value: Any) -> Figure:
    return value if isinstance(value, int | float | bool | str) or value is None else str(value)


def cashflow_figures(doc: Mapping[str, Any]) -> dict[str, Figure]:
    """``{label: value}`` of everything a ``cashflows`` document publishes, headline figures first."""
    out: dict[str, Figure] = {}
    summary = doc.get("summary") or {}
    out["incentive fee total"] = _num(summary.get("incentive_fee_total"))
    out["Sub Notes IRR (hurdle basis)"] = _num(summary.get("sub_note_irr"))
    for key, label in _SUMMARY_FIELDS:  # the headline figure of every class first, then the next one
        for t in summary.get("tranches", ()):
            if key in t:
                out[f"{t['class']} {label}"] = _num(t[key])
    for name, total in (summary.get("fees") or {}).items():
        out[f"{name} total"] = _num(total)
    for p in doc.get("periods", ()):
        at = f"period {p['period']}"
        for key, value in p.items():
            if key == "payments":
                paid: dict[str, float] = {}
                for x in value:
                    label = f"{at} paid to {x['payee']} from {x['source']}"
                    paid[label] = paid.get(label, 0.0) + float(x["amount"])
                out.update(paid)
            elif isinstance(value, list):
                for row in value:
                    name = row.get("class") or row.get("name") or ""
                    for k, v in row.items():
                        if k not in ("class", "name"):
                            out[f"{at} {name} {k.replace('_', ' ')}"] = _num(v)
            elif key != "period":
                out[f"{at} {key.replace('_', ' ')}"] = _num(value)
    out.update(grid_figures(doc.get("grid") or ()))
    return out


def grid_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Figure]:
    """Figures of grid rows: every value of each scenario row, labelled by its scenario."""
    out: dict[str, Figure] = {}
    for row in rows:
        at = (
            f"grid CPR {row.get('cpr')}, CDR {row.get('cdr')}, severity {row.get('severity')}, "
            f"lag {row.get('lag_months')}, shift {row.get('curve_shift')}"
        )
        for key, value in row.items():
            if key not in ("cpr", "cdr", "severity", "lag_months", "curve_shift"):
                out[f"{at}: {key}"] = _num(value)
    return out


__all__ = ["PROJECTION_QUIRKS", "REPORT_QUIRKS", "cashflow_figures", "grid_figures"]
