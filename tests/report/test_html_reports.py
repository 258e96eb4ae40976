"""HTML reports: one template set and style, breaks first, matches folded, money with separators, ratios
as percent; the parallel-run workbook's cells carry the same kinds as number formats."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from clo_xl.report.formats import Column, Kind
from clo_xl.report.html import Page
from clo_xl.validate.model import Check, ValidationResult, judge
from clo_xl.validate.report import value_kind, write_reports


def _result(tmp_path: Path) -> ValidationResult:
    sheet = "Compliance-Mag 17"
    checks = [
        Check(sheet, "E2", "test 1 numerator", 463_000_000.0, 463_592_395.08),  # break, money
        Check(sheet, "G8", "test 7 result", "3.5000%", 0.0321015),  # break, a ratio shown as text
        Check(sheet, "G36", "test 37 result", "68.437", 68.4366),  # match, diversity: a number
        *[
            Check("Compliance-Mag 6", f"H{i}", f"test {i} threshold", f"{i / 1000:.4%}", i / 1000)
            for i in range(2, 40)
        ],
    ]
    outcomes = [judge(c, 1e-5) for c in checks]
    result = ValidationResult(tmp_path / "broken.xlsm", 1e-5, "legacy", outcomes)
    result.seconds = 2.5
    return result


def test_parallel_run_page_shows_breaks_first_and_folds_the_matches(tmp_path: Path) -> None:
    result = _result(tmp_path)
    assert [o.check.cell for o in result.breaks] == ["E2", "G8"]
    html_path, _ = write_reports(result, tmp_path / "pr.html")
    page = html_path.read_text(encoding="utf-8")
    breaks_at = page.index("Unexplained breaks (2)")
    matches_at = page.index("Matches (")
    assert breaks_at < matches_at
    assert "<details>" in page[matches_at:] and "<details>" not in page[:matches_at]
    assert "463,000,000.00" in page and "463,592,395.08" in page  # money with separators
    assert "3.500%" in page and "3.210%" in page  # ratios as percent
    assert "68.4370" in page  # a measure stays a number
    assert not re.search(r"\d\.\d+e[+-]\d", page)  # no scientific notation anywhere
    assert "http://" not in page and "https://" not in page  # one self-contained file


def test_parallel_run_sheet_formats_each_cell_by_what_it_is(tmp_path: Path) -> None:
    _, xlsx_path = write_reports(_result(tmp_path), tmp_path / "pr.html")
    ws = openpyxl.load_workbook(xlsx_path)["Parallel Run"]
    assert [c.value for c in ws[1]] == ["item", "cell", "legacy", "python", "difference", "status"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    money, ratio, measure = rows["test 1 numerator"], rows["test 7 result"], rows["test 37 result"]
    assert money[2].number_format == money[3].number_format == "#,##0.00;-#,##0.00"
    assert ratio[2].number_format == "0.000%" and ratio[2].value == 0.035
    assert measure[3].number_format == "#,##0.0000"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref is not None
    assert [r[5].value for r in ws.iter_rows(min_row=2, max_row=3)] == ["break", "break"]  # breaks first


def test_value_kinds_of_parallel_run_items() -> None:
    assert value_kind("test 7 result", 0.0321) is Kind.RATIO
    assert value_kind("hypo test 36 hypo_result", 2634.2) is Kind.NUMBER  # WARF
    assert value_kind("test 1 denominator", 4.8e8) is Kind.MONEY
    assert value_kind("Mag 17 non-USA share (test 14)", 0.1) is Kind.RATIO
    assert value_kind("anything", "12.5%") is Kind.RATIO


def test_one_template_escapes_text_and_formats_cells(tmp_path: Path) -> None:
    page = Page("A <b>title</b>", subtitle="sub")
    page.heading("Numbers")
    page.table(
        [Column("Name"), Column("Par", Kind.MONEY), Column("Share", Kind.RATIO)],
        [["<script>alert(1)</script>", 1234567.891, 0.1234]],
    )
    page.details("Folded", lambda inner: inner.paragraph("inside"))
    text = page.write(tmp_path / "p.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert "A &lt;b&gt;title&lt;/b&gt;" in text
    assert '<td class="num">1,234,567.89</td>' in text and "12.340%" in text
    assert '<a href="#numbers">Numbers</a>' not in text  # one heading: no navigation bar
    assert text.count("<style>") == 1 and "thead th{" in text
