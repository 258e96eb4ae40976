"""The real Mag 17 extract through the engine and the CLI (reads ../shared/legacy at run time)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.from_assets import collateral_from_assets
from clo_xl.cashflows.from_deal import curve_tenors, structure_from_inputs
from clo_xl.cashflows.structure import Conventions
from clo_xl.cli import main
from clo_xl.curves import Extrapolation, build_curve
from clo_xl.runs.cashflow_pipeline import DealInputsBundle, inputs_from_extract
from clo_xl.waterfall.run import run_deal

pytestmark = pytest.mark.legacy_data


@pytest.fixture(scope="module")
def mag17(legacy_dir: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    assets = json.loads((legacy_dir / "mag17_assets.json").read_text())
    deal = json.loads((legacy_dir / "mag17_deal.json").read_text())
    return assets, deal


def _bundle(mag17: tuple[list[dict[str, object]], dict[str, object]]) -> DealInputsBundle:
    assets, doc = mag17
    return inputs_from_extract(assets, doc)


def test_pool_par_matches_the_extract(mag17: tuple[list[dict[str, object]], dict[str, object]]) -> None:
    assets, _ = mag17
    bundle = _bundle(mag17)
    coll = collateral_from_assets(bundle.assets, bundle.par)
    expected = sum(float(str(a["MAG17_Par_Amount"])) for a in assets)
    assert coll.par.sum() == pytest.approx(expected)


@pytest.mark.parametrize("legacy", [True, False])
def test_mag17_runs_conserves_cash_and_retires_the_notes(
    mag17: tuple[list[dict[str, object]], dict[str, object]], legacy: bool
) -> None:
    bundle = _bundle(mag17)
    deal = structure_from_inputs(bundle.inputs, bundle.cashflow)
    coll = collateral_from_assets(bundle.assets, bundle.par)
    tenors = curve_tenors(bundle.inputs, bundle.cashflow)
    curve = build_curve(deal.dates.analysis_date, tenors, extrapolation=Extrapolation.FLAT)
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
    # period 1 by hand (CASHFLOW_SPEC §3.1/§3.3): the extract has no closing date, so the deal closes on the
    # analysis date and its first payment date accrues (2016-03-23, 2016-07-20] = 119 days ACT/360 at the
    # "Current LIBOR" input 0.5418% + each senior class's spread, paid in full
    first = {t.name: t for t in result.periods[0].tranches}
    days = (date(2016, 7, 20) - date(2016, 3, 23)).days
    assert days == 119
    assert first["Class A"].interest_paid == pytest.approx(
        320_000_000 * (0.005418 + 0.0155) * days / 360, abs=0.01
    )
    assert first["Class B-1"].interest_paid == pytest.approx(
        45_000_000 * (0.005418 + 0.0235) * days / 360, abs=0.01
    )
    # the Sub Notes' IRR is the root of their own flows (Excel XIRR, independent of the engine's solver):
    # the extract has no Sub Notes payment history, so the notes are bought at par (38,750,000, the
    # extract's Original_Balance) on the closing date = the analysis date, then each period's payments to
    # "Sub Notes" (no incentive fee in the extract: nothing is deducted)
    assert result.incentive_fee_total == 0.0
    sub_flows = [(date(2016, 3, 23), -38_750_000.0)] + [
        (p.payment_date, sum(x.amount for x in p.payments if x.payee == "Sub Notes")) for p in result.periods
    ]
    _assert_root(result.sub_note_irr, sub_flows)


def _xnpv(rate: float, flows: list[tuple[date, float]]) -> float:
    """Excel's XNPV: Σ amount / (1 + rate)^(days / 365) from the first date."""
    t0 = flows[0][0]
    return sum(a / (1.0 + rate) ** ((d - t0).days / 365.0) for d, a in flows)


def _assert_root(irr: float | None, flows: list[tuple[date, float]]) -> None:
    """``irr`` is XIRR's root of ``flows`` to a hundredth of a basis point: XNPV changes sign across it."""
    assert irr is not None
    assert _xnpv(irr - 1e-6, flows) > 0.0 > _xnpv(irr + 1e-6, flows), irr


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_cli_json_document_shape(
    legacy_dir: Path, capsys: pytest.CaptureFixture[str], convention: str
) -> None:
    code = main(
        [
            "cashflows",
            "--assets",
            str(legacy_dir / "mag17_assets.json"),
            "--deal-inputs",
            str(legacy_dir / "mag17_deal.json"),
            "--cdr",
            "0.03",
            "--convention",
            convention,
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
    assert doc["summary"]["incentive_fee_total"] == 0.0  # the extract carries no incentive fee
    # period 1 by hand, as in the engine test above: 119 days ACT/360 at 0.5418% + 1.55% on Class A's
    # 320,000,000 (paid in full whatever the CDR), rounded to the cent as the document rounds amounts
    class_a = next(t for t in period["tranches"] if t["class"] == "Class A")
    assert class_a["interest_paid"] == round(320_000_000 * (0.005418 + 0.0155) * 119 / 360, 2)
    # the Sub Notes' IRR: the root of their flows in this document (bought at par on the analysis date)
    sub_flows = [(date(2016, 3, 23), -38_750_000.0)] + [
        (
            date.fromisoformat(p["payment_date"]),
            sum(x["amount"] for x in p["payments"] if x["payee"] == "Sub Notes"),
        )
        for p in doc["periods"]
    ]
    irr = doc["summary"]["sub_note_irr"]
    assert abs(_xnpv(irr, sub_flows)) < 0.01 * len(sub_flows)  # the flows are rounded to the cent
    # each class's IRR is the root of its own flows in this document (Excel XIRR, independent of the
    # engine's solver): the purchase at price x balance (+ accrued) on the settlement date, then every
    # period's interest + principal paid; |XNPV| within the cents the document rounds each flow to
    prices = {
        t["class"]: t["Price"] for t in json.loads((legacy_dir / "mag17_deal.json").read_text())["tranches"]
    }
    checked = 0
    for summary in doc["summary"]["tranches"]:
        if summary["irr"] is None or summary["irr"] <= -1.0:
            continue
        cls = summary["class"]
        first = next(t for t in doc["periods"][0]["tranches"] if t["class"] == cls)
        settle = date.fromisoformat(summary["settlement_date"])
        flows = [(settle, -(float(prices[cls]) * first["beginning_balance"] + summary["accrued_interest"]))]
        for p in doc["periods"]:
            t = next(t for t in p["tranches"] if t["class"] == cls)
            flows.append((date.fromisoformat(p["payment_date"]), t["interest_paid"] + t["principal_paid"]))
        assert abs(_xnpv(summary["irr"], flows)) < 0.01 * len(flows), cls
        checked += 1
    assert checked >= 6
