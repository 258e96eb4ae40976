"""The cash-flow engine's collateral columns built from the ingested :class:`~clo_xl.portfolio.asset.Asset`
records: one parser per record kind (the ingest layer's), no second reading of ``All Assets`` rows.

Everything a projection needs is already typed on the asset (dates, enums, flags, numbers, validated by
:mod:`clo_xl.ingest`); this module only maps it onto the engine's codes and units:

* day count (``enums.DayCount`` → YEARFRAC basis; a blank cell is US 30/360, as the legacy's code 0);
* business-day convention (Mod Following, Following, Previous; anything else rolls Following, as the
  legacy's ``CheckBusinessDate`` does);
* market value in points → a fraction of par (a blank cell reads 0, as the legacy asset holds it);
* the S&P rating the pool stores: the *derived* rating of COMPLIANCE_SPEC §3.5 (legacy switches), not the
  raw facility column;
* first payment date (blank → maturity) and dated date (dated, else issue, else first payment date).

Where the legacy reads a field differently from what the data means, the difference is a named switch of
:class:`CollateralReading` (both behaviours kept, ``legacy`` reproduces the workbook):

* ``exact_yes_flags`` (COMPLIANCE_SPEC §6 Q1, the same loader feeds the cash-flow engine): "Default
  Obligation" counts only when the cell is exactly ``Yes``; corrected: any yes (``yes``, ``TRUE``, 1);
* ``exact_float`` (CASHFLOW_SPEC §1.2 m): a coupon resets off the curve only when the coupon type is exactly
  ``FLOAT``; corrected: any spelling of floating (``Float``, ``FLOATING``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.compliance.derive import Deriver
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.curves.conventions import BusinessDayRule, to_day_number
from clo_xl.curves.conventions import DayCount as Basis
from clo_xl.enums import BusinessDayConvention, Convention, CouponType, DayCount
from clo_xl.portfolio.asset import Asset

_BASIS: dict[DayCount | None, Basis] = {
    DayCount.ACT_360: Basis.ACT_360,
    DayCount.ACT_365: Basis.ACT_365,
    DayCount.ACT_ACT: Basis.ACT_ACT,
    DayCount.THIRTY_360: Basis.THIRTY_360_US,
    None: Basis.THIRTY_360_US,
}
_RULE: dict[BusinessDayConvention | None, BusinessDayRule] = {
    BusinessDayConvention.MOD_FOLLOWING: BusinessDayRule.MODIFIED_FOLLOWING,
    BusinessDayConvention.FOLLOWING: BusinessDayRule.FOLLOWING,
    BusinessDayConvention.PREVIOUS: BusinessDayRule.PRECEDING,
}


@dataclass(frozen=True)
class CollateralReading:
    """How the cash-flow engine reads an asset's fields, one named switch per legacy difference."""

    exact_yes_flags: bool = True
    exact_float: bool = True

    @classmethod
    def legacy(cls) -> CollateralReading:
        return cls(exact_yes_flags=True, exact_float=True)

    @classmethod
    def corrected(cls) -> CollateralReading:
        return cls(exact_yes_flags=False, exact_float=False)

    @classmethod
    def named(cls, *, legacy: bool) -> CollateralReading:
        """The legacy reading unless the run is fully ``corrected`` (one loader feeds both engines: the
        compliance switches Q1 and Q3 of the same name decide it there)."""
        return cls.legacy() if legacy else cls.corrected()


def _dated(a: Asset, first_payment: int) -> int:
    """Accrual start: the dated date, else the issue date, else the first payment date."""
    start = a.dated_date or a.issue_date
    return to_day_number(start) if start is not None else first_payment


def _is_float(a: Asset, reading: CollateralReading) -> bool:
    if a.coupon_type is not CouponType.FLOAT:
        return False
    return not (reading.exact_float and "coupon_type" in a.inexact_flags)


def collateral_from_assets(
    assets: Sequence[Asset],
    par: Mapping[str, float],
    *,
    reading: CollateralReading | None = None,
    keep_zero: bool = False,
) -> CollateralArrays:
    """The assets with a non-zero ``par`` (all of them with ``keep_zero``), in the order given, as engine
    columns. ``par`` maps BLKRockID → par held (summed over the deal's holdings)."""
    read = reading or CollateralReading.legacy()
    held = [a for a in assets if keep_zero or par.get(a.brs_id, 0.0) != 0.0]
    deriver = Deriver(QuirkSet.for_convention(Convention.LEGACY))
    n = len(held)
    maturity = [to_day_number(a.maturity) if a.maturity else 0 for a in held]
    first = [
        to_day_number(a.first_payment_date) if a.first_payment_date else m
        for a, m in zip(held, maturity, strict=True)
    ]
    dated = [_dated(a, f) for a, f in zip(held, first, strict=True)]
    sp = []
    for a in held:
        derived = deriver.sp_rating(a)
        sp.append(derived.symbol if derived is not None else "NR")
    moodys = [
        a.moodys_rating.name.upper()
        if a.moodys_rating is not None
        else ("WR" if "moodys_rating" in a.withdrawn_ratings else "NR")
        for a in held
    ]
    return CollateralArrays(
        asset_id=np.array([a.brs_id for a in held], dtype=np.str_),
        par=np.fromiter((par.get(a.brs_id, 0.0) for a in held), dtype=np.float64, count=n),
        spread=np.fromiter((a.coupon_spread for a in held), dtype=np.float64, count=n),
        floor=np.fromiter((a.libor_floor for a in held), dtype=np.float64, count=n),
        coupon=np.fromiter((a.coupon for a in held), dtype=np.float64, count=n),
        is_float=np.fromiter((_is_float(a, read) for a in held), dtype=bool, count=n),
        maturity=np.array(maturity, dtype=np.int64),
        first_payment=np.array(first, dtype=np.int64),
        dated=np.array(dated, dtype=np.int64),
        payments_per_year=np.fromiter((round(a.payment_frequency) for a in held), dtype=np.int64, count=n),
        day_count=np.fromiter((int(_BASIS[a.day_count]) for a in held), dtype=np.int64, count=n),
        business_day_rule=np.fromiter(
            (int(_RULE.get(a.business_day_convention, BusinessDayRule.FOLLOWING)) for a in held),
            dtype=np.int64,
            count=n,
        ),
        end_of_month=np.fromiter((a.pmt_eom for a in held), dtype=bool, count=n),
        defaulted=np.fromiter(
            (a.flag("defaulted", legacy=read.exact_yes_flags) for a in held), dtype=bool, count=n
        ),
        market_value=np.fromiter((a.market_value / 100.0 for a in held), dtype=np.float64, count=n),
        sp_rating=np.array(sp, dtype=np.str_),
        moodys_rating=np.array(moodys, dtype=np.str_),
        scheduled=np.fromiter(
            (a.amortization_type.strip().upper() == "SCHEDULED" for a in held), dtype=bool, count=n
        ),
    )


def par_by_asset(holdings: Sequence[object]) -> dict[str, float]:
    """BLKRockID → par held, duplicate holdings summed (as the legacy pool does)."""
    out: dict[str, float] = {}
    for h in holdings:
        brs_id = str(getattr(h, "brs_id", "")).strip()
        out[brs_id] = out.get(brs_id, 0.0) + float(getattr(h, "par", 0.0))
    return out


__all__ = ["CollateralReading", "collateral_from_assets", "par_by_asset"]
