"""Every legacy defect of the cash-flow engine that changes a published figure, as one named switch
(CASHFLOW_SPEC §10). The value is ``(quirk number in §10, what the legacy does, what corrected does)``.

:class:`clo_xl.cashflows.structure.Conventions` holds the set of switches that are on: ``Conventions()``
(the `legacy` convention, the default) turns every switch on, ``Conventions.corrected()`` none; one switch
can be flipped alone with :meth:`Conventions.without` (the warnings of CONTRACT §5 do that). The waterfall
step options of ``data/waterfalls/*.json`` carry the tag in :attr:`CashflowQuirk.tag` ("Q11", "Q17"…).
``docs/cashflows.md`` lists every §10 item, switch or not, with the reason.
"""

from __future__ import annotations

from clo_xl.quirk_warnings import LegacySwitch


class CashflowQuirk(LegacySwitch):
    Q2_LEGACY_CURVE = (
        2,
        "the legacy curve compounds annual quotes once per month and SpotRate's running date drifts at month "
        "ends (Q2, Q3)",
        "a QuantLib zero curve (Act/365F annual), simple Act/360 forwards",
    )
    Q4_PV_CHAIN = (
        4,
        "price and DM chain each date's zero rate as the rate of its own interval (CalcPVwSpread)",
        "the curve's discount factors × (1 + DM/4)^(−4t)",
    )
    Q5_WAL_ON_ORIGINAL = (
        5,
        "WAL divides Σ t × principal by the class's original balance",
        "WAL divides by the principal the class receives",
    )
    Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD = (
        6,
        "modified duration is 0 whenever the solved yield is ≤ 0",
        "modified duration = Macaulay ÷ (1 + y/4) at any yield above −400%",
    )
    Q7_CAPITALISE_UNPAID_INTEREST = (
        7,
        "unpaid current interest of every class is capitalised into its deferred balance",
        "a non-deferrable class carries the shortfall as interest due next period",
    )
    Q11_SAME_CLASS_OC_CREDITED_TWICE = (
        11,
        "the same class's OC test is credited again after its own cure",
        "a cure is credited once",
    )
    Q12_CLASS_E_OC_D_DENOMINATOR = (
        12,
        "the Class E OC test uses the Class D denominator",
        "the Class E OC test uses its own denominator",
    )
    Q13_EOD_LAST_A_CLASS = (
        13,
        "the EOD denominator is whichever of A-1/A-2 comes last in the liability table",
        "the EOD denominator is A-1 + A-2",
    )
    Q16_JUNIOR_FEE_FROM_CURE = (
        16,
        "Mag 16 pays the junior fee out of the E-OC cure in the principal waterfall",
        "the junior fee is paid in the note payment sequence",
    )
    Q17_CONTROLLING_LABELS = (
        17,
        "controlling-class labels never match, so Class E interest is never paid from principal",
        "junior interest is paid from principal when the class is controlling",
    )
    Q18_PRINCIPAL_CURES_INTEREST_MATHS = (
        18,
        "Mag 15 principal cures use the interest-cure formula (under-cures by (T−1)/T)",
        "principal cures use the principal-cure formula",
    )
    Q22_CCC_WHOLE_POOL = (
        22,
        "once the CCC bucket is over its limit the haircut walks the whole pool: (pool − limit) × "
        "(1 − price)",
        "(CCC bucket − limit) × (1 − price)",
    )
    Q23_EOD_NOT_STICKY = (
        23,
        "an event of default is re-tested every period",
        "once an event of default occurs the EOD waterfall applies to every later period",
    )
    Q25_HURDLE_HISTORY_CUTOFF = (
        25,
        "historic Sub Note flows dated after the CLOInputs analysis date are dropped from the hurdle",
        "every historic Sub Note flow counts toward the hurdle",
    )
    Q25_MEASURES_FROM_ANALYSIS_DATE = (
        25,
        "tranche IRRs, WAL and durations start on the CLOInputs analysis date, even before the first accrual",
        "they start on the settlement date: the later of the analysis date and the first accrual start",
    )
    Q27_FEE_INTEREST_ON_OPENING_UNPAID = (
        27,
        "interest on unpaid fees accrues on the opening unpaid input",
        "interest on unpaid fees accrues on the running unpaid balance",
    )
    Q29_HURDLE_FIRST_POSITIVE = (
        29,
        "the hurdle is met at the first positive cumulative PV in input order",
        "the hurdle is met when the total PV of the Sub Note flows is positive",
    )
    Q30_VECTOR_OVERRUN = (
        30,
        "past a vector's end the rate is the vector's length; the severity vector reads the CPR vector",
        "the last value holds; each vector is read for its own rate",
    )
    Q33_ZERO_PAR_MILLION = (
        33,
        "an asset with zero par projects 1,000,000",
        "zero par projects nothing",
    )
    Q34_WRITE_OFF_UNRECOVERED = (
        34,
        "unrecovered defaulted par is written off in full at an asset's last row",
        "queued recoveries are collected on the last row",
    )
    Q36_LEGACY_BUSINESS_DAYS = (
        36,
        "the VBA business-day helpers (PREVIOUS never applied; Mod Following back only on a month end)",
        "QuantLib's business-day conventions",
    )
    Q37_PAY_DAY_ROLLS = (
        37,
        "a pay day beyond the month length rolls the first payment date into the next month",
        "the pay day is clamped to the month end",
    )
    Q40_MIGRATION_STEPS = (
        40,
        "migration paths annualise CDR ×4 whatever the step and start 'A+' from the AA+ row",
        "CDR annualised by 12 ÷ step months; 'A+' starts from its own row",
    )
    Q48_MAG17_AS_MAG15 = (
        48,
        "Mag 17 runs on the Mag 15 waterfall (Class X never paid, B-2 deferral never paid down)",
        "Mag 17's own waterfall",
    )
    Q53_IC_NUMERATOR_TRUSTEE_AND_BASE_ONLY = (
        53,
        "the IC numerator deducts only the current Trustee and Base Manager accruals",
        "the IC numerator deducts every senior expense and fee due ahead of the notes (admin included)",
    )
    Q57_UNKNOWN_VECTOR_ZERO = (
        57,
        "an unknown CF vector name reads as a zero vector",
        "an unknown CF vector name is an error",
    )
    Q411_STRICT_TRIGGER = (
        411,
        "a coverage test passes only when ratio > trigger (§4.11)",
        "a coverage test passes at or above its trigger",
    )

    @property
    def tag(self) -> str:
        """The tag the waterfall version files use for this quirk's step options ("Q11")."""
        return f"Q{self.number}"


#: quirks applied through step and test options of the waterfall version files
WATERFALL_TAGS = frozenset(
    {
        CashflowQuirk.Q11_SAME_CLASS_OC_CREDITED_TWICE,
        CashflowQuirk.Q12_CLASS_E_OC_D_DENOMINATOR,
        CashflowQuirk.Q13_EOD_LAST_A_CLASS,
        CashflowQuirk.Q16_JUNIOR_FEE_FROM_CURE,
        CashflowQuirk.Q17_CONTROLLING_LABELS,
        CashflowQuirk.Q18_PRINCIPAL_CURES_INTEREST_MATHS,
    }
)

ALL_QUIRKS = frozenset(CashflowQuirk)

__all__ = ["ALL_QUIRKS", "WATERFALL_TAGS", "CashflowQuirk"]
