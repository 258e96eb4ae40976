"""`clo-xl compliance`: a deal's concentration, quality and coverage tests, optionally with hypothetical
trades (``--hypo``). The JSON document is described in ``docs/cli.md``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.commands.coverage import compliance_rows as coverage_rows
from clo_xl.compliance.catalogue import TEST_JROC
from clo_xl.enums import Convention, HypoMode
from clo_xl.errors import UsageError


def _fmt(test: int, value: Any) -> str:
    """A result as the catalogue says to show it: its unit and decimals (``data/compliance/tests.csv``)."""
    from clo_xl.compliance.catalogue import catalogue

    if value is None:
        return ""
    spec = catalogue().get(test)
    if spec is None or spec.unit == "percent":
        return f"{value * 100:.{spec.decimals if spec else 3}f}%"
    return f"{value:,.{spec.decimals}f}"


def _render(doc: dict[str, Any], hypo: bool) -> None:
    cols = ["#", "Test", "Min/Max", "Threshold", "Result", "Pass", "Comment"]
    if hypo:
        cols += ["Hypo result", "Hypo pass"]
    rows = []
    for t in doc["tests"]:
        n = t["number"]
        row = [
            n,
            t["name"],
            t["min_max"],
            _fmt(n, t["threshold"]),
            _fmt(n, t["result"]),
            "Pass" if t["pass"] else "FAIL",
            t.get("comment") or t.get("pass_fail_comment") or "",
        ]
        if hypo:
            row += [
                _fmt(n, t.get("hypo_result")),
                "" if t.get("hypo_pass") is None else ("Pass" if t["hypo_pass"] else "FAIL"),
            ]
        rows.append(row)
        if n == TEST_JROC:  # the class-by-class coverage tests beside the junior OC test, as a trustee report
            rows += [[*r, "", ""] if hypo else r for r in coverage_rows(doc)]
    title = (
        f"{doc['deal']} compliance on {doc['analysis_date']} ({doc['convention']} convention) — "
        f"Collateral Principal Amount {doc['collateral_principal_amount']:,.2f}"
    )
    console.print(table(title, cols, rows))
    line = f"Objective function: {doc['objective']:.2f}"
    if hypo:
        line += f"  →  after trades: {doc['hypo_objective']:.2f}"
    console.print(line)
    if hypo:
        trade_rows = [
            [
                t["brs_id"],
                t["transaction"] or "?",
                f"{t['par']:,.2f}",
                f"{t['executed_par']:,.2f}",
                t["status"],
            ]
            for t in doc["trades"]
        ]
        console.print(table("Trades", ["BRS ID", "Buy/Sale", "Par", "Executed par", "Status"], trade_rows))
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("compliance")
    def compliance(
        workbook: Path = typer.Option(None, "--workbook", help="TradeHypo workbook (.xlsm/.xlsx) to read."),
        deal: str = typer.Option(None, "--deal", help='Deal name with --workbook, e.g. "Mag 17".'),
        assets: Path = typer.Option(
            None,
            "--assets",
            help="Assets extract: JSON/CSV/XLSX with the All Assets headers and <DEAL>_Par_Amount.",
        ),
        deal_inputs: Path = typer.Option(
            None, "--deal-inputs", help="Deal-inputs JSON: the 'Mag N Inputs' sheet's values (docs/cli.md)."
        ),
        hypo: Path = typer.Option(
            None, "--hypo", help="Trades file (CSV/JSON: Deal, BRS ID, Transaction Buy/Sale, Par, Price)."
        ),
        individual: bool = typer.Option(
            False,
            "--individual",
            help="With --hypo: evaluate each trade on its own (legacy pool mode FALSE).",
        ),
        convention: Convention = typer.Option(
            Convention.LEGACY,
            "--convention",
            case_sensitive=False,
            help="legacy (reproduce the workbook, defects included) or corrected (as an indenture reads).",
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Run a deal's compliance tests in its threshold-table order; with --hypo, before/after trades.

        Failing tests are results (exit 0); bad input exits 2 naming the file, row/cell, column and value.
        """
        from clo_xl.api import load_session

        session = load_session(
            workbook=workbook, deal=deal, assets=assets, deal_inputs=deal_inputs, convention=convention
        )
        if hypo is not None:
            from clo_xl.ingest.extract import read_trades

            trades = read_trades(hypo, deal=session.deal_inputs.deal)
            if not trades:
                raise UsageError(f"{hypo}: no trades for {session.deal_inputs.deal}")
            session.check_trades(trades)
            mode = HypoMode.INDIVIDUAL if individual else HypoMode.POOL
            doc = session.hypo_document(trades, mode=mode)
        else:
            doc = session.compliance_document()
        emit(doc, as_json=as_json, render=lambda: _render(doc, hypo is not None))
