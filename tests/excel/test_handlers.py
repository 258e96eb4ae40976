"""Run Model buttons pressed headless: the handlers through FileWorkbook, the package left intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook

from clo_xl.api import DealSession
from clo_xl.enums import TransactionType
from clo_xl.errors import UsageError
from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.table import Value
from clo_xl.excel.workbook_access import WorkbookAccess, read_cell
from clo_xl.excel.xlsx_package import XlsxPackage
from clo_xl.run_model import run_model_settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools uses old pyparsing names

DEAL = "Mag 17"  # Run Model C9 of the sample


def _vba_modules(path: Path) -> set[str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem for _, _, name, _ in parser.extract_macros()}
    finally:
        parser.close()


def test_file_workbook_is_a_workbook_access(workbook_copy: Path) -> None:
    book = FileWorkbook(workbook_copy)
    assert isinstance(book, WorkbookAccess)
    assert "Run Model" in book.sheet_names()
    assert read_cell(book, "Run Model", "C9") is not None
    assert book.read_range("Mag 17 Inputs", "D3:E3") == [["BLKRockID", "Par Amount"]]


def test_output_tabs_are_written_without_touching_the_rest(workbook_copy: Path) -> None:
    modules_before = _vba_modules(workbook_copy)
    analysis_before = (
        CalamineWorkbook.from_path(str(workbook_copy)).get_sheet_by_name("Mag 17 Inputs").to_python()[2]
    )
    book = FileWorkbook(workbook_copy)
    book.create_sheet("Rankings-Output")
    book.write_table("Rankings-Output", "B2", [["a", 1.5, True, None], ["b"]])
    book.save()
    reread = FileWorkbook(workbook_copy)
    assert reread.read_range("Rankings-Output", "B2:E3") == [["a", 1.5, True, None], ["b", None, None, None]]
    assert _vba_modules(workbook_copy) == modules_before  # the VBA project survives
    # formula cells keep their cached values (openpyxl would have dropped them): C3 is =DealAnalysisDate
    after = CalamineWorkbook.from_path(str(workbook_copy)).get_sheet_by_name("Mag 17 Inputs").to_python()[2]
    assert after == analysis_before
    with pytest.raises(UsageError, match="input sheet"):
        reread.write_table("Run Model", "C9", [["Mag 6"]])


def test_delete_output_tabs_keeps_sheet_scoped_names(workbook_copy: Path) -> None:
    package = XlsxPackage(workbook_copy)
    package.add_sheet("RM-Mag 17", [["x"]])
    package.add_sheet("Parallel Run", [["y"]])
    package.save(workbook_copy)
    result = handlers.delete_output_tabs(FileWorkbook(workbook_copy))
    assert {"RM-Mag 17", "Parallel Run"} <= set(result.sheets)
    names = FileWorkbook(workbook_copy).sheet_names()
    assert not any(n.startswith(("HYPO-", "Compliance-", "Deal CF-", "RM-", "Parallel Run")) for n in names)
    assert names[:2] == ["Run Model", "Mag 6 Inputs"]
    # the deal sheets' named ranges still resolve: the reader finds every block through them
    from clo_xl.ingest.workbook import read_workbook

    data = read_workbook(workbook_copy)
    assert "Mag 17" in data.deals and len(data.holdings["Mag 17"]) > 0


def test_run_compliance_and_hypo_write_the_legacy_tabs(workbook_copy: Path) -> None:
    book = FileWorkbook(workbook_copy)
    deal = handlers.selected_deals(book)[0]
    result = handlers.run_compliance(book)
    assert result.sheets == (f"Compliance-{deal}",)
    tab = FileWorkbook(workbook_copy).read_range(f"Compliance-{deal}", "B1:J2")
    assert tab[0] == ["Test Num", "Test Name", "Denominator", "Numeratior", "comments", "Results",
                      "Threshold", "Pass/Fail", "Comments on Pass/Fail"]  # fmt: skip
    assert isinstance(
        tab[1][5], float
    )  # a number (the legacy wrote the text "95.0725%"), formatted as percent
    hypo = handlers.run_hypo(FileWorkbook(workbook_copy))
    assert hypo.sheets == (f"HYPO-{deal}-Output",)
    # the legacy deletes every tab of its prefix before a run: one Compliance tab, the new one
    names = FileWorkbook(workbook_copy).sheet_names()
    assert [n for n in names if n.startswith("Compliance-")] == [f"Compliance-{deal}"]


def test_run_cash_flows_writes_the_deal_cf_tab(workbook_copy: Path) -> None:
    book = FileWorkbook(workbook_copy)
    deal = handlers.selected_deals(book)[0]
    result = handlers.run_cash_flows(book)
    assert result.sheets == (f"Deal CF-{deal}",)
    tab = FileWorkbook(workbook_copy).read_range(f"Deal CF-{deal}", "B1:D2")
    assert tab == [["Deal Info", None, None], ["Period", "Payment Date", "Collection Begin"]]  # §9 block 1


def test_run_rankings_and_rebalancing_use_the_run_model_settings(workbook_copy: Path) -> None:
    settings = run_model_settings(DealSession.from_workbook(workbook_copy, DEAL))
    assert settings.step > 0 and settings.side in set(TransactionType)
    handlers.run_rankings(FileWorkbook(workbook_copy))
    grid = FileWorkbook(workbook_copy).read_sheet("Rankings-Output")
    assert grid[0][1] in {"Assets to Purchase", "Assets to Sale"}
    assert grid[1][1:4] == ["Objective Function", "BlackRock ID", "Issue Name"]
    scores = [row[1] for row in grid[2:] if isinstance(row[1], float)]
    # buys best first (descending), sales worst first (ascending) (COMPLIANCE_SPEC §5.3)
    assert scores == sorted(scores, reverse=settings.side is TransactionType.BUY)
    assert all(row[4] == settings.step for row in grid[2:] if isinstance(row[1], float))  # par = E8
    handlers.run_rebalancing(FileWorkbook(workbook_copy))
    rebalance = FileWorkbook(workbook_copy).read_sheet("Rebalance-Output")
    titles = [v for v in rebalance[0] if v is not None]  # shared-tab mode: block titles in row 1 (§5.4)
    assert titles == [
        "Compliance Test",
        "Rebalance Trades' Attributes",
        "Assets To Purchase",
        "Assets To Sale",
    ]
    assert rebalance[1][2:4] == ["Test Num", "Test Name"]  # the Compliance Test block's first column is blank
    sale = rebalance[0].index("Assets To Sale")
    sold = [par for row in rebalance[2:] if isinstance(par := row[sale + 2], float)]
    assert sold and sum(sold) > 0  # the sample's targets (E11/E12) lead to sales, par summed per asset


def test_an_unknown_deal_in_c9_is_a_located_error(workbook_copy: Path, tmp_path: Path) -> None:
    class Stub(FileWorkbook):
        def read_range(self, sheet: str, address: str) -> list[list[Value]]:
            if (sheet, address) == ("Run Model", "C9"):
                return [["Mag 99"]]
            return super().read_range(sheet, address)

    with pytest.raises(UsageError, match=r"'Run Model'!C9: unknown deal 'Mag 99'"):
        handlers.run_compliance(Stub(workbook_copy))
