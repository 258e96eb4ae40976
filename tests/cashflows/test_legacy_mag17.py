"""The real Mag 17 extract through the engine and the CLI (reads ../shared/legacy at run time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.from_deal import curve_tenors, structure_from_document
from clo_xl.cashflows.from_records import collateral_from_records
from clo_xl.cashflows.structure import Conventions
from clo_xl.cli import main
from clo_xl.curves import Extrapolation, build_curve
from clo_xl.waterfall.run import run_deal

pytestmark = pytest.mark.legacy_data


@pytest.fixture(scope="module")
def mag17(legacy_dir: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    assets = json.loads((legacy_dir / "mag17_assets.json").read_text())
    deal = json.loads((legacy_dir / "mag17_deal.json").read_text())
    return assets, deal


def test_pool_par_matches_the_extract(mag17: tuple[list[dict[str, object]], dict[str, object]]) -> None:
    assets, _ = mag17
    coll = collateral_from_records(assets, "MAG17_Par_Amount")
    expected = sum(float(str(a["MAG17_Par_Amount"])) for a in assets)
    assert coll.par.sum() == pytest.approx(expected)


@pytest.mark.parametrize("legacy", [True, False])
def test_mag17_runs_conserves_cash_and_retires_the_notes(
    mag17: tuple[list[dict[str, object]], dict[str, object]], legacy: bool
) -> None:
    assets, doc = mag17
    deal = structure_from_document(doc)
    coll = collateral_from_records(assets, "MAG17_Par_Amount")
    curve = build_curve(deal.dates.analysis_date, curve_tenors(doc), extrapolation=Extrapolation.FLAT)
    conv = Conventions() if legacy else Conventions.corrected()
    result = run_deal(
        deal, coll, CashflowAssumptions(AssetAssumption(0.2, 0.02, 0.35, 12)), curve, conventions=conv
    )
    assert result.version == ("Mag 15" if legacy else "Mag 17")  # Q48
    for p in result.periods:
        out = sum(x.amount for x in p.payments) + p.reinvested + p.carried
        assert out == pytest.approx(p.interest_proceeds + p.principal_proceeds, abs=0.005)
    last = {t.name: t for t in result.periods[-1].tranches}
    # the real Mag 17 waterfall pays Class X; the legacy mapping never does (Q48)
    assert last["Class X"].ending_balance == pytest.approx(0.0 if not legacy else 2_400_000.0)
    assert last["Class A"].ending_balance == pytest.approx(0.0, abs=1.0)
    assert result.sub_note_irr is not None


def test_cli_json_document_shape(legacy_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "cashflows",
            "--assets",
            str(legacy_dir / "mag17_assets.json"),
            "--deal-inputs",
            str(legacy_dir / "mag17_deal.json"),
            "--cdr",
            "0.03",
            "--json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["deal"] == "Mag 17"
    period = doc["periods"][0]
    for key in ("payment_date", "interest_proceeds", "principal_proceeds", "payments", "tests", "tranches"):
        assert key in period
    assert {"step", "payee", "source", "amount"} <= set(period["payments"][0])
    assert {
        "class",
        "beginning_balance",
        "interest_paid",
        "principal_paid",
        "deferred_interest",
        "ending_balance",
    } <= set(period["tranches"][0])
    for p in doc["periods"]:
        total = sum(x["amount"] for x in p["payments"]) + p["reinvested"] + p["carried"]
        assert round(total, 2) == round(p["interest_proceeds"] + p["principal_proceeds"], 2)
        assert p["residual"] == pytest.approx(
            sum(x["amount"] for x in p["payments"] if x["payee"] == "Sub Notes"), abs=0.02
        )
    assert {"class", "irr", "wal"} <= set(doc["summary"]["tranches"][0])
    assert "incentive_fee_total" in doc["summary"]
