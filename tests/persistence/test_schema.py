"""Alembic migrations build schemas clo and audit; the audit trail records every change and cannot be
rewritten; the roles get exactly their least privileges."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DBAPIError

from clo_xl.persistence import schema
from clo_xl.persistence.audit import record_run, set_actor
from clo_xl.persistence.engine import engine
from clo_xl.persistence.models import Base

pytestmark = pytest.mark.postgres


def _deal(conn: sa.Connection, name: str = "Mag 99") -> None:
    conn.execute(
        sa.text("INSERT INTO clo.deal (deal, sheet_name, current_libor) VALUES (:d, :s, 0.005)"),
        {"d": name, "s": f"{name} Inputs"},
    )


def test_upgrade_builds_both_schemas_and_is_idempotent(empty_db_url: str) -> None:
    assert schema.upgrade(empty_db_url) == schema.head_revision()
    assert schema.upgrade(empty_db_url) == schema.head_revision()  # second run: nothing to do
    with engine(empty_db_url).connect() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema IN ('clo', 'audit')"
            )
        ).scalars()
        found = set(tables)
    assert found == {f"{t.schema}.{t.name}" for t in Base.metadata.sorted_tables}
    assert "clo.asset" in found and "audit.change_log" in found


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    cfg = schema.alembic_config(empty_db_url)
    with engine(empty_db_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine(empty_db_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'clo'")).scalar() == 0
    assert schema.upgrade(empty_db_url) == schema.head_revision()


def test_head_revision_is_alembics_head_and_the_revision_query_agrees_with_alembic(
    empty_db_url: str,
) -> None:
    """The "is the schema current" check reads one table against a constant: the constant must be the
    head Alembic finds in the packaged scripts, and the query must answer what Alembic answers."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema.alembic_config(empty_db_url))
    assert script.get_current_head() == schema.HEAD_REVISION
    with engine(empty_db_url).connect() as conn:
        assert schema.revision_on(conn) is None  # a database Alembic never touched
        assert MigrationContext.configure(conn).get_current_revision() is None
    schema.upgrade(empty_db_url, "0004")
    with engine(empty_db_url).connect() as conn:
        assert schema.revision_on(conn) == "0004" == MigrationContext.configure(conn).get_current_revision()
    schema.ensure_current(empty_db_url)
    assert schema.current_revision(engine(empty_db_url)) == script.get_current_head()


def test_checking_the_schema_imports_no_alembic() -> None:
    """``clo-xl migrate`` on a current database never imports Alembic (nor Mako): only an upgrade does."""
    code = (
        "import sys; import clo_xl.persistence.migration, clo_xl.commands.migrate; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "[]"


def test_asset_table_keeps_all_seventy_legacy_columns(db_url: str) -> None:
    with engine(db_url).connect() as conn:
        comments = conn.execute(
            sa.text(
                "SELECT col_description('clo.asset'::regclass, attnum) FROM pg_attribute "
                "WHERE attrelid = 'clo.asset'::regclass AND attnum > 0 AND NOT attisdropped"
            )
        ).scalars()
        headers = {c for c in comments if c}
    from clo_xl.persistence.asset_columns import HEADERS

    missing = set(HEADERS) - headers - {"All Assets row it was read from"}
    assert missing == set(), missing
    assert "Country " in headers and "Delayed Drawdown " in headers  # trailing spaces kept


def test_change_log_records_who_what_before_and_after(db_url: str) -> None:
    eng = engine(db_url)
    with eng.begin() as conn:
        set_actor(conn, "alice")
        _deal(conn)
    with eng.begin() as conn:
        set_actor(conn, "bob")
        conn.execute(sa.text("UPDATE clo.deal SET current_libor = 0.006 WHERE deal = 'Mag 99'"))
    with eng.begin() as conn:
        conn.execute(sa.text("DELETE FROM clo.deal WHERE deal = 'Mag 99'"))
    with eng.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT actor, operation, row_key, before->>'current_libor', after->>'current_libor', "
                "table_name FROM audit.change_log ORDER BY change_id"
            )
        ).all()
    assert [(r[0], r[1]) for r in rows] == [("alice", "INSERT"), ("bob", "UPDATE"), ("postgres", "DELETE")]
    assert all(r[2] == {"deal": "Mag 99"} and r[5] == "clo.deal" for r in rows)
    assert (rows[0][3], rows[0][4]) == (None, "0.005")
    assert (rows[1][3], rows[1][4]) == ("0.005", "0.006")
    assert (rows[2][3], rows[2][4]) == ("0.006", None)


def _as_role(conn: sa.Connection, role: str) -> None:
    conn.execute(sa.text(f"SET LOCAL ROLE {role}"))


def _refused(db_url: str, role: str, sql: str) -> str:
    with engine(db_url).connect() as conn, pytest.raises(DBAPIError) as info, conn.begin():
        _as_role(conn, role)
        conn.execute(sa.text(sql))
    return str(info.value.orig)


def _allowed(db_url: str, role: str, sql: str) -> None:
    with engine(db_url).connect() as conn:
        tx = conn.begin()
        _as_role(conn, role)
        conn.execute(sa.text(sql))
        tx.rollback()


@pytest.fixture
def seeded(db_url: str) -> str:
    with engine(db_url).begin() as conn:
        _deal(conn)
        record_run(
            conn,
            kind="compliance",
            status="ok",
            started_at=datetime.now(UTC),
            deal="Mag 99",
            outputs={"tests": []},
        )
    return db_url


def test_audit_rows_cannot_be_changed_by_any_role(seeded: str) -> None:
    for role in ("clo_readonly", "clo_analyst", "clo_ops"):
        assert "permission denied" in _refused(seeded, role, "UPDATE audit.change_log SET actor = 'x'")
        assert "permission denied" in _refused(seeded, role, "DELETE FROM audit.run_log")
        assert "permission denied" in _refused(seeded, role, "TRUNCATE audit.change_log")


def test_append_only_trigger_refuses_even_a_granted_update(seeded: str) -> None:
    with engine(seeded).begin() as conn:
        conn.execute(sa.text("DROP ROLE IF EXISTS clo_test_rogue"))
        conn.execute(sa.text("CREATE ROLE clo_test_rogue NOLOGIN"))
        conn.execute(sa.text("GRANT USAGE ON SCHEMA audit TO clo_test_rogue"))
        conn.execute(sa.text("GRANT SELECT, UPDATE, DELETE ON audit.change_log TO clo_test_rogue"))
    try:
        assert "append-only" in _refused(seeded, "clo_test_rogue", "UPDATE audit.change_log SET actor = 'x'")
        assert "append-only" in _refused(seeded, "clo_test_rogue", "DELETE FROM audit.change_log")
    finally:
        with engine(seeded).begin() as conn:
            conn.execute(sa.text("REVOKE ALL ON audit.change_log FROM clo_test_rogue"))
            conn.execute(sa.text("REVOKE ALL ON SCHEMA audit FROM clo_test_rogue"))
            conn.execute(sa.text("DROP ROLE clo_test_rogue"))


def test_readonly_reads_but_never_writes(seeded: str) -> None:
    _allowed(seeded, "clo_readonly", "SELECT * FROM clo.asset, clo.deal")
    _allowed(seeded, "clo_readonly", "SELECT * FROM audit.run_log")
    assert "permission denied" in _refused(seeded, "clo_readonly", "UPDATE clo.deal SET current_libor = 0")
    assert "permission denied" in _refused(seeded, "clo_readonly", "SELECT * FROM audit.change_log")


def test_analyst_edits_deal_inputs_but_not_the_universe(seeded: str) -> None:
    _allowed(seeded, "clo_analyst", "UPDATE clo.deal SET current_libor = 0.007 WHERE deal = 'Mag 99'")
    _allowed(
        seeded,
        "clo_analyst",
        "INSERT INTO clo.objective_weight (deal, position, test_number, weight) "
        "VALUES ('Mag 99', 1, 32, 0.6)",
    )
    _allowed(
        seeded,
        "clo_analyst",
        "INSERT INTO clo.hypo_trade (deal, asset_id, transaction, par) VALUES ('Mag 99', 'X1', 'Buy', 1e6)",
    )
    _allowed(seeded, "clo_analyst", "SELECT * FROM audit.change_log")
    assert "permission denied" in _refused(
        seeded, "clo_analyst", "INSERT INTO clo.asset (asset_id) VALUES ('X')"
    )
    assert "permission denied" in _refused(seeded, "clo_analyst", "DELETE FROM clo.rating")


def test_ops_loads_every_business_table(seeded: str) -> None:
    _allowed(seeded, "clo_ops", "INSERT INTO clo.asset (asset_id) VALUES ('X')")
    _allowed(seeded, "clo_ops", "DELETE FROM clo.deal")
    _allowed(
        seeded,
        "clo_ops",
        "INSERT INTO audit.run_log (actor, kind, code_version, status) VALUES ('o', 'migrate', 'v', 'ok')",
    )
    assert "must be owner" in _refused(seeded, "clo_ops", "DROP TABLE clo.asset")


def test_log_run_keeps_inputs_hash_code_version_and_outputs(db_url: str) -> None:
    from clo_xl.persistence.audit import code_version, inputs_hash, log_run

    inputs = {"deal": "Mag 99", "analysis_date": "2016-03-23", "holdings": [["A", 1.0]]}
    began = datetime.now(UTC) - timedelta(seconds=2)
    run_id = log_run(
        db_url,
        kind="compliance",
        deal="Mag 99",
        inputs=inputs,
        convention="legacy",
        outputs={"tests": [1, 2]},
        started_at=began,
    )
    with engine(db_url).connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT inputs_hash, code_version, convention, outputs, started_at, finished_at "
                "FROM audit.run_log WHERE run_id = :r"
            ),
            {"r": run_id},
        ).one()
    assert row[4] == began and (row[5] - row[4]).total_seconds() >= 2  # the real start, not insert time
    # sha256 of the canonical JSON (sorted keys, no spaces), computed independently here
    import hashlib
    import json

    expected = hashlib.sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert row[0] == expected == inputs_hash(inputs)
    assert row[1] == code_version() and row[2] == "legacy" and row[3] == {"tests": [1, 2]}


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    """Alembic's autogenerate finds nothing to add: the hand-written migrations and the typed models agree
    (tables, columns, types, nullability, indexes, constraint names)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def in_scope(name: str | None, type_: str, parent: object) -> bool:
        return name in ("clo", "audit") if type_ == "schema" else True

    with engine(db_url).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_schemas": True, "include_name": in_scope, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []
