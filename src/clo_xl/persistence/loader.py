"""Bulk synchronisation of ``clo`` tables to a wanted set of rows, touching only what differs.

Rows are staged with COPY into temporary tables, then, per table and in one transaction:
``UPDATE`` the rows whose content differs (``row_version + 1``, ``updated_at``, ``updated_by``), ``INSERT``
the new keys, and ``DELETE`` the keys of the table's scope that are no longer wanted. A row that did not
change is not written at all, so loading the same data twice leaves every byte of ``clo`` as it was and the
change log shows only real changes. Updates and inserts run parents first, deletes children first, so
foreign keys hold throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
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


@dataclass(frozen=True, eq=False)
class Columns:
    """Rows held column by column: ``values`` maps a column name to its values, all of one length (a column
    the table has but ``values`` lacks is NULL)."""

    values: Mapping[str, Sequence[Any]]

    def __len__(self) -> int:
        return len(next(iter(self.values.values()))) if self.values else 0


@dataclass(frozen=True)
class TableLoad:
    """The wanted rows of one table, and the scope they replace.

    ``rows`` are dictionaries keyed by column name, or a :class:`Columns` (a large table: staged without
    building a row object per row). ``scope`` limits deletion: ``{"deal": ["Mag 17"]}`` deletes only
    Mag 17's rows that are no longer wanted; ``None`` means the rows are the whole table.
    """

    table: Table
    rows: Sequence[Mapping[str, Any]] | Columns
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


#: rows per COPY message when staging columns
COPY_CHUNK = 4096
_NULL = "\\N"
#: COPY text format: the characters a value must escape (backslash, the row and column delimiters)
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_NONE = type(None)
#: value types written as COPY text directly, as psycopg's text dumpers write them; a column holding any
#: other type is staged through psycopg's own adaptation
_TEXT_TYPES = frozenset({_NONE, str, float, int, bool, date})


def _copy_text(value: Any) -> str:
    """One value in COPY text format (None → ``\\N``; floats by ``repr``: every bit kept)."""
    kind = value.__class__
    if value is None:
        return _NULL
    if kind is str:
        return cast(str, value).translate(_ESCAPES)
    if kind is float:
        return repr(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is date:
        return cast(date, value).isoformat()
    raise TypeError(f"no COPY text for {kind.__name__}")  # pragma: no cover - callers check the types first


def _copy_texts(values: Sequence[Any], types: set[type]) -> list[str]:
    """A column's values in COPY text format. Each distinct value is formatted once where equal values of
    different types cannot meet (``True`` / ``1`` / ``1.0``; ``0.0`` / ``-0.0``): floats go one by one."""
    if types <= {float, _NONE}:
        return [_NULL if v is None else repr(v) for v in values]
    if float not in types and len(types & {bool, int}) <= 1:
        formatted = {v: _copy_text(v) for v in set(values)}
        return list(map(formatted.__getitem__, values))
    return list(map(_copy_text, values))


def _json_texts(values: Sequence[Any]) -> list[str]:
    return [_NULL if v is None else json.dumps(v).translate(_ESCAPES) for v in values]


def _column_values(rows: Sequence[Mapping[str, Any]] | Columns, column: str) -> Sequence[Any]:
    if isinstance(rows, Columns):
        found = rows.values.get(column)
        return found if found is not None else list(repeat(None, len(rows)))
    return [r.get(column) for r in rows]


def _copy_rows(copy: Any, load: TableLoad, columns: Sequence[str], json_columns: set[str]) -> None:
    """Stream the load's rows into COPY: as text built column by column in chunks of :data:`COPY_CHUNK`
    rows, or row by row through psycopg's adaptation when a column holds a type the text path does not
    write."""
    n = len(load.rows)
    data = [_column_values(load.rows, c) for c in columns]
    types = [set(map(type, values)) for values in data]
    if any(c not in json_columns and not t <= _TEXT_TYPES for c, t in zip(columns, types, strict=True)):
        for row in zip(*data, strict=True):
            copy.write_row(
                tuple(
                    Jsonb(v) if c in json_columns and v is not None else v
                    for c, v in zip(columns, row, strict=True)
                )
            )
        return
    for start in range(0, n, COPY_CHUNK):
        stop = min(n, start + COPY_CHUNK)
        cells: list[Iterable[str]] = [
            _json_texts(values[start:stop]) if c in json_columns else _copy_texts(values[start:stop], t)
            for c, values, t in zip(columns, data, types, strict=True)
        ]
        copy.write("\n".join(map("\t".join, zip(*cells, strict=True))) + "\n")


#: a staged table of at least this many rows gets statistics on its key columns (ANALYZE) before the joins;
#: below, the planner's estimate from the table's size is enough (the sample's 27 ANALYZEs cost ~40 ms of
#: server time; a first load of 10,000 assets / 100 deals ran no slower without them)
ANALYZE_MIN_ROWS = 50_000


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
        _copy_rows(copy, load, columns, json_columns)
    if len(load.rows) >= ANALYZE_MIN_ROWS:
        conn.execute(text(f"ANALYZE {_q(stage)} ({', '.join(_q(k) for k in keys)})"))
    return _Staged(load, stage, columns, keys)


def _match(s: _Staged) -> str:
    return " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in s.keys)


def _values(s: _Staged) -> list[str]:
    return [c for c in s.columns if c not in s.keys]


def _differs(s: _Staged) -> str:
    values = _values(s)
    return (
        f"({', '.join('t.' + _q(c) for c in values)}) IS DISTINCT FROM "
        f"({', '.join('s.' + _q(c) for c in values)})"
    )


def _scope(s: _Staged, serial: int) -> tuple[str, dict[str, Any]]:
    """The SQL condition on the target rows (alias ``t``) of the load's scope, and its parameters."""
    if not s.load.scope:
        return "TRUE", {}
    parts, params = [], {}
    for i, (column, values) in enumerate(s.load.scope.items()):
        params[f"scope{serial}_{i}"] = list(values)
        parts.append(f"t.{_q(column)} = ANY(:scope{serial}_{i})")
    return " AND ".join(parts), params


def _pending(conn: Connection, staged: Sequence[_Staged]) -> list[tuple[bool, bool, bool]]:
    """For each staged table, whether it has rows to update, to insert and to delete: the same conditions as
    :func:`_upsert` and :func:`_delete_missing`, asked of every table in ONE statement, so a table with
    nothing to change costs no statement of its own (a re-run of the same workbook changes nothing).

    Asking before any write is exact: a table's answers depend on its own rows and its own staged rows only
    (keys are never updated, and deletes run children first after every upsert)."""
    if not staged:
        return []
    selects: list[str] = []
    params: dict[str, Any] = {}
    for n, s in enumerate(staged):
        target, stage, match = _full(s.load.table), _q(s.stage), _match(s)
        scope_sql, scope_params = _scope(s, n)
        params.update(scope_params)
        # counts, not EXISTS: an EXISTS is planned for its first row (nested loops), which is slow exactly
        # when nothing differs and every row has to be looked at
        update = (
            f"(SELECT count(*) FROM {stage} s JOIN {target} t ON {match} WHERE {_differs(s)})"
            if _values(s)
            else "0"
        )
        selects.append(
            f"SELECT {n} AS n, {update} AS u, "
            f"(SELECT count(*) FROM {stage} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})) AS i, "
            f"(SELECT count(*) FROM {target} t WHERE {scope_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {match})) AS d"
        )
    answers = conn.execute(text(" UNION ALL ".join(selects)), params)
    found = {int(n): (u > 0, i > 0, d > 0) for n, u, i, d in answers}
    return [found[n] for n in range(len(staged))]


def _upsert(conn: Connection, s: _Staged, actor: str, *, update: bool = True, insert: bool = True) -> None:
    target = _full(s.load.table)
    match = _match(s)
    values = _values(s)
    if values and update:
        assign = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in values)
        updated = conn.execute(
            text(
                f"UPDATE {target} t SET {assign}, row_version = t.row_version + 1, updated_at = now(), "
                f"updated_by = :actor FROM {_q(s.stage)} s WHERE {match} AND {_differs(s)}"
            ),
            {"actor": actor},
        )
        s.counts.updated = updated.rowcount
    if not insert:
        return
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
    scope_sql, params = _scope(s, 0)
    deleted = conn.execute(
        text(
            f"DELETE FROM {_full(s.load.table)} t WHERE {scope_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {_q(s.stage)} s WHERE {_match(s)})"
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
    pending = _pending(conn, staged)
    for s, (update, insert, _) in zip(staged, pending, strict=True):
        if update or insert:
            _upsert(conn, s, actor, update=update, insert=insert)
    for s, (_, _, delete) in reversed(list(zip(staged, pending, strict=True))):
        if delete:
            _delete_missing(conn, s)
    totals: dict[str, SyncCounts] = {}
    for s in staged:
        total = totals.setdefault(s.load.table.name, SyncCounts())
        total.inserted += s.counts.inserted
        total.updated += s.counts.updated
        total.deleted += s.counts.deleted
    return totals
