"""From a deal's inputs to the analytics documents the CLI, the Python API and the workbook show.

Orchestration: builds the :class:`~clo_xl.analytics.scenario.CashflowModel` with the cash-flow pipeline
and runs the pure analytics on it.
"""

from __future__ import annotations

from typing import Any

from clo_xl.analytics.breakeven import BP, breakevens
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.assumptions import AssetAssumption
from clo_xl.cashflows.pipeline import DealInputsBundle, prepare_model

#: Q48: the legacy runs Mag 17 on the Mag 15 waterfall, which never pays Class X
LEGACY_CLASS_NOTES = {"Class X": "never paid by the Mag 15 waterfall the legacy runs Mag 17 on (Q48)"}


def _rate_text(value: float | str) -> float | str:
    return f"{value} (vector)" if isinstance(value, str) else value


def describe_assumptions(model: CashflowModel) -> dict[str, Any]:
    """The run's assumptions as JSON: rates as decimals, or a vector's name; lag in months."""
    a: AssetAssumption = model.assumptions.default
    return {
        "cpr": _rate_text(a.cpr),
        "cdr": _rate_text(a.cdr),
        "severity": _rate_text(a.severity),
        "lag_months": a.lag_months,
        "per_asset_overrides": len(model.assumptions.overrides),
    }


def breakeven_document(
    inputs: DealInputsBundle,
    *,
    deal: str | None = None,
    cpr: float | None = None,
    severity: float | None = None,
    lag: int | None = None,
    severity_at_cdr: float | None = None,
    stress_reinvestment: bool = True,
    convention: str = "legacy",
    index: str = "LIBOR",
) -> dict[str, Any]:
    """``breakeven --json``: every note class's break-even CDR and severity (decimals, 1 bp)."""
    model = prepare_model(
        inputs, deal=deal, cpr=cpr, severity=severity, lag=lag, convention=convention, index=index
    )
    return breakeven_for_model(
        model, severity_at_cdr=severity_at_cdr, stress_reinvestment=stress_reinvestment
    )


def breakeven_for_model(
    model: CashflowModel, *, severity_at_cdr: float | None = None, stress_reinvestment: bool = True
) -> dict[str, Any]:
    assumptions = describe_assumptions(model)
    assumptions["severity_at_cdr"] = severity_at_cdr if severity_at_cdr is not None else assumptions["cdr"]
    assumptions["reinvestment"] = "stressed" if stress_reinvestment else "deal"
    assumptions["precision"] = 1 / BP
    notes = LEGACY_CLASS_NOTES if model.conventions.mag17_as_mag15 else {}
    result = breakevens(
        model,
        severity_at_cdr=severity_at_cdr,
        stress_reinvestment=stress_reinvestment,
        assumptions_json=assumptions,
        notes=notes,
    )
    return result.to_json()
