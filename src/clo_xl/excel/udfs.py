"""CLO_ worksheet functions (xlwings UDFs): compute from the deal **as stored in PostgreSQL**.

A deal function (``CLO_TEST``, ``CLO_TESTS``, ``CLO_WARF``, ``CLO_WAS``, ``CLO_WAL``, ``CLO_DIVERSITY``,
``CLO_OC``, ``CLO_IC``, ``CLO_HYPO``, ``CLO_CASHFLOWS``, ``CLO_DERIVE_RATING``) reads nothing from the
workbook: Excel refuses object-model calls while it calculates, so a function's inputs are its arguments
and the database named by ``CLO_XL_DATABASE_URL`` (or the embedded default). Each call checks the deal's
stored version with one cheap query and reuses what it already computed for that version
(:mod:`clo_xl.excel.deal_cache`); Save to DB and Refresh from DB end by asking Excel to recalculate, so
the functions show the saved version at once. What-if inputs arrive as arguments (``CLO_HYPO``'s trades).

Tables come back as plain 2-D lists, which Excel 365 spills as native dynamic arrays (no ``expand``:
xlwings' legacy array emulation would rewrite the spill as a CSE array over neighbouring cells); dates
come back as dates. A problem never puts a traceback in a cell: it is one short text starting with
``#CLO!`` (xlwings cannot return a real ``#N/A``), e.g. ``#CLO! deal 'Mag 99' is not in the database
(deals: Mag 6, …); load it with `clo-xl migrate WORKBOOK` or the Save to DB button``.

Arguments and results are annotated ``Any`` on purpose: xlwings reads a UDF's type hints as its converters,
and ``Any`` is xlwings' default value converter (a number, text, boolean, date, empty, or a 2-D list for a
range); each argument is parsed into its real type at the boundary (:mod:`clo_xl.excel.formatting`).

Each function's docstring is its help text in Excel's function wizard. Heavy functions do not run inside
the Function Arguments dialog (``call_in_wizard=False``). The ``caller`` argument is filled in by xlwings
(the calling cell) and never read. On Linux ``xw.func``/``xw.arg``/``xw.ret`` are no-ops, so these are
ordinary Python functions there; the VBA wrappers Excel calls are generated from this module
(``workbook/vba/xlwings_udfs.bas``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

import xlwings as xw

from clo_xl.api import DealSession
from clo_xl.compliance.results import TestResult
from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.deal_cache import STORED
from clo_xl.excel.formatting import as_table, excel_error, plain_number, plain_text
from clo_xl.ingest.deal_inputs import parse_trade_records
from clo_xl.ingest.raw import RawDocument
from clo_xl.persistence.engine import engine
from clo_xl.persistence.snapshot import stored_deal_names
from clo_xl.portfolio.pool import Trade
from clo_xl.ratings.tables import rating_factor_rows

P = ParamSpec("P")
R = TypeVar("R")

#: the Excel function-wizard category of every CLO_ function.
CATEGORY = "CLO"
#: what a deal function is computed from (named in the help texts)
STORED_DEAL = 'Deal name as stored in the database, e.g. "Mag 17" (any case).'


def _safe(func: Callable[P, R]) -> Callable[P, R | str]:
    """Turn any error into a short ``#CLO!`` text instead of a traceback in the cell."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | str:
        try:
            return func(*args, **kwargs)
        except CloXlError as exc:
            return excel_error(str(exc))
        except Exception as exc:  # a cell must never show a traceback
            return excel_error(f"{type(exc).__name__}: {exc}")

    return wrapper


# -- compliance --------------------------------------------------------------------------------------------

TEST_FIELDS = ("result", "threshold", "pass", "numerator", "denominator", "comment", "name", "min_max",
               "pass_fail_comment")  # fmt: skip
TESTS_HEADER = ("Test Num", "Test Name", "Min/Max", "Threshold", "Result", "Pass/Fail", "Numerator",
                "Denominator", "Comment", "Comments on Pass/Fail")  # fmt: skip


def _tests(deal: str) -> tuple[TestResult, ...]:
    return STORED.result(deal, "tests", lambda s: tuple(s.compliance().results))


def _field(test: TestResult, name: str) -> object:
    key = name.strip().lower().replace("/", "_").replace(" ", "_")
    key = {"pass_fail": "pass", "passed": "pass", "minmax": "min_max"}.get(key, key)
    values: dict[str, object] = {
        "result": test.result,
        "threshold": test.threshold,
        "pass": test.passed,
        "numerator": test.numerator,
        "denominator": test.denominator,
        "comment": test.comment,
        "name": test.name,
        "min_max": str(test.min_max),
        "pass_fail_comment": test.pass_fail_comment,
    }
    if key not in values:
        raise UsageError(f"unknown field '{name}' (use one of: {', '.join(TEST_FIELDS)})")
    return values[key]


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@xw.arg("test_number", doc="Legacy test number (1-54), e.g. 36 for WARF.")
@xw.arg("field", doc="result (default), threshold, pass, numerator, denominator, comment, name or min_max.")
@_safe
def CLO_TEST(deal: Any, test_number: Any, field: Any = "result", caller: Any = None) -> Any:
    """One compliance test of a stored deal: its result (a fraction: 0.0274 for 2.74%) or another field."""
    name = plain_text(deal, "deal")
    number = int(plain_number(test_number, "test_number"))
    for test in _tests(name):
        if test.number == number:
            return _field(test, plain_text(field or "result", "field"))
    raise UsageError(f"deal '{name}' has no test {number}")


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@_safe
def CLO_TESTS(deal: Any, caller: Any = None) -> Any:
    """All compliance tests of a stored deal: a spilling table with a header row (threshold-table order)."""
    rows = [
        [t.number, t.name, str(t.min_max), t.threshold, t.result, _verdict(t.passed), t.numerator,
         t.denominator, t.comment, t.pass_fail_comment]
        for t in _tests(plain_text(deal, "deal"))
    ]  # fmt: skip
    return as_table(TESTS_HEADER, rows)


def _verdict(passed: bool | None) -> str | None:
    return None if passed is None else ("Pass" if passed else "Fail")


def _measure(deal: Any, name: str, compute: Callable[[DealSession], float]) -> float:
    return STORED.result(plain_text(deal, "deal"), ("measure", name), compute)


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@_safe
def CLO_WARF(deal: Any, caller: Any = None) -> Any:
    """Moody's weighted average rating factor of the stored deal's non-defaulted assets (test 36 rules)."""
    return _measure(deal, "warf", lambda s: s.warf())


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@_safe
def CLO_WAS(deal: Any, caller: Any = None) -> Any:
    """Weighted average floating spread as a fraction (0.0412 = 4.12%), with the LIBOR-floor benefit."""
    return _measure(deal, "was", lambda s: s.was())


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@_safe
def CLO_WAL(deal: Any, caller: Any = None) -> Any:
    """Weighted average life in years, rounded to 2 decimals half-to-even as the legacy test 35 does."""
    return _measure(deal, "wal", lambda s: s.wal())


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@_safe
def CLO_DIVERSITY(deal: Any, caller: Any = None) -> Any:
    """Moody's diversity score of the stored deal (test 37)."""
    return _measure(deal, "diversity", lambda s: s.diversity())


# -- coverage ----------------------------------------------------------------------------------------------

#: the two dates a coverage ratio can be read at (the ``basis`` argument)
BASES = {"first payment date": True, "projected": True, "analysis date": False, "determination date": False}


def _coverage(deal: Any, tranche_class: Any, kind: str, basis: Any) -> float:
    name, wanted = plain_text(deal, "deal"), plain_text(tranche_class, "tranche_class")
    chosen = "first payment date" if basis is None else plain_text(basis, "basis").lower()
    if chosen not in BASES:
        raise UsageError(f"basis must be 'first payment date' or 'analysis date', not '{basis}'")
    report = STORED.result(name, "coverage", lambda s: s.coverage())
    ratio = report.ratio(wanted, kind, projected=BASES[chosen])
    if ratio is None:
        rows = report.first_payment_date_rows if BASES[chosen] else report.analysis_date_rows
        known = ", ".join(str(r.tranche_class) for r in rows if r.kind == kind) or "none"
        raise UsageError(f"deal '{name}' has no {kind} test for class '{wanted}' ({known})")
    return ratio


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@xw.arg("tranche_class", doc='Tranche class as in the tranche matrix, e.g. "C" or "B-2".')
@xw.arg("basis", doc='"first payment date" (default: the projected ratio) or "analysis date".')
@_safe
def CLO_OC(deal: Any, tranche_class: Any, basis: Any = None, caller: Any = None) -> Any:
    """Overcollateralisation ratio of a class (1.25 = 125%): projected at the first payment date, or on the
    analysis date."""
    return _coverage(deal, tranche_class, "OC", basis)


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@xw.arg("tranche_class", doc='Tranche class as in the tranche matrix, e.g. "C" or "B-2".')
@xw.arg("basis", doc='"first payment date" (default: the projected ratio) or "analysis date".')
@_safe
def CLO_IC(deal: Any, tranche_class: Any, basis: Any = None, caller: Any = None) -> Any:
    """Interest coverage ratio of a class (1.5 = 150%): projected for the first payment date, or on the
    analysis date."""
    return _coverage(deal, tranche_class, "IC", basis)


# -- hypothetical trades -----------------------------------------------------------------------------------

HYPO_HEADER = ("Test Num", "Test Name", "Threshold", "Result", "Pass/Fail", "Hypo Result", "Hypo Pass/Fail",
               "Difference")  # fmt: skip


def parse_trades(deal: str, trades: Any) -> tuple[Trade, ...]:
    """Trade rows of a range: BRS ID, Buy/Sale, Par[, Price], or the Run Model layout with a leading Deal
    column (rows of other deals skipped, as the legacy ``HypoAssets`` does). Blank rows are skipped; a bad
    value names its row and column (``trades[2].Par``)."""
    rows = trades if isinstance(trades, list) else [[trades]]
    if rows and not isinstance(rows[0], list):
        rows = [rows]
    records: list[dict[str, object]] = []
    for raw in rows:
        cells = [None if c == "" else c for c in raw]
        if all(c is None for c in cells):
            continue
        if len(cells) >= 5:
            if cells[0] is not None and str(cells[0]).strip().casefold() != deal.casefold():
                continue
            cells = cells[1:]
        cells += [None] * (4 - len(cells))
        records.append(dict(zip(("BRS ID", "Transaction", "Par", "Price"), cells[:4], strict=True)))
    parsed = parse_trade_records(RawDocument(file="CLO_HYPO trades", data={}), "trades", records)
    if not parsed:
        raise UsageError(f"no trades for {deal}")
    return parsed


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@xw.arg("trades", ndim=2, doc="Trade rows: BRS ID, Buy/Sale, Par, Price (blank price = market value).")
@_safe
def CLO_HYPO(deal: Any, trades: Any, caller: Any = None) -> Any:
    """Compliance before and after hypothetical trades (applied together) on the stored deal: a table with a
    header row that spills."""
    name = plain_text(deal, "deal")
    chosen = parse_trades(name, trades)
    outcome = STORED.result(name, ("hypo", chosen), lambda s: s.hypo(chosen)[0])
    after = {r.number: r for r in outcome.after.results}
    rows: list[list[object]] = []
    for b in outcome.before.results:
        a = after.get(b.number)
        rows.append(
            [b.number, b.name, b.threshold, b.result, _verdict(b.passed), a.result if a else None,
             _verdict(a.passed) if a else None, (a.result - b.result) if a else None]
        )  # fmt: skip
    rows.append(
        ["Objective", None, None, outcome.before.objective, None, outcome.after.objective, None, None]
    )
    return as_table(HYPO_HEADER, rows)


# -- ratings -----------------------------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("rating", doc='Moody\'s rating, e.g. "B2" (any case).')
@_safe
def CLO_RATING_FACTOR(rating: Any) -> Any:
    """Moody's rating factor of a rating (B2 gives 2720); unknown ratings give 10000 as in the WARF test."""
    wanted = plain_text(rating, "rating").upper()
    for row in rating_factor_rows():
        if str(row["moodys"]).upper() == wanted:
            return float(row["factor_tests_legacy"])
    return 10000.0


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("brs_id", doc="The asset's BLKRockID in All Assets.")
@xw.arg("which", doc="Moody's (default), DPR, WARF, S&P or Recovery: which derived value to return.")
@xw.arg("deal", doc="The deal whose analysis date applies (default: the first stored deal).")
@_safe
def CLO_DERIVE_RATING(brs_id: Any, which: Any = "Moody's", deal: Any = None, caller: Any = None) -> Any:
    """The rating (or recovery rate) the compliance engine derives for a stored asset (legacy rules)."""
    asset = plain_text(brs_id, "brs_id")
    which_text = plain_text(which or "Moody's", "which")
    name = _first_deal() if deal is None else plain_text(deal, "deal")
    return STORED.result(name, ("derived", asset, which_text), lambda s: s.derived_rating(asset, which_text))


def _first_deal() -> str:
    with engine(STORED.url()).connect() as conn:
        names = stored_deal_names(conn)
    if not names:
        raise UsageError("the database has no deal: load one with `clo-xl migrate WORKBOOK`")
    return names[0]


# -- cash flows --------------------------------------------------------------------------------------------

CASHFLOW_HEADER = ("Period", "Payment Date", "Index Rate", "Interest Proceeds", "Principal Proceeds",
                   "Reinvested", "Residual")  # fmt: skip


def _as_date(value: object) -> object:
    """An ISO date of a result document as a real date (Excel shows it as a date, not text)."""
    if isinstance(value, str):
        try:
            return datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return value
    return value


def cashflow_table(document: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    """One row per payment date: proceeds, reinvestment, residual and each class's ending balance."""
    periods: Sequence[dict[str, Any]] = document.get("periods", [])
    classes = [t["class"] for t in periods[0]["tranches"]] if periods else []
    header = [*CASHFLOW_HEADER, *(f"{c} Ending Balance" for c in classes)]
    rows: list[list[object]] = []
    for p in periods:
        balances = {t["class"]: t["ending_balance"] for t in p["tranches"]}
        rows.append(
            [p["period"], _as_date(p["payment_date"]), p.get("index_rate"), p["interest_proceeds"],
             p["principal_proceeds"], p.get("reinvested"), p.get("residual"),
             *(balances.get(c) for c in classes)]
        )  # fmt: skip
    return header, rows


@xw.func(category=CATEGORY, call_in_wizard=False)
@xw.arg("deal", doc=STORED_DEAL)
@xw.arg("cpr", doc="Constant prepayment rate per year as a fraction (blank = deal assumption).")
@xw.arg("cdr", doc="Constant default rate per year as a fraction (blank = deal assumption).")
@xw.arg("severity", doc="Loss severity as a fraction (blank = deal assumption).")
@xw.arg("lag", doc="Recovery lag in months (blank = deal assumption).")
@_safe
def CLO_CASHFLOWS(
    deal: Any, cpr: Any = None, cdr: Any = None, severity: Any = None, lag: Any = None, caller: Any = None
) -> Any:
    """Projected cash flows of the stored deal per payment date: a table with a header row that spills."""
    name = plain_text(deal, "deal")
    cpr_value = None if cpr is None else plain_number(cpr, "cpr")
    cdr_value = None if cdr is None else plain_number(cdr, "cdr")
    severity_value = None if severity is None else plain_number(severity, "severity")
    lag_value = None if lag is None else int(plain_number(lag, "lag"))

    def compute(session: DealSession) -> tuple[list[str], list[list[object]]]:
        document = session.cashflow_document(
            cpr=cpr_value, cdr=cdr_value, severity=severity_value, lag=lag_value
        )
        return cashflow_table(document)

    header, rows = STORED.result(
        name, ("cashflows", cpr_value, cdr_value, severity_value, lag_value), compute
    )
    return as_table(header, rows)


#: every UDF this module publishes, by Excel name (the VBA wrappers are generated from these).
UDFS: dict[str, Callable[..., Any]] = {
    name: obj for name, obj in sorted(globals().items()) if name.startswith("CLO_") and callable(obj)
}
