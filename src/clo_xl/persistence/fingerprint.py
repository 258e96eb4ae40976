"""Per-table checksums of a schema: the proof that a database is unchanged, or restored exactly.

A table's checksum is the MD5 of its rows' text forms sorted and joined (bookkeeping columns included, so a
touched row version or timestamp shows). Two databases with equal fingerprints hold the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
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


def table_checksums(conn: Connection, schema: str = "clo") -> dict[str, TableChecksum]:
    """``{table: (row count, md5 of the sorted row texts)}`` for every table of ``schema``."""
    out: dict[str, TableChecksum] = {}
    for table in schema_tables(conn, schema):
        rows, md5 = conn.execute(
            text(
                "SELECT count(*), coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), md5('')) "
                f'FROM (SELECT t::text AS r FROM "{schema}"."{table}" t) s'
            )
        ).one()
        out[table] = TableChecksum(int(rows), str(md5))
    return out


def digest(checksums: Mapping[str, TableChecksum]) -> str:
    """One SHA-256 over a fingerprint (table names, counts and checksums)."""
    h = hashlib.sha256()
    for table in sorted(checksums):
        c = checksums[table]
        h.update(f"{table}\t{c.rows}\t{c.md5}\n".encode())
    return h.hexdigest()


def schema_digest(conn: Connection, schema: str = "clo") -> str:
    return digest(table_checksums(conn, schema))
