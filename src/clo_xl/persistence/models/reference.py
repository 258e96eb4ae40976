"""Reference tables: ratings and factors, recovery matrix, diversity table, country sets, industries,
holidays, fixings and curves, transition matrices, correlation, cash-flow assumptions and vectors, sink
schedules, filter lists and the ``Run Model`` control cells. Rates are fractions unless stated."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Double, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clo_xl.persistence.models.base import CLO, Base, Versioned


class RatingRow(Versioned, Base):
    """A rating on an agency scale with its rank (1 = best) and Moody's rating factor (WARF)."""

    __tablename__ = "rating"
    __table_args__ = ({"schema": CLO},)

    agency: Mapped[str] = mapped_column(Text, primary_key=True, comment="MOODYS or SP")
    rating: Mapped[str] = mapped_column(Text, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    rating_factor: Mapped[float | None] = mapped_column(Double)


class RecoveryRateRow(Versioned, Base):
    """Recovery matrix cell: agency, asset category, rating → recovery rate."""

    __tablename__ = "recovery_rate"
    __table_args__ = ({"schema": CLO},)

    agency: Mapped[str] = mapped_column(Text, primary_key=True)
    category: Mapped[str] = mapped_column(Text, primary_key=True)
    rating: Mapped[str] = mapped_column(Text, primary_key=True)
    rate: Mapped[float] = mapped_column(Double, nullable=False)


class DiversityScoreRow(Versioned, Base):
    """Moody's diversity table: aggregate industry equivalent unit score → industry diversity score."""

    __tablename__ = "diversity_score"
    __table_args__ = ({"schema": CLO},)

    equivalent_units: Mapped[float] = mapped_column(Double, primary_key=True)
    diversity_score: Mapped[float] = mapped_column(Double, nullable=False)


class CountrySetRow(Versioned, Base):
    """Membership of a country set (Group I/II/III, tax jurisdictions, ...)."""

    __tablename__ = "country_set"
    __table_args__ = ({"schema": CLO},)

    set_name: Mapped[str] = mapped_column(Text, primary_key=True)
    country: Mapped[str] = mapped_column(Text, primary_key=True)


class IndustryRow(Versioned, Base):
    """An industry of an agency's classification."""

    __tablename__ = "industry"
    __table_args__ = ({"schema": CLO},)

    agency: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[str | None] = mapped_column(Text)


class HolidayRow(Versioned, Base):
    """A non-business day of a calendar (``Holidays``)."""

    __tablename__ = "holiday"
    __table_args__ = ({"schema": CLO},)

    calendar: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class RateFixingRow(Versioned, Base):
    """A historical index fixing (``LIBOR_Rates``), rate as a fraction."""

    __tablename__ = "rate_fixing"
    __table_args__ = ({"schema": CLO},)

    series: Mapped[str] = mapped_column(Text, primary_key=True, comment="e.g. 3M LIBOR")
    fixing_date: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[float] = mapped_column(Double, nullable=False)


class CurvePointRow(Versioned, Base):
    """A point of a forward/discount curve (``LIBORCurve``) as of a date."""

    __tablename__ = "curve_point"
    __table_args__ = ({"schema": CLO},)

    curve: Mapped[str] = mapped_column(Text, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    point_date: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[float] = mapped_column(Double, nullable=False)


class TransitionRow(Versioned, Base):
    """A rating transition probability (``SpTransMat``)."""

    __tablename__ = "transition"
    __table_args__ = ({"schema": CLO},)

    matrix: Mapped[str] = mapped_column(Text, primary_key=True)
    from_rating: Mapped[str] = mapped_column(Text, primary_key=True)
    to_rating: Mapped[str] = mapped_column(Text, primary_key=True)
    probability: Mapped[float] = mapped_column(Double, nullable=False)


class CorrelationRow(Versioned, Base):
    """A cell of the ``Asset Correlation`` matrix."""

    __tablename__ = "correlation"
    __table_args__ = ({"schema": CLO},)

    matrix: Mapped[str] = mapped_column(Text, primary_key=True)
    row_key: Mapped[str] = mapped_column(Text, primary_key=True)
    column_key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[float] = mapped_column(Double, nullable=False)


class CashflowAssumptionRow(Versioned, Base):
    """A ``CFAssumptions`` row: asset ID or ``ALL``; default may be a number, ``RATING`` or a vector name."""

    __tablename__ = "cashflow_assumption"
    __table_args__ = ({"schema": CLO},)

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    prepay: Mapped[str | None] = mapped_column(Text)
    default_rate: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[float | None] = mapped_column(Double)
    lag_months: Mapped[float | None] = mapped_column(Double)


class CashflowVectorRow(Versioned, Base):
    """One period of a named cash-flow vector (``CF_Vectors``: QTR_CPR_1, ...)."""

    __tablename__ = "cashflow_vector"
    __table_args__ = ({"schema": CLO},)

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Double)


class SinkScheduleRow(Versioned, Base):
    """A scheduled amortisation (``Sink_Schedule``)."""

    __tablename__ = "sink_schedule"
    __table_args__ = ({"schema": CLO},)

    asset_id: Mapped[str] = mapped_column(Text, primary_key=True)
    pay_date: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[float] = mapped_column(Double, nullable=False)


class FilterListRow(Versioned, Base):
    """A ``Filter Sheet`` list entry (column letter, position)."""

    __tablename__ = "filter_list"
    __table_args__ = ({"schema": CLO},)

    list_name: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class ControlCellRow(Versioned, Base):
    """A ``Run Model`` control cell (C8 analysis date, C9 deal, E8 loan size, ...)."""

    __tablename__ = "control_cell"
    __table_args__ = ({"schema": CLO},)

    cell: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSONB)


class SheetRowRow(Versioned, Base):
    """A row of a workbook reference block kept verbatim (``Reference Table`` sections, ``Filter Sheet``
    lists, ``Run Model`` controls), so "Refresh from DB" can write the block back exactly as loaded. The
    typed tables above hold the same data for queries and engines."""

    __tablename__ = "sheet_row"
    __table_args__ = ({"schema": CLO},)

    block: Mapped[str] = mapped_column(Text, primary_key=True, comment="e.g. reference.holidays")
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet: Mapped[str | None] = mapped_column(Text)
    sheet_row: Mapped[int | None] = mapped_column(Integer)
    cells: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, comment="header → value")
