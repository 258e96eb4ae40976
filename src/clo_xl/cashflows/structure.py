"""Typed, frozen inputs of the deal engine: tranches, fees, incentive fee, reinvestment, conventions.

Rates and prices are decimals (price 0.9494 = 94.94% of par); balances in currency; trigger levels as
ratios (1.243 = 124.3%).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from clo_xl.cashflows.quirks import ALL_QUIRKS, WATERFALL_TAGS, CashflowQuirk
from clo_xl.cashflows.timeline import DealDates
from clo_xl.curves.conventions import DayCount
from clo_xl.errors import CloXlError
from clo_xl.types import Money, Rate


@dataclass(frozen=True)
class Tranche:
    """One column of the `Liability` table (§0.3)."""

    name: str
    original_balance: Money
    current_balance: Money
    spread: Rate
    price: float = 1.0  # a fraction of par (0.9494), not points
    deferred_balance: Money = 0.0
    discount_margin: Rate = 0.0
    deferrable: bool = False
    oc_trigger: float | None = None
    ic_trigger: float | None = None
    day_count: DayCount = DayCount.ACT_360
    equity: bool = False
    fixed: bool = False

    def __post_init__(self) -> None:
        if self.current_balance < 0 or self.original_balance < 0:
            raise CloXlError(f"tranche {self.name}: balances must not be negative")
        for level in (self.oc_trigger, self.ic_trigger):
            if level is not None and level <= 1.0 and level != 0:
                raise CloXlError(f"tranche {self.name}: coverage trigger {level} must be above 1 (a ratio)")


@dataclass(frozen=True)
class FeeSpec:
    """One row of `Fees` (§6.1). ``basis`` is "BEGINNING" or "AVERAGE" (anything else accrues 0)."""

    name: str
    basis: str = "BEGINNING"
    rate: Rate = 0.0
    fixed_annual: Money = 0.0
    opening_unpaid: Money = 0.0
    day_count: DayCount = DayCount.ACT_360
    interest_on_unpaid: bool = False
    unpaid_spread: float = 0.0
    #: deducted (as accrued this period) from the IC numerator (Q53: the trustee and base manager fees);
    #: a data flag, set at the boundary, so the engine never looks a fee up by its display name
    ic_deduction: bool = False


@dataclass(frozen=True)
class IncentiveFeeSpec:
    """Hurdle IRR (annual), fee share above it, and historic Sub Note flows (negative purchase first)."""

    hurdle: float = 0.12
    rate: float = 0.20
    history: tuple[tuple[date, float], ...] = ()


@dataclass(frozen=True)
class ReinvestmentSpec:
    """`CFInputs` reinvestment block (§7). Types: "ALL PRINCIPAL", "UNSCHEDULED PRINCIPAL" or none."""

    pre_type: str = "ALL PRINCIPAL"
    pre_pct: float = 1.0
    post_type: str = "UNSCHEDULED PRINCIPAL"
    post_pct: float = 0.0
    price: float = 1.0
    spread: float = 0.04
    floor: float = 0.0
    maturity_months: int = 84
    lag_months: int = 12
    cpr: float = 0.0
    cdr: float = 0.0
    severity: float = 0.0


@dataclass(frozen=True)
class CashflowInputs:
    """The cash-flow blocks of a deal sheet, typed (CASHFLOW_SPEC §0.3), as the ingest layer parsed them.

    ``dates`` holds the ``DateInputs`` present (closing_date, first_payment_date, non_call_date,
    reinvestment_end, stated_maturity as dates; payment_day, months_between_payments,
    interest_determination_lag, determination_lag as whole numbers; business_day_convention as text);
    ``clo_inputs`` the ``CLOInputs`` by label with rows 1 and 2 also read by position (the interest-diversion
    and event-of-default trigger levels, Q24); ``cf_inputs`` the ``CFInputs`` by label; ``curve`` the
    ``LIBORCurve`` (tenor in months → rate); ``pay_sub_notes`` the historic sub-note flows (zero rows left
    out); ``fees`` empty when the sheet has no ``Fees`` block (the deal template applies).
    """

    tranches: tuple[Tranche, ...] = ()
    fees: tuple[FeeSpec, ...] = ()
    dates: Mapping[str, date | int | str] = field(default_factory=dict)
    clo_inputs: Mapping[str, object] = field(default_factory=dict)
    interest_diversion_trigger: float | None = None
    eod_trigger: float | None = None
    cf_inputs: Mapping[str, float | str | date] = field(default_factory=dict)
    pay_sub_notes: tuple[tuple[date, float], ...] = ()
    curve: Mapping[int, float] = field(default_factory=dict)
    holidays: tuple[date, ...] = ()
    #: the deal's waterfall: a packaged version's name, or a version document (JSON text) that travels with it
    waterfall_name: str | None = None
    waterfall_json: str | None = None


@dataclass(frozen=True)
class DealStructure:
    """Everything about a deal except its collateral and scenario assumptions."""

    name: str
    dates: DealDates
    tranches: tuple[Tranche, ...]
    fees: tuple[FeeSpec, ...]
    incentive: IncentiveFeeSpec = field(default_factory=IncentiveFeeSpec)
    reinvestment: ReinvestmentSpec = field(default_factory=ReinvestmentSpec)
    current_index: float = 0.0
    interest_diversion_trigger: float | None = None
    eod_trigger: float | None = None
    event_of_default: bool = False
    purchase_finance_accrued_interest: float = 0.0
    ccc_haircut_pct: float = 0.075
    ccc_liquidation_price: float = 0.7
    liquidation_price: float = 1.0
    call_sub_distribution_below: float = 0.0
    beginning_fee_basis: float = 0.0
    collection_interest: float = 0.0
    collection_principal: float = 0.0
    interest_reserve: float = 0.0
    cf_analysis_date: date | None = None
    #: the packaged waterfall version this deal runs on ("Mag 15"); ``None`` = the deal's own name
    waterfall_name: str | None = None
    #: a waterfall version given as data with the deal (the JSON text of a ``data/waterfalls`` file): a
    #: deal whose waterfall is not packaged travels with its own, to every worker
    waterfall_json: str | None = None

    def __post_init__(self) -> None:
        names = [t.name for t in self.tranches]
        if len(set(names)) != len(names):
            raise CloXlError(f"deal {self.name}: duplicate tranche names {names}")
        if sum(t.equity for t in self.tranches) != 1:
            raise CloXlError(f"deal {self.name}: exactly one equity (Sub Notes) tranche is required")

    @property
    def equity(self) -> Tranche:
        return next(t for t in self.tranches if t.equity)

    def tranche(self, name: str) -> Tranche:
        for t in self.tranches:
            if t.name == name:
                return t
        raise CloXlError(f"deal {self.name}: the waterfall names tranche {name!r}, not in the inputs")


@dataclass(frozen=True)
class Conventions:
    """The legacy defects of the cash-flow engine that are on, one :class:`CashflowQuirk` each.

    ``Conventions()`` is the `legacy` convention (every switch on), ``Conventions.corrected()`` turns them
    all off, ``.without(q)`` / ``.with_(q)`` flip one. The properties below name what each switch does
    where the engine reads it:

    * ``capitalise_unpaid_interest`` (Q7), ``strict_trigger`` (§4.11), ``fee_interest_on_opening_unpaid``
      (Q27), ``hurdle_first_positive`` (Q29), ``hurdle_history_cutoff`` (Q25), ``ccc_whole_pool`` (Q22),
      ``mag17_as_mag15`` (Q48), ``sticky_event_of_default`` (Q23 off), ``ic_trustee_and_base_only`` (Q53);
    * the report: ``wal_on_original`` (Q5), ``legacy_pv_chain`` (Q4), ``modified_zero_unless_positive``
      (Q6), ``measures_from_analysis_date`` (Q25);
    * inputs and schedules: ``legacy_curve`` (Q2/Q3), ``legacy_business_days`` (Q36), ``pay_day_rolls``
      (Q37), ``vector_overrun`` (Q30), ``unknown_vector_zero`` (Q57), ``zero_par_million`` (Q33),
      ``write_off_unrecovered`` (Q34), ``legacy_migration`` (Q40);
    * ``waterfall_tags``: the version-file step options that apply (Q11, Q12, Q13, Q16, Q17, Q18).
    """

    quirks: frozenset[CashflowQuirk] = ALL_QUIRKS

    @classmethod
    def corrected(cls) -> Conventions:
        return cls(frozenset())

    @classmethod
    def named(cls, name: str) -> Conventions:
        if name == "legacy":
            return cls()
        if name == "corrected":
            return cls.corrected()
        raise CloXlError(f"convention must be 'legacy' or 'corrected', got {name!r}")

    def on(self, quirk: CashflowQuirk) -> bool:
        return quirk in self.quirks

    def without(self, *quirks: CashflowQuirk) -> Conventions:
        return Conventions(self.quirks - frozenset(quirks))

    def with_(self, *quirks: CashflowQuirk) -> Conventions:
        return Conventions(self.quirks | frozenset(quirks))

    @property
    def name(self) -> str:
        """ "legacy", "corrected", or "custom" for any other switch set."""
        if self.quirks == ALL_QUIRKS:
            return "legacy"
        return "corrected" if not self.quirks else "custom"

    @property
    def legacy(self) -> bool:
        """Every switch on (the `legacy` convention)."""
        return self.quirks == ALL_QUIRKS

    @property
    def capitalise_unpaid_interest(self) -> bool:
        return CashflowQuirk.Q7_CAPITALISE_UNPAID_INTEREST in self.quirks

    @property
    def strict_trigger(self) -> bool:
        return CashflowQuirk.Q411_STRICT_TRIGGER in self.quirks

    @property
    def fee_interest_on_opening_unpaid(self) -> bool:
        return CashflowQuirk.Q27_FEE_INTEREST_ON_OPENING_UNPAID in self.quirks

    @property
    def hurdle_first_positive(self) -> bool:
        return CashflowQuirk.Q29_HURDLE_FIRST_POSITIVE in self.quirks

    @property
    def hurdle_history_cutoff(self) -> bool:
        return CashflowQuirk.Q25_HURDLE_HISTORY_CUTOFF in self.quirks

    @property
    def ccc_whole_pool(self) -> bool:
        return CashflowQuirk.Q22_CCC_WHOLE_POOL in self.quirks

    @property
    def mag17_as_mag15(self) -> bool:
        return CashflowQuirk.Q48_MAG17_AS_MAG15 in self.quirks

    @property
    def wal_on_original(self) -> bool:
        return CashflowQuirk.Q5_WAL_ON_ORIGINAL in self.quirks

    @property
    def sticky_event_of_default(self) -> bool:
        return CashflowQuirk.Q23_EOD_NOT_STICKY not in self.quirks

    @property
    def legacy_pv_chain(self) -> bool:
        return CashflowQuirk.Q4_PV_CHAIN in self.quirks

    @property
    def modified_zero_unless_positive(self) -> bool:
        return CashflowQuirk.Q6_MODIFIED_ZERO_AT_NON_POSITIVE_YIELD in self.quirks

    @property
    def measures_from_analysis_date(self) -> bool:
        return CashflowQuirk.Q25_MEASURES_FROM_ANALYSIS_DATE in self.quirks

    @property
    def ic_trustee_and_base_only(self) -> bool:
        return CashflowQuirk.Q53_IC_NUMERATOR_TRUSTEE_AND_BASE_ONLY in self.quirks

    @property
    def legacy_curve(self) -> bool:
        return CashflowQuirk.Q2_LEGACY_CURVE in self.quirks

    @property
    def legacy_business_days(self) -> bool:
        return CashflowQuirk.Q36_LEGACY_BUSINESS_DAYS in self.quirks

    @property
    def pay_day_rolls(self) -> bool:
        return CashflowQuirk.Q37_PAY_DAY_ROLLS in self.quirks

    @property
    def vector_overrun(self) -> bool:
        return CashflowQuirk.Q30_VECTOR_OVERRUN in self.quirks

    @property
    def unknown_vector_zero(self) -> bool:
        return CashflowQuirk.Q57_UNKNOWN_VECTOR_ZERO in self.quirks

    @property
    def zero_par_million(self) -> bool:
        return CashflowQuirk.Q33_ZERO_PAR_MILLION in self.quirks

    @property
    def write_off_unrecovered(self) -> bool:
        return CashflowQuirk.Q34_WRITE_OFF_UNRECOVERED in self.quirks

    @property
    def legacy_migration(self) -> bool:
        return CashflowQuirk.Q40_MIGRATION_STEPS in self.quirks

    @property
    def waterfall_tags(self) -> frozenset[str]:
        return frozenset(q.tag for q in WATERFALL_TAGS if q in self.quirks)
