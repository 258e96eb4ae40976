"""Parse a deal-inputs document (CONTRACT §2, shaped like ``legacy/mag17_deal.json``) into
:class:`~clo_xl.deal.DealInputs`.

Keys read: ``deal``, ``analysis_date``, ``next_payment_date``, ``current_libor``, ``original_libor``,
``accounts`` (number, name, interest, principal), ``quality_test_inputs`` (label → value),
``test_thresholds`` (test_number, test_name, min_max, threshold, overwrite, previous_value),
``objective_weights`` (test_number, weight), optional ``holdings`` (BLKRockID/brs_id, par), optional
``trades`` (Deal, BRS ID, Transaction, Par, Price), ``tranches``, ``par_column``. Every other key is kept in
``extras`` for the cash-flow engine.

Bad values raise :class:`~clo_xl.errors.IngestError` located by ``doc.locate("test_thresholds[3].threshold")``
(a workbook cell when the document came from a workbook). Deliberate differences from the legacy: a
non-numeric threshold is an error (the legacy reads it as 0), a missing Collection account is an error
(the legacy uses 0 cash) and duplicate test numbers are an error (the legacy crashes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clo_xl.deal import QTI_CURRENT_LIBOR, Account, DealInputs, ObjectiveWeight, ThresholdRow
from clo_xl.enums import AccountType, TransactionType
from clo_xl.errors import IngestError
from clo_xl.ingest.assets import (
    MAX_PAR,
    ValueProblem,
    is_blank,
    parse_date,
    parse_int,
    parse_number,
    parse_text,
)
from clo_xl.ingest.raw import RawDocument
from clo_xl.portfolio.pool import Holding, Trade

KNOWN_KEYS = frozenset(
    {
        "_about",
        "deal",
        "analysis_date",
        "next_payment_date",
        "current_libor",
        "original_libor",
        "accounts",
        "quality_test_inputs",
        "test_thresholds",
        "objective_weights",
        "holdings",
        "trades",
        "tranches",
        "par_column",
    }
)

#: Quality Test Inputs whose value is a date rather than a number.
DATE_LABELS = frozenset({"Stated Maturity Date"})


class _Reader:
    def __init__(self, doc: RawDocument) -> None:
        self.doc = doc

    def fail(self, path: str, value: object, reason: str) -> IngestError:
        return IngestError(self.doc.locate(path), value, reason)

    def get(self, path: str, container: Mapping[str, Any], key: str) -> Any:
        return container.get(key)

    def number(self, path: str, value: object, *, blank: float | None = 0.0) -> float:
        try:
            return parse_number(value, blank=blank)
        except ValueProblem as exc:
            raise self.fail(path, value, str(exc)) from None

    def opt_number(self, path: str, value: object) -> float | None:
        if is_blank(value):
            return None
        return self.number(path, value)

    def integer(self, path: str, value: object) -> int:
        try:
            return parse_int(value, blank=None)
        except ValueProblem as exc:
            raise self.fail(path, value, str(exc)) from None

    def date(self, path: str, value: object, *, required: bool) -> date | None:
        try:
            d = parse_date(value)
        except ValueProblem as exc:
            raise self.fail(path, value, str(exc)) from None
        if d is None and required:
            raise self.fail(path, value, "a date is required")
        return d

    def records(self, path: str, value: object) -> Sequence[Mapping[str, Any]]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise self.fail(path, value, "expected a list of records")
        for i, rec in enumerate(value):
            if not isinstance(rec, Mapping):
                raise self.fail(f"{path}[{i}]", rec, "expected a record (an object with named fields)")
        return value


def _first(rec: Mapping[str, Any], *keys: str) -> tuple[str, Any]:
    for k in keys:
        if k in rec:
            return k, rec[k]
    return keys[0], None


def parse_deal_inputs(doc: RawDocument) -> DealInputs:  # noqa: C901 #12 splits it in the validation-layer rewrite of ingest
    """Build :class:`DealInputs` from a raw deal document; a bad value raises :class:`IngestError`."""
    r = _Reader(doc)
    data = doc.data
    deal = parse_text(data.get("deal"))
    if not deal:
        raise r.fail("deal", data.get("deal"), "the deal name is required (e.g. 'Mag 17')")
    analysis = r.date("analysis_date", data.get("analysis_date"), required=True)
    assert analysis is not None
    next_pay = r.date("next_payment_date", data.get("next_payment_date"), required=False)
    current_libor = r.number("current_libor", data.get("current_libor"))
    original_libor = r.opt_number("original_libor", data.get("original_libor"))

    accounts: list[Account] = []
    for i, rec in enumerate(r.records("accounts", data.get("accounts"))):
        p = f"accounts[{i}]"
        accounts.append(
            Account(
                number=r.integer(f"{p}.number", rec.get("number")),
                name=parse_text(rec.get("name")),
                interest=r.number(f"{p}.interest", rec.get("interest")),
                principal=r.number(f"{p}.principal", rec.get("principal")),
            )
        )
    if not any(a.number == AccountType.COLLECTION for a in accounts):
        raise r.fail(
            "accounts",
            [a.name for a in accounts],
            "no Collection account (account number 2): compliance needs its principal cash",
        )
    numbers = [a.number for a in accounts]
    for i, a in enumerate(accounts):
        if numbers.index(a.number) != i:
            raise r.fail(f"accounts[{i}].number", a.number, "account number appears twice")

    qti_raw = data.get("quality_test_inputs") or {}
    if not isinstance(qti_raw, Mapping):
        raise r.fail("quality_test_inputs", qti_raw, "expected label → value pairs")
    qti: dict[str, float | date] = {}
    for label, value in qti_raw.items():
        p = f"quality_test_inputs.{label}"
        if label in DATE_LABELS:
            d = r.date(p, value, required=False)
            if d is not None:
                qti[label] = d
            continue
        if is_blank(value):
            continue
        qti[label] = r.number(p, value)
    if QTI_CURRENT_LIBOR not in qti and "current_libor" in data:
        qti[QTI_CURRENT_LIBOR] = current_libor  # the sheet's S3 is the formula =K4

    thresholds: list[ThresholdRow] = []
    first_row: dict[int, int] = {}
    for i, rec in enumerate(r.records("test_thresholds", data.get("test_thresholds"))):
        p = f"test_thresholds[{i}]"
        key, raw_num = _first(rec, "test_number", "Test Number")
        if all(is_blank(v) for v in rec.values()):
            continue
        num = r.integer(f"{p}.{key}", raw_num)
        if num in first_row:
            raise r.fail(
                f"{p}.{key}",
                raw_num,
                f"test number {num} appears twice in the threshold table (first at row {first_row[num] + 1})",
            )
        first_row[num] = i
        _, mm = _first(rec, "min_max", "Min/Max")
        _, thr = _first(rec, "threshold", "Threshold")
        _, ow = _first(rec, "overwrite", "Overwrite")
        _, prev = _first(rec, "previous_value", "Previous Values")
        _, name = _first(rec, "test_name", "Test Name")
        thresholds.append(
            ThresholdRow(
                test_number=num,
                test_name=parse_text(name),
                min_max_text=parse_text(mm),
                threshold=r.opt_number(f"{p}.threshold", thr),
                overwrite=r.opt_number(f"{p}.overwrite", ow),
                previous_value=r.opt_number(f"{p}.previous_value", prev),
            )
        )
    if not thresholds:
        raise r.fail("test_thresholds", None, "the threshold table is empty: no test would run")

    weights: list[ObjectiveWeight] = []
    for i, rec in enumerate(r.records("objective_weights", data.get("objective_weights"))):
        p = f"objective_weights[{i}]"
        _, num = _first(rec, "test_number", "Test Number")
        if is_blank(num):
            continue
        _, w = _first(rec, "weight", "Weight")
        weights.append(ObjectiveWeight(r.integer(f"{p}.test_number", num), r.number(f"{p}.weight", w)))

    holdings: list[Holding] = []
    for i, rec in enumerate(r.records("holdings", data.get("holdings"))):
        p = f"holdings[{i}]"
        _, bid = _first(rec, "brs_id", "BLKRockID")
        brs = parse_text(bid)
        if not brs:
            continue
        pk, par = _first(rec, "par", "Par Amount")
        value = r.number(f"{p}.{pk}", par)
        if value < 0:
            raise r.fail(f"{p}.{pk}", par, "par must not be negative")
        if value > MAX_PAR:
            raise r.fail(f"{p}.{pk}", par, f"par above {MAX_PAR:,.0f} is not a plausible holding")
        ik, _ = _first(rec, "brs_id", "BLKRockID")
        holdings.append(Holding(brs, value, doc.locate(f"{p}.{ik}")))

    trades = parse_trade_records(r, "trades", r.records("trades", data.get("trades")))

    tranches = tuple(dict(t) for t in r.records("tranches", data.get("tranches")))
    par_column = parse_text(data.get("par_column")) or None
    extras = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    try:
        return DealInputs(
            deal=deal,
            analysis_date=analysis,
            accounts=tuple(accounts),
            thresholds=tuple(thresholds),
            next_payment_date=next_pay,
            current_libor=current_libor,
            original_libor=original_libor,
            quality_test_inputs=qti,
            objective_weights=tuple(weights),
            holdings=tuple(holdings),
            trades=trades,
            par_column=par_column,
            tranches=tranches,
            extras=extras,
        )
    except ValueError as exc:  # invariants already checked above; keep a located fallback
        raise r.fail("deal", deal, str(exc)) from None


def parse_transaction(value: object) -> TransactionType | None:
    """ "Buy"/"Sale" (also "Sell", any case) → enum; anything else → ``None`` (ignored trade)."""
    text = parse_text(value).upper()
    if text == "BUY":
        return TransactionType.BUY
    if text in {"SALE", "SELL"}:
        return TransactionType.SALE
    return None


def parse_trade_records(
    r: _Reader | RawDocument, path: str, records: Sequence[Mapping[str, Any]]
) -> tuple[Trade, ...]:
    """Trades from records with keys Deal, BRS ID, Transaction (Buy/Sale), Par, Price (CONTRACT §3)."""
    reader = r if isinstance(r, _Reader) else _Reader(r)
    out: list[Trade] = []
    for i, rec in enumerate(records):
        p = f"{path}[{i}]"
        _, bid = _first(rec, "BRS ID", "brs_id", "BLKRockID", "BRSID")
        brs = parse_text(bid)
        if not brs:
            continue
        _tk, tx = _first(rec, "Transaction", "Transaction Buy/Sale", "transaction", "Buy/Sale")
        pk, par = _first(rec, "Par", "par")
        prk, price = _first(rec, "Price", "price")
        _, deal = _first(rec, "Deal", "deal")
        par_value = reader.number(f"{p}.{pk}", par, blank=None)
        if par_value < 0:
            raise reader.fail(f"{p}.{pk}", par, "trade par must not be negative")
        price_value = reader.opt_number(f"{p}.{prk}", price)
        if price_value is not None and price_value < 0:
            raise reader.fail(f"{p}.{prk}", price, "price must not be negative")
        out.append(Trade(brs, parse_transaction(tx), par_value, price_value, parse_text(deal) or None))
    return tuple(out)


__all__ = ["DATE_LABELS", "KNOWN_KEYS", "parse_deal_inputs", "parse_trade_records", "parse_transaction"]
