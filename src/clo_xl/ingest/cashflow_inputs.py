"""Parse the cash-flow blocks of a deal document into :class:`~clo_xl.cashflows.structure.CashflowInputs`,
every cell typed and range-checked, each bad value located (CASHFLOW_SPEC §0.3).

Blocks: the ``Liability`` tranche matrix (balances are money: not negative, at most 1e11; a price is a
decimal between 0 and 2; spreads and discount margins are fractions; OC/IC trigger levels are ratios above 1
or ``NA``; a known day count), ``Fees`` (rates, fixed amounts, unpaid balances, a known day count, a basis of
"Beginning" or "Average"), ``DateInputs`` (dates within the engine's calendar, whole numbers of days and
months, a known business-day convention), ``CLOInputs`` (rows 1-2 are trigger levels read by position),
``CFInputs`` (each value a number, or text where the legacy takes text), ``PaySubNotes`` (date, amount),
``PMT_Dates`` (dates) and the ``LIBORCurve`` (whole tenors in months, rates as plausible fractions: a rate
written ``n/a`` is refused, not read as 0).

The extract interchange shapes of ``legacy/mag17_deal.json`` are read too (tranche ``properties``,
``Spread``, template fee keys, ``clo_inputs`` as a mapping, a ``curve`` list of {months, rate}).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from clo_xl.cashflows.from_deal import LEGACY_IC_DEDUCTED_FEES
from clo_xl.cashflows.structure import CashflowInputs, FeeSpec, Tranche
from clo_xl.curves.conventions import parse_day_count
from clo_xl.errors import CloXlError
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawDocument
from clo_xl.ingest.rules import (
    MAX_MONEY,
    ValueProblem,
    check_range,
    is_blank,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_number,
    parse_text,
)

T = TypeVar("T")

#: day-count texts the legacy knows (CASHFLOW_SPEC §1.1), spaces removed and uppercased
DAY_COUNTS = frozenset(
    {
        "30/360",
        "ACTUAL/ACTUAL",
        "ACT/ACT",
        "ACTUAL/365",
        "ACT365",
        "ACT/365",
        "ACTUAL/360",
        "ACT360",
        "ACT/360",
        "30/360EU",
    }
)
BUSINESS_DAY_CONVENTIONS = frozenset(
    {
        "MOD FOLLOWING",
        "MODIFIED FOLLOWING",
        "MODFOLLOWING",
        "FOLLOWING",
        "PREVIOUS",
        "PRECEDING",
        "UNADJUSTED",
    }
)
FEE_BASES = frozenset({"BEGINNING", "AVERAGE"})
#: plausible ranges (fractions unless said otherwise)
SPREAD_RANGE = (-0.05, 0.50)
PRICE_RANGE = (0.0, 2.0)
TRIGGER_RANGE = (0.0, 100.0)  # a ratio (1.05 = 105%); 0 = no test
RATE_RANGE = (-0.05, 0.50)
#: CFInputs labels the engine reads as numbers (CASHFLOW_SPEC §0.3); other labels keep their text
CF_NUMBER_LABELS = frozenset(
    {"Call when Quarterly Sub Dist <", "Liquidation Price", "CCC Liquidation Price", "Reinvestment CDR"}
    | {"Reinvestment Floor", "Reinvestment Lag", "Reinvestment Maturity", "Post Reinvestment%"}
    | {"Reinvestment CPR", "Pre Reinvestment %", "Reinvestment Price", "Reinverstment Severity"}
    | {"Reinvestment Severity", "Reinvestment Spread"}
    | {f"{r} Liquidation Price" for r in ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")}
)
#: CLOInputs labels the engine reads as numbers; "Event of Default" is a flag, "Analysis Date" a date
CLO_NUMBER_LABELS = frozenset(
    {"Interest Diversion Trigger", "Event of Default Trigger", "Current LIBOR", "Beg Fee Basis"}
    | {"Purchase Finance Accrued Interest", "CCC Asset Haircut Percent"}
    | {"Incentive Management Fee Hurdle", "Incentive Management Fee"}
)
CF_NUMBER_LABELS = CF_NUMBER_LABELS | {"Call Price", "Cumulative Default Rate"}
CLO_FLAG_LABELS = frozenset({"Event of Default"})
#: labels whose value is a date (CLOInputs "Analysis Date"; CFInputs "Call Date")
CLO_DATE_LABELS = frozenset({"Analysis Date", "Call Date"})

_DATE_KEYS = ("pricing_date", "closing_date", "effective_date", "first_payment_date", "non_call_date")
_DATE_RENAMES = {
    "reinvestment_end_date": "reinvestment_end",
    "interest_determination_days": "interest_determination_lag",
    "determination_days": "determination_lag",
}
_DATE_FIELDS = frozenset({*_DATE_KEYS, "reinvestment_end", "stated_maturity"})
_WHOLE_FIELDS = {
    "payment_day": (1, 31),
    "months_between_payments": (1, 12),
    "interest_determination_lag": (0, 60),
    "determination_lag": (0, 60),
}


class _Cells:
    """Typed reads with located problems (the bad value reads as None)."""

    def __init__(self, doc: RawDocument, problems: Problems) -> None:
        self.doc = doc
        self.problems = problems
        self.failed = False

    def get(self, path: str, value: object, parse: Callable[[object], T]) -> T | None:
        """``parse(value)``, or None after recording the problem at ``path``."""
        try:
            return parse(value)
        except ValueProblem as exc:
            self.failed = True
            self.problems.add(self.doc.locate(path), value, str(exc))
            return None

    def number(
        self, path: str, value: object, low: float | None, high: float | None, *, default: float | None = 0.0
    ) -> float | None:
        if is_blank(value):
            return default
        return self.get(path, value, lambda v: check_range(parse_number(v), low, high))

    def money(self, path: str, value: object, *, default: float = 0.0, what: str = "balance") -> float | None:
        return self.get(path, value, lambda v: parse_money(v, blank=default, what=what))

    def day_count(self, path: str, value: object) -> Any:
        def parse(v: object) -> Any:
            key = parse_text(v).upper().replace(" ", "")
            if key not in DAY_COUNTS:
                raise ValueProblem("not a known day count (expected e.g. Actual/360, 30/360, Actual/365)")
            return parse_day_count(key)

        return self.get(path, value, parse)

    def trigger(self, path: str, value: object) -> float | None:
        """An OC/IC trigger level: a ratio, or "NA"/blank for none."""
        if is_blank(value) or (isinstance(value, str) and value.strip().upper() in {"NA", "N/A"}):
            return None
        found = self.number(path, value, *TRIGGER_RANGE)
        return found or None


def _first(rec: Mapping[str, Any], *keys: str) -> tuple[str, Any]:
    for k in keys:
        if k in rec:
            return k, rec[k]
    return keys[0], None


def _tranche(c: _Cells, i: int, raw: Mapping[str, Any]) -> Tranche | None:
    p = f"tranches[{i}]"
    nk, name_raw = _first(raw, "class", "class_name", "name")
    name = c.get(f"{p}.{nk}", name_raw, parse_text) or ""
    props: Mapping[str, Any] = (
        raw.get("properties", raw) if isinstance(raw.get("properties", raw), Mapping) else raw
    )
    pik = props.get("PIKable")
    if props.get("Equity") is not None:
        equity = bool(c.get(f"{p}.Equity", props.get("Equity"), parse_bool))
    else:
        equity = "SUB" in name.upper() or "EQUITY" in name.upper() or str(pik).strip().upper() == "NA"
    original = c.money(f"{p}.Original_Balance", props.get("Original_Balance"))
    current = c.money(f"{p}.Current_Balance", props.get("Current_Balance"), default=original or 0.0)
    sk, spread_raw = _first(props, "Spread_bps", "Spread")
    spread = c.number(f"{p}.{sk}", spread_raw, *SPREAD_RANGE)
    price = c.number(f"{p}.Price", props.get("Price"), *PRICE_RANGE, default=1.0) or 1.0  # 0 reads as par
    deferred = c.money(f"{p}.Defaulted_Deferred", props.get("Defaulted_Deferred"))
    dm = c.number(f"{p}.Discount_Margin", props.get("Discount_Margin"), *SPREAD_RANGE)
    pikable = 0.0 if str(pik).strip().upper() in {"NA", "N/A"} else c.number(f"{p}.PIKable", pik, -1.0, 1.0)
    oc = c.trigger(f"{p}.OC_Test", props.get("OC_Test"))
    ic = c.trigger(f"{p}.IC_Test", props.get("IC_Test"))
    day_count = c.day_count(f"{p}.DayCount", props.get("DayCount") or "ACTUAL/360")
    coupon = c.get(f"{p}.Coupon_Type", props.get("Coupon_Type"), parse_text)
    if not name:
        c.failed = True
        c.problems.add(c.doc.locate(f"{p}.{nk}"), None, "a tranche needs its class name")
    if None in (original, current, spread, price, deferred, dm, pikable, day_count, coupon) or not name:
        return None
    try:
        return Tranche(
            name=name,
            original_balance=original,  # type: ignore[arg-type]
            current_balance=current,  # type: ignore[arg-type]
            spread=spread,  # type: ignore[arg-type]
            price=price,
            deferred_balance=deferred,  # type: ignore[arg-type]
            discount_margin=dm,  # type: ignore[arg-type]
            deferrable=not equity and bool(pikable),
            oc_trigger=oc,
            ic_trigger=ic,
            day_count=day_count,
            equity=equity,
            fixed=str(coupon).strip().upper() == "FIXED",
        )
    except CloXlError as exc:
        c.failed = True
        c.problems.add(c.doc.locate(f"{p}.{nk}"), name, str(exc))
        return None


def _fees(c: _Cells, rows: Sequence[Mapping[str, Any]]) -> tuple[FeeSpec, ...]:
    out: list[FeeSpec] = []
    for i, r in enumerate(rows):
        p = f"fees[{i}]"
        if all(is_blank(v) for v in r.values()):
            continue
        name = c.get(f"{p}.name", r.get("name"), parse_text)
        if not name:
            if name == "":
                c.failed = True
                c.problems.add(c.doc.locate(f"{p}.name"), None, "a fee row needs its name")
            continue
        basis = c.get(f"{p}.basis", r.get("basis"), _basis)
        if basis is not None and basis not in FEE_BASES:
            c.failed = True
            c.problems.add(
                c.doc.locate(f"{p}.basis"), r.get("basis"), "fee basis must be Beginning or Average"
            )
        fk, fixed = _first(r, "fixed_annual", "fixed_amount")
        uk, unpaid = _first(r, "opening_unpaid", "unpaid")
        sk, spread = _first(r, "unpaid_spread", "spread")
        rate = c.number(f"{p}.rate", r.get("rate"), 0.0, 0.20)
        fixed_v = c.money(f"{p}.{fk}", fixed, what="fee amount")
        unpaid_v = c.money(f"{p}.{uk}", unpaid, what="unpaid fee")
        spread_v = c.number(f"{p}.{sk}", spread, *SPREAD_RANGE)
        day_count = c.day_count(f"{p}.day_count", r.get("day_count") or "ACTUAL/360")
        interest = c.get(
            f"{p}.interest_on_unpaid",
            r.get("interest_on_unpaid"),
            parse_bool,
        )
        raw_deduction = r.get("ic_deduction")
        deduction = (
            c.get(f"{p}.ic_deduction", raw_deduction, parse_bool)
            if raw_deduction is not None
            else name in LEGACY_IC_DEDUCTED_FEES
        )
        if basis is None or None in (rate, fixed_v, unpaid_v, spread_v, day_count, interest, deduction):
            continue
        out.append(
            FeeSpec(
                name=name,
                basis=basis,
                rate=rate,  # type: ignore[arg-type]
                fixed_annual=fixed_v,  # type: ignore[arg-type]
                opening_unpaid=unpaid_v,  # type: ignore[arg-type]
                day_count=day_count,
                interest_on_unpaid=bool(interest),
                unpaid_spread=spread_v,  # type: ignore[arg-type]
                ic_deduction=bool(deduction),
            )
        )
    return tuple(out)


def _dates(c: _Cells, doc: Mapping[str, Any]) -> dict[str, date | int | str]:
    raw: dict[str, Any] = {}
    paths: dict[str, str] = {}
    for key, value in (doc.get("date_inputs") or {}).items():
        raw[_DATE_RENAMES.get(key, key)] = value
        paths[_DATE_RENAMES.get(key, key)] = f"date_inputs.{key}"
    for key, value in (doc.get("dates") or {}).items():
        raw[key] = value
        paths[key] = f"dates.{key}"
    out: dict[str, date | int | str] = {}
    for key, value in raw.items():
        if is_blank(value):
            continue
        p = paths[key]
        found: date | int | str | None
        if key in _DATE_FIELDS:
            found = c.get(p, value, parse_date)
        elif key in _WHOLE_FIELDS:
            low, high = _WHOLE_FIELDS[key]
            found = c.get(p, value, _whole(low, high))
        elif key == "business_day_convention":
            found = c.get(p, value, _convention)
        else:
            continue
        if found is not None:
            out[key] = found
    return out


def _whole(low: int, high: int, *, blank: int | None = 0) -> Callable[[object], int]:
    def parse(value: object) -> int:
        n = parse_int(value, blank=blank)
        check_range(n, low, high)
        return n

    return parse


def _rate(value: object) -> float:
    """A curve rate: a number (a rate written n/a is refused, never read as 0)."""
    return check_range(parse_number(value, blank=None), *RATE_RANGE)


def _basis(value: object) -> str:
    return parse_text(value).upper() or "BEGINNING"


def _signed_money(value: object) -> float:
    return parse_money(value, negative=True)


def _convention(value: object) -> str:
    text = parse_text(value)
    if text.upper().replace("-", " ") not in BUSINESS_DAY_CONVENTIONS:
        raise ValueProblem("not a known business-day convention (Mod Following, Following or Previous)")
    return text


def _labelled_value(
    c: _Cells, path: str, label: str, value: object, *, number_labels: frozenset[str]
) -> object:
    """A labelled input: a number where the engine reads a number; the EOD flag and the analysis date typed;
    any other label keeps its value (numbers as numbers, text checked for hidden characters)."""
    if label in CLO_FLAG_LABELS:
        # Q24: only a boolean TRUE forces EOD; keep the value as typed (True/False/number/text)
        return value if isinstance(value, bool) else c.get(path, value, _flag_text)
    if label in CLO_DATE_LABELS:
        return c.get(path, value, parse_date)
    if label in number_labels or (isinstance(value, int | float) and not isinstance(value, bool)):
        return c.number(path, value, -MAX_MONEY, MAX_MONEY, default=None)
    if isinstance(value, str):
        return c.get(path, value, parse_text)
    return value


def _flag_text(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, int | float):
        return value
    text = parse_text(value)
    if text.upper() not in {"TRUE", "FALSE", "YES", "NO", "0", "1"}:
        raise ValueProblem("expected TRUE or FALSE")
    return text


def _clo_inputs(c: _Cells, raw: object) -> tuple[dict[str, object], float | None, float | None]:
    """`CLOInputs` by label, plus rows 1-2 read by position (IDT and EOD trigger levels, Q24)."""
    if isinstance(raw, Mapping):
        d = {
            str(k).strip(): _labelled_value(
                c, f"clo_inputs.{k}", str(k).strip(), v, number_labels=CLO_NUMBER_LABELS
            )
            for k, v in raw.items()
        }
        idt = d.get("Interest Diversion Trigger")
        eod = d.get("Event of Default Trigger")
        return (
            d,
            (float(idt) if isinstance(idt, int | float) and not isinstance(idt, bool) else None),
            (float(eod) if isinstance(eod, int | float) and not isinstance(eod, bool) else None),
        )
    rows = [r for r in raw or [] if isinstance(r, Mapping)] if isinstance(raw, list | tuple) else []
    labelled: dict[str, object] = {}
    for i, r in enumerate(rows):
        label = str(r.get("label", "")).strip()
        if i < 2:
            continue  # read by position below
        labelled[label] = _labelled_value(
            c, f"clo_inputs[{i}].value", label, r.get("value"), number_labels=CLO_NUMBER_LABELS
        )
    idt = (
        c.number("clo_inputs[0].value", rows[0].get("value"), *TRIGGER_RANGE, default=None) if rows else None
    )
    eod = (
        c.number("clo_inputs[1].value", rows[1].get("value"), *TRIGGER_RANGE, default=None)
        if len(rows) > 1
        else None
    )
    for i, r in enumerate(rows[:2]):
        labelled[str(r.get("label", "")).strip()] = idt if i == 0 else eod
    return labelled, idt, eod


def _clo_value(c: _Cells, path: str, label: str, value: object) -> object:
    return _labelled_value(c, path, label, value, number_labels=CLO_NUMBER_LABELS)


def _cf_inputs(c: _Cells, raw: object) -> dict[str, float | str | date]:
    out: dict[str, float | str | date] = {}
    if not isinstance(raw, Mapping):
        return out
    for label, value in raw.items():
        key = str(label).strip()
        found = _labelled_value(c, f"cf_inputs.{label}", key, value, number_labels=CF_NUMBER_LABELS)
        if isinstance(found, int | float | str | date) and not isinstance(found, bool):
            out[key] = found
    return out


def _pay_sub_notes(c: _Cells, rows: Sequence[Mapping[str, Any]]) -> tuple[tuple[date, float], ...]:
    out: list[tuple[date, float]] = []
    for i, r in enumerate(rows):
        if all(is_blank(v) for v in r.values()):
            continue
        d = c.get(f"pay_sub_notes[{i}].date", r.get("date"), parse_date)
        amount = c.get(
            f"pay_sub_notes[{i}].amount",
            r.get("amount"),
            _signed_money,
        )
        if d is not None and amount:
            out.append((d, amount))
    return tuple(out)


def _payment_dates(c: _Cells, rows: Sequence[Mapping[str, Any]]) -> None:
    for i, r in enumerate(rows):
        for key, value in r.items():
            c.get(f"payment_dates[{i}].{key}", value, parse_date)


def _curve(c: _Cells, doc: Mapping[str, Any]) -> dict[int, float]:
    key = "libor_curve" if doc.get("libor_curve") else "curve"
    raw = doc.get(key)
    out: dict[int, float] = {}
    if not raw:
        return out
    items: list[tuple[str, object, str, object]] = (
        [(f"{key}.{k}", k, f"{key}.{k}", v) for k, v in raw.items()]
        if isinstance(raw, Mapping)
        else [
            (f"{key}[{i}].months", r.get("months"), f"{key}[{i}].rate", r.get("rate"))
            for i, r in enumerate(raw)
            if isinstance(r, Mapping)
        ]
    )
    for tenor_path, tenor, rate_path, rate in items:
        months = c.get(tenor_path, tenor, _whole(1, 1200, blank=None))
        value = c.get(rate_path, rate, _rate)
        if months is not None and value is not None:
            out[int(months)] = float(value)
    return out


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _records(c: _Cells, path: str, value: object) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        c.failed = True
        c.problems.add(c.doc.locate(path), value, "expected a list of records")
        return []
    return [r for r in value if isinstance(r, Mapping)]


def _waterfall(c: _Cells, raw: object) -> tuple[str | None, str | None]:
    """The deal document's ``waterfall``: a packaged version's name, or a version document (a JSON object
    shaped like ``data/waterfalls/mag17.json``) that then travels with the deal."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, Mapping):
        return None, json.dumps(raw, sort_keys=True)
    if isinstance(raw, str):
        return c.get("waterfall", raw, parse_text), None
    c.failed = True
    c.problems.add(c.doc.locate("waterfall"), raw, "expected a version name or a waterfall document")
    return None, None


def read_cashflow_inputs(doc: RawDocument, problems: Problems) -> CashflowInputs:
    """The typed cash-flow blocks of ``doc``; each bad value is recorded in ``problems``."""
    c = _Cells(doc, problems)
    data = doc.data
    tranches = tuple(
        t for i, raw in enumerate(_records(c, "tranches", data.get("tranches"))) if (t := _tranche(c, i, raw))
    )
    fees = _fees(c, _records(c, "fees", data.get("fees")))
    clo, idt, eod = _clo_inputs(c, data.get("clo_inputs"))
    _payment_dates(c, _records(c, "payment_dates", data.get("payment_dates")))
    holidays = tuple(
        d
        for i, h in enumerate(_list(data.get("holidays")))
        if (d := c.get(f"holidays[{i}]", h, parse_date)) is not None
    )
    waterfall_name, waterfall_json = _waterfall(c, data.get("waterfall"))
    return CashflowInputs(
        waterfall_name=waterfall_name,
        waterfall_json=waterfall_json,
        tranches=tranches,
        fees=fees,
        dates=_dates(c, data),
        clo_inputs=clo,
        interest_diversion_trigger=idt,
        eod_trigger=eod,
        cf_inputs=_cf_inputs(c, data.get("cf_inputs")),
        pay_sub_notes=_pay_sub_notes(c, _records(c, "pay_sub_notes", data.get("pay_sub_notes"))),
        curve=_curve(c, data),
        holidays=holidays,
    )


__all__ = ["BUSINESS_DAY_CONVENTIONS", "DAY_COUNTS", "read_cashflow_inputs"]
