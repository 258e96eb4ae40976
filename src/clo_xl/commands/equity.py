"""`clo-xl equity`: Sub Notes cash-on-cash by period, the IRR of a purchase, and NAV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal, _scenario
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.enums import Convention
from clo_xl.errors import UsageError


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def render(doc: dict[str, Any]) -> None:
    rows = [
        [p["period"], p["payment_date"], f"{p['distribution']:,.2f}", _pct(p["cash_on_cash"]),
         _pct(p["cash_on_cash_annualised"]), f"{p['cumulative_distribution']:,.2f}"]
        for p in doc["periods"]
    ]  # fmt: skip
    title = (
        f"{doc['deal']} {doc['class']} ({doc['convention']} convention): bought {doc['purchase_date']} at "
        f"{doc['purchase_price'] * 100:.2f}% of {doc['par']:,.2f} par = {doc['investment']:,.2f}"
    )
    cols = ["#", "Payment date", "Distribution", "Cash-on-cash", "Annualised", "Cumulative"]
    console.print(table(title, cols, rows))
    nav = doc["nav"]
    multiple = "-" if doc["multiple"] is None else f"{doc['multiple']:.2f}x"
    console.print(f"IRR {_pct(doc['irr'])}; multiple {multiple} of the investment")
    console.print(
        f"NAV {nav['nav']:,.2f} ({_pct(nav['nav_price'])} of par) = collateral at market value "
        f"{nav['performing_market_value']:,.2f} + defaulted at market value "
        f"{nav['defaulted_market_value']:,.2f} + cash {nav['cash']:,.2f} − notes "
        f"{nav['notes_outstanding']:,.2f}"
    )
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("equity")
    def equity(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        purchase_date: str = typer.Option(
            None, "--purchase-date", help="Purchase date, YYYY-MM-DD (default: the analysis date)."
        ),
        purchase_price: float = typer.Option(
            None,
            "--purchase-price",
            help="Price in points (45.5) or of par (0.455). Default: the tranche table's.",
        ),
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
        as_json: bool = _deal.JSON,
    ) -> None:
        """Sub Notes: distributions and cash-on-cash by period, the IRR of a purchase at a date and price, and
        NAV from the collateral's market value."""
        from clo_xl.analytics.coverage import price_fraction

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
        when = None
        if purchase_date is not None:
            try:
                when = date.fromisoformat(purchase_date)
            except ValueError:
                raise UsageError(f"--purchase-date must be YYYY-MM-DD, got {purchase_date!r}") from None
        if purchase_price is not None and purchase_price <= 0:
            raise UsageError(f"--purchase-price must be positive, got {purchase_price}")
        price = None if purchase_price is None else price_fraction(purchase_price)
        s = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        doc = s.equity(purchase_date=when, purchase_price=price, **options).to_json()
        emit(doc, as_json=as_json, render=lambda: render(doc))
