"""Backup and restore of the business data (schema ``clo``), proven exact by per-table checksums.

A backup is a zip file: ``manifest.json`` (format, schema revision, time, actor, and per table its columns,
row count and checksum, see :mod:`clo_xl.persistence.fingerprint`) plus one PostgreSQL ``COPY`` text file per
table, read in one REPEATABLE READ snapshot. A restore replaces every ``clo`` table with the backup's rows in
ONE transaction and commits only if the restored checksums equal the manifest's, so a restore either
reproduces the backup exactly or changes nothing.

Why COPY rather than ``pg_dump``/``pg_restore`` (which pgserver ships): a restore must be one transaction
that verifies itself before committing, run with the ``clo_ops`` role (``pg_restore --disable-triggers``
needs a superuser) and keep the audit trail: the change-log triggers stay on, so a rollback is itself
audited, and the ``audit`` schema is never rewound. Every load by ``clo-xl migrate`` is preceded by a backup;
restoring it is the rollback.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, text

from clo_xl.errors import DatabaseError
from clo_xl.persistence.audit import current_actor, record_run, set_actor
from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.failures import database_errors
from clo_xl.persistence.fingerprint import TableChecksum, digest, table_checksums
from clo_xl.persistence.locks import lock_out_deal_writers
from clo_xl.persistence.models import CLO, Base
from clo_xl.persistence.schema import current_revision
from clo_xl.persistence.server import data_dir

FORMAT = "clo-xl-backup/1"
#: zlib level of the COPY files: 1 deflates the sample's 5.7 MB of COPY text in 16 ms to 0.48 MB (the default
#: 6 took 40 ms for 0.39 MB); every pre-migrate backup pays it, and a restore reads any level
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str | None
    tables: dict[str, TableChecksum]
    digest: str

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "revision": self.revision,
            "rows": self.rows,
            "digest": self.digest,
            "tables": {k: {"rows": v.rows, "md5": v.md5} for k, v in sorted(self.tables.items())},
        }


def clo_tables() -> list[Table]:
    """Business tables, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.schema == CLO]


def default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return data_dir() / "backups" / f"clo-{stamp}.zip"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _raw(conn: Connection) -> Any:
    return cast(Any, conn.connection.dbapi_connection)


def write_backup(
    conn: Connection, path: Path, checksums: Mapping[str, TableChecksum] | None = None
) -> BackupInfo:
    """Write a backup of ``clo`` from ``conn``'s current snapshot (the caller owns the transaction).

    ``checksums``: the :func:`~clo_xl.persistence.fingerprint.table_checksums` of ``clo`` already read in
    this same snapshot, with nothing written since (a REPEATABLE READ transaction: ``clo-xl migrate`` takes
    them once for its digest before the load); read here when not given."""
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    checks = dict(checksums) if checksums is not None else table_checksums(conn, CLO)
    tmp = path.with_name(path.name + ".part")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "actor": current_actor(),
        "revision": revision,
        "tables": {},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_zip(conn, tmp, manifest, checks)
        tmp.replace(path)
    except OSError as exc:  # full disk, file too large, no permission: leave no partial file behind
        tmp.unlink(missing_ok=True)
        raise DatabaseError(
            f"could not write the backup {path}: {exc.strerror or exc}; nothing was changed"
        ) from exc
    return BackupInfo(path, revision, checks, manifest["digest"])


def _write_zip(
    conn: Connection, tmp: Path, manifest: dict[str, Any], checks: dict[str, TableChecksum]
) -> None:
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
        for table in clo_tables():
            columns = [c.name for c in table.columns]
            keys = ", ".join(_q(c.name) for c in table.primary_key.columns)
            buffer = io.BytesIO()
            with (
                _raw(conn).cursor() as cur,
                cur.copy(
                    f"COPY (SELECT {', '.join(_q(c) for c in columns)} FROM {CLO}.{_q(table.name)} "
                    f"ORDER BY {keys}) TO STDOUT"
                ) as copy,
            ):
                for chunk in copy:
                    buffer.write(chunk)
            zf.writestr(f"{table.name}.copy", buffer.getvalue())
            check = checks[table.name]
            manifest["tables"][table.name] = {"columns": columns, "rows": check.rows, "md5": check.md5}
        manifest["digest"] = digest(checks)
        zf.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))


def backup(url: str, path: Path | None = None) -> BackupInfo:
    """Back up ``clo`` to ``path`` (default: ``<data dir>/backups/clo-<UTC time>.zip``)."""
    target = (path or default_backup_path()).expanduser().resolve()
    eng = engine_for(url)
    started = datetime.now(UTC)
    with database_errors("backup", wrote=False), eng.connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        info = write_backup(conn, target)
        conn.rollback()
    with database_errors("recording the backup in audit.run_log"), eng.begin() as conn:
        record_run(
            conn,
            kind="backup",
            status="ok",
            started_at=started,
            parameters={"path": str(target)},
            outputs=info.as_dict(),
        )
    return info


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise DatabaseError(f"{path} is not a clo-xl backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise DatabaseError(f"{path} has backup format {manifest.get('format')!r}, expected {FORMAT!r}")
    return cast(dict[str, Any], manifest)


def restore_into(conn: Connection, path: Path) -> BackupInfo:
    """Replace every ``clo`` table by the backup's rows inside ``conn``'s transaction, then verify.

    Raises :class:`DatabaseError` (the caller rolls back) when the schema revision differs or a restored
    checksum does not equal the manifest's.
    """
    manifest = read_manifest(path)
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    if manifest.get("revision") != revision:
        raise DatabaseError(
            f"backup {path} was taken at schema revision {manifest.get('revision')}, the database is at "
            f"{revision}; restore into a database at the same revision (clo-xl db upgrade)"
        )
    tables = clo_tables()
    with zipfile.ZipFile(path) as zf:
        for table in reversed(tables):
            conn.execute(text(f"DELETE FROM {CLO}.{_q(table.name)}"))
        for table in tables:
            entry = manifest["tables"].get(table.name)
            if entry is None:
                raise DatabaseError(f"backup {path} has no table {table.name}")
            columns = ", ".join(_q(c) for c in entry["columns"])
            with (
                _raw(conn).cursor() as cur,
                cur.copy(f"COPY {CLO}.{_q(table.name)} ({columns}) FROM STDIN") as copy,
            ):
                copy.write(zf.read(f"{table.name}.copy"))
            for column in table.columns:
                if column.identity is not None:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{CLO}.{table.name}', '{column.name}'), "
                            # at least 1: migrated Run Model trades carry ids below 0 (reference_rows)
                            f"greatest(coalesce((SELECT max({_q(column.name)}) "
                            f"FROM {CLO}.{_q(table.name)}), 0), 0) + 1, false)"
                        )
                    )
    restored = table_checksums(conn, CLO)
    wanted = {k: TableChecksum(int(v["rows"]), str(v["md5"])) for k, v in manifest["tables"].items()}
    if restored != wanted:
        bad = sorted(k for k in wanted if restored.get(k) != wanted[k])
        raise DatabaseError(f"restore of {path} did not reproduce the backup (tables {bad}); nothing changed")
    return BackupInfo(path, revision, restored, digest(restored))


def restore(url: str, path: Path) -> BackupInfo:
    """Restore a backup in one transaction; the database is unchanged if anything fails."""
    source = path.expanduser().resolve()
    if not source.exists():
        raise DatabaseError(f"no backup file at {source}")
    eng = engine_for(url)
    started = datetime.now(UTC)
    with database_errors(f"restore of {source}"), eng.begin() as conn:
        lock_out_deal_writers(conn)  # saves wait for the restore (clo_xl.persistence.locks)
        set_actor(conn)
        info = restore_into(conn, source)
        record_run(
            conn,
            kind="restore",
            status="ok",
            started_at=started,
            parameters={"path": str(source)},
            outputs=info.as_dict(),
        )
    return info


def revision_of(url: str) -> str | None:
    return current_revision(engine_for(url))
