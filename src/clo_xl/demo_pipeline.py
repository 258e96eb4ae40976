"""What ``clo-xl demo`` does, step by step (CONTRACT §3): each function is one row of the summary table.

The steps share a :class:`~clo_xl.demo_steps.DemoContext`: the workbook read once, the database URL, and
the tables and HTML sections that end up in ``./clo-xl-out/``.
"""

from __future__ import annotations

import html
import os
from typing import Any

from clo_xl.demo_steps import DemoContext, ProgressLike, Status, Step, StepResult


def _money(x: float) -> str:
    return f"{x:,.0f}"


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
    ctx.html_sections.append(
        "<h2>Migration</h2><table><tr><th>Level</th><th>Check</th><th>Status</th><th>Detail</th></tr>"
        + "".join(
            f"<tr><td>{html.escape(str(c.level))}</td><td>{html.escape(c.name)}</td>"
            f"<td>{html.escape(c.status)}</td><td>{html.escape(str(c.detail))}</td></tr>"
            for c in report.checks
        )
        + "</table>"
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
    rows: list[list[object]] = [["Deal", "Test", "Name", "Min/Max", "Threshold", "Result", "Pass", "Comment"]]
    summary_rows = []
    failing_total = 0
    for done, (deal, session) in enumerate(sessions.items()):
        progress(f"compliance {deal}", done, len(sessions))
        doc = session.compliance_document()
        failing = [t for t in doc["tests"] if not t["pass"]]
        failing_total += len(failing)
        summary_rows.append(
            (deal, len(doc["tests"]), len(failing), doc.get("objective"), doc["collateral_principal_amount"])
        )
        for t in doc["tests"]:
            rows.append(
                [
                    deal,
                    t["number"],
                    t["name"],
                    t["min_max"],
                    t["threshold"],
                    t["result"],
                    "Pass" if t["pass"] else "Fail",
                    t.get("comment") or "",
                ]
            )
    ctx.sheets["Compliance"] = rows
    ctx.html_sections.append(
        f"<h2>Compliance (from {source})</h2><table><tr><th>Deal</th><th>Tests</th><th>Failing</th>"
        "<th>Objective</th><th>Collateral Principal Amount (USD)</th></tr>"
        + "".join(
            f"<tr><td>{html.escape(d)}</td><td class='num'>{n}</td><td class='num'>{f}</td>"
            f"<td class='num'>{(obj or 0):.2f}</td><td class='num'>{_money(cpa)}</td></tr>"
            for d, n, f, obj, cpa in summary_rows
        )
        + "</table>"
    )
    tests = sum(r[1] for r in summary_rows)
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
    rows: list[list[object]] = [["Test", "Name", "Threshold", "Before", "After", "Pass before", "Pass after"]]
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
    ctx.sheets[f"HYPO-{deal}"] = rows
    return StepResult(
        "Hypothetical trade",
        "ok",
        f"{deal}: {len(trades)} trade(s); {len(changed)} test(s) change pass/fail; objective "
        f"{doc.get('objective', 0):.2f} → {doc.get('hypo_objective', doc.get('objective', 0)) or 0:.2f}",
        details={"deal": deal, "trades": len(trades), "pass_changes": len(changed)},
    )


def cashflow_projection(ctx: DemoContext, progress: ProgressLike) -> StepResult:
    """One deal's deterministic projection through its priority of payments, with a plot in the report."""
    from clo_xl.cashflows.service import deal_cf_sheet

    deal = "Mag 17" if "Mag 17" in ctx.state["deals"] else ctx.state["deals"][-1]
    payload, grid = deal_cf_sheet(ctx.state["book"], deal)
    periods = payload["periods"]
    worst = 0.0
    for p in periods:
        outflow = sum(x["amount"] for x in p["payments"]) + p["reinvested"] + p["carried"]
        inflow = p["interest_proceeds"] + p["principal_proceeds"] + p.get("brought_forward", 0.0)
        worst = max(worst, abs(outflow - inflow))
    ctx.sheets[f"Deal CF-{deal}"] = grid  # the legacy tab's blocks, side by side
    try:
        from clo_xl.report.cashflow_plots import cashflow_figures_html

        ctx.html_sections.append(f"<h2>Cash flows, {html.escape(deal)}</h2>" + cashflow_figures_html(payload))
    except ImportError:
        pass
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
    ctx.html_sections.append(
        f"<h2>Parallel run</h2><p>{result.compared} results compared, {len(result.breaks)} unexplained "
        f"breaks, {len(result.explained)} explained. Reports: "
        + ", ".join(f"<code>{html.escape(str(p))}</code>" for p in result.reports)
        + "</p>"
    )
    return StepResult(
        "Parallel run (validate)",
        status,
        f"{result.compared} results compared, {len(result.breaks)} unexplained breaks, "
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
