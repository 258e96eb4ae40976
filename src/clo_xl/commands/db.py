"""``clo-xl db upgrade | backup | restore | status | log | stop``: schema migrations, backups, the audit
trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from clo_xl.commands._output import console, emit, table

if TYPE_CHECKING:
    from clo_xl.persistence.audit_log import ChangeEntry, RunEntry


class LogScope(StrEnum):
    """``db log --only``: runs of clo-xl, or changes no run accounts for."""

    RUNS = "runs"
    CHANGES = "changes"


#: formats ``--since`` and ``--until`` accept (local time when no offset is given)
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _when(moment: datetime) -> str:
    """Local time to the second, with its UTC offset."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "running?"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:02.0f} s"


def log_rows(entries: Sequence[RunEntry | ChangeEntry]) -> list[list[Any]]:
    """The readable ``db log`` table: when, duration, who, what, status, changes, code."""
    from clo_xl.persistence.audit_log import RunEntry, summarise_changes

    rows: list[list[Any]] = []
    for e in entries:
        if isinstance(e, RunEntry):
            rows.append(
                [
                    _when(e.started_at),
                    _duration(e.duration_s),
                    e.actor,
                    e.what(),
                    e.status,
                    summarise_changes(e.changes) or "-",
                    f"run {e.run_id} · {e.code_version}",
                ]
            )
        else:
            deals = f" ({', '.join(e.deals)})" if e.deals else ""
            rows.append(
                [
                    _when(e.first_at),
                    _duration(e.duration_s),
                    e.actor if e.actor == e.db_role else f"{e.actor} as {e.db_role}",
                    f"changes outside clo-xl{deals}",
                    "-",
                    summarise_changes(e.tables),
                    f"transaction {e.transaction_id}",
                ]
            )
    return rows


LOG_COLUMNS = ["When", "Duration", "Who", "What", "Status", "Changes (+ins ~upd -del)", "Run · code"]


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
        """Schema revision, row counts and checksums of schema clo, and the last runs."""

        from clo_xl.persistence.audit_log import AuditFilter, RunEntry, read_audit_log
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
        recent: list[RunEntry | ChangeEntry] = []
        clo_digest = None
        if revision is not None:
            with database_errors("db status", wrote=False), eng.connect() as conn:
                checks = table_checksums(conn, "clo")
                clo_digest = digest(checks)
                tables = {k: {"rows": v.rows, "md5": v.md5} for k, v in checks.items()}
                recent = read_audit_log(conn, AuditFilter(limit=5, changes=False))
                runs = [
                    [r.run_id, r.started_at.isoformat(), r.actor, r.kind, r.deal, r.status]
                    for r in recent
                    if isinstance(r, RunEntry)
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
            rows = [[k, f"{v['rows']:,}"] for k, v in tables.items() if isinstance(v, dict)]
            console.print(table("schema clo", ["Table", "Rows"], rows))
            if recent:
                console.print(table("Recent runs (clo-xl db log for more)", LOG_COLUMNS, log_rows(recent)))

        emit(payload, as_json=as_json, render=render)

    @db.command("log")
    def log(
        kind: str | None = typer.Option(
            None, "--kind", help="Only runs of this kind: migrate, save, backup, restore, compliance, ..."
        ),
        deal: str | None = typer.Option(
            None, "--deal", help='Only runs and changes of this deal ("Mag 17").'
        ),
        actor: str | None = typer.Option(None, "--actor", help="Only what this person (or role) did."),
        since: datetime | None = typer.Option(
            None, "--since", formats=DATE_FORMATS, help="From this time (local unless it has an offset)."
        ),
        until: datetime | None = typer.Option(
            None, "--until", formats=DATE_FORMATS, help="Before this time (local unless it has an offset)."
        ),
        only: LogScope | None = typer.Option(
            None, "--only", case_sensitive=False, help="runs (of clo-xl) or changes (made outside any run)."
        ),
        limit: int = typer.Option(50, "--limit", min=1, help="At most this many entries, newest first."),
        database_url: str | None = url_option,
        as_json: bool = json_option,
    ) -> None:
        """The audit trail: who ran what, when, for how long, and what it changed in the database.

        Each run (migrate, save, backup, restore, ...) is shown with the rows its transaction inserted (+),
        updated (~) and deleted (-) per table; changes that no clo-xl run accounts for (an edit with SQL)
        are listed on their own. Newest first."""
        from clo_xl.persistence.audit_log import AuditFilter, read_audit_log
        from clo_xl.persistence.engine import database_url as resolve_url
        from clo_xl.persistence.engine import engine, redact
        from clo_xl.persistence.failures import database_errors
        from clo_xl.persistence.schema import ensure_current

        url = resolve_url(database_url)
        ensure_current(url)
        bounds = AuditFilter(
            kind=kind,
            deal=deal,
            actor=actor,
            since=None if since is None else since.astimezone(),
            until=None if until is None else until.astimezone(),
            limit=limit,
            runs=only is not LogScope.CHANGES,
            changes=only is not LogScope.RUNS,
        )
        with database_errors("db log", wrote=False), engine(url).connect() as conn:
            entries = read_audit_log(conn, bounds)
        payload = {
            "database": redact(url),
            "filters": {
                "kind": kind,
                "deal": deal,
                "actor": actor,
                "since": bounds.since,
                "until": bounds.until,
                "only": None if only is None else only.value,
                "limit": limit,
            },
            "entries": [e.to_json() for e in entries],
        }

        def render() -> None:
            title = f"Audit log of {redact(url)} ({len(entries)} entries, newest first)"
            console.print(table(title, LOG_COLUMNS, log_rows(entries)))

        emit(payload, as_json=as_json, render=render)

    @db.command("stop")
    def stop(as_json: bool = json_option) -> None:
        """Stop the embedded server if no other clo-xl process is using it."""
        from clo_xl.persistence.engine import release_embedded
        from clo_xl.persistence.server import pgdata_dir, start_embedded

        start_embedded()
        release_embedded()
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
