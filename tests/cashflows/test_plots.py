"""Cash-flow plots: PNG/SVG output and the plotted headroom equals ratio − trigger."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.curves import flat_curve
from clo_xl.report.cashflow_plots import (
    coverage_headroom_figure,
    final_redemption_index,
    headroom_series,
    inline_html,
    report_fragment,
    to_png,
    to_svg,
    tranche_cashflow_figure,
)
from clo_xl.runs.cashflow_document import to_document
from clo_xl.runs.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.waterfall.run import run_deal


def document() -> dict[str, object]:
    deal = synthetic_deal("Mag 15")
    curve = flat_curve(date(2016, 3, 23), 0.01)
    result = run_deal(
        deal, synthetic_collateral(30), CashflowAssumptions(AssetAssumption(0.2, 0.05, 0.4, 6)), curve
    )
    return to_document(result, deal, curve)


def periods(doc: dict[str, object]) -> list[dict[str, Any]]:
    """The document's periods (JSON records), refused when they are anything else."""
    rows = doc["periods"]
    assert isinstance(rows, list) and all(isinstance(p, dict) for p in rows)
    return rows


def test_plots_render_as_png_and_svg() -> None:
    doc = document()
    png = to_png(tranche_cashflow_figure(doc))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = to_svg(coverage_headroom_figure(doc))
    assert "<svg" in svg
    assert inline_html(coverage_headroom_figure(doc), alt="x", svg=True).startswith("<svg")
    assert report_fragment(doc).count("<img") == 2


def test_headroom_is_ratio_minus_trigger_in_points() -> None:
    doc = document()
    series = headroom_series(doc)
    first = periods(doc)[0]["tests"][0]
    assert series[first["name"]][0] == (first["ratio"] - first["trigger"]) * 100.0
    fig = coverage_headroom_figure(doc)
    line = next(ln for ln in fig.axes[0].lines if ln.get_label() == "Class B-2 OC")
    final = final_redemption_index(doc)
    assert final is not None
    # plotted up to the period before the final redemption, whose ratios measure a liquidated pool
    expected = [np.nan if v is None or i >= final else v for i, v in enumerate(series["Class B-2 OC"])]
    assert np.allclose(line.get_ydata(), expected, equal_nan=True)


def test_axes_carry_units_and_the_final_redemption_is_marked_not_a_breach() -> None:
    doc = document()
    final = final_redemption_index(doc)
    rows = periods(doc)
    # independently: the first period with liquidation proceeds, else the last one
    liquidated = [i for i, p in enumerate(rows) if p.get("liquidation_proceeds", 0) > 0]
    assert final == (liquidated[0] if liquidated else len(rows) - 1)
    cash = tranche_cashflow_figure(doc).axes[0]
    assert cash.get_ylabel() == "Cash paid (USD millions)" and cash.get_xlabel() == "Payment date"
    headroom = coverage_headroom_figure(doc).axes[0]
    assert headroom.get_ylabel() == "Headroom (percentage points)"
    for ax in (cash, headroom):
        marks = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
        assert [np.asarray(m.get_xdata()).tolist() for m in marks] == [[final, final]]
        assert any(t.get_text() == "final redemption" for t in ax.texts)
    assert (
        tranche_cashflow_figure({**doc, "currency": "EUR"}).axes[0].get_ylabel() == "Cash paid (EUR millions)"
    )
