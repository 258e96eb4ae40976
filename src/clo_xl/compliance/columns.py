"""Column arrays over a universe, computed once per (convention, analysis date, holidays) and cached on the
:class:`~clo_xl.portfolio.pool.Universe`. A pool evaluation only indexes them by the pool's positions.

This is where the legacy's load-time normalisations are applied (COMPLIANCE_SPEC §2.1): uppercased
Moody's industry and country, raw S&P industry (Q3), exact-"Yes" flags (Q1), exact "FLOAT"/"FIXED" (Q3),
derived ratings and recovery (§3), business-day-adjusted maturity (§2.2, Q5).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from clo_xl.compliance.derive import (
    NON_SENIOR_SECURED_LOAN_CATEGORY,
    DerivedRatings,
    Deriver,
    derive_all,
    rating_factor,
)
from clo_xl.compliance.kernels import key_ranks
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.enums import BondLoan, BusinessDayConvention, CouponType
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Universe
from clo_xl.ratings.scales import SPRating

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SP_SECOND_LIEN = "SENIOR UNSECURED LOAN/SECOND LIEN LOAN"
CCC_SET = frozenset({SPRating.CCC_PLUS, SPRating.CCC, SPRating.CCC_MINUS, SPRating.CC, SPRating.C})


def adjust_business_day(
    d: date, convention: BusinessDayConvention | None, holidays: frozenset[date], quirks: QuirkSet
) -> date:
    """Move a date off weekends and holidays (MT 9–20).

    Legacy (Q5): always to the next business day, except "Mod Following" on the last calendar day of the
    month, which moves back; "Previous" is never honoured. Corrected: Following, Modified Following
    (back only when rolling forward leaves the month), Previous and Modified Previous as usual.
    """

    def is_bd(x: date) -> bool:
        return x.weekday() < 5 and x not in holidays

    if is_bd(d) or convention is BusinessDayConvention.UNADJUSTED:
        return d

    def step(x: date, days: int) -> date:
        x += timedelta(days=days)
        while not is_bd(x):
            x += timedelta(days=days)
        return x

    month_end = calendar.monthrange(d.year, d.month)[1] == d.day
    if Quirk.Q5_BUSINESS_DAY_ADJUST in quirks:
        if convention is BusinessDayConvention.MOD_FOLLOWING and month_end:
            return step(d, -1)
        return step(d, 1)
    if convention in (BusinessDayConvention.PREVIOUS, BusinessDayConvention.MOD_PREVIOUS):
        back = step(d, -1)
        if convention is BusinessDayConvention.MOD_PREVIOUS and back.month != d.month:
            return step(d, 1)
        return back
    fwd = step(d, 1)
    if convention is BusinessDayConvention.MOD_FOLLOWING and fwd.month != d.month:
        return step(d, -1)
    return fwd


def _codes(keys: Iterable[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Each key's code (its distinct key's position in first-seen order) and the distinct keys."""
    keys = list(keys)
    distinct = tuple(dict.fromkeys(keys))
    code = dict(zip(distinct, range(len(distinct)), strict=True))
    return np.fromiter(map(code.__getitem__, keys), dtype=np.int64, count=len(keys)), distinct


def _per_value(values: Iterable[Any], test: Callable[[Any], bool]) -> BoolArray:
    """``test`` of every value, evaluated once per distinct value (enum members, frozensets, pairs)."""
    values = list(values)
    result = {v: test(v) for v in dict.fromkeys(values)}
    return np.fromiter(map(result.__getitem__, values), dtype=bool, count=len(values))


def _field(name: str, assets: Sequence[Asset]) -> list[Any]:
    """Every asset's ``name`` attribute, read in one C-level pass."""
    return list(map(attrgetter(name), assets))


def _codes_of(
    raw: IntArray, raw_keys: tuple[str, ...], normal: Callable[[str], str]
) -> tuple[IntArray, tuple[str, ...]]:
    """:func:`_codes` of ``normal(key)`` from the codes of the raw keys: ``normal`` runs once per distinct raw
    key (raw keys come in first-seen order, so the normalised keys keep theirs)."""
    index: dict[str, int] = {}
    remap = np.asarray([index.setdefault(normal(k), len(index)) for k in raw_keys], dtype=np.int64)
    return remap[raw], tuple(index)


def _per_key(raw: IntArray, raw_keys: tuple[str, ...], test: Callable[[str], bool]) -> BoolArray:
    """``test`` of every asset's key, evaluated once per distinct key."""
    return np.asarray([test(k) for k in raw_keys], dtype=bool)[raw]


@dataclass(frozen=True, eq=False)
class AssetColumns:
    """Per-universe arrays (one entry per universe asset)."""

    defaulted: BoolArray
    loan: BoolArray
    senior_secured: BoolArray
    non_senior_category: BoolArray
    sp_second_lien: BoolArray
    dip: BoolArray
    current_pay: BoolArray
    participation: BoolArray
    bridge_loan: BoolArray
    cov_lite: BoolArray
    deferred_interest: BoolArray
    letter_of_credit: BoolArray
    piking: BoolArray
    fixed: BoolArray
    floating: BoolArray
    libor_index: BoolArray
    caa: BoolArray
    ccc: BoolArray
    payment_frequency: FloatArray
    unfunded: FloatArray
    facility: FloatArray
    wal: FloatArray
    coupon: FloatArray
    spread: FloatArray
    floor: FloatArray
    market_value: FloatArray
    recovery: FloatArray
    factor_tests: FloatArray
    factor_udt: FloatArray
    maturity_ordinal: IntArray
    country: IntArray
    issuer: IntArray
    sp_industry: IntArray
    moodys_industry: IntArray
    country_keys: tuple[str, ...]
    issuer_keys: tuple[str, ...]
    sp_industry_keys: tuple[str, ...]
    moodys_industry_keys: tuple[str, ...]
    derived: tuple[DerivedRatings, ...]
    _ranks: dict[str, IntArray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def key_ranks(self, keys_attr: str) -> IntArray:
        """Each key code's position in text order (``"issuer_keys"`` …), for tie-breaks; computed once."""
        try:
            return self._ranks[keys_attr]
        except KeyError:
            ranks = self._ranks[keys_attr] = key_ranks(getattr(self, keys_attr))
            return ranks

    def country_mask(self, names: frozenset[str]) -> BoolArray:
        member = np.fromiter(
            (k in names for k in self.country_keys), dtype=bool, count=len(self.country_keys)
        )
        if member.size == 0:
            return np.zeros(self.country.shape, dtype=bool)
        return member[self.country]


FLAG_COLUMNS = (
    "defaulted",
    "dip",
    "current_pay",
    "participation",
    "bridge_loan",
    "cov_lite",
    "deferred_interest_bond",
    "letter_of_credit",
    "piking",
)
NUMBER_COLUMNS = (
    "payment_frequency",
    "unfunded_amount",
    "facility_size",
    "wal",
    "coupon",
    "coupon_spread",
    "libor_floor",
    "market_value",
)


def _flag_columns(assets: Sequence[Asset], *, legacy: bool) -> dict[str, BoolArray]:
    """:meth:`Asset.flag` of every asset for every flag column, read in one pass (a table, then columns)."""
    read = attrgetter(*FLAG_COLUMNS)
    table = np.array(list(map(read, assets)), dtype=bool).reshape(len(assets), len(FLAG_COLUMNS))
    if legacy:  # Q1: a cell that meant yes without being exactly "Yes" reads False
        inexact_flags = _field("inexact_flags", assets)
        for i in np.flatnonzero(
            np.fromiter(map(bool, inexact_flags), dtype=bool, count=len(assets))
        ).tolist():
            inexact = inexact_flags[i]
            for j, name in enumerate(FLAG_COLUMNS):
                if name in inexact:
                    table[i, j] = False
    return {name: np.ascontiguousarray(table[:, j]) for j, name in enumerate(FLAG_COLUMNS)}


def _number_columns(assets: Sequence[Asset]) -> dict[str, FloatArray]:
    read = attrgetter(*NUMBER_COLUMNS)
    table = np.array(list(map(read, assets)), dtype=np.float64).reshape(len(assets), len(NUMBER_COLUMNS))
    return {name: np.ascontiguousarray(table[:, j]) for j, name in enumerate(NUMBER_COLUMNS)}


def build_columns(
    universe: Universe,
    quirks: QuirkSet,
    analysis_date: date | None = None,
    holidays: frozenset[date] = frozenset(),
    today: date | None = None,
) -> AssetColumns:
    """Compute the arrays for every universe asset (Python loop, once; cached by :func:`columns_for`)."""
    legacy_flags = Quirk.Q1_FLAGS_EXACT_YES in quirks
    exact_coupon = Quirk.Q3_COUPON_TYPE_EXACT in quirks
    deriver = Deriver(quirks, analysis_date, today)
    assets = universe.assets
    n = len(assets)

    flags = _flag_columns(assets, legacy=legacy_flags)
    numbers = _number_columns(assets)

    def flag(name: str) -> BoolArray:
        return flags[name]

    def num(name: str) -> FloatArray:
        return numbers[name]

    def coupon_is(ct: CouponType) -> Callable[[tuple[CouponType | None, frozenset[str]]], bool]:
        def test(key: tuple[CouponType | None, frozenset[str]]) -> bool:
            coupon_type, inexact = key
            if coupon_type is not ct:
                return False
            return not (exact_coupon and "coupon_type" in inexact)

        return test

    coupon_keys = list(zip(_field("coupon_type", assets), _field("inexact_flags", assets), strict=True))

    derived = derive_all(assets, deriver)  # once per distinct rating profile
    q6 = Quirk.Q6_UPPERCASE_RANK_LOOKUP in quirks

    def non_senior(category: str) -> bool:
        cat = category.strip().upper()
        if not q6:
            cat = cat.replace("'", "\u2019")
        return cat == NON_SENIOR_SECURED_LOAN_CATEGORY

    # text columns: coded once per asset, each test or normalisation run once per distinct text
    category, category_keys = _codes(_field("moody_asset_category", assets))
    seniority, seniority_keys = _codes(_field("seniority", assets))
    sp_priority, sp_priority_keys = _codes(_field("sp_priority_category", assets))
    index_code, index_keys = _codes(_field("index", assets))
    unknown_udt = 0.0 if Quirk.Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS in quirks else 10000.0

    # loans share maturity dates: each (maturity, convention) adjusted once
    maturity_keys = list(
        zip(_field("maturity", assets), _field("business_day_convention", assets), strict=True)
    )
    adjusted = {
        key: 0 if key[0] is None else adjust_business_day(key[0], key[1], holidays, quirks).toordinal()
        for key in dict.fromkeys(maturity_keys)
    }
    maturities = np.fromiter(map(adjusted.__getitem__, maturity_keys), dtype=np.int64, count=n)
    # rating factors per distinct derivation (derive_all shares one result per rating profile)
    by_id = dict(zip(map(id, derived), derived, strict=True))
    profiles = list(by_id.values())
    slots = dict(zip(by_id, range(len(profiles)), strict=True))
    profile = np.fromiter(map(slots.__getitem__, map(id, derived)), dtype=np.int64, count=n)

    def per_profile(value: Callable[[DerivedRatings], float], dtype: Any) -> Any:
        return np.asarray([value(d) for d in profiles], dtype=dtype)[profile]

    sp_case = Quirk.Q3_SP_INDUSTRY_CASE_SENSITIVE in quirks
    country, country_keys = _codes_of(*_codes(_field("country", assets)), lambda k: k.strip().upper())
    issuer, issuer_keys = _codes(_field("issuer_id", assets))
    sp_ind, sp_keys = _codes_of(
        *_codes(_field("sp_industry", assets)), (lambda k: k) if sp_case else (lambda k: k.strip().casefold())
    )
    mdy_ind, mdy_keys = _codes_of(*_codes(_field("moodys_industry", assets)), lambda k: k.strip().upper())
    return AssetColumns(
        defaulted=flag("defaulted"),
        loan=_per_value(_field("bond_loan", assets), lambda b: b is BondLoan.LOAN),
        senior_secured=_per_key(seniority, seniority_keys, lambda k: k.strip().upper() == "SENIOR SECURED"),
        non_senior_category=_per_key(category, category_keys, non_senior),
        sp_second_lien=_per_key(sp_priority, sp_priority_keys, lambda k: k.strip().upper() == SP_SECOND_LIEN),
        dip=flag("dip"),
        current_pay=flag("current_pay"),
        participation=flag("participation"),
        bridge_loan=flag("bridge_loan"),
        cov_lite=flag("cov_lite"),
        deferred_interest=flag("deferred_interest_bond"),
        letter_of_credit=flag("letter_of_credit"),
        piking=flag("piking"),
        fixed=_per_value(coupon_keys, coupon_is(CouponType.FIXED)),
        floating=_per_value(coupon_keys, coupon_is(CouponType.FLOAT)),
        libor_index=_per_key(index_code, index_keys, lambda k: "LIBOR" in k.strip().upper()),
        caa=per_profile(lambda d: d.moodys.moodys is not None and d.moodys.moodys.rank >= 17, bool),
        ccc=per_profile(lambda d: d.sp in CCC_SET, bool),
        payment_frequency=num("payment_frequency"),
        unfunded=num("unfunded_amount"),
        facility=num("facility_size"),
        wal=num("wal"),
        coupon=num("coupon"),
        spread=num("coupon_spread"),
        floor=num("libor_floor"),
        market_value=num("market_value"),
        recovery=per_profile(lambda d: d.recovery_rate, np.float64),
        factor_tests=per_profile(lambda d: rating_factor(d.dpr_warf.moodys, table="tests"), np.float64),
        factor_udt=per_profile(
            lambda d: rating_factor(d.moodys.moodys, table="udt", unknown=unknown_udt), np.float64
        ),
        maturity_ordinal=maturities,
        country=country,
        issuer=issuer,
        sp_industry=sp_ind,
        moodys_industry=mdy_ind,
        country_keys=country_keys,
        issuer_keys=issuer_keys,
        sp_industry_keys=sp_keys,
        moodys_industry_keys=mdy_keys,
        derived=derived,
    )


#: the switches that change a column array (the others act in the engine); the cache is keyed on these only,
#: so evaluations under switch sets that differ elsewhere (e.g. finding which switch moved a figure) share it
COLUMN_QUIRKS = frozenset(
    {
        Quirk.Q1_FLAGS_EXACT_YES,
        Quirk.Q3_COUPON_TYPE_EXACT,
        Quirk.Q3_SP_INDUSTRY_CASE_SENSITIVE,
        Quirk.Q5_BUSINESS_DAY_ADJUST,
        Quirk.Q6_UPPERCASE_RANK_LOOKUP,
        Quirk.Q6_UNRATED_NOTCHES_TO_AAA,
        Quirk.Q7_SP_RANK15_SPELT_BB,
        Quirk.Q8_CREDIT_ESTIMATE_CLOCK,
        Quirk.Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS,
        Quirk.Q10_RECOVERY_LAST_ROW,
    }
)


def columns_for(
    universe: Universe,
    quirks: QuirkSet,
    analysis_date: date | None = None,
    holidays: frozenset[date] = frozenset(),
) -> AssetColumns:
    """Cached :func:`build_columns` for this universe (keyed on the :data:`COLUMN_QUIRKS` that are on)."""
    relevant = QuirkSet(quirks.on & COLUMN_QUIRKS)
    key = ("compliance-columns", relevant, analysis_date, holidays)
    result: AssetColumns = universe.cached(
        key, lambda: build_columns(universe, relevant, analysis_date, holidays)
    )
    return result


__all__ = ["CCC_SET", "COLUMN_QUIRKS", "AssetColumns", "adjust_business_day", "build_columns", "columns_for"]
