"""The one xlsx module: A1 references, Excel serial dates, the package's names and parts, and the integrity
scan that finds damaged parts, malformed sheet XML and formula-error cells with their sheet and cell."""

from __future__ import annotations

import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.corpus.xlsx_edit import Package as Editor
from tests.corpus.xlsx_edit import XlError

from clo_xl import xlsx

# -- A1 references ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "letters"),
    # Excel's own limits: A = 1, Z = 26, AA = 27, AZ = 52, BR = 70 (the last All Assets column), XFD = 16384
    [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (70, "BR"), (16384, "XFD")],
)
def test_column_letters_both_ways(index: int, letters: str) -> None:
    assert xlsx.column_letter(index) == letters
    assert xlsx.column_index(letters) == index
    assert xlsx.column_index(letters.lower()) == index


@pytest.mark.parametrize("bad", ["", "A1", "ÄB", "ABCD", "1"])
def test_column_index_refuses_what_is_not_a_column(bad: str) -> None:
    with pytest.raises(ValueError):
        xlsx.column_index(bad)


def test_cells_and_ranges() -> None:
    assert xlsx.parse_cell("$AK$7") == (7, 37)
    assert xlsx.cell_ref(7, 37) == "AK7"
    area = xlsx.parse_range("'Mag 17 Inputs'!$D$4:$E$198")
    assert (area.sheet, area.row1, area.col1, area.row2, area.col2) == ("Mag 17 Inputs", 4, 4, 198, 5)
    assert xlsx.parse_range("='O''Brien'!B2").sheet == "O'Brien"
    assert xlsx.parse_range("C3").a1 == "C3"
    assert xlsx.range_ref(4, 4, 198, 5, "Mag 17 Inputs") == "'Mag 17 Inputs'!$D$4:$E$198"
    assert (5, 4) in xlsx.parse_range("D4:E198")
    for bad in ("#REF!", "'S'!#REF!", "A1:B2,C3", "A0", "1A", "A1:"):
        with pytest.raises(ValueError):
            xlsx.parse_range(bad)


# -- serial dates ----------------------------------------------------------------------------------------


def test_serial_dates_follow_excel() -> None:
    # published reference points of the 1900 date system: 2000-01-01 is 36526 and 1900-03-01 is 61 (serial 60
    # is Excel's fictitious 1900-02-29); 9999-12-31 is the last date Excel holds (2958465)
    assert xlsx.excel_serial(date(2000, 1, 1)) == 36526
    assert xlsx.excel_serial(date(1900, 3, 1)) == 61
    assert xlsx.from_serial(36526) == date(2000, 1, 1)
    assert xlsx.from_serial(xlsx.MAX_SERIAL) == date(9999, 12, 31)
    assert xlsx.excel_serial(datetime(2000, 1, 1, 18)) == 36526.75
    for bad in (0, -1, xlsx.MAX_SERIAL + 1):
        with pytest.raises(ValueError):
            xlsx.from_serial(bad)


# -- the package -------------------------------------------------------------------------------------------


def test_sample_package_lists_sheets_names_and_parts(sample_workbook: Path) -> None:
    with xlsx.Package(sample_workbook) as pkg:
        assert pkg.sheet_names[:2] == ("Run Model", "Mag 6 Inputs")
        entry = pkg.sheet("All Assets")
        assert entry is not None and entry.part in pkg.part_names
        all_assets = pkg.name("AllAssets")
        assert all_assets is not None and all_assets.area() is not None
        collateral = pkg.name("DealCollateral", "Mag 17 Inputs")
        assert collateral is not None
        area = collateral.area()
        assert area is not None and (area.sheet, area.col1, area.col2) == ("Mag 17 Inputs", 4, 5)
        assert pkg.main_content_type == xlsx.MACRO_WORKBOOK_TYPE
        problems: list[xlsx.PackageProblem] = []
        scans = pkg.scan(problems.append)
        assert problems == []
        assert set(scans) == set(pkg.sheet_names)
        assert all(not s.errors and not s.uncached for s in scans.values())


def _edited(base: Path, out: Path, edit: object) -> Path:
    pkg = Editor(base)
    edit(pkg)  # type: ignore[operator]
    return pkg.save(out)


def _problems(path: Path) -> list[xlsx.PackageProblem]:
    found: list[xlsx.PackageProblem] = []
    with xlsx.Package(path) as pkg:
        pkg.scan(found.append)
    return found


def test_scan_finds_error_cells_and_uncached_formulas(sample_workbook: Path, tmp_path: Path) -> None:
    def edit(pkg: Editor) -> None:
        pkg.set("Mag 17 Inputs", "E5", XlError("#DIV/0!"))
        part = pkg.sheet_part("Mag 17 Inputs")
        xml = pkg.text(part)
        pkg.put(
            part, xml.replace("</sheetData>", '<row r="900"><c r="B900"><f>1+1</f></c></row></sheetData>')
        )

    path = _edited(sample_workbook, tmp_path / "e.xlsm", edit)
    with xlsx.Package(path) as pkg:
        scans = pkg.scan(lambda p: pytest.fail(str(p)))
    assert scans["Mag 17 Inputs"].errors == {(5, 5): "#DIV/0!"}
    assert scans["Mag 17 Inputs"].uncached == {(900, 2)}


def test_scan_sees_cells_across_chunk_boundaries() -> None:
    """Error cells straddling the 1 MiB read chunks are still found (the scan looks ahead and behind)."""
    import io

    head = f'<worksheet xmlns="{xlsx.MAIN_NS}"><sheetData>'.encode()
    tail = b'<row r="9999"><c r="A9999"><v>1</v></c></row></sheetData></worksheet>'
    error = b'<row r="9000"><c r="B9000" t="e"><v>#N/A</v></c></row>'
    formula = b'<row r="9000"><c r="C9000" s="1"><f>1+1</f></c></row>'
    for cells, expected in ((error, ({(9000, 2): "#N/A"}, set())), (formula, ({}, {(9000, 3)}))):
        for shift in range(-len(cells) - 2, 3):  # every split of the cell by the first chunk boundary
            pad = (1 << 20) + shift - len(head)
            filler = b'<row r="1"><c r="A1"><v>0</v></c></row>' + b" " * (pad - 40)
            scan = xlsx.scan_xml(io.BytesIO(head + filler + cells + tail), watch_cells=True)
            assert (scan.errors, scan.uncached) == expected, (cells, shift)


def _replace_in(sheet: str, old: str, new: str) -> object:
    def edit(pkg: Editor) -> None:
        part = pkg.sheet_part(sheet)
        pkg.put(part, pkg.text(part).replace(old, new, 1))

    return edit


@pytest.mark.parametrize(
    ("name", "edit", "words"),
    [
        (
            "mismatched tag",
            lambda p: p.put(
                p.sheet_part("Mag 17 Inputs"),
                p.text(p.sheet_part("Mag 17 Inputs")).replace("</row>", "</rowx>", 1),
            ),
            ("'Mag 17 Inputs'", "not well-formed", "mismatched tag"),
        ),
        (
            "undefined entity",
            lambda p: p.put(
                p.sheet_part("All Assets"),
                p.text(p.sheet_part("All Assets")).replace('<c r="B5"', '<c r="B5" x="&nope;"', 1),
            ),
            ("'All Assets'", "undefined entity"),
        ),
        (
            "missing part",
            lambda p: p.drop(p.sheet_part("Reference Table")),
            ("'Reference Table'", "missing"),
        ),
    ],
)
def test_scan_names_the_sheet_of_a_broken_part(
    name: str, edit: object, words: tuple[str, ...], sample_workbook: Path, tmp_path: Path
) -> None:
    found = _problems(_edited(sample_workbook, tmp_path / "b.xlsm", edit))
    assert len(found) == 1, found
    for word in words:
        assert word in str(found[0]), (name, str(found[0]))
    assert found[0].sheet is not None


def _corrupt_central_crc(source: Path, target: Path, part: str) -> Path:
    data = bytearray(source.read_bytes())
    info = zipfile.ZipFile(source).getinfo(part)
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack("<H", data[i + 28 : i + 30])[0]
        if data[i + 46 : i + 46 + n] == part.encode():
            break
        i = data.find(b"PK\x01\x02", i + 1)
    data[i + 16 : i + 20] = struct.pack("<I", info.CRC ^ 0xFFFF)
    target.write_bytes(bytes(data))
    return target


def test_scan_reports_a_bad_crc_with_its_sheet(sample_workbook: Path, tmp_path: Path) -> None:
    part = Editor(sample_workbook).sheet_part("Mag 17 Inputs")
    found = _problems(_corrupt_central_crc(sample_workbook, tmp_path / "crc.xlsm", part))
    assert len(found) == 1 and found[0].sheet == "Mag 17 Inputs"
    assert "CRC" in str(found[0])


def test_bad_shared_string_index_is_located(sample_workbook: Path, tmp_path: Path) -> None:
    def edit(pkg: Editor) -> None:
        part = pkg.sheet_part("Mag 17 Inputs")
        xml = pkg.text(part)
        start = xml.index('<c r="D5"')
        end = xml.index("</c>", start) + len("</c>")
        pkg.put(part, xml[:start] + '<c r="D5" t="s"><v>999999</v></c>' + xml[end:])

    path = _edited(sample_workbook, tmp_path / "sst.xlsm", edit)
    with xlsx.Package(path) as pkg:
        count = pkg.shared_string_count()
        assert count is not None and count > 100
        assert pkg.bad_shared_string_cells("Mag 17 Inputs", count) == [("D5", "999999")]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"BLKRockID,Par\nX,1\n", "not an Excel workbook"),
        (xlsx.OLE_MAGIC + b"\x00" * 600, "encrypted"),
    ],
)
def test_files_that_are_not_packages(content: bytes, words: str, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsm"
    path.write_bytes(content)
    with pytest.raises(xlsx.PackageProblem, match=words):
        xlsx.Package(path)


# -- a large sheet in pieces of whole rows ---------------------------------------------------------------


def test_row_pieces_cut_whole_rows_wherever_the_chunks_end() -> None:
    """Fed in chunks of every small size, the pieces are whole rows, in order, together the sheet data;
    what follows ``</sheetData>`` is kept for the merged ranges, even when the marker straddles chunks."""
    rows = b"".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode() for r in range(1, 40))
    xml = (
        f'<?xml version="1.0"?><worksheet xmlns="{xlsx.MAIN_NS}"><dimension ref="A1:A39"/>'.encode()
        + b"<sheetData>"
        + rows
        + b'</sheetData><mergeCells count="1"><mergeCell ref="B2:C3"/></mergeCells></worksheet>'
    )
    for step in (1, 2, 5, 7, 11, 12, 13, 64, len(xml)):
        pieces: list[bytes] = []
        cutter = xlsx.RowPieces(pieces.append, size=100)
        for at in range(0, len(xml), step):
            cutter(xml[at : at + step])
        assert cutter.finish(), step
        assert b"".join(pieces) == rows, step
        assert all(p.startswith(b"<row") and p.endswith(b"</row>") for p in pieces), step
        assert cutter.merges() == [(2, 2, 3, 3)], step
        assert step >= len(xml) or len(pieces) > 1


def test_row_pieces_leave_a_prefixed_part_to_a_whole_read() -> None:
    xml = f'<x:worksheet xmlns:x="{xlsx.MAIN_NS}"><x:sheetData><x:row r="1"/></x:sheetData></x:worksheet>'
    pieces: list[bytes] = []
    cutter = xlsx.RowPieces(pieces.append, size=1)
    cutter(xml.encode())
    assert not cutter.finish() and pieces == []


def test_piece_book_reads_cells_as_the_package_does(sample_workbook: Path) -> None:
    """A piece of the sample's All Assets read through its own small workbook gives the same values as
    the whole sheet (shared strings, styles: dates as dates)."""
    import io

    import python_calamine

    whole = python_calamine.CalamineWorkbook.from_path(str(sample_workbook)).get_sheet_by_name("All Assets")
    expected = whole.to_python(skip_empty_area=False)
    with xlsx.Package(sample_workbook) as pkg:
        entry = pkg.sheet("All Assets")
        assert entry is not None and entry.part is not None
        pieces: list[bytes] = []
        cutter = xlsx.RowPieces(pieces.append, size=1)
        pkg.scan_part(entry.part, on_chunk=cutter)
        assert cutter.finish() and len(pieces) >= 2
        got: list[Any] = []
        for rows in pieces:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(pkg.piece_book(rows)))
            sheet = book.get_sheet_by_name(xlsx.PIECE_SHEET)
            assert sheet.start is not None and sheet.start[0] == len(got)
            got.extend(sheet.to_python(skip_empty_area=True))
    assert got == expected
    assert any(isinstance(v, date) for v in got[1])
