"""Plots of a cash-flow run for the HTML report: tranche cash flows and coverage-test headroom.

Input is the `clo-xl cashflows --json` document (CONTRACT §3), so a saved run can be plotted later.
Figures are built on matplotlib's object API with the Agg backend (no pyplot global state, no display);
:func:`to_png` / :func:`to_svg` give bytes / text and :func:`inline_html` an embeddable fragment.
Headroom is ratio − trigger in percentage points (negative = failing).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

Document = Mapping[str, Any]


def tranche_cashflow_figure(doc: Document, *, width: float = 10.0, height: float = 4.5) -> Figure:
    """Stacked bars per payment date: each class's interest + principal received (Sub Notes included)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    periods = doc["periods"]
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
    ax.set_ylabel("millions")
    step = max(1, len(periods) // 12)
    ax.set_xticks(x[::step], [p["payment_date"][:7] for p in periods][::step], rotation=45, ha="right")
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    return fig


#: the headroom plot's y-axis shows at most this many percentage points either side of the triggers
HEADROOM_AXIS_LIMIT_PP = 60.0


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
    fig = Figure(figsize=(10.0, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    periods = doc["periods"]
    kind_of = {t["name"]: t.get("kind", "OC") for p in periods for t in p["tests"]}
    shown: list[float] = []
    for name, series in headroom_series(doc).items():
        if kind_of.get(name) not in kinds:
            continue
        ax.plot(range(len(periods)), [float("nan") if v is None else v for v in series], label=name)
        shown.extend(v for v in series if v is not None)
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
    ax.set_ylabel("percentage points")
    step = max(1, len(periods) // 12)
    ticks = list(range(len(periods)))[::step]
    ax.set_xticks(ticks, [periods[i]["payment_date"][:7] for i in ticks], rotation=45, ha="right")
    ax.legend(fontsize="small", ncol=2)
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
