"""The validation layer: one set of rules every command applies to a workbook before any calculation or
write (``migrate``, ``compliance``, ``cashflows``, ``validate``, the Excel buttons and the UDFs' database
route alike), producing the typed :class:`Book`.

Levels, all problems of an input collected in one run (:class:`~clo_xl.ingest.problems.Problems`):

1. **package** (:mod:`clo_xl.xlsx`, applied by the workbook reader): every part readable (CRC), every sheet
   XML well formed, every shared-string index valid, no formula errors or unsaved formulas in input cells;
2. **cells** (:mod:`clo_xl.ingest.rules`): every input cell of the legacy layout typed and range-checked:
   ``All Assets`` (:mod:`clo_xl.ingest.assets`), each deal sheet (:mod:`clo_xl.ingest.deal_inputs`,
   :mod:`clo_xl.ingest.cashflow_inputs`), ``Run Model`` controls and hypothetical trades, the ``Reference
   Table`` sections (holidays, LIBOR fixings, vectors, sink schedule, transition matrix, yield curve, CF
   assumptions);
3. **cross-sheet**: IDs unique (with the sheet named), every holding and every trade of a known asset, the
   ``Run Model`` deal (C9) one of the workbook's deals, every hypothetical trade's deal known, the threshold
   table's test numbers known to the catalogue, a threshold wherever the catalogue reads it from the sheet.

A :class:`Book` holds the raw data (what ``migrate`` stores, verbatim) beside the typed objects the engines
use; the engines never see a value these rules refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from clo_xl.cashflows.structure import CashflowInputs
from clo_xl.deal import DealInputs, fold_deal_name
from clo_xl.errors import IngestError, Location
from clo_xl.ingest import layout as L
from clo_xl.ingest.assets import AssetTable, read_asset_table, read_holdings
from clo_xl.ingest.data import WorkbookData
from clo_xl.ingest.deal_inputs import DocReader, read_deal, read_trade_records
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.ingest.rules import (
    MAX_MONEY,
    ValueProblem,
    check_range,
    is_blank,
    parse_date,
    parse_int,
    parse_money,
    parse_number,
    parse_text,
)
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding


@dataclass(frozen=True)
class DealBook:
    """One deal, validated: its inputs (with the deal's Run Model trades and the workbook's holidays), its
    ``DealCollateral`` holdings and its cash-flow blocks, typed."""

    inputs: DealInputs
    holdings: tuple[Holding, ...]
    cashflow: CashflowInputs = field(default_factory=CashflowInputs)


@dataclass(frozen=True, eq=False)
class Book:
    """A validated workbook: the raw data, the parsed universe and each deal, typed."""

    data: WorkbookData
    universe: AssetTable
    deals: Mapping[str, DealBook]
    holidays: tuple[date, ...] = ()

    @cached_property
    def assets(self) -> tuple[Asset, ...]:
        """The whole ``All Assets`` universe, in sheet order."""
        return self.universe.assets

    def deal(self, name: str) -> DealBook:
        try:
            return self.deals[name]
        except KeyError:
            sheet = L.deal_sheet(name)
            raise IngestError(
                Location(file=self.data.file, sheet=sheet),
                name,
                f"missing sheet '{sheet}': no such deal in this workbook "
                f"(deals: {', '.join(self.deals) or 'none'})",
            ) from None


# ------------------------------------------------------------------------------------------------
# Run Model and trades


def deal_trades(data: WorkbookData, deal: str) -> tuple[list[dict[str, object]], dict[str, Location]]:
    """The ``Run Model`` hypo rows (J11:N39) whose Deal column equals ``deal`` (as the legacy filters by C9),
    with their cells, keyed for :func:`clo_xl.ingest.deal_inputs.read_trade_records`."""
    rm = data.run_model
    trades: list[dict[str, object]] = []
    locations: dict[str, Location] = {}
    rows: list[dict[str, object]] = rm.data.get("hypo_trades", [])  # type: ignore[assignment]
    for i, rec in enumerate(rows):
        if str(rec.get("Deal") or "").strip() != deal:
            continue
        j = len(trades)
        trades.append(dict(rec))
        for h in L.HYPO_HEADERS:
            locations[f"trades[{j}].{h}"] = rm.locate(f"hypo_trades[{i}].{h}")
    return trades, locations


#: Run Model controls: key → (parser, reason) applied when the cell is not blank
_WHOLE = "whole"
_RUN_MODEL_RULES: dict[str, tuple[str, float | None, float | None]] = {
    "collateral_par": ("money", -MAX_MONEY, MAX_MONEY),
    "collection_principal": ("money", -MAX_MONEY, MAX_MONEY),
    "collection_interest": ("money", -MAX_MONEY, MAX_MONEY),
    "incremental_loan_size": ("money", 0.0, MAX_MONEY),
    "rebalance_sale_par": ("money", 0.0, MAX_MONEY),
    "rebalance_buy_par": ("money", 0.0, MAX_MONEY),
    "simulations": (_WHOLE, 1, 500),
    "seed": (_WHOLE, -(2**31), 2**31 - 1),
}
_RUN_MODEL_CHOICES: dict[str, frozenset[str]] = {
    "correlation": frozenset({"USER DEFINED", "SYSTEM DEFINED"}),
    "rm_frequency": frozenset({"ANNUALLY", "SEMI-ANNUALLY", "QUARTERLY"}),
    "ranking_transaction": frozenset({"BUY", "SALE"}),
}
_RUN_MODEL_FLAGS = (
    "show_cf_options",
    "use_rating_migration",
    "static_random",
    "allow_par_increase",
    "hypo_pool_mode",
)


def _rows(values: Mapping[str, object], key: str) -> list[Mapping[str, Any]]:
    found = values.get(key)
    return [r for r in found if isinstance(r, Mapping)] if isinstance(found, list | tuple) else []


def _controls(r: DocReader, values: Mapping[str, object], deals: Sequence[str]) -> None:
    """The Run Model control cells: the deal to run, amounts, counts, choices and TRUE/FALSE switches."""
    r.date("analysis_date", values.get("analysis_date"), required=False)
    chosen = values.get("deal")
    name = r.string("deal", chosen) if not is_blank(chosen) else ""
    if name and fold_deal_name(name) not in {"all", *map(fold_deal_name, deals)}:
        known = ", ".join(deals)
        r.fail("deal", chosen, f"the deal to run is not a deal of this workbook (deals: {known}, or All)")
    for key, (kind, low, high) in _RUN_MODEL_RULES.items():
        value = values.get(key)
        if is_blank(value):
            continue
        if kind == _WHOLE:
            r.integer(key, value, low=int(low or 0), high=int(high or 0))
        else:
            r.number(key, value, low=low, high=high, percent=False)
    for key, choices in _RUN_MODEL_CHOICES.items():
        value = values.get(key)
        if not is_blank(value) and r.string(key, value).upper() not in choices:
            r.fail(key, value, f"expected one of: {', '.join(sorted(c.title() for c in choices))}")
    for key in _RUN_MODEL_FLAGS:
        value = values.get(key)
        if is_blank(value) or isinstance(value, bool | int | float):
            continue
        if r.string(key, value).upper() not in {"TRUE", "FALSE"}:
            r.fail(key, value, "expected TRUE or FALSE")


def _panels(r: DocReader, values: Mapping[str, object]) -> None:
    """The objective-weights panel (D31:I38) and the buy/sale filters (D15:I28)."""
    for i, row in enumerate(_rows(values, "objective_panel")):
        r.opt_number(f"objective_panel[{i}].test_number", row.get("test_number"))
        r.opt_number(f"objective_panel[{i}].weight", row.get("weight"), low=-1e6, high=1e6)
    for key in ("buy_filter", "sale_filter"):
        for i, row in enumerate(_rows(values, key)):
            for name, value in row.items():
                if isinstance(value, str):
                    r.string(f"{key}[{i}].{name}", value)


def _hypo_trades(
    r: DocReader, values: Mapping[str, object], deals: Sequence[str], universe: AssetTable
) -> None:
    """The hypothetical trades (J11:N39): a known deal, a known asset, a par, a plausible price."""
    rows = _rows(values, "hypo_trades")
    for i, row in enumerate(rows):
        deal = row.get("Deal")
        name = r.string(f"hypo_trades[{i}].Deal", deal)
        if not name and any(not is_blank(v) for k, v in row.items() if k != "Deal"):
            r.fail(f"hypo_trades[{i}].Deal", None, "a hypothetical trade needs its deal (column J)")
        elif name and name not in deals:
            r.fail(f"hypo_trades[{i}].Deal", deal, f"not a deal of this workbook (deals: {', '.join(deals)})")
        brs = row.get("BRS ID")
        if isinstance(brs, str) and brs.strip() and len(universe) and brs.strip() not in universe:
            r.fail(f"hypo_trades[{i}].BRS ID", brs, "a hypothetical trade's BLKRockID is not in All Assets")
    read_trade_records(r, "hypo_trades", rows)


def _run_model(data: WorkbookData, deals: Sequence[str], universe: AssetTable, problems: Problems) -> None:
    if not data.run_model.data:
        return
    r = DocReader(data.run_model, problems)
    _controls(r, data.run_model.data, deals)
    _panels(r, data.run_model.data)
    _hypo_trades(r, data.run_model.data, deals, universe)


# ------------------------------------------------------------------------------------------------
# Reference Table


def _cells(table: RawTable, problems: Problems, header: str, parse: Any) -> list[Any]:
    """Parse one column of a reference section; bad cells are problems (None)."""
    out: list[Any] = []
    for i, value in enumerate(table.column(header)):
        try:
            out.append(parse(value))
        except ValueProblem as exc:
            problems.add(table.locate(i, header), value, str(exc))
            out.append(None)
    return out


def _number(low: float | None, high: float | None, *, blank: float | None = None) -> Any:
    return lambda v: (
        None if is_blank(v) and blank is None else check_range(parse_number(v, blank=blank or 0.0), low, high)
    )


def _vector_or_number(vectors: frozenset[str], *, rating: bool = False) -> Any:
    def parse(value: object) -> object:
        if is_blank(value):
            return 0.0
        if isinstance(value, str):
            text = parse_text(value)
            try:
                return check_range(parse_number(text), 0.0, 1.0)
            except ValueProblem:
                if text in vectors or (rating and text.upper() == "RATING"):
                    return text
                known = ", ".join(sorted(vectors)) or "none"
                raise ValueProblem(
                    f"neither a rate nor a vector of Cashflow Vectors (vectors: {known})"
                ) from None
        return check_range(parse_number(value), 0.0, 1.0)

    return parse


MAX_LAG_MONTHS = 120


def _lag_or_vector(vectors: frozenset[str]) -> Any:
    """A CFAssumptions Lag: whole months (0 to 120), or the name of a Cashflow Vectors vector of months."""

    def parse(value: object) -> object:
        if isinstance(value, str) and not is_blank(value):
            text = parse_text(value)
            try:
                return check_range(parse_int(text), 0, MAX_LAG_MONTHS)
            except ValueProblem:
                if text in vectors:
                    return text
                known = ", ".join(sorted(vectors)) or "none"
                raise ValueProblem(
                    f"neither a lag in months (0 to {MAX_LAG_MONTHS}) nor a vector of Cashflow Vectors "
                    f"(vectors: {known})"
                ) from None
        return check_range(parse_int(value), 0, MAX_LAG_MONTHS)

    return parse


def _tables(ref: Mapping[str, RawTable], problems: Problems) -> None:
    """The Reference Table sections the engines read: LIBOR fixings, cash-flow vectors, the sink schedule,
    the transition matrix and the CF assumptions (a rate, or a vector of Cashflow Vectors by name)."""
    if "libor_rates" in ref:
        _cells(ref["libor_rates"], problems, "Date", parse_date)
        _cells(ref["libor_rates"], problems, "Yield", _number(-5.0, 50.0))  # percent, as published
    vectors: frozenset[str] = frozenset()
    if "cf_vectors" in ref:
        table = ref["cf_vectors"]
        vectors = frozenset(h for h in table.headers if h != "Period")
        # a vector a CFAssumptions Lag cell names holds months by period; the others rates
        lags = ref["cf_assumptions"].column("Lag") if "cf_assumptions" in ref else []
        lag_vectors = {v.strip() for v in lags if isinstance(v, str)}
        for h in vectors:
            months = h in lag_vectors
            _cells(table, problems, h, _number(0.0, MAX_LAG_MONTHS) if months else _number(-1.0, 1.0))
    if "sink_schedule" in ref:
        table = ref["sink_schedule"]
        _cells(table, problems, "CUSIP", parse_text)
        _cells(table, problems, "Date", parse_date)
        _cells(table, problems, "Amount", lambda v: parse_money(v, what="sink amount"))
    if "transition_matrix" in ref:
        table = ref["transition_matrix"]
        for h in table.headers[1:]:
            _cells(table, problems, h, _number(0.0, 1.0))
    if "cf_assumptions" in ref:
        table = ref["cf_assumptions"]
        _cells(table, problems, "ID", parse_text)
        _cells(table, problems, "Prepay", _vector_or_number(vectors))
        _cells(table, problems, "Default", _vector_or_number(vectors, rating=True))
        _cells(table, problems, "Severity", _vector_or_number(vectors))
        _cells(table, problems, "Lag", _lag_or_vector(vectors))


def _curve(ref: Mapping[str, RawTable], problems: Problems) -> dict[int, float]:
    """The ``LIBORCurve`` (tenor in months → rate): whole tenors, rates as plausible fractions (``n/a``
    refused, never read as 0)."""
    if "libor_curve" not in ref:
        return {}
    table = ref["libor_curve"]
    tenors = _cells(
        table, problems, "Tenor (Months)", lambda v: check_range(parse_int(v, blank=None), 1, 1200)
    )
    rates = _cells(table, problems, "Rate", lambda v: check_range(parse_number(v, blank=None), -0.05, 0.50))
    return {int(t): float(r) for t, r in zip(tenors, rates, strict=True) if t is not None and r is not None}


def _reference(data: WorkbookData, problems: Problems) -> tuple[tuple[date, ...], dict[int, float]]:
    """The Reference Table and the Filter Sheet: every section checked; the holidays and the yield curve
    typed for the deals."""
    ref = data.reference
    holidays: tuple[date, ...] = ()
    if "holidays" in ref:
        holidays = tuple(d for d in _cells(ref["holidays"], problems, "Date", parse_date) if d is not None)
    _tables(ref, problems)
    for key, values in data.filter_lists.items():
        for value in values:
            if isinstance(value, str):
                try:
                    parse_text(value)
                except ValueProblem as exc:
                    problems.add(Location(file=data.file, sheet=L.FILTER_SHEET, column=key), value, str(exc))
    return holidays, _curve(ref, problems)


# ------------------------------------------------------------------------------------------------
# Deals


def _deal_document(data: WorkbookData, deal: str, holidays: Sequence[object]) -> RawDocument:
    doc = data.deals[deal]
    trades, trade_locations = deal_trades(data, deal)
    return RawDocument(
        file=doc.file,
        data={**doc.data, "trades": trades, "holidays": list(holidays)},
        locations={**doc.locations, **trade_locations},
        sheet=doc.sheet,
    )


def _unknown_holdings(
    universe: AssetTable, deal: str, holdings: Sequence[Holding], problems: Problems
) -> None:
    """Every holding names an asset of ``All Assets`` (the legacy skips an unknown holding silently; clo-xl
    refuses it, in every command)."""
    for h in holdings:
        if h.brs_id.strip() not in universe:
            problems.add(
                h.location or Location(column="BLKRockID"),
                h.brs_id,
                f"{deal} holds an asset that is not in All Assets (the legacy skips such a holding silently; "
                "clo-xl refuses it): add the asset to All Assets or correct the ID",
            )


def _known_deals(data: WorkbookData) -> list[str]:
    """The workbook's deals: its deal sheets, and the ``Deals`` list (its first row, "All", skipped) when a
    stored book holds only some of them."""
    names = list(data.deals)
    listed = data.reference.get("deals")
    if listed is not None and listed.headers:
        for i, value in enumerate(listed.column(listed.headers[0])):
            text = str(value).strip() if isinstance(value, str) else ""
            if i > 0 and text and text not in names:
                names.append(text)
    return names


def validate_book(data: WorkbookData, problems: Problems) -> Book:
    """Apply every rule to ``data`` (a workbook, a stored deal, an extract pair), recording each problem;
    returns the typed :class:`Book` (meaningful only when ``problems`` stays empty)."""
    universe = read_asset_table(data.assets, problems)
    # All Assets unreadable (a damaged, missing or malformed part): its problem is already recorded, and
    # checking the holdings against no assets would add one line per holding that says nothing new
    assets_unread = len(universe) == 0 and bool(problems)
    holidays, curve = _reference(data, problems)
    deal_names = list(data.deals)
    _run_model(data, _known_deals(data), universe, problems)
    deals: dict[str, DealBook] = {}
    for name in deal_names:
        inputs, cashflow = read_deal(_deal_document(data, name, holidays), problems)
        table = data.holdings.get(name)
        holdings: tuple[Holding, ...] = ()
        if table is not None:
            id_header, par_header = (*table.headers, "BLKRockID", "Par Amount")[:2]
            holdings = read_holdings(table, problems, id_header=id_header, par_header=par_header)
        elif inputs is not None:
            holdings = inputs.holdings
        if inputs is None:
            continue
        if not assets_unread:
            _unknown_holdings(universe, name, holdings, problems)
        if curve and not cashflow.curve:  # the deal sheet's own curve (an extract's) wins
            cashflow = replace(cashflow, curve=curve)
        deals[name] = DealBook(inputs, holdings, cashflow)
    return Book(data, universe, deals, holidays)


def validated(data: WorkbookData, problems: Problems | None = None) -> Book:
    """``data``'s :class:`Book`: every rule applied once (the result is kept on ``data``). ``problems`` may
    already hold a reader's problems; raises :class:`~clo_xl.errors.InputRejected` listing them all."""
    cached = data.__dict__.get("_book")
    if isinstance(cached, Book) and problems is None:
        return cached
    found = problems if problems is not None else Problems()
    book = validate_book(data, found)
    found.raise_if_any()
    object.__setattr__(data, "_book", book)
    return book


__all__ = ["Book", "DealBook", "deal_trades", "validate_book", "validated"]
