"""The collateral report (``clo-xl collateral-report --json``) as a page section with a plot, an XLSX tab
and a page of its own (``clo-xl collateral-report --report x.html`` writes ``x.html`` and ``x.xlsx``).

Input is the document (:meth:`clo_xl.analytics.service.CollateralReport.to_json`), so a saved run can be
shown later. Money in the deal's currency (millions on the plot's axis), the reinvestment price as a
percent of par, dates as dates; the period in which the collateral is sold is marked as the final
redemption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from clo_xl.quirk_warnings import warning_lines
from clo_xl.report.cashflow_plots import FINAL_COLOUR, FINAL_REDEMPTION_LABEL, currency
from clo_xl.report.formats import Column, Kind
from clo_xl.report.html import Page
from clo_xl.report.xlsx import SheetSpec, write_workbook

Document = Mapping[str, Any]

#: the document's keys and how each column shows (money unless said otherwise)
KINDS: dict[str, Kind] = {"period": Kind.INTEGER, "payment_date": Kind.DATE, "reinvestment_price": Kind.RATIO}


def collateral_of(cashflows: Document) -> Document:
    """The collateral report a ``cashflows`` document carries (``collateral_report``), as its own document
    (its legacy effects are the run's)."""
    return {
        **cashflows["collateral_report"],
        "deal": cashflows["deal"],
        "convention": cashflows.get("convention", "legacy"),
        "warnings": cashflows.get("warnings", []),
    }


def _final(doc: Document) -> int | None:
    """The period the collateral is sold in (the final redemption), if any."""
    for i, p in enumerate(doc.get("periods", ())):
        if float(p.get("sales_par") or 0.0) > 0.0:
            return i
    return None


def collateral_sheet(doc: Document) -> SheetSpec:
    """The report as one table: a row per period, then the totals; legacy effects under it."""
    columns = [Column(c["label"], KINDS.get(c["key"], Kind.MONEY)) for c in doc["columns"]]
    keys = [c["key"] for c in doc["columns"]]
    rows: list[list[Any]] = [
        [date.fromisoformat(p[k]) if k == "payment_date" else p[k] for k in keys] for p in doc["periods"]
    ]
    totals = doc.get("totals", {})
    rows.append([None, None, *(totals.get(k) for k in keys[2:])])
    final = _final(doc)
    styles = ["explained" if i == final else None for i in range(len(rows))]
    return SheetSpec(columns, rows, row_styles=styles, notes=tuple(warning_lines(doc)))


def collateral_figure(doc: Document) -> Figure:
    """Per payment date: beginning par (line) and what moved it (bars: amortisation, prepayments and
    defaults down; reinvestment up), in millions of the deal's currency."""
    fig = Figure(figsize=(10.0, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    periods = list(doc["periods"])
    x = list(range(len(periods)))
    down = [("scheduled_amortisation", "Scheduled amortisation"), ("prepayments", "Prepayments"),
            ("defaults", "Defaults")]  # fmt: skip
    bottom = [0.0] * len(periods)
    for key, label in down:
        values = [-float(p[key]) / 1e6 for p in periods]
        ax.bar(x, values, bottom=bottom, label=label, width=0.85)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.bar(x, [float(p["reinvestment_par"]) / 1e6 for p in periods], label="Reinvestment par", width=0.85)
    ax.plot(x, [float(p["beginning_par"]) / 1e6 for p in periods], color="black", label="Beginning par")
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_title(f"{doc['deal']}: collateral par by period ({doc.get('convention', 'legacy')} convention)")
    ax.set_ylabel(f"Par ({currency(doc)} millions)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    step = max(1, len(periods) // 12)
    ax.set_xticks(
        x[::step], [str(periods[i]["payment_date"])[:7] for i in x[::step]], rotation=45, ha="right"
    )
    ax.set_xlabel("Payment date")
    final = _final(doc)
    if final is not None:
        ax.axvline(final, color=FINAL_COLOUR, linestyle="--", linewidth=1.0)
        ax.annotate(FINAL_REDEMPTION_LABEL, xy=(final, 0.97), xycoords=("data", "axes fraction"),
                    xytext=(-4, 0), textcoords="offset points", ha="right", va="top", fontsize="small",
                    color=FINAL_COLOUR)  # fmt: skip
    ax.legend(fontsize="small", loc="center right")
    fig.tight_layout()
    return fig


def add_collateral_section(page: Page, doc: Document, *, title: str | None = None) -> Page:
    """The report as a section of ``page``: the plot, the period table (folded), the legacy effects."""
    page.heading(title or f"Collateral, {doc['deal']}")
    page.paragraph(
        f"Per payment date, original and reinvestment collateral together; money in {currency(doc)}. "
        "Beginning par + reinvestment par − amortisation − prepayments − defaults − par sold = ending par."
    )
    page.figure(collateral_figure(doc), f"{doc['deal']}: collateral par by period")
    sheet = collateral_sheet(doc)

    def fill(inner: Page) -> None:
        inner.table(sheet.columns, sheet.rows, row_classes=list(sheet.row_styles))

    page.details(f"Periods ({len(doc['periods'])} payment dates)", fill)
    page.notes(warning_lines(doc), title="Legacy effects in these figures")
    return page


def write_collateral_report(doc: Document, report: Path) -> list[Path]:
    """``report`` as ``x.html`` (or a folder) → the page and ``x.xlsx`` (tab "Collateral") beside it."""
    html_path = report if report.suffix.lower() in {".html", ".htm"} else report / "collateral.html"
    periods: Sequence[Mapping[str, Any]] = doc.get("periods", [])
    span = f"{periods[0]['payment_date']} to {periods[-1]['payment_date']}" if periods else "no periods"
    page = Page(f"Collateral report: {doc['deal']}", subtitle=f"{len(periods)} payment dates, {span}")
    add_collateral_section(page, doc, title="Collateral by period")
    return [
        page.write(html_path),
        write_workbook(html_path.with_suffix(".xlsx"), {"Collateral": collateral_sheet(doc)}),
    ]


__all__ = [
    "add_collateral_section",
    "collateral_figure",
    "collateral_of",
    "collateral_sheet",
    "write_collateral_report",
]
