"""What ``clo-xl demo`` does, step by step: each function is one row of the summary table.

The steps share a :class:`~clo_xl.demo_steps.DemoContext`: the workbook read once, the database URL, and
the tables (XLSX tabs) and report sections that end up in ``./clo-xl-out/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from clo_xl.demo_steps import DemoContext, ProgressLike, Status, Step, StepResult
from clo_xl.quirk_warnings import warning_lines
from clo_xl.report.cashflow_report import add_cashflow_section, cashflow_sheets
from clo_xl.report.formats import Column, Kind
from clo_xl.report.xlsx import SheetSpec

#: compliance tests whose figures are measures (WAL, WARF, diversity, ...), not shares of par
MEASURE_TESTS = frozenset({35, 36, 37, 38, 54})


def _test_value_kind(
    rows: Sequence[Sequence[Any]], *, number_column: int, value_columns: tuple[int, ...]
) -> Callable[[int, int, Any], Kind | None]:
    """Per cell: a test's threshold and result as a percent, or as a number for the measure tests."""

    def kind(row: int, column: int, value: Any) -> Kind | None:
        if column not in value_columns or not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return Kind.NUMBER if rows[row][number_column] in MEASURE_TESTS else Kind.RATIO

    return kind


def load_workbook(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """Read the sample workbook once (assets, deal sheets, Run Model, reference tables)."""
    from clo_xl.ingest.workbook import read_workbook

    book = read_workbook(ctx.workbook)
    ctx.state["book"] = book
    deals = sorted(book.deals, key=lambda d: int("".join(c for c in d if c.isdigit()) or 0))
    ctx.state["deals"] = deals
    holdings = sum(len(book.holdings[d]) for d in deals if d in book.holdings)
    return StepResult(
        "Load sample workbook",
        "ok",
        f"{len(book.assets)} assets in All Assets, {len(deals)} deals, {holdings} holdings",
        details={"assets": len(book.assets), "deals": deals, "holdings": holdings},
    )


def _url(ctx: DemoContext) -> str:
    url = ctx.state.get("url")
    if url is None:
        from clo_xl.persistence.engine import database_url

        url = database_url(ctx.database_url)
        ctx.state["url"] = url
    return str(url)


def migrate(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """Migrate the workbook into PostgreSQL (embedded default): all four validation levels, then load."""
    from clo_xl.persistence.engine import redact
    from clo_xl.persistence.migration import migrate_workbook

    url = _url(ctx)
    report = migrate_workbook(ctx.workbook, url, progress=progress)
    if report.error is not None:
        return StepResult("Migrate into PostgreSQL", "failed", str(report.error))
    ctx.state["migrated"] = True
    levels = sorted({c.level for c in report.checks})
    ctx.page.heading("Migration")
    ctx.page.paragraph(
        f"{report.status}: {report.assets:,} assets, {len(report.deals)} deals, "
        f"{report.holdings:,} holdings; {report.changed_rows:,} rows changed; "
        f"backup before the load: {report.backup}."
    )
    ctx.page.details(
        f"Validation levels: {len(report.checks)} checks, all passed",
        lambda inner: inner.table(
            ["Level", "Check", "Status", "Detail"],
            [[c.level, c.name, c.status, str(c.detail)] for c in report.checks],
            row_classes=["ok" if c.status == "passed" else "break" for c in report.checks],
        ),
    )
    return StepResult(
        "Migrate into PostgreSQL",
        "ok",
        f"{report.status}: {report.assets} assets, {len(report.deals)} deals, {report.holdings} holdings, "
        f"{report.changed_rows} rows changed; checks {', '.join(levels)} passed; db {redact(url)}",
        details={"status": report.status, "checks": len(report.checks), "backup": report.backup},
    )


def _sessions_from_database(ctx: DemoContext) -> dict[str, Any]:
    from clo_xl.api import DealSession
    from clo_xl.persistence.repository import load_deal_for_compliance

    url = _url(ctx)
    sessions: dict[str, Any] = {}
    for deal in ctx.state["deals"]:
        stored = load_deal_for_compliance(url, deal)
        sessions[deal] = DealSession(stored.assets, stored.inputs.holdings, stored.inputs)
    return sessions


def _sessions_from_workbook(ctx: DemoContext) -> dict[str, Any]:
    from clo_xl.api import DealSession

    return {deal: DealSession.from_workbook(ctx.state["book"], deal) for deal in ctx.state["deals"]}


def compliance_all(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """Every deal's compliance tests, read back from PostgreSQL (from the workbook if migration failed)."""
    source = "PostgreSQL" if ctx.state.get("migrated") else "the workbook"
    sessions = _sessions_from_database(ctx) if ctx.state.get("migrated") else _sessions_from_workbook(ctx)
    ctx.state["sessions"] = sessions
    rows: list[list[object]] = []
    summary_rows: list[list[Any]] = []
    effects: list[str] = []
    failing_total = 0
    for done, (deal, session) in enumerate(sessions.items()):
        progress(f"compliance {deal}", done, len(sessions))
        doc = session.compliance_document()
        failing = [t for t in doc["tests"] if not t["pass"]]
        failing_total += len(failing)
        summary_rows.append(
            [
                deal,
                len(doc["tests"]),
                len(failing),
                ", ".join(f"{t['number']} {t['name']}" for t in failing),
                doc.get("objective"),
                doc["collateral_principal_amount"],
            ]
        )
        effects.extend(f"{deal}: {line}" for line in warning_lines(doc))
        for t in doc["tests"]:
            rows.append(
                [
                    deal,
                    t["number"],
                    t["name"],
                    t["min_max"],
                    t["threshold"],
                    t["result"],
                    t["pass"],
                    t.get("comment") or "",
                ]
            )
    ctx.sheets["Compliance"] = SheetSpec(
        [
            Column("Deal"),
            Column("Test", Kind.INTEGER),
            Column("Name", width=50),
            Column("Min/Max"),
            Column("Threshold"),
            Column("Result"),
            Column("Pass", Kind.PASS_FAIL),
            Column("Comment"),
        ],
        rows,
        row_styles=[None if r[6] else "break" for r in rows],
        cell_kind=_test_value_kind(rows, number_column=1, value_columns=(4, 5)),
        notes=tuple(effects),
    )
    ctx.page.heading(f"Compliance (from {source})")
    ctx.page.table(
        [
            Column("Deal"),
            Column("Tests", Kind.INTEGER),
            Column("Failing", Kind.INTEGER),
            Column("Failing tests"),
            Column("Objective", Kind.NUMBER, decimals=2),
            Column("Collateral Principal Amount", Kind.MONEY),
        ],
        summary_rows,
        row_classes=["break" if r[2] else None for r in summary_rows],
    )
    if effects:
        ctx.page.details(
            f"Legacy effects in these figures ({len(effects)})",
            lambda inner: inner.notes(effects),
        )
    tests = sum(int(r[1]) for r in summary_rows)
    return StepResult(
        "Compliance, every deal",
        "ok",
        f"{len(sessions)} deals from {source}, {tests} test results, {failing_total} failing",
        details={"deals": len(sessions), "results": tests, "failing": failing_total},
    )


def hypothetical_trade(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """The Run Model trade list (J11:N39) for the deal picked in C9, before and after."""
    sessions = ctx.state.get("sessions") or _sessions_from_workbook(ctx)
    book = ctx.state["book"]
    picked = str(book.run_model.data.get("deal") or "").strip()
    deal = picked if picked in sessions else next(iter(sessions))
    session = sessions[deal]
    if not session.deal_inputs.trades:
        from clo_xl.api import DealSession

        session = DealSession.from_workbook(book, deal)
    trades = session.deal_inputs.trades
    if not trades:
        return StepResult("Hypothetical trade", "skipped", f"no trades for {deal} on Run Model J11:N39")
    doc = session.hypo_document(trades)
    changed = [t for t in doc["tests"] if t.get("pass") != t.get("hypo_pass")]
    rows: list[list[object]] = []
    for t in doc["tests"]:
        rows.append(
            [
                t["number"],
                t["name"],
                t["threshold"],
                t["result"],
                t.get("hypo_result"),
                t["pass"],
                t.get("hypo_pass"),
            ]
        )
    ctx.sheets[f"HYPO-{deal}"] = SheetSpec(
        [
            Column("Test", Kind.INTEGER),
            Column("Name", width=50),
            Column("Threshold"),
            Column("Before"),
            Column("After"),
            Column("Pass before", Kind.PASS_FAIL),
            Column("Pass after", Kind.PASS_FAIL),
        ],
        rows,
        row_styles=["explained" if r[5] != r[6] else None for r in rows],
        cell_kind=_test_value_kind(rows, number_column=0, value_columns=(2, 3, 4)),
        notes=tuple(warning_lines(doc)),
    )
    return StepResult(
        "Hypothetical trade",
        "ok",
        f"{deal}: {len(trades)} trade(s); {len(changed)} test(s) change pass/fail; objective "
        f"{doc.get('objective', 0):.2f} → {doc.get('hypo_objective', doc.get('objective', 0)) or 0:.2f}",
        details={"deal": deal, "trades": len(trades), "pass_changes": len(changed)},
    )


def cashflow_projection(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """One deal's deterministic projection through its priority of payments, with a plot in the report."""
    from clo_xl.runs.cashflow_service import deal_cf_sheet

    deal = "Mag 17" if "Mag 17" in ctx.state["deals"] else ctx.state["deals"][-1]
    payload, grid = deal_cf_sheet(ctx.state["book"], deal)
    periods = payload["periods"]
    worst = 0.0
    for p in periods:
        outflow = sum(x["amount"] for x in p["payments"]) + p["reinvested"] + p["carried"]
        inflow = p["interest_proceeds"] + p["principal_proceeds"] + p.get("brought_forward", 0.0)
        worst = max(worst, abs(outflow - inflow))
    for name, sheet in cashflow_sheets(payload).items():
        ctx.sheets[f"CF {name}"] = sheet
    if grid:  # the legacy tab's blocks, side by side, as the workbook shows them
        ctx.sheets[f"Deal CF-{deal}"] = SheetSpec([str(v or "") for v in grid[0]], grid[1:])
    add_cashflow_section(ctx.page, payload)
    sub = next((t for t in payload["summary"]["tranches"] if "SUB" in str(t["class"]).upper()), None)
    irr = f"; Sub Notes IRR {sub['irr']:.2%}" if sub and sub.get("irr") is not None else ""
    return StepResult(
        "Cash-flow projection",
        "ok",
        f"{deal}: {len(periods)} periods, cash conserved within {worst:.4f} USD per period{irr}",
        details={"deal": deal, "periods": len(periods), "max_conservation_gap": worst},
    )


def parallel_run(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """``clo-xl validate`` on the workbook: every legacy result recomputed and diffed."""
    from clo_xl.validate.run import run_validation

    result = run_validation(
        ctx.workbook,
        report=ctx.out_dir / "parallel-run",
        libreoffice=bool(os.environ.get("CLO_XL_DEMO_LIBREOFFICE", "1") != "0"),
        progress=progress,
    )
    status: Status = "ok" if not result.breaks else "failed"
    ctx.page.heading("Parallel run")
    ctx.page.summary(result.summary() + ".", "break" if result.breaks else "ok")
    ctx.page.paragraph("Reports: " + ", ".join(str(p) for p in result.reports))
    return StepResult(
        "Parallel run (validate)",
        status,
        f"{result.compared:,} results compared, {len(result.breaks)} unexplained breaks, "
        f"{len(result.explained)} explained",
        details={"compared": result.compared, "breaks": len(result.breaks)},
    )


def demo_steps() -> list[Step]:
    """The demo's steps in order; a failed required step stops the demo."""
    return [
        Step("Load sample workbook", load_workbook, required=True),
        Step("Migrate into PostgreSQL", migrate),
        Step("Compliance, every deal", compliance_all),
        Step("Hypothetical trade", hypothetical_trade),
        Step("Cash-flow projection", cashflow_projection),
        Step("Parallel run (validate)", parallel_run),
    ]
