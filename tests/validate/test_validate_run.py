"""End to end: legacy tabs written by the Run Compliance / Run Hypo handlers, then `clo-xl validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.excel import handlers, tabs
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.validate.compare import read_value
from clo_xl.validate.formula_oracle import soffice_path
from clo_xl.validate.grid import WorkbookGrids, find_header

DEALS = ("Mag 6", "Mag 7", "Mag 8", "Mag 9", "Mag 11", "Mag 12", "Mag 14", "Mag 15", "Mag 16", "Mag 17")


@pytest.fixture(scope="module")
def legacy_workbook(tmp_path_factory: pytest.TempPathFactory, sample_workbook: Path) -> Path:
    """The sample workbook with a Compliance tab for every deal and the Mag 17 hypo tab (as a run writes
    them), unless the sample already carries them."""
    path = tmp_path_factory.mktemp("legacy") / sample_workbook.name
    path.write_bytes(sample_workbook.read_bytes())
    book = FileWorkbook(path)
    if not all(f"Compliance-{d}" in book.sheet_names() for d in DEALS):
        for deal, session in handlers.sessions(book, DEALS).items():  # as the Run Compliance button writes
            report = session.compliance()
            book.write_tab(tabs.compliance_tab(deal, report, row_count=len(session.deal_inputs.thresholds)))
        book.save()
    if not any(n.startswith("HYPO-") for n in FileWorkbook(path).sheet_names()):
        handlers.run_hypo(FileWorkbook(path))
    return path


def _validate(path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["validate", str(path), "--json", "--no-libreoffice", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_the_sample_validates_clean_with_hundreds_of_results(
    legacy_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = _validate(legacy_workbook, capsys=capsys)
    assert code == 0, doc["breaks"]
    compared = doc["compared"]
    assert isinstance(compared, int) and compared >= 300
    assert doc["breaks"] == [] and doc["tolerance"] == 1e-05


def test_a_changed_result_cell_is_a_break_naming_sheet_and_cell(
    legacy_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / legacy_workbook.name
    path.write_bytes(legacy_workbook.read_bytes())
    sheet = "Compliance-Mag 17"
    grid = WorkbookGrids(path).grid(sheet)
    head = find_header(grid, "Test Num")
    assert head is not None
    results_col = next(c for c, v in enumerate(grid[head.row - 1], start=1) if v == "Results")
    row = next(r for r in range(head.row + 1, len(grid) + 1) if grid[r - 1][head.column - 1] == 7)
    original = read_value(grid[row - 1][results_col - 1]).number
    assert original is not None
    from clo_xl.ingest.raw import column_letter

    cell = f"{column_letter(results_col)}{row}"
    book = FileWorkbook(path)
    book.write_table(sheet, cell, [[f"{original * 100 + 0.25:.4f}%"]])  # +0.25 percentage points
    book.save()
    code, doc = _validate(path, capsys=capsys)
    assert code == 1
    breaks = doc["breaks"]
    assert isinstance(breaks, list)
    assert [(b["sheet"], b["cell"], b["item"]) for b in breaks] == [(sheet, cell, "test 7 result")]
    assert breaks[0]["legacy"] == pytest.approx(original + 0.0025, abs=1e-9)


def test_reports_have_the_parallel_run_sheet(legacy_workbook: Path, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    from clo_xl.validate.run import run_validation

    result = run_validation(legacy_workbook, report=tmp_path / "pr.html", libreoffice=False)
    html, xlsx = (tmp_path / "pr.html"), (tmp_path / "pr.xlsx")
    assert html.is_file() and "Parallel run" in html.read_text("utf-8")
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("Parallel Run").to_python()
    assert rows[0] == ["item", "cell", "legacy", "python", "difference", "status"]
    assert len(rows) - 1 == result.compared


def test_corrected_convention_explains_differences_by_switch(legacy_workbook: Path) -> None:
    from clo_xl.validate.run import run_validation

    result = run_validation(legacy_workbook, libreoffice=False, convention="corrected")
    assert result.compared >= 300
    # every difference of the corrected convention is reproduced by the legacy one and named by a switch
    assert result.breaks == [], [o.to_json() for o in result.breaks[:5]]
    for outcome in result.explained:
        assert outcome.explanation and all(name.startswith("Q") for name in outcome.explanation.split(", "))


@pytest.mark.libreoffice
def test_libreoffice_formulas_agree_with_the_engine(legacy_workbook: Path) -> None:
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from clo_xl.validate.run import run_validation

    result = run_validation(legacy_workbook, libreoffice=True)
    oracle = [o for o in result.outcomes if o.check.source == "LibreOffice formula"]
    # WAS, WAL numerator/denominator, largest obligor and senior-secured share for every deal, WARF and
    # WARR where the deal computes them: at least 5 per deal
    assert len(oracle) >= 5 * len(DEALS)
    assert [o.to_json() for o in oracle if o.status != "match"] == []
    # country groups (tests 14, 16, 18, 20, 22, 24 on every deal; 15 where listed) by SUMPRODUCT/MATCH
    # over the sets written out from the spec, recalculated by LibreOffice
    countries = [o for o in oracle if "countries share" in o.check.item or "non-USA" in o.check.item]
    assert len(countries) >= 4 * len(DEALS)


@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_deal_cf_tab_is_compared_cell_by_cell(legacy_workbook: Path, tmp_path: Path) -> None:
    from clo_xl.validate.run import run_validation

    path = tmp_path / legacy_workbook.name
    path.write_bytes(legacy_workbook.read_bytes())
    written = handlers.run_cash_flows(FileWorkbook(path)).sheets[0]
    result = run_validation(path, libreoffice=False)
    on_tab = [o for o in result.outcomes if o.check.sheet == written]
    assert len(on_tab) > 100 and all(o.status == "match" for o in on_tab)
    book = FileWorkbook(path)
    # the legacy Deal Info block (CASHFLOW_SPEC §9): B1 title, B2 headers, period 1 in row 3
    assert book.read_range(written, "B1:F2") == [
        ["Deal Info", None, None, None, None],
        ["Period", "Payment Date", "Collection Begin", "Collection End", "Interest Proceeds"],
    ]
    interest = book.read_range(written, "F3")[0][0]  # period 1 interest proceeds
    assert isinstance(interest, float)
    book.write_table(written, "F3", [[interest * 1.001]])
    book.save()
    broken = run_validation(path, libreoffice=False).breaks
    assert [(o.check.sheet, o.check.cell) for o in broken] == [(written, "F3")]


@pytest.mark.libreoffice
def test_the_formula_check_can_fail(legacy_workbook: Path, tmp_path: Path) -> None:
    # the same formulas against a Python WARF moved by 1%: LibreOffice's value must not agree with it
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from clo_xl.api import DealSession
    from clo_xl.validate import formula_oracle
    from clo_xl.validate.model import judge

    model = DealSession.from_workbook(legacy_workbook, "Mag 17")
    doc = model.compliance().to_json()
    for test in doc["tests"]:
        if test["number"] == 36:
            test["result"] *= 1.01
    grids = WorkbookGrids(legacy_workbook)
    layouts = formula_oracle.build_check_workbook(
        grids, {"Mag 17": doc}, model.derived_inputs(), tmp_path / "check.xlsx"
    )
    recalculated = formula_oracle.recalculate(tmp_path / "check.xlsx", tmp_path / "out")
    outcomes = [judge(c, 1e-5) for c in formula_oracle.formula_checks(recalculated, layouts)]
    broken = [o.check.item for o in outcomes if o.status == "break"]
    assert len(broken) == 1 and "WARF (test 36)" in broken[0]
    assert len(outcomes) >= 6


def test_readable_output_lists_the_explained_differences_with_their_switch(
    legacy_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(legacy_workbook), "--no-libreoffice", "--convention", "corrected"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Explained by a legacy switch" in out and "Explained differences" in out
    assert "Q11_DEFAULTED_IN_POPULATIONS" in out  # the sample holds defaulted assets (tests 29, 32, 37)
