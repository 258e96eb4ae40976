"""`clo-xl cashflows`: project a deal's collateral and run its waterfall (CONTRACT §3)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.from_deal import curve_tenors, structure_from_document
from clo_xl.cashflows.from_records import collateral_from_records
from clo_xl.cashflows.from_tables import assumptions_from_rows, sink_from_rows
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.cashflows.report import to_document
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.commands._output import console, emit, table
from clo_xl.curves import CurveConvention, Extrapolation, build_curve
from clo_xl.curves.base import ForwardCurve
from clo_xl.errors import UsageError
from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.grid import Scenario, summarise
from clo_xl.simulation.matrix import matrix_from_rows, period_matrix
from clo_xl.simulation.migration import default_statistics, rating_index
from clo_xl.simulation.paths import simulate_pool
from clo_xl.waterfall.run import run_deal


def _par_column(deal: str) -> str:
    return "".join(ch for ch in deal.upper() if ch.isalnum()) + "_Par_Amount"


Tables = dict[str, list[Mapping[str, object]]]


def _load_inputs(
    workbook: Path | None, deal: str | None, assets: Path | None, deal_inputs: Path | None
) -> tuple[list[Mapping[str, object]], Mapping[str, Any], str, Tables]:
    if workbook is not None:
        if not deal:
            raise UsageError("--workbook needs --deal NAME")
        from clo_xl.ingest.workbook import read_workbook

        book = read_workbook(workbook, deals=[deal])
        doc: dict[str, Any] = dict(book.deal(deal).data)
        curve = book.reference.get("libor_curve")
        if curve is not None and curve.rows and "libor_curve" not in doc:
            doc["libor_curve"] = {
                int(float(str(r["Tenor (Months)"]))): float(str(r["Rate"]))
                for r in curve.rows
                if r.get("Tenor (Months)") not in (None, "") and r.get("Rate") not in (None, "")
            }
        par_col = str(doc.get("par_column") or _par_column(deal))
        par: dict[str, float] = {}
        for h in book.holdings[deal].rows if deal in book.holdings else ():
            key = str(h.get("BLKRockID") or "").strip()
            if key:
                par[key] = par.get(key, 0.0) + float(str(h.get("Par Amount") or 0.0))
        records: list[Mapping[str, object]] = [
            {**r, par_col: par.get(str(r.get("BLKRockID") or "").strip(), 0.0)} for r in book.assets.rows
        ]
        tables: Tables = {
            key: [dict(r) for r in book.reference[key].rows]
            for key in ("cf_assumptions", "cf_vectors", "sink_schedule", "transition_matrix")
            if key in book.reference
        }
        return records, doc, par_col, tables
    if assets is None or deal_inputs is None:
        raise UsageError("give --workbook PATH --deal NAME, or --assets PATH --deal-inputs PATH")
    from clo_xl.ingest.extract import read_deal_document, read_table

    table_ = read_table(assets)
    document = dict(read_deal_document(deal_inputs).data)
    name = deal or str(document.get("deal", ""))
    rows: list[Mapping[str, object]] = [dict(r) for r in table_.rows]
    return rows, document, str(document.get("par_column") or _par_column(name)), {}


def _migration_runs(
    records: list[Mapping[str, object]],
    collateral: CollateralArrays,
    tables: Tables,
    structure: DealStructure,
    assumptions: CashflowAssumptions,
    curve: ForwardCurve,
    conv: Conventions,
    paths: int,
    seed: int,
    sink: SinkSchedule | None,
) -> dict[str, Any]:
    """`--paths N`: correlated rating paths (system-defined correlation), one deal run per path."""
    if "transition_matrix" not in tables:
        raise UsageError("--paths needs the workbook's transition matrix (SpTransMat); use --workbook")
    quarterly = period_matrix(matrix_from_rows([dict(r) for r in tables["transition_matrix"]]), "QUARTERLY")
    by_id = {str(r.get("BLKRockID") or ""): r for r in records}
    ids = [str(a) for a in collateral.asset_id]
    issuers = [str(by_id.get(a, {}).get("ISSUER ID") or a) for a in ids]
    industries = [str(by_id.get(a, {}).get("S&P Industry") or "") for a in ids]
    ranks = [rating_index(str(r), legacy=conv.legacy) for r in collateral.sp_rating]
    chol = (
        cholesky(system_correlation(issuers, industries, ranks, SystemCorrelation()))
        if len(ids) > 1
        else None
    )
    start = structure.dates.analysis_date
    migration = simulate_pool(collateral, quarterly, chol, start, paths=paths, seed=seed, legacy=conv.legacy)
    runs = [
        run_deal(
            structure,
            collateral,
            assumptions,
            curve,
            conventions=conv,
            sink=sink,
            default_dates=migration.default_dates(p),
        )
        for p in range(paths)
    ]
    rows = []
    for p, r in enumerate(runs):
        summary = summarise(r, Scenario(0.0, 0.0, 0.0))
        rows.append(
            {
                "path": p + 1,
                "sub_note_irr": r.sub_note_irr,
                "incentive_fee": r.incentive_fee_total,
                "defaults": int((migration.default_step[p] > 0).sum()),
                "tranche_cash": summary.tranche_cash,
            }
        )
    return {
        "paths": rows,
        "migration": {
            "seed": seed,
            "note": "numpy Generator paths; VBA Rnd/Randomize are not reproduced (Q56)",
            "step_dates": [d.isoformat() for d in migration.step_dates],
            **default_statistics(migration, collateral.par, legacy=conv.legacy),
        },
    }


def register(app: typer.Typer) -> None:
    @app.command("cashflows")
    def cashflows(
        workbook: Path = typer.Option(None, "--workbook", help="Workbook (.xlsm) to read."),
        deal: str = typer.Option(None, "--deal", help='Deal name, e.g. "Mag 17".'),
        assets: Path = typer.Option(None, "--assets", help="Assets extract (JSON/CSV/XLSX)."),
        deal_inputs: Path = typer.Option(
            None, "--deal-inputs", help="Deal-inputs JSON (legacy/mag17_deal.json shape)."
        ),
        cpr: float = typer.Option(None, "--cpr", help="Annual CPR, decimal (0.2 = 20%). Default: workbook."),
        cdr: float = typer.Option(None, "--cdr", help="Annual CDR, decimal. Default: workbook."),
        severity: float = typer.Option(None, "--severity", help="Loss severity, decimal. Default: workbook."),
        lag: int = typer.Option(None, "--lag", help="Recovery lag in months. Default: workbook."),
        curve_shift: float = typer.Option(0.0, "--curve-shift", help="Parallel curve shift in basis points."),
        paths: int = typer.Option(0, "--paths", help="Credit-migration paths (0 = deterministic)."),
        convention: str = typer.Option("legacy", "--convention", help="legacy or corrected."),
        extrapolation: str = typer.Option(
            "flat", "--curve-extrapolation", help="flat or error past the curve."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the migration paths (numpy, not VBA Rnd)."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Project a deal's cash flows through its waterfall (one period per payment date)."""
        if paths < 0:
            raise UsageError(f"--paths must be >= 0, got {paths}")
        for label, v in (("--cpr", cpr), ("--cdr", cdr), ("--severity", severity)):
            if v is not None and not 0.0 <= v <= 1.0:
                raise UsageError(f"{label} must be a decimal between 0 and 1, got {v}")
        conv = Conventions.named(convention)
        try:
            extra = Extrapolation(extrapolation)
        except ValueError:
            raise UsageError("--curve-extrapolation must be 'flat' or 'error'") from None
        if lag is not None and lag < 0:
            raise UsageError(f"--lag must be a number of months >= 0, got {lag}")
        records, doc, par_col, tables = _load_inputs(workbook, deal, assets, deal_inputs)
        structure = structure_from_document(doc, deal_name=deal)
        collateral = collateral_from_records(records, par_col, source=str(assets or workbook))
        curve = build_curve(
            structure.dates.analysis_date,
            curve_tenors(doc),
            convention=CurveConvention.LEGACY if conv.legacy else CurveConvention.CORRECTED,
            extrapolation=extra,
            shift=curve_shift / 10_000.0,
        )
        if "cf_assumptions" in tables and all(v is None for v in (cpr, cdr, severity, lag)):
            assumptions = assumptions_from_rows(
                tables["cf_assumptions"],
                tables.get("cf_vectors", []),
                [str(x) for x in collateral.asset_id],
                legacy=conv.legacy,
            )
        else:  # scalar scenario for every asset: options, else the documented base case
            base = AssetAssumption(
                0.20 if cpr is None else cpr,
                0.02 if cdr is None else cdr,
                0.35 if severity is None else severity,
                12 if lag is None else lag,
            )
            assumptions = CashflowAssumptions(base, legacy_vector_overrun=conv.legacy)
        sink = sink_from_rows(tables["sink_schedule"], collateral) if "sink_schedule" in tables else None
        result = run_deal(structure, collateral, assumptions, curve, conventions=conv, sink=sink)
        payload = to_document(result, structure, curve, wal_on_original=conv.wal_on_original)
        if paths:
            payload.update(
                _migration_runs(
                    records, collateral, tables, structure, assumptions, curve, conv, paths, seed, sink
                )
            )

        def render() -> None:
            rows = [
                [
                    p["period"],
                    p["payment_date"],
                    f"{p['interest_proceeds']:,.0f}",
                    f"{p['principal_proceeds']:,.0f}",
                    f"{p['reinvested']:,.0f}",
                    f"{p['residual']:,.0f}",
                    ", ".join(t["name"] for t in p["tests"] if not t["pass"]) or "-",
                ]
                for p in payload["periods"]
            ]
            console.print(
                table(
                    f"{payload['deal']} cash flows (waterfall {payload['waterfall']}, {convention})",
                    ["#", "date", "interest", "principal", "reinvested", "to Sub Notes", "failing tests"],
                    rows,
                )
            )

            def pct(v: float | None) -> str:
                return "-" if v is None else f"{v * 100:.2f}%"

            def num(v: float | None, digits: int = 2) -> str:
                return "-" if v is None else f"{v:,.{digits}f}"

            summary = [
                [
                    t["class"],
                    pct(t["irr"]),
                    num(t["wal"]),
                    num(t["modified_duration"]),
                    num(t["price_given_dm"], 4),
                    num(t["total_cash"], 0),
                ]
                for t in payload["summary"]["tranches"]
            ]
            console.print(
                table("Tranches", ["class", "IRR", "WAL", "mod. dur.", "price @ DM", "cash"], summary)
            )
            console.print(
                f"Sub Notes IRR (hurdle basis) {pct(payload['summary']['sub_note_irr'])}; incentive fee "
                f"{num(payload['summary']['incentive_fee_total'], 0)}"
            )
            if "paths" in payload:
                irrs = [p["sub_note_irr"] for p in payload["paths"] if p["sub_note_irr"] is not None]
                if irrs:
                    console.print(
                        f"{len(payload['paths'])} migration paths: Sub Notes IRR min {pct(min(irrs))}, "
                        f"mean {pct(sum(irrs) / len(irrs))}, max {pct(max(irrs))}"
                    )

        emit(payload, as_json=as_json, render=render)
