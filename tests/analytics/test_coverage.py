"""Determination-date coverage: the Adjusted Collateral Principal Amount and the cushions against hand
calculations, and the Mag 17 Class E ratio on the analysis date against the issue's figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clo_xl.analytics.coverage import (
    AcpaInputs,
    AcpaParameters,
    adjusted_collateral_principal_amount,
    coverage_row,
)
from clo_xl.api import DealSession
from clo_xl.waterfall.run import TestRow as EngineTestRow

M = 1_000_000.0


def _pool(a3_purchase: float = np.nan) -> AcpaInputs:
    """Eight obligations (par in millions): see the hand calculation in the tests."""
    nan = np.nan
    return AcpaInputs(
        asset_id=["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"],
        par=np.array([40, 20, 6, 5, 4, 5, 2, 1]) * M,
        market_value=np.array([0.99, 0.97, 0.60, 0.80, 0.50, 0.30, 0.60, 0.50]),
        defaulted=np.array([False, False, False, False, False, True, True, True]),
        recovery_rate=np.array([0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.40, 0.45]),
        caa=np.array([False, False, True, True, False, False, False, False]),
        ccc=np.array([False, False, False, True, True, False, False, False]),
        purchase_price=np.array([nan, 0.78, a3_purchase, nan, nan, nan, nan, nan]),
        is_bond=np.zeros(8, dtype=bool),
        default_years=np.array([nan, nan, nan, nan, nan, 0.5, 1.0, 4.0]),
        principal_cash=10 * M,
    )


def test_acpa_by_hand() -> None:
    acpa = adjusted_collateral_principal_amount(_pool(), AcpaParameters(caa_limit=0.075, ccc_limit=0.075))
    # performing par 40 + 20 + 6 + 5 + 4 = 75m; CPA = 75 + 10 cash = 85m; limits 7.5% × 85 = 6.375m
    # Caa bucket A3 + A4 = 11m → excess 4.625m; CCC bucket A4 + A5 = 9m → excess 2.625m: the Caa excess
    # (the greater) is carried at market value, lowest price first: 4.625m of A3 at 0.60 → haircut 1.85m
    # A2 bought at 78 (< 80 for a loan) is a discount obligation: 20m × 0.78 = 15.6m → haircut 4.4m
    # defaulted: A6 min(0.30, 0.45) × 5m = 1.5m; A7 min(0.60, 0.40) × 2m = 0.8m; A8 four years: 0
    # ACPA = 75 + 10 − 4.4 − 1.85 + 2.3 = 81.05m
    assert acpa.collateral_principal_amount == pytest.approx(85 * M)
    assert acpa.excess_bucket == "Caa" and acpa.excess_par == pytest.approx(4.625 * M)
    assert acpa.excess_haircut == pytest.approx(1.85 * M)
    assert acpa.discount_haircut == pytest.approx(4.4 * M)
    assert acpa.defaulted_value == pytest.approx(2.3 * M)
    assert acpa.amount == pytest.approx(81.05 * M)
    treatments = {x.asset_id: x.treatment for x in acpa.lines}
    assert treatments["A3"] == "Caa excess at market value" and treatments["A8"].startswith("defaulted over")
    assert sum(x.carrying_value for x in acpa.lines) + acpa.principal_cash == pytest.approx(acpa.amount)


def test_an_obligation_in_two_categories_takes_the_lowest_value() -> None:
    acpa = adjusted_collateral_principal_amount(_pool(a3_purchase=0.70))
    # A3 is also a discount obligation (bought at 70): its 4.625m in the Caa excess at min(MV 0.60, 0.70)
    # = 2.775m and its other 1.375m at the purchase price 0.70 = 0.9625m → 3.7375m (par 6m)
    a3 = next(x for x in acpa.lines if x.asset_id == "A3")
    assert a3.carrying_value == pytest.approx(3.7375 * M)
    assert a3.treatment == "discount at purchase price, Caa excess at market value"
    # ACPA = 75 + 10 − (4.4 + 1.375 × 0.3) − 1.85 + 2.3 = 80.6375m
    assert acpa.amount == pytest.approx(80.6375 * M)


def test_cushions_by_hand() -> None:
    test = EngineTestRow("Class D OC", "OC", 0.0, 70 * M, None, 1.10, True, 0.0)
    row = coverage_row(test, 81.05 * M, strict=False)
    # ratio 81.05 / 70 = 1.157857; par cushion 81.05 − 1.10 × 70 = 4.05m; 5.79 points above the trigger
    assert row.ratio == pytest.approx(1.1578571428571)
    assert row.cushion == pytest.approx(4.05 * M)
    assert row.cushion_ratio == pytest.approx(0.0578571428571)
    assert row.passed and row.tranche_class == "Class D"
    at_trigger = coverage_row(test, 77 * M, strict=True)
    assert not at_trigger.passed  # legacy: a test passes only above its trigger (§4.11)
    assert coverage_row(test, 77 * M, strict=False).passed  # indentures: at or above


def test_mag17_class_e_oc_on_the_analysis_date(sample_workbook: Path) -> None:
    session = DealSession.from_workbook(sample_workbook, "Mag 17")
    report = session.coverage()
    # by hand from the sheet: non-defaulted par 414,000,000 + defaulted par at market value 2,474,910 +
    # collection principal 68,842,395.08 = 485,317,305.08 over Classes A–E 459,900,000 (the Mag 15 waterfall
    # the legacy runs Mag 17 on leaves Class X out, Q48): 1.0553, the figure issue 11 quotes; the projected
    # first-payment-date ratio is 1.0508
    assets = {a.brs_id: a for a in session.assets}
    performing = sum(h.par for h in session.holdings if not assets[h.brs_id].defaulted)
    defaulted_mv = sum(
        h.par * assets[h.brs_id].market_value / 100 for h in session.holdings if assets[h.brs_id].defaulted
    )
    cash = session.deal_inputs.principal_cash
    assert performing + defaulted_mv + cash == pytest.approx(485_317_305.08)
    assert report.ratio("E", "OC") == pytest.approx(485_317_305.08 / 459_900_000.0)
    assert round(report.ratio("E", "OC") or 0, 4) == 1.0553
    assert round(report.ratio("Class E", "OC", projected=True) or 0, 4) == 1.0508
    doc = report.to_json()
    e = next(t for t in doc["analysis_date_tests"] if t["test"] == "Class E OC")
    assert e["cushion"] == pytest.approx(485_317_305.08 - e["trigger"] * 459_900_000.0)
    assert {"class", "kind", "ratio", "trigger", "cushion", "cushion_pct", "pass"} <= set(e)


def test_mag17_corrected_uses_the_acpa(sample_workbook: Path) -> None:
    session = DealSession.from_workbook(sample_workbook, "Mag 17")
    report = session.coverage(convention="corrected")
    acpa = report.acpa
    # defaulted holdings at the lower of market value and the Moody's recovery rate (per line)
    for line in acpa.lines:
        if line.treatment.startswith("defaulted"):
            a = next(x for x in session.assets if x.brs_id == line.asset_id)
            assert line.carrying_value <= line.par * a.market_value / 100 + 1e-6
    assert report.numerator is acpa
    e = next(r for r in report.analysis_date_rows if r.test == "Class E OC")
    assert e.numerator == pytest.approx(acpa.amount)
    frame = report.to_pandas()
    assert set(frame["basis"]) == {"analysis date", "first payment date"}
