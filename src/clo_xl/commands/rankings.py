"""`clo-xl rankings`: the Run Rankings button without Excel (COMPLIANCE_SPEC §5.3): buy or sale candidates
ranked by the asset-level objective, with the deal's Run Model settings unless options override them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.enums import Convention, TransactionType


class Side(StrEnum):
    """``--side``: which candidates to rank."""

    BUY = "buy"
    SALE = "sale"


STEP = typer.Option(None, "--step", help="Par per candidate (Run Model E8; default 750,000).")
BUY_FILTER = typer.Option(
    None,
    "--buy-filter",
    help='Buy filter text, e.g. "Moody\'s Rating WARF<=B3 and Market Value>=95" (D15:I20).',
)
SALE_FILTER = typer.Option(None, "--sale-filter", help="Sale filter text, e.g. 'Market Value<97' (D23:I28).")
ALLOW_INCREASE = typer.Option(
    None, "--allow-increase/--no-allow-increase", help="Buy more of assets the deal holds (Run Model E9)."
)
LIQUIDATION_PRICE = typer.Option(
    None,
    "--liquidation-price",
    help="Corrected scores: what par of an asset maturing after the deal's stated maturity fetches when "
    "the deal is liquidated (decimal, 0.95 = 95%). Default: the deal sheet's CFInputs 'Liquidation Price'.",
)


def checked_liquidation(value: float | None) -> float | None:
    """``--liquidation-price`` is a decimal of par (0.70 = 70 %); a value outside (0, 2] is refused rather
    than read as, say, 70 times par."""
    from clo_xl.errors import UsageError

    if value is not None and not 0.0 < value <= 2.0:
        hint = f": for {value:g} % enter {value / 100:g}" if value > 2.0 else ""
        raise UsageError(f"--liquidation-price is a decimal of par (0.70 = 70 %), got {value:g}{hint}")
    return value


def _pct(value: Any, decimals: int = 3) -> str:
    return "" if value is None else f"{value * 100:.{decimals}f}%"


def render(doc: dict[str, Any]) -> None:
    side = "purchase" if doc["side"] == "Buy" else "sale"
    title = (
        f"{doc['deal']} assets to {side} ({doc['convention']} convention): {len(doc['candidates'])} "
        f"candidates at {doc['step']:,.0f} par each; filter "
        f"{(doc['buy_filter'] if doc['side'] == 'Buy' else doc['sale_filter']) or 'none'}"
    )
    rows = [
        [c["rank"], f"{c['objective']:.4f}", c["brs_id"], c["issue_name"], f"{c['market_value']:.3f}",
         c["moodys_rating"], c["sp_rating"], _pct(c["coupon"]), _pct(c["spread"]), _pct(c["libor_floor"]),
         f"{c['wal']:.2f}", _pct(c["recovery_rate"], 1)]
        for c in doc["candidates"]
    ]  # fmt: skip
    cols = ["#", "Objective", "BRS ID", "Issuer", "Market value", "Moody's", "S&P", "Coupon", "Spread",
            "LIBOR floor", "WAL", "Recovery"]  # fmt: skip
    console.print(table(title, cols, rows))
    if doc["message"]:
        console.print(doc["message"])
    weights = ", ".join(f"test {k}: {v:g}" for k, v in doc["weights"].items() if v) or "none"
    console.print(f"Objective weights {weights}; portfolio objective {doc['objective']:.2f}")
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("rankings")
    def rankings(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        side: Side = typer.Option(
            None, "--side", case_sensitive=False, help="buy or sale candidates (Run Model E10; default buy)."
        ),
        step: float = STEP,
        buy_filter: str = BUY_FILTER,
        sale_filter: str = SALE_FILTER,
        allow_increase: bool = ALLOW_INCREASE,
        liquidation_price: float = LIQUIDATION_PRICE,
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Rank buy or sale candidates by the asset-level objective (the Run Rankings button): buys best
        first, sales worst first. Settings default to the deal's Run Model (workbook or database)."""
        from clo_xl.run_model import rankings_document, run_model_settings

        session = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        chosen = (
            None if side is None else (TransactionType.SALE if side is Side.SALE else TransactionType.BUY)
        )
        settings = run_model_settings(session).with_(
            side=chosen,
            step=step,
            buy_filter=buy_filter,
            sale_filter=sale_filter,
            allow_increase=allow_increase,
        )
        doc = rankings_document(session, settings, liquidation=checked_liquidation(liquidation_price))
        emit(doc, as_json=as_json, render=lambda: render(doc))
