"""The bad-input corpus: named cases, each a function that writes one broken input into a folder.

Two bases: the committed sample workbook ``workbook/TradeHypo.xlsm`` (edited at the XML level, one defect
per file, see :mod:`xlsx_edit`) and a synthesised pair of legacy extract files (:mod:`extracts`). Every case
says what the refusal must name (``expect``: substrings that must all appear in the error message; ``a|b``
means either) and, where a reader does not refuse it cleanly yet, which module must add the check (``gap``,
run as ``xfail(strict=True)``: the assertion is never weakened, and the day the check lands the xfail
turns into a failure that asks for the mark to be removed).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clo_xl.ingest.layout import ALL_ASSETS_HEADERS

from . import extracts as X
from .xlsx_edit import (
    Package,
    SharedString,
    XlError,
    column_letters,
    corrupt_crc,
    encrypted_container,
    truncate,
)

DEAL = "Mag 17"
DEAL_SHEET = "Mag 17 Inputs"
ASSETS = "All Assets"
RUN_MODEL = "Run Model"
REFERENCE = "Reference Table"
#: Excel serials (days after 1899-12-30) of dates outside QuantLib's calendar (1901-01-01 .. 2199-12-31), and
#: its last day, which a schedule rolls past (into 2200)
SERIAL_1900_06_01 = 153
SERIAL_2199_12_31 = 109_574
SERIAL_2200_01_01 = 109_575

WORKBOOK = "workbook"
EXTRACT = "extract"

Files = dict[str, Path]


@dataclass(frozen=True)
class Case:
    """One broken input. ``make(folder, base)`` writes it and returns the files to pass to the CLI:
    ``{"workbook": path}`` or ``{"assets": path, "deals": path}``."""

    name: str
    source: str
    make: Callable[[Path, Path], Files]
    expect: tuple[str, ...]
    gap: str | None = None
    commands: tuple[str, ...] = ()
    slow: bool = False
    notes: dict[str, Any] = field(default_factory=dict)
    #: at most this many ``error:`` lines (a damaged All Assets is one problem, not one per holding)
    max_errors: int | None = None


def header_cell(header: str) -> str:
    return f"{column_letters(ALL_ASSETS_HEADERS.index(header) + 1)}1"


def asset_cell(header: str, row: int | str) -> str:
    return f"{column_letters(ALL_ASSETS_HEADERS.index(header) + 1)}{row}"


def held_asset_row(pkg: Package) -> int:
    """Sheet row in ``All Assets`` of the asset held in Mag 17's first holding (D4)."""
    wanted = pkg.get(DEAL_SHEET, "D4")
    xml = pkg.text(pkg.sheet_part(ASSETS))
    for ref in re.findall(r'<c r="(A\d+)"', xml):
        if pkg.get(ASSETS, ref) == wanted:
            return int(ref[1:])
    raise AssertionError(f"held asset {wanted!r} not found in {ASSETS}")


# ------------------------------------------------------------------------------------------------
# workbook cases


def _wb(edit: Callable[[Package], None], name: str = "TradeHypo.xlsm") -> Callable[[Path, Path], Files]:
    def make(folder: Path, base: Path) -> Files:
        pkg = Package(base)
        edit(pkg)
        return {"workbook": pkg.save(folder / name)}

    return make


def _cell(sheet: str, ref: str, value: object) -> Callable[[Package], None]:
    return lambda pkg: pkg.set(sheet, ref, value)


def _held(header: str, value: object) -> Callable[[Package], None]:
    def edit(pkg: Package) -> None:
        pkg.set(ASSETS, asset_cell(header, held_asset_row(pkg)), value)

    return edit


def _swap(sheet: str, a: str, b: str) -> Callable[[Package], None]:
    def edit(pkg: Package) -> None:
        va, vb = pkg.get(sheet, a), pkg.get(sheet, b)
        pkg.set(sheet, a, vb)
        pkg.set(sheet, b, va)

    return edit


def _duplicate_header(pkg: Package) -> None:
    """A 71st column also headed 'Coupon Spread', with different values: which one is meant?"""
    col = column_letters(len(ALL_ASSETS_HEADERS) + 1)
    pkg.set(ASSETS, f"{col}1", "Coupon Spread")
    for row in range(2, 40):
        pkg.set(ASSETS, f"{col}{row}", 0.09)


def _merge_held_row(pkg: Package) -> None:
    r = held_asset_row(pkg)
    pkg.merge(ASSETS, f"{asset_cell('Maturity', r)}:{asset_cell('Payment Frequency', r)}")


def _blank_row_all_assets(pkg: Package) -> None:
    pkg.insert_blank_row(ASSETS, 500)
    wb = pkg.text("xl/workbook.xml").replace("'All Assets'!$A$2:$BR$1001", "'All Assets'!$A$2:$BR$1002")
    pkg.put("xl/workbook.xml", wb)


def _blank_row_holdings(pkg: Package) -> None:
    pkg.set(DEAL_SHEET, "D10", None)
    pkg.set(DEAL_SHEET, "E10", None)


def _duplicate_id(pkg: Package) -> None:
    r = held_asset_row(pkg)
    other = 3 if r != 3 else 4
    pkg.set(ASSETS, f"A{other}", pkg.get(ASSETS, f"A{r}"))


def _duplicate_test_number(pkg: Package) -> None:
    pkg.set(DEAL_SHEET, "L5", pkg.get(DEAL_SHEET, "L4"))


def _no_collection_account(pkg: Package) -> None:
    for row in range(4, 9):
        if pkg.get(DEAL_SHEET, f"F{row}") == 2.0:
            pkg.set(DEAL_SHEET, f"F{row}", 9)
            pkg.set(DEAL_SHEET, f"G{row}", "Suspense")


def _no_macros(pkg: Package) -> None:
    """The package of a plain .xlsx (no VBA project, the xlsx main content type), named .xlsm."""
    pkg.drop("xl/vbaProject.bin")
    ct = pkg.text("[Content_Types].xml")
    ct = ct.replace(
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    )
    ct = re.sub(r'<Default Extension="bin"[^>]*/>', "", ct)
    pkg.put("[Content_Types].xml", ct)
    rels = pkg.text("xl/_rels/workbook.xml.rels")
    pkg.put("xl/_rels/workbook.xml.rels", re.sub(r"<Relationship [^>]*vbaProject[^>]*/>", "", rels))


def _very_large(pkg: Package) -> None:
    """``All Assets`` grown to 12,000 rows (about 35 MB of sheet XML) with one bad cell in the very last
    row: the reader must get through the whole sheet and still name the cell."""
    part = pkg.sheet_part(ASSETS)
    xml = pkg.text(part)
    rows = re.findall(r'<row r="(\d+)"[^>]*>.*?</row>', xml, flags=re.S)
    last = max(int(r) for r in rows)
    template = re.search(rf'<row r="{last}"[^>]*>.*?</row>', xml, flags=re.S)
    assert template is not None
    extra: list[str] = []
    for k in range(1, 11_000 + 1):
        r = last + k
        text = re.sub(r'<c r="([A-Z]+)\d+"', rf'<c r="\g<1>{r}"', template.group(0))
        text = text.replace(f'<row r="{last}"', f'<row r="{r}"', 1)
        text = re.sub(
            r'<c r="A\d+"[^>]*?(?:/>|>.*?</c>)',
            f'<c r="A{r}" t="inlineStr"><is><t>BIG{k:06d}</t></is></c>',
            text,
            count=1,
            flags=re.S,
        )
        extra.append(text)
    xml = xml.replace("</sheetData>", "".join(extra) + "</sheetData>", 1)
    pkg.put(part, xml)
    pkg.set(ASSETS, asset_cell("Coupon Spread", last + 11_000), "L+325")
    wb = pkg.text("xl/workbook.xml").replace(
        "'All Assets'!$A$2:$BR$1001", f"'All Assets'!$A$2:$BR${last + 11_000}"
    )
    pkg.put("xl/workbook.xml", wb)


def _raw(maker: Callable[[Path, Path], Path]) -> Callable[[Path, Path], Files]:
    def make(folder: Path, base: Path) -> Files:
        return {"workbook": maker(folder, base)}

    return make


def _damaged_sheet(damage: Callable[[str], str], sheet: str = DEAL_SHEET) -> Callable[[Package], None]:
    """Rewrite a sheet's part text (malformed XML and the like)."""

    def edit(pkg: Package) -> None:
        part = pkg.sheet_part(sheet)
        pkg.put(part, damage(pkg.text(part)))

    return edit


def _missing_sheet_part(sheet: str = DEAL_SHEET) -> Callable[[Package], None]:
    """The sheet stays listed in workbook.xml and its relationships; its part is gone."""
    return lambda pkg: pkg.drop(pkg.sheet_part(sheet))


def _bad_crc(sheet: str = DEAL_SHEET) -> Callable[[Path, Path], Path]:
    def make(folder: Path, base: Path) -> Path:
        path = Package(base).save(folder / "TradeHypo.xlsm")
        return corrupt_crc(path, Package(path).sheet_part(sheet))

    return make


def _blank_threshold_row(pkg: Package) -> None:
    """Threshold row 5 (test 2) emptied in the middle of the table: the test would silently vanish."""
    for col in "LMNOPQ":
        pkg.set(DEAL_SHEET, f"{col}5", None)


def _par_without_id(pkg: Package) -> None:
    pkg.set(DEAL_SHEET, "D5", None)


def _xml_gap(what: str) -> str:
    return f"clo_xl.ingest.workbook must refuse {what}"


def workbook_cases() -> list[Case]:
    """The workbook half of the corpus (cell addresses from the committed layout: CONTRACT §1). ``{r}`` in an
    expectation is the ``All Assets`` row of the asset Mag 17 holds first (found in the base at run time)."""
    r = "{r}"
    last_test = 4
    cases = [
        Case("wb_missing_all_assets_sheet", WORKBOOK, _wb(lambda p: p.delete_sheet(ASSETS)), (ASSETS,)),
        Case("wb_missing_deal_sheet", WORKBOOK, _wb(lambda p: p.delete_sheet(DEAL_SHEET)), (DEAL_SHEET,)),
        Case(
            "wb_renamed_deal_sheet",
            WORKBOOK,
            _wb(lambda p: p.rename_sheet(DEAL_SHEET, "Mag17 Inputs")),
            (DEAL_SHEET,),
        ),
        Case(
            "wb_missing_reference_table",
            WORKBOOK,
            _wb(lambda p: p.delete_sheet("Reference Table")),
            ("Reference Table",),
            commands=("migrate",),
        ),
        Case(
            "wb_renamed_header_maturity",
            WORKBOOK,
            _wb(_cell(ASSETS, header_cell("Maturity"), "Maturity Date")),
            (ASSETS, "Maturity"),
        ),
        Case(
            "wb_blank_header_coupon_spread",
            WORKBOOK,
            _wb(_cell(ASSETS, header_cell("Coupon Spread"), None)),
            (ASSETS, "Coupon Spread"),
        ),
        Case(
            "wb_duplicated_header_coupon_spread", WORKBOOK, _wb(_duplicate_header), (ASSETS, "Coupon Spread")
        ),
        Case(
            "wb_moved_holdings_headers", WORKBOOK, _wb(_swap(DEAL_SHEET, "D3", "E3")), (DEAL_SHEET, "D3|E3")
        ),
        Case(
            "wb_moved_threshold_header", WORKBOOK, _wb(_swap(DEAL_SHEET, "O3", "P3")), (DEAL_SHEET, "O3|P3")
        ),
        Case(
            "wb_merged_cells_in_asset_row",
            WORKBOOK,
            _wb(_merge_held_row),
            (
                ASSETS,
                "|".join(asset_cell(h, r) for h in ("Maturity", "Coupon Type", "Payment Frequency")),
            ),
        ),
        Case(
            "wb_merged_cells_in_holdings",
            WORKBOOK,
            _wb(lambda p: p.merge(DEAL_SHEET, "D5:E5")),
            (DEAL_SHEET, "D5|E5"),
        ),
        Case(
            "wb_na_in_coupon_spread",
            WORKBOOK,
            _wb(_held("Coupon Spread", XlError("#N/A"))),
            (ASSETS, asset_cell("Coupon Spread", r)),
        ),
        Case(
            "wb_div0_in_holding_par",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "E5", XlError("#DIV/0!"))),
            (DEAL_SHEET, "E5"),
        ),
        Case(
            "wb_ref_in_threshold",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "O4", XlError("#REF!"))),
            (DEAL_SHEET, "O4"),
        ),
        Case(
            "wb_na_in_current_libor",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "K4", XlError("#N/A"))),
            (DEAL_SHEET, "K4"),
        ),
        Case(
            "wb_text_in_holding_par", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", "1,5OO,OOO")), (DEAL_SHEET, "E5")
        ),
        Case(
            "wb_text_in_coupon_spread",
            WORKBOOK,
            _wb(_held("Coupon Spread", "L+325")),
            (ASSETS, asset_cell("Coupon Spread", r)),
        ),
        Case(
            "wb_text_in_account_interest", WORKBOOK, _wb(_cell(DEAL_SHEET, "H5", "n/a")), (DEAL_SHEET, "H5")
        ),
        Case(
            "wb_maturity_as_text",
            WORKBOOK,
            _wb(_held("Maturity", "TBD")),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_maturity_impossible_date_text",
            WORKBOOK,
            _wb(_held("Maturity", "2021-02-30")),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_maturity_serial_out_of_range",
            WORKBOOK,
            _wb(_held("Maturity", 3_000_000)),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_analysis_date_as_text",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "C3", "March 23rd")),
            (DEAL_SHEET, "C3"),
        ),
        Case(
            "wb_analysis_date_negative_serial", WORKBOOK, _wb(_cell(DEAL_SHEET, "C3", -1)), (DEAL_SHEET, "C3")
        ),
        Case("wb_blank_row_mid_all_assets", WORKBOOK, _wb(_blank_row_all_assets), (ASSETS, "500")),
        Case("wb_blank_row_mid_holdings", WORKBOOK, _wb(_blank_row_holdings), (DEAL_SHEET, "10")),
        Case("wb_duplicate_asset_id", WORKBOOK, _wb(_duplicate_id), (ASSETS, "BLKRockID|A")),
        Case(
            "wb_holding_references_unknown_asset",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "D5", "NOSUCHID1")),
            (DEAL_SHEET, "D5|NOSUCHID1"),
        ),
        Case(
            "wb_negative_holding_par", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", -1_500_000)), (DEAL_SHEET, "E5")
        ),
        Case("wb_nan_holding_par", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", "NaN")), (DEAL_SHEET, "E5")),
        Case("wb_absurd_holding_par", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", 1.0e15)), (DEAL_SHEET, "E5")),
        Case(
            "wb_unknown_moodys_rating",
            WORKBOOK,
            _wb(_held("Moody's Rating WARF", "Bx7")),
            (ASSETS, asset_cell("Moody's Rating WARF", r)),
        ),
        Case(
            "wb_unknown_sp_rating",
            WORKBOOK,
            _wb(_held("S&P Facility Rating", "BBB++")),
            (ASSETS, asset_cell("S&P Facility Rating", r)),
        ),
        Case(
            "wb_threshold_as_text", WORKBOOK, _wb(_cell(DEAL_SHEET, "O5", "ten percent")), (DEAL_SHEET, "O5")
        ),
        Case(
            "wb_duplicate_test_number",
            WORKBOOK,
            _wb(_duplicate_test_number),
            (DEAL_SHEET, f"L{last_test + 1}"),
        ),
        Case("wb_no_collection_account", WORKBOOK, _wb(_no_collection_account), (DEAL_SHEET, "Collection")),
        Case(
            "wb_truncated",
            WORKBOOK,
            _raw(lambda f, b: truncate(b, f / "TradeHypo.xlsm")),
            ("TradeHypo.xlsm",),
        ),
        Case(
            "wb_encrypted",
            WORKBOOK,
            _raw(lambda f, b: encrypted_container(f / "TradeHypo.xlsm")),
            ("TradeHypo.xlsm", "encrypt|password|protected"),
        ),
        Case("wb_xlsx_renamed_xlsm", WORKBOOK, _wb(_no_macros), ("TradeHypo.xlsm", "macro|xlsx|VBA")),
        Case(
            "wb_empty_file",
            WORKBOOK,
            _raw(lambda f, b: _write(f / "TradeHypo.xlsm", b"")),
            ("TradeHypo.xlsm",),
        ),
        Case(
            "wb_text_file_named_xlsm",
            WORKBOOK,
            _raw(lambda f, b: _write(f / "TradeHypo.xlsm", b"BLKRockID,Par Amount\nX,1\n")),
            ("TradeHypo.xlsm",),
        ),
        # the package itself is damaged: refused naming the file and the sheet (never an internal error)
        Case("wb_bad_crc_in_deal_sheet", WORKBOOK, _raw(_bad_crc()), ("TradeHypo.xlsm", DEAL_SHEET)),
        Case(
            "wb_malformed_deal_sheet_xml",
            WORKBOOK,
            _wb(_damaged_sheet(lambda x: x.replace("</sheetData>", "</sheetDat>", 1))),
            ("TradeHypo.xlsm", DEAL_SHEET),
        ),
        Case(
            "wb_deal_sheet_part_missing", WORKBOOK, _wb(_missing_sheet_part()), ("TradeHypo.xlsm", DEAL_SHEET)
        ),
        # All Assets itself damaged (read in pieces as it streams): one line, not one more per holding
        Case(
            "wb_bad_crc_in_all_assets",
            WORKBOOK,
            _raw(_bad_crc(ASSETS)),
            ("TradeHypo.xlsm", ASSETS, "CRC"),
            max_errors=1,
        ),
        Case(
            "wb_malformed_all_assets_xml",
            WORKBOOK,
            _wb(_damaged_sheet(lambda x: x.replace("</row>", "</rwo>", 1), ASSETS)),
            ("TradeHypo.xlsm", ASSETS, "well-formed"),
            max_errors=1,
        ),
        Case(
            "wb_all_assets_part_missing",
            WORKBOOK,
            _wb(_missing_sheet_part(ASSETS)),
            ("TradeHypo.xlsm", ASSETS, "missing"),
            max_errors=1,
        ),
        Case(
            "wb_shared_string_index_out_of_range_in_all_assets",
            WORKBOOK,
            _wb(_cell(ASSETS, "B300", SharedString(987_654))),
            (ASSETS, "B300"),
            max_errors=1,
        ),
        Case(
            "wb_shared_string_index_out_of_range",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "D5", SharedString(987_654))),
            (DEAL_SHEET, "D5"),
        ),
        # values the database or the engines cannot hold
        Case(
            "wb_nul_in_issuer_name",
            WORKBOOK,
            _wb(_held("Issuer Name", "ACME_x0000_ HOLDINGS")),
            (ASSETS, asset_cell("Issuer Name", r)),
        ),
        Case("wb_na_text_in_curve_rate", WORKBOOK, _wb(_cell(REFERENCE, "AP5", "n/a")), (REFERENCE, "AP5")),
        Case(
            "wb_maturity_in_1900",
            WORKBOOK,
            _wb(_held("Maturity", SERIAL_1900_06_01)),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_maturity_in_2200",
            WORKBOOK,
            _wb(_held("Maturity", SERIAL_2200_01_01)),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_maturity_on_quantlibs_last_day",
            WORKBOOK,
            _wb(_held("Maturity", SERIAL_2199_12_31)),
            (ASSETS, asset_cell("Maturity", r)),
        ),
        Case(
            "wb_analysis_date_in_2200",
            WORKBOOK,
            _wb(_cell(RUN_MODEL, "C8", SERIAL_2200_01_01)),
            (RUN_MODEL, "C8"),
        ),
        Case(
            "wb_tranche_balance_1e308", WORKBOOK, _wb(_cell(DEAL_SHEET, "AL7", 1.0e308)), (DEAL_SHEET, "AL7")
        ),
        Case("wb_collection_cash_1e308", WORKBOOK, _wb(_cell(DEAL_SHEET, "I5", 1.0e308)), (DEAL_SHEET, "I5")),
        Case("wb_holding_par_1e308", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", 1.0e308)), (DEAL_SHEET, "E5")),
        # bad input that used to load silently
        Case("wb_blank_threshold_row", WORKBOOK, _wb(_blank_threshold_row), (DEAL_SHEET, "5")),
        Case(
            "wb_percent_text_in_holding_par", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", "5%")), (DEAL_SHEET, "E5")
        ),
        Case("wb_holding_par_without_id", WORKBOOK, _wb(_par_without_id), (DEAL_SHEET, "D5")),
        Case("wb_run_model_unknown_deal", WORKBOOK, _wb(_cell(RUN_MODEL, "C9", "Mag 99")), (RUN_MODEL, "C9")),
        Case("wb_text_in_trade_par", WORKBOOK, _wb(_cell(RUN_MODEL, "M11", "2mm")), (RUN_MODEL, "M11")),
        Case("wb_text_in_cf_input", WORKBOOK, _wb(_cell(DEAL_SHEET, "Y4", "ninety-six")), (DEAL_SHEET, "Y4")),
        Case(
            "wb_text_in_tranche_balance",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "AK7", "2.5mm")),
            (DEAL_SHEET, "AK7"),
        ),
        Case(
            "wb_wrong_kind_in_tranche_original_balance",
            WORKBOOK,
            _wb(_cell(DEAL_SHEET, "AL5", XlError("#VALUE!"))),
            (DEAL_SHEET, "AL5"),
        ),
        Case(
            "wb_very_large_file",
            WORKBOOK,
            _wb(_very_large),
            (ASSETS, asset_cell("Coupon Spread", 1001 + 11_000)),
            slow=True,
        ),
    ]
    return cases


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------
# extract cases


def _ex(
    assets: Callable[[list[dict[str, Any]]], None] | None = None,
    deal: Callable[[dict[str, Any]], None] | None = None,
    suffix: str = ".json",
) -> Callable[[Path, Path], Files]:
    def make(folder: Path, base: Path) -> Files:
        records = X.asset_records()
        doc = X.deal_document()
        if assets is not None:
            assets(records)
        if deal is not None:
            deal(doc)
        return {
            "assets": X.write_assets(folder / f"assets{suffix}", records),
            "deals": X.write_deal(folder / "deal.json", doc),
        }

    return make


def _set(i: int, header: str, value: object) -> Callable[[list[dict[str, Any]]], None]:
    def edit(records: list[dict[str, Any]]) -> None:
        records[i][header] = value

    return edit


def _drop_column(header: str) -> Callable[[list[dict[str, Any]]], None]:
    def edit(records: list[dict[str, Any]]) -> None:
        for rec in records:
            rec.pop(header)

    return edit


def _rename_column(old: str, new: str) -> Callable[[list[dict[str, Any]]], None]:
    def edit(records: list[dict[str, Any]]) -> None:
        for k, rec in enumerate(records):
            records[k] = {(new if h == old else h): v for h, v in rec.items()}

    return edit


def _dset(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """Set a value in the deal document by a key path such as ``test_thresholds[1].threshold``."""

    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        for part in parts[:-1]:
            target = target[int(part[1:-1])] if part.startswith("[") else target[part]
        last = parts[-1]
        if last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value

    return edit


def _csv_with_duplicate_header(folder: Path, base: Path) -> Files:
    records = X.asset_records()
    headers = [*records[0], "Coupon Spread"]
    lines = [",".join(json.dumps(h) for h in headers)]
    for rec in records:
        values = ["" if rec[h] is None else rec[h] for h in records[0]]
        lines.append(",".join(json.dumps(str(v)) for v in [*values, 0.09]))
    path = folder / "assets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"assets": path, "deals": X.write_deal(folder / "deal.json")}


def _csv_blank_line_mid(folder: Path, base: Path) -> Files:
    path = X.write_assets(folder / "assets.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(6, ",".join([""] * len(X.asset_records()[0])))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"assets": path, "deals": X.write_deal(folder / "deal.json")}


def _truncated(which: str) -> Callable[[Path, Path], Files]:
    def make(folder: Path, base: Path) -> Files:
        files = _ex()(folder, base)
        data = files[which].read_bytes()
        files[which].write_bytes(data[: len(data) // 2])
        return files

    return make


def _encrypted_assets(folder: Path, base: Path) -> Files:
    return {
        "assets": encrypted_container(folder / "assets.xlsx"),
        "deals": X.write_deal(folder / "deal.json"),
    }


def _csv_named_xlsx(folder: Path, base: Path) -> Files:
    csv_path = X.write_assets(folder / "assets.csv")
    target = folder / "assets.xlsx"
    csv_path.rename(target)
    return {"assets": target, "deals": X.write_deal(folder / "deal.json")}


def _xlsx_error_cell(header: str, code: str) -> Callable[[Path, Path], Files]:
    def make(folder: Path, base: Path) -> Files:
        path = X.write_assets(folder / "assets.xlsx")
        pkg = Package(path)
        col = column_letters(list(X.asset_records()[0]).index(header) + 1)
        pkg.set("All Assets", f"{col}5", XlError(code))
        pkg.save(path)
        return {"assets": path, "deals": X.write_deal(folder / "deal.json")}

    return make


def _xlsx_merged(folder: Path, base: Path) -> Files:
    path = X.write_assets(folder / "assets.xlsx")
    pkg = Package(path)
    pkg.merge("All Assets", "H4:K4")
    pkg.save(path)
    return {"assets": path, "deals": X.write_deal(folder / "deal.json")}


def _holdings_in_deal(doc: dict[str, Any]) -> None:
    doc["par_column"] = "MAG99_Par_Amount"  # not in the assets file: holdings come from the document
    doc["holdings"] = [
        {"brs_id": "CORPUS001", "par": 1_000_000.0},
        {"brs_id": "NOSUCHASSET", "par": 2_000_000.0},
    ]


def _big_csv(folder: Path, base: Path) -> Files:
    records = [X.asset_record(i % X.N_ASSETS) for i in range(20_000)]
    for k, rec in enumerate(records):
        rec["BLKRockID"] = f"BIG{k:06d}"
    records[-1]["Coupon Spread"] = "L+325"
    return {
        "assets": X.write_assets(folder / "assets.csv", records),
        "deals": X.write_deal(folder / "deal.json"),
    }


_ASSETS_GAP = "clo_xl.ingest.assets"
_EXTRACT_GAP = "clo_xl.ingest.extract"


def extract_cases() -> list[Case]:
    par = X.PAR_COLUMN
    return [
        Case("ex_missing_column_maturity", EXTRACT, _ex(_drop_column("Maturity")), ("Maturity",)),
        Case(
            "ex_renamed_header_coupon_spread",
            EXTRACT,
            _ex(_rename_column("Coupon Spread", "Spread")),
            ("Coupon Spread",),
        ),
        Case("ex_csv_duplicated_header", EXTRACT, _csv_with_duplicate_header, ("Coupon Spread",)),
        Case("ex_xlsx_merged_cells", EXTRACT, _xlsx_merged, ("assets.xlsx", "H4|I4|J4|K4|merged")),
        Case(
            "ex_text_in_coupon_spread",
            EXTRACT,
            _ex(_set(3, "Coupon Spread", "L+325")),
            ("Coupon Spread", "L+325"),
        ),
        Case(
            "ex_na_text_in_market_value",
            EXTRACT,
            _ex(_set(4, "Market Value", "#N/A"), suffix=".csv"),
            ("Market Value", "#N/A"),
        ),
        Case(
            "ex_div0_text_in_facility_size",
            EXTRACT,
            _ex(_set(2, "Facility Size", "#DIV/0!"), suffix=".csv"),
            ("Facility Size", "#DIV/0!"),
        ),
        Case("ex_xlsx_ref_error_in_wal", EXTRACT, _xlsx_error_cell("WAL", "#REF!"), ("WAL",)),
        Case("ex_xlsx_na_error_in_par", EXTRACT, _xlsx_error_cell(par, "#N/A"), (par,)),
        Case(
            "ex_maturity_as_text",
            EXTRACT,
            _ex(_set(5, "Maturity", "next Tuesday")),
            ("Maturity", "next Tuesday"),
        ),
        Case("ex_issue_date_negative_serial", EXTRACT, _ex(_set(5, "Issue Date", -45)), ("Issue Date",)),
        Case(
            "ex_duplicate_asset_id",
            EXTRACT,
            _ex(_set(7, "BLKRockID", "CORPUS002")),
            ("BLKRockID", "CORPUS002"),
        ),
        Case("ex_holding_references_unknown_asset", EXTRACT, _ex(deal=_holdings_in_deal), ("NOSUCHASSET",)),
        Case("ex_negative_par", EXTRACT, _ex(_set(1, par, -2_500_000.0)), (par,)),
        Case("ex_nan_par", EXTRACT, _ex(_set(1, par, math.nan)), (par,)),
        Case("ex_absurd_par", EXTRACT, _ex(_set(1, par, 1.0e15)), (par,)),
        Case(
            "ex_unknown_moodys_rating",
            EXTRACT,
            _ex(_set(0, "Moody's Rating WARF", "Bx7")),
            ("Moody's Rating WARF", "Bx7"),
        ),
        Case(
            "ex_unknown_sp_rating",
            EXTRACT,
            _ex(_set(0, "S&P Facility Rating", "BBB++")),
            ("S&P Facility Rating", "BBB++"),
        ),
        Case(
            "ex_threshold_as_text",
            EXTRACT,
            _ex(deal=_dset("test_thresholds[1].threshold", "ten percent")),
            ("threshold", "ten percent"),
        ),
        Case(
            "ex_duplicate_test_number",
            EXTRACT,
            _ex(deal=_dset("test_thresholds[2].test_number", 1)),
            ("test_number", "1"),
        ),
        Case("ex_analysis_date_missing", EXTRACT, _ex(deal=_dset("analysis_date", None)), ("analysis_date",)),
        Case(
            "ex_analysis_date_as_text",
            EXTRACT,
            _ex(deal=_dset("analysis_date", "March 23rd")),
            ("analysis_date", "March 23rd"),
        ),
        Case(
            "ex_no_collection_account",
            EXTRACT,
            _ex(deal=_dset("accounts[1].number", 9)),
            ("accounts", "Collection"),
        ),
        Case("ex_missing_par_column", EXTRACT, _ex(_drop_column(par)), (par,)),
        Case("ex_deal_inputs_not_an_object", EXTRACT, _ex(deal=lambda d: d.clear()), ("deal",)),
        Case("ex_truncated_assets_json", EXTRACT, _truncated("assets"), ("assets.json",)),
        Case("ex_truncated_deal_json", EXTRACT, _truncated("deals"), ("deal.json",)),
        Case(
            "ex_encrypted_assets_xlsx",
            EXTRACT,
            _encrypted_assets,
            ("assets.xlsx", "encrypt|password|protected"),
        ),
        Case("ex_csv_renamed_xlsx", EXTRACT, _csv_named_xlsx, ("assets.xlsx",)),
        Case("ex_csv_blank_line_mid_table", EXTRACT, _csv_blank_line_mid, ("assets.csv", "7")),
        Case("ex_very_large_csv", EXTRACT, _big_csv, ("Coupon Spread", "L+325", "20001"), slow=True),
    ]


# ------------------------------------------------------------------------------------------------
# odd but valid: each must run (the validation layer refuses what is wrong, not what is unusual)


def _clear_trades(pkg: Package) -> None:
    for row in range(11, 40):
        for col in "JKLMN":
            pkg.set(RUN_MODEL, f"{col}{row}", None)


def _padded_holding_id(pkg: Package) -> None:
    pkg.set(DEAL_SHEET, "D5", f"  {pkg.get(DEAL_SHEET, 'D5')} ")


def _par_as_text(pkg: Package) -> None:
    value = pkg.get(DEAL_SHEET, "E5")
    assert isinstance(value, float)
    pkg.set(DEAL_SHEET, "E5", f"{value:.2f}")


def odd_cases() -> list[Case]:
    """Unusual inputs a user may well have: every command must accept them (exit 0; ``validate`` may report
    a break, exit 1, since an edit can move a legacy figure)."""
    return [
        Case(
            "odd_unicode_issuer_name",
            WORKBOOK,
            _wb(_held("Issuer Name", "Société Générale d'Ivoire – 株式会社 (Ünïcode) & <Co>")),
            (),
        ),
        Case("odd_very_long_issuer_name", WORKBOOK, _wb(_held("Issuer Name", "LONG NAME " * 200)), ()),
        Case("odd_zero_par_holding", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", 0)), ()),
        Case("odd_one_cent_holding", WORKBOOK, _wb(_cell(DEAL_SHEET, "E5", 0.01)), ()),
        Case("odd_padded_holding_id", WORKBOOK, _wb(_padded_holding_id), ()),
        Case("odd_holding_par_typed_as_text", WORKBOOK, _wb(_par_as_text), ()),
        Case("odd_no_hypothetical_trades", WORKBOOK, _wb(_clear_trades), ()),
        Case("odd_run_model_deal_all", WORKBOOK, _wb(_cell(RUN_MODEL, "C9", "All")), ()),
        Case("odd_run_model_deal_other_case", WORKBOOK, _wb(_cell(RUN_MODEL, "C9", "mag 17")), ()),
        Case("odd_blank_issuer_name", WORKBOOK, _wb(_held("Issuer Name", None)), ()),
    ]


__all__ = ["EXTRACT", "WORKBOOK", "Case", "extract_cases", "odd_cases", "workbook_cases"]
