"""What each Run Model button does, written against :class:`WorkbookAccess` only.

The same functions run from Excel (``clo_xl.excel.buttons`` wraps the caller workbook) and headless
(:class:`FileWorkbook`), so every button is exercised by the tests without Excel. Each handler reads its
inputs from the workbook the button belongs to (the cells the legacy macros used, COMPLIANCE_SPEC §1.3;
through the workbook reader, one block per table), asks the deal API (:class:`clo_xl.api.DealSession`), and
writes its legacy output tab (§1.9) through the tab's one builder (:mod:`clo_xl.excel.tabs`): each run
first deletes the tabs with its prefix, then adds a green tab with the table at B1.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from clo_xl.api import DealSession, book_sessions
from clo_xl.enums import HypoMode, TransactionType
from clo_xl.errors import UsageError
from clo_xl.excel import db_sync, tabs
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.table import Value
from clo_xl.excel.workbook_access import OUTPUT_PREFIXES, WorkbookAccess, read_cell
from clo_xl.ingest.book import validated
from clo_xl.persistence.engine import database_url as resolve_database_url
from clo_xl.quirk_warnings import warning_lines
from clo_xl.run_model import RunModelSettings, flag, number, rankings_run, rebalance_run, run_model_settings
from clo_xl.validate.run import run_validation

RUN_MODEL = "Run Model"
DEAL_CELL = "C9"  # deal to run; "All" runs every deal
#: the tab the Validate button writes (not a legacy prefix; Delete Output Tabs removes it too).
PARALLEL_RUN_SHEET = "Parallel Run"


@dataclass(frozen=True)
class HandlerResult:
    """What a button did: the tabs it wrote, a one-line summary, and whether to show it in a message box
    (the database and validation buttons; a compute button shows its tab instead)."""

    sheets: tuple[str, ...]
    summary: str
    announce: bool = False


def deal_names(book: WorkbookAccess) -> list[str]:
    """Deals of the workbook: every ``<Deal> Inputs`` sheet, in tab order."""
    return [n.removesuffix(" Inputs") for n in book.sheet_names() if n.endswith(" Inputs")]


def selected_deals(book: WorkbookAccess) -> list[str]:
    """The deal(s) chosen in ``Run Model``!C9 ("All" = every deal); names match case-insensitively."""
    if RUN_MODEL not in book.sheet_names():
        raise UsageError(f"workbook {book.name} has no '{RUN_MODEL}' sheet")
    chosen = read_cell(book, RUN_MODEL, DEAL_CELL)
    if chosen is None or not str(chosen).strip():
        raise UsageError(f"choose a deal in '{RUN_MODEL}'!{DEAL_CELL}")
    deals = deal_names(book)
    name = str(chosen).strip()
    if name.lower() == "all":
        return deals
    found = next((d for d in deals if d.casefold() == name.casefold()), None)
    if found is None:
        validated(book.workbook_data())  # the validation layer names the cell, as every command does
        raise UsageError(f"'{RUN_MODEL}'!{DEAL_CELL}: unknown deal '{name}' (deals: {', '.join(deals)})")
    return [found]


def _one_deal(book: WorkbookAccess, what: str) -> str:
    deals = selected_deals(book)
    if len(deals) != 1:
        raise UsageError(f"choose one deal in '{RUN_MODEL}'!{DEAL_CELL} for {what}")
    return deals[0]


def sessions(book: WorkbookAccess, deals: Iterable[str]) -> dict[str, DealSession]:
    """One :class:`DealSession` per deal, read from the workbook (one read of each sheet it needs)."""
    return book_sessions(book.workbook_data(deals))


def _write(book: WorkbookAccess, tab: tabs.Tab) -> str:
    book.write_tab(tab)
    return tab.name


# -- compliance and hypo ----------------------------------------------------------------------------------


def run_compliance(book: WorkbookAccess) -> HandlerResult:
    """Compliance for the selected deal(s) → ``Compliance-<Deal>`` (numbers with the legacy formats)."""
    deals = selected_deals(book)
    found = sessions(book, deals)
    book.delete_sheets(["Compliance-"])  # each run first deletes every tab with its prefix (§1.9)
    written = []
    for deal in deals:
        session = found[deal]
        book.notify(f"clo-xl: compliance of {deal}…")
        tab = tabs.compliance_tab(
            deal,
            session.compliance(),
            row_count=len(session.deal_inputs.thresholds),  # the legacy sizes the table so (Q21)
            warnings=warning_lines(session.compliance_document()),
        )
        written.append(_write(book, tab))
    book.save()
    return HandlerResult(tuple(written), f"compliance written for {', '.join(deals)}")


def run_hypo(book: WorkbookAccess) -> HandlerResult:
    """Hypothetical trades of the selected deal (Run Model J11:N39, N8 pool mode) → ``HYPO-<Deal>-Output``."""
    deal = _one_deal(book, "hypothetical trades")
    session = sessions(book, [deal])[deal]
    mode = HypoMode.POOL if run_model_settings(session).pool_mode else HypoMode.INDIVIDUAL
    outcomes = session.hypo(mode=mode)  # the deal's rows of J11:N39, parsed with their cells
    attributes = session.hypo_attributes(outcomes[0]) if mode is HypoMode.POOL else None
    warnings = warning_lines(session.hypo_document(mode=mode))
    book.delete_sheets(["HYPO-"])
    name = _write(book, tabs.hypo_tab(deal, outcomes, attributes, warnings=warnings))
    book.save()
    return HandlerResult((name,), f"{len(session.deal_inputs.trades)} trade(s) on {deal}")


# -- rankings and rebalancing -----------------------------------------------------------------------------


def _settings(book: WorkbookAccess, deal: str) -> tuple[DealSession, RunModelSettings]:
    """The deal's session and the Run Model settings (E8:E12, the filters, the weights in H31:I38, N8),
    read by the one Run Model parser (the CLI's) from the same read of the workbook."""
    session = sessions(book, [deal])[deal]
    return session, run_model_settings(session)


def _weighted(session: DealSession, settings: RunModelSettings) -> DealSession:
    """The session with the Run Model weight panel, as the rankings and rebalancing ran."""
    return session.with_weights(dict(settings.weights)) if settings.weights else session


def run_rankings(book: WorkbookAccess) -> HandlerResult:
    """Asset rankings with the Run Model settings (E8:E10, filters, weights) → ``Rankings-Output``, the same
    run and warnings as ``clo-xl rankings``."""
    deal = _one_deal(book, "rankings")
    session, settings = _settings(book, deal)
    ranking, doc = rankings_run(session, settings)
    book.delete_sheets(["Rankings-"])
    name = _write(book, tabs.rankings_tab(_weighted(session, settings), ranking, warnings=warning_lines(doc)))
    book.save()
    side = "buy" if settings.side is TransactionType.BUY else "sale"
    return HandlerResult((name,), f"{len(ranking.positions)} {side} candidate(s) ranked for {deal}")


def run_rebalancing(book: WorkbookAccess) -> HandlerResult:
    """Portfolio rebalancing towards the E11 sale and E12 buy targets → ``Rebalance-Output``, the same run
    and warnings as ``clo-xl rebalance``."""
    deal = _one_deal(book, "rebalancing")
    session, settings = _settings(book, deal)
    result, doc = rebalance_run(session, settings)
    book.delete_sheets(["Rebalance-"])
    name = _write(book, tabs.rebalance_tab(_weighted(session, settings), result, warnings=warning_lines(doc)))
    book.save()
    return HandlerResult((name,), f"rebalancing written for {deal}")


# -- cash flows and credit migration ----------------------------------------------------------------------


def run_cash_flows(book: WorkbookAccess) -> HandlerResult:
    """Deal cash flows for the selected deal(s) → ``Deal CF-<Deal>``."""
    deals = selected_deals(book)
    found = sessions(book, deals)
    book.delete_sheets(["Deal CF-"])
    written = []
    for deal in deals:
        book.notify(f"clo-xl: cash flows of {deal}…")
        session = found[deal]
        warnings = warning_lines(session.cashflow_document())
        written.append(_write(book, tabs.deal_cf_tab(deal, session.deal_cf_blocks(), warnings=warnings)))
    book.save()
    return HandlerResult(tuple(written), f"cash flows written for {', '.join(deals)}")


def run_analytics(book: WorkbookAccess) -> HandlerResult:
    """Analytics for the selected deal: break-evens, coverage with cushions, collateral, Sub Notes →
    ``Analytics-<Deal>`` (the deal sheet's cash-flow assumptions)."""
    deal = _one_deal(book, "analytics")
    session = sessions(book, [deal])[deal]
    book.notify(f"clo-xl: break-evens of {deal}…")
    breakeven = session.breakeven()
    book.notify(f"clo-xl: coverage, collateral and Sub Notes of {deal}…")
    tab = tabs.analytics_tab(
        deal, breakeven, session.coverage(), session.collateral_report(), session.equity()
    )
    book.delete_sheets([f"Analytics-{deal}"])
    name = _write(book, tab)
    book.save()
    return HandlerResult((name,), f"analytics written for {deal}")


@dataclass(frozen=True)
class MigrationSettings:
    """Run Model C15:C20 (CASHFLOW_SPEC §0.1 ``LoadRMandCFInputs``)."""

    use_for_cash_flows: bool  # C15: also report each path's deal cash-flow results
    correlation: str  # C16: "System Defined" (the only one the pipeline builds) or "User Defined"
    simulations: int  # C17: whole number 1-500
    frequency: str  # C18: Annually / Semi-Annually / Quarterly (deal runs step quarterly: Q40)
    static_random: bool  # C19: TRUE = paths from the C20 seed
    seed: int  # C20, or a fresh seed (recorded in the tab) when C19 is FALSE

    def rows(self, deal: str) -> list[tuple[str, Value]]:
        return [
            ("Deal", deal),
            ("Use Rating Migration for CF", self.use_for_cash_flows),
            ("Correlation Matrix", self.correlation),
            ("Number of Simulations", self.simulations),
            ("RM Frequency", self.frequency),
            ("Step Used", "Quarterly (legacy deal runs step quarterly whatever C18 says: Q40)"),
            ("Static Random Numbers", self.static_random),
            ("Random Seed", self.seed),
        ]


def migration_settings(book: WorkbookAccess) -> MigrationSettings:
    """Read and check Run Model C15:C20 (the legacy data validations, COMPLIANCE_SPEC §1.3)."""
    c = [row[0] for row in book.read_range(RUN_MODEL, "C15:C20")]
    correlation = str(c[1] or "System Defined").strip()
    if correlation.lower() != "system defined":
        raise UsageError(
            f"'{RUN_MODEL}'!C16 = {correlation!r}: only 'System Defined' correlation is available in clo-xl "
            "(issuer/industry/rating system matrix); choose it to run the migration"
        )
    count = number(c[2], f"'{RUN_MODEL}'!C17", 100.0)
    if count != int(count) or not 1 <= count <= 500:
        raise UsageError(
            f"'{RUN_MODEL}'!C17 must be a whole number of simulations from 1 to 500, got {c[2]!r}"
        )
    frequency = str(c[3] or "Quarterly").strip()
    if frequency.lower() not in {"annually", "semi-annually", "quarterly"}:
        raise UsageError(f"'{RUN_MODEL}'!C18 must be Annually, Semi-Annually or Quarterly, got {c[3]!r}")
    static = flag(c[4], True)
    seed = int(number(c[5], f"'{RUN_MODEL}'!C20", 0.0)) if static else secrets.randbelow(2**31)
    return MigrationSettings(flag(c[0], False), "System Defined", int(count), frequency, static, seed)


def run_credit_migration(book: WorkbookAccess) -> HandlerResult:
    """Correlated S&P rating paths for the selected deal (Run Model C15:C20) → ``RM-<Deal>``.

    Runs ``clo-xl cashflows --paths N --seed S``: each path's defaults drive one deal run. The tab holds the
    mean migration statistics, the min/median/max paths and, with C15 TRUE, each path's deal results.
    """
    deal = _one_deal(book, "the credit migration")
    settings = migration_settings(book)
    session = sessions(book, [deal])[deal]
    document = session.cashflow_document(paths=settings.simulations, seed=settings.seed)
    name = f"RM-{deal}"
    book.delete_sheets([name])
    tab = tabs.migration_tab(deal, settings.rows(deal), document, with_paths=settings.use_for_cash_flows)
    _write(book, tab)
    book.save()
    stats = document["migration"]
    total = stats["cumulative_default"][-1] if stats["cumulative_default"] else 0.0
    return HandlerResult(
        (name,),
        f"{settings.simulations} migration path(s) for {deal} (seed {settings.seed}): "
        f"mean cumulative default {total:,.0f}",
    )


# -- database ---------------------------------------------------------------------------------------------


def refresh_from_db(book: WorkbookAccess, *, database_url: str | None = None) -> HandlerResult:
    """Write ``All Assets`` and the selected deal(s) from one database snapshot into their sheets (values
    only, formulas kept), remember each deal's row version in the hidden ``clo-xl.state`` sheet, and ask
    Excel to recalculate so the ``CLO_`` functions show the refreshed version."""
    deals = selected_deals(book)
    outcome = db_sync.refresh(book, resolve_database_url(database_url), deals)
    book.recalculate()
    versions = ", ".join(f"{d} v{v}" for d, v in outcome.versions.items())
    kept = f"; {len(outcome.formula_cells)} formula cell(s) kept" if outcome.formula_cells else ""
    sheets = ("All Assets", *(f"{d} Inputs" for d in outcome.versions))
    summary = f"refreshed from the database: {outcome.assets} assets, {versions}{kept}"
    return HandlerResult(sheets, summary, announce=True)


def save_to_db(
    book: WorkbookAccess, *, database_url: str | None = None, actor: str | None = None
) -> HandlerResult:
    """Store the selected deal(s)' sheets in PostgreSQL if the database is still at the version they were
    refreshed at (a stale deal is refused: who changed what, when; nothing of it is written), then ask Excel
    to recalculate so the ``CLO_`` functions show the saved version at once.

    ``database_url``: default ``CLO_XL_DATABASE_URL``, else the embedded server. A bad cell raises the
    located error (sheet, cell, value) before anything is written.
    """
    deals = selected_deals(book)
    outcome = db_sync.save(book, resolve_database_url(database_url), deals, actor=actor)
    book.recalculate()
    saved = ", ".join(f"{d} v{v}" for d, v in outcome.versions.items() if d not in outcome.unchanged)
    same = f"; unchanged: {', '.join(outcome.unchanged)}" if outcome.unchanged else ""
    return HandlerResult((), f"saved to the database: {saved or 'nothing changed'}{same}", announce=True)


# -- validation and housekeeping --------------------------------------------------------------------------


def validate(book: WorkbookAccess, *, tolerance: float = 1e-5) -> HandlerResult:
    """The parallel run on this workbook → a ``Parallel Run`` tab (item | cell | legacy | python | ...)."""
    result = run_validation(book, tolerance=tolerance, libreoffice=False)
    name = _write(book, tabs.parallel_run_tab(result.sheet_rows(), PARALLEL_RUN_SHEET))
    book.save()
    return HandlerResult((name,), result.summary(), announce=True)


def delete_output_tabs(book: WorkbookAccess) -> HandlerResult:
    """Delete every output tab (legacy ``DeleteAll`` prefixes, plus the Parallel Run tab)."""
    deleted = book.delete_sheets([*OUTPUT_PREFIXES, PARALLEL_RUN_SHEET])
    book.save()
    return HandlerResult(tuple(deleted), f"deleted {len(deleted)} output tab(s)")


#: button macro name (``clo_xl_macros.bas``) → handler.
HANDLERS: dict[str, Callable[[WorkbookAccess], HandlerResult]] = {
    "RunCompliance": run_compliance,
    "RunHypo": run_hypo,
    "RunRankings": run_rankings,
    "RunRebalancing": run_rebalancing,
    "RunCashFlows": run_cash_flows,
    "RunCreditMigration": run_credit_migration,
    "RunAnalytics": run_analytics,
    "RefreshFromDB": refresh_from_db,
    "SaveToDB": save_to_db,
    "RunValidate": validate,
    "DeleteOutputTabs": delete_output_tabs,
}


def run_headless(macro: str, path: Path) -> HandlerResult:
    """Press a button on a workbook file (what ``RunPython`` does in Excel, without Excel)."""
    if macro not in HANDLERS:
        raise UsageError(f"no button runs macro '{macro}' (known: {', '.join(HANDLERS)})")
    return HANDLERS[macro](FileWorkbook(path))
