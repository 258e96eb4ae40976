"""Reports are macro-free ``.xlsx``: no VBA project in the package and the plain-workbook content type, so
a report mailed around cannot carry code (only the analysts' own ``TradeHypo.xlsm`` holds macros)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from clo_xl.cli import main

MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def assert_macro_free(path: Path) -> None:
    assert path.suffix == ".xlsx", path
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        types = zf.read("[Content_Types].xml").decode()
    assert not [n for n in names if "vbaProject" in n or n.endswith(".bin")], names
    assert MACRO_TYPE not in types and PLAIN_TYPE in types


def test_the_check_recognises_a_macro_workbook(base_workbook: Path, tmp_path: Path) -> None:
    copy = tmp_path / "looks-like-a-report.xlsx"
    copy.write_bytes(base_workbook.read_bytes())
    with pytest.raises(AssertionError):
        assert_macro_free(copy)


def test_validate_report_workbook_is_macro_free(
    base_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "parallel-run.html"
    code = main(["validate", str(base_workbook), "--report", str(report), "--no-libreoffice", "--json"])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err[-1500:]  # 1 = breaks found: still a report
    written = sorted(p for p in tmp_path.rglob("*.xls*"))
    assert written, "validate --report wrote no workbook"
    for path in written:
        assert_macro_free(path)
