"""The restructured collateral projection gives the first-written one's rows bit for bit (issue 13).

Oracle: ``reference_projection.py`` (every expression inside the column loop, as first written). Every
sample deal, both conventions (the legacy write-off and the corrected collection of queued recoveries),
with their sink schedules (principal-only rows), a stressed scenario, and rating-driven default dates
on a fifth of the assets (rating mode).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.cashflows import reference_projection

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.projection import project_asset_rows
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import inputs_from_workbook, prepare_model

FIELDS = ("beginning", "coupon", "default", "mv_default", "interest", "scheduled", "prepayment", "recovery",
          "net_loss", "mv_written_off")  # fmt: skip


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_projection_rows_equal_the_first_written_projection(sample_workbook: Path, convention: str) -> None:
    book = read_workbook(sample_workbook)
    checked = 0
    for deal in book.deals:
        m = prepare_model(inputs_from_workbook(book, deal), deal=deal, convention=convention)
        curve = m.curve_spec.build()
        analysis = m.structure.dates.analysis_date
        rng = np.random.default_rng(len(deal))
        on_path = rng.random(len(m.collateral)) < 0.2
        default_dates = np.where(
            on_path,
            m.collateral.maturity - rng.integers(100, 2000, len(m.collateral)),
            np.iinfo(np.int64).max,
        )
        stress = CashflowAssumptions(
            AssetAssumption(0.1, 0.08, 0.6, 6), legacy_vector_overrun=m.conventions.legacy
        )
        coll, sw, sink = m.collateral, m.switches, m.sink
        for assumptions, dates in ((m.assumptions, None), (stress, None), (stress, default_dates)):
            new = project_asset_rows(
                coll, assumptions, curve, analysis, switches=sw, sink=sink, default_dates=dates
            )
            old = reference_projection.project_asset_rows(
                coll, assumptions, curve, analysis, switches=sw, sink=sink, default_dates=dates
            )
            for field in FIELDS:
                a, b = getattr(new, field), getattr(old, field)
                assert (a is None) == (b is None), (deal, field)
                assert a is None or np.array_equal(a, b), (deal, field)
            assert new.recovery.sum() > 0 and new.default.sum() > 0
            checked += 1
    assert checked == 3 * len(book.deals)
