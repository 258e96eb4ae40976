"""`clo-xl breakeven`: each class's break-even CDR and severity (bracketing and bisection to 1 bp)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal, _scenario
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.commands._progress import progress_bar
from clo_xl.enums import Convention


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _rate(value: object) -> str:
    return f"{value * 100:.2f}%" if isinstance(value, float) else str(value)


def render(doc: dict[str, Any]) -> None:
    """The break-even table, one line on the search, and the legacy effects under it."""
    a = doc["assumptions"]
    rows = [
        [
            c["class"],
            _pct(c["breakeven_cdr"]),
            _pct(c["breakeven_severity"]),
            c["iterations"],
            c["note"] or "",
        ]
        for c in doc["classes"]
    ]
    title = (
        f"{doc['deal']} break-evens ({doc['convention']} convention): CPR {_rate(a['cpr'])}, severity "
        f"{_rate(a['severity'])}, lag {a['lag_months']} months; severity break-even at CDR "
        f"{_rate(a['severity_at_cdr'])}; reinvestment {a['reinvestment']}"
    )
    columns = ["Class", "Break-even CDR", "Break-even severity", "Projections", "Note"]
    console.print(table(title, columns, rows))
    console.print(
        f"{doc['projections']} projections in {doc['rounds']} bisection rounds, each answer exact to 1 bp "
        "(annual CDR; severity as a share of defaulted par)"
    )
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("breakeven")
    def breakeven(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        cpr: float = _deal.CPR,
        severity: float = _deal.SEVERITY,
        lag: int = _deal.LAG,
        severity_at_cdr: float = typer.Option(
            None,
            "--severity-at-cdr",
            help="Constant CDR of the severity break-even (default: the run's CDR).",
        ),
        deal_reinvestment: bool = typer.Option(
            False,
            "--deal-reinvestment",
            help="Keep the deal's reinvestment CDR/severity (CFInputs) instead of stressing reinvested "
            "collateral like the rest.",
        ),
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
        as_json: bool = _deal.JSON,
    ) -> None:
        """Break-even CDR, and severity at a CDR, of every note class: the highest constant rate at which
        the class still receives all its interest and principal, by bracketing and bisection to 1 bp."""
        options = _deal.scenario_options(cpr, None, severity, lag)
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
        _deal.check_rates(severity_at_cdr=severity_at_cdr)
        with progress_bar(as_json=as_json) as progress:
            progress("reading the deal", 0.0)
            s = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
            result = s.breakeven(
                severity_at_cdr=severity_at_cdr,
                stress_reinvestment=not deal_reinvestment,
                progress=progress,
                **options,
            )
        doc = result.to_json()
        emit(doc, as_json=as_json, render=lambda: render(doc))
