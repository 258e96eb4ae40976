"""A workbook laid out like the legacy one loads without edits, and gives the same domain objects as the
legacy extract files.

The workbook is assembled at run time (never committed) from ``../shared/legacy``: the legacy sheets'
first rows verbatim from ``workbook_sheets_sample.json`` (titles, header spellings, "Payment " with its
trailing space), the 195 real Mag 17 assets typed as Excel holds them, the Mag 17 inputs from
``mag17_deal.json`` and the tranche matrix from ``mag17_tranches.json`` at its legacy columns. No named
ranges: the reader must find every block through the legacy cell map alone. The independent route is the
extract reader (``clo_xl.ingest.extract``) over the JSON files.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from clo_xl.ingest import layout as L
from clo_xl.ingest.assets import parse_assets, parse_holdings
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.ingest.extract import read_deal_document, read_table
from clo_xl.ingest.workbook import load_deal, read_workbook

pytestmark = pytest.mark.legacy_data

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]00:00:00$")


def excel_value(value: Any) -> Any:
    """A value of the legacy JSON samples as the workbook cell held it."""
    if isinstance(value, str) and _DATE.match(value):
        return datetime.fromisoformat(value.replace(" ", "T"))
    if value == "00:00:00":
        return time(0, 0)
    if isinstance(value, str) and value.startswith("Column_"):
        return None  # placeholder for an empty header cell in the sample file
    return value


def asset_cell(header: str, text: Any) -> Any:
    """``mag17_assets.json`` stores every value as text; type it as the All Assets column holds it."""
    if text is None:
        return None
    kind = L.ALL_ASSETS_KINDS[header]
    if kind is L.Kind.NUMBER:
        return float(text)
    if kind is L.Kind.DATE:
        return 0 if text == "0" else datetime.fromisoformat(text)
    if kind is L.Kind.BOOL:
        return text == "True"
    return text


def put_sample(ws: Any, sheet: dict[str, Any]) -> None:
    for c, v in enumerate(sheet["column_headers"], start=1):
        ws.cell(1, c, excel_value(v))
    for r, row in enumerate(sheet["sample_data"], start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, excel_value(v))


def same_fields(a: Any, b: Any) -> bool:
    """Dataclass equality, floats to 1e-12 relative (openpyxl writes some doubles with 15 digits)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


@pytest.fixture(scope="module")
def legacy_workbook(legacy_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    sample = json.loads((legacy_dir / "workbook_sheets_sample.json").read_text("utf-8"))["sheets"]
    assets = json.loads((legacy_dir / "mag17_assets.json").read_text("utf-8"))
    deal = json.loads((legacy_dir / "mag17_deal.json").read_text("utf-8"))
    tranches = json.loads((legacy_dir / "mag17_tranches.json").read_text("utf-8"))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in ("Run Model", "Mag 17 Inputs", "All Assets", "Reference Table", "Filter Sheet"):
        put_sample(wb.create_sheet(name), sample[name])

    ws = wb["All Assets"]
    legacy_headers = [h for h in assets[0] if h != "MAG17_Par_Amount"]  # the real row 1, in order
    for c, header in enumerate(legacy_headers, start=1):
        ws.cell(1, c, header)
    for r, rec in enumerate(assets, start=2):
        for c, header in enumerate(L.ALL_ASSETS_HEADERS, start=1):
            ws.cell(r, c, asset_cell(header, rec.get(header)))

    ws = wb["Mag 17 Inputs"]
    ws["B6"], ws["C6"] = "End Collection Period", datetime(2016, 7, 8)  # rows below the JSON sample
    ws["B7"], ws["C7"] = "Last Payment Date", datetime(2016, 3, 31)
    for r, rec in enumerate(assets, start=4):
        ws.cell(r, 4, rec["BLKRockID"])
        ws.cell(r, 5, float(rec["MAG17_Par_Amount"]))
    for r, acc in enumerate(deal["accounts"], start=4):
        ws.cell(r, 7 + 1, acc["interest"])  # H, I; F:G (number, "Payment ") kept from the sample rows
        ws.cell(r, 9, acc["principal"])
    for r, t in enumerate(deal["test_thresholds"], start=4):
        for c, key in enumerate(
            ("test_number", "test_name", "min_max", "threshold", "overwrite", "previous_value"), start=12
        ):
            ws.cell(r, c, t[key])
    for r, (label, value) in enumerate(deal["quality_test_inputs"].items(), start=3):
        ws.cell(r, 18, label)
        ws.cell(r, 19, value)
    for r, w in enumerate(deal["objective_weights"], start=4):
        ws.cell(r, 22, w["test_number"])
        ws.cell(r, 23, w["weight"])
    rows = ("Original_Balance", "Price", "Current_Balance", "Defaulted_Deferred", "Spread_bps",
            "Discount_Margin", "PIKable", "OC_Test", "IC_Test", "DayCount")  # fmt: skip
    for t in tranches:  # CASHFLOW_SPEC §0.3: row 1 name, then the fields in this order
        c = L.col(t["column_letter"])
        ws.cell(4, c, t["class_name"])
        for k, key in enumerate(rows, start=5):
            ws.cell(k, c, t["properties"][key])

    ws = wb["Reference Table"]  # the sample shows the transition matrix header up to AA-; the spec lists all
    for c, rating in enumerate(L.REFERENCE_SECTIONS[4].headers[1:], start=L.col("V")):
        ws.cell(3, c, rating)
    # the legacy's Deals name, somewhere the spec does not pin down, headed by a label row the code skips
    ws["AZ10"], ws["AZ11"] = "Deal List", "Mag 17"
    wb.defined_names["Deals"] = DefinedName("Deals", attr_text="'Reference Table'!$AZ$10:$AZ$11")
    out = tmp_path_factory.mktemp("legacy") / "TradeHypoPrelim_layout.xlsx"
    wb.save(out)
    return out


def table(doc: Mapping[str, object], key: str) -> list[dict[str, object]]:
    """A table of the raw deal document (a list of records), refused when it is anything else."""
    rows = doc[key]
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows), f"{key}: {rows!r}"
    return rows


def test_legacy_layout_loads_without_edits(legacy_workbook: Path) -> None:
    data = read_workbook(legacy_workbook)
    assert list(data.deals) == ["Mag 17"]
    doc = data.deals["Mag 17"].data
    assert doc["analysis_date"] == datetime(2016, 3, 23).date()
    assert doc["current_libor"] == 0.005418
    assert table(doc, "accounts")[0]["name"] == "Payment "  # legacy trailing space kept raw
    weights = table(doc, "objective_weights")
    assert weights[0]["test_name"] == "Minimum Weighted Average Moody’s Recovery Rate Test"
    tranches = table(doc, "tranches")
    assert tranches[0]["class"] == "Class X" and tranches[-1]["class"] == "Sub Notes"
    assert len(data.holdings["Mag 17"]) == 195 and len(data.assets) == 195
    assert data.filter_lists["filter_fields"][:2] == ("Moody's Rating", "Moody's Rating WARF")
    assert data.reference["libor_rates"].rows[0]["CUSIP"] == "419891 MONTH LIBOR"
    assert [r["Deals"] for r in data.reference["deals"].rows] == ["Deal List", "Mag 17"]


def test_workbook_route_equals_extract_route(legacy_workbook: Path, legacy_dir: Path) -> None:
    assets, holdings, inputs = load_deal(legacy_workbook, "Mag 17")
    extract_assets = read_table(legacy_dir / "mag17_assets.json")
    expected_assets = parse_assets(extract_assets)
    assert len(assets) == len(expected_assets) == 195
    for got_asset, want_asset in zip(assets, expected_assets, strict=True):
        assert same_fields(got_asset, want_asset), got_asset.brs_id
    expected_holdings = parse_holdings(extract_assets, par_header="MAG17_Par_Amount")
    assert [h.brs_id for h in holdings] == [h.brs_id for h in expected_holdings]
    assert [h.par for h in holdings] == pytest.approx([h.par for h in expected_holdings], rel=1e-12)
    expected = parse_deal_inputs(read_deal_document(legacy_dir / "mag17_deal.json"))

    def core(x: Any) -> Any:
        return dataclasses.replace(x, extras={}, tranches=(), trades=(), holidays=())

    assert core(inputs) == core(expected)
    for got, want in zip(inputs.tranches, expected.tranches, strict=True):
        assert {k: got[k] for k in want} == want


def test_sample_workbook_shares_no_asset_data_with_the_legacy(legacy_dir: Path) -> None:
    """The committed sample is synthetic: no legacy asset ID, issuer ID or issuer name appears in it."""
    from workbook.generate_sample import generate

    real = json.loads((legacy_dir / "mag17_assets.json").read_text("utf-8"))
    sample = json.loads((legacy_dir / "workbook_sheets_sample.json").read_text("utf-8"))["sheets"]
    legacy_ids = {r["BLKRockID"] for r in real} | set(sample["Asset Correlation"]["column_headers"])
    book = generate()
    assert not {a["BLKRockID"] for a in book.assets} & legacy_ids
    assert not {a["ISSUER ID"] for a in book.assets} & {r["ISSUER ID"] for r in real}
    assert not {a["Issuer Name"] for a in book.assets} & {r["Issuer Name"] for r in real}
