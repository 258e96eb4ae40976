"""Every legacy defect that changes a result, as one named switch (COMPLIANCE_SPEC §6).

A :class:`QuirkSet` is the set of switches that are **on**. ``Convention.LEGACY`` turns all of them on (the
workbook's behaviour, so the parallel run matches); ``Convention.CORRECTED`` turns all of them off
(``DOMAIN.md`` behaviour). A single switch can be flipped for analysis with :meth:`QuirkSet.with_`/
:meth:`QuirkSet.without`. ``docs/compliance.md`` lists each switch with what the legacy does and what the
corrected convention does; each member's docstring below says the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clo_xl.enums import Convention
from clo_xl.quirk_warnings import LegacySwitch


class Quirk(LegacySwitch):
    """One switch per legacy defect. The value is ``(quirk number in §6, legacy behaviour, corrected)``."""

    Q1_FLAGS_EXACT_YES = (
        1,
        "Yes/No flags are True only for the exact text 'Yes' (PIKing: any case)",
        "any spelling of yes (Yes, YES, y, TRUE, 1) is True",
    )
    Q3_COUPON_TYPE_EXACT = (
        3,
        "Coupon Type must be exactly 'FLOAT'/'FIXED' (not uppercased on load); 'Float' is neither",
        "Coupon Type is read case-insensitively",
    )
    Q3_SP_INDUSTRY_CASE_SENSITIVE = (
        3,
        "S&P industry groups (tests 25–27) use the raw text, so 'Health care' and 'Health Care' differ",
        "S&P industries are grouped after trimming and case-folding",
    )
    Q4_WAL_TEXT_FILTER = (
        4,
        "the WAL filter compares text ('10.5' < '9')",
        "the WAL filter compares numbers",
    )
    Q5_BUSINESS_DAY_ADJUST = (
        5,
        "maturity always rolls to the next business day, except 'Mod Following' on a month's last calendar "
        "day, which rolls back; 'Previous' is never honoured (used by test 43)",
        "Following, Modified Following, Previous and Modified Previous as usual",
    )
    Q6_UPPERCASE_RANK_LOOKUP = (
        6,
        "Moody's ratings of columns 43/45/46 are uppercased on load and the case-sensitive rank lookup "
        "then gives rank 0 to e.g. 'BA3'/'CAA1' (recovery derivation uses rank 0)",
        "ranks are looked up on the rating itself",
    )
    Q6_UNRATED_NOTCHES_TO_AAA = (
        6,
        "notching an unrecognised or withdrawn rating (rank 0) gives rank 1, i.e. Aaa/AAA; WR counts as a "
        "present rating",
        "WR/NR/blank are unrated; a rule whose rating is unrated does not apply and the next rule is tried",
    )
    Q7_SP_RANK15_SPELT_BB = (
        7,
        "S&P/Fitch rank 15 is spelt 'BB' (should be 'B'): a derived rank 15 comes out as BB and the text "
        "'B' has no rank (0)",
        "rank 15 is 'B'",
    )
    Q7_SP_A_PLUS_FILTER_ENUM = (
        7,
        "the filter enum maps 'A+' to 2 (the AA+ value)",
        "'A+' maps to 5",
    )
    Q8_CREDIT_ESTIMATE_CLOCK = (
        8,
        "credit-estimate freshness (< 15 months) is measured to the computer's clock",
        "measured to the analysis date",
    )
    Q9_UNKNOWN_FACTOR_ZERO_OUTSIDE_TESTS = (
        9,
        "an unknown rating has factor 10000 in the WARF tests but 0 in trade attributes and the "
        "asset-level objective",
        "10000 everywhere (unrated takes the worst bucket)",
    )
    Q10_RECOVERY_LAST_ROW = (
        10,
        "recovery matrix row d <= -3 gives 0.50 to non-senior and other assets",
        "row d <= -3 gives no more than the d = -2 row (0.15)",
    )
    Q11_DEFAULTED_IN_POPULATIONS = (
        11,
        "tests 2, 8, 25–27, 29, 32, 34, 37 include defaulted assets; test 35's numerator includes them but "
        "its denominator does not",
        "defaulted obligations are excluded from every par-based test except JROC (38), which carries "
        "them at market value",
    )
    Q11_TEST1_SUBTRACTS_NON_SENIOR_BONDS = (
        11,
        "test 1 subtracts the Moody's non-senior-secured category even for bonds (which it never added)",
        "only loans in that category are subtracted",
    )
    Q12_TEST5_SORTS_BY_ID = (
        12,
        "test 5 takes the DIP obligor whose ISSUER ID sorts first, not the largest",
        "the largest DIP obligor",
    )
    Q12_TEST51_NUMERATOR_IS_2ND = (
        12,
        "test 51 reports the 2nd-largest industry's par as its numerator (the result uses the 3rd)",
        "the numerator is the 3rd-largest industry's par",
    )
    Q14_COUNTRY_LIST_SPELLING = (
        14,
        "country sets use the code's spellings ('CAYMEN ISLANDS', 'NETHERLANDS ANTULLES'); 'UK' counts for "
        "test 16 but not for Group I",
        "'NETHERLANDS ANTILLES' is a tax jurisdiction and 'UK' is in Group I",
    )
    Q15_UNLISTED_CHILD_INHERITS = (
        15,
        "a child test missing from the threshold table inherits its parent's threshold, pass flag and "
        "comment and is judged with the code's strict comparison (legacy then crashes on the "
        "previous-value update; clo-xl reports the result)",
        "an unlisted child is judged on its own with the catalogue's default threshold, inclusively",
    )
    Q16_MINMAX_NOT_MAX_IS_MIN = (
        16,
        "any Min/Max text other than 'MAX' (blank, misspelt) is treated as MIN",
        "blank or unknown Min/Max text takes the catalogue's direction for the test",
    )
    Q17_PREVIOUS_VALUES_ROLL_FORWARD = (
        17,
        "every recalculation replaces the stored previous values by the new results, so later relief "
        "depends on earlier runs (hypo 'before', rejected rebalancing candidates)",
        "previous-value relief always uses the sheet's Previous Values column",
    )
    Q18_WARR_ORDER_SENSITIVE = (
        18,
        "tests 32, 36, 39, 54 use the computed WARR only if test 33 comes earlier in the table; otherwise "
        "the 'MWARR' input (or 0)",
        "the computed WARR is used wherever test 33 is in the table",
    )
    Q19_ROUNDING = (
        19,
        "WARF threshold inputs rounded to whole numbers half-to-even; WAL rounded half-to-even on the "
        "binary double; diversity lookup rounds the industry score half-to-even",
        "WARF inputs used as given; WAL rounded half-up on the decimal value; Moody's diversity table as "
        "published: break points 0.05, 0.15, …, 19.95, the lower entry between two (k = floor(10x + 0.5))",
    )
    Q20_OBJECTIVE_SKIPS = (
        20,
        "a failing diversity test (no numerator) and a failing test 31 never zero the objective",
        "any failing test zeroes the objective",
    )
    Q22_OBJ_RESULTS_PACKED = (
        22,
        "objective-weight 'Test Results' are written packed in the order found, shifting rows when a "
        "weighted test is not computed",
        "each result is written on its own test's row",
    )
    Q25_UNHELD_SALE_IGNORED = (
        25,
        "a sale of an asset not held is silently ignored",
        "reported in the trade list as not executed",
    )
    Q25_ATTRIBUTE_PRICE_POINTS = (
        25,
        "prices <= 1 are decimals when trading but read as points (÷ 100) in the trade-attributes block",
        "the attributes use the same price as the trade",
    )
    Q26_ASSET_OBJECTIVE_DEFECTS = (
        26,
        "asset-level objective: the candidate adds 1m to numerators but 10m to denominators; an unhandled "
        "weighted test reuses the previous term's score",
        "the candidate's par (the step size) in both; unhandled tests contribute nothing",
    )
    Q26_PRICE_BLIND_SCORES = (
        26,
        "the asset-level objective scores par whatever it costs: a buy above par (which burns par) or an "
        "asset maturing after the deal, sold at the liquidation price, ranks as if bought at par",
        "scores are per unit of cash spent at the trade price (market value), valued at what the par "
        "returns: par, or the liquidation price for an asset maturing after the stated maturity",
    )
    Q26_ONE_CANDIDATE_IS_NONE = (
        26,
        "rankings with exactly one candidate report 'Unable to find any assets…'",
        "one candidate is ranked",
    )
    Q27_FILTERED_COUNT_ZERO = (
        27,
        "the filtered-count helper returns 0 whenever a filter is given, so the rebalancing sale loop stops "
        "on 'no candidates' only with a filter and never ends without one (clo-xl stops and says so)",
        "the sale loop stops when no candidate is left, filter or not",
    )
    Q28_FILTER_PRECEDENCE = (
        28,
        "filter operators bind by type (NOT OR > NOT AND > NOT > OR > AND), not position; NOT forms are "
        "False",
        "AND binds tighter than OR, evaluated left to right; NOT negates",
    )
    Q29_REBALANCE_DEFECTS = (
        29,
        "rebalancing caps each name at 5% of the buy target and accepts a purchase only if the portfolio "
        "objective is > 0 afterwards (all-zero weights buy nothing)",
        "same 5% cap; a purchase is accepted when no test (other than 31) newly fails",
    )
    Q34_WAC_WITHOUT_FIXED_FAILS = (
        34,
        "with no fixed-rate asset test 34 (WAC) reads 0/0 as 0 and is judged as such: a Min test fails "
        "(COMPLIANCE_SPEC §4.8; §6 has no item, the switch carries the test's number)",
        "with no fixed-rate asset the WAC test does not apply: it passes, with a remark, and cannot zero "
        "the objective",
    )
    Q30_MISSING_INPUT_IS_ZERO = (
        30,
        "a missing 'Stated Maturity Date' reads as date 0, so test 43 counts every asset as long-dated",
        "test 43 reports the missing input and counts no asset",
    )
    Q31_ATTRIBUTE_BUCKET = (
        31,
        "a trade that is neither Buy nor Sale is added to the attributes bucket of the previous trade",
        "such trades are left out of the attributes",
    )


@dataclass(frozen=True)
class QuirkSet:
    """The switches that are on."""

    on: frozenset[Quirk]

    def __contains__(self, q: object) -> bool:
        return q in self.on

    @classmethod
    def for_convention(cls, convention: Convention | str) -> QuirkSet:
        conv = Convention(convention)
        return LEGACY if conv is Convention.LEGACY else CORRECTED

    def with_(self, *quirks: Quirk) -> QuirkSet:
        return QuirkSet(self.on | frozenset(quirks))

    def without(self, *quirks: Quirk) -> QuirkSet:
        return QuirkSet(self.on - frozenset(quirks))

    @property
    def convention(self) -> Convention | None:
        if self.on == LEGACY.on:
            return Convention.LEGACY
        if not self.on:
            return Convention.CORRECTED
        return None

    @classmethod
    def of(cls, quirks: Iterable[Quirk]) -> QuirkSet:
        return cls(frozenset(quirks))


LEGACY = QuirkSet(frozenset(Quirk))
CORRECTED = QuirkSet(frozenset())

__all__ = ["CORRECTED", "LEGACY", "Quirk", "QuirkSet"]
