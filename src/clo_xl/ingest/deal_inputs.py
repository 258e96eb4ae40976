"""Parse a deal-inputs document (CONTRACT §2, shaped like ``legacy/mag17_deal.json``, or a ``Mag N Inputs``
sheet as the workbook reader saw it) into :class:`~clo_xl.deal.DealInputs`.

Keys read: ``deal``, ``analysis_date``, ``next_payment_date``, ``current_libor``, ``original_libor``,
``accounts`` (number, name, interest, principal), ``quality_test_inputs`` (label → value),
``test_thresholds`` (test_number, test_name, min_max, threshold, overwrite, previous_value),
``objective_weights`` (test_number, weight), optional ``holdings`` (BLKRockID/brs_id, par), optional
``trades`` (Deal, BRS ID, Transaction, Par, Price), ``tranches``, ``par_column``; the cash-flow blocks
(tranches, fees, dates, CLO and CF inputs, curve, historic sub-note flows) are parsed by
:mod:`clo_xl.ingest.cashflow_inputs` into ``DealInputs.cashflow``. Every other key is kept in ``extras``.

Every bad value is recorded, located by ``doc.locate("test_thresholds[3].threshold")`` (a workbook cell when
the document came from a workbook), in a :class:`~clo_xl.ingest.problems.Problems` collector
(:func:`read_deal_inputs`), or raised all together (:func:`parse_deal_inputs`). Rules: dates within the
engine's calendar; money (account cash, par) within ±1e11 and, for par, not negative; rates plausible; test
numbers whole and known to the catalogue; a threshold on every test whose threshold the catalogue takes from
the sheet. Deliberate differences from the legacy: a non-numeric threshold is an error (the legacy reads it
as 0), a missing Collection account is an error (the legacy uses 0 cash), duplicate test numbers are an
error (the legacy crashes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clo_xl.cashflows.structure import CashflowInputs
from clo_xl.compliance.catalogue import catalogue
from clo_xl.deal import QTI_CURRENT_LIBOR, Account, DealInputs, ObjectiveWeight, ThresholdRow
from clo_xl.enums import AccountType, TransactionType
from clo_xl.errors import IngestError
from clo_xl.ingest.cashflow_inputs import read_cashflow_inputs
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawDocument
from clo_xl.ingest.rules import (
    ValueProblem,
    check_range,
    is_blank,
    parse_date,
    parse_int,
    parse_money,
    parse_number,
    parse_text,
)
from clo_xl.portfolio.pool import Holding, Trade, price_unit_problem

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
        "holidays",  # the Reference Table's, added for the cash-flow engine (not a deal-sheet value)
    }
)

#: Quality Test Inputs whose value is a date rather than a number.
DATE_LABELS = frozenset({"Stated Maturity Date"})
#: plausible interest rates (LIBOR, a curve rate) as fractions
RATE_RANGE = (-0.05, 0.50)
#: largest magnitude of a threshold, previous value, quality-test input or objective weight
MAX_FIGURE = 1.0e12
#: a trade's price, in points of par or as a decimal
PRICE_RANGE = (0.0, 200.0)


class DocReader:
    """Typed reads from a :class:`RawDocument`; each bad value becomes a located problem and reads as the
    given fallback, so one pass reports every problem of the document."""

    def __init__(self, doc: RawDocument, problems: Problems) -> None:
        self.doc = doc
        self.problems = problems

    def fail(self, path: str, value: object, reason: str) -> None:
        self.problems.add(self.doc.locate(path), value, reason)

    def _guard(self, path: str, value: object, parse: Any, fallback: Any) -> Any:
        try:
            return parse()
        except ValueProblem as exc:
            self.fail(path, value, str(exc))
            return fallback

    def string(self, path: str, value: object) -> str:
        return str(self._guard(path, value, lambda: parse_text(value), ""))

    def number(
        self,
        path: str,
        value: object,
        *,
        blank: float | None = 0.0,
        low: float | None = -MAX_FIGURE,
        high: float | None = MAX_FIGURE,
        percent: bool = True,
    ) -> float | None:
        """A number within ``low``..``high``; None for a bad value (the problem is recorded)."""

        def parse() -> float:
            return check_range(parse_number(value, blank=blank, percent=percent), low, high)

        found: float | None = self._guard(path, value, parse, None)
        return found

    def opt_number(self, path: str, value: object, **limits: Any) -> float | None:
        if is_blank(value):
            return None
        return self.number(path, value, **limits)

    def money(
        self,
        path: str,
        value: object,
        *,
        blank: float | None = 0.0,
        negative: bool = False,
        what: str = "amount",
    ) -> float | None:
        found: float | None = self._guard(
            path, value, lambda: parse_money(value, blank=blank, negative=negative, what=what), None
        )
        return found

    def integer(
        self, path: str, value: object, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        def parse() -> int:
            n = parse_int(value, blank=None)
            check_range(n, low, high)
            return n

        found: int | None = self._guard(path, value, parse, None)
        return found

    def date(self, path: str, value: object, *, required: bool) -> date | None:
        d: date | None = self._guard(path, value, lambda: parse_date(value), None)
        if d is None and required and not self._failed_last(path):
            self.fail(path, value, "a date is required")
        return d

    def _failed_last(self, path: str) -> bool:
        where = str(self.doc.locate(path).describe())
        return any(str(p).startswith(where) for p in self.problems)

    def records(self, path: str, value: object) -> Sequence[Mapping[str, Any]]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            self.fail(path, value, "expected a list of records")
            return ()
        good: list[Mapping[str, Any]] = []
        for i, rec in enumerate(value):
            if not isinstance(rec, Mapping):
                self.fail(f"{path}[{i}]", rec, "expected a record (an object with named fields)")
                good.append({})
            else:
                good.append(rec)
        return good


#: kept for callers of the former name
_Reader = DocReader


def _first(rec: Mapping[str, Any], *keys: str) -> tuple[str, Any]:
    for k in keys:
        if k in rec:
            return k, rec[k]
    return keys[0], None


def _accounts(r: DocReader, data: Mapping[str, Any]) -> list[Account]:
    accounts: list[Account] = []
    first_at: dict[int, int] = {}
    unreadable = False
    for i, rec in enumerate(r.records("accounts", data.get("accounts"))):
        p = f"accounts[{i}]"
        if all(is_blank(v) for v in rec.values()):
            continue
        number = r.integer(f"{p}.number", rec.get("number"), low=1, high=99)
        interest = r.money(f"{p}.interest", rec.get("interest"), negative=True, what="cash")
        principal = r.money(f"{p}.principal", rec.get("principal"), negative=True, what="cash")
        name = r.string(f"{p}.name", rec.get("name"))
        if number is None:
            unreadable = True
            continue
        if number in first_at:
            r.fail(f"{p}.number", number, "account number appears twice")
            continue
        first_at[number] = i
        accounts.append(
            Account(number=number, name=name, interest=interest or 0.0, principal=principal or 0.0)
        )
    if not unreadable and not any(a.number == AccountType.COLLECTION for a in accounts):
        r.fail(
            "accounts",
            [a.name for a in accounts] or None,
            "no Collection account (account number 2): compliance needs its principal cash",
        )
    return accounts


def _quality_inputs(r: DocReader, data: Mapping[str, Any], current_libor: float) -> dict[str, float | date]:
    qti_raw = data.get("quality_test_inputs") or {}
    if not isinstance(qti_raw, Mapping):
        r.fail("quality_test_inputs", qti_raw, "expected label → value pairs")
        return {}
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
        found = r.number(p, value)
        if found is not None:
            qti[label] = found
    if QTI_CURRENT_LIBOR not in qti and "current_libor" in data:
        qti[QTI_CURRENT_LIBOR] = current_libor  # the sheet's S3 is the formula =K4
    return qti


def _thresholds(r: DocReader, data: Mapping[str, Any]) -> list[ThresholdRow]:
    specs = catalogue()
    thresholds: list[ThresholdRow] = []
    first_row: dict[int, int] = {}
    for i, rec in enumerate(r.records("test_thresholds", data.get("test_thresholds"))):
        p = f"test_thresholds[{i}]"
        key, raw_num = _first(rec, "test_number", "Test Number")
        if all(is_blank(v) for v in rec.values()):
            continue
        num = r.integer(f"{p}.{key}", raw_num)
        _, mm = _first(rec, "min_max", "Min/Max")
        _, thr = _first(rec, "threshold", "Threshold")
        _, ow = _first(rec, "overwrite", "Overwrite")
        _, prev = _first(rec, "previous_value", "Previous Values")
        _, name = _first(rec, "test_name", "Test Name")
        threshold = r.opt_number(f"{p}.threshold", thr)
        overwrite = r.opt_number(f"{p}.overwrite", ow)
        previous = r.opt_number(f"{p}.previous_value", prev)
        if num is None:
            continue
        spec = specs.get(num)
        if spec is None:
            r.fail(
                f"{p}.{key}",
                raw_num,
                f"test number {num} is not one of the {len(specs)} tests clo-xl knows (1 to {max(specs)})",
            )
            continue
        if num in first_row:
            r.fail(
                f"{p}.{key}",
                raw_num,
                f"test number {num} appears twice in the threshold table (first at row {first_row[num] + 1})",
            )
            continue
        first_row[num] = i
        if spec.threshold_rule == "sheet" and is_blank(thr) and is_blank(ow):
            r.fail(
                f"{p}.threshold",
                None,
                f"test {num} ({spec.name}) takes its threshold from this table: enter one "
                "(the legacy reads a blank as 0)",
            )
        thresholds.append(
            ThresholdRow(
                test_number=num,
                test_name=r.string(f"{p}.test_name", name),
                min_max_text=r.string(f"{p}.min_max", mm),
                threshold=threshold,
                overwrite=overwrite,
                previous_value=previous,
            )
        )
    if not thresholds and not first_row:
        r.fail("test_thresholds", None, "the threshold table is empty: no test would run")
    return thresholds


def _weights(r: DocReader, data: Mapping[str, Any]) -> list[ObjectiveWeight]:
    weights: list[ObjectiveWeight] = []
    for i, rec in enumerate(r.records("objective_weights", data.get("objective_weights"))):
        p = f"objective_weights[{i}]"
        _, num = _first(rec, "test_number", "Test Number")
        if is_blank(num):
            continue
        _, w = _first(rec, "weight", "Weight")
        number = r.integer(f"{p}.test_number", num)
        weight = r.number(f"{p}.weight", w, low=-1e6, high=1e6)
        if number is not None and weight is not None:
            weights.append(ObjectiveWeight(number, weight))
    return weights


def _holdings(r: DocReader, data: Mapping[str, Any]) -> list[Holding]:
    holdings: list[Holding] = []
    for i, rec in enumerate(r.records("holdings", data.get("holdings"))):
        p = f"holdings[{i}]"
        ik, bid = _first(rec, "brs_id", "BLKRockID")
        pk, par = _first(rec, "par", "Par Amount")
        brs = r.string(f"{p}.{ik}", bid)
        value = r.money(f"{p}.{pk}", par, what="par")
        if not brs:
            if value:
                r.fail(
                    f"{p}.{ik}",
                    None,
                    f"a par of {value:,.2f} with no BLKRockID: enter the asset's ID or clear the par",
                )
            continue
        if value is not None:
            holdings.append(Holding(brs, value, r.doc.locate(f"{p}.{ik}")))
    return holdings


def read_deal_inputs(doc: RawDocument, problems: Problems) -> DealInputs | None:
    """Build :class:`DealInputs` from a raw deal document, recording every bad value in ``problems`` (the
    cash-flow blocks included); None when the document has a problem (the caller refuses the input)."""
    return read_deal(doc, problems)[0]


def read_deal(doc: RawDocument, problems: Problems) -> tuple[DealInputs | None, CashflowInputs]:
    """A deal document's :class:`DealInputs` (None when it has a problem) and its typed cash-flow blocks
    (:mod:`clo_xl.ingest.cashflow_inputs`); every bad value is recorded in ``problems``."""
    before = len(problems)
    r = DocReader(doc, problems)
    data = doc.data
    deal = r.string("deal", data.get("deal"))
    if not deal:
        r.fail("deal", data.get("deal"), "the deal name is required (e.g. 'Mag 17')")
    analysis = r.date("analysis_date", data.get("analysis_date"), required=True)
    next_pay = r.date("next_payment_date", data.get("next_payment_date"), required=False)
    current_libor = r.number(
        "current_libor", data.get("current_libor"), low=RATE_RANGE[0], high=RATE_RANGE[1]
    )
    original_libor = r.opt_number(
        "original_libor", data.get("original_libor"), low=RATE_RANGE[0], high=RATE_RANGE[1]
    )
    if analysis is not None and next_pay is not None and not analysis < next_pay:
        r.fail(
            "next_payment_date",
            next_pay,
            f"the next payment date must be after the analysis date {analysis.isoformat()}",
        )
    accounts = _accounts(r, data)
    qti = _quality_inputs(r, data, current_libor or 0.0)
    thresholds = _thresholds(r, data)
    weights = _weights(r, data)
    holdings = _holdings(r, data)
    trades = read_trade_records(r, "trades", r.records("trades", data.get("trades")))
    tranches = tuple(dict(t) for t in r.records("tranches", data.get("tranches")))
    cashflow = read_cashflow_inputs(doc, problems)
    par_column = r.string("par_column", data.get("par_column")) or None
    extras = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    if len(problems) > before or analysis is None:
        return None, cashflow
    try:
        inputs = DealInputs(
            deal=deal,
            analysis_date=analysis,
            accounts=tuple(accounts),
            thresholds=tuple(thresholds),
            next_payment_date=next_pay,
            current_libor=current_libor or 0.0,
            original_libor=original_libor,
            quality_test_inputs=qti,
            objective_weights=tuple(weights),
            holdings=tuple(holdings),
            trades=trades,
            par_column=par_column,
            tranches=tranches,
            extras=extras,
            holidays=cashflow.holidays,
        )
    except ValueError as exc:  # invariants already checked above; keep a located fallback
        r.fail("deal", deal, str(exc))
        return None, cashflow
    return inputs, cashflow


def parse_deal_inputs(doc: RawDocument) -> DealInputs:
    """Build :class:`DealInputs` from a raw deal document; raises :class:`~clo_xl.errors.InputRejected`
    listing every bad value."""
    problems = Problems()
    found = read_deal_inputs(doc, problems)
    problems.raise_if_any()
    assert found is not None
    return found


def parse_transaction(value: object) -> TransactionType | None:
    """ "Buy"/"Sale" (also "Sell", any case) → enum; anything else → ``None`` (ignored trade)."""
    try:
        text = parse_text(value).upper()
    except ValueProblem:
        return None
    if text == "BUY":
        return TransactionType.BUY
    if text in {"SALE", "SELL"}:
        return TransactionType.SALE
    return None


def read_trade_records(r: DocReader, path: str, records: Sequence[Mapping[str, Any]]) -> tuple[Trade, ...]:
    """Trades from records with keys Deal, BRS ID, Transaction (Buy/Sale), Par, Price (CONTRACT §3); bad
    values are recorded in ``r.problems``."""
    out: list[Trade] = []
    for i, rec in enumerate(records):
        p = f"{path}[{i}]"
        bk, bid = _first(rec, "BRS ID", "brs_id", "BLKRockID", "BRSID")
        brs = r.string(f"{p}.{bk}", bid)
        _tk, tx = _first(rec, "Transaction", "Transaction Buy/Sale", "transaction", "Buy/Sale")
        pk, par = _first(rec, "Par", "par")
        prk, price = _first(rec, "Price", "price")
        _, deal = _first(rec, "Deal", "deal")
        if not brs:
            if not is_blank(par):
                r.fail(
                    f"{p}.{bk}",
                    None,
                    "a trade with a par but no BRS ID: enter the asset's ID or clear the row",
                )
            continue
        par_value = r.money(f"{p}.{pk}", par, blank=None, what="trade par")
        price_value = r.opt_number(
            f"{p}.{prk}", price, low=PRICE_RANGE[0], high=PRICE_RANGE[1], percent=False
        )
        problem = price_unit_problem(price_value)
        if problem is not None:
            r.fail(f"{p}.{prk}", price, problem)
            continue
        if par_value is None:
            continue
        out.append(
            Trade(brs, parse_transaction(tx), par_value, price_value, r.string(f"{p}.Deal", deal) or None)
        )
    return tuple(out)


def parse_trade_records(
    r: DocReader | RawDocument, path: str, records: Sequence[Mapping[str, Any]]
) -> tuple[Trade, ...]:
    """:func:`read_trade_records`, raising :class:`~clo_xl.errors.InputRejected` listing every bad value."""
    problems = Problems()
    reader = DocReader(r.doc if isinstance(r, DocReader) else r, problems)
    found = read_trade_records(reader, path, records)
    problems.raise_if_any()
    return found


__all__ = [
    "DATE_LABELS",
    "KNOWN_KEYS",
    "MAX_FIGURE",
    "DocReader",
    "IngestError",
    "parse_deal_inputs",
    "parse_trade_records",
    "parse_transaction",
    "read_deal",
    "read_deal_inputs",
    "read_trade_records",
]
