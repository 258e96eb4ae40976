"""Group roles with least-privilege grants: clo_readonly, clo_analyst, clo_ops (all NOLOGIN).

* ``clo_readonly``: read business data and the run history; nothing else.
* ``clo_analyst``: read business data and the change log; edit deal inputs and hypothetical trades
  (Save to DB) but never the asset universe or reference data; record runs.
* ``clo_ops``: everything an analyst can, plus loading any business table (``clo-xl migrate``, restore).
Nobody but the owner may update or delete audit rows (0002). Login roles are granted one of these groups by
the database administrator (``GRANT clo_analyst TO alice``). Roles are cluster-wide, so creating them is
idempotent and downgrading only revokes this database's grants.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("clo_readonly", "clo_analyst", "clo_ops")
#: deal-level inputs an analyst may save from the workbook
ANALYST_EDITABLE = (
    "deal",
    "holding",
    "account",
    "tranche",
    "test_threshold",
    "quality_input",
    "objective_weight",
    "cashflow_input",
    "hypo_trade",
)


def upgrade() -> None:
    for role in ROLES:
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    everyone = ", ".join(ROLES)
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA clo FROM PUBLIC")
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM PUBLIC")
    op.execute("REVOKE ALL ON SCHEMA clo, audit FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA clo, audit TO {everyone}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA clo TO {everyone}")
    op.execute(f"GRANT SELECT ON audit.run_log TO {everyone}")
    op.execute("GRANT SELECT ON audit.change_log TO clo_analyst, clo_ops")
    op.execute("GRANT INSERT ON audit.run_log TO clo_analyst, clo_ops")
    op.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO clo_analyst, clo_ops")
    editable = ", ".join(f"clo.{t}" for t in ANALYST_EDITABLE)
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON {editable} TO clo_analyst")
    op.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA clo TO clo_analyst, clo_ops")
    op.execute("GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA clo TO clo_ops")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA clo GRANT SELECT ON TABLES TO {everyone}")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA clo GRANT INSERT, UPDATE, DELETE ON TABLES TO clo_ops")


def downgrade() -> None:
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA clo REVOKE ALL ON TABLES FROM clo_readonly, clo_analyst, clo_ops"
    )
    for role in ROLES:
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA clo FROM {role}")
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM {role}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA clo FROM {role}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA audit FROM {role}")
        op.execute(f"REVOKE ALL ON SCHEMA clo, audit FROM {role}")
