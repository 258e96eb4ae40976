"""A deal's parsed inputs → the engine's :class:`DealStructure`.

Nothing is parsed here: :class:`~clo_xl.deal.DealInputs` (dates, LIBOR, accounts) and the typed cash-flow
blocks (:class:`~clo_xl.cashflows.structure.CashflowInputs`: tranches, fees, dates, CLO and CF inputs, curve,
historic sub-note flows) come from the ingest layer, which read and checked every cell once. Inputs a sheet
or an extract does not carry fall back to the documented template (:data:`DEFAULTS`, a typical US BSL CLO,
DOMAIN.md): deal sheet > template. Accounts are found by their :class:`~clo_xl.enums.AccountType` number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clo_xl.cashflows.structure import (
    CashflowInputs,
    DealStructure,
    FeeSpec,
    IncentiveFeeSpec,
    ReinvestmentSpec,
)
from clo_xl.cashflows.timeline import DealDates
from clo_xl.curves.conventions import (
    US_SETTLEMENT,
    BusinessCalendar,
    add_months,
    holiday_calendar,
    parse_business_day_rule,
)
from clo_xl.deal import DealInputs
from clo_xl.enums import AccountType
from clo_xl.errors import CloXlError

#: template for inputs an extract does not carry (a typical US BSL CLO, DOMAIN.md); deal sheet > template
DEFAULTS: dict[str, Any] = {
    "non_call_years": 2,
    "reinvestment_years": 4,
    "maturity_years": 12,
    "fees": [
        {"name": "Trustee Fee", "basis": "Beginning", "rate": 0.0002},
        {"name": "Admin Fee", "basis": "Beginning", "rate": 0.0001, "fixed_annual": 50_000.0},
        {"name": "Base Manager Fee", "basis": "Beginning", "rate": 0.0015},
        {"name": "Junior Manager Fee", "basis": "Beginning", "rate": 0.0035},
    ],
    "incentive_hurdle": 0.12,
    "incentive_rate": 0.20,
    "eod_trigger": 1.025,
    "idt_cushion": 0.005,
    "ccc_haircut_pct": 0.075,
    "ccc_liquidation_price": 0.70,
    "liquidation_price": 1.0,
}


#: the legacy workbook's `Fees` rows deducted from the IC numerator (Q53), by the row's name: the only place
#: a fee's display name matters; a deal's fees file may say ``"ic_deduction": true`` for any row instead
LEGACY_IC_DEDUCTED_FEES = frozenset({"Trustee Fee", "Base Manager Fee"})


def template_fees() -> tuple[FeeSpec, ...]:
    """The deal template's fees (:data:`DEFAULTS`), for a deal sheet without a ``Fees`` block."""
    return tuple(
        FeeSpec(
            name=f["name"],
            basis=f["basis"].upper(),
            rate=f["rate"],
            fixed_annual=f.get("fixed_annual", 0.0),
            ic_deduction=f["name"] in LEGACY_IC_DEDUCTED_FEES,
        )
        for f in DEFAULTS["fees"]
    )


def _date(dates: Mapping[str, object], key: str, fallback: date) -> date:
    found = dates.get(key)
    return found if isinstance(found, date) else fallback


def _whole(dates: Mapping[str, object], key: str, fallback: int) -> int:
    found = dates.get(key)
    return found if isinstance(found, int) and not isinstance(found, bool) else fallback


def _calendar_for(holidays: Sequence[date]) -> BusinessCalendar:
    """The workbook's `Holidays` (+ weekends) when there are some, else QuantLib's US settlement calendar."""
    return holiday_calendar(holidays) if holidays else US_SETTLEMENT


def _is_true(value: object) -> bool:
    """Q24: only a boolean TRUE forces EOD (a numeric 1 in that cell never did)."""
    return value is True or (isinstance(value, str) and value.strip().upper() == "TRUE")


def _cf(block: Mapping[str, object], key: str, default: float) -> float:
    value = block.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _text(block: Mapping[str, object], key: str, default: str) -> str:
    value = block.get(key)
    return value if isinstance(value, str) and value else default


def _dates(inputs: DealInputs, cashflow: CashflowInputs) -> DealDates:
    """The deal's timeline: the ``DateInputs`` present, the template for the rest (deal sheet > template)."""
    d = cashflow.dates
    analysis = inputs.analysis_date
    closing = _date(d, "closing_date", analysis)
    first = _date(d, "first_payment_date", inputs.next_payment_date or add_months(analysis, 3))
    convention = d.get("business_day_convention")
    return DealDates(
        analysis_date=analysis,
        closing_date=closing,
        first_payment_date=first,
        non_call_date=_date(d, "non_call_date", add_months(closing, 12 * DEFAULTS["non_call_years"])),
        reinvestment_end=_date(
            d, "reinvestment_end", add_months(closing, 12 * DEFAULTS["reinvestment_years"])
        ),
        stated_maturity=_date(d, "stated_maturity", add_months(closing, 12 * DEFAULTS["maturity_years"])),
        payment_day=_whole(d, "payment_day", first.day),
        months_between_payments=_whole(d, "months_between_payments", 3),
        interest_determination_lag=_whole(d, "interest_determination_lag", 2),
        determination_lag=_whole(d, "determination_lag", 10),
        business_day_rule=parse_business_day_rule(
            convention if isinstance(convention, str) else "Mod Following"
        ),
        calendar=_calendar_for(cashflow.holidays or inputs.holidays),
    )


def _reinvestment(cf: Mapping[str, object]) -> ReinvestmentSpec:
    return ReinvestmentSpec(
        pre_type=_text(cf, "Pre Reinvestment Type", "ALL PRINCIPAL"),
        pre_pct=_cf(cf, "Pre Reinvestment %", 1.0),
        post_type=_text(cf, "Post Reinvestment", "UNSCHEDULED PRINCIPAL"),
        post_pct=_cf(cf, "Post Reinvestment%", 0.0),
        price=_cf(cf, "Reinvestment Price", 1.0),
        spread=_cf(cf, "Reinvestment Spread", 0.04),
        floor=_cf(cf, "Reinvestment Floor", 0.0),
        maturity_months=int(_cf(cf, "Reinvestment Maturity", 84)),
        lag_months=int(_cf(cf, "Reinvestment Lag", 12)),
        cpr=_cf(cf, "Reinvestment CPR", 0.0),
        cdr=_cf(cf, "Reinvestment CDR", 0.0),
        severity=_cf(cf, "Reinverstment Severity", _cf(cf, "Reinvestment Severity", 0.0)),
    )


def structure_from_inputs(
    inputs: DealInputs, cashflow: CashflowInputs, *, deal_name: str | None = None
) -> DealStructure:
    """The engine's :class:`DealStructure` from a deal's parsed inputs (the analysis and next payment dates,
    current LIBOR and the accounts, as :func:`clo_xl.ingest.deal_inputs.read_deal` parsed them once) and its
    typed cash-flow blocks; inputs a sheet lacks come from the deal template (:data:`DEFAULTS`)."""
    name = (deal_name or inputs.deal).strip()
    tranches = cashflow.tranches
    if not tranches:
        raise CloXlError(f"deal {name}: the inputs have no tranche table (Liability block)")
    closing = _date(cashflow.dates, "closing_date", inputs.analysis_date)
    clo, cf = cashflow.clo_inputs, cashflow.cf_inputs
    idt = cashflow.interest_diversion_trigger
    ocs = [t.oc_trigger for t in tranches if t.oc_trigger]
    if idt is None and ocs:
        idt = ocs[-1] + DEFAULTS["idt_cushion"]
    history = cashflow.pay_sub_notes
    equity = next((t for t in tranches if t.equity), None)
    if not history and equity is not None:
        history = ((closing, -equity.original_balance),)  # purchase at par on the closing date
    accounts = {a.number: a for a in inputs.accounts}
    coll = accounts.get(AccountType.COLLECTION)
    ramp = accounts.get(AccountType.RAMP_UP)
    reserve = accounts.get(AccountType.INTEREST_RESERVE)
    analysis_in_clo = clo.get("Analysis Date")
    return DealStructure(
        name=name,
        dates=_dates(inputs, cashflow),
        tranches=tranches,
        fees=cashflow.fees or template_fees(),
        incentive=IncentiveFeeSpec(
            hurdle=_cf(clo, "Incentive Management Fee Hurdle", DEFAULTS["incentive_hurdle"]),
            rate=_cf(clo, "Incentive Management Fee", DEFAULTS["incentive_rate"]),
            history=history,
        ),
        reinvestment=_reinvestment(cf),
        current_index=_cf(clo, "Current LIBOR", inputs.current_libor),
        interest_diversion_trigger=idt,
        eod_trigger=cashflow.eod_trigger if cashflow.eod_trigger is not None else DEFAULTS["eod_trigger"],
        event_of_default=_is_true(clo.get("Event of Default")),
        purchase_finance_accrued_interest=_cf(clo, "Purchase Finance Accrued Interest", 0.0),
        ccc_haircut_pct=_cf(clo, "CCC Asset Haircut Percent", DEFAULTS["ccc_haircut_pct"]),
        ccc_liquidation_price=_cf(cf, "CCC Liquidation Price", DEFAULTS["ccc_liquidation_price"]),
        liquidation_price=_cf(cf, "Liquidation Price", DEFAULTS["liquidation_price"]),
        call_sub_distribution_below=_cf(cf, "Call when Quarterly Sub Dist <", 0.0),
        beginning_fee_basis=_cf(clo, "Beg Fee Basis", 0.0),
        collection_interest=coll.interest if coll else 0.0,
        collection_principal=(coll.principal if coll else 0.0) + (ramp.principal if ramp else 0.0),
        interest_reserve=reserve.principal if reserve else 0.0,
        cf_analysis_date=analysis_in_clo if isinstance(analysis_in_clo, date) else inputs.analysis_date,
        waterfall_name=cashflow.waterfall_name,
        waterfall_json=cashflow.waterfall_json,
    )


def curve_tenors(inputs: DealInputs, cashflow: CashflowInputs) -> dict[int, float]:
    """The `LIBORCurve` block {months: rate}; a flat curve at current LIBOR when the deal has none."""
    if cashflow.curve:
        return dict(cashflow.curve)
    rate = inputs.current_libor
    return {1: rate, 480: rate}


__all__ = ["DEFAULTS", "LEGACY_IC_DEDUCTED_FEES", "curve_tenors", "structure_from_inputs", "template_fees"]
