"""Plots of a cash-flow run for the HTML report: tranche cash flows and coverage-test headroom.

Input is the ``clo-xl cashflows --json`` document, so a saved run can be plotted later. Figures are built
on matplotlib's object API with the Agg backend (no pyplot global state, no display); :func:`to_png` /
:func:`to_svg` give bytes / text and :func:`inline_html` an embeddable fragment.

Units are on the axes: cash in millions of the deal's currency (``doc["currency"]``, USD when the document
does not say), headroom as ratio − trigger in percentage points (negative = failing), dates on the x axis.
The final redemption (the payment date on which the collateral is liquidated and the notes repaid) is
marked as such: its coverage ratios measure a pool that no longer exists, so they are not plotted as a
breach.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

Document = Mapping[str, Any]

#: the headroom plot's y-axis shows at most this many percentage points either side of the triggers
HEADROOM_AXIS_LIMIT_PP = 60.0
FINAL_REDEMPTION_LABEL = "final redemption"
FINAL_COLOUR = "#6e7781"


def currency(doc: Document) -> str:
    """The deal's currency code (USD unless the document names another)."""
    return str(doc.get("currency") or "USD")


def final_redemption_index(doc: Document) -> int | None:
    """Index of the final redemption period: the first payment date with liquidation proceeds (the
    collateral sold at maturity or on a call), else the last period; ``None`` for an empty run."""
    periods = list(doc.get("periods", []))
    if not periods:
        return None
    for i, p in enumerate(periods):
        if float(p.get("liquidation_proceeds") or 0.0) > 0.0:
            return i
    return len(periods) - 1


def _date_ticks(ax: Any, periods: list[Mapping[str, Any]]) -> None:
    step = max(1, len(periods) // 12)
    ticks = list(range(len(periods)))[::step]
    ax.set_xticks(ticks, [str(periods[i]["payment_date"])[:7] for i in ticks], rotation=45, ha="right")
    ax.set_xlabel("Payment date")


def _mark_final(ax: Any, index: int | None, *, text_y: float = 0.97) -> None:
    if index is None:
        return
    ax.axvline(index, color=FINAL_COLOUR, linestyle="--", linewidth=1.0)
    ax.annotate(
        FINAL_REDEMPTION_LABEL,
        xy=(index, text_y),
        xycoords=("data", "axes fraction"),
        xytext=(-4, 0),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize="small",
        color=FINAL_COLOUR,
    )


def tranche_cashflow_figure(doc: Document, *, width: float = 10.0, height: float = 4.5) -> Figure:
    """Stacked bars per payment date: each class's interest + principal received (Sub Notes included)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    periods = list(doc["periods"])
    x = list(range(len(periods)))
    names: list[str] = []
    for p in periods:
        for t in p["tranches"]:
            if t["class"] not in names:
                names.append(t["class"])
    bottom = [0.0] * len(periods)
    for name in names:
        values = []
        for p in periods:
            if name == "Sub Notes":
                v = sum(x_["amount"] for x_ in p["payments"] if x_["payee"] == name)
            else:
                row = next((t for t in p["tranches"] if t["class"] == name), None)
                v = 0.0 if row is None else row["interest_paid"] + row["principal_paid"]
            values.append(v / 1e6)
        ax.bar(x, values, bottom=bottom, label=name, width=0.85)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(f"{doc['deal']}: cash paid to each class (waterfall {doc.get('waterfall', '')})")
    ax.set_ylabel(f"Cash paid ({currency(doc)} millions)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    _date_ticks(ax, periods)
    _mark_final(ax, final_redemption_index(doc))
    ax.legend(fontsize="small", ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def headroom_series(doc: Document) -> dict[str, list[float | None]]:
    """Per coverage test: (ratio − trigger) × 100 per period (None when the test has no ratio)."""
    out: dict[str, list[float | None]] = {}
    periods = doc["periods"]
    for i, p in enumerate(periods):
        for t in p["tests"]:
            series = out.setdefault(t["name"], [None] * len(periods))
            ratio = t.get("ratio")
            series[i] = None if ratio is None else (ratio - t["trigger"]) * 100.0
    return out


def coverage_headroom_figure(doc: Document, *, kinds: tuple[str, ...] = ("OC", "IDT")) -> Figure:
    """Headroom of each coverage test per payment date, up to the period before the final redemption."""
    fig = Figure(figsize=(10.0, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    periods = list(doc["periods"])
    final = final_redemption_index(doc)
    kind_of = {t["name"]: t.get("kind", "OC") for p in periods for t in p["tests"]}
    shown: list[float] = []
    for name, series in headroom_series(doc).items():
        if kind_of.get(name) not in kinds:
            continue
        # the final redemption's ratios measure a liquidated pool: not a breach, not plotted
        ys = [
            math.nan if v is None or (final is not None and i >= final) else v for i, v in enumerate(series)
        ]
        ax.plot(range(len(periods)), ys, label=name)
        shown.extend(v for v in ys if not math.isnan(v))
    ax.axhline(0.0, color="black", linewidth=0.8)
    title = f"{doc['deal']}: coverage-test headroom (ratio − trigger)"
    if shown:
        # a class nearly paid off has a ratio in the thousands: keep the axis on the region around the
        # triggers, where an analyst reads cushions, and say so in the title
        lo, hi = min(shown), max(shown)
        clip = HEADROOM_AXIS_LIMIT_PP
        if hi > clip or lo < -clip:
            ax.set_ylim(max(lo, -clip) - 2.0, min(hi, clip) + 2.0)
            title += f" — axis clipped at ±{clip:.0f} pp"
    ax.set_title(title)
    ax.set_ylabel("Headroom (percentage points)")
    _date_ticks(ax, periods)
    _mark_final(ax, final)
    ax.legend(fontsize="small", ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def to_png(fig: Figure, *, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def to_svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def inline_html(fig: Figure, *, alt: str, svg: bool = False) -> str:
    """An ``<img>`` with a base64 PNG data URI, or the inline ``<svg>`` element itself."""
    if svg:
        text = to_svg(fig)
        return text[text.index("<svg") :]
    data = base64.b64encode(to_png(fig)).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def report_fragment(doc: Document) -> str:
    """Both plots as one HTML fragment for the report."""
    return "\n".join(
        [
            inline_html(tranche_cashflow_figure(doc), alt=f"{doc['deal']} tranche cash flows"),
            inline_html(coverage_headroom_figure(doc), alt=f"{doc['deal']} coverage headroom"),
        ]
    )


def cashflow_figures_html(doc: Document) -> str:
    """The report's cash-flow section body (the demo's name for :func:`report_fragment`)."""
    return report_fragment(doc)
