"""The collateral report as an XLSX tab (formats checked with openpyxl) and as a page with a plot; the
cash-flow report carries the same tab and section."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from clo_xl.cli import main


def test_collateral_report_writes_page_and_tab(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "collateral.html"
    args = ["collateral-report", "--workbook", str(sample_workbook), "--deal", "Mag 17"]
    assert main([*args, "--report", str(target), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reports"] == [str(target), str(target.with_suffix(".xlsx"))]
    page = target.read_text()
    assert "collateral par by period" in page and "<img" in page and "Beginning par" in page
    ws = openpyxl.load_workbook(target.with_suffix(".xlsx"))["Collateral"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Period", "Payment date", "Beginning par"]
    first = [c for c in ws[2]]
    assert isinstance(first[1].value, datetime)  # a date, not text
    assert first[2].value == pytest.approx(doc["periods"][0]["beginning_par"])
    assert "#,##0.00" in first[2].number_format  # money with separators
    price = header.index("Reinvestment price")
    assert "%" in first[price].number_format
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    # the last data row holds the totals
    total_row = len(doc["periods"]) + 2
    assert ws.cell(total_row, 4).value == pytest.approx(doc["totals"]["scheduled_amortisation"])


def test_cashflow_report_carries_the_collateral(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cf.html"
    args = ["cashflows", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--report", str(target)]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["collateral_report"]["periods"][0]["beginning_par"] == pytest.approx(414_000_000.0)
    assert "Collateral" in openpyxl.load_workbook(target.with_suffix(".xlsx")).sheetnames
    assert "collateral par by period" in target.read_text()
