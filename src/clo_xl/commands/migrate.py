"""``clo-xl migrate WORKBOOK``: load a workbook into PostgreSQL, all or nothing (``docs/database.md``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import typer

from clo_xl.commands._output import console, emit, table, wrote
from clo_xl.commands._progress import progress_bar


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate(
        workbook: Path = typer.Argument(..., help="The TradeHypo workbook (.xlsm/.xlsx) to load."),
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            help="PostgreSQL URL (default: CLO_XL_DATABASE_URL, else the embedded server).",
        ),
        report: Path | None = typer.Option(
            None,
            "--report",
            help="Report base path; writes .json and .html (default: clo-xl-out/migrate-<time>).",
        ),
        backup: Path | None = typer.Option(
            None,
            "--backup",
            help="Where to write the pre-load backup (default: <data dir>/backups/, where only the newest "
            "CLO_XL_BACKUP_KEEP pre-migrate backups, default 20, are kept).",
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Run every level and the load, then roll back: nothing is written."
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Load WORKBOOK into PostgreSQL: extract, transform, validate (L1 structure, L2 business rules, L3
        reconciliation, L4 calculation parity) and load in one transaction. A refused workbook loads nothing
        and exits 2 naming the sheet and cell; running it twice leaves the database unchanged."""
        from clo_xl.persistence.engine import database_url as resolve_url
        from clo_xl.persistence.migration import migrate_workbook
        from clo_xl.persistence.server import import_pgserver
        from clo_xl.report.migration import write_reports

        # the embedded server (when it is the database) starts in a thread while the workbook is read:
        # pg_ctl's start is mostly waiting, ~0.3 s of a sample migrate's ~2 s. Its modules are imported
        # here first: two threads importing one package at once can see it half-initialised.
        import_pgserver()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clo-xl-server") as pool:
            pending = pool.submit(resolve_url, database_url)
            with progress_bar(as_json=as_json) as progress:
                result = migrate_workbook(
                    workbook, pending.result, progress=progress, backup_path=backup, dry_run=dry_run
                )
        base = report or Path("clo-xl-out") / f"migrate-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        json_path, html_path = write_reports(result, base)
        payload = result.as_dict()
        payload["report"] = {"json": str(json_path), "html": str(html_path)}
        if result.error is not None:
            wrote([html_path, json_path])
            raise result.error

        def render() -> None:
            console.print(
                table(
                    f"migrate {workbook.name}: {result.status} in {result.seconds:.2f} s",
                    ["Level", "Check", "Status", "Detail"],
                    [[c.level, c.name, c.status, c.detail] for c in result.checks],
                )
            )
            console.print(
                f"{result.assets} assets, {len(result.deals)} deals, {result.holdings} holdings; "
                f"{result.changed_rows} rows changed. Backup: {result.backup}."
            )

        emit(payload, as_json=as_json, render=render)
        wrote([html_path, json_path])
