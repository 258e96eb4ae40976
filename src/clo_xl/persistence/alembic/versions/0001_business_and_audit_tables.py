"""Business tables (schema clo) and audit tables (schema audit).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 20:22:32.650216
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS clo")
    op.execute("CREATE SCHEMA IF NOT EXISTS audit")
    op.create_table(
        "change_log",
        sa.Column("change_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False, comment="clo.actor setting, else the role"),
        sa.Column("db_role", sa.Text(), server_default=sa.text("SESSION_USER"), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("row_key", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_change_log")),
        schema="audit",
    )
    op.create_index(
        op.f("ix_change_log_table_name"), "change_log", ["table_name"], unique=False, schema="audit"
    )
    op.create_table(
        "run_log",
        sa.Column("run_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("deal", sa.Text(), nullable=True),
        sa.Column("inputs_hash", sa.Text(), nullable=True, comment="sha256 of the inputs"),
        sa.Column("code_version", sa.Text(), nullable=False),
        sa.Column("convention", sa.Text(), nullable=True, comment="legacy or corrected"),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("parameters", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("outputs", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_log")),
        schema="audit",
    )
    op.create_index(op.f("ix_run_log_kind"), "run_log", ["kind"], unique=False, schema="audit")
    op.create_table(
        "asset",
        sa.Column("asset_id", sa.Text(), nullable=False, comment="BLKRockID"),
        sa.Column("sheet_row", sa.Integer(), nullable=True, comment="All Assets row it was read from"),
        sa.Column("issue_name", sa.Text(), nullable=True, comment="Issue Name"),
        sa.Column("issuer_name", sa.Text(), nullable=True, comment="Issuer Name"),
        sa.Column("issuer_id", sa.Text(), nullable=True, comment="ISSUER ID"),
        sa.Column("tranche", sa.Text(), nullable=True, comment="Tranche"),
        sa.Column("bond_loan", sa.Text(), nullable=True, comment="Bond/Loan"),
        sa.Column("par_amount", sa.Double(), nullable=True, comment="Par Amount"),
        sa.Column("maturity", sa.Date(), nullable=True, comment="Maturity"),
        sa.Column("coupon_type", sa.Text(), nullable=True, comment="Coupon Type"),
        sa.Column("payment_frequency", sa.Double(), nullable=True, comment="Payment Frequency"),
        sa.Column("coupon_spread", sa.Double(), nullable=True, comment="Coupon Spread"),
        sa.Column("libor_floor", sa.Double(), nullable=True, comment="Libor Floor"),
        sa.Column("index_name", sa.Text(), nullable=True, comment="Index"),
        sa.Column("coupon", sa.Double(), nullable=True, comment="Coupon"),
        sa.Column("commitment_fee", sa.Double(), nullable=True, comment="Commitment Fee"),
        sa.Column("unfunded_amount", sa.Double(), nullable=True, comment="Unfunded Amount"),
        sa.Column("facility_size", sa.Double(), nullable=True, comment="Facility Size"),
        sa.Column("moodys_industry", sa.Text(), nullable=True, comment="Moody's Industry"),
        sa.Column("sp_industry", sa.Text(), nullable=True, comment="S&P Industry"),
        sa.Column("moodys_asset_category", sa.Text(), nullable=True, comment="Moody Asset Category"),
        sa.Column("sp_priority_category", sa.Text(), nullable=True, comment="S&P Priority Category"),
        sa.Column("country", sa.Text(), nullable=True, comment="Country "),
        sa.Column("seniority", sa.Text(), nullable=True, comment="Seniority"),
        sa.Column("deferred_interest_bond", sa.Text(), nullable=True, comment="Deferred Interest Bond"),
        sa.Column("piking", sa.Text(), nullable=True, comment="PiKing"),
        sa.Column("pik_amount", sa.Double(), nullable=True, comment="PIK Amount"),
        sa.Column("default_obligation", sa.Text(), nullable=True, comment="Default Obligation"),
        sa.Column("date_of_default", sa.Date(), nullable=True, comment="Date of Defaulted"),
        sa.Column("delayed_drawdown", sa.Text(), nullable=True, comment="Delayed Drawdown "),
        sa.Column("revolver", sa.Text(), nullable=True, comment="Revolver"),
        sa.Column("letter_of_credit", sa.Text(), nullable=True, comment="Letter of Credit"),
        sa.Column("participation", sa.Text(), nullable=True, comment="Participation"),
        sa.Column("dip", sa.Text(), nullable=True, comment="DIP"),
        sa.Column("convertible", sa.Text(), nullable=True, comment="Convertible"),
        sa.Column("structured_finance", sa.Text(), nullable=True, comment="Structured Finance"),
        sa.Column("bridge_loan", sa.Text(), nullable=True, comment="Bridge Loan"),
        sa.Column("current_pay", sa.Text(), nullable=True, comment="Current Pay"),
        sa.Column("cov_lite", sa.Text(), nullable=True, comment="Cov-Lite"),
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency"),
        sa.Column("wal", sa.Double(), nullable=True, comment="WAL"),
        sa.Column("market_value", sa.Double(), nullable=True, comment="Market Value"),
        sa.Column("first_lien_last_out", sa.Text(), nullable=True, comment="First Lien Last Out Loan"),
        sa.Column("moodys_rating", sa.Text(), nullable=True, comment="Moody's Rating-21"),
        sa.Column("moodys_recovery_rate", sa.Double(), nullable=True, comment="Moody's Recovery Rate-23"),
        sa.Column(
            "moodys_dp_rating", sa.Text(), nullable=True, comment="Moody's Default Probability Rating-18"
        ),
        sa.Column("moodys_rating_warf", sa.Text(), nullable=True, comment="Moody's Rating WARF"),
        sa.Column("moodys_facility_rating", sa.Text(), nullable=True, comment="Moody Facility Rating"),
        sa.Column("moodys_facility_outlook", sa.Text(), nullable=True, comment="Moody Facility Outlook"),
        sa.Column("moodys_issuer_rating", sa.Text(), nullable=True, comment="Moody Issuer Rating"),
        sa.Column("moodys_issuer_outlook", sa.Text(), nullable=True, comment="Moody Issuer outlook"),
        sa.Column(
            "moodys_senior_secured_rating", sa.Text(), nullable=True, comment="Moody's Senior Secured Rating"
        ),
        sa.Column(
            "moodys_senior_unsecured_rating",
            sa.Text(),
            nullable=True,
            comment="Moody Senior Unsecured Rating",
        ),
        sa.Column("moodys_subordinate_rating", sa.Text(), nullable=True, comment="Moody Subordinate Rating"),
        sa.Column("moodys_credit_estimate", sa.Text(), nullable=True, comment="Moody's Credit Estimate"),
        sa.Column(
            "moodys_credit_estimate_date", sa.Date(), nullable=True, comment="Moody's Credit Estimate Date"
        ),
        sa.Column("sp_facility_rating", sa.Text(), nullable=True, comment="S&P Facility Rating"),
        sa.Column("sp_issuer_rating", sa.Text(), nullable=True, comment="S&P Issuer Rating"),
        sa.Column("sp_senior_secured_rating", sa.Text(), nullable=True, comment="S&P Senior Secured Rating"),
        sa.Column("sp_subordinated_rating", sa.Text(), nullable=True, comment="S&P Subordinated Rating"),
        sa.Column("sp_recovery_rating", sa.Text(), nullable=True, comment="S&P Recovery Rating"),
        sa.Column("dated_date", sa.Date(), nullable=True, comment="Dated Date"),
        sa.Column("issue_date", sa.Date(), nullable=True, comment="Issue Date"),
        sa.Column("first_payment_date", sa.Date(), nullable=True, comment="First Payment Date"),
        sa.Column("amortization_type", sa.Text(), nullable=True, comment="Amortization Type"),
        sa.Column("day_count", sa.Text(), nullable=True, comment="Day Count"),
        sa.Column("index_cap", sa.Double(), nullable=True, comment="Index Cap"),
        sa.Column("business_day_convention", sa.Text(), nullable=True, comment="Business Day Convention"),
        sa.Column("pmt_eom", sa.Boolean(), nullable=True, comment="PMT EOM"),
        sa.Column("amount_issued", sa.Double(), nullable=True, comment="Amount Issued"),
        sa.Column("credit_opinion", sa.Text(), nullable=True, comment="Credit Opinion"),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_asset")),
        schema="clo",
        comment="All Assets: the asset universe (70 legacy columns)",
    )
    op.create_table(
        "cashflow_assumption",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("prepay", sa.Text(), nullable=True),
        sa.Column("default_rate", sa.Text(), nullable=True),
        sa.Column("severity", sa.Double(), nullable=True),
        sa.Column("lag_months", sa.Double(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_cashflow_assumption")),
        schema="clo",
    )
    op.create_table(
        "cashflow_vector",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("name", "period", name=op.f("pk_cashflow_vector")),
        schema="clo",
    )
    op.create_table(
        "control_cell",
        sa.Column("cell", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("cell", name=op.f("pk_control_cell")),
        schema="clo",
    )
    op.create_table(
        "correlation",
        sa.Column("matrix", sa.Text(), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("column_key", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("matrix", "row_key", "column_key", name=op.f("pk_correlation")),
        schema="clo",
    )
    op.create_table(
        "country_set",
        sa.Column("set_name", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("set_name", "country", name=op.f("pk_country_set")),
        schema="clo",
    )
    op.create_table(
        "curve_point",
        sa.Column("curve", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("point_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("curve", "as_of", "point_date", name=op.f("pk_curve_point")),
        schema="clo",
    )
    op.create_table(
        "deal",
        sa.Column("deal", sa.Text(), nullable=False, comment="deal name, e.g. Mag 17"),
        sa.Column("sheet_name", sa.Text(), nullable=False),
        sa.Column("analysis_date", sa.Date(), nullable=True),
        sa.Column("next_payment_date", sa.Date(), nullable=True),
        sa.Column("original_libor", sa.Double(), nullable=True, comment="fraction"),
        sa.Column("current_libor", sa.Double(), nullable=True, comment="fraction"),
        sa.Column("waterfall", sa.Text(), nullable=True, comment="waterfall version name"),
        sa.Column(
            "document",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
            comment="other sheet values (date inputs, fees, ...)",
        ),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("deal", name=op.f("pk_deal")),
        schema="clo",
        comment="Deals (one Mag N Inputs sheet each)",
    )
    op.create_table(
        "diversity_score",
        sa.Column("equivalent_units", sa.Double(), nullable=False),
        sa.Column("diversity_score", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("equivalent_units", name=op.f("pk_diversity_score")),
        schema="clo",
    )
    op.create_table(
        "filter_list",
        sa.Column("list_name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("list_name", "position", name=op.f("pk_filter_list")),
        schema="clo",
    )
    op.create_table(
        "holiday",
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("calendar", "day", name=op.f("pk_holiday")),
        schema="clo",
    )
    op.create_table(
        "industry",
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("agency", "name", name=op.f("pk_industry")),
        schema="clo",
    )
    op.create_table(
        "rate_fixing",
        sa.Column("series", sa.Text(), nullable=False, comment="e.g. 3M LIBOR"),
        sa.Column("fixing_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("series", "fixing_date", name=op.f("pk_rate_fixing")),
        schema="clo",
    )
    op.create_table(
        "rating",
        sa.Column("agency", sa.Text(), nullable=False, comment="MOODYS or SP"),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("rating_factor", sa.Double(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("agency", "rating", name=op.f("pk_rating")),
        schema="clo",
    )
    op.create_table(
        "recovery_rate",
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("agency", "category", "rating", name=op.f("pk_recovery_rate")),
        schema="clo",
    )
    op.create_table(
        "sink_schedule",
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", "pay_date", name=op.f("pk_sink_schedule")),
        schema="clo",
    )
    op.create_table(
        "transition",
        sa.Column("matrix", sa.Text(), nullable=False),
        sa.Column("from_rating", sa.Text(), nullable=False),
        sa.Column("to_rating", sa.Text(), nullable=False),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("matrix", "from_rating", "to_rating", name=op.f("pk_transition")),
        schema="clo",
    )
    op.create_table(
        "waterfall_version",
        sa.Column("name", sa.Text(), nullable=False, comment="e.g. mag17"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_waterfall_version")),
        schema="clo",
    )
    op.create_table(
        "account",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False, comment="AccountType: 1 Payment, 2 Collection"),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("interest", sa.Double(), nullable=True),
        sa.Column("principal", sa.Double(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_account_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "position", name=op.f("pk_account")),
        schema="clo",
    )
    op.create_table(
        "cashflow_input",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_cashflow_input_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "position", name=op.f("pk_cashflow_input")),
        schema="clo",
    )
    op.create_table(
        "holding",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("analysis_date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("par", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.CheckConstraint("par = par", name=op.f("ck_holding_par_not_nan")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["clo.asset.asset_id"], name=op.f("fk_holding_asset_id_asset"), onupdate="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_holding_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "analysis_date", "position", name=op.f("pk_holding")),
        schema="clo",
        comment="Deal holdings per analysis date",
    )
    op.create_index(op.f("ix_holding_asset_id"), "holding", ["asset_id"], unique=False, schema="clo")
    op.create_table(
        "hypo_trade",
        sa.Column("trade_id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("transaction", sa.Text(), nullable=False),
        sa.Column("par", sa.Double(), nullable=False),
        sa.Column("price", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.CheckConstraint("transaction IN ('Buy', 'Sale')", name=op.f("ck_hypo_trade_transaction")),
        sa.CheckConstraint("par >= 0", name=op.f("ck_hypo_trade_par_non_negative")),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_hypo_trade_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trade_id", name=op.f("pk_hypo_trade")),
        schema="clo",
    )
    op.create_table(
        "objective_weight",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("test_number", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_objective_weight_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "position", name=op.f("pk_objective_weight")),
        schema="clo",
    )
    op.create_table(
        "quality_input",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True, comment="non-numeric value, e.g. a date"),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_quality_input_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "label", name=op.f("pk_quality_input")),
        schema="clo",
    )
    op.create_table(
        "test_threshold",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("test_number", sa.Integer(), nullable=False),
        sa.Column("test_name", sa.Text(), nullable=True),
        sa.Column("min_max", sa.Text(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("overwrite", sa.Double(), nullable=True),
        sa.Column("previous_value", sa.Double(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.CheckConstraint("min_max IN ('Min', 'Max')", name=op.f("ck_test_threshold_min_max")),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_test_threshold_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "position", name=op.f("pk_test_threshold")),
        schema="clo",
    )
    op.create_table(
        "tranche",
        sa.Column("deal", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.Text(), nullable=False),
        sa.Column("column_letter", sa.Text(), nullable=True),
        sa.Column("original_balance", sa.Double(), nullable=True),
        sa.Column("current_balance", sa.Double(), nullable=True),
        sa.Column("spread", sa.Double(), nullable=True, comment="fraction (0.0155 = 155 bp)"),
        sa.Column("properties", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), server_default=sa.text("CURRENT_USER"), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal"],
            ["clo.deal.deal"],
            name=op.f("fk_tranche_deal_deal"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal", "position", name=op.f("pk_tranche")),
        schema="clo",
    )


def downgrade() -> None:
    op.drop_table("tranche", schema="clo")
    op.drop_table("test_threshold", schema="clo")
    op.drop_table("quality_input", schema="clo")
    op.drop_table("objective_weight", schema="clo")
    op.drop_table("hypo_trade", schema="clo")
    op.drop_index(op.f("ix_holding_asset_id"), table_name="holding", schema="clo")
    op.drop_table("holding", schema="clo")
    op.drop_table("cashflow_input", schema="clo")
    op.drop_table("account", schema="clo")
    op.drop_table("waterfall_version", schema="clo")
    op.drop_table("transition", schema="clo")
    op.drop_table("sink_schedule", schema="clo")
    op.drop_table("recovery_rate", schema="clo")
    op.drop_table("rating", schema="clo")
    op.drop_table("rate_fixing", schema="clo")
    op.drop_table("industry", schema="clo")
    op.drop_table("holiday", schema="clo")
    op.drop_table("filter_list", schema="clo")
    op.drop_table("diversity_score", schema="clo")
    op.drop_table("deal", schema="clo")
    op.drop_table("curve_point", schema="clo")
    op.drop_table("country_set", schema="clo")
    op.drop_table("correlation", schema="clo")
    op.drop_table("control_cell", schema="clo")
    op.drop_table("cashflow_vector", schema="clo")
    op.drop_table("cashflow_assumption", schema="clo")
    op.drop_table("asset", schema="clo")
    op.drop_index(op.f("ix_run_log_kind"), table_name="run_log", schema="audit")
    op.drop_table("run_log", schema="audit")
    op.drop_index(op.f("ix_change_log_table_name"), table_name="change_log", schema="audit")
    op.drop_table("change_log", schema="audit")
    op.execute("DROP SCHEMA IF EXISTS clo")
    op.execute("DROP SCHEMA IF EXISTS audit")
