"""`clo-xl coverage`: each class's OC and IC on the determination date and as projected for the first
payment date, with trigger, cushion and pass, and the Adjusted Collateral Principal Amount."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.enums import Convention
from clo_xl.errors import IngestError, Location


def pct(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def cushion_text(row: Mapping[str, Any]) -> str:
    """``cushion 14,117,305 (3.72 pts)``: currency and ratio points above the trigger (negative = short)."""
    points = "" if row["cushion_pct"] is None else f" ({row['cushion_pct'] * 100:+.2f} pts)"
    return f"cushion {row['cushion']:,.0f}{points}"


def compliance_rows(doc: Mapping[str, Any]) -> list[list[object]]:
    """The class-by-class tests as rows of the compliance table (shown after test 38)."""
    return [
        [
            t["kind"],
            t["test"],
            "Min",
            pct(t["trigger"]),
            pct(t["ratio"]),
            "Pass" if t["pass"] else "FAIL",
            cushion_text(t),
        ]
        for t in doc.get("coverage_tests", ())
    ]


def _rows(tests: list[dict[str, Any]]) -> list[list[object]]:
    return [
        [
            t["test"],
            f"{t['numerator']:,.2f}",
            f"{t['denominator']:,.2f}",
            pct(t["ratio"], 3),
            pct(t["trigger"]),
            f"{t['cushion']:,.2f}",
            pct(t["cushion_pct"]),
            "Pass" if t["pass"] else "FAIL",
        ]
        for t in tests
    ]


def render(doc: dict[str, Any]) -> None:
    cols = ["Test", "Numerator", "Denominator", "Ratio", "Trigger", "Cushion", "Cushion (pts)", "Pass"]
    name = f"{doc['deal']} ({doc['convention']} convention)"
    console.print(
        table(
            f"{name} coverage tests on the analysis date {doc['analysis_date']}",
            cols,
            _rows(doc["analysis_date_tests"]),
        )
    )
    console.print(
        table(
            f"{name} projected for the first payment date {doc['first_payment_date']}",
            cols,
            _rows(doc["first_payment_date_tests"]),
        )
    )
    acpa = doc["adjusted_collateral_principal_amount"]
    parts = [
        ("Performing par", acpa["performing_par"]),
        ("Principal cash", acpa["principal_cash"]),
        ("Discount obligations haircut", -acpa["discount_obligation_haircut"]),
        (f"Caa/CCC excess haircut ({acpa['caa_ccc_excess_bucket']} bucket)", -acpa["caa_ccc_excess_haircut"]),
        ("Defaulted obligations carried at", acpa["defaulted_carrying_value"]),
        ("Adjusted Collateral Principal Amount", acpa["adjusted_collateral_principal_amount"]),
    ]
    console.print(
        table("Adjusted Collateral Principal Amount", ["", "Amount"], [[k, f"{v:,.2f}"] for k, v in parts])
    )
    if doc["convention"] == "legacy":
        n = doc["oc_numerator"]
        console.print(
            f"Legacy OC numerator (the cash-flow engine's): performing par {n['performing_par']:,.2f} + "
            f"defaulted at market value {n['defaulted_market_value']:,.2f} + principal cash "
            f"{n['principal_cash']:,.2f} − CCC adjustment {n['ccc_adjustment']:,.2f} "
            f"= {n['oc_numerator']:,.2f}"
        )
    for notice in doc.get("notices", ()):
        console.print(notice)
    print_warnings(doc)


def read_purchase_prices(path: Path) -> dict[str, float]:
    """BLKRockID → purchase price from a CSV (columns BLKRockID or BRS ID, and Purchase Price) or a JSON
    object; prices in points (97.5) or fractions (0.975)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        raw = json.loads(text)
        items = (
            raw.items()
            if isinstance(raw, dict)
            else ((r.get("BLKRockID"), r.get("Purchase Price")) for r in raw)
        )
        rows = [(str(k), v, i + 1) for i, (k, v) in enumerate(items)]
    else:
        reader = csv.DictReader(text.splitlines())
        rows = [
            (str(r.get("BLKRockID") or r.get("BRS ID") or "").strip(), r.get("Purchase Price"), i + 2)
            for i, r in enumerate(reader)
        ]
    prices: dict[str, float] = {}
    for key, value, row in rows:
        try:
            prices[key] = float(str(value))
        except ValueError:
            raise IngestError(
                Location(file=str(path), row=row, column="Purchase Price"), value, "not a number"
            ) from None
    return prices


def register(app: typer.Typer) -> None:
    @app.command("coverage")
    def coverage(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        assets: Path = _deal.ASSETS,
        deal_inputs: Path = _deal.DEAL_INPUTS,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        purchase_prices: Path = typer.Option(
            None,
            "--purchase-prices",
            help="CSV (BLKRockID, Purchase Price) or JSON of purchase prices: discount obligations count at "
            "their purchase price in the Adjusted Collateral Principal Amount.",
        ),
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Each class's OC and IC on the determination date and projected for the first payment date, with
        trigger, cushion (currency and points) and pass, and the Adjusted Collateral Principal Amount."""
        prices = read_purchase_prices(purchase_prices) if purchase_prices is not None else None
        s = _deal.session(workbook, deal, assets, deal_inputs, database_url, as_of, convention)
        doc = s.coverage(purchase_prices=prices).to_json()
        emit(doc, as_json=as_json, render=lambda: render(doc))
