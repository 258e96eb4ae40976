"""Least privilege, proven against the catalogue and by trying: each group role created by the Alembic
migrations (``clo_readonly``, ``clo_analyst``, ``clo_ops``) holds exactly the table privileges its job needs,
and every statement it must not run is refused by PostgreSQL itself.

The expected privileges are written here from the job descriptions (issue 5 §4, issue 7 §4), not read from
the migration, so a grant added or widened later fails this test until it is reviewed.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from clo_xl.persistence.engine import engine

pytestmark = pytest.mark.postgres

ROLES = ("clo_readonly", "clo_analyst", "clo_ops")
#: deal-level inputs an analyst saves from the workbook ("Save to DB"); the universe and reference data
#: are operations' (clo-xl migrate)
ANALYST_EDITABLE = frozenset(
    {
        "deal",
        "holding",
        "account",
        "tranche",
        "test_threshold",
        "quality_input",
        "objective_weight",
        "cashflow_input",
        "hypo_trade",
    }
)
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def expected_privileges(role: str, schema: str, table: str) -> set[str]:
    """What ``role`` should hold on ``schema.table``. ``public.alembic_version`` is checked on its own
    (reading the schema revision is harmless; writing it is not)."""
    read = {"SELECT"}
    write = {"INSERT", "UPDATE", "DELETE"}
    if schema == "clo":
        if role == "clo_ops":
            return read | write
        if role == "clo_analyst" and table in ANALYST_EDITABLE:
            return read | write
        return read
    if schema == "audit":
        if table == "run_log":  # every run is recorded; only those who run things append
            return read if role == "clo_readonly" else read | {"INSERT"}
        if table == "change_log":  # before/after values: not for read-only users; written by trigger only
            return set() if role == "clo_readonly" else read
        return set()
    return set()


def _tables(url: str) -> list[tuple[str, str]]:
    with engine(url).connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN ('clo', 'audit', 'public') AND table_type = 'BASE TABLE' "
                "ORDER BY 1, 2"
            )
        ).all()
    return [(str(s), str(t)) for s, t in rows]


def test_each_role_holds_exactly_its_privileges_on_every_table(db_url: str) -> None:
    tables = _tables(db_url)
    assert ("clo", "asset") in tables and ("audit", "change_log") in tables
    wrong: list[str] = []
    with engine(db_url).connect() as conn:
        for role in ROLES:
            for schema, table in tables:
                if (schema, table) == ("public", "alembic_version"):
                    continue
                held = {
                    p
                    for p in PRIVILEGES
                    if conn.execute(
                        sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                        {"r": role, "t": f'"{schema}"."{table}"', "p": p},
                    ).scalar_one()
                }
                want = expected_privileges(role, schema, table)
                if held != want:
                    wrong.append(
                        f"{role} on {schema}.{table}: has {sorted(held)}, should have {sorted(want)}"
                    )
    assert wrong == [], "\n".join(wrong)


def test_no_role_can_rewrite_the_schema_revision(db_url: str) -> None:
    with engine(db_url).connect() as conn:
        for role in ROLES:
            for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                held = conn.execute(
                    sa.text("SELECT has_table_privilege(:r, 'public.alembic_version', :p)"),
                    {"r": role, "p": privilege},
                ).scalar_one()
                assert not held, f"{role} may {privilege} public.alembic_version"


def test_group_roles_cannot_log_in_or_administer(db_url: str) -> None:
    with engine(db_url).connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, "
                "rolreplication FROM pg_roles WHERE rolname = ANY(:r) ORDER BY rolname"
            ),
            {"r": list(ROLES)},
        ).all()
    assert [r[0] for r in rows] == sorted(ROLES)
    for row in rows:
        assert not any(row[1:]), f"{row[0]} has a login or administrative attribute: {row}"


def _as(conn: sa.Connection, role: str) -> None:
    conn.execute(sa.text(f"SET LOCAL ROLE {role}"))


def refused(url: str, role: str, sql: str) -> str:
    """Run ``sql`` as ``role`` in a transaction that is rolled back; return PostgreSQL's refusal."""
    with engine(url).connect() as conn:
        tx = conn.begin()
        try:
            _as(conn, role)
            with pytest.raises(DBAPIError) as info:
                conn.execute(sa.text(sql))
        finally:
            tx.rollback()
    return str(info.value.orig)


def allowed(url: str, role: str, sql: str) -> None:
    with engine(url).connect() as conn:
        tx = conn.begin()
        try:
            _as(conn, role)
            conn.execute(sa.text(sql))
        finally:
            tx.rollback()


DENIED = "permission denied|must be owner|must be superuser|append-only|permission denied to set parameter"

#: (role, statement, why it must be refused)
FORBIDDEN: list[tuple[str, str, str]] = [
    ("clo_readonly", "INSERT INTO clo.deal SELECT * FROM clo.deal WHERE false", "read-only writes nothing"),
    (
        "clo_readonly",
        "UPDATE clo.asset SET issuer_name = issuer_name WHERE false",
        "read-only writes nothing",
    ),
    ("clo_readonly", "DELETE FROM clo.holding WHERE false", "read-only writes nothing"),
    ("clo_readonly", "INSERT INTO audit.run_log SELECT * FROM audit.run_log WHERE false", "runs nothing"),
    ("clo_readonly", "SELECT * FROM audit.change_log", "before/after values are not for read-only users"),
    ("clo_readonly", "CREATE TABLE clo.scratch (i int)", "no DDL"),
    ("clo_analyst", "DROP TABLE clo.holding", "no DDL"),
    ("clo_analyst", "TRUNCATE clo.holding", "TRUNCATE bypasses the row audit trigger"),
    ("clo_analyst", "ALTER TABLE clo.holding DISABLE TRIGGER audit_change", "cannot switch the audit off"),
    ("clo_analyst", "CREATE TABLE clo.scratch (i int)", "no DDL"),
    ("clo_analyst", "UPDATE clo.asset SET issuer_name = issuer_name WHERE false", "the universe is ops'"),
    ("clo_analyst", "DELETE FROM clo.asset WHERE false", "the universe is ops'"),
    ("clo_analyst", "INSERT INTO clo.rating SELECT * FROM clo.rating WHERE false", "reference data is ops'"),
    (
        "clo_analyst",
        "INSERT INTO audit.change_log SELECT * FROM audit.change_log WHERE false",
        "no forged audit",
    ),
    ("clo_analyst", "UPDATE audit.run_log SET status = status WHERE false", "audit is append-only"),
    ("clo_analyst", "DELETE FROM audit.change_log WHERE false", "audit is append-only"),
    ("clo_analyst", "SET session_replication_role = replica", "would silence the audit triggers"),
    ("clo_analyst", "GRANT clo_ops TO clo_analyst", "no privilege escalation"),
    ("clo_analyst", "CREATE ROLE clo_rogue", "no role administration"),
    ("clo_ops", "DROP TABLE clo.asset", "loading data is not changing the schema"),
    ("clo_ops", "ALTER TABLE clo.asset ADD COLUMN rogue int", "no DDL"),
    ("clo_ops", "TRUNCATE clo.asset", "TRUNCATE bypasses the row audit trigger"),
    ("clo_ops", "DROP TRIGGER audit_change ON clo.deal", "cannot switch the audit off"),
    ("clo_ops", "ALTER TABLE audit.change_log DISABLE TRIGGER append_only", "cannot switch the audit off"),
    ("clo_ops", "UPDATE audit.change_log SET actor = actor WHERE false", "audit is append-only"),
    ("clo_ops", "DELETE FROM audit.run_log WHERE false", "audit is append-only"),
    ("clo_ops", "TRUNCATE audit.change_log", "audit is append-only"),
    ("clo_ops", "CREATE SCHEMA rogue", "no DDL"),
    ("clo_ops", "SET session_replication_role = replica", "would silence the audit triggers"),
    ("clo_ops", "COPY clo.deal FROM '/etc/passwd'", "no server file access"),
    ("clo_ops", "CREATE TABLE public.scratch (i int)", "nothing outside the application schemas"),
]


@pytest.mark.parametrize(
    ("role", "sql", "why"), FORBIDDEN, ids=[f"{r}:{s.split(' WHERE')[0][:48]}" for r, s, _ in FORBIDDEN]
)
def test_role_is_refused(db_url: str, role: str, sql: str, why: str) -> None:
    message = refused(db_url, role, sql)
    assert re.search(DENIED, message), f"{role} should be refused ({why}); PostgreSQL said: {message}"


ALLOWED: list[tuple[str, str]] = [
    ("clo_readonly", "SELECT count(*) FROM clo.asset, clo.deal"),
    ("clo_readonly", "SELECT count(*) FROM audit.run_log"),
    ("clo_analyst", "UPDATE clo.deal SET current_libor = current_libor WHERE false"),
    ("clo_analyst", "DELETE FROM clo.holding WHERE false"),
    ("clo_analyst", "INSERT INTO clo.hypo_trade SELECT * FROM clo.hypo_trade WHERE false"),
    ("clo_analyst", "SELECT count(*) FROM audit.change_log"),
    ("clo_ops", "DELETE FROM clo.asset WHERE false"),
    ("clo_ops", "INSERT INTO clo.rating SELECT * FROM clo.rating WHERE false"),
]


@pytest.mark.parametrize(("role", "sql"), ALLOWED, ids=[f"{r}:{s[:40]}" for r, s in ALLOWED])
def test_role_may_do_its_job(db_url: str, role: str, sql: str) -> None:
    """The refusals above are not an artefact of a role that can do nothing at all."""
    allowed(db_url, role, sql)


def test_an_analyst_edit_is_audited_with_the_actor(db_url: str) -> None:
    eng = engine(db_url)
    with eng.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO clo.deal (deal, sheet_name, current_libor) "
                "VALUES ('Sec 1', 'Sec 1 Inputs', 0.01)"
            )
        )
    with eng.begin() as conn:
        _as(conn, "clo_analyst")
        conn.execute(sa.text("SELECT set_config('clo.actor', 'analyst.alice', true)"))
        conn.execute(sa.text("UPDATE clo.deal SET current_libor = 0.02 WHERE deal = 'Sec 1'"))
    with eng.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT actor, operation, before->>'current_libor', after->>'current_libor' "
                "FROM audit.change_log WHERE table_name = 'clo.deal' AND operation = 'UPDATE' "
                "ORDER BY change_id DESC LIMIT 1"
            )
        ).one()
    assert tuple(row) == ("analyst.alice", "UPDATE", "0.01", "0.02")
