"""The asset universe: one row per ``All Assets`` row, every legacy column kept (COMPLIANCE_SPEC §1.6)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Double, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from clo_xl.persistence.models.base import CLO, Base, Versioned


class AssetRow(Versioned, Base):
    """An ``All Assets`` row. Units as in the workbook: rates and spreads as fractions (0.0375 = 375 bp),
    market value in price points (99.292), amounts in deal currency, WAL in years."""

    __tablename__ = "asset"
    __table_args__ = ({"schema": CLO, "comment": "All Assets: the asset universe (70 legacy columns)"},)

    asset_id: Mapped[str] = mapped_column(Text, primary_key=True, comment="BLKRockID")
    sheet_row: Mapped[int | None] = mapped_column(Integer, comment="All Assets row it was read from")
    issue_name: Mapped[str | None] = mapped_column(Text, comment="Issue Name")
    issuer_name: Mapped[str | None] = mapped_column(Text, comment="Issuer Name")
    issuer_id: Mapped[str | None] = mapped_column(Text, comment="ISSUER ID")
    tranche: Mapped[str | None] = mapped_column(Text, comment="Tranche")
    bond_loan: Mapped[str | None] = mapped_column(Text, comment="Bond/Loan")
    par_amount: Mapped[float | None] = mapped_column(Double, comment="Par Amount")
    maturity: Mapped[date | None] = mapped_column(Date, comment="Maturity")
    coupon_type: Mapped[str | None] = mapped_column(Text, comment="Coupon Type")
    payment_frequency: Mapped[float | None] = mapped_column(Double, comment="Payment Frequency")
    coupon_spread: Mapped[float | None] = mapped_column(Double, comment="Coupon Spread")
    libor_floor: Mapped[float | None] = mapped_column(Double, comment="Libor Floor")
    index_name: Mapped[str | None] = mapped_column(Text, comment="Index")
    coupon: Mapped[float | None] = mapped_column(Double, comment="Coupon")
    commitment_fee: Mapped[float | None] = mapped_column(Double, comment="Commitment Fee")
    unfunded_amount: Mapped[float | None] = mapped_column(Double, comment="Unfunded Amount")
    facility_size: Mapped[float | None] = mapped_column(Double, comment="Facility Size")
    moodys_industry: Mapped[str | None] = mapped_column(Text, comment="Moody's Industry")
    sp_industry: Mapped[str | None] = mapped_column(Text, comment="S&P Industry")
    moodys_asset_category: Mapped[str | None] = mapped_column(Text, comment="Moody Asset Category")
    sp_priority_category: Mapped[str | None] = mapped_column(Text, comment="S&P Priority Category")
    country: Mapped[str | None] = mapped_column(Text, comment="Country ")
    seniority: Mapped[str | None] = mapped_column(Text, comment="Seniority")
    deferred_interest_bond: Mapped[str | None] = mapped_column(Text, comment="Deferred Interest Bond")
    piking: Mapped[str | None] = mapped_column(Text, comment="PiKing")
    pik_amount: Mapped[float | None] = mapped_column(Double, comment="PIK Amount")
    default_obligation: Mapped[str | None] = mapped_column(Text, comment="Default Obligation")
    date_of_default: Mapped[date | None] = mapped_column(Date, comment="Date of Defaulted")
    delayed_drawdown: Mapped[str | None] = mapped_column(Text, comment="Delayed Drawdown ")
    revolver: Mapped[str | None] = mapped_column(Text, comment="Revolver")
    letter_of_credit: Mapped[str | None] = mapped_column(Text, comment="Letter of Credit")
    participation: Mapped[str | None] = mapped_column(Text, comment="Participation")
    dip: Mapped[str | None] = mapped_column(Text, comment="DIP")
    convertible: Mapped[str | None] = mapped_column(Text, comment="Convertible")
    structured_finance: Mapped[str | None] = mapped_column(Text, comment="Structured Finance")
    bridge_loan: Mapped[str | None] = mapped_column(Text, comment="Bridge Loan")
    current_pay: Mapped[str | None] = mapped_column(Text, comment="Current Pay")
    cov_lite: Mapped[str | None] = mapped_column(Text, comment="Cov-Lite")
    currency: Mapped[str | None] = mapped_column(Text, comment="Currency")
    wal: Mapped[float | None] = mapped_column(Double, comment="WAL")
    market_value: Mapped[float | None] = mapped_column(Double, comment="Market Value")
    first_lien_last_out: Mapped[str | None] = mapped_column(Text, comment="First Lien Last Out Loan")
    moodys_rating: Mapped[str | None] = mapped_column(Text, comment="Moody's Rating-21")
    moodys_recovery_rate: Mapped[float | None] = mapped_column(Double, comment="Moody's Recovery Rate-23")
    moodys_dp_rating: Mapped[str | None] = mapped_column(
        Text, comment="Moody's Default Probability Rating-18"
    )
    moodys_rating_warf: Mapped[str | None] = mapped_column(Text, comment="Moody's Rating WARF")
    moodys_facility_rating: Mapped[str | None] = mapped_column(Text, comment="Moody Facility Rating")
    moodys_facility_outlook: Mapped[str | None] = mapped_column(Text, comment="Moody Facility Outlook")
    moodys_issuer_rating: Mapped[str | None] = mapped_column(Text, comment="Moody Issuer Rating")
    moodys_issuer_outlook: Mapped[str | None] = mapped_column(Text, comment="Moody Issuer outlook")
    moodys_senior_secured_rating: Mapped[str | None] = mapped_column(
        Text, comment="Moody's Senior Secured Rating"
    )
    moodys_senior_unsecured_rating: Mapped[str | None] = mapped_column(
        Text, comment="Moody Senior Unsecured Rating"
    )
    moodys_subordinate_rating: Mapped[str | None] = mapped_column(Text, comment="Moody Subordinate Rating")
    moodys_credit_estimate: Mapped[str | None] = mapped_column(Text, comment="Moody's Credit Estimate")
    moodys_credit_estimate_date: Mapped[date | None] = mapped_column(
        Date, comment="Moody's Credit Estimate Date"
    )
    sp_facility_rating: Mapped[str | None] = mapped_column(Text, comment="S&P Facility Rating")
    sp_issuer_rating: Mapped[str | None] = mapped_column(Text, comment="S&P Issuer Rating")
    sp_senior_secured_rating: Mapped[str | None] = mapped_column(Text, comment="S&P Senior Secured Rating")
    sp_subordinated_rating: Mapped[str | None] = mapped_column(Text, comment="S&P Subordinated Rating")
    sp_recovery_rating: Mapped[str | None] = mapped_column(Text, comment="S&P Recovery Rating")
    dated_date: Mapped[date | None] = mapped_column(Date, comment="Dated Date")
    issue_date: Mapped[date | None] = mapped_column(Date, comment="Issue Date")
    first_payment_date: Mapped[date | None] = mapped_column(Date, comment="First Payment Date")
    amortization_type: Mapped[str | None] = mapped_column(Text, comment="Amortization Type")
    day_count: Mapped[str | None] = mapped_column(Text, comment="Day Count")
    index_cap: Mapped[float | None] = mapped_column(Double, comment="Index Cap")
    business_day_convention: Mapped[str | None] = mapped_column(Text, comment="Business Day Convention")
    pmt_eom: Mapped[bool | None] = mapped_column(Boolean, comment="PMT EOM")
    amount_issued: Mapped[float | None] = mapped_column(Double, comment="Amount Issued")
    credit_opinion: Mapped[str | None] = mapped_column(Text, comment="Credit Opinion")
