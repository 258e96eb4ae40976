"""Typed, frozen inputs of the deal engine: tranches, fees, incentive fee, reinvestment, conventions.

Rates and prices are decimals (price 0.9494 = 94.94% of par); balances in currency; trigger levels as
ratios (1.243 = 124.3%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from clo_xl.cashflows.timeline import DealDates
from clo_xl.curves.conventions import DayCount
from clo_xl.errors import CloXlError


@dataclass(frozen=True)
class Tranche:
    """One column of the `Liability` table (§0.3)."""

    name: str
    original_balance: float
    current_balance: float
    spread: float
    price: float = 1.0
    deferred_balance: float = 0.0
    discount_margin: float = 0.0
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
    rate: float = 0.0
    fixed_annual: float = 0.0
    opening_unpaid: float = 0.0
    day_count: DayCount = DayCount.ACT_360
    interest_on_unpaid: bool = False
    unpaid_spread: float = 0.0


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
    """Each legacy defect of the deal engine as a named switch; `legacy()` turns them all on.

    * ``capitalise_unpaid_interest`` (Q7): unpaid current interest of any class is added to its deferred
      balance (otherwise non-deferrable classes carry it as a shortfall due next period).
    * ``strict_trigger`` (§4.11): a test passes only when ratio > trigger (indentures: ≥).
    * ``fee_interest_on_opening_unpaid`` (Q27): fee interest on the opening unpaid input, not the balance.
    * ``hurdle_first_positive`` (Q29): hurdle met at the first positive cumulative PV in input order.
    * ``ccc_whole_pool`` (Q22): CCC adjustment ≈ (pool − threshold) × (1 − price) once over the limit;
      otherwise (CCC excess) × (1 − price).
    * ``mag17_as_mag15`` (Q48): Mag 17 runs on the Mag 15 waterfall.
    * ``wal_on_original`` (Q5): WAL divided by the original balance.
    * ``sticky_event_of_default`` (Q23): off in legacy (EOD re-tested every period); on in corrected, once
      an event of default occurs the EOD waterfall applies to every later period (no acceleration model).
    * ``legacy_pv_chain`` (Q4): price/DM chain quarterly factors of (1 + (zero to d_i + DM)/4) per interval
      (`CalcPVwSpread`); off, the curve's discount factors are used.
    * projection switches: Q33, Q34, Q36, Q30 (see :mod:`clo_xl.cashflows.projection`).
    """

    legacy: bool = True
    capitalise_unpaid_interest: bool = True
    strict_trigger: bool = True
    fee_interest_on_opening_unpaid: bool = True
    hurdle_first_positive: bool = True
    ccc_whole_pool: bool = True
    mag17_as_mag15: bool = True
    wal_on_original: bool = True
    sticky_event_of_default: bool = False
    legacy_pv_chain: bool = True

    @classmethod
    def corrected(cls) -> Conventions:
        return cls(False, False, False, False, False, False, False, False, True, False)

    @classmethod
    def named(cls, name: str) -> Conventions:
        if name == "legacy":
            return cls()
        if name == "corrected":
            return cls.corrected()
        raise CloXlError(f"convention must be 'legacy' or 'corrected', got {name!r}")
