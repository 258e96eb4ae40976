"""The built sample workbook: legacy layout, named ranges, determinism, the committed copy, LibreOffice.

Expected values come from the legacy specification (COMPLIANCE_SPEC §1, CASHFLOW_SPEC §0.3/§4) and are
read back with openpyxl, a reader independent of the project's own (python-calamine based) one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from workbook.generate_sample import SampleBook, generate

from clo_xl.ingest.workbook import read_workbook

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED = REPO_ROOT / "workbook" / "TradeHypo.xlsm"

# COMPLIANCE_SPEC §1.6, typed out from the spec (two headers carry a trailing space)
SPEC_HEADERS = [
    "BLKRockID", "Issue Name", "Issuer Name", "ISSUER ID", "Tranche", "Bond/Loan", "Par Amount", "Maturity",
    "Coupon Type", "Payment Frequency", "Coupon Spread", "Libor Floor", "Index", "Coupon", "Commitment Fee",
    "Unfunded Amount", "Facility Size", "Moody's Industry", "S&P Industry", "Moody Asset Category",
    "S&P Priority Category", "Country ", "Seniority", "Deferred Interest Bond", "PiKing", "PIK Amount",
    "Default Obligation", "Date of Defaulted", "Delayed Drawdown ", "Revolver", "Letter of Credit",
    "Participation", "DIP", "Convertible", "Structured Finance", "Bridge Loan", "Current Pay", "Cov-Lite",
    "Currency", "WAL", "Market Value", "First Lien Last Out Loan", "Moody's Rating-21",
    "Moody's Recovery Rate-23", "Moody's Default Probability Rating-18", "Moody's Rating WARF",
    "Moody Facility Rating", "Moody Facility Outlook", "Moody Issuer Rating", "Moody Issuer outlook",
    "Moody's Senior Secured Rating", "Moody Senior Unsecured Rating", "Moody Subordinate Rating",
    "Moody's Credit Estimate", "Moody's Credit Estimate Date", "S&P Facility Rating", "S&P Issuer Rating",
    "S&P Senior Secured Rating", "S&P Subordinated Rating", "S&P Recovery Rating", "Dated Date", "Issue Date",
    "First Payment Date", "Amortization Type", "Day Count", "Index Cap", "Business Day Convention", "PMT EOM",
    "Amount Issued", "Credit Opinion",
]  # fmt: skip

LEGACY_SHEETS = [
    "Run Model", "Mag 6 Inputs", "Mag 7 Inputs", "Mag 8 Inputs", "Mag 9 Inputs", "Mag 11 Inputs",
    "Mag 12 Inputs", "Mag 14 Inputs", "Mag 15 Inputs", "Mag 16 Inputs", "Mag 17 Inputs", "All Assets",
    "Asset Correlation", "Reference Table", "Filter Sheet", "xlwings.conf",
]  # fmt: skip

SHEET_SCOPED = {
    "AnalysisDate", "DealCollateral", "Accounts", "TestThresholds", "QualityTestInputs", "ObjWeights",
    "CFInputs", "DateInputs", "Liability", "CLOInputs", "Fees", "PaySubNotes", "PMT_Dates",
}  # fmt: skip
WORKBOOK_NAMES = {
    "AllAssets", "Sink_Schedule", "CFAssumptions", "CF_Vectors", "LIBORCurve", "Holidays", "LIBOR_Rates",
    "Deals", "DealAnalysisDate", "HypoAssets", "BuyFilter", "SaleFilter", "FilterFields", "SpTransMat",
    "AssetCorrelation",
}  # fmt: skip


@pytest.fixture(scope="module")
def opened(built_workbook: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(built_workbook, keep_vba=True)


def test_sheets_in_legacy_order(opened: openpyxl.Workbook) -> None:
    assert opened.sheetnames[: len(LEGACY_SHEETS)] == LEGACY_SHEETS
    extra = opened.sheetnames[len(LEGACY_SHEETS) :]
    assert all(n.startswith(("Compliance-", "HYPO-")) for n in extra)


def test_all_assets_70_headers_verbatim(opened: openpyxl.Workbook) -> None:
    ws = opened["All Assets"]
    headers = [ws.cell(1, c).value for c in range(1, 71)]
    assert headers == SPEC_HEADERS
    assert ws.cell(1, 22).value == "Country " and ws.cell(1, 29).value == "Delayed Drawdown "
    assert ws.cell(1, 71).value is None
    assert ws.max_row == 1001  # 1,000 assets from row 2


def test_named_ranges(opened: openpyxl.Workbook) -> None:
    assert set(opened.defined_names) >= WORKBOOK_NAMES
    for sheet in LEGACY_SHEETS[1:11]:
        ws = opened[sheet]
        assert set(ws.defined_names) >= SHEET_SCOPED, sheet
    ws = opened["Mag 17 Inputs"]
    assert ws.defined_names["AnalysisDate"].attr_text == "'Mag 17 Inputs'!$C$3"
    assert ws.defined_names["DealCollateral"].attr_text.startswith("'Mag 17 Inputs'!$D$4:$E$")
    assert ws.defined_names["ObjWeights"].attr_text.startswith("'Mag 17 Inputs'!$V$4:$W$")
    assert opened.defined_names["DealAnalysisDate"].attr_text == "'Run Model'!$C$8"
    assert opened.defined_names["HypoAssets"].attr_text == "'Run Model'!$J$11:$N$39"
    assert opened.defined_names["BuyFilter"].attr_text == "'Run Model'!$D$15:$I$20"


def test_deal_sheet_cells_follow_the_legacy_map(opened: openpyxl.Workbook, sample_book: SampleBook) -> None:
    ws = opened["Mag 17 Inputs"]
    # COMPLIANCE_SPEC §1.5: row 2 section titles, row 3 headers, data from row 4
    assert ws["B2"].value == "Current Period Dates" and ws["D2"].value == "Deal Collateral"
    assert (ws["D3"].value, ws["E3"].value) == ("BLKRockID", "Par Amount")
    accounts = ["Account Num", "Account Name", "Interest", "Principal"]
    assert [ws.cell(3, c).value for c in range(6, 10)] == accounts
    assert [ws["F4"].value, ws["G4"].value, ws["F5"].value, ws["G5"].value] == [
        1,
        "Payment ",
        2,
        "Collection",
    ]
    assert [ws.cell(3, c).value for c in range(12, 18)] == [
        "Test Number", "Test Name", "Min/Max", "Threshold", "Overwrite", "Previous Values",
    ]  # fmt: skip
    assert ws["R3"].value == "Current LIBOR" and ws["S3"].value == "=K4"
    assert ws["R8"].value == "JR OC Denominator"
    assert ws["U3"].value == "Current Test Result" and opened["Mag 16 Inputs"]["F3"].value == "Account Number"
    assert opened["Mag 6 Inputs"]["U3"].value == "Test Results"
    # AK:AR tranche matrix for Mag 17: Class X, A, B-1, B-2, C, D, E, Sub Notes; row 7 = current balance
    assert [ws.cell(4, c).value for c in range(37, 45)] == [
        "Class X", "Class A", "Class B-1", "Class B-2", "Class C", "Class D", "Class E", "Sub Notes",
    ]  # fmt: skip
    assert ws["S8"].value == "=SUM(AK7:AQ7)"  # the legacy formula on Mag 17 (COMPLIANCE_SPEC §1.5)
    assert sum(ws.cell(7, c).value for c in range(37, 44)) == 462_400_000  # JR OC denominator, §1.5 table


def test_generation_is_deterministic(sample_book: SampleBook) -> None:
    again = generate()
    assert again.assets == sample_book.assets
    assert again.deals == sample_book.deals
    for a, b in zip(again.sheets, sample_book.sheets, strict=True):
        assert (a.name, a.cells, a.formulas) == (b.name, b.cells, b.formulas)
    assert generate(seed=7, n_assets=400).assets[0]["BLKRockID"] != sample_book.assets[0]["BLKRockID"]


def _data(path: Path) -> dict[str, object]:
    wd = read_workbook(path)
    return {
        "sheets": wd.sheet_names,
        "assets": list(wd.assets.rows),
        "deals": {k: v.data for k, v in wd.deals.items()},
        "holdings": {k: list(v.rows) for k, v in wd.holdings.items()},
        "run_model": wd.run_model.data,
        "reference": {k: list(v.rows) for k, v in wd.reference.items()},
        "filters": wd.filter_lists,
        "names": wd.names,
    }


def test_committed_workbook_is_what_build_produces(built_workbook: Path) -> None:
    """Every sheet's cells (inputs, output tabs, xlwings.conf), and the reader's view of the inputs."""
    from workbook.build import stale_sheets

    stale = "stale: rerun `python workbook/build.py` and commit workbook/TradeHypo.xlsm"
    assert COMMITTED.is_file(), "workbook/TradeHypo.xlsm is missing: run `python workbook/build.py`"
    assert _data(COMMITTED) == _data(built_workbook), stale
    assert stale_sheets(COMMITTED, built_workbook) == [], stale


def test_stale_sheets_names_the_first_changed_cell(built_workbook: Path, tmp_path: Path) -> None:
    from workbook.build import stale_sheets

    wb = openpyxl.load_workbook(built_workbook, data_only=True)  # formulas kept as their values
    wb["Mag 17 Inputs"]["O7"] = 0.5
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    # O7 = test 4 (row 7 of the table from L4), threshold 0.025 (COMPLIANCE_SPEC §4.2)
    assert stale_sheets(built_workbook, changed) == ["Mag 17 Inputs: O7 0.025 -> 0.5"]


def test_vba_project_and_buttons_embedded(built_workbook: Path) -> None:
    pytest.importorskip("workbook.vba_project")
    with zipfile.ZipFile(built_workbook) as z:
        names = z.namelist()
        assert "xl/vbaProject.bin" in names
        vml = [n for n in names if n.startswith("xl/drawings/vmlDrawing")]
        assert vml, "the Run Model buttons are VML form controls"
        text = b"".join(z.read(n) for n in vml).decode("utf-8", "replace")
    assert "RunCompliance" in text


@pytest.mark.libreoffice
def test_libreoffice_opens_and_recalculates(built_workbook: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "profile"
    out = tmp_path / "out"
    env = {**os.environ, "HOME": str(tmp_path)}
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(built_workbook),
    ]
    subprocess.run(cmd, check=True, timeout=240, capture_output=True, env=env)
    converted = out / "TradeHypo.xlsx"
    assert converted.is_file()
    wb = openpyxl.load_workbook(converted, data_only=True, read_only=True)
    assert wb.sheetnames[:15] == LEGACY_SHEETS[:15]
    ws = wb["Mag 17 Inputs"]
    assert ws["S8"].value == pytest.approx(462_400_000)  # =SUM(AK7:AQ7) as LibreOffice evaluates it
    assert ws["B3"].value == "Analysis date"
    assert wb["All Assets"]["V1"].value == "Country "
