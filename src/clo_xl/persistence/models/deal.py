"""Deals and their ``Mag N Inputs`` blocks (COMPLIANCE_SPEC §1.5): holdings per analysis date, accounts,
the tranche matrix, threshold table, quality-test inputs, objective weights and cash-flow inputs.

Child rows are keyed by ``(deal, position)``: the position is the row's order in its sheet block, which is
meaningful (the threshold table's order is the report order; duplicate holdings are legal and summed).
Rates are fractions, amounts in deal currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, Double, ForeignKey, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clo_xl.persistence.models.base import CLO, Base, Versioned

_DEAL_FK = f"{CLO}.deal.deal"


def _deal_column() -> Mapped[str]:
    return mapped_column(Text, ForeignKey(_DEAL_FK, onupdate="CASCADE", ondelete="CASCADE"), primary_key=True)


class DealRow(Versioned, Base):
    """A deal ("Mag 17"): its sheet, dates, LIBOR and every sheet value not modelled by a child table.

    ``row_version`` is the deal's version for Save to DB: every saved edit to the deal or any of its child
    rows bumps it, so a workbook refreshed at version n can save only while the deal is still at n.
    """

    __tablename__ = "deal"
    __table_args__ = ({"schema": CLO, "comment": "Deals (one Mag N Inputs sheet each)"},)

    deal: Mapped[str] = mapped_column(Text, primary_key=True, comment="deal name, e.g. Mag 17")
    sheet_name: Mapped[str] = mapped_column(Text, nullable=False)
    analysis_date: Mapped[date | None] = mapped_column(Date)
    next_payment_date: Mapped[date | None] = mapped_column(Date)
    original_libor: Mapped[float | None] = mapped_column(Double, comment="fraction")
    current_libor: Mapped[float | None] = mapped_column(Double, comment="fraction")
    waterfall: Mapped[str | None] = mapped_column(Text, comment="waterfall version name")
    document: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default="{}", comment="other sheet values (date inputs, fees, ...)"
    )


class HoldingRow(Versioned, Base):
    """A ``DealCollateral`` row (BLKRockID, Par Amount) for one analysis date."""

    __tablename__ = "holding"
    __table_args__ = (
        CheckConstraint("par = par", name="par_not_nan"),
        {"schema": CLO, "comment": "Deal holdings per analysis date"},
    )

    deal: Mapped[str] = _deal_column()
    analysis_date: Mapped[date] = mapped_column(Date, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(
        Text, ForeignKey(f"{CLO}.asset.asset_id", onupdate="CASCADE"), nullable=False, index=True
    )
    par: Mapped[float] = mapped_column(Double, nullable=False)


class AccountRow(Versioned, Base):
    """A ``CLO Accounts`` row; collection principal may be negative (COMPLIANCE_SPEC §1.5)."""

    __tablename__ = "account"
    __table_args__ = ({"schema": CLO},)

    deal: Mapped[str] = _deal_column()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="AccountType: 1 Payment, 2 Collection"
    )
    name: Mapped[str | None] = mapped_column(Text)
    interest: Mapped[float | None] = mapped_column(Double)
    principal: Mapped[float | None] = mapped_column(Double)


class TrancheRow(Versioned, Base):
    """A column of the tranche matrix; ``properties`` keeps every field verbatim (``OC_Test: "NA"``)."""

    __tablename__ = "tranche"
    __table_args__ = ({"schema": CLO},)

    deal: Mapped[str] = _deal_column()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_name: Mapped[str] = mapped_column(Text, nullable=False)
    column_letter: Mapped[str | None] = mapped_column(Text)
    original_balance: Mapped[float | None] = mapped_column(Double)
    current_balance: Mapped[float | None] = mapped_column(Double)
    spread: Mapped[float | None] = mapped_column(Double, comment="fraction (0.0155 = 155 bp)")
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")


class TestThresholdRow(Versioned, Base):
    """A ``TestThresholds`` row, in the deal's legacy order; a NULL threshold is computed by the engine."""

    __tablename__ = "test_threshold"
    __table_args__ = (
        CheckConstraint("min_max IN ('Min', 'Max')", name="min_max"),
        {"schema": CLO},
    )

    deal: Mapped[str] = _deal_column()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_number: Mapped[int] = mapped_column(Integer, nullable=False)
    test_name: Mapped[str | None] = mapped_column(Text)
    min_max: Mapped[str] = mapped_column(Text, nullable=False)
    threshold: Mapped[float | None] = mapped_column(Double)
    overwrite: Mapped[float | None] = mapped_column(Double)
    previous_value: Mapped[float | None] = mapped_column(Double)


class QualityInputRow(Versioned, Base):
    """A ``QualityTestInputs`` label/value pair (labels are matched exactly, case-sensitively)."""

    __tablename__ = "quality_input"
    __table_args__ = ({"schema": CLO},)

    deal: Mapped[str] = _deal_column()
    label: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[float | None] = mapped_column(Double)
    value_text: Mapped[str | None] = mapped_column(Text, comment="non-numeric value, e.g. a date")


class ObjectiveWeightRow(Versioned, Base):
    """An ``ObjWeights`` row (test number, weight); at most 8 per deal."""

    __tablename__ = "objective_weight"
    __table_args__ = ({"schema": CLO},)

    deal: Mapped[str] = _deal_column()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_number: Mapped[int] = mapped_column(Integer, nullable=False)
    weight: Mapped[float] = mapped_column(Double, nullable=False)


class CashflowInputRow(Versioned, Base):
    """A ``CFInputs`` row (Input, Value), e.g. "A Liquidation Price" 0.96."""

    __tablename__ = "cashflow_input"
    __table_args__ = ({"schema": CLO},)

    deal: Mapped[str] = _deal_column()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    value: Mapped[float | None] = mapped_column(Double)
    value_text: Mapped[str | None] = mapped_column(Text)
