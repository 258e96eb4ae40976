"""A TradeHypo workbook grown to N assets, for the ingest and migrate speed cases (issue 12/13).

Built from the committed sample by editing the package, never by re-saving it (a re-save through openpyxl
drops the cached results of the deal sheets' formulas): the ``All Assets`` sheet part is rewritten with
the sample's 1,000 rows followed by copies of them under new BLKRockIDs (``BIG0000001``...), the
``AllAssets`` defined name and the sheet dimension follow, every other part is copied byte for byte. The
deals keep their holdings, so the grown book migrates and runs like the sample, with a larger universe.

    python bench/big_workbook.py 50000 /tmp/big50k.xlsm
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SAMPLE = Path(__file__).resolve().parents[1] / "workbook" / "TradeHypo.xlsm"
ASSETS_PART = "xl/worksheets/sheet12.xml"  # 'All Assets' in the built sample (checked below)


def _split_rows(sheet: str) -> tuple[str, list[str], str]:
    """(text before the first data row, the data rows' XML from row 2 on, text after the last one)."""
    start = sheet.index("<sheetData>") + len("<sheetData>")
    end = sheet.index("</sheetData>")
    body = sheet[start:end]
    rows = [piece + "</row>" for piece in body.split("</row>") if piece.strip()]
    header, data = rows[0], rows[1:]
    return sheet[:start] + header, data, sheet[end:]


def _renumber(row: str, old: int, new: int, asset_id: str | None) -> str:
    """A copy of data row ``old`` as row ``new`` (cell references follow); column A becomes ``asset_id``."""
    out = row.replace(f'<row r="{old}"', f'<row r="{new}"', 1)
    pieces = out.split("<c r=")
    fixed = [pieces[0]]
    for piece in pieces[1:]:
        quote_end = piece.index('"', 1)
        ref = piece[1:quote_end]
        letters = ref.rstrip("0123456789")
        fixed.append(f'"{letters}{new}' + piece[quote_end:])
    out = "<c r=".join(fixed)
    if asset_id is not None:
        a_start = out.index(f'<c r="A{new}"')
        a_end = out.index("</c>", a_start) + len("</c>")
        out = (
            out[:a_start]
            + f'<c r="A{new}" t="inlineStr"><is><t>{escape(asset_id)}</t></is></c>'
            + out[a_end:]
        )
    return out


def grow(n_assets: int, out: Path, sample: Path = SAMPLE) -> Path:
    """Write the sample with ``n_assets`` rows in ``All Assets`` to ``out`` (the sample's rows first)."""
    with zipfile.ZipFile(sample) as source:
        workbook_xml = source.read("xl/workbook.xml").decode("utf-8")
        if 'name="All Assets" sheetId="12" r:id="rId12"' not in workbook_xml:
            raise SystemExit("unexpected sample layout: All Assets is not sheet12.xml")
        sheet = source.read(ASSETS_PART).decode("utf-8")
        head, rows, tail = _split_rows(sheet)
        base = len(rows)
        last = base + 1 if n_assets <= base else n_assets + 1
        head = head.replace('<dimension ref="A1:BR1001"/>', f'<dimension ref="A1:BR{last}"/>', 1)
        workbook_xml = workbook_xml.replace("'All Assets'!$A$2:$BR$1001", f"'All Assets'!$A$2:$BR${last}")
        tmp = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename == ASSETS_PART:
                    with target.open(ASSETS_PART, "w", force_zip64=True) as fh:
                        fh.write(head.encode("utf-8"))
                        for k in range(min(n_assets, base)):
                            fh.write(rows[k].encode("utf-8"))
                        chunk: list[str] = []
                        for k in range(base, n_assets):
                            r = k + 2
                            chunk.append(_renumber(rows[k % base], k % base + 2, r, f"BIG{k:07d}"))
                            if len(chunk) == 2000:
                                fh.write("".join(chunk).encode("utf-8"))
                                chunk = []
                        fh.write("".join(chunk).encode("utf-8"))
                        fh.write(tail.encode("utf-8"))
                elif info.filename == "xl/workbook.xml":
                    target.writestr(info, workbook_xml.encode("utf-8"))
                else:
                    target.writestr(info, source.read(info.filename))
        tmp.replace(out)
    return out


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/clo-xl-big-{count}.xlsm")
    print(grow(count, path))
