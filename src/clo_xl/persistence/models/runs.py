"""Waterfall versions and hypothetical trades (business data, schema ``clo``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Double, ForeignKey, Identity, Integer, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clo_xl.persistence.models.base import CLO, Base, Versioned


class WaterfallVersionRow(Versioned, Base):
    """A waterfall definition as data (the list of typed steps of one Mag version)."""

    __tablename__ = "waterfall_version"
    __table_args__ = ({"schema": CLO},)

    name: Mapped[str] = mapped_column(Text, primary_key=True, comment="e.g. mag17")
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class HypoTradeRow(Versioned, Base):
    """A hypothetical trade (``HypoAssets``): Buy/Sale of par at a price (points; NULL = market value)."""

    __tablename__ = "hypo_trade"
    __table_args__ = (
        CheckConstraint("transaction IN ('Buy', 'Sale')", name="transaction"),
        CheckConstraint("par >= 0", name="par_non_negative"),
        {"schema": CLO},
    )

    trade_id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    deal: Mapped[str] = mapped_column(
        Text, ForeignKey(f"{CLO}.deal.deal", onupdate="CASCADE", ondelete="CASCADE"), nullable=False
    )
    asset_id: Mapped[str] = mapped_column(Text, nullable=False)
    transaction: Mapped[str] = mapped_column(Text, nullable=False)
    par: Mapped[float] = mapped_column(Double, nullable=False)
    price: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
