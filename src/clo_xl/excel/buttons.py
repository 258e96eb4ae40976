"""Entry points of the Run Model buttons: ``RunPython "import clo_xl.excel.buttons as b; b.run_hypo()"``.

Each function takes the workbook that ran the macro (``xw.Book.caller()``, resolved at call time, never at
import), wraps it in :class:`XlwingsWorkbook` and runs the handler of :mod:`clo_xl.excel.handlers` with
Excel quiet: screen updating off, calculation manual (the handler's writes do not each trigger a
recalculation), the status bar saying what runs. All three are put back as they were in a ``finally``
(the status bar handed back to Excel), whatever happens.

A :class:`CloXlError` (bad input, a protected sheet, a stale save) becomes a short message box; any other
error a one-line message pointing at the operational log, never a traceback pop-up. A compute button
shows the tab it wrote; Refresh from DB, Save to DB and Validate show their summary in a message box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import xlwings as xw

from clo_xl.errors import CloXlError
from clo_xl.excel import handlers
from clo_xl.excel.workbook_access import WorkbookAccess
from clo_xl.excel.xlwings_workbook import XlwingsWorkbook
from clo_xl.oplog import record_button_error

log = logging.getLogger(__name__)
TITLE = "clo-xl"


@contextmanager
def quiet_excel(app: xw.App, doing: str) -> Iterator[None]:
    """Screen updating off, manual calculation and a status-bar note while a button runs; each restored
    to what it was afterwards (the status bar handed back to Excel with ``False``)."""
    updating, calculation = app.screen_updating, app.calculation
    app.status_bar = f"clo-xl: {doing}…"
    app.screen_updating = False
    app.calculation = "manual"
    try:
        yield
    finally:
        restore: tuple[tuple[str, object], ...] = (
            ("calculation", calculation),
            ("screen_updating", updating),
            ("status_bar", False),
        )
        for attribute, value in restore:
            try:
                setattr(app, attribute, value)
            except Exception as exc:  # one failed restore must not keep the others from running
                log.warning("could not restore Excel's %s: %s", attribute, exc)


def _press(handler: Callable[[WorkbookAccess], handlers.HandlerResult]) -> None:
    book = xw.Book.caller()
    access = XlwingsWorkbook(book)
    doing = (handler.__doc__ or handler.__name__).strip().splitlines()[0].rstrip(".")
    try:
        with quiet_excel(book.app, doing[:100]):
            result = handler(access)
    except CloXlError as exc:
        book.app.alert(str(exc), title=TITLE)
        return
    except Exception as exc:  # no traceback pop-up for an analyst; the traceback is appended to the log
        path = record_button_error(handler.__name__, exc, workbook=str(book.fullname) or None)
        where = f"\n(details in {path})" if path else ""
        book.app.alert(f"{type(exc).__name__}: {exc}{where}", title=f"{TITLE}: internal error")
        return
    if result.announce:
        book.app.alert(result.summary, title=TITLE)
    elif result.sheets:
        access.activate(result.sheets[0])


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


def run_analytics() -> None:
    _press(handlers.run_analytics)


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
