"""The S&P rating a cash-flow asset carries is its derived S&P rating (COMPLIANCE_SPEC §3.5), as the legacy
pool stores it: it drives the CCC bucket of the OC haircut (CASHFLOW_SPEC §5.3) and the migration start."""

from __future__ import annotations

from typing import Any

from clo_xl.cashflows.from_records import collateral_from_records


def record(brs: str, **overrides: Any) -> dict[str, Any]:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.corpus.extracts import PAR_COLUMN, asset_record

    rec = asset_record(0)
    rec.update({"BLKRockID": brs, PAR_COLUMN: 1_000_000.0, **overrides})
    return rec


def test_second_lien_facility_rating_does_not_make_a_b_minus_issuer_ccc() -> None:
    # §3.5: not DIP, not defaulted → the S&P issuer rating (B-) comes first; the facility rating (CCC+,
    # two notches under the issuer as for a second lien) is not the asset's S&P rating
    rec = record("SL1", **{"S&P Facility Rating": "CCC+", "S&P Issuer Rating": "B-"})
    coll = collateral_from_records([rec], "MAG17_Par_Amount")
    assert list(coll.sp_rating) == ["B-"]


def test_defaulted_asset_is_d_and_dip_takes_the_facility_rating() -> None:
    # §3.5 steps 1-2: a DIP asset takes its S&P facility rating; a defaulted one is "D"
    dip = record("DIP1", DIP="Yes", **{"S&P Facility Rating": "BB", "S&P Issuer Rating": "CCC"})
    dflt = record("DEF1", **{"Default Obligation": "Yes", "S&P Issuer Rating": "B"})
    coll = collateral_from_records([dip, dflt], "MAG17_Par_Amount")
    assert list(coll.sp_rating) == ["BB", "D"]
