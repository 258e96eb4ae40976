"""An 11th deal is data only: three files, no code, and compliance and cash flows run on it.

``Mag 18`` is added from data files written here, beside nothing of clo-xl's own: a waterfall version JSON
(``mag18_waterfall.json``), a deal-inputs file that names it (``mag18_deal.json``, CONTRACT §2 shape,
``"waterfall": "mag18_waterfall.json"``), and asset rows (the 70 All Assets headers plus a
``MAG18_Par_Amount`` column). Its tests and fees carry names no code knows ("Acceleration Par Test",
"Collateral Trustee"...): the engine must find them by kind and data flags.

Independent routes:
* compliance test 7 (Caa) by hand: the Caa1 assets are rows 5 and 11 of the sample rows (the ratings cycle
  Ba3, B1, B2, B2, B3, Caa1), par 2.0m + 0.5m x i → 4.5m + 7.5m = 12.0m, over the Collateral Principal
  Amount (COMPLIANCE_SPEC §4.1: performing par Σ(2.0m + 0.5m x i, i = 0..11) = 57.0m plus 1.5m principal
  cash) = 58.5m: 12 / 58.5 = 0.205128...;
* cash flows, metamorphically: the Mag 18 waterfall is the packaged Mag 17 (corrected) / Mag 15 (legacy,
  Q48) version with every test, fee and payee renamed, so every period's cash, test ratio and class
  payment must equal the packaged deal's, and each period's sources must equal its uses (CONTRACT §3).
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from clo_xl.api import DealSession
from clo_xl.waterfall.versions import VERSIONS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import extracts as X

#: every name the Mag 17 / Mag 15 version files and the fee template use → the 11th deal's own
RENAMED = {
    "Class B-2 IC": "Mezzanine B-2 Interest Coverage",
    "Class C IC": "Mezzanine C Interest Coverage",
    "Class D IC": "Junior D Interest Coverage",
    "Class B-2 OC": "Mezzanine B-2 Par Value",
    "Class C OC": "Mezzanine C Par Value",
    "Class D OC": "Junior D Par Value",
    "Class E OC": "Junior E Par Value",
    "Class B OC": "Mezzanine B Par Value",
    "Class B IC": "Mezzanine B Interest Coverage",
    "Class E IC": "Junior E Interest Coverage",
    "Interest Diversion": "Reinvestment Par Test",
    "Event of Default": "Acceleration Par Test",
    "Trustee Fee": "Collateral Trustee",
    "Admin Fee": "Administrative Expenses",
    "Base Manager Fee": "Senior Collateral Management",
    "Junior Manager Fee": "Subordinated Collateral Management",
}

TRANCHES = [  # a 58.5m pool's liabilities, shaped like the Mag 17 Liability block
    ("Class X", 250_000, 0.0125, 0, "NA", "NA"),
    ("Class A", 36_000_000, 0.0150, 0, "NA", "NA"),
    ("Class B-1", 4_000_000, 0.0230, 0, "NA", "NA"),
    ("Class B-2", 2_000_000, 0.0360, 1, 1.243, 1.15),
    ("Class C", 3_500_000, 0.0345, 1, 1.152, 1.10),
    ("Class D", 3_000_000, 0.0515, 1, 1.089, 1.05),
    ("Class E", 2_500_000, 0.0815, 1, 1.042, "NA"),
    ("Sub Notes", 7_000_000, 0.0, "NA", "NA", "NA"),
]


def _rename(value: Any) -> Any:
    if isinstance(value, str):
        return RENAMED.get(value, value)
    if isinstance(value, list):
        return [_rename(v) for v in value]
    if isinstance(value, dict):
        return {k: _rename(v) for k, v in value.items()}
    return value


def _deal_document(deal: str, par_column: str) -> dict[str, Any]:
    doc = X.deal_document()
    doc.update(deal=deal, par_column=par_column)
    doc["tranches"] = [
        {
            "class": name,
            "Original_Balance": bal,
            "Current_Balance": bal,
            "Price": 1,
            "Defaulted_Deferred": 0,
            "Spread_bps": spread,
            "Discount_Margin": spread,
            "PIKable": pik,
            "OC_Test": oc,
            "IC_Test": ic,
            "DayCount": "Actual/360",
        }
        for name, bal, spread, pik, oc, ic in TRANCHES
    ]
    return doc


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Mag 17 (packaged waterfall) and Mag 18 (its own three files) over the same sample rows."""
    folder = tmp_path_factory.mktemp("eleventh")
    records = X.asset_records()
    for r in records:
        r["MAG18_Par_Amount"] = r[X.PAR_COLUMN]
    X.write_assets(folder / "assets.json", records)
    X.write_deal(folder / "mag17_deal.json", _deal_document("Mag 17", "MAG17_Par_Amount"))
    for convention, packaged in (("corrected", "mag17.json"), ("legacy", "mag15.json")):
        version = json.loads(resources.files("clo_xl.data.waterfalls").joinpath(packaged).read_text())
        version = _rename(version) | {"name": "Mag 18", "about": "an 11th deal, from data files alone"}
        (folder / f"mag18_waterfall_{convention}.json").write_text(json.dumps(version, indent=1))
        doc = _deal_document("Mag 18", "MAG18_Par_Amount")
        doc["waterfall"] = f"mag18_waterfall_{convention}.json"
        doc["fees"] = [
            {"name": RENAMED["Trustee Fee"], "basis": "Beginning", "rate": 0.0002, "ic_deduction": True},
            {"name": RENAMED["Admin Fee"], "basis": "Beginning", "rate": 0.0001, "fixed_annual": 50_000.0},
            {"name": RENAMED["Base Manager Fee"], "basis": "Beginning", "rate": 0.0015, "ic_deduction": True},
            {"name": RENAMED["Junior Manager Fee"], "basis": "Beginning", "rate": 0.0035},
        ]
        X.write_deal(folder / f"mag18_deal_{convention}.json", doc)
    return {"folder": folder}


def test_mag18_is_no_packaged_version() -> None:
    assert "Mag 18" not in VERSIONS
    assert "Mag 17" in VERSIONS  # VERSIONS is read from the data files


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_compliance_runs_on_the_eleventh_deal(files: dict[str, Path], convention: str) -> None:
    folder = files["folder"]
    s18 = DealSession.from_extract(folder / "assets.json", folder / f"mag18_deal_{convention}.json")
    doc = s18.compliance_document(convention=convention)
    assert doc["deal"] == "Mag 18"
    caa = next(t for t in doc["tests"] if t["number"] == 7)
    assert caa["numerator"] == pytest.approx(12_000_000.0)
    assert caa["denominator"] == pytest.approx(57_000_000.0 + 1_500_000.0)
    assert caa["result"] == pytest.approx(12.0 / 58.5)
    assert caa["pass"] is False  # 20.5% Caa against a 7.5% limit


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_cash_flows_run_on_the_eleventh_deal_as_on_its_packaged_twin(
    files: dict[str, Path], convention: str
) -> None:
    folder = files["folder"]
    s17 = DealSession.from_extract(folder / "assets.json", folder / "mag17_deal.json")
    s18 = DealSession.from_extract(folder / "assets.json", folder / f"mag18_deal_{convention}.json")
    base = s17.cashflow_document(convention=convention)
    mine = s18.cashflow_document(convention=convention)
    assert mine["deal"] == "Mag 18"
    assert len(mine["periods"]) == len(base["periods"]) > 4
    for p17, p18 in zip(base["periods"], mine["periods"], strict=True):
        for key in ("payment_date", "interest_proceeds", "principal_proceeds", "reinvested", "residual"):
            assert p18[key] == p17[key], key
        # the renamed tests carry the same ratios: found by kind (EOD, IDT) and by the version's names
        assert [(RENAMED.get(t["name"], t["name"]), t["ratio"], t["pass"]) for t in p17["tests"]] == [
            (t["name"], t["ratio"], t["pass"]) for t in p18["tests"]
        ]
        assert {t["name"] for t in p18["tests"]} >= {"Reinvestment Par Test", "Acceleration Par Test"}
        assert p18["tranches"] == p17["tranches"]
        assert [(RENAMED.get(x["payee"], x["payee"]), x["amount"]) for x in p17["payments"]] == [
            (x["payee"], x["amount"]) for x in p18["payments"]
        ]
        # sources = uses, to the cent (CONTRACT §3)
        uses = sum(x["amount"] for x in p18["payments"]) + p18["reinvested"] + p18["carried"]
        sources = p18["interest_proceeds"] + p18["principal_proceeds"] + p18.get("brought_forward", 0.0)
        assert uses == pytest.approx(sources, abs=0.01)
    assert any(
        x["payee"] == RENAMED["Trustee Fee"] and x["amount"] > 0 for x in mine["periods"][0]["payments"]
    )
