"""``audit.run_log`` learns the transaction it ran in, so ``clo-xl db log`` folds each run's changes into it.

A run recorded inside the transaction that changed ``clo`` (migrate, save, restore) gets that transaction's
id (``txid_current()``, the same number the change-log trigger writes into ``audit.change_log``); changes
with no run beside them are then visibly someone else's (SQL outside clo-xl). Rows written before this
revision keep NULL: their transaction is not known. Both columns get an index for the join and the time
filters of ``db log``.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # added without a default first, so existing rows stay NULL instead of taking this upgrade's txid
    op.execute("ALTER TABLE audit.run_log ADD COLUMN transaction_id bigint")
    op.execute("ALTER TABLE audit.run_log ALTER COLUMN transaction_id SET DEFAULT txid_current()")
    op.execute("COMMENT ON COLUMN audit.run_log.transaction_id IS 'txid_current() of the run''s transaction'")
    op.execute("CREATE INDEX ix_run_log_transaction_id ON audit.run_log (transaction_id)")
    op.execute("CREATE INDEX ix_run_log_started_at ON audit.run_log (started_at)")
    op.execute("CREATE INDEX ix_change_log_transaction_id ON audit.change_log (transaction_id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS audit.ix_change_log_transaction_id")
    op.execute("DROP INDEX IF EXISTS audit.ix_run_log_started_at")
    op.execute("DROP INDEX IF EXISTS audit.ix_run_log_transaction_id")
    op.execute("ALTER TABLE audit.run_log DROP COLUMN transaction_id")
