"""Entry points of the Run Model buttons: ``RunPython "import clo_xl.excel.buttons as b; b.run_hypo()"``.

Each function takes the workbook that ran the macro (``xw.Book.caller()``, resolved at call time, never at
import), wraps it in :class:`XlwingsWorkbook` and runs the handler of :mod:`clo_xl.excel.handlers`. A
:class:`CloXlError` becomes a short message box; any other error a one-line message pointing at the log
file, never a traceback pop-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from clo_xl.errors import CloXlError
from clo_xl.excel import handlers
from clo_xl.excel.workbook_access import WorkbookAccess
from clo_xl.oplog import record_button_error

log = logging.getLogger(__name__)


def _caller_book() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _press(handler: Callable[[WorkbookAccess], handlers.HandlerResult]) -> None:
    from clo_xl.excel.xlwings_workbook import XlwingsWorkbook

    book = _caller_book()
    access = XlwingsWorkbook(book)
    try:
        result = handler(access)
    except CloXlError as exc:
        book.app.alert(str(exc), title="clo-xl")
        return
    except Exception as exc:  # no traceback pop-up for an analyst; the traceback is appended to the log
        path = record_button_error(handler.__name__, exc, workbook=str(getattr(book, "fullname", "")) or None)
        where = f"\n(details in {path})" if path else ""
        book.app.alert(f"{type(exc).__name__}: {exc}{where}", title="clo-xl: internal error")
        return
    access.notify(f"clo-xl: {result.summary}")


def run_compliance() -> None:
    _press(handlers.run_compliance)


def run_hypo() -> None:
    _press(handlers.run_hypo)


def run_rankings() -> None:
    _press(handlers.run_rankings)


def run_rebalancing() -> None:
    _press(handlers.run_rebalancing)


def run_cash_flows() -> None:
    _press(handlers.run_cash_flows)


def run_credit_migration() -> None:
    _press(handlers.run_credit_migration)


def refresh_from_db() -> None:
    _press(handlers.refresh_from_db)


def save_to_db() -> None:
    _press(handlers.save_to_db)


def validate() -> None:
    _press(handlers.validate)


def delete_output_tabs() -> None:
    _press(handlers.delete_output_tabs)
