"""The cash-flow engine's collateral is built from the ingested Assets (one parser per record kind):

* the S&P rating an asset carries is its derived S&P rating (COMPLIANCE_SPEC §3.5), as the legacy pool
  stores it: it drives the CCC bucket of the OC haircut (CASHFLOW_SPEC §5.3) and the migration start;
* the legacy reads "Default Obligation" as yes only when the cell is exactly ``Yes`` (§6 Q1) and resets a
  coupon only when its type is exactly ``FLOAT`` (CASHFLOW_SPEC §1.2 m); corrected reads the data's meaning.
"""

from __future__ import annotations

from typing import Any

from tests.corpus.extracts import PAR_COLUMN, asset_record

from clo_xl.cashflows.from_assets import CollateralReading, collateral_from_assets
from clo_xl.cashflows.structure import Conventions
from clo_xl.ingest.assets import parse_assets
from clo_xl.ingest.raw import RawTable
from clo_xl.portfolio.asset import Asset


def assets(*records: dict[str, Any]) -> tuple[Asset, ...]:
    return parse_assets(RawTable("test.json", None, tuple(records[0]), records))


def record(brs: str, **overrides: Any) -> dict[str, Any]:
    rec = asset_record(0)
    rec.update({"BLKRockID": brs, PAR_COLUMN: 1_000_000.0, **overrides})
    return rec


def test_second_lien_facility_rating_does_not_make_a_b_minus_issuer_ccc() -> None:
    # §3.5: not DIP, not defaulted → the S&P issuer rating (B-) comes first; the facility rating (CCC+,
    # two notches under the issuer as for a second lien) is not the asset's S&P rating
    found = assets(record("SL1", **{"S&P Facility Rating": "CCC+", "S&P Issuer Rating": "B-"}))
    coll = collateral_from_assets(found, {"SL1": 1_000_000.0})
    assert list(coll.sp_rating) == ["B-"]


def test_defaulted_asset_is_d_and_dip_takes_the_facility_rating() -> None:
    # §3.5 steps 1-2: a DIP asset takes its S&P facility rating; a defaulted one is "D"
    dip = record("DIP1", DIP="Yes", **{"S&P Facility Rating": "BB", "S&P Issuer Rating": "CCC"})
    dflt = record("DEF1", **{"Default Obligation": "Yes", "S&P Issuer Rating": "B"})
    coll = collateral_from_assets(assets(dip, dflt), {"DIP1": 1.0, "DEF1": 1.0})
    assert list(coll.sp_rating) == ["BB", "D"]


def test_only_held_assets_in_universe_order_with_summed_par() -> None:
    found = assets(record("A1"), record("A2"), record("A3"))
    coll = collateral_from_assets(found, {"A3": 2.0, "A1": 5.0})
    assert list(coll.asset_id) == ["A1", "A3"] and list(coll.par) == [5.0, 2.0]


def test_inexact_flags_and_coupon_types_are_named_switches() -> None:
    # "yes" and "Float" mean yes and floating; the legacy loader reads only "Yes" and "FLOAT" (§6 Q1, §1.2 m)
    found = assets(record("F1", **{"Default Obligation": "yes", "Coupon Type": "Float"}))
    legacy = collateral_from_assets(found, {"F1": 1.0}, reading=CollateralReading.legacy())
    corrected = collateral_from_assets(found, {"F1": 1.0}, reading=CollateralReading.corrected())
    assert (bool(legacy.defaulted[0]), bool(legacy.is_float[0])) == (False, False)
    assert (bool(corrected.defaulted[0]), bool(corrected.is_float[0])) == (True, True)
    assert CollateralReading.named(legacy=bool(Conventions().quirks)) == CollateralReading.legacy()
    assert (
        CollateralReading.named(legacy=bool(Conventions.corrected().quirks)) == CollateralReading.corrected()
    )


def test_units_and_dates_follow_the_engine() -> None:
    # market value in points → fraction of par; dated date falls back to the issue date (asset_record has
    # both equal), first payment date as given
    found = assets(record("U1", **{"Market Value": 97.5, "Dated Date": None}))
    coll = collateral_from_assets(found, {"U1": 1.0})
    a = found[0]
    assert coll.market_value[0] == 0.975
    assert a.issue_date is not None and a.first_payment_date is not None
    assert int(coll.dated[0]) == (a.issue_date - a.issue_date.__class__(1970, 1, 1)).days
    assert (
        int(coll.first_payment[0]) == (a.first_payment_date - a.first_payment_date.__class__(1970, 1, 1)).days
    )
