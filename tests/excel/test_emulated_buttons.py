"""Every Run Model button of the built workbook, pressed in the emulated Excel, against the database.

The macros are read from the built ``TradeHypo.xlsm`` (its VBA project through olevba) and run as
``RunPython`` runs them with "Use UDF Server" on: ``xlwings._xlwindows.BOOK_CALLER`` set to the workbook,
then the macro's Python command, so ``xw.Book.caller()`` and every read and write go through xlwings' real
API and conversion code over the strict emulation (rectangular writes, no text Excel would convert,
case-insensitive sheet names, absolute names, protected sheets). The database holds the migrated sample.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from tests.excel.emulated_vba import EmulatedExcel, get_config

from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.persistence.repository import refresh_deal, save_deal
from clo_xl.persistence.snapshot import deal_stamp

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

DEAL = "Mag 17"
TABS = {
    "RunCompliance": f"Compliance-{DEAL}",
    "RunHypo": f"HYPO-{DEAL}-Output",
    "RunRankings": "Rankings-Output",
    "RunRebalancing": "Rebalance-Output",
    "RunCashFlows": f"Deal CF-{DEAL}",
    "RunCreditMigration": f"RM-{DEAL}",
    "RunAnalytics": f"Analytics-{DEAL}",
    "RunValidate": "Parallel Run",
}


def quiet_and_clean(excel: EmulatedExcel) -> None:
    """No rule broken, no internal error, and Excel's state handed back as it was."""
    assert excel.app.violations == []
    assert not [a for a in excel.app.alerts if "internal error" in a[0]], excel.app.alerts
    assert excel.app.screen_updating is True and excel.app.calculation == "automatic"
    assert excel.app.status_bar is False  # handed back to Excel


def cli(*args: str) -> dict[str, Any]:
    """The command line in its own process, its ``--json`` document."""
    out = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", *args, "--json"], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


@pytest.fixture(scope="module")
def compliance_doc(sample_workbook: Path) -> dict[str, Any]:
    return cli("compliance", "--workbook", str(sample_workbook), "--deal", DEAL)


@pytest.fixture
def book(excel: EmulatedExcel, stored_private: str, sample_workbook: Path) -> Iterator[xw.Book]:
    opened = excel.open(sample_workbook)
    opened.sheets["Run Model"].range("C17").value = 20  # 20 migration paths instead of 100
    yield opened


# every button once, Validate included (LibreOffice recalculates the written tabs): ~1 min idle, several
# on a loaded 2-core box, so it gets its own timeout beside the suite's 300 s
@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_every_runpython_macro_of_the_built_workbook_finishes(excel: EmulatedExcel, book: xw.Book) -> None:
    macros = excel.project(book).macros()
    assert set(macros) == set(handlers.HANDLERS)  # one RunPython macro per button, read from the .xlsm
    assert all(m.guarded for m in macros.values())  # a Python start-up failure gives a message box
    assert all(
        m.command == f"import clo_xl.excel.buttons as b; b.{_python_name(m.name)}()" for m in macros.values()
    )
    for macro, tab in TABS.items():
        excel.press(book, macro)
        quiet_and_clean(excel)
        assert tab in [s.name for s in book.sheets], macro
        assert book.sheets.active.name == tab  # the button shows the tab it wrote
    title, summary = excel.app.alerts[-1]
    assert title == "clo-xl" and ": 0 unexplained break(s)" in summary, summary  # the written tabs agree
    excel.press(book, "RefreshFromDB")
    quiet_and_clean(excel)
    assert excel.app.alerts[-1][1].startswith("refreshed from the database: 1000 assets, Mag 17 v1")
    assert book.sheets["clo-xl.state"].visible is False
    excel.press(book, "SaveToDB")
    quiet_and_clean(excel)
    assert excel.app.alerts[-1][1] == "saved to the database: nothing changed; unchanged: Mag 17"
    excel.press(book, "DeleteOutputTabs")
    quiet_and_clean(excel)
    assert not [s.name for s in book.sheets if s.name.startswith(tuple(TABS.values()))]


def _python_name(macro: str) -> str:
    names = {"RefreshFromDB": "refresh_from_db", "SaveToDB": "save_to_db", "RunValidate": "validate"}
    if macro in names:
        return names[macro]
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in macro).lstrip("_")


def test_tabs_hold_numbers_with_number_formats(
    excel: EmulatedExcel, book: xw.Book, compliance_doc: dict[str, Any]
) -> None:
    excel.press(book, "RunCompliance")
    ws = book.sheets[TABS["RunCompliance"]]
    header = ws.range("B1").expand("right").value
    assert header[:6] == ["Test Num", "Test Name", "Denominator", "Numeratior", "comments", "Results"]
    results = ws.range("G2").resize(len(compliance_doc["tests"]), 1)
    for cell, test in zip(results, compliance_doc["tests"], strict=True):
        assert cell.value == test["result"]  # the engine's number, not the text "96.0132%"
        assert cell.number_format == ("#,##0.000" if test["number"] in (35, 36, 37, 54) else "0.0000%")
    excel.press(book, "RunCashFlows")
    cf = book.sheets[TABS["RunCashFlows"]]
    assert cf.range("B1").value == "Deal Info" and cf.range("C2").value == "Payment Date"
    assert isinstance(cf.range("C3").value, datetime) and cf.range("C3").number_format == "yyyy-mm-dd"
    excel.press(book, "RunRankings")
    mv = book.sheets["Rankings-Output"].range("F3")
    assert isinstance(mv.value, float) and mv.number_format == "0.000%"
    quiet_and_clean(excel)


def test_the_file_writer_writes_the_same_types_and_formats(
    excel: EmulatedExcel, book: xw.Book, workbook_copy: Path
) -> None:
    """Each compute tab written live (xlwings) and headless (the file writer) holds the same values, of the
    same types, with the same number formats, at the same addresses (the headless file read back by the
    emulation's own package reader)."""
    macros = ("RunCompliance", "RunHypo", "RunCashFlows", "RunRankings")
    for macro in macros:
        excel.press(book, macro)
        handlers.HANDLERS[macro](FileWorkbook(workbook_copy))
    quiet_and_clean(excel)
    headless_book = excel.open(workbook_copy)
    for macro in macros:
        live = book.sheets[TABS[macro]].used_range
        headless = headless_book.sheets[TABS[macro]].used_range
        assert live.address == headless.address, macro
        values, headless_values = live.options(ndim=2).value, headless.options(ndim=2).value
        assert values == headless_values, macro
        types = [[type(v) for v in row] for row in values]
        assert types == [[type(v) for v in row] for row in headless_values], macro  # 1.0 == True, yet
        assert [c.number_format for c in live] == [c.number_format for c in headless], macro


def test_buttons_work_on_macos_where_api_is_not_com(
    mac_excel: EmulatedExcel, stored: str, sample_workbook: Path
) -> None:
    book = mac_excel.open(sample_workbook)
    for macro in ("RunCompliance", "RunHypo"):
        mac_excel.press(book, macro)
        quiet_and_clean(mac_excel)
        assert TABS[macro] in [s.name for s in book.sheets]
    assert "Worksheet.Tab" in mac_excel.app.api_calls  # the cosmetic tab colour was tried, and skipped


def test_a_protected_input_sheet_is_refused_before_anything_is_written(
    excel: EmulatedExcel, book: xw.Book
) -> None:
    book.sheets["Mag 17 Inputs"].impl.state.protected = True
    before = book.sheets["All Assets"].used_range.value
    excel.press(book, "RefreshFromDB")
    assert excel.app.alerts[-1] == (
        "clo-xl",
        "'Mag 17 Inputs' is protected: unprotect it (Review > Unprotect Sheet) and press the button again",
    )
    assert book.sheets["All Assets"].used_range.value == before
    quiet_and_clean(excel)


def test_sheet_names_clash_case_insensitively(excel: EmulatedExcel, book: xw.Book) -> None:
    book.sheets.add("parallel run")  # an analyst's own tab, Excel's "Parallel Run" whatever the case
    excel.press(book, "RunValidate")
    quiet_and_clean(excel)
    assert [s.name for s in book.sheets if s.name.lower() == "parallel run"] == ["Parallel Run"]


def test_refresh_grows_named_ranges_with_absolute_references(
    excel: EmulatedExcel, book: xw.Book, stored_private: str
) -> None:
    document = copy.deepcopy(refresh_deal(stored_private, DEAL).document)
    count = len(document["holdings"])
    document["holdings"].append({"brs_id": document["holdings"][0]["brs_id"], "par": 1_000_000.0})
    assert save_deal(stored_private, document, expected_version=1, actor="ops") == 2
    excel.press(book, "RefreshFromDB")
    quiet_and_clean(excel)
    name = next(n for n in book.sheets["Mag 17 Inputs"].names if n.name.endswith("!DealCollateral"))
    assert name.refers_to == f"='Mag 17 Inputs'!$D$4:$E${4 + count}"  # one row more, $-anchored
    assert book.sheets["Mag 17 Inputs"].range(f"E{4 + count}").value == 1_000_000.0


def test_after_a_par_change_and_save_the_functions_show_the_new_figures(
    excel: EmulatedExcel, book: xw.Book, stored_private: str
) -> None:
    ws = book.sheets.add("Figures")
    formulas = [
        '=CLO_WARF("Mag 17")',
        '=CLO_TEST("Mag 17", 36, "numerator")',
        '=CLO_TEST("Mag 17", 36, "denominator")',
        '=CLO_TEST("Mag 17", 35, "denominator")',
    ]
    for row, formula in enumerate(formulas, start=1):
        ws.range(f"A{row}").formula = formula
    warf, numerator, denominator, wal_par = (ws.range(f"A{r}").value for r in range(1, 5))
    assert warf == pytest.approx(numerator / denominator, rel=1e-12)
    excel.app.api_calls.clear()
    excel.press(book, "RefreshFromDB")
    assert "Application.CalculateFull" in excel.app.api_calls  # Refresh from DB asked for a full recalc
    inputs = book.sheets["Mag 17 Inputs"]
    holdings = inputs.range("D4:E30").value
    brs_id, par = next((b, p) for b, p in holdings if b and _rated(excel, ws, b))
    row = 4 + [h[0] for h in holdings].index(brs_id)
    factor = _factor(ws, brs_id)
    inputs.range(f"E{row}").value = par + 1_000_000.0
    assert ws.range("A1").value == warf  # the functions read the database, not the sheet: not yet saved
    excel.app.api_calls.clear()
    excel.press(book, "SaveToDB")
    quiet_and_clean(excel)
    assert excel.app.alerts[-1][1] == "saved to the database: Mag 17 v2"
    assert deal_stamp(stored_private, DEAL).version == 2
    assert "Application.CalculateFull" in excel.app.api_calls  # Save to DB asked Excel to recalculate all
    # hand arithmetic: one holding grows by 1,000,000 at its rating factor
    assert ws.range("A3").value == pytest.approx(denominator + 1_000_000.0, rel=1e-12)
    assert ws.range("A4").value == pytest.approx(wal_par + 1_000_000.0, rel=1e-12)
    assert ws.range("A2").value == pytest.approx(numerator + 1_000_000.0 * factor, rel=1e-12)
    assert ws.range("A1").value == pytest.approx(
        (numerator + 1_000_000.0 * factor) / (denominator + 1_000_000.0), rel=1e-12
    )
    # and every test of the saved deal equals the command line run on the stored version 2
    saved = cli("compliance", "--deal", DEAL, "--database-url", stored_private)
    assert next(t for t in saved["tests"] if t["number"] == 36)["result"] == ws.range("A1").value
    ws.range("C1").formula = '=CLO_TESTS("Mag 17")'
    rows = ws.range("C1").expand("table").options(ndim=2).value[1:]
    assert [(r[0], r[4]) for r in rows] == [(t["number"], t["result"]) for t in saved["tests"]]
    assert excel.app.violations == []


def _rated(excel: EmulatedExcel, ws: xw.Sheet, brs_id: str) -> bool:
    """A performing asset with a Moody's rating factor (so it counts in the WARF test)."""
    ws.range("Z1").formula = f'=CLO_DERIVE_RATING("{brs_id}", "WARF")'
    rating = ws.range("Z1").value
    return isinstance(rating, str) and not rating.startswith(("#CLO!", "C", "Ca"))


def _factor(ws: xw.Sheet, brs_id: str) -> float:
    ws.range("Z1").formula = f'=CLO_DERIVE_RATING("{brs_id}", "WARF")'
    ws.range("Z2").formula = "=CLO_RATING_FACTOR(Z1)"
    value: float = ws.range("Z2").value
    return value


def test_xlwings_conf_has_only_keys_with_values(excel: EmulatedExcel, sample_workbook: Path) -> None:
    config = get_config(excel.open(sample_workbook).impl)
    assert config["UDF MODULES"] == "clo_xl.excel.udfs" and config["USE UDF SERVER"] == "True"
    assert all(str(v).strip() for v in config.values()), config  # a blank key would override the ribbon
    assert "INTERPRETER_WIN" not in config and "PYTHONPATH" not in config


def test_an_unexpected_error_is_a_short_message_and_excel_is_handed_back(
    excel: EmulatedExcel, sample_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 9: screen updating, calculation mode and the status bar are restored in ``finally`` even when
    a handler fails half-way (after the button switched them); the analyst gets the error and the log file,
    not a traceback, which goes to the operational log."""
    log = tmp_path / "clo-xl.jsonl"
    monkeypatch.setenv("CLO_XL_LOG_FILE", str(log))
    book = excel.open(sample_workbook)
    seen: list[tuple[bool, str, object]] = []

    def broken(access: object) -> handlers.HandlerResult:
        seen.append((excel.app.screen_updating, excel.app.calculation, excel.app.status_bar))
        raise RuntimeError("disk full")

    monkeypatch.setattr(handlers, "run_compliance", broken)
    excel.press(book, "RunCompliance")
    assert seen[0][:2] == (False, "manual") and str(seen[0][2]).startswith("clo-xl: ")  # while it ran
    assert excel.app.alerts[-1] == ("clo-xl: internal error", f"RuntimeError: disk full\n(details in {log})")
    assert "Traceback" in log.read_text()
    assert excel.app.violations == []
    assert excel.app.screen_updating is True and excel.app.calculation == "automatic"
    assert excel.app.status_bar is False
