"""Results as pandas DataFrames from the Python API: ``session.compliance().to_pandas()`` and
``session.cashflow_run().to_pandas()``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clo_xl.api import DealSession


@pytest.fixture(scope="module")
def session(sample_workbook: Path) -> DealSession:
    return DealSession.from_workbook(sample_workbook, "Mag 17")


def test_compliance_frame_is_the_document_indexed_by_test_number(session: DealSession) -> None:
    doc = session.compliance_document()
    frame = session.compliance().to_pandas()
    assert list(frame.index) == [t["number"] for t in doc["tests"]]
    assert frame.attrs["deal"] == "Mag 17" and frame.attrs["analysis_date"] == doc["analysis_date"]
    for t in doc["tests"]:
        row = frame.loc[t["number"]]
        assert row["result"] == t["result"] and bool(row["pass"]) == t["pass"]
        # cushion by hand: room to the threshold in the passing direction
        expected = t["threshold"] - t["result"] if t["min_max"] == "Max" else t["result"] - t["threshold"]
        assert row["cushion"] == pytest.approx(expected, abs=1e-12)
    assert frame["pass"].dtype == bool and frame["result"].dtype == float


@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_cashflow_frames_conserve_cash_each_period(session: DealSession) -> None:
    frames = session.cashflow_run().to_pandas()
    periods, payments = frames.periods, frames.payments
    assert pd.api.types.is_datetime64_any_dtype(periods["payment_date"])
    # every period: Σ payments + reinvested + carried = interest + principal proceeds (+ brought forward)
    paid = payments.groupby("period")["amount"].sum().reindex(periods.index, fill_value=0.0)
    inflow = periods["interest_proceeds"] + periods["principal_proceeds"]
    if "brought_forward" in periods:
        inflow = inflow + periods["brought_forward"].fillna(0.0)
    gap = (paid + periods["reinvested"] + periods["carried"] - inflow).abs()
    assert gap.max() < 0.01
    # one tranche row per class and period, and the summary indexed by class
    classes = list(frames.summary.index)
    assert len(frames.tranches) == len(periods) * len(classes)
    assert "Class A" in classes and frames.summary["wal"].gt(0.0)["Class A"]
