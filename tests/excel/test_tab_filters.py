"""Output tabs written into the workbook have their header frozen and an autofilter over the table under it
(the header's first run of filled cells, down to the first blank row)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.table import Tab
from clo_xl.xlsx import column_letter


def test_filter_range_of_a_tab() -> None:
    values = (
        ("Title", None, None, None),
        ("#", "Test", "Result", None),
        (1, "a", 0.5, None),
        (2, "b", 0.7, None),
        (None, None, None, None),
        ("⚠ a legacy effect", None, None, None),
    )
    tab = Tab("T", values, tuple((None,) * 4 for _ in values), freeze_rows=2)
    assert tab.filter_range == (2, 2, 4, 4)  # anchor B1: header on sheet row 2, columns B..D, rows 2..4
    assert Tab("T", values, tab.formats).filter_range is None  # nothing frozen: no filter
    assert Tab("T", values[:2], tab.formats[:2], freeze_rows=2).filter_range is None  # a header alone


def _sheet_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(name)}"[^>]*r:id="([^"]+)"', book)
        assert rid is not None, name
        target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
        if target is None:
            target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
        assert target is not None
        return z.read("xl/" + target.group(1).removeprefix("/xl/")).decode()


def test_compliance_tab_is_filtered_and_frozen(workbook_copy: Path) -> None:
    book = FileWorkbook(workbook_copy)
    result = handlers.run_compliance(book)
    book.save()
    name = next(s for s in result.sheets if s.startswith("Compliance-"))
    xml = _sheet_xml(workbook_copy, name)
    assert 'state="frozen"' in xml
    found = re.search(r'<autoFilter ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/>', xml)
    assert found is not None
    assert found.group(1) == column_letter(2) and int(found.group(2)) == 1  # the header row, from column B
    assert int(found.group(4)) > 30  # every test row of the deal
    assert FileWorkbook(workbook_copy).read_sheet(name)  # the package still reads
