"""The audit schema: an append-only change log filled by triggers, and the run history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clo_xl.persistence.models.base import AUDIT, Base


class ChangeLogRow(Base):
    """One changed business row: who, when, which table and key, the row before and after (JSONB).

    Written only by the trigger ``audit.log_change`` (SECURITY DEFINER); nobody but the table owner may
    update or delete it (privileges revoked, and a trigger refuses it).
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_changed_at", "changed_at"),
        Index("ix_change_log_row_key", "row_key", postgresql_using="gin"),
        Index("ix_change_log_transaction_id", "transaction_id"),
        {"schema": AUDIT},
    )

    change_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=text("clock_timestamp()")
    )
    actor: Mapped[str] = mapped_column(Text, nullable=False, comment="clo.actor setting, else the role")
    db_role: Mapped[str] = mapped_column(Text, nullable=False, server_default=func.session_user())
    transaction_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    table_name: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    operation: Mapped[str] = mapped_column(Text, nullable=False)
    row_key: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class RunLogRow(Base):
    """A run: migrate, compliance, cash flows, backup, restore, save. Inputs' hash, code version,
    convention, parameters and outputs are kept so a result can be traced and reproduced."""

    __tablename__ = "run_log"
    __table_args__ = (
        Index("ix_run_log_transaction_id", "transaction_id"),
        Index("ix_run_log_started_at", "started_at"),
        {"schema": AUDIT},
    )

    run_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=text("clock_timestamp()")
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    deal: Mapped[str | None] = mapped_column(Text)
    inputs_hash: Mapped[str | None] = mapped_column(Text, comment="sha256 of the inputs")
    code_version: Mapped[str] = mapped_column(Text, nullable=False)
    convention: Mapped[str | None] = mapped_column(Text, comment="legacy or corrected")
    status: Mapped[str] = mapped_column(Text, nullable=False)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    outputs: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    transaction_id: Mapped[int | None] = mapped_column(
        BigInteger,
        server_default=text("txid_current()"),
        comment="txid_current() of the run's transaction",
    )
