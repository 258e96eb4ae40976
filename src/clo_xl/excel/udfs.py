"""CLO_ worksheet functions (xlwings UDFs): parse what Excel passes, call the core, format the answer.

Each function's docstring is its help text in Excel's function wizard. Every function takes plain values
(text, numbers, 2-D ranges) and returns plain values or a 2-D array that spills. A problem never puts a
traceback in a cell: it comes back as one short text starting with ``#CLO!`` (xlwings cannot return a real
``#N/A``), e.g. ``#CLO! unknown deal 'Mag 99'``.

The deal functions find their workbook through the hidden ``caller`` argument (xlwings passes the calling
range; it never appears in the Excel signature) and keep the computed deal in
:data:`clo_xl.excel.deal_cache.CACHE`, keyed on a hash of the workbook's input sheets, so a recalculation
that changes no input costs a dictionary lookup. Headless (tests, benchmarks) there is no caller: bind a
workbook file with :func:`clo_xl.excel.deal_cache.bind_workbook`.

On Linux ``xw.func``/``xw.arg``/``xw.ret`` are no-ops, so these functions are ordinary Python functions
there; the VBA wrappers Excel calls are generated from this module (``workbook/vba/xlwings_udfs.bas``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import xlwings as xw

from clo_xl.errors import CloXlError
from clo_xl.excel import deal_cache
from clo_xl.excel.formatting import as_table, excel_error, plain_number, plain_text

P = ParamSpec("P")
R = TypeVar("R")

#: the Excel function-wizard category of every CLO_ function.
CATEGORY = "CLO"


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


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name as on the deal sheet, e.g. "Mag 17".')
@xw.arg("test_number", doc="Legacy test number (1-54), e.g. 36 for WARF.")
@xw.arg("field", doc="result (default), threshold, pass, numerator, denominator, comment, name or min_max.")
@_safe
def CLO_TEST(deal: Any, test_number: Any, field: Any = "result", caller: Any = None) -> Any:
    """One compliance test of a deal: its result (a fraction, e.g. 0.0274 for 2.74%) or another field."""
    row = deal_cache.CACHE.test(caller, plain_text(deal, "deal"), int(plain_number(test_number, "test")))
    return row.field(plain_text(field or "result", "field"))


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name as on the deal sheet, e.g. "Mag 17".')
@xw.ret(expand="table")
@_safe
def CLO_TESTS(deal: Any, caller: Any = None) -> Any:
    """All compliance tests of a deal as a spilling table with a header row, in the threshold-table order."""
    rows = deal_cache.CACHE.tests(caller, plain_text(deal, "deal"))
    return as_table(
        [
            "Test Num",
            "Test Name",
            "Min/Max",
            "Threshold",
            "Result",
            "Pass/Fail",
            "Numerator",
            "Denominator",
            "Comment",
            "Comments on Pass/Fail",
        ],
        [r.as_row() for r in rows],
    )


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@_safe
def CLO_WARF(deal: Any, caller: Any = None) -> Any:
    """Moody's weighted average rating factor of the deal's non-defaulted assets (test 36, or 54)."""
    return deal_cache.CACHE.metric(caller, plain_text(deal, "deal"), "warf")


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@_safe
def CLO_WAS(deal: Any, caller: Any = None) -> Any:
    """Weighted average floating spread as a fraction (0.0412 = 4.12%), with the LIBOR-floor benefit."""
    return deal_cache.CACHE.metric(caller, plain_text(deal, "deal"), "was")


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@_safe
def CLO_WAL(deal: Any, caller: Any = None) -> Any:
    """Weighted average life in years, rounded to 2 decimals half-to-even as the legacy test 35 does."""
    return deal_cache.CACHE.metric(caller, plain_text(deal, "deal"), "wal")


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@_safe
def CLO_DIVERSITY(deal: Any, caller: Any = None) -> Any:
    """Moody's diversity score of the deal (test 37)."""
    return deal_cache.CACHE.metric(caller, plain_text(deal, "deal"), "diversity")


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@xw.arg("tranche_class", doc='Tranche class as in the tranche matrix, e.g. "C" or "B-2".')
@_safe
def CLO_OC(deal: Any, tranche_class: Any, caller: Any = None) -> Any:
    """Overcollateralisation ratio of a class (1.25 = 125%) on the analysis date."""
    return deal_cache.CACHE.coverage(
        caller, plain_text(deal, "deal"), plain_text(tranche_class, "class"), "oc"
    )


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@xw.arg("tranche_class", doc='Tranche class as in the tranche matrix, e.g. "C" or "B-2".')
@_safe
def CLO_IC(deal: Any, tranche_class: Any, caller: Any = None) -> Any:
    """Interest coverage ratio of a class (1.5 = 150%) for the first payment date."""
    return deal_cache.CACHE.coverage(
        caller, plain_text(deal, "deal"), plain_text(tranche_class, "class"), "ic"
    )


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@xw.arg("trades", ndim=2, doc="Trade rows: BRS ID, Buy/Sale, Par, Price (blank price = market value).")
@xw.ret(expand="table")
@_safe
def CLO_HYPO(deal: Any, trades: Any, caller: Any = None) -> Any:
    """Compliance before and after hypothetical trades (applied together): a spilling table with a header."""
    rows = deal_cache.CACHE.hypo(caller, plain_text(deal, "deal"), trades)
    return as_table(
        [
            "Test Num",
            "Test Name",
            "Threshold",
            "Result",
            "Pass/Fail",
            "Hypo Result",
            "Hypo Pass/Fail",
            "Difference",
        ],
        rows,
    )


@xw.func(category=CATEGORY)
@xw.arg("rating", doc='Moody\'s rating, e.g. "B2" (any case).')
@_safe
def CLO_RATING_FACTOR(rating: Any) -> Any:
    """Moody's rating factor of a rating (B2 gives 2720); unknown ratings give 10000 as in the WARF test."""
    return deal_cache.rating_factor(plain_text(rating, "rating"))


@xw.func(category=CATEGORY)
@xw.arg("brs_id", doc="The asset's BLKRockID in All Assets.")
@xw.arg("which", doc="Moody's (default), DPR, WARF, S&P or Recovery: which derived value to return.")
@_safe
def CLO_DERIVE_RATING(brs_id: Any, which: Any = "Moody's", caller: Any = None) -> Any:
    """The rating (or recovery rate) the compliance engine derives for an asset (legacy rules)."""
    which_text = plain_text(which or "Moody's", "which")
    return deal_cache.CACHE.derived_rating(caller, plain_text(brs_id, "brs_id"), which_text)


@xw.func(category=CATEGORY)
@xw.arg("deal", doc='Deal name, e.g. "Mag 17".')
@xw.arg("cpr", doc="Constant prepayment rate per year as a fraction (blank = deal assumption).")
@xw.arg("cdr", doc="Constant default rate per year as a fraction (blank = deal assumption).")
@xw.arg("severity", doc="Loss severity as a fraction (blank = deal assumption).")
@xw.arg("lag", doc="Recovery lag in months (blank = deal assumption).")
@xw.ret(expand="table")
@_safe
def CLO_CASHFLOWS(
    deal: Any, cpr: Any = None, cdr: Any = None, severity: Any = None, lag: Any = None, caller: Any = None
) -> Any:
    """Projected deal cash flows per payment date: a spilling table with a header row."""
    header, rows = deal_cache.CACHE.cashflows(
        caller,
        plain_text(deal, "deal"),
        cpr=None if cpr is None else plain_number(cpr, "cpr"),
        cdr=None if cdr is None else plain_number(cdr, "cdr"),
        severity=None if severity is None else plain_number(severity, "severity"),
        lag=None if lag is None else int(plain_number(lag, "lag")),
    )
    return as_table(header, rows)


#: every UDF this module publishes, by Excel name (the VBA wrappers are generated from these).
UDFS: dict[str, Callable[..., Any]] = {
    name: obj for name, obj in sorted(globals().items()) if name.startswith("CLO_") and callable(obj)
}
