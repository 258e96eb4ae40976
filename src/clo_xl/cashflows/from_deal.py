"""Adapter: deal-input documents (the `legacy/mag17_deal.json` interchange shape, a workbook reader's
RawDocument, or a `clo_xl.deal.DealInputs`) → :class:`DealStructure`.

Cash-flow keys the extract may lack fall back to the documented template below (DEFAULTS); each is
overridable by a key of the same name in the document (``dates``, ``fees``, ``cf_inputs``, ``clo_inputs``,
``libor_curve``, ``pay_sub_notes``). Strings are parsed here, at the boundary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clo_xl.cashflows.from_records import parse_date
from clo_xl.cashflows.structure import (
    DealStructure,
    FeeSpec,
    IncentiveFeeSpec,
    ReinvestmentSpec,
    Tranche,
)
from clo_xl.cashflows.timeline import DealDates
from clo_xl.curves.conventions import (
    US_SETTLEMENT,
    BusinessCalendar,
    add_months,
    holiday_calendar,
    parse_business_day_rule,
    parse_day_count,
)
from clo_xl.enums import AccountType
from clo_xl.errors import CloXlError, IngestError, Location

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


def _num(value: object, where: str, default: float | None = None) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "NA", "N/A")):
        return default
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise IngestError(Location(column=where), value, "not a number") from None


def _flag(value: object) -> bool:
    return str(value).strip().upper() in ("TRUE", "YES", "Y", "1", "1.0")


def _tranche(raw: Mapping[str, Any]) -> Tranche:
    name = str(raw.get("class") or raw.get("class_name") or raw.get("name") or "").strip()
    props = raw.get("properties", raw)
    pik = props.get("PIKable")
    if props.get("Equity") is not None:
        equity = _flag(props.get("Equity"))
    else:
        equity = "SUB" in name.upper() or "EQUITY" in name.upper() or str(pik).strip().upper() == "NA"
    original = _num(props.get("Original_Balance"), f"{name} Original_Balance", 0.0) or 0.0
    current = _num(props.get("Current_Balance"), f"{name} Current_Balance", original)
    return Tranche(
        name=name,
        original_balance=original,
        current_balance=current if current is not None else original,
        spread=_num(props.get("Spread_bps", props.get("Spread")), f"{name} Spread", 0.0) or 0.0,
        price=_num(props.get("Price"), f"{name} Price", 1.0) or 1.0,
        deferred_balance=_num(props.get("Defaulted_Deferred"), f"{name} Deferred", 0.0) or 0.0,
        discount_margin=_num(props.get("Discount_Margin"), f"{name} DM", 0.0) or 0.0,
        deferrable=not equity and bool(_num(pik, f"{name} PIKable", 0.0)),
        oc_trigger=_num(props.get("OC_Test"), f"{name} OC_Test"),
        ic_trigger=_num(props.get("IC_Test"), f"{name} IC_Test"),
        day_count=parse_day_count(props.get("DayCount")),
        equity=equity,
        fixed=str(props.get("Coupon_Type", "")).strip().upper() == "FIXED",
    )


def _f(row: Mapping[str, Any], *keys: str) -> float:
    for key in keys:
        value = _num(row.get(key), key)
        if value is not None:
            return value
    return 0.0


#: the legacy workbook's `Fees` rows deducted from the IC numerator (Q53), by the row's name: the only place
#: a fee's display name matters; a deal's fees file may say ``"ic_deduction": true`` for any row instead
LEGACY_IC_DEDUCTED_FEES = frozenset({"Trustee Fee", "Base Manager Fee"})


def _fees(rows: Sequence[Mapping[str, Any]]) -> tuple[FeeSpec, ...]:
    """`Fees` rows; the workbook reader's keys (unpaid, fixed_amount, spread) and the template's."""
    return tuple(
        FeeSpec(
            name=str(r["name"]).strip(),
            basis=str(r.get("basis") or "Beginning").strip().upper(),
            rate=_f(r, "rate"),
            fixed_annual=_f(r, "fixed_annual", "fixed_amount"),
            opening_unpaid=_f(r, "opening_unpaid", "unpaid"),
            day_count=parse_day_count(r.get("day_count") or "ACTUAL/360"),
            interest_on_unpaid=_flag(r.get("interest_on_unpaid", False)),
            unpaid_spread=_f(r, "unpaid_spread", "spread"),
            ic_deduction=_flag(r["ic_deduction"])
            if r.get("ic_deduction") is not None
            else str(r["name"]).strip() in LEGACY_IC_DEDUCTED_FEES,
        )
        for r in rows
        if r.get("name")
    )


def _clo_inputs(raw: object) -> tuple[dict[str, Any], float | None, float | None]:
    """`CLOInputs` by label, plus rows 1-2 read by position (IDT and EOD trigger levels, Q24)."""
    if isinstance(raw, Mapping):
        d = dict(raw)
        return (
            d,
            _num(d.get("Interest Diversion Trigger"), "IDT"),
            _num(d.get("Event of Default Trigger"), "EOD"),
        )
    rows = [r for r in raw or [] if isinstance(r, Mapping)]  # type: ignore[attr-defined]
    labelled = {str(r.get("label", "")).strip(): r.get("value") for r in rows}
    idt = _num(rows[0].get("value"), "CLOInputs row 1") if len(rows) > 0 else None
    eod = _num(rows[1].get("value"), "CLOInputs row 2") if len(rows) > 1 else None
    return labelled, idt, eod


def _date(doc: Mapping[str, Any], key: str, fallback: date | None) -> date:
    d = parse_date(doc.get(key)) if key in doc else None
    if d is None:
        if fallback is None:
            raise IngestError(Location(column=key), doc.get(key), "a date is required")
        return fallback
    return d


def _calendar_for(doc: Mapping[str, Any]) -> BusinessCalendar:
    """The workbook's `Holidays` (+ weekends) when the document carries them, else QuantLib's US
    settlement calendar."""
    days = [d for d in (parse_date(x) for x in doc.get("holidays") or []) if d is not None]
    return holiday_calendar(days) if days else US_SETTLEMENT


def _is_true(value: object) -> bool:
    """Q24: only a boolean TRUE forces EOD (a numeric 1 in that cell never did)."""
    return value is True or (isinstance(value, str) and value.strip().upper() == "TRUE")


def _cf(block: Mapping[str, Any], key: str, default: float) -> float:
    value = _num(block.get(key), key)
    return default if value is None else value


def structure_from_document(doc: Mapping[str, Any], *, deal_name: str | None = None) -> DealStructure:
    """Build the engine inputs from an interchange document (see module docstring)."""
    name = str(deal_name or doc.get("deal") or "").strip()
    if not name:
        raise CloXlError("the deal-input document has no 'deal' name")
    analysis = parse_date(doc.get("analysis_date"))
    if analysis is None:
        raise IngestError(Location(column="analysis_date"), doc.get("analysis_date"), "a date is required")
    dates_doc: dict[str, Any] = dict(doc.get("date_inputs") or {})
    for src, dst in (
        ("reinvestment_end_date", "reinvestment_end"),
        ("interest_determination_days", "interest_determination_lag"),
        ("determination_days", "determination_lag"),
    ):
        if dates_doc.get(src) is not None:
            dates_doc[dst] = dates_doc[src]
    dates_doc = {k: v for k, v in dates_doc.items() if v is not None and v != ""}
    dates_doc.update(doc.get("dates") or {})
    nxt = parse_date(doc.get("next_payment_date"))
    closing = _date(dates_doc, "closing_date", analysis)
    first = _date(dates_doc, "first_payment_date", nxt or add_months(analysis, 3))
    dates = DealDates(
        analysis_date=analysis,
        closing_date=closing,
        first_payment_date=first,
        non_call_date=_date(dates_doc, "non_call_date", add_months(closing, 12 * DEFAULTS["non_call_years"])),
        reinvestment_end=_date(
            dates_doc, "reinvestment_end", add_months(closing, 12 * DEFAULTS["reinvestment_years"])
        ),
        stated_maturity=_date(
            dates_doc, "stated_maturity", add_months(closing, 12 * DEFAULTS["maturity_years"])
        ),
        payment_day=int(float(dates_doc.get("payment_day", first.day))),
        months_between_payments=int(float(dates_doc.get("months_between_payments", 3))),
        interest_determination_lag=int(float(dates_doc.get("interest_determination_lag", 2))),
        determination_lag=int(float(dates_doc.get("determination_lag", 10))),
        business_day_rule=parse_business_day_rule(dates_doc.get("business_day_convention", "Mod Following")),
        calendar=_calendar_for(doc),
    )
    raw_tranches = doc.get("tranches") or []
    if not raw_tranches:
        raise CloXlError(f"deal {name}: the inputs have no tranche table (Liability block)")
    tranches = tuple(_tranche(t) for t in raw_tranches)
    clo, idt, eod_level = _clo_inputs(doc.get("clo_inputs"))
    cf: Mapping[str, Any] = {str(k).strip(): v for k, v in (doc.get("cf_inputs") or {}).items()}
    ocs = [t.oc_trigger for t in tranches if t.oc_trigger]
    if idt is None and ocs:
        idt = ocs[-1] + DEFAULTS["idt_cushion"]
    history = tuple(
        (d, amount)
        for row in doc.get("pay_sub_notes") or []
        for d, amount in [(parse_date(row.get("date")), _f(row, "amount"))]
        if d is not None and amount != 0.0
    )
    equity = next((t for t in tranches if t.equity), None)
    if not history and equity is not None:
        history = ((closing, -equity.original_balance),)  # purchase at par on the closing date
    accounts = {int(a.get("number", 0)): a for a in doc.get("accounts") or []}
    coll = accounts.get(AccountType.COLLECTION, {})
    ramp = accounts.get(AccountType.RAMP_UP, {})
    reserve = accounts.get(AccountType.INTEREST_RESERVE, {})
    rs = ReinvestmentSpec(
        pre_type=str(cf.get("Pre Reinvestment Type") or "ALL PRINCIPAL"),
        pre_pct=_cf(cf, "Pre Reinvestment %", 1.0),
        post_type=str(cf.get("Post Reinvestment") or "UNSCHEDULED PRINCIPAL"),
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
    return DealStructure(
        name=name,
        dates=dates,
        tranches=tranches,
        fees=_fees(doc.get("fees") or DEFAULTS["fees"]),
        incentive=IncentiveFeeSpec(
            hurdle=_cf(clo, "Incentive Management Fee Hurdle", DEFAULTS["incentive_hurdle"]),
            rate=_cf(clo, "Incentive Management Fee", DEFAULTS["incentive_rate"]),
            history=history,
        ),
        reinvestment=rs,
        current_index=_cf(clo, "Current LIBOR", float(doc.get("current_libor") or 0.0)),
        interest_diversion_trigger=idt,
        eod_trigger=eod_level if eod_level is not None else DEFAULTS["eod_trigger"],
        event_of_default=_is_true(clo.get("Event of Default")),
        purchase_finance_accrued_interest=_cf(clo, "Purchase Finance Accrued Interest", 0.0),
        ccc_haircut_pct=_cf(clo, "CCC Asset Haircut Percent", DEFAULTS["ccc_haircut_pct"]),
        ccc_liquidation_price=_cf(cf, "CCC Liquidation Price", DEFAULTS["ccc_liquidation_price"]),
        liquidation_price=_cf(cf, "Liquidation Price", DEFAULTS["liquidation_price"]),
        call_sub_distribution_below=_cf(cf, "Call when Quarterly Sub Dist <", 0.0),
        beginning_fee_basis=_cf(clo, "Beg Fee Basis", 0.0),
        collection_interest=float(coll.get("interest", 0.0)),
        collection_principal=float(coll.get("principal", 0.0)) + float(ramp.get("principal", 0.0)),
        interest_reserve=float(reserve.get("principal", 0.0)),
        cf_analysis_date=parse_date(clo.get("Analysis Date")) or analysis,
        **_waterfall_fields(doc.get("waterfall")),
    )


def _waterfall_fields(raw: object) -> dict[str, str]:
    """The deal document's ``waterfall``: a packaged version's name, or a version document (a JSON object
    shaped like ``data/waterfalls/mag17.json``) that then travels with the deal."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return {"waterfall_json": json.dumps(raw, sort_keys=True)}
    if isinstance(raw, str):
        return {"waterfall_name": raw.strip()}
    raise IngestError(Location(column="waterfall"), raw, "expected a version name or a waterfall document")


def curve_tenors(doc: Mapping[str, Any]) -> dict[int, float]:
    """The `LIBORCurve` block {months: rate}; a flat curve at current LIBOR when the document has none."""
    raw = doc.get("libor_curve") or doc.get("curve")
    if raw:
        if isinstance(raw, Mapping):
            return {int(k): float(v) for k, v in raw.items()}
        return {int(r["months"]): float(r["rate"]) for r in raw}
    rate = float(doc.get("current_libor") or 0.0)
    return {1: rate, 480: rate}


def document_from_deal_inputs(inputs: Any) -> dict[str, Any]:
    """Duck-typed view of a `clo_xl.deal.DealInputs` as an interchange document."""
    doc: dict[str, Any] = dict(getattr(inputs, "extras", {}) or {})
    doc["deal"] = inputs.deal
    doc["analysis_date"] = inputs.analysis_date.isoformat()
    if getattr(inputs, "next_payment_date", None):
        doc["next_payment_date"] = inputs.next_payment_date.isoformat()
    doc["current_libor"] = getattr(inputs, "current_libor", 0.0)
    doc["tranches"] = [dict(t) for t in getattr(inputs, "tranches", ())]
    doc["accounts"] = [
        {"number": int(a.number), "interest": float(a.interest), "principal": float(a.principal)}
        for a in getattr(inputs, "accounts", ())
    ]
    return doc
