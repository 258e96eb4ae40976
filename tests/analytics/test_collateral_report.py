"""The collateral report: the par roll-forward closes each period to the cent against the engine's own
next-period opening balance, and the columns add up to the cash the deal received."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from clo_xl.analytics.collateral_report import collateral_report, report_document, totals
from clo_xl.analytics.frames import records_frame
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import inputs_from_workbook, prepare_model


@pytest.fixture(scope="module")
def mag17(sample_workbook: Path):  # type: ignore[no-untyped-def]
    return inputs_from_workbook(read_workbook(sample_workbook, deals=["Mag 17"]), "Mag 17")


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_par_roll_forward_closes_each_period_to_the_cent(mag17, convention: str) -> None:  # type: ignore[no-untyped-def]
    model = prepare_model(mag17, convention=convention)
    result = model.run()
    rows = collateral_report(result, model.structure)
    assert len(rows) == len(result.periods)
    for row, nxt in itertools.pairwise(rows):
        # beginning + purchases − amortisation − prepayments − defaults − sales = ending, and the ending par
        # is the engine's next opening performing balance (not derived from this row)
        assert row.ending_par == nxt.beginning_par
        assert abs(row.roll_forward_difference) < 0.005, row
    assert abs(rows[-1].roll_forward_difference) < 0.005
    # the deal ends with the pool sold or repaid
    assert rows[-1].ending_par == pytest.approx(0.0, abs=0.01)
    # every reinvestment dollar the waterfall spent bought par at the deal's reinvestment price
    price = model.structure.reinvestment.price
    for row, p in zip(rows, result.periods, strict=True):
        assert row.reinvestment_par * price == pytest.approx(p.reinvested, abs=0.005)
        assert row.principal_cash == p.principal_proceeds


def test_first_period_by_hand(mag17) -> None:  # type: ignore[no-untyped-def]
    model = prepare_model(mag17, cpr=0.0, cdr=0.0, severity=0.0, lag=0)
    result = model.run()
    first = collateral_report(result, model.structure)[0]
    # no defaults or prepayments: the pool only amortises; the period-1 principal cash is the collection
    # account's opening principal (68,842,395.08 on the sample sheet) plus the scheduled amortisation
    assert first.defaults == 0.0 and first.prepayments == 0.0
    assert first.beginning_par == pytest.approx(414_000_000.0)
    assert first.principal_cash == pytest.approx(68_842_395.08 + first.scheduled_amortisation, abs=0.01)


def test_document_and_frame(mag17) -> None:  # type: ignore[no-untyped-def]
    model = prepare_model(mag17)
    result = model.run()
    doc = report_document(result, model.structure, convention="legacy", assumptions={})
    assert doc["deal"] == "Mag 17" and "warnings" in doc
    assert [c["key"] for c in doc["columns"]][:3] == ["period", "payment_date", "beginning_par"]
    assert doc["totals"]["defaults"] == pytest.approx(sum(p["defaults"] for p in doc["periods"]))
    rows = collateral_report(result, model.structure)
    frame = records_frame(rows, index="period")
    assert frame.loc[1, "beginning_par"] == rows[0].beginning_par
    assert str(frame["payment_date"].dtype).startswith("datetime64")
    assert totals(rows)["principal_cash"] == pytest.approx(frame["principal_cash"].sum())
