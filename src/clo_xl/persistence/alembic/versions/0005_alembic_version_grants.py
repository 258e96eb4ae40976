"""Every clo-xl group role may read ``public.alembic_version``.

``clo-xl migrate`` first asks which schema revision the database is at (``schema.ensure_current``); without
SELECT on Alembic's bookkeeping table a ``clo_ops`` login was refused there, so operations could only
migrate as the owner. Reading the revision discloses nothing about the book; writing it stays with the owner
(schema upgrades are the owner's job). A new revision rather than an edit of 0003, because 0003 is already
applied on existing databases and Alembic would never run it again.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "clo_readonly, clo_analyst, clo_ops"


def upgrade() -> None:
    op.execute(f"GRANT SELECT ON public.alembic_version TO {ROLES}")


def downgrade() -> None:
    op.execute(f"REVOKE SELECT ON public.alembic_version FROM {ROLES}")
