"""`clo-xl breakeven`: each class's break-even CDR and severity (bisection to 1 bp)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.analytics.service import breakeven_document
from clo_xl.commands._output import console, emit, table
from clo_xl.commands.cashflows import _load_inputs
from clo_xl.errors import UsageError


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _render(doc: dict[str, Any]) -> None:
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
        f"{doc['deal']} break-evens ({doc['convention']} convention): CPR {a['cpr']}, "
        f"severity {a['severity']}, lag {a['lag_months']} months; "
        f"severity break-even at CDR {a['severity_at_cdr']}"
    )
    console.print(
        table(title, ["class", "break-even CDR", "break-even severity", "projections", "note"], rows)
    )
    console.print(
        f"{doc['projections']} projections in {doc['rounds']} bisection rounds, to 1 bp "
        f"(CDR and severity annual decimals shown as percent)"
    )
    for w in doc.get("warnings", []):
        console.print(f"⚠ {w['quirk']} — {w['affects']}: {w['message']}")


def register(app: typer.Typer) -> None:
    @app.command("breakeven")
    def breakeven(
        workbook: Path = typer.Option(None, "--workbook", help="Workbook (.xlsm) to read."),
        deal: str = typer.Option(None, "--deal", help='Deal name, e.g. "Mag 17".'),
        assets: Path = typer.Option(None, "--assets", help="Assets extract (JSON/CSV/XLSX)."),
        deal_inputs: Path = typer.Option(None, "--deal-inputs", help="Deal-inputs JSON."),
        cpr: float = typer.Option(None, "--cpr", help="Annual CPR, decimal. Default: the run's (workbook)."),
        severity: float = typer.Option(
            None, "--severity", help="Loss severity, decimal. Default: the run's."
        ),
        lag: int = typer.Option(None, "--lag", help="Recovery lag in months. Default: the run's."),
        severity_at_cdr: float = typer.Option(
            None,
            "--severity-at-cdr",
            help="Constant CDR for the severity break-even (default: the run's CDR).",
        ),
        reinvestment: str = typer.Option(
            "stressed",
            "--reinvestment",
            help="stressed: reinvested collateral takes the stressed CDR/severity; deal: its CFInputs rates.",
        ),
        convention: str = typer.Option("legacy", "--convention", help="legacy or corrected."),
        index: str = typer.Option("LIBOR", "--index", help="LIBOR, or SOFR."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Break-even CDR (and severity at a CDR) of every note class: the highest rate at which the class
        still receives all its interest and principal, by bracketing and bisection to 1 bp."""
        for label, v in (("--cpr", cpr), ("--severity", severity), ("--severity-at-cdr", severity_at_cdr)):
            if v is not None and not 0.0 <= v <= 1.0:
                raise UsageError(f"{label} must be a decimal between 0 and 1, got {v}")
        if reinvestment not in ("stressed", "deal"):
            raise UsageError(f"--reinvestment must be 'stressed' or 'deal', got {reinvestment!r}")
        if convention not in ("legacy", "corrected"):
            raise UsageError(f"--convention must be 'legacy' or 'corrected', got {convention!r}")
        doc = breakeven_document(
            _load_inputs(workbook, deal, assets, deal_inputs),
            deal=deal,
            cpr=cpr,
            severity=severity,
            lag=lag,
            severity_at_cdr=severity_at_cdr,
            stress_reinvestment=reinvestment == "stressed",
            convention=convention,
            index=index,
        )
        emit(doc, as_json=as_json, render=lambda: _render(doc))
