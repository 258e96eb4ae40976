"""Declarative base, the constraint naming convention and the row-version mixin shared by every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

#: business data (CONTRACT §4)
CLO = "clo"
#: append-only audit trail and run history
AUDIT = "audit"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic concurrency: ``row_version`` starts at 1 and grows by one with every real change.

    An ORM update whose row version no longer matches raises ``StaleDataError``; the bulk loaders bump it
    themselves and touch a row only when one of its values differs, so re-loading the same workbook leaves
    versions and timestamps as they were.
    """

    row_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_by: Mapped[str] = mapped_column(Text, nullable=False, server_default=func.current_user())

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]


#: columns that record a change rather than describe the data (left out of content comparisons):
#: columns the database keeps itself (never loaded or compared by ``migrate``): the row version and who/when
#: last changed it, and a trade's ``created_at`` (set once, at insert)
BOOKKEEPING_COLUMNS = frozenset({"row_version", "updated_at", "updated_by", "created_at"})
