"""The migration report: one JSON document and one self-contained HTML page per run."""

from __future__ import annotations

import json
from pathlib import Path

from clo_xl.persistence.migration import MigrationReport
from clo_xl.report.html import Page


def write_reports(report: MigrationReport, base: Path) -> tuple[Path, Path]:
    """Write ``<base>.json`` and ``<base>.html``; returns both paths."""
    base.parent.mkdir(parents=True, exist_ok=True)
    payload = report.as_dict()
    json_path = base.with_suffix(".json")
    json_path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    page = Page(f"clo-xl migrate: {Path(report.workbook).name}")
    ok = report.status in ("loaded", "unchanged", "validated")
    verdict = {
        "loaded": "Loaded: every level passed and the load was committed.",
        "unchanged": "Unchanged: every level passed; the database already held this workbook.",
        "validated": "Dry run: every level passed; the load was rolled back (nothing written).",
        "rejected": "Refused: nothing was loaded; the database is as it was.",
    }.get(report.status, report.status)
    page.paragraph(verdict, css_class="summary ok" if ok else "summary break")
    if report.error is not None:
        page.heading("Why")
        page.paragraph(str(report.error))
    page.heading("Run")
    page.table(
        ["Item", "Value"],
        [
            ["Workbook", report.workbook],
            ["Workbook SHA-256", report.workbook_sha256],
            ["Database", report.database],
            ["Started (UTC)", report.started_at.isoformat(timespec="seconds")],
            ["Seconds", round(report.seconds, 3)],
            ["Deals", ", ".join(report.deals)],
            ["Assets", report.assets],
            ["Holdings", report.holdings],
            ["Rows changed", report.changed_rows],
            ["Backup before load (rollback point)", report.backup],
            ["clo digest before", report.clo_digest_before],
            ["clo digest after", report.clo_digest_after],
            ["Audit run id", report.run_id],
        ],
    )
    page.heading("Validation levels")
    page.table(
        ["Level", "Check", "Status", "Detail"],
        [[c.level, c.name, c.status, c.detail] for c in report.checks],
        row_classes=[
            "ok" if c.status == "passed" else "break" if c.status == "failed" else None for c in report.checks
        ],
    )
    if report.tables:
        page.heading("Tables")
        page.table(
            ["Table", "Inserted", "Updated", "Deleted"],
            [[k, v.inserted, v.updated, v.deleted] for k, v in sorted(report.tables.items())],
        )
    if report.warnings:
        page.heading("Warnings")
        page.table(["Warning"], [[w] for w in report.warnings])
    html_path = page.write(base.with_suffix(".html"))
    return json_path, html_path
