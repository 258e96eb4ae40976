"""`clo-xl rebalance`: the Run Rebalancing button without Excel (COMPLIANCE_SPEC §5.4): sell down to the
sale target and buy up to the buy target at market value, with the before/after tests, every lot, the lots
per asset and the par built or burnt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.commands.compliance import format_result
from clo_xl.commands.rankings import (
    ALLOW_INCREASE,
    BUY_FILTER,
    LIQUIDATION_PRICE,
    SALE_FILTER,
    STEP,
    checked_liquidation,
)
from clo_xl.enums import Convention


def _fmt(test: int, value: Any) -> str:
    return format_result(test, value)


def _verdict(passed: bool | None) -> str:
    return "" if passed is None else ("Pass" if passed else "FAIL")


def render(doc: dict[str, Any]) -> None:
    rows = [
        [t["number"], t["name"], _fmt(t["number"], t["threshold"]), _fmt(t["number"], t["result"]),
         _verdict(t["pass"]), _fmt(t["number"], t["after_threshold"]), _fmt(t["number"], t["after_result"]),
         _verdict(t["after_pass"])]
        for t in doc["tests"]
    ]  # fmt: skip
    title = f"{doc['deal']} rebalancing ({doc['convention']} convention): tests before and after"
    cols = ["#", "Test", "Threshold", "Before", "Pass", "Threshold after", "After", "Pass after"]
    console.print(table(title, cols, rows))
    console.print(f"Objective function: {doc['objective']:.2f}  →  after: {doc['after_objective']:.2f}")
    for side, label in (("purchases_by_asset", "Assets purchased"), ("sales_by_asset", "Assets sold")):
        lots = doc[side]
        body = [
            [a["brs_id"], a.get("issuer_name") or "", a["lots"], f"{a['par']:,.2f}",
             f"{a['price'] * 100:.3f}", f"{a['cash']:,.2f}", f"{a['par_build']:,.2f}"]
            for a in lots
        ]  # fmt: skip
        par = sum(a["par"] for a in lots)
        cols = ["BRS ID", "Issuer", "Lots", "Par", "Price", "Cash", "Par build (+) / burn (−)"]
        console.print(table(f"{label}: {len(lots)} assets, {par:,.2f} par", cols, body))
    console.print(
        f"Par built (+) or burnt (−) by all trades: {doc['par_build']:,.2f}; principal cash after "
        f"{doc['after_principal_cash']:,.2f}; liquidation price for assets maturing after the deal "
        f"{doc['liquidation_price'] * 100:.2f}%"
    )
    for message in doc["messages"]:
        console.print(message)
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("rebalance")
    def rebalance(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        step: float = STEP,
        sale_target: float = typer.Option(None, "--sale-target", help="Par to sell (Run Model E11)."),
        buy_target: float = typer.Option(None, "--buy-target", help="Par to buy (Run Model E12)."),
        buy_filter: str = BUY_FILTER,
        sale_filter: str = SALE_FILTER,
        allow_increase: bool = ALLOW_INCREASE,
        liquidation_price: float = LIQUIDATION_PRICE,
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Rebalance the deal towards the sale and buy targets one step at a time (the Run Rebalancing
        button), trading at market value. Settings default to the deal's Run Model."""
        from clo_xl.errors import UsageError
        from clo_xl.run_model import rebalance_document, run_model_settings

        for label, value in (("--step", step), ("--sale-target", sale_target), ("--buy-target", buy_target)):
            if value is not None and value < 0:
                raise UsageError(f"{label} must be a par amount >= 0, got {value}")
        session = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        settings = run_model_settings(session).with_(
            step=step, sale_target=sale_target, buy_target=buy_target, buy_filter=buy_filter,
            sale_filter=sale_filter, allow_increase=allow_increase,
        )  # fmt: skip
        if settings.step <= 0:
            raise UsageError(f"--step must be a par amount > 0, got {settings.step}")
        doc = rebalance_document(session, settings, liquidation=checked_liquidation(liquidation_price))
        emit(doc, as_json=as_json, render=lambda: render(doc))
