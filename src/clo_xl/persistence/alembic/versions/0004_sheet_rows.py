"""Verbatim workbook reference blocks (clo.sheet_row), audited and granted like every clo table.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sheet_row",
        sa.Column("block", sa.Text(), nullable=False, comment="e.g. reference.holidays"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("sheet_row", sa.Integer(), nullable=True),
        sa.Column("cells", postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment="header → value"),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("block", "position", name=op.f("pk_sheet_row")),
        schema="clo",
    )
    op.execute(
        "CREATE TRIGGER audit_change AFTER INSERT OR UPDATE OR DELETE ON clo.sheet_row "
        "FOR EACH ROW EXECUTE FUNCTION audit.log_change('block', 'position')"
    )
    op.execute("GRANT SELECT ON clo.sheet_row TO clo_readonly, clo_analyst, clo_ops")
    op.execute("GRANT INSERT, UPDATE, DELETE ON clo.sheet_row TO clo_ops")


def downgrade() -> None:
    op.drop_table("sheet_row", schema="clo")
