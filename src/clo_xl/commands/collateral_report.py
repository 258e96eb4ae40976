"""`clo-xl collateral-report`: what the collateral does period by period (par roll-forward)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal, _scenario
from clo_xl.commands._output import console, emit, print_warnings, table, wrote
from clo_xl.enums import Convention

#: the readable table's columns (JSON keys), money shown in whole currency units
SHOWN = (
    "beginning_par",
    "scheduled_amortisation",
    "prepayments",
    "defaults",
    "recoveries",
    "losses",
    "reinvestment_par",
    "sales_par",
    "ending_par",
    "principal_cash",
)


def render(doc: dict[str, Any]) -> None:
    labels = {c["key"]: c["label"] for c in doc["columns"]}
    rows = [[p["period"], p["payment_date"], *(f"{p[k]:,.0f}" for k in SHOWN)] for p in doc["periods"]]
    totals = doc["totals"]
    rows.append(["", "total", *(f"{totals[k]:,.0f}" if k in totals else "" for k in SHOWN)])
    title = f"{doc['deal']} collateral report ({doc['convention']} convention), money in deal currency"
    console.print(table(title, ["#", "Payment date", *(labels[k] for k in SHOWN)], rows))
    prices = sorted({p["reinvestment_price"] for p in doc["periods"] if p["reinvestment_par"] > 0})
    if prices:
        console.print(f"Reinvestment bought at {', '.join(f'{x * 100:.2f}%' for x in prices)} of par")
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("collateral-report")
    def collateral_report(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        cpr: float = _deal.CPR,
        cdr: float = _deal.CDR,
        severity: float = _deal.SEVERITY,
        lag: int = _deal.LAG,
        cpr_vector: str = _scenario.CPR_VECTOR,
        cdr_vector: str = _scenario.CDR_VECTOR,
        severity_vector: str = _scenario.SEVERITY_VECTOR,
        lag_vector: str = _scenario.LAG_VECTOR,
        vectors: Path = _scenario.VECTORS,
        cumulative_default: float = _scenario.CUMULATIVE_DEFAULT,
        default_timing: str = _scenario.DEFAULT_TIMING,
        recovery_timing: str = _scenario.RECOVERY_TIMING,
        call_date: str = _scenario.CALL_DATE,
        call_price: float = _scenario.CALL_PRICE,
        convention: Convention = _deal.CONVENTION,
        report: Path | None = typer.Option(
            None, "--report", help="Also write x.html (the table and a plot) and x.xlsx (tab Collateral)."
        ),
        as_json: bool = _deal.JSON,
    ) -> None:
        """The collateral per payment date: beginning par, amortisation, prepayments, defaults, recoveries,
        losses, reinvestment par and price, par sold, ending par and principal cash."""
        options = _deal.scenario_options(cpr, cdr, severity, lag)
        options = _scenario.merge(
            options,
            _scenario.scenario_shapes(
                cpr_vector,
                cdr_vector,
                severity_vector,
                lag_vector,
                vectors,
                cumulative_default,
                default_timing,
                recovery_timing,
                call_date,
                call_price,
            ),
        )
        s = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        doc = s.collateral_report(**options).to_json()
        written: list[Path] = []
        if report is not None:
            from clo_xl.report.collateral_report import write_collateral_report

            written = write_collateral_report(doc, report)
            doc["reports"] = [str(p) for p in written]
        emit(doc, as_json=as_json, render=lambda: render(doc))
        wrote(written)
