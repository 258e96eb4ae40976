"""``clo-xl migrate``: extract → transform → validate → load, all or nothing.

1. **Extract** the workbook's raw values (:mod:`clo_xl.persistence.content`).
2. **Transform** them into rows (L1: headers and cell types) and parse them with the core's parsers.
3. **Validate** business rules (L2) before touching the database.
4. **Upgrade** the schema if the database is new or behind, then, in ONE REPEATABLE READ transaction:
   lock out concurrent saves (``LOCK TABLE clo.deal IN EXCLUSIVE MODE`` before the snapshot, see
   :mod:`clo_xl.persistence.locks`: saves wait for the load, then see the new versions), write a backup
   of ``clo`` as it is (the rollback point), load with the diff-only loader, reconcile (L3),
   check calculation parity from the database (L4), record the run in ``audit.run_log``, commit.

Any failure raises before the commit, so nothing is loaded: ``clo`` is left byte-for-byte as it was (the
report carries its digest before and after). Loading the same workbook twice changes nothing in ``clo``.
A serialisation failure or deadlock (another writer than a save) re-runs the whole transaction, at most
:data:`ATTEMPTS` times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from clo_xl.errors import CloXlError, DatabaseError, IngestError, Location
from clo_xl.ingest.book import Book
from clo_xl.persistence import schema
from clo_xl.persistence.audit import record_run, set_actor, tables_changed
from clo_xl.persistence.backup import default_backup_path, write_backup
from clo_xl.persistence.content import WorkbookContent, workbook_content
from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.engine import redact
from clo_xl.persistence.failures import describe
from clo_xl.persistence.fingerprint import TableChecksum, digest, schema_digest, table_checksums
from clo_xl.persistence.loader import SyncCounts, TableLoad, sync_tables, table_of
from clo_xl.persistence.locks import deal_table_exists, lock_out_deal_writers
from clo_xl.persistence.mappers import asset_columns, deal_rows
from clo_xl.persistence.models import CLO, AssetRow
from clo_xl.persistence.reference_data import packaged_reference_loads, waterfall_documents, waterfall_slug
from clo_xl.persistence.reference_rows import reference_loads
from clo_xl.persistence.repository import bump_changed_deals, deal_loads
from clo_xl.persistence.retention import (
    abandoned_files,
    backup_keep,
    clear_pending,
    mark_pending,
    pending_marker,
    prune_backups,
)
from clo_xl.persistence.validation import (
    Check,
    HoldingRowIn,
    Transformed,
    calculation_parity,
    reconcile,
)
from clo_xl.provenance import code_version

Progress = Callable[[str, float], None]

#: tries of the load transaction when PostgreSQL refuses it for a concurrent update (should not happen: the
#: load locks out saves first, see :mod:`clo_xl.persistence.locks`; a safety net for other writers)
ATTEMPTS = 3
#: serialization_failure, deadlock_detected
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})


def _no_progress(step: str, fraction: float) -> None:
    return None


@dataclass
class MigrationReport:
    """What a migration did (or why it refused), for the JSON and HTML reports and ``audit.run_log``."""

    workbook: str
    database: str
    started_at: datetime
    status: str = "running"  # loaded | unchanged | validated (dry run) | rejected
    workbook_sha256: str | None = None
    finished_at: datetime | None = None
    seconds: float = 0.0
    checks: list[Check] = field(default_factory=list)
    tables: dict[str, SyncCounts] = field(default_factory=dict)
    deals: list[str] = field(default_factory=list)
    assets: int = 0
    holdings: int = 0
    backup: str | None = None
    clo_digest_before: str | None = None
    clo_digest_after: str | None = None
    bumped_deals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: CloXlError | None = None
    run_id: int | None = None

    @property
    def changed_rows(self) -> int:
        return sum(c.inserted + c.updated + c.deleted for c in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "workbook_sha256": self.workbook_sha256,
            "database": self.database,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": round(self.seconds, 3),
            "code_version": code_version(),
            "deals": self.deals,
            "assets": self.assets,
            "holdings": self.holdings,
            "changed_rows": self.changed_rows,
            "tables": {k: v.as_dict() for k, v in sorted(self.tables.items())},
            "bumped_deals": self.bumped_deals,
            "checks": [c.as_dict() for c in self.checks],
            "backup": self.backup,
            "clo_digest_before": self.clo_digest_before,
            "clo_digest_after": self.clo_digest_after,
            "warnings": self.warnings,
            "run_id": self.run_id,
            "error": None if self.error is None else self.error.to_json(),
        }


def transform(
    content: WorkbookContent, report: MigrationReport, progress: Progress
) -> tuple[Transformed, Book]:
    """L1 and L2 (no database): the validation layer's rules (:mod:`clo_xl.ingest.book`, the same every
    command applies), then the rows to load. Raises :class:`~clo_xl.errors.InputRejected` listing every
    problem of the workbook."""
    progress("L1/L2 validation", 0.15)
    book = content.book()
    rows = asset_columns(content.assets)
    report.checks.append(Check("L1", "All Assets: 70 headers, cell types", "passed", f"{len(rows)} rows"))
    deals = {name: found.inputs for name, found in book.deals.items()}
    holdings: dict[str, list[HoldingRowIn]] = {}
    for name, found in book.deals.items():
        if name not in content.holdings:
            raise IngestError(
                Location(file=content.file, sheet=content.deals[name].sheet),
                None,
                "the deal has no holdings block",
            )
        holdings[name] = [
            HoldingRowIn(h.brs_id, h.par, h.location or Location(file=content.file, column="BLKRockID"))
            for h in found.holdings
        ]
    report.checks.append(
        Check("L1", "deal sheets: blocks, cell types", "passed", f"{len(deals)} deals: {', '.join(deals)}")
    )
    held = sum(len(h) for h in holdings.values())
    report.checks.extend(
        [
            Check("L2", "ratings and enumerations valid", "passed", f"{len(book.universe)} assets parsed"),
            Check("L2", "value ranges and magnitudes", "passed", "every input cell of the legacy layout"),
            Check(
                "L2", "holdings reference All Assets", "passed", f"{held} holdings in {len(holdings)} deals"
            ),
            Check("L2", "dates ordered", "passed", "issue ≤ maturity; analysis < next payment"),
        ]
    )
    return Transformed(rows, deals, holdings), book


def _loads(content: WorkbookContent, t: Transformed, warnings: list[str]) -> list[TableLoad]:
    loads = [TableLoad(table_of(AssetRow), t.asset_rows)]
    per_deal = []
    for name, inputs in t.deals.items():
        rows = deal_rows(inputs, sheet_name=content.deals[name].sheet)
        slug = waterfall_slug(name)
        rows.deal["waterfall"] = slug if slug in waterfall_documents() else None
        rows.holdings = [
            {
                "deal": name,
                "analysis_date": inputs.analysis_date,
                "position": i,
                "asset_id": h.asset_id,
                "par": h.par,
            }
            for i, h in enumerate(t.holdings[name], start=1)
        ]
        per_deal.append(rows)
    loads.extend(deal_loads(per_deal))
    loads.extend(reference_loads(content, warnings))
    loads.extend(packaged_reference_loads(content))
    return loads


def migrate_content(
    content: WorkbookContent,
    url: str,
    *,
    progress: Progress = _no_progress,
    backup_path: Path | None = None,
    parity: bool = True,
    dry_run: bool = False,
) -> MigrationReport:
    """Migrate already-extracted workbook content. Never raises for bad input: a refused workbook gives a
    report with ``status == "rejected"`` and the located ``error`` (nothing was written).

    ``dry_run`` runs every level, the load included (and the schema upgrade a new database needs), inside
    the transaction and then rolls it all back: status ``validated`` with the row counts a real run would
    change; no backup is written and nothing is recorded."""
    started = time.perf_counter()
    report = MigrationReport(
        workbook=content.file,
        database=redact(url),
        started_at=datetime.now(UTC),
        workbook_sha256=content.sha256,
    )
    try:
        t, book = transform(content, report, progress)
        report.deals = list(t.deals)
        report.assets = len(t.asset_rows)
        report.holdings = sum(len(h) for h in t.holdings.values())
        loads = _loads(content, t, report.warnings)
        progress("schema", 0.4)
        if not dry_run:
            schema.ensure_current(url)
        keep = backup_keep() if backup_path is None and not dry_run else None
        lock = not dry_run or _has_deal_table(url)
        for attempt in range(1, ATTEMPTS + 1):
            checks_before = len(report.checks)
            try:
                if _load(
                    content,
                    url,
                    _Plan(t, book, loads, backup_path, parity, dry_run, lock, keep),
                    report,
                    progress,
                ):
                    return report  # dry run: rolled back and measured
                break
            except Exception as exc:
                if attempt == ATTEMPTS or not _is_transient_conflict(exc):
                    raise
                del report.checks[checks_before:]
                report.tables, report.bumped_deals = {}, []
                _discard(report.backup)
                report.backup = None
                report.warnings.append(
                    f"attempt {attempt} refused by a concurrent update, re-run: {describe(exc)}"
                )
        progress("done", 1.0)
    except CloXlError as exc:
        report.status = "rejected"
        report.error = exc
        report.tables = {}  # whatever was written has been rolled back
        report.checks.append(Check(_failed_level(report), "refused", "failed", str(exc)))
        _measure_after_rollback(report, url)
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError | OSError):
            raise
        detail = describe(exc)
        report.status = "rejected"
        report.tables = {}
        report.error = DatabaseError(f"the database refused the load, nothing was written: {detail}")
        report.checks.append(Check(_failed_level(report), "database", "failed", detail))
        _measure_after_rollback(report, url)
    report.finished_at = report.finished_at or datetime.now(UTC)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Plan:
    """What one load attempt needs: the transformed rows and the run's options."""

    transformed: Transformed
    book: Book
    loads: list[TableLoad]
    backup_path: Path | None
    parity: bool
    dry_run: bool
    lock: bool
    #: pre-migrate backups to keep in the default folder (None: an explicit --backup path, never pruned)
    keep: int | None


def _load(
    content: WorkbookContent, url: str, plan: _Plan, report: MigrationReport, progress: Progress
) -> bool:
    """One attempt at the load transaction (backup, load, L3, L4, run record, commit). Returns True for a
    dry run (rolled back and measured), False once committed; raises on any failure (rolled back)."""
    t = plan.transformed
    target: Path | None = None
    with engine_for(url).connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        try:
            if plan.lock:  # the first statement, before the snapshot (clo_xl.persistence.locks)
                lock_out_deal_writers(conn)
            actor = set_actor(conn)
            before = table_checksums(conn, CLO)
            report.clo_digest_before = digest(before)
            if plan.dry_run and schema.revision_on(conn) != schema.head_revision():
                schema.upgrade_on(conn, url)
            if not plan.dry_run:
                progress("backup", 0.45)
                default = default_backup_path()
                pre = default.with_name(default.name.replace("clo-", "pre-migrate-", 1))
                target = plan.backup_path or pre
                if plan.keep is not None:
                    mark_pending(target)  # a rollback point only once this load commits
                written = write_backup(conn, target, before).path
                report.backup = str(written)
                if plan.keep is not None:
                    _prune(written, plan.keep, report, conn)
            progress("load", 0.55)
            report.tables = sync_tables(conn, plan.loads, actor=actor)
            report.bumped_deals = bump_changed_deals(conn, actor)
            progress("L3 reconciliation", 0.75)
            report.checks.extend(reconcile(conn, content, t))
            if plan.parity:
                progress("L4 calculation parity", 0.85)
                report.checks.extend(calculation_parity(conn, content, t, plan.book.universe))
            else:
                report.checks.append(Check("L4", "calculation parity", "skipped", "disabled"))
            if plan.dry_run:
                conn.rollback()
                report.status = "validated"
                report.finished_at = datetime.now(UTC)
                report.seconds = (report.finished_at - report.started_at).total_seconds()
                progress("done", 1.0)
                _measure_after_rollback(report, url)
                return True
            report.clo_digest_after = digest(_checksums_after(conn, before, report))
            report.status = "unchanged" if report.changed_rows == 0 else "loaded"
            report.finished_at = datetime.now(UTC)
            report.seconds = (report.finished_at - report.started_at).total_seconds()
            report.run_id = record_run(
                conn,
                kind="migrate",
                status=report.status,
                started_at=report.started_at,
                finished_at=report.finished_at,
                inputs_digest=content.sha256,
                convention="legacy",
                parameters={"workbook": content.file, "backup": report.backup},
                outputs={k: v for k, v in report.as_dict().items() if k not in ("checks",)},
                actor=actor,
            )
            conn.commit()
        except BaseException:
            conn.rollback()
            if target is not None and plan.keep is not None:  # not a rollback point: nothing was loaded
                _discard(str(target))
                report.backup = None
            raise
    if target is not None and plan.keep is not None:
        clear_pending(target)
    return False


def _checksums_after(
    conn: Connection, before: dict[str, TableChecksum], report: MigrationReport
) -> dict[str, TableChecksum]:
    """The checksums of ``clo`` after the load, inside its transaction: those read before, re-read for every
    table this transaction changed (its change log, and the loader's own counts as a second witness); in a
    REPEATABLE READ snapshot no other table can differ."""
    prefix = f"{CLO}."
    changed = {name.removeprefix(prefix) for name in tables_changed(conn) if name.startswith(prefix)}
    changed |= {name for name, c in report.tables.items() if c.inserted + c.updated + c.deleted}
    if report.bumped_deals:
        changed.add("deal")
    return {**before, **table_checksums(conn, CLO, changed & before.keys())}


def _recorded(conn: Connection) -> Callable[[Path], bool]:
    """Whether a committed migrate run names ``backup`` (its load went in: a rollback point)."""

    def committed(backup: Path) -> bool:
        found = conn.execute(
            text(
                "SELECT 1 FROM audit.run_log WHERE kind = 'migrate' "
                "AND parameters->>'backup' IN (:path, :resolved) LIMIT 1"
            ),
            {"path": str(backup), "resolved": str(backup.resolve())},
        ).first()
        return found is not None

    return committed


def _prune(written: Path, keep: int, report: MigrationReport, conn: Connection) -> None:
    """Apply the pre-migrate backup retention; a file that cannot be deleted is a warning, not a failure."""
    committed = _recorded(conn)
    try:
        left = abandoned_files(written.parent, written, committed)
        deleted = prune_backups(written, keep, committed)
    except OSError as exc:
        report.warnings.append(f"could not prune old pre-migrate backups: {exc}")
        return
    if left:
        report.warnings.append(
            f"removed {len(left)} file(s) left by interrupted loads (partial or uncommitted backups)"
        )
    pruned = [p for p in deleted if p not in left]
    if pruned:
        report.warnings.append(f"deleted {len(pruned)} pre-migrate backup(s) beyond the newest {keep}")


def _has_deal_table(url: str) -> bool:
    with engine_for(url).connect() as conn:
        return deal_table_exists(conn)


def _is_transient_conflict(exc: BaseException) -> bool:
    """A serialisation failure or a deadlock: PostgreSQL rolled the attempt back; re-running it is safe."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in TRANSIENT_SQLSTATES


def _discard(path: str | None) -> None:
    """Remove the backup of an attempt that was rolled back (and its pending marker or partial file)."""
    if path is not None:
        backup = Path(path)
        for leftover in (backup, pending_marker(backup), backup.with_name(backup.name + ".part")):
            leftover.unlink(missing_ok=True)


def _failed_level(report: MigrationReport) -> str:
    """The level that was running when the migration stopped: the one after the last level passed."""
    passed = [c.level for c in report.checks if c.status == "passed"]
    last = int(max(passed)[1]) if passed else 0
    return f"L{min(last + 1, 4)}"


def _measure_after_rollback(report: MigrationReport, url: str) -> None:
    """After a refused load, read the digest of ``clo`` again: it must equal the one before."""
    if report.clo_digest_before is None:
        return
    try:
        with engine_for(url).connect() as conn:
            report.clo_digest_after = schema_digest(conn)
    except Exception as exc:  # the server itself is gone: say so rather than guess
        report.warnings.append(f"could not re-read the database after the rollback: {exc}")


def migrate_workbook(
    path: Path,
    url: str | Callable[[], str],
    *,
    progress: Progress = _no_progress,
    backup_path: Path | None = None,
    dry_run: bool = False,
) -> MigrationReport:
    """Read ``path`` and migrate it (see :func:`migrate_content`).

    ``url`` may be a callable that returns it (e.g. the result of an embedded server starting in another
    thread): it is called once the workbook is read, so the server starts while the workbook is parsed. A
    URL error it raises wins over a refused workbook, as when the URL is resolved first."""
    started = datetime.now(UTC)
    progress("extract", 0.02)
    try:
        content = workbook_content(path)
    except CloXlError as exc:
        resolved = url() if callable(url) else url
        report = MigrationReport(
            workbook=str(path), database=redact(resolved), started_at=started, status="rejected"
        )
        report.error = exc
        report.checks.append(Check("L1", "read workbook", "failed", str(exc)))
        report.finished_at = datetime.now(UTC)
        return report
    resolved = url() if callable(url) else url
    return migrate_content(content, resolved, progress=progress, backup_path=backup_path, dry_run=dry_run)
