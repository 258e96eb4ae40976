"""Analytics on a prepared deal (:class:`~clo_xl.analytics.scenario.CashflowModel`), as the documents the
CLI, the Python API and the workbook show: each result has ``to_json()`` (with ``warnings``) and
``to_pandas()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clo_xl.analytics.breakeven import BP, BreakevenResult, breakevens
from clo_xl.analytics.collateral_report import COLUMNS, CollateralPeriod, collateral_report, totals
from clo_xl.analytics.coverage import (
    Acpa,
    CoverageRow,
    LegacyNumerator,
    determination_rows,
    projected_rows,
)
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.progress import Progress, no_progress
from clo_xl.quirk_warnings import Figure
from clo_xl.waterfall.run import ccc_adjustment

#: Q48: the legacy runs Mag 17 on the Mag 15 waterfall, which never pays Class X
LEGACY_CLASS_NOTES = {"Class X": "never paid by the Mag 15 waterfall the legacy runs Mag 17 on (Q48)"}


def _rate_text(value: float | str) -> float | str:
    return f"{value} (vector)" if isinstance(value, str) else value


def describe_assumptions(model: CashflowModel) -> dict[str, Any]:
    """The run's assumptions as JSON: rates as decimals, or a vector's name; lag in months."""
    a: AssetAssumption = model.assumptions.default
    timing, recovery = model.assumptions.default_timing, model.assumptions.recovery_timing
    return {
        "cpr": _rate_text(a.cpr),
        "cdr": _rate_text(a.cdr),
        "severity": _rate_text(a.severity),
        "lag_months": a.lag_months,
        "per_asset_overrides": len(model.assumptions.overrides),
        "vectors": {k: list(v) for k, v in model.assumptions.vectors.items() if k.startswith("scenario ")},
        "default_timing": None
        if timing is None
        else {"cumulative": timing.cumulative, "shares_by_year": list(timing.shares)},
        "recovery_timing": None if recovery is None else [list(x) for x in recovery.shares],
        "call": None
        if model.call is None
        else {"date": model.call.on.isoformat(), "price": model.call.price},
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


@dataclass(frozen=True)
class CoverageReport:
    """Each class's OC and IC on the analysis (determination) date and as projected for the first payment
    date, with the numerator's build-up (see :mod:`clo_xl.analytics.coverage`)."""

    deal: str
    convention: str
    analysis_date: date
    first_payment_date: date
    numerator: LegacyNumerator | Acpa
    acpa: Acpa
    analysis_date_rows: tuple[CoverageRow, ...]
    first_payment_date_rows: tuple[CoverageRow, ...]
    warnings: tuple[dict[str, str], ...] = field(default=())
    notices: tuple[str, ...] = field(default=())

    def ratio(self, tranche_class: str, kind: str, *, projected: bool = False) -> float | None:
        """A class's ratio ("Class E" or "E"; kind OC or IC) on the analysis date, or projected."""
        rows = self.first_payment_date_rows if projected else self.analysis_date_rows
        want = tranche_class.strip().lower().removeprefix("class ").strip()
        for r in rows:
            name = (r.tranche_class or "").lower().removeprefix("class ").strip()
            if r.kind == kind.strip().upper() and name == want:
                return r.ratio
        return None

    def to_json(self) -> dict[str, Any]:
        """``coverage --json``: the two dates' tests, the numerator build-up and the corrected ACPA."""
        return {
            "deal": self.deal,
            "convention": self.convention,
            "analysis_date": self.analysis_date.isoformat(),
            "first_payment_date": self.first_payment_date.isoformat(),
            "oc_numerator": self.numerator.to_json(),
            "adjusted_collateral_principal_amount": self.acpa.to_json(),
            "analysis_date_tests": [r.to_json() for r in self.analysis_date_rows],
            "first_payment_date_tests": [r.to_json() for r in self.first_payment_date_rows],
            "notices": list(self.notices),
            "warnings": list(self.warnings),
        }

    def to_pandas(self) -> Any:
        """Both dates' tests in one frame, with a ``basis`` column ("analysis date", "first payment date")."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        rows = [{"basis": "analysis date", **r.to_json()} for r in self.analysis_date_rows] + [
            {"basis": "first payment date", **r.to_json()} for r in self.first_payment_date_rows
        ]
        return records_frame(rows)


#: no defaults and no prepayments: what the collateral is scheduled to pay (the determination-date IC)
SCHEDULED = AssetAssumption(0.0, 0.0, 0.0, 0)


def legacy_numerator(model: CashflowModel) -> LegacyNumerator:
    """The engine's OC numerator on the analysis date's opening balances, with the CCC adjustment."""
    pool = model.pools([model.assumptions])[0]
    deal = model.structure
    performing = float(pool.performing[0])
    cash = deal.collection_principal
    ccc = ccc_adjustment(
        performing + cash, float(pool.ccc_opening[0]), performing, deal, model.conventions.ccc_whole_pool
    )
    return LegacyNumerator(
        performing, float(pool.mv_defaulted[0]), cash, ccc, deal.purchase_finance_accrued_interest
    )


def coverage_report(
    model: CashflowModel,
    acpa: Acpa,
    *,
    notices: tuple[str, ...] = (),
    engine_numerator: bool | None = None,
) -> CoverageReport:
    """Determination-date coverage: the engine's OC numerator (``engine_numerator``, by default under the
    legacy convention) or the ACPA; IC, denominators and triggers from the engine's first period with
    nothing defaulting or prepaying."""
    scheduled = model.run(
        CashflowAssumptions(SCHEDULED, legacy_vector_overrun=model.conventions.vector_overrun)
    )
    base = model.run()
    if not scheduled.periods or not base.periods:
        raise ValueError(f"{model.structure.name}: no payment date after the analysis date")
    strict = model.conventions.strict_trigger
    legacy = legacy_numerator(model)
    engine = model.conventions.legacy if engine_numerator is None else engine_numerator
    numerator: LegacyNumerator | Acpa = legacy if engine else acpa
    eod = legacy.performing_par + legacy.principal_cash
    eod += legacy.defaulted_market_value if engine else acpa.defaulted_value
    rows = determination_rows(
        scheduled.periods[0].tests, oc_numerator=numerator.amount, eod_numerator=eod, strict=strict
    )
    return CoverageReport(
        model.structure.name,
        model.convention_name,
        model.structure.dates.analysis_date,
        base.periods[0].payment_date,
        numerator,
        acpa,
        rows,
        projected_rows(base.periods[0].tests, strict=strict),
        notices=notices,
    )


@dataclass(frozen=True)
class GridResult:
    """A scenario grid's rows (see :func:`clo_xl.simulation.grid.grid_table`): the axes (``None`` = the
    run's own assumption), the Sub Notes IRR, and per class ``irr:``, ``wal:``, ``principal_loss:``,
    ``price:`` and ``cash:`` columns."""

    deal: str
    convention: str
    rows: tuple[dict[str, Any], ...]
    warnings: tuple[dict[str, str], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "deal": self.deal,
            "convention": self.convention,
            "grid": list(self.rows),
            "warnings": list(self.warnings),
        }

    def to_pandas(self) -> Any:
        """One row per scenario."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        return records_frame(self.rows)


def coverage_figures(report: CoverageReport) -> dict[str, Figure]:
    """Every published coverage figure by label (for the warnings)."""
    out: dict[str, Figure] = {}
    for basis, rows in (
        ("analysis date", report.analysis_date_rows),
        ("first payment date", report.first_payment_date_rows),
    ):
        for r in rows:
            out[f"{basis} {r.test} ratio"] = r.ratio
            out[f"{basis} {r.test} cushion"] = r.cushion
            out[f"{basis} {r.test} pass"] = r.passed
    return out


def collateral_figures(report: CollateralReport) -> dict[str, Figure]:
    """Every period's figures by label (for the warnings)."""
    out: dict[str, Figure] = {}
    for r in report.rows:
        for key, _ in COLUMNS[2:]:
            out[f"period {r.period} {key}"] = getattr(r, key)
    return out
