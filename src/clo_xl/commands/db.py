"""``clo-xl db upgrade | backup | restore | status | stop``: schema migrations and backups."""

from __future__ import annotations

from pathlib import Path

import typer

from clo_xl.commands._output import console, emit, table


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database: schema migrations (Alembic), backup and restore, the embedded server.")
    app.add_typer(db, name="db")
    url_option = typer.Option(
        None,
        "--database-url",
        help="PostgreSQL URL (default: CLO_XL_DATABASE_URL, else the embedded server).",
    )
    json_option = typer.Option(False, "--json", help="One JSON document on stdout.")

    @db.command("upgrade")
    def upgrade(
        revision: str = typer.Option("head", help="Target revision."),
        database_url: str | None = url_option,
        as_json: bool = json_option,
    ) -> None:
        """Apply the schema migrations (creates schemas clo and audit, the audit triggers and the roles)."""
        from clo_xl.persistence.engine import database_url as resolve_url
        from clo_xl.persistence.engine import redact
        from clo_xl.persistence.schema import upgrade as run_upgrade

        url = resolve_url(database_url)
        current = run_upgrade(url, revision)
        emit(
            {"database": redact(url), "revision": current},
            as_json=as_json,
            render=lambda: console.print(f"schema at revision {current} ({redact(url)})"),
        )

    @db.command("backup")
    def backup(
        path: Path | None = typer.Argument(
            None, help="Backup file (default: <data dir>/backups/clo-<time>.zip)."
        ),
        database_url: str | None = url_option,
        as_json: bool = json_option,
    ) -> None:
        """Back up the business data (schema clo) with per-table checksums."""
        from clo_xl.persistence.backup import backup as run_backup
        from clo_xl.persistence.engine import database_url as resolve_url
        from clo_xl.persistence.schema import ensure_current

        url = resolve_url(database_url)
        ensure_current(url)
        info = run_backup(url, path)
        _show(info.as_dict(), as_json, f"backup written to {info.path}")

    @db.command("restore")
    def restore(
        path: Path = typer.Argument(..., help="A backup written by clo-xl db backup or before a migrate."),
        database_url: str | None = url_option,
        as_json: bool = json_option,
    ) -> None:
        """Restore a backup in one transaction; it commits only if every table's checksum matches."""
        from clo_xl.persistence.backup import restore as run_restore
        from clo_xl.persistence.engine import database_url as resolve_url

        info = run_restore(resolve_url(database_url), path)
        _show(info.as_dict(), as_json, f"restored {info.path}: every table's checksum matches the backup")

    @db.command("status")
    def status(database_url: str | None = url_option, as_json: bool = json_option) -> None:
        """Schema revision, row counts and checksums of schema clo."""
        from sqlalchemy import text

        from clo_xl.persistence.engine import database_url as resolve_url
        from clo_xl.persistence.engine import engine, redact
        from clo_xl.persistence.failures import database_errors
        from clo_xl.persistence.fingerprint import digest, table_checksums
        from clo_xl.persistence.schema import current_revision, head_revision

        url = resolve_url(database_url)
        eng = engine(url)
        revision = current_revision(eng)
        tables: dict[str, object] = {}
        runs: list[list[object]] = []
        clo_digest = None
        if revision is not None:
            with database_errors("db status", wrote=False), eng.connect() as conn:
                checks = table_checksums(conn, "clo")
                clo_digest = digest(checks)
                tables = {k: {"rows": v.rows, "md5": v.md5} for k, v in checks.items()}
                runs = [
                    list(r)
                    for r in conn.execute(
                        text(
                            "SELECT run_id, started_at, actor, kind, deal, status FROM audit.run_log "
                            "ORDER BY run_id DESC LIMIT 5"
                        )
                    )
                ]
        payload = {
            "database": redact(url),
            "revision": revision,
            "head": head_revision(),
            "clo_digest": clo_digest,
            "tables": tables,
            "recent_runs": runs,
        }

        def render() -> None:
            console.print(
                f"{redact(url)}: revision {revision} (head {head_revision()}), clo digest {clo_digest}"
            )
            rows = [[k, v["rows"]] for k, v in tables.items() if isinstance(v, dict)]
            console.print(table("schema clo", ["Table", "Rows"], rows))

        emit(payload, as_json=as_json, render=render)

    @db.command("stop")
    def stop(as_json: bool = json_option) -> None:
        """Stop the embedded server if no other clo-xl process is using it."""
        from clo_xl.persistence.server import pgdata_dir, start_embedded, stop_embedded

        start_embedded()
        stop_embedded()
        emit(
            {"pgdata": str(pgdata_dir()), "stopped": True},
            as_json=as_json,
            render=lambda: console.print(f"embedded server in {pgdata_dir()} released"),
        )


def _show(payload: dict[str, object], as_json: bool, message: str) -> None:
    def render() -> None:
        tables = payload.get("tables")
        rows = [[k, v["rows"], v["md5"]] for k, v in tables.items()] if isinstance(tables, dict) else []
        console.print(table(message, ["Table", "Rows", "MD5"], rows))
        console.print(f"digest {payload.get('digest')}")

    emit(payload, as_json=as_json, render=render)
