"""Rating and recovery derivations (COMPLIANCE_SPEC §3.2–§3.7, §3.8), applied once per asset.

The legacy works on rating *text* and a case-sensitive rank lookup; clo-xl works on enums and reproduces
the lookup's defects behind switches (:mod:`clo_xl.compliance.quirks`):

* Q6: Moody's ratings of columns 43/45/46 are uppercased on load, and the rank lookup then only knows
  ``AAA`` (as S&P), ``A1``–``A3``, ``B1``–``B3`` and ``C``; every other uppercased rating has rank 0.
  Notching a rank-0 rating (unrecognised or withdrawn) gives rank 1 = Aaa/AAA. WR counts as present.
* Q7: S&P rank 15 is spelt ``BB``: a derived rank 15 comes out as BB, and the text ``B`` has rank 0. The
  text ``BB`` is found at rank 12 first (the lookup walks ranks upwards, [inferred]).
* Q8: credit-estimate freshness is measured to the computer's clock.

Internally a rating "slot" is ``None`` (blank/NR: the rule does not apply) or a :class:`Slot` with the
enum (``None`` for WR) and the rank the legacy lookup would give it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter

from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.enums import Outlook
from clo_xl.portfolio.asset import Asset
from clo_xl.ratings.scales import MoodysRating, SPRating
from clo_xl.ratings.tables import rank_table, rating_factor_rows, recovery_rows

SENIOR_SECURED_LOAN_CATEGORY = "MOODY\u2019S SENIOR SECURED LOAN"
NON_SENIOR_SECURED_LOAN_CATEGORY = "MOODY\u2019S NON-SENIOR SECURED LOAN"


_OUTLOOK_NOTCH: dict[Outlook | None, int] = {Outlook.UPGRADE: 1, Outlook.DOWNGRADE: -1}


@dataclass(frozen=True)
class Slot:
    """A rating as the legacy holds it: the symbol (``None`` for WR or an empty derived S&P) and its rank
    in the legacy lookup (0 = not recognised)."""

    moodys: MoodysRating | None = None
    sp: SPRating | None = None
    rank: int = 0


@cache
def _upper_moodys_rank() -> dict[MoodysRating, int]:
    """Rank the case-sensitive legacy lookup gives to an uppercased Moody's symbol (Q6)."""
    table = rank_table()
    out: dict[MoodysRating, int] = {}
    for m in MoodysRating:
        text = m.name.upper()
        rank = 0
        for row in table:
            if text in (row["moodys"], row["sp_legacy"], row["fitch_legacy"]) and text:
                rank = int(row["rank"])
                break
        out[m] = rank
    return out


@cache
def _legacy_sp_rank() -> dict[SPRating, int]:
    """Rank the legacy lookup gives to an S&P symbol: first match in the table with rank 15 spelt BB (Q7)."""
    table = rank_table()
    out: dict[SPRating, int] = {}
    for s in SPRating:
        rank = 0
        for row in table:
            if s.symbol in (row["moodys"], row["sp_legacy"], row["fitch_legacy"]) and s.symbol:
                rank = int(row["rank"])
                break
        out[s] = rank
    return out


class Deriver:
    """Applies §3 to assets under one set of quirk switches. ``today`` is the clock of Q8."""

    def __init__(self, quirks: QuirkSet, analysis_date: date | None = None, today: date | None = None):
        self.q = quirks
        self.analysis_date = analysis_date
        self.today = today or date.today()

    # -- slots ------------------------------------------------------------------------------------------
    def _legacy_present(self, asset: Asset, field_name: str) -> bool:
        return Quirk.Q6_UNRATED_NOTCHES_TO_AAA in self.q and field_name in asset.withdrawn_ratings

    def moodys_slot(self, asset: Asset, field_name: str, *, uppercased: bool = False) -> Slot | None:
        value: MoodysRating | None = getattr(asset, field_name)
        if value is None:
            return Slot(rank=0) if self._legacy_present(asset, field_name) else None
        if uppercased and Quirk.Q6_UPPERCASE_RANK_LOOKUP in self.q:
            return Slot(moodys=value, rank=_upper_moodys_rank()[value])
        return Slot(moodys=value, rank=value.rank)

    def sp_slot(self, asset: Asset, field_name: str) -> Slot | None:
        value: SPRating | None = getattr(asset, field_name)
        if value is None:
            return Slot(rank=0) if self._legacy_present(asset, field_name) else None
        rank = _legacy_sp_rank()[value] if Quirk.Q7_SP_RANK15_SPELT_BB in self.q else value.rank
        return Slot(sp=value, rank=rank)

    # -- notching (§3.2) ----------------------------------------------------------------------------------
    def to_moodys(self, slot: Slot, notch: int) -> Slot | None:
        """Rank − notch (positive = upgrade), clamped to 1…21, read from the Moody's column."""
        if slot.rank == 0 and Quirk.Q6_UNRATED_NOTCHES_TO_AAA not in self.q:
            return None
        r = min(max(slot.rank - notch, 1), 21)
        m = MoodysRating(r)
        return Slot(moodys=m, rank=r)

    def to_sp(self, slot: Slot, notch: int) -> Slot | None:
        if slot.rank == 0 and Quirk.Q6_UNRATED_NOTCHES_TO_AAA not in self.q:
            return None
        r = min(max(slot.rank - notch, 1), 21)
        if Quirk.Q7_SP_RANK15_SPELT_BB in self.q:
            if r == 15:
                return Slot(sp=SPRating.BB, rank=12)
            if r == 21:
                return Slot(sp=None, rank=0)  # the S&P column is empty at rank 21
        return Slot(sp=SPRating(r), rank=r)

    def _same_agency(self, slot: Slot, notch: int) -> Slot | None:
        return slot if notch == 0 else self.to_moodys(slot, notch)

    # -- §3.3 Moody's rating ------------------------------------------------------------------------------
    def _moodys_candidates(self, a: Asset) -> list[Slot | None]:
        """Moody's rating by the §3.3 priority, without the S&P and Caa3 fallbacks (also §3.6b step 1)."""
        out: list[Slot | None] = []
        if a.is_loan and a.is_senior_secured:
            fac = self.moodys_slot(a, "moody_facility_rating")
            if fac is not None:
                n = _OUTLOOK_NOTCH.get(a.moody_facility_outlook, 0)
                out.append(self._same_agency(fac, n))
            iss = self.moodys_slot(a, "moody_issuer_rating")
            if iss is not None:
                n = -1 if a.moody_issuer_outlook in (Outlook.DOWNGRADE, Outlook.NEGATIVE) else 0
                out.append(self._same_agency(iss, n))
            su = self.moodys_slot(a, "moody_senior_unsecured_rating")
            if su is not None:
                out.append(self.to_moodys(su, 2))
        else:
            fac = self.moodys_slot(a, "moody_facility_rating")
            if fac is not None:
                out.append(fac)
            su = self.moodys_slot(a, "moody_senior_unsecured_rating")
            if su is not None:
                out.append(su)
            iss = self.moodys_slot(a, "moody_issuer_rating")
            if iss is not None:
                out.append(self.to_moodys(iss, -1))
            sub = self.moodys_slot(a, "moody_subordinate_rating")
            if sub is not None:
                out.append(self.to_moodys(sub, 1))
        return out

    def moodys_from_sp(self, a: Asset) -> Slot | None:
        """§3.6a: S&P → Moody's; ``None`` when no S&P rating applies."""
        fac = self.sp_slot(a, "sp_facility_rating")
        if not a.structured_finance and fac is not None:
            if not a.is_loan:
                return self.to_moodys(fac, -1 if fac.rank <= 10 else -2)
            return self.to_moodys(fac, -2)
        ss = self.sp_slot(a, "sp_senior_secured_rating")
        if ss is not None:
            return self.to_moodys(ss, -1 if ss.rank <= 15 else -2)
        sub = self.sp_slot(a, "sp_subordinated_rating")
        if sub is not None:
            return self.to_moodys(sub, 1 if sub.rank <= 16 else 0)
        return None

    def moodys_rating(self, a: Asset) -> Slot:
        loaded = self.moodys_slot(a, "moodys_rating", uppercased=True)
        if loaded is not None:
            return loaded
        for cand in self._moodys_candidates(a):
            if cand is not None:
                return cand
        return self._from_sp_else_caa3(a)

    def _from_sp_else_caa3(self, a: Asset) -> Slot:
        """The last steps of §3.4 and §3.6: the S&P rating mapped to Moody's, else Caa3."""
        sp = self.moodys_from_sp(a)
        if sp is not None and (sp.moodys is not None or Quirk.Q6_UNRATED_NOTCHES_TO_AAA in self.q):
            return sp
        return Slot(moodys=MoodysRating.Caa3, rank=MoodysRating.Caa3.rank)

    # -- §3.4 DPR and DPR for WARF -----------------------------------------------------------------------
    def _months_between(self, start: date, end: date) -> int:
        return (end.year - start.year) * 12 + (end.month - start.month)

    def dpr(self, a: Asset, *, for_warf: bool) -> Slot:
        """§3.4 DPR (or DPR for WARF): the loaded rating, else the first rule of the ordered decision list
        that gives one (non-DIP: issuer with outlook notches, senior unsecured, senior secured −1, a fresh
        credit estimate; DIP: facility −1), else the S&P route, else Caa3."""
        field_name = "moodys_rating_warf" if for_warf else "moodys_dpr"
        loaded = self.moodys_slot(a, field_name, uppercased=True)
        if loaded is not None:
            return loaded
        found = self._dpr_dip(a) if a.dip else self._dpr_non_dip(a, for_warf=for_warf)
        return found if found is not None else self._from_sp_else_caa3(a)

    def _outlook_notches(self, a: Asset, *, for_warf: bool) -> int:
        """Notches on the issuer rating: −2 for a negative issuer outlook (DPR for WARF only), −1 for a
        downgrade watch, +1 for an upgrade watch (issuer or facility)."""
        outlooks = (a.moody_issuer_outlook, a.moody_facility_outlook)
        if for_warf and a.moody_issuer_outlook is Outlook.NEGATIVE:
            return -2
        if Outlook.DOWNGRADE in outlooks:
            return -1
        if Outlook.UPGRADE in outlooks:
            return 1
        return 0

    def _dpr_non_dip(self, a: Asset, *, for_warf: bool) -> Slot | None:
        iss = self.moodys_slot(a, "moody_issuer_rating")
        if iss is not None:
            got = self._same_agency(iss, self._outlook_notches(a, for_warf=for_warf))
            if got is not None:
                return got
        su = self.moodys_slot(a, "moody_senior_unsecured_rating")
        if su is not None:
            return su
        ss = self.moodys_slot(a, "moodys_senior_secured_rating")
        if ss is not None:
            got = self.to_moodys(ss, -1)
            if got is not None:
                return got
        ce = self.moodys_slot(a, "moodys_credit_estimate")
        if ce is not None and a.moodys_credit_estimate_date is not None:
            clock = (
                self.today
                if Quirk.Q8_CREDIT_ESTIMATE_CLOCK in self.q or self.analysis_date is None
                else self.analysis_date
            )
            if self._months_between(a.moodys_credit_estimate_date, clock) < 15:
                return ce
        return None

    def _dpr_dip(self, a: Asset) -> Slot | None:
        fac = self.moodys_slot(a, "moody_facility_rating") or (
            Slot(rank=0) if Quirk.Q6_UNRATED_NOTCHES_TO_AAA in self.q else None
        )
        return self.to_moodys(fac, -1) if fac is not None else None

    # -- §3.5 S&P rating -----------------------------------------------------------------------------------
    def sp_rating(self, a: Asset) -> SPRating | None:
        """Derived S&P rating; ``None`` never happens (empty → CCC-) except it is returned as CCC-."""
        legacy_aaa = Quirk.Q6_UNRATED_NOTCHES_TO_AAA in self.q
        if a.dip:
            fac = self.sp_slot(a, "sp_facility_rating")
            if fac is not None or legacy_aaa:
                return (fac.sp if fac is not None else None) or SPRating.CCC_MINUS
        if a.defaulted:
            return SPRating.D
        for name in ("sp_issuer_rating", "sp_senior_secured_rating"):
            s = self.sp_slot(a, name)
            if s is not None and (s.sp is not None or legacy_aaa):
                return s.sp or SPRating.CCC_MINUS
        sub = self.sp_slot(a, "sp_subordinated_rating")
        if sub is not None:
            got = self.to_sp(sub, 1 if sub.rank < 11 else 2)
            if got is not None:
                return got.sp or SPRating.CCC_MINUS
        moodys = next((c for c in self._moodys_candidates(a) if c is not None), None)
        if moodys is None:
            moodys = Slot(rank=0) if legacy_aaa else None
        if moodys is not None:
            got = self.to_sp(moodys, -1 if moodys.rank <= 10 else -2)
            if got is not None:
                return got.sp or SPRating.CCC_MINUS
        return SPRating.CCC_MINUS

    # -- §3.7 recovery -------------------------------------------------------------------------------------
    def recovery_rate(self, a: Asset, moodys: Slot, dpr: Slot) -> float:
        if a.moodys_recovery_rate != 0.0:
            return a.moodys_recovery_rate
        if a.dip:
            return 0.50
        if Quirk.Q6_UPPERCASE_RANK_LOOKUP in self.q:
            d = dpr.rank - moodys.rank
        else:
            d = (dpr.rank - moodys.rank) if dpr.rank and moodys.rank else 0
        d = max(min(d, 2), -3)
        row = next(r for r in recovery_rows() if int(r["d"]) == d)
        prefix = "" if Quirk.Q10_RECOVERY_LAST_ROW in self.q else "corrected_"
        cat = a.moody_asset_category.strip().upper()
        if Quirk.Q6_UPPERCASE_RANK_LOOKUP not in self.q:
            cat = cat.replace("'", "\u2019")
        if cat == SENIOR_SECURED_LOAN_CATEGORY:
            return float(row[prefix + "senior_secured"])
        if cat == NON_SENIOR_SECURED_LOAN_CATEGORY:
            return float(row[prefix + "non_senior_secured"])
        return float(row[prefix + "other"])


@dataclass(frozen=True)
class DerivedRatings:
    """The ratings and recovery rate a pool stores for an asset (§2.2)."""

    moodys: Slot
    dpr: Slot
    dpr_warf: Slot
    sp: SPRating | None
    recovery_rate: float


def derive(asset: Asset, deriver: Deriver) -> DerivedRatings:
    """§2.2 order: Moody's rating, DPR, DPR for WARF, S&P, recovery (recovery uses the first two)."""
    m = deriver.moodys_rating(asset)
    d = deriver.dpr(asset, for_warf=False)
    w = deriver.dpr(asset, for_warf=True)
    sp = deriver.sp_rating(asset)
    rr = deriver.recovery_rate(asset, m, d)
    return DerivedRatings(m, d, w, sp, rr)


#: every Asset field :func:`derive` reads (``is_loan`` reads ``bond_loan``, ``is_senior_secured``
#: ``seniority``); tests/compliance/test_derive_memo.py checks the list against this module's source
DERIVE_INPUTS = (
    "bond_loan",
    "defaulted",
    "dip",
    "moody_asset_category",
    "moody_facility_outlook",
    "moody_facility_rating",
    "moody_issuer_outlook",
    "moody_issuer_rating",
    "moody_senior_unsecured_rating",
    "moody_subordinate_rating",
    "moodys_credit_estimate",
    "moodys_credit_estimate_date",
    "moodys_dpr",
    "moodys_rating",
    "moodys_rating_warf",
    "moodys_recovery_rate",
    "moodys_senior_secured_rating",
    "seniority",
    "sp_facility_rating",
    "sp_issuer_rating",
    "sp_senior_secured_rating",
    "sp_subordinated_rating",
    "structured_finance",
    "withdrawn_ratings",
)


def derive_all(assets: Sequence[Asset], deriver: Deriver) -> tuple[DerivedRatings, ...]:
    """:func:`derive` for every asset, once per distinct combination of its rating inputs
    (:data:`DERIVE_INPUTS`): a universe has thousands of loans but few distinct rating profiles, so the
    first compliance run after a load derives each profile once (results are frozen, so shared)."""
    inputs = attrgetter(*DERIVE_INPUTS)
    seen: dict[tuple[object, ...], DerivedRatings] = {}
    out = []
    for a in assets:
        key = inputs(a)
        found = seen.get(key)
        if found is None:
            found = seen[key] = derive(a, deriver)
        out.append(found)
    return tuple(out)


# -- rating factors (§3.8) -----------------------------------------------------------------------------
@cache
def _factors() -> tuple[dict[MoodysRating, float], dict[MoodysRating, float], dict[MoodysRating, float]]:
    std: dict[MoodysRating, float] = {}
    tests: dict[MoodysRating, float] = {}
    udt: dict[MoodysRating, float] = {}
    for row in rating_factor_rows():
        m = MoodysRating[row["moodys"]]
        std[m] = float(row["factor"])
        if row["factor_tests_legacy"]:
            tests[m] = float(row["factor_tests_legacy"])
        udt[m] = float(row["factor_udt_legacy"])
    return std, tests, udt


def rating_factor(rating: MoodysRating | None, *, table: str = "standard", unknown: float = 10000.0) -> float:
    """Moody's rating factor. ``table``: ``"standard"`` (DOMAIN.md), ``"tests"`` (CT copy, no C entry →
    falls to ``unknown``) or ``"udt"`` (UDT copy). ``unknown`` is used for ``None``/missing entries."""
    std, tests, udt = _factors()
    chosen = {"standard": std, "tests": tests, "udt": udt}[table]
    if rating is None:
        return unknown
    return chosen.get(rating, unknown)


__all__ = [
    "DERIVE_INPUTS",
    "NON_SENIOR_SECURED_LOAN_CATEGORY",
    "SENIOR_SECURED_LOAN_CATEGORY",
    "DerivedRatings",
    "Deriver",
    "Slot",
    "derive",
    "derive_all",
    "rating_factor",
]
