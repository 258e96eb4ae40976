"""The cash-flow report: one run of a deal through its priority of payments, as a page section, a page
(``clo-xl cashflows --report x.html``) and a workbook (``x.xlsx``).

The page shows each class's outcome (IRR, WAL, durations, price at the discount margin, cash received),
the two plots of :mod:`.cashflow_plots`, the period table (the final redemption named as such, not as a
breach), and under them the legacy effects that changed a figure of this run. The workbook carries the
same tables with Excel number formats: Periods, Classes by period, Payments, Coverage tests, Summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from clo_xl.quirk_warnings import warning_lines
from clo_xl.report.cashflow_plots import (
    coverage_headroom_figure,
    currency,
    final_redemption_index,
    tranche_cashflow_figure,
)
from clo_xl.report.collateral_report import add_collateral_section, collateral_of, collateral_sheet
from clo_xl.report.formats import Column, Kind
from clo_xl.report.html import Page
from clo_xl.report.xlsx import SheetSpec, write_workbook

Document = Mapping[str, Any]

FINAL_REDEMPTION_NOTE = "final redemption (collateral liquidated, notes repaid)"


def _day(text: Any) -> date | None:
    return date.fromisoformat(str(text)[:10]) if text else None


def _money(title: str) -> Column:
    return Column(title, Kind.MONEY)


def period_status(doc: Document, index: int) -> str:
    """The failing tests of period ``index``, or the final redemption named as such."""
    if index == final_redemption_index(doc):
        return FINAL_REDEMPTION_NOTE
    failing = [t["name"] for t in doc["periods"][index]["tests"] if not t["pass"]]
    return ", ".join(failing)


def period_table(doc: Document) -> SheetSpec:
    columns = [
        Column("Period", Kind.INTEGER),
        Column("Payment date", Kind.DATE),
        _money("Interest proceeds"),
        _money("Principal proceeds"),
        _money("Liquidation proceeds"),
        _money("Diverted interest"),
        _money("Reinvested"),
        _money("Carried"),
        _money("To Sub Notes"),
        Column("Failing tests", width=40),
    ]
    rows = [
        [
            p.get("period", i + 1),
            _day(p["payment_date"]),
            p["interest_proceeds"],
            p["principal_proceeds"],
            p.get("liquidation_proceeds", 0.0),
            p.get("diverted_interest", 0.0),
            p["reinvested"],
            p["carried"],
            p["residual"],
            period_status(doc, i),
        ]
        for i, p in enumerate(doc["periods"])
    ]
    final = final_redemption_index(doc)
    styles = ["explained" if i == final else ("break" if r[-1] else None) for i, r in enumerate(rows)]
    return SheetSpec(columns, rows, row_styles=styles)


def class_period_table(doc: Document) -> SheetSpec:
    columns = [
        Column("Period", Kind.INTEGER),
        Column("Payment date", Kind.DATE),
        Column("Class"),
        _money("Beginning balance"),
        Column("Coupon", Kind.RATIO, decimals=4),
        _money("Interest paid"),
        _money("Principal paid"),
        _money("Deferred interest"),
        _money("Ending balance"),
    ]
    rows = [
        [
            p.get("period", i + 1),
            _day(p["payment_date"]),
            t["class"],
            t.get("beginning_balance"),
            t.get("coupon"),
            t.get("interest_paid"),
            t.get("principal_paid"),
            t.get("deferred_interest"),
            t.get("ending_balance"),
        ]
        for i, p in enumerate(doc["periods"])
        for t in p["tranches"]
    ]
    return SheetSpec(columns, rows)


def payments_table(doc: Document) -> SheetSpec:
    columns = [
        Column("Period", Kind.INTEGER),
        Column("Payment date", Kind.DATE),
        Column("Step", width=40),
        Column("Payee", width=24),
        Column("Source"),
        _money("Amount"),
    ]
    rows = [
        [p.get("period", i + 1), _day(p["payment_date"]), x["step"], x["payee"], x["source"], x["amount"]]
        for i, p in enumerate(doc["periods"])
        for x in p["payments"]
    ]
    return SheetSpec(columns, rows)


def tests_table(doc: Document) -> SheetSpec:
    columns = [
        Column("Period", Kind.INTEGER),
        Column("Payment date", Kind.DATE),
        Column("Test", width=24),
        Column("Kind"),
        Column("Ratio", Kind.RATIO),
        Column("Trigger", Kind.RATIO),
        Column("Pass", Kind.PASS_FAIL),
    ]
    final = final_redemption_index(doc)
    rows: list[list[Any]] = []
    styles: list[str | None] = []
    for i, p in enumerate(doc["periods"]):
        for t in p["tests"]:
            day = _day(p["payment_date"])
            rows.append(
                [
                    p.get("period", i + 1),
                    day,
                    t["name"],
                    t.get("kind"),
                    t.get("ratio"),
                    t.get("trigger"),
                    t["pass"],
                ]
            )
            styles.append("explained" if i == final else (None if t["pass"] else "break"))
    return SheetSpec(columns, rows, row_styles=styles)


def summary_table(doc: Document) -> SheetSpec:
    columns = [
        Column("Class"),
        Column("IRR", Kind.RATIO, decimals=2),
        Column("WAL (years)", Kind.NUMBER, decimals=2),
        Column("Macaulay duration", Kind.NUMBER, decimals=2),
        Column("Modified duration", Kind.NUMBER, decimals=2),
        Column("Price at DM (% of par)", Kind.RATIO, decimals=3),
        _money(f"Cash received ({currency(doc)})"),
        _money(f"Principal received ({currency(doc)})"),
    ]
    rows = [
        [
            t["class"],
            t.get("irr"),
            t.get("wal"),
            t.get("macaulay_duration"),
            t.get("modified_duration"),
            t.get("price_given_dm"),
            t.get("total_cash"),
            t.get("total_principal"),
        ]
        for t in doc.get("summary", {}).get("tranches", [])
    ]
    return SheetSpec(columns, rows)


def cashflow_sheets(doc: Document) -> dict[str, SheetSpec]:
    """The workbook tabs of one run (sheet name → table)."""
    notes = tuple(warning_lines(doc))
    summary = summary_table(doc)
    return {
        "Summary": SheetSpec(summary.columns, summary.rows, notes=notes),
        "Periods": period_table(doc),
        "Classes by period": class_period_table(doc),
        "Payments": payments_table(doc),
        "Coverage tests": tests_table(doc),
        **({"Collateral": collateral_sheet(collateral_of(doc))} if "collateral_report" in doc else {}),
    }


def add_cashflow_section(page: Page, doc: Document, *, title: str | None = None) -> Page:
    """The run as a section of ``page``: outcomes by class, plots, periods (folded), legacy effects."""
    ccy = currency(doc)
    page.heading(title or f"Cash flows, {doc['deal']}")
    page.paragraph(
        f"Waterfall {doc.get('waterfall', '')}, {doc.get('convention', 'legacy')} convention; money in "
        f"{ccy}, rates and IRRs as percent, WAL and durations in years."
    )
    summary = summary_table(doc)
    page.table(summary.columns, summary.rows, caption="Outcome by class")
    page.notes(warning_lines(doc), title="Legacy effects in these figures")
    page.figure(tranche_cashflow_figure(doc), f"{doc['deal']}: cash paid to each class")
    page.figure(coverage_headroom_figure(doc), f"{doc['deal']}: coverage-test headroom")
    periods = period_table(doc)

    def fill(inner: Page) -> None:
        inner.table(periods.columns, periods.rows, row_classes=list(periods.row_styles))

    page.details(f"Periods ({len(periods.rows)} payment dates)", fill)
    if "collateral_report" in doc:
        add_collateral_section(page, collateral_of(doc), title=f"Collateral, {doc['deal']}")
    return page


def write_cashflow_report(doc: Document, report: Path) -> list[Path]:
    """``report`` as ``x.html`` (or a folder) → the page and ``x.xlsx`` beside it."""
    html_path = report if report.suffix.lower() in {".html", ".htm"} else report / "cashflows.html"
    xlsx_path = html_path.with_suffix(".xlsx")
    page = Page(f"Cash flows: {doc['deal']}", subtitle=_subtitle(doc))
    add_cashflow_section(page, doc, title="Outcome")
    return [page.write(html_path), write_workbook(xlsx_path, cashflow_sheets(doc))]


def _subtitle(doc: Document) -> str:
    periods: Sequence[Mapping[str, Any]] = doc.get("periods", [])
    span = f"{periods[0]['payment_date']} to {periods[-1]['payment_date']}" if periods else "no periods"
    return f"{len(periods)} payment dates, {span}"


__all__ = [
    "FINAL_REDEMPTION_NOTE",
    "add_cashflow_section",
    "cashflow_sheets",
    "period_status",
    "write_cashflow_report",
]
