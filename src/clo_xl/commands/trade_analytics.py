"""`clo-xl trade-analytics`: what a hypothetical trade list or a rebalancing does to par, to each coverage
cushion and to the post-reinvestment-period criteria."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.enums import Convention
from clo_xl.errors import UsageError


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.3f}%"


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _value(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name == "WAS" or name.endswith(" OC"):
        return _pct(value)
    return f"{value:,.2f}"


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def render(doc: dict[str, Any]) -> None:
    trades = [
        [t["brs_id"], t["side"], _money(t["par"]), f"{t['price'] * 100:.3f}",
         f"{t['market_value'] * 100:.3f}", _money(t["par_build"]), _money(t["gain_loss_vs_mark"]),
         _money(t["gain_loss_vs_cost"])]
        for t in doc["trades"]
    ]  # fmt: skip
    cols = ["BRS ID", "Side", "Par", "Price", "Mark", "Par build (burn)", "Gain/loss vs mark", "vs cost"]
    console.print(table(f"{doc['deal']} {doc['source']} ({doc['convention']} convention)", cols, trades))
    par, cash = doc["collateral_par"], doc["principal_cash"]
    console.print(
        f"Par build (burn) {_money(doc['par_build'])}; collateral par {_money(par['before'])} → "
        f"{_money(par['after'])}; principal cash {_money(cash['before'])} → {_money(cash['after'])}"
    )
    cushions = [
        [c["test"], _pct(c["ratio_before"]), _pct(c["ratio_after"]), _money(c["cushion_before"]),
         _money(c["cushion_after"]), _money(c["cushion_change"]), "Pass" if c["pass_after"] else "FAIL"]
        for c in doc["cushions"]
    ]  # fmt: skip
    cols = ["Test", "Ratio before", "Ratio after", "Cushion before", "Cushion after", "Change", "After"]
    console.print(table("Coverage cushions on the determination date", cols, cushions))
    rc = doc["reinvestment_criteria"]
    when = (
        "apply"
        if rc["apply"]
        else f"apply after the reinvestment period ends {rc['reinvestment_period_end']}"
    )
    crit = [
        [c["name"], c["better"], _value(c["name"], c["before"]), _value(c["name"], c["after"]),
         _value(c["name"], c["threshold"]), _yes(c["passes_after"]), _yes(c["maintained_or_improved"]),
         "holds" if c["holds"] else "FAILS"]
        for c in rc["criteria"]
    ]  # fmt: skip
    cols = ["Criterion", "Better", "Before", "After", "Threshold", "Passes", "Maintained/improved", ""]
    console.print(table(f"Maintain-or-improve criteria (these {when})", cols, crit))
    for notice in doc.get("notices", ()):
        console.print(notice)
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("trade-analytics")
    def trade_analytics(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        trades: Path = typer.Option(
            None,
            "--trades",
            help="Trades file (CSV/JSON: Deal, BRS ID, Transaction Buy/Sale, Par, Price); default: the "
            "deal's Run Model trades.",
        ),
        rebalance: bool = typer.Option(False, "--rebalance", help="Analyse a rebalancing instead of trades."),
        sale_target: float = typer.Option(0.0, "--sale-target", help="Rebalancing: par to sell."),
        buy_target: float = typer.Option(0.0, "--buy-target", help="Rebalancing: par to buy."),
        step: float = typer.Option(750_000.0, "--step", help="Rebalancing: par per trade."),
        purchase_prices: Path = typer.Option(
            None, "--purchase-prices", help="CSV/JSON of purchase prices: discount obligations, gain vs cost."
        ),
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Par build or burn, trading gain or loss, each coverage cushion before and after, and whether WARF,
        WAS, diversity and OC are maintained or improved, for a trade list or a rebalancing."""
        from clo_xl.commands.coverage import read_purchase_prices
        from clo_xl.ingest.extract import read_trades

        if rebalance and trades is not None:
            raise UsageError("give --trades or --rebalance, not both")
        if rebalance and sale_target <= 0 and buy_target <= 0:
            raise UsageError("--rebalance needs --sale-target or --buy-target (par, e.g. 5000000)")
        if step <= 0:
            raise UsageError(f"--step must be positive par, got {step}")
        prices = read_purchase_prices(purchase_prices) if purchase_prices is not None else None
        s = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        if rebalance:
            result = s.rebalance(step=step, sale_target=sale_target, buy_target=buy_target)
            analytics = s.trade_analytics(rebalancing=result, purchase_prices=prices)
        else:
            chosen = None if trades is None else read_trades(trades, deal=s.deal)
            if chosen is not None:
                s.check_trades(chosen)
            analytics = s.trade_analytics(chosen, purchase_prices=prices)
        doc = analytics.to_json()
        emit(doc, as_json=as_json, render=lambda: render(doc))
