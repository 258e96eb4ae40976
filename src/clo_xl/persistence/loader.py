"""Bulk synchronisation of ``clo`` tables to a wanted set of rows, touching only what differs.

Rows are staged with COPY into temporary tables, then, per table and in one transaction:
``UPDATE`` the rows whose content differs (``row_version + 1``, ``updated_at``, ``updated_by``), ``INSERT``
the new keys, and ``DELETE`` the keys of the table's scope that are no longer wanted. A row that did not
change is not written at all, so loading the same data twice leaves every byte of ``clo`` as it was and the
change log shows only real changes. Updates and inserts run parents first, deletes children first, so
foreign keys hold throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects.postgresql import JSONB

from clo_xl.persistence.models import BOOKKEEPING_COLUMNS, Base


@dataclass
class SyncCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "deleted": self.deleted}


@dataclass(frozen=True)
class TableLoad:
    """The wanted rows of one table, and the scope they replace.

    ``scope`` limits deletion: ``{"deal": ["Mag 17"]}`` deletes only Mag 17's rows that are no longer
    wanted; ``None`` means the rows are the whole table.
    """

    table: Table
    rows: Sequence[Mapping[str, Any]]
    scope: Mapping[str, Sequence[Any]] | None = None


def table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


@dataclass
class _Staged:
    load: TableLoad
    stage: str
    columns: list[str]
    keys: list[str]
    counts: SyncCounts = field(default_factory=SyncCounts)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _full(table: Table) -> str:
    return f"{_q(str(table.schema))}.{_q(table.name)}"


def _stage(conn: Connection, load: TableLoad, serial: int) -> _Staged:
    table = load.table
    columns = [c.name for c in table.columns if c.name not in BOOKKEEPING_COLUMNS]
    keys = [c.name for c in table.primary_key.columns]
    stage = f"stage_{serial}_{table.name}"
    conn.execute(
        text(f"CREATE TEMP TABLE {_q(stage)} (LIKE {_full(table)} INCLUDING DEFAULTS) ON COMMIT DROP")
    )
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSONB)}
    raw = cast(Any, conn.connection.dbapi_connection)
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {_q(stage)} ({', '.join(_q(c) for c in columns)}) FROM STDIN") as copy,
    ):
        for row in load.rows:
            copy.write_row(
                tuple(
                    Jsonb(row.get(c)) if c in json_columns and row.get(c) is not None else row.get(c)
                    for c in columns
                )
            )
    conn.execute(text(f"ANALYZE {_q(stage)} ({', '.join(_q(k) for k in keys)})"))
    return _Staged(load, stage, columns, keys)


def _upsert(conn: Connection, s: _Staged, actor: str) -> None:
    target = _full(s.load.table)
    match = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in s.keys)
    values = [c for c in s.columns if c not in s.keys]
    if values:
        assign = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in values)
        differs = (
            f"({', '.join('t.' + _q(c) for c in values)}) IS DISTINCT FROM "
            f"({', '.join('s.' + _q(c) for c in values)})"
        )
        updated = conn.execute(
            text(
                f"UPDATE {target} t SET {assign}, row_version = t.row_version + 1, updated_at = now(), "
                f"updated_by = :actor FROM {_q(s.stage)} s WHERE {match} AND {differs}"
            ),
            {"actor": actor},
        )
        s.counts.updated = updated.rowcount
    cols = ", ".join(_q(c) for c in s.columns)
    inserted = conn.execute(
        text(
            f"INSERT INTO {target} ({cols}, updated_by) SELECT {', '.join('s.' + _q(c) for c in s.columns)}, "
            f":actor FROM {_q(s.stage)} s WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})"
        ),
        {"actor": actor},
    )
    s.counts.inserted = inserted.rowcount


def _delete_missing(conn: Connection, s: _Staged) -> None:
    target = _full(s.load.table)
    match = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in s.keys)
    params: dict[str, Any] = {}
    scope_sql = "TRUE"
    if s.load.scope is not None:
        parts = []
        for i, (column, values) in enumerate(s.load.scope.items()):
            params[f"scope{i}"] = list(values)
            parts.append(f"t.{_q(column)} = ANY(:scope{i})")
        scope_sql = " AND ".join(parts) if parts else "TRUE"
    deleted = conn.execute(
        text(
            f"DELETE FROM {target} t WHERE {scope_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {_q(s.stage)} s WHERE {match})"
        ),
        params,
    )
    s.counts.deleted = deleted.rowcount


def sync_tables(conn: Connection, loads: Sequence[TableLoad], *, actor: str) -> dict[str, SyncCounts]:
    """Make each table hold exactly its wanted rows (within its scope); returns counts per table.

    Runs inside the caller's transaction; nothing is committed here.
    """
    order = {t.key: i for i, t in enumerate(Base.metadata.sorted_tables)}
    ordered = sorted(loads, key=lambda load: order[load.table.key])
    staged = [_stage(conn, load, i) for i, load in enumerate(ordered)]
    for s in staged:
        _upsert(conn, s, actor)
    for s in reversed(staged):
        _delete_missing(conn, s)
    totals: dict[str, SyncCounts] = {}
    for s in staged:
        total = totals.setdefault(s.load.table.name, SyncCounts())
        total.inserted += s.counts.inserted
        total.updated += s.counts.updated
        total.deleted += s.counts.deleted
    return totals
