"""All Assets is read in one checked pass, a piece of whole rows at a time (``clo_xl.xlsx.RowPieces``): the
values, the rows they come from and the problems found must not depend on where the pieces are cut. Checked
against python-calamine reading the whole sheet at once (the route the reader took before), and with pieces
as small as one read chunk against the default size."""

from __future__ import annotations

from pathlib import Path

import pytest
import python_calamine
from tests.corpus.xlsx_edit import Package as Editor
from tests.corpus.xlsx_edit import XlError

from clo_xl.errors import InputRejected
from clo_xl.ingest import workbook
from clo_xl.ingest.layout import ALL_ASSETS_HEADERS
from clo_xl.ingest.workbook import read_workbook


def _whole_sheet_columns(path: Path) -> dict[str, list[object]]:
    """All Assets as python-calamine reads the whole sheet: the rows with an ID, '' read as None."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("All Assets").to_python()
    kept = [r for r in rows[1:] if r and r[0] not in ("", None)]
    return {h: [None if r[j] == "" else r[j] for r in kept] for j, h in enumerate(ALL_ASSETS_HEADERS)}


@pytest.mark.parametrize("piece_bytes", [1, workbook.PIECE_BYTES])
def test_all_assets_in_pieces_reads_as_the_whole_sheet(
    sample_workbook: Path, monkeypatch: pytest.MonkeyPatch, piece_bytes: int
) -> None:
    monkeypatch.setattr(workbook, "PIECE_BYTES", piece_bytes)
    table = read_workbook(sample_workbook).assets
    expected = _whole_sheet_columns(sample_workbook)
    for header in ALL_ASSETS_HEADERS:
        assert list(table.column(header)) == expected[header], header
    assert list(table.row_numbers or []) == list(range(2, 2 + len(expected["BLKRockID"])))


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputRejected) as caught:
        read_workbook(path)
    return [str(p) for p in caught.value.problems]


def test_problems_do_not_depend_on_the_pieces(
    sample_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank row (rows 600-602 removed: no cells at all), an error cell and a merged area far down the
    sheet are each reported once, at their cells, whether the sheet is read in one piece or in many."""
    editor = Editor(sample_workbook)
    for _ in range(3):
        editor.insert_blank_row("All Assets", 600)
    editor.set("All Assets", "E900", XlError("#N/A"))
    editor.merge("All Assets", "B950:C950")
    path = editor.save(tmp_path / "pieces.xlsm")
    one = _problems(path)
    monkeypatch.setattr(workbook, "PIECE_BYTES", 1)
    many = _problems(path)
    assert many == one
    text = "\n".join(one)
    assert "cell A600" in text and "blank row 600" in text
    assert "cell E900" in text and "#N/A" in text
    assert "B950:C950" in text


def test_rows_written_out_of_order_read_as_the_whole_sheet(
    sample_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 5 written after the last row (the spec wants rows in order; python-calamine places them by
    number): the pieces cannot place it, so the sheet is read again whole: same values, rows in order."""
    editor = Editor(sample_workbook)
    part = editor.sheet_part("All Assets")
    xml = editor.text(part)
    start = xml.index('<row r="5"')
    end = xml.index("</row>", start) + len("</row>")
    moved = xml[:start] + xml[end:]
    editor.put(part, moved.replace("</sheetData>", xml[start:end] + "</sheetData>", 1))
    path = editor.save(tmp_path / "out_of_order.xlsm")
    monkeypatch.setattr(workbook, "PIECE_BYTES", 1)
    table = read_workbook(path).assets
    expected = _whole_sheet_columns(path)
    assert expected["BLKRockID"] == _whole_sheet_columns(sample_workbook)["BLKRockID"]
    for header in ALL_ASSETS_HEADERS:
        assert list(table.column(header)) == expected[header], header
    assert list(table.row_numbers or []) == list(range(2, 2 + len(expected["BLKRockID"])))
