"""Per-table checksums of a schema: the proof that a database is unchanged, or restored exactly.

A table's checksum is the MD5 of its rows' text forms sorted and joined (bookkeeping columns included, so a
touched row version or timestamp shows). Two databases with equal fingerprints hold the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class TableChecksum:
    rows: int
    md5: str


def schema_tables(conn: Connection, schema: str) -> list[str]:
    """Base tables of ``schema``, by name."""
    found = conn.execute(
        text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = :s AND table_type = 'BASE TABLE' ORDER BY table_name"
        ),
        {"s": schema},
    )
    return [str(r[0]) for r in found]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksums(
    conn: Connection, schema: str = "clo", tables: Iterable[str] | None = None
) -> dict[str, TableChecksum]:
    """``{table: (row count, md5 of the sorted row texts)}`` for every table of ``schema`` (or only
    ``tables``), read in one statement (one round trip, whatever the number of tables)."""
    names = schema_tables(conn, schema) if tables is None else sorted(set(tables))
    if not names:
        return {}
    selects = [
        f"SELECT {i} AS n, count(*) AS rows, coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), md5('')) "
        f"FROM (SELECT t::text AS r FROM {_quoted(schema)}.{_quoted(table)} t) s"
        for i, table in enumerate(names)
    ]
    found = conn.execute(text(" UNION ALL ".join(selects))).all()
    return {names[int(n)]: TableChecksum(int(rows), str(md5)) for n, rows, md5 in found}


def digest(checksums: Mapping[str, TableChecksum]) -> str:
    """One SHA-256 over a fingerprint (table names, counts and checksums)."""
    h = hashlib.sha256()
    for table in sorted(checksums):
        c = checksums[table]
        h.update(f"{table}\t{c.rows}\t{c.md5}\n".encode())
    return h.hexdigest()


def schema_digest(conn: Connection, schema: str = "clo") -> str:
    return digest(table_checksums(conn, schema))
