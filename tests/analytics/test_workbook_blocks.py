"""The scenario blocks an analyst fills in the workbook, read end to end from the file: a call, a default-
and a recovery-timing curve in the deal sheet's `CFInputs` block (blank in the sample), and per-period vectors
named in `CFAssumptions` from `CF_Vectors`. The cells are edited at the XML level (the rest of the file as
built), then the workbook is read as any user's would be."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.corpus.xlsx_edit import Package

from clo_xl.cashflows.assumptions import CallSpec, DefaultTiming, RecoveryTiming
from clo_xl.errors import IngestError
from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import DealInputsBundle, inputs_from_workbook, prepare_model

SHEET = "Mag 17 Inputs"
REFERENCE = "Reference Table"
SHAPE_LABELS = (
    "Call Date",
    "Call Price",
    "Cumulative Default Rate",
    "Default Timing Curve",
    "Recovery Timing Curve",
)
# CF_Vectors (Reference Table I:Q, rows 4..43): two vectors the sample leaves at zero
OPEN2, QTR_CDR_2 = "N", "M"
VECTOR_ROWS = range(4, 44)
OPTIONS: dict[str, Any] = {"cpr": 0.2, "cdr": 0.02, "severity": 0.35, "lag": 6}


def _value_cells(pkg: Package) -> dict[str, str]:
    """CFInputs label → its value cell (X labels, Y values, from row 4)."""
    out = {}
    for r in range(4, 60):
        label = pkg.get(SHEET, f"X{r}")
        if label is not None:
            out[str(label)] = f"Y{r}"
    return out


def _read(path: Path) -> DealInputsBundle:
    return inputs_from_workbook(read_workbook(path, deals=["Mag 17"]), "Mag 17")


def _excel_serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days  # Excel's 1900 date system, past 1900-03-01


def test_the_sample_carries_the_shapes_blank(sample_workbook: Path) -> None:
    cells = _value_cells(Package(sample_workbook))
    assert set(SHAPE_LABELS) <= set(cells)
    model = prepare_model(_read(sample_workbook), **OPTIONS)
    assert model.call is None and model.assumptions.default_timing is None
    assert model.assumptions.recovery_timing is None


def test_call_and_timing_curves_from_the_deal_sheet(sample_workbook: Path, tmp_path: Path) -> None:
    pkg = Package(sample_workbook)
    cells = _value_cells(pkg)
    # a date typed without a date format arrives as its serial number; the price in points
    pkg.set(SHEET, cells["Call Date"], _excel_serial(date(2018, 4, 1)))
    pkg.set(SHEET, cells["Call Price"], 99)
    pkg.set(SHEET, cells["Cumulative Default Rate"], 0.15)
    pkg.set(SHEET, cells["Default Timing Curve"], "Open2")
    pkg.set(SHEET, cells["Recovery Timing Curve"], "QTR_CDR_2")
    # 25% of the cumulative rate in each of four years; recoveries 40% one period, 60% two after the default
    for r in VECTOR_ROWS:
        pkg.set(REFERENCE, f"{OPEN2}{r}", 0.25 if r < 8 else 0.0)
        pkg.set(REFERENCE, f"{QTR_CDR_2}{r}", {4: 0.4, 5: 0.6}.get(r, 0.0))
    edited = pkg.save(tmp_path / "shapes.xlsm")

    model = prepare_model(_read(edited), **OPTIONS)
    assert model.call == CallSpec(date(2018, 4, 1), 0.99)
    assert model.assumptions.default_timing == DefaultTiming(0.15, (0.25, 0.25, 0.25, 0.25))
    # Mag 17 pays quarterly: the k-th share is collected k payment periods (3k months) after the default
    assert model.assumptions.recovery_timing == RecoveryTiming(((3, 0.4), (6, 0.6)))
    result = model.run()
    assert result.periods[-1].payment_date == date(2018, 4, 20)  # the first payment date on/after the call
    # the same shapes given through the Python API instead of the sheet: the same run, figure by figure
    given = prepare_model(
        _read(sample_workbook),
        **OPTIONS,
        call=CallSpec(date(2018, 4, 1), 0.99),
        default_timing=DefaultTiming(0.15, (0.25,) * 4),
        recovery_timing=RecoveryTiming(((3, 0.4), (6, 0.6))),
    ).run()
    assert result.periods == given.periods


@pytest.mark.parametrize(
    ("label", "value", "message", "cell"),
    [
        # the validation layer refuses a date that is not one, at its cell, before any run
        ("Call Date", "next spring", "expected a date", True),
        # the shapes' own rules, at the deal sheet's CFInputs label
        ("Call Price", 99.5, "a call price needs a Call Date", False),
        ("Default Timing Curve", "NoSuchVector", "not a CF_Vectors vector", False),
    ],
)
def test_a_bad_shape_names_its_sheet_and_label(
    sample_workbook: Path, tmp_path: Path, label: str, value: object, message: str, cell: bool
) -> None:
    pkg = Package(sample_workbook)
    ref = _value_cells(pkg)[label]
    pkg.set(SHEET, ref, value)
    with pytest.raises(IngestError) as caught:
        prepare_model(_read(pkg.save(tmp_path / "bad.xlsm")), **OPTIONS)
    where = f"cell {ref}, column '{label}'" if cell else f"column 'CFInputs {label}'"
    assert f"sheet '{SHEET}', {where}" in str(caught.value)
    assert message in str(caught.value)


def _all_row(pkg: Package) -> int:
    """The `CFAssumptions` row (Reference Table AT:AX) whose ID is ALL."""
    return next(r for r in range(4, 60) if pkg.get(REFERENCE, f"AT{r}") == "ALL")


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_workbook_vectors_equal_to_a_constant_reproduce_the_constant_run(
    sample_workbook: Path, tmp_path: Path, convention: str
) -> None:
    """`CFAssumptions` ALL row: Default names a CF_Vectors column of 4% in every period and Lag one of 6
    months, against the same row with 4% and 6 typed in; everything else as the sample (its other rows, its
    CPR vector). No scenario option: the runs take the workbook's assumptions."""
    runs, defaults = [], []
    for name, (default, lag) in {"vectors": ("Open2", "QTR_CDR_2"), "constant": (0.04, 6)}.items():
        pkg = Package(sample_workbook)
        row = _all_row(pkg)
        for r in VECTOR_ROWS:  # (a vector of months is accepted where a Lag cell names it)
            pkg.set(REFERENCE, f"{OPEN2}{r}", 0.04)
            pkg.set(REFERENCE, f"{QTR_CDR_2}{r}", 6 if name == "vectors" else 0.0)
        pkg.set(REFERENCE, f"AV{row}", default)
        pkg.set(REFERENCE, f"AX{row}", lag)
        model = prepare_model(_read(pkg.save(tmp_path / f"{name}.xlsm")), convention=convention)
        runs.append(model.run())
        defaults.append(model.assumptions.default)
    vectored, constant = runs
    assert defaults[0] != defaults[1]  # one run read the vectors by name, the other the numbers
    assert len(vectored.periods) == len(constant.periods)
    assert vectored.periods == constant.periods
    assert vectored.sub_note_irr == constant.sub_note_irr
