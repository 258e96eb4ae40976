"""Audit trail: trigger-logged changes of every clo table, append-only audit tables.

Every INSERT/UPDATE/DELETE on a ``clo`` table writes one ``audit.change_log`` row (actor from the
``clo.actor`` setting, else the session role; the table; the primary key; the row before and after as JSONB)
through ``audit.log_change()``, a SECURITY DEFINER function, so roles need no privilege on the log itself.
``audit.refuse_change()`` refuses UPDATE, DELETE and TRUNCATE of audit rows by anyone but the table owner.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: clo tables at this revision and their primary keys (frozen here, not read from the models)
AUDITED: dict[str, tuple[str, ...]] = {
    "asset": ("asset_id",),
    "cashflow_assumption": ("position",),
    "cashflow_vector": ("name", "period"),
    "control_cell": ("cell",),
    "correlation": ("matrix", "row_key", "column_key"),
    "country_set": ("set_name", "country"),
    "curve_point": ("curve", "as_of", "point_date"),
    "deal": ("deal",),
    "diversity_score": ("equivalent_units",),
    "filter_list": ("list_name", "position"),
    "holiday": ("calendar", "day"),
    "industry": ("agency", "name"),
    "rate_fixing": ("series", "fixing_date"),
    "rating": ("agency", "rating"),
    "recovery_rate": ("agency", "category", "rating"),
    "sink_schedule": ("asset_id", "pay_date"),
    "transition": ("matrix", "from_rating", "to_rating"),
    "waterfall_version": ("name", "version"),
    "account": ("deal", "position"),
    "cashflow_input": ("deal", "position"),
    "holding": ("deal", "analysis_date", "position"),
    "hypo_trade": ("trade_id",),
    "objective_weight": ("deal", "position"),
    "quality_input": ("deal", "label"),
    "test_threshold": ("deal", "position"),
    "tranche": ("deal", "position"),
}

LOG_CHANGE = """
CREATE OR REPLACE FUNCTION audit.log_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    old_row jsonb;
    new_row jsonb;
    source jsonb;
    row_key jsonb := '{}'::jsonb;
    key_column text;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    source := coalesce(new_row, old_row);
    FOREACH key_column IN ARRAY TG_ARGV LOOP
        row_key := row_key || jsonb_build_object(key_column, source -> key_column);
    END LOOP;
    INSERT INTO audit.change_log
        (actor, db_role, transaction_id, table_name, operation, row_key, before, after)
    VALUES (
        coalesce(nullif(current_setting('clo.actor', true), ''), session_user::text),
        session_user::text, txid_current(), TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
        row_key, old_row, new_row);
    RETURN NULL;
END
$fn$
"""

REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF current_user::text <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RAISE EXCEPTION 'audit.% is append-only: % refused for role %', TG_TABLE_NAME, TG_OP, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$fn$
"""


def upgrade() -> None:
    op.execute(LOG_CHANGE)
    op.execute(REFUSE_CHANGE)
    op.execute("REVOKE ALL ON FUNCTION audit.log_change() FROM PUBLIC")
    for table, key in AUDITED.items():
        args = ", ".join(f"'{column}'" for column in key)
        op.execute(
            f"CREATE TRIGGER audit_change AFTER INSERT OR UPDATE OR DELETE ON clo.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit.log_change({args})"
        )
    for table in ("change_log", "run_log"):
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit.{table} FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit.{table} "
            "FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()"
        )
    op.execute("CREATE INDEX ix_change_log_changed_at ON audit.change_log (changed_at)")
    op.execute("CREATE INDEX ix_change_log_row_key ON audit.change_log USING gin (row_key)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS audit.ix_change_log_row_key")
    op.execute("DROP INDEX IF EXISTS audit.ix_change_log_changed_at")
    for table in ("change_log", "run_log"):
        op.execute(f"DROP TRIGGER IF EXISTS append_only_truncate ON audit.{table}")
        op.execute(f"DROP TRIGGER IF EXISTS append_only ON audit.{table}")
    for table in AUDITED:
        op.execute(f"DROP TRIGGER IF EXISTS audit_change ON clo.{table}")
    op.execute("DROP FUNCTION IF EXISTS audit.refuse_change()")
    op.execute("DROP FUNCTION IF EXISTS audit.log_change()")
