"""`clo-xl compliance`: a deal's concentration, quality and coverage tests, optionally with hypothetical
trades (``--hypo``); `clo-xl hypo`: the Run Hypo button (the deal's Run Model trades unless a file is
given). The JSON documents are described in ``docs/cli.md``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, notice, print_warnings, table
from clo_xl.commands.coverage import compliance_rows as coverage_rows
from clo_xl.compliance.catalogue import TEST_JROC
from clo_xl.enums import Convention, HypoMode
from clo_xl.errors import UsageError

if TYPE_CHECKING:
    from clo_xl.api import DealSession


def format_result(test: int, value: Any) -> str:
    """A result as the catalogue says to show it: its unit and decimals (``data/compliance/tests.csv``)."""
    from clo_xl.compliance.catalogue import catalogue

    if value is None:
        return ""
    spec = catalogue().get(test)
    if spec is None or spec.unit == "percent":
        return f"{value * 100:.{spec.decimals if spec else 3}f}%"
    return f"{value:,.{spec.decimals}f}"


_fmt = format_result


def _verdict(passed: bool | None) -> str:
    return "" if passed is None else ("Pass" if passed else "FAIL")


def _render(doc: dict[str, Any], hypo: bool) -> None:
    if hypo:
        render_hypo(doc)
        return
    cols = ["#", "Test", "Min/Max", "Threshold", "Result", "Pass", "Comment"]
    rows = []
    for t in doc["tests"]:
        n = t["number"]
        rows.append(
            [n, t["name"], t["min_max"], _fmt(n, t["threshold"]), _fmt(n, t["result"]), _verdict(t["pass"]),
             t.get("comment") or t.get("pass_fail_comment") or ""]
        )  # fmt: skip
        if n == TEST_JROC:  # the class-by-class coverage tests beside the junior OC test, as a trustee report
            rows += coverage_rows(doc)
    console.print(table(_title(doc, "compliance"), cols, rows))
    console.print(f"Objective function: {doc['objective']:.2f}")
    print_warnings(doc)


def _title(doc: dict[str, Any], what: str) -> str:
    return (
        f"{doc['deal']} {what} on {doc['analysis_date']} ({doc['convention']} convention) — "
        f"Collateral Principal Amount {doc['collateral_principal_amount']:,.2f}"
    )


def _hypo_tests(doc: dict[str, Any], title: str) -> None:
    """Before and after each trade: threshold, result, pass; the after-trade threshold (dynamic thresholds
    move with the pool), the difference and the after-trade comment."""
    cols = ["#", "Test", "Threshold", "Result", "Pass", "Threshold after", "Hypo result", "Hypo pass",
            "Difference", "Hypo comment"]  # fmt: skip
    rows = []
    for t in doc["tests"]:
        n = t["number"]
        after = t.get("hypo_result")
        diff = None if after is None or t["result"] is None else after - t["result"]
        rows.append(
            [n, t["name"], _fmt(n, t["threshold"]), _fmt(n, t["result"]), _verdict(t["pass"]),
             _fmt(n, t.get("hypo_threshold")), _fmt(n, after), _verdict(t.get("hypo_pass")), _fmt(n, diff),
             t.get("hypo_comment") or t.get("hypo_pass_fail_comment") or ""]
        )  # fmt: skip
    console.print(table(title, cols, rows))
    console.print(
        f"Objective function: {doc['objective']:.2f}  →  after trades: {doc['hypo_objective']:.2f}; "
        f"principal cash after {doc['hypo_principal_cash']:,.2f}"
    )


def _given_price(t: dict[str, Any]) -> str:
    """The price as entered, with the unit it was read in (points above 1, a fraction of par at most 1)."""
    if not t["price"]:
        return "market value"
    return f"{t['price']:g} pts" if t["price"] > 1.0 else f"{t['price']:g} of par"


def _trades(doc: dict[str, Any], title: str) -> None:
    rows = [
        [t["brs_id"], t["transaction"] or "?", f"{t['par']:,.2f}", _given_price(t),
         f"{t['executed_par']:,.2f}", f"{t['executed_price'] * 100:.3f}%", f"{t['cash_change']:,.2f}",
         t["status"]]
        for t in doc["trades"]
    ]  # fmt: skip
    cols = ["BRS ID", "Buy/Sale", "Par", "Price given", "Executed par", "Price (% of par)", "Cash", "Status"]
    console.print(table(title, cols, rows))


def render_hypo(doc: dict[str, Any]) -> None:
    """Pool mode: one before/after table, the trades and their attributes; individual mode: every trade
    in its own block (its before/after table and its execution)."""
    if doc.get("mode") == HypoMode.INDIVIDUAL.value and doc.get("individual"):
        for i, block in enumerate(doc["individual"], start=1):
            label = f"trade {i} of {len(doc['individual'])}: {block['label']}"
            _hypo_tests(block, f"{_title(doc, 'hypothetical trade')} — {label}")
            _trades(block, f"Trade {i}")
    else:
        _hypo_tests(doc, _title(doc, "hypothetical trades (all together)"))
        _trades(doc, "Trades")
        attrs = doc.get("trade_attributes") or {}
        if attrs:
            names = list(next(iter(attrs.values())))
            rows = [[name, *(_attribute(name, attrs[side].get(name)) for side in attrs)] for name in names]
            console.print(table("Hypothetical trades' attributes", ["", *attrs], rows))
    for line in doc.get("notices") or ():
        console.print(line)
    print_warnings(doc)


def _attribute(name: str, value: float | None) -> str:
    if value is None:
        return "N/A"
    if name == "Par Amount":
        return f"{value:,.2f}"
    if name in ("Weighted Average Rating", "Weighted Average Life"):
        return f"{value:,.2f}"
    return f"{value * 100:.3f}%"


def hypo_document(session: DealSession, trades_file: Path | None, mode: HypoMode) -> dict[str, Any]:
    """The hypo document of ``trades_file`` (CSV/JSON), or of the deal's own Run Model trades."""
    if trades_file is not None:
        from clo_xl.ingest.extract import read_trades

        trades = read_trades(trades_file, deal=session.deal_inputs.deal)
        if not trades:
            raise UsageError(f"{trades_file}: no trades for {session.deal_inputs.deal}")
    else:
        trades = tuple(session.deal_inputs.trades)
        if not trades:
            raise UsageError(
                f"{session.deal}: no trades on Run Model J11:N39 for this deal; give --trades FILE "
                "(CSV/JSON: Deal, BRS ID, Transaction Buy/Sale, Par, Price)"
            )
    session.check_trades(trades)
    return session.hypo_document(trades, mode=mode)


TRADES_HELP = "Trades file (CSV/JSON: Deal, BRS ID, Transaction Buy/Sale, Par, Price)."
INDIVIDUAL_HELP = "Evaluate each trade on its own (Run Model N8 FALSE); default: all trades together."


def register(app: typer.Typer) -> None:
    @app.command("compliance")
    def compliance(
        deal: str = _deal.DEAL,
        workbook: Path = typer.Option(None, "--workbook", help="TradeHypo workbook (.xlsm/.xlsx) to read."),
        assets: Path = typer.Option(
            None,
            "--assets",
            help="Assets extract: JSON/CSV/XLSX with the All Assets headers and <DEAL>_Par_Amount.",
        ),
        deal_inputs: Path = typer.Option(
            None, "--deal-inputs", help="Deal-inputs JSON: the 'Mag N Inputs' sheet's values (docs/cli.md)."
        ),
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        hypo: Path = typer.Option(None, "--hypo", help=TRADES_HELP),
        individual: bool = typer.Option(False, "--individual", help="With --hypo: " + INDIVIDUAL_HELP),
        convention: Convention = typer.Option(
            Convention.LEGACY,
            "--convention",
            case_sensitive=False,
            help="legacy (reproduce the workbook, defects included) or corrected (as an indenture reads).",
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Run a deal's compliance tests in its threshold-table order; with --hypo, before/after trades.
        --deal alone reads the deal stored in the database (--as-of an earlier version).

        Failing tests are results (exit 0); bad input exits 2 naming the file, row/cell, column and value.
        """
        session = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        if hypo is not None:
            mode = HypoMode.INDIVIDUAL if individual else HypoMode.POOL
            doc = hypo_document(session, hypo, mode)
        else:
            if individual:
                notice("--individual has no effect without --hypo")
            doc = session.compliance_document()
        emit(doc, as_json=as_json, render=lambda: _render(doc, hypo is not None))

    @app.command("hypo")
    def hypo_command(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        trades: Path = typer.Option(None, "--trades", help=TRADES_HELP + " Default: the Run Model trades."),
        individual: bool = typer.Option(None, "--individual/--pool", help=INDIVIDUAL_HELP + " Default: N8."),
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Hypothetical trades before and after (the Run Hypo button): the deal's Run Model trades, or a
        trades file; pool mode (all together) or each trade on its own, as Run Model N8 says."""
        from clo_xl.run_model import run_model_settings

        session = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        pool_mode = run_model_settings(session).pool_mode if individual is None else not individual
        doc = hypo_document(session, trades, HypoMode.POOL if pool_mode else HypoMode.INDIVIDUAL)
        emit(doc, as_json=as_json, render=lambda: render_hypo(doc))
