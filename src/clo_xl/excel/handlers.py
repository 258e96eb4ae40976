"""What each Run Model button does, written against :class:`WorkbookAccess` only.

The same functions run from Excel (``clo_xl.excel.buttons`` wraps the caller workbook) and headless
(:class:`FileWorkbook`), so every button is exercised by the tests without Excel. Each handler reads its
inputs from the cells the legacy macros used (COMPLIANCE_SPEC §1.3), asks the core through
:mod:`clo_xl.excel.engine`, and writes the legacy output tabs (§1.9): each run first deletes the tabs with
its prefix, then adds a green tab with the table at B1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel import engine
from clo_xl.excel.workbook_access import OUTPUT_PREFIXES, Value, WorkbookAccess, read_cell

RUN_MODEL = "Run Model"
DEAL_CELL = "C9"  # deal to run; "All" runs every deal
HYPO_RANGE = "J11:N39"  # Deal, BRS ID, Buy/Sale, Par, Price
POOL_MODE_CELL = "N8"  # TRUE: trades applied together
#: the tab the Validate button writes (not a legacy prefix; Delete Output Tabs removes it too).
PARALLEL_RUN_SHEET = "Parallel Run"


@dataclass(frozen=True)
class HandlerResult:
    """What a button did: the tabs it wrote and a one-line summary for the status bar."""

    sheets: tuple[str, ...]
    summary: str


def deal_names(book: WorkbookAccess) -> list[str]:
    """Deals of the workbook: every ``<Deal> Inputs`` sheet, in tab order."""
    return [n.removesuffix(" Inputs") for n in book.sheet_names() if n.endswith(" Inputs")]


def selected_deals(book: WorkbookAccess) -> list[str]:
    """The deal(s) chosen in ``Run Model``!C9 ("All" = every deal)."""
    if RUN_MODEL not in book.sheet_names():
        raise UsageError(f"workbook {book.name} has no '{RUN_MODEL}' sheet")
    chosen = read_cell(book, RUN_MODEL, DEAL_CELL)
    if chosen is None or not str(chosen).strip():
        raise UsageError(f"choose a deal in '{RUN_MODEL}'!{DEAL_CELL}")
    deals = deal_names(book)
    name = str(chosen).strip()
    if name.lower() == "all":
        return deals
    if name not in deals:
        raise UsageError(f"'{RUN_MODEL}'!{DEAL_CELL}: unknown deal '{name}' (deals: {', '.join(deals)})")
    return [name]


def _write_tab(book: WorkbookAccess, name: str, rows: Sequence[Sequence[Value]]) -> None:
    book.create_sheet(name)  # replaces a tab of that name
    book.write_table(name, "B1", rows)


def _model(book: WorkbookAccess) -> engine.WorkbookModel:
    return engine.load_workbook_model(book.snapshot_path())


def run_compliance(book: WorkbookAccess) -> HandlerResult:
    """Compliance for the selected deal(s) → ``Compliance-<Deal>`` (legacy layout, results as text)."""
    deals = selected_deals(book)
    model = _model(book)
    book.delete_sheets(["Compliance-"])  # each run first deletes every tab with its prefix (§1.9)
    written = []
    for deal in deals:
        name = f"Compliance-{deal}"
        _write_tab(book, name, model.compliance_tab(deal))
        written.append(name)
    book.save()
    return HandlerResult(tuple(written), f"compliance written for {', '.join(deals)}")


def hypo_trades(book: WorkbookAccess, deal: str) -> list[tuple[str, str, float, float | None]]:
    """The ``HypoAssets`` rows (Run Model J11:N39) of ``deal``."""
    rows = book.read_range(RUN_MODEL, HYPO_RANGE)
    return engine.parse_trades(deal, [list(r) for r in rows])


def run_hypo(book: WorkbookAccess) -> HandlerResult:
    """The hypothetical trades of the selected deal → ``HYPO-<Deal>-Output``."""
    deals = selected_deals(book)
    if len(deals) != 1:
        raise UsageError(f"choose one deal in '{RUN_MODEL}'!{DEAL_CELL} for hypothetical trades")
    deal = deals[0]
    trades = hypo_trades(book, deal)
    pool_mode = read_cell(book, RUN_MODEL, POOL_MODE_CELL)
    together = True if pool_mode is None else str(pool_mode).strip().upper() in {"TRUE", "1", "YES"}
    model = _model(book)
    book.delete_sheets(["HYPO-"])
    name = f"HYPO-{deal}-Output"
    _write_tab(book, name, model.hypo_tab(deal, trades, pool_mode=together))
    book.save()
    return HandlerResult((name,), f"{len(trades)} trade(s) on {deal}")


@dataclass(frozen=True)
class RunSettings:
    """Run Model inputs of rankings and rebalancing (COMPLIANCE_SPEC §1.3)."""

    step: float  # E8 incremental loan size
    allow_increase: bool  # E9
    side: str  # E10 Buy/Sale
    sale_target: float  # E11
    buy_target: float  # E12
    buy_filter: str  # D15:I20
    sale_filter: str  # D23:I28
    weights: dict[int, float]  # H31:H38 test number → I31:I38 weight


def _number(value: Value, cell: str, default: float) -> float:
    if value is None or value == "":
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise UsageError(f"'{RUN_MODEL}'!{cell} must be a number, got {value!r}")


def _flag(value: Value) -> bool:
    return value is True or str(value).strip().upper() in {"TRUE", "1", "YES"}


def _filter(book: WorkbookAccess, address: str) -> str:
    from clo_xl.compliance.filters import FilterRow, filter_text

    rows = [
        FilterRow(*("" if v is None else str(v) for v in row))
        for row in book.read_range(RUN_MODEL, address)
        if any(v not in (None, "") for v in row)
    ]
    return filter_text(rows)


def run_settings(book: WorkbookAccess) -> RunSettings:
    e = [row[0] for row in book.read_range(RUN_MODEL, "E8:E12")]
    weights: dict[int, float] = {}
    for number, weight in book.read_range(RUN_MODEL, "H31:I38"):
        if isinstance(number, int | float) and not isinstance(number, bool):
            weights[int(number)] = _number(weight, "I31:I38", 0.0)
    return RunSettings(
        step=_number(e[0], "E8", 750_000.0),
        allow_increase=_flag(e[1]),
        side="Sale" if str(e[2] or "Buy").strip().lower() == "sale" else "Buy",
        sale_target=_number(e[3], "E11", 0.0),
        buy_target=_number(e[4], "E12", 0.0),
        buy_filter=_filter(book, "D15:I20"),
        sale_filter=_filter(book, "D23:I28"),
        weights=weights,
    )


def _one_deal(book: WorkbookAccess, what: str) -> str:
    deals = selected_deals(book)
    if len(deals) != 1:
        raise UsageError(f"choose one deal in '{RUN_MODEL}'!{DEAL_CELL} for {what}")
    return deals[0]


def run_rankings(book: WorkbookAccess) -> HandlerResult:
    """Asset rankings with the Run Model settings (E8:E10, filters, weights) → ``Rankings-Output``."""
    deal = _one_deal(book, "rankings")
    settings = run_settings(book)
    rows = _model(book).rankings_tab(
        deal,
        side=settings.side,
        step=settings.step,
        buy_filter=settings.buy_filter,
        sale_filter=settings.sale_filter,
        allow_increase=settings.allow_increase,
        weights=settings.weights,
    )
    book.delete_sheets(["Rankings-"])
    _write_tab(book, "Rankings-Output", rows)
    book.save()
    return HandlerResult(
        ("Rankings-Output",),
        f"{max(len(rows) - 2, 0)} {settings.side.lower()} candidate(s) ranked for {deal}",
    )


def run_rebalancing(book: WorkbookAccess) -> HandlerResult:
    """Portfolio rebalancing towards the E11 sale and E12 buy targets → ``Rebalance-Output``."""
    deal = _one_deal(book, "rebalancing")
    settings = run_settings(book)
    rows = _model(book).rebalance_tab(
        deal,
        step=settings.step,
        sale_target=settings.sale_target,
        buy_target=settings.buy_target,
        buy_filter=settings.buy_filter,
        sale_filter=settings.sale_filter,
        allow_increase=settings.allow_increase,
        weights=settings.weights,
    )
    book.delete_sheets(["Rebalance-"])
    _write_tab(book, "Rebalance-Output", rows)
    book.save()
    return HandlerResult(("Rebalance-Output",), f"rebalancing written for {deal}")


def run_cash_flows(book: WorkbookAccess) -> HandlerResult:
    """Deal cash flows for the selected deal(s) → ``Deal CF-<Deal>``."""
    deals = selected_deals(book)
    model = _model(book)
    book.delete_sheets(["Deal CF-"])
    written = []
    for deal in deals:
        name = f"Deal CF-{deal}"
        _write_tab(book, name, model.cashflow_tab(deal))
        written.append(name)
    book.save()
    return HandlerResult(tuple(written), f"cash flows written for {', '.join(deals)}")


@dataclass(frozen=True)
class MigrationSettings:
    """Run Model C15:C20 (CASHFLOW_SPEC §0.1 ``LoadRMandCFInputs``)."""

    use_for_cash_flows: bool  # C15: also report each path's deal cash-flow results
    correlation: str  # C16: "System Defined" (the only one the pipeline builds) or "User Defined"
    simulations: int  # C17: whole number 1-500
    frequency: str  # C18: Annually / Semi-Annually / Quarterly (deal runs step quarterly: Q40)
    static_random: bool  # C19: TRUE = paths from the C20 seed
    seed: int  # C20, or a fresh seed (recorded in the tab) when C19 is FALSE


def migration_settings(book: WorkbookAccess) -> MigrationSettings:
    """Read and check Run Model C15:C20 (the legacy data validations, COMPLIANCE_SPEC §1.3)."""
    import secrets

    c = [row[0] for row in book.read_range(RUN_MODEL, "C15:C20")]
    correlation = str(c[1] or "System Defined").strip()
    if correlation.lower() != "system defined":
        raise UsageError(
            f"'{RUN_MODEL}'!C16 = {correlation!r}: only 'System Defined' correlation is available in clo-xl "
            "(issuer/industry/rating system matrix); choose it to run the migration"
        )
    count = _number(c[2], "C17", 100.0)
    if count != int(count) or not 1 <= count <= 500:
        raise UsageError(
            f"'{RUN_MODEL}'!C17 must be a whole number of simulations from 1 to 500, got {c[2]!r}"
        )
    frequency = str(c[3] or "Quarterly").strip()
    if frequency.lower() not in {"annually", "semi-annually", "quarterly"}:
        raise UsageError(f"'{RUN_MODEL}'!C18 must be Annually, Semi-Annually or Quarterly, got {c[3]!r}")
    static = c[4] is None or _flag(c[4])
    seed = int(_number(c[5], "C20", 0.0)) if static else secrets.randbelow(2**31)
    return MigrationSettings(_flag(c[0]), "System Defined", int(count), frequency, static, seed)


def migration_tab(deal: str, settings: MigrationSettings, document: dict[str, Any]) -> list[list[Any]]:
    """The ``RM-<Deal>`` grid (B1): settings, mean migration statistics per step, min/median/max paths,
    and (C15 TRUE) each path's deal results."""
    stats = document["migration"]
    rows: list[list[Any]] = [
        ["Credit Migration Settings"],
        ["Deal", deal],
        ["Use Rating Migration for CF", settings.use_for_cash_flows],
        ["Correlation Matrix", settings.correlation],
        ["Number of Simulations", settings.simulations],
        ["RM Frequency", settings.frequency],
        ["Step Used", "Quarterly (legacy deal runs step quarterly whatever C18 says: Q40)"],
        ["Static Random Numbers", settings.static_random],
        ["Random Seed", settings.seed],
        ["Note", stats.get("note")],
        [],
        ["Migration Statistics (mean over paths)"],
        ["Step", "Date", "Period Default", "Cumulative Default", "CDR", "Upgrades", "Downgrades"],
    ]
    for i, when in enumerate(stats["step_dates"]):
        rows.append(
            [i + 1, when, stats["period_default"][i], stats["cumulative_default"][i], stats["cdr"][i],
             stats["upgrades"][i], stats["downgrades"][i]]
        )  # fmt: skip
    rows += [[], ["Min Path", "Median Path", "Max Path"]]
    rows.append([stats["min_path"], stats["median_path"], stats["max_path"]])
    if settings.use_for_cash_flows:
        paths = document.get("paths", [])
        classes = list(paths[0]["tranche_cash"]) if paths else []
        rows += [[], ["Deal Results per Path"]]
        rows.append(
            ["Path", "Sub Note IRR", "Incentive Fee", "Defaults", *[f"{c} Total Cash" for c in classes]]
        )
        for p in paths:
            rows.append(
                [p["path"], p["sub_note_irr"], p["incentive_fee"], p["defaults"],
                 *[p["tranche_cash"].get(c) for c in classes]]
            )  # fmt: skip
    return rows


def run_credit_migration(book: WorkbookAccess) -> HandlerResult:
    """Correlated S&P rating paths for the selected deal (Run Model C15:C20) → ``RM-<Deal>``.

    Runs ``clo-xl cashflows --paths N --seed S`` (:func:`clo_xl.runs.cashflow_service.project_workbook_deal`):
    each path's defaults drive one deal run. The tab holds the mean migration statistics, the min/median/
    max paths and, with C15 TRUE, each path's deal results.
    """
    deal = _one_deal(book, "the credit migration")
    settings = migration_settings(book)
    document = _model(book).migration_document(deal, paths=settings.simulations, seed=settings.seed)
    name = f"RM-{deal}"
    book.delete_sheets([name])
    _write_tab(book, name, migration_tab(deal, settings, document))
    book.save()
    stats = document["migration"]
    total = stats["cumulative_default"][-1] if stats["cumulative_default"] else 0.0
    return HandlerResult(
        (name,),
        f"{settings.simulations} migration path(s) for {deal} (seed {settings.seed}): "
        f"mean cumulative default {total:,.0f}",
    )


def _database_url(database_url: str | None) -> str:
    """``database_url``, else ``CLO_XL_DATABASE_URL``, else the embedded server."""
    engine_mod = _component_or_missing("clo_xl.persistence.engine", "the database")
    return str(engine_mod.database_url(database_url))


def refresh_from_db(book: WorkbookAccess, *, database_url: str | None = None) -> HandlerResult:
    """Write ``All Assets`` and the selected deal(s) from one database snapshot into their sheets (values
    only, formulas kept) and remember each deal's row version in the hidden ``clo-xl.state`` sheet."""
    from clo_xl.excel import db_sync

    deals = selected_deals(book)
    outcome = db_sync.refresh(book, _database_url(database_url), deals)
    versions = ", ".join(f"{d} v{v}" for d, v in outcome.versions.items())
    kept = f"; {len(outcome.formula_cells)} formula cell(s) kept" if outcome.formula_cells else ""
    sheets = ("All Assets", *(f"{d} Inputs" for d in outcome.versions))
    return HandlerResult(sheets, f"refreshed from the database: {outcome.assets} assets, {versions}{kept}")


def save_to_db(
    book: WorkbookAccess, *, database_url: str | None = None, actor: str | None = None
) -> HandlerResult:
    """Store the selected deal(s)' sheets in PostgreSQL if the database is still at the version they were
    refreshed at; a stale deal is refused (who changed what, when) and nothing of it is written.

    ``database_url``: default ``CLO_XL_DATABASE_URL``, else the embedded server. A bad cell raises the
    located error (sheet, cell, value) before anything is written.
    """
    from clo_xl.excel import db_sync

    deals = selected_deals(book)
    outcome = db_sync.save(book, _database_url(database_url), deals, actor=actor)
    saved = ", ".join(f"{d} v{v}" for d, v in outcome.versions.items() if d not in outcome.unchanged)
    same = f"; unchanged: {', '.join(outcome.unchanged)}" if outcome.unchanged else ""
    return HandlerResult((), f"saved to the database: {saved or 'nothing changed'}{same}")


def _component_or_missing(module: str, feature: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise CloXlError(f"{feature} is not available in this installation ({module} missing)") from exc


def validate(book: WorkbookAccess, *, tolerance: float = 1e-5) -> HandlerResult:
    """The parallel run on this workbook → a ``Parallel Run`` tab (item | cell | legacy | python | ...)."""
    from clo_xl.validate.run import run_validation

    result = run_validation(book.snapshot_path(), tolerance=tolerance, libreoffice=False)
    _write_tab(book, PARALLEL_RUN_SHEET, result.sheet_rows())
    book.save()
    return HandlerResult((PARALLEL_RUN_SHEET,), result.summary())


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
    "RefreshFromDB": refresh_from_db,
    "SaveToDB": save_to_db,
    "RunValidate": validate,
    "DeleteOutputTabs": delete_output_tabs,
}


def run_headless(macro: str, path: Path) -> HandlerResult:
    """Press a button on a workbook file (what ``RunPython`` does in Excel, without Excel)."""
    from clo_xl.excel.file_workbook import FileWorkbook

    if macro not in HANDLERS:
        raise UsageError(f"no button runs macro '{macro}' (known: {', '.join(HANDLERS)})")
    return HANDLERS[macro](FileWorkbook(path))
