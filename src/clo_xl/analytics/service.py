"""Analytics on a prepared deal (:class:`~clo_xl.analytics.scenario.CashflowModel`), as the documents the
CLI, the Python API and the workbook show: each result has ``to_json()`` (with ``warnings``) and
``to_pandas()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clo_xl.analytics.breakeven import BP, BreakevenResult, breakevens
from clo_xl.analytics.collateral_report import COLUMNS, CollateralPeriod, collateral_report, totals
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.assumptions import AssetAssumption
from clo_xl.progress import Progress, no_progress

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


def breakeven_result(
    model: CashflowModel,
    *,
    severity_at_cdr: float | None = None,
    stress_reinvestment: bool = True,
    progress: Progress = no_progress,
) -> BreakevenResult:
    """Every note class's break-even CDR and severity (decimals, to 1 bp) at the model's assumptions."""
    assumptions = describe_assumptions(model)
    assumptions["severity_at_cdr"] = severity_at_cdr if severity_at_cdr is not None else assumptions["cdr"]
    assumptions["reinvestment"] = "stressed" if stress_reinvestment else "deal"
    assumptions["precision"] = 1 / BP
    notes = LEGACY_CLASS_NOTES if model.conventions.mag17_as_mag15 else {}
    return breakevens(
        model,
        severity_at_cdr=severity_at_cdr,
        stress_reinvestment=stress_reinvestment,
        assumptions_json=assumptions,
        notes=notes,
        progress=progress,
    )


@dataclass(frozen=True)
class CollateralReport:
    """The collateral report of one run (see :mod:`clo_xl.analytics.collateral_report`)."""

    deal: str
    convention: str
    assumptions: dict[str, Any]
    rows: tuple[CollateralPeriod, ...]
    warnings: tuple[dict[str, str], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """``collateral-report --json``: columns (key and label), one object per period, totals."""
        return {
            "deal": self.deal,
            "convention": self.convention,
            "assumptions": self.assumptions,
            "columns": [{"key": k, "label": label} for k, label in COLUMNS],
            "periods": [r.to_json() for r in self.rows],
            "totals": totals(self.rows),
            "warnings": list(self.warnings),
        }

    def to_pandas(self) -> Any:
        """The rows as a DataFrame indexed by period (money in currency, dates as datetimes)."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        return records_frame(self.rows, index="period")


def collateral_result(model: CashflowModel) -> CollateralReport:
    """The collateral report of the model's own run."""
    result = model.run()
    return CollateralReport(
        model.structure.name,
        model.convention_name,
        describe_assumptions(model),
        collateral_report(result, model.structure),
    )
