"""CLO_ functions called as Excel would call them: plain values in, plain values out, errors as #CLO! text.

Expected numbers come from independent routes: the DOMAIN.md rating-factor table, sums over the sheet's
own cells (read here with python-calamine, not through the engine), and a changed input re-read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from clo_xl.excel import deal_cache, udfs
from clo_xl.excel.formatting import ERROR_PREFIX, as_table, excel_error, plain_number, plain_text
from clo_xl.excel.xlsx_package import XlsxPackage


@pytest.fixture
def bound(sample_workbook: Path) -> Iterator[Path]:
    deal_cache.CACHE.clear()
    deal_cache.bind_workbook(sample_workbook)
    yield sample_workbook
    deal_cache.bind_workbook(None)
    deal_cache.CACHE.clear()


@pytest.mark.parametrize(
    ("rating", "factor"),
    [("Aaa", 1), ("Baa3", 610), ("B2", 2720), ("b2", 2720), ("CAA1", 4770), ("Ca", 10000), ("XYZ", 10000)],
)
def test_rating_factor_follows_the_moodys_table(rating: str, factor: float) -> None:
    # DOMAIN.md: Baa3 610, B2 2720, Caa1 4770, Ca 10000; the WARF test's table gives unknown ratings 10000
    assert udfs.CLO_RATING_FACTOR(rating) == factor


def test_errors_are_short_text_never_tracebacks() -> None:
    assert udfs.CLO_RATING_FACTOR(None) == f"{ERROR_PREFIX} rating is empty"
    assert udfs.CLO_RATING_FACTOR([["B2"]]) == 2720  # a 1x1 range arrives as a nested list
    deal_cache.bind_workbook(None)
    assert udfs.CLO_WARF("Mag 17").startswith(f"{ERROR_PREFIX} no workbook")
    long = excel_error("x" * 500 + "\nsecond line")
    assert long.startswith(ERROR_PREFIX) and len(long) < 130 and "second" not in long


def test_argument_parsing() -> None:
    assert plain_text(17.0, "deal") == "17" and plain_text("  Mag 17 ", "deal") == "Mag 17"
    assert plain_number("2.5%", "cpr") == pytest.approx(0.025)
    assert plain_number("1,000", "par") == 1000.0
    with pytest.raises(Exception, match="must be a number"):
        plain_number("abc", "par")
    assert as_table(["a", "b"], [[1], [float("nan"), 2]]) == [["a", "b"], [1, None], [None, 2]]


def _nd_par(path: Path, deal: str) -> float:
    """Σ holding par of non-defaulted assets, straight from the sheet cells (COMPLIANCE_SPEC §4.2 'ND')."""
    book = CalamineWorkbook.from_path(str(path))
    assets = book.get_sheet_by_name("All Assets").to_python()
    col = assets[0].index("Default Obligation")
    defaulted = {str(r[0]).strip() for r in assets[1:] if r[col] == "Yes"}
    sheet = book.get_sheet_by_name(f"{deal} Inputs").to_python(skip_empty_area=False)
    total = 0.0
    for row in sheet[3:]:
        brs, par = row[3], row[4]
        if brs in (None, ""):
            break
        if str(brs).strip() not in defaulted:
            total += float(par)
    return total


def test_deal_functions_read_the_bound_workbook(bound: Path) -> None:
    # test 35's denominator is the non-defaulted par, which the sheet gives directly
    assert udfs.CLO_TEST("Mag 17", 35, "denominator") == pytest.approx(_nd_par(bound, "Mag 17"), rel=1e-12)
    assert udfs.CLO_WAL("Mag 17") == udfs.CLO_TEST("Mag 17", 35)
    assert udfs.CLO_WARF("Mag 17") == udfs.CLO_TEST("Mag 17", 36)
    assert udfs.CLO_TEST("Mag 17", "7", "pass") in (True, False)
    table = udfs.CLO_TESTS("Mag 17")
    assert table[0][:2] == ["Test Num", "Test Name"] and len(table) > 30
    assert all(len(r) == len(table[0]) for r in table)
    assert udfs.CLO_TEST("Mag 99", 7).startswith(f"{ERROR_PREFIX} unknown deal 'Mag 99'")
    assert udfs.CLO_TEST("Mag 17", 99) == f"{ERROR_PREFIX} deal 'Mag 17' has no test 99"
    assert udfs.CLO_TEST("Mag 17", 7, "colour").startswith(f"{ERROR_PREFIX} unknown field 'colour'")


def test_measures_exist_even_where_the_deal_has_no_such_test(bound: Path) -> None:
    # Mag 6 lists neither test 36 nor 37 (COMPLIANCE_SPEC §4.5) but its WARF and diversity still have values
    assert 1 <= udfs.CLO_WARF("Mag 6") <= 10000
    assert udfs.CLO_DIVERSITY("Mag 6") > 0


def test_hypo_spills_before_and_after(bound: Path) -> None:
    sheet = CalamineWorkbook.from_path(str(bound)).get_sheet_by_name("Mag 17 Inputs")
    held = str(sheet.to_python(skip_empty_area=False)[3][3])  # D4: the first holding of the deal
    table = udfs.CLO_HYPO("Mag 17", [[held, "Sale", 1_000_000.0, None]])
    assert table[0][:4] == ["Test Num", "Test Name", "Threshold", "Result"]
    by_number = {row[0]: row for row in table[1:]}
    # every test has a before and an after value; an unknown asset is reported by the engine, not a crash
    assert 35 in by_number and by_number[35][3] is not None and by_number[35][5] is not None
    assert udfs.CLO_HYPO("Mag 17", [["NOT-AN-ID", "Buy", 1.0, None]])[0][0] == "Test Num"


def test_derived_ratings(bound: Path) -> None:
    book = CalamineWorkbook.from_path(str(bound)).get_sheet_by_name("All Assets").to_python()
    brs = str(book[1][0])
    assert udfs.CLO_DERIVE_RATING(brs, "WARF") is None or isinstance(udfs.CLO_DERIVE_RATING(brs, "WARF"), str)
    assert 0 <= udfs.CLO_DERIVE_RATING(brs, "Recovery") <= 1
    assert udfs.CLO_DERIVE_RATING("NOT-AN-ID").startswith(f"{ERROR_PREFIX} unknown BLKRockID")


def _set_number(path: Path, sheet: str, cell: str, value: float) -> None:
    """Change one numeric cell in the package XML (keeps every formula's cached value, unlike openpyxl)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    workbook = parts["xl/workbook.xml"].decode()
    rel_id = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', workbook)
    assert rel_id is not None
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rel_id.group(1)}"[^>]*Target="([^"]+)"', rels)
    assert target is not None
    part = "xl/" + target.group(1)
    xml = parts[part].decode()
    new, count = re.subn(rf'(<c r="{cell}"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{value!r}</v>", xml)
    assert count == 1
    parts[part] = new.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_cache_is_reused_until_an_input_changes(sample_workbook: Path, tmp_path: Path) -> None:
    path = tmp_path / sample_workbook.name
    path.write_bytes(sample_workbook.read_bytes())
    deal_cache.CACHE.clear()
    deal_cache.bind_workbook(path)
    try:
        before = udfs.CLO_TEST("Mag 17", 35, "denominator")
        keys = set(deal_cache.CACHE._entries)
        udfs.CLO_WARF("Mag 17")
        assert set(deal_cache.CACHE._entries) == keys  # same inputs: the same evaluated deal is reused
        # an output tab is not an input: adding one keeps the key (a hash of the input sheets' values)
        package = XlsxPackage(path)
        package.add_sheet("Compliance-Extra", [["x"]])
        package.save(path)
        udfs.CLO_WARF("Mag 17")
        assert set(deal_cache.CACHE._entries) == keys
        # a changed holding par is a new key: +1,000,000 on a non-defaulted holding moves the ND par by that
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Mag 17 Inputs")
        rows = sheet.to_python(skip_empty_area=False)
        assets = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("All Assets").to_python()
        col = assets[0].index("Default Obligation")
        defaulted = {str(r[0]).strip() for r in assets[1:] if r[col] == "Yes"}
        r = next(i for i in range(3, len(rows)) if rows[i][3] and str(rows[i][3]).strip() not in defaulted)
        _set_number(path, "Mag 17 Inputs", f"E{r + 1}", float(rows[r][4]) + 1_000_000.0)
        after = udfs.CLO_TEST("Mag 17", 35, "denominator")
        assert set(deal_cache.CACHE._entries) != keys
        assert after - before == pytest.approx(1_000_000.0)
    finally:
        deal_cache.bind_workbook(None)
        deal_cache.CACHE.clear()
