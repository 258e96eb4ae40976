"""The 70 legacy ``All Assets`` columns (COMPLIANCE_SPEC §1.6/§2.1): header → ``clo.asset`` column → kind.

Kinds say how a cell is stored, not how the compliance engine interprets it (that is the ingest parsers'
job, applied again when rows are mapped back to domain objects):

* ``text``: the cell as text, as is (numbers written as text keep no trailing ``.0``);
* ``number``: double precision; a blank cell is NULL; text that is not a number is refused (L1);
* ``date``: a calendar date; a blank cell or the legacy placeholder ``0`` is NULL;
* ``flag``: a Yes/No cell kept verbatim, because the legacy loader is case-sensitive for most flags
  ("Yes" is true, "yes" is not; §2.1) and the database must not change what the legacy would read;
* ``bool``: TRUE/FALSE (``PMT EOM``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "number", "date", "flag", "bool"]


@dataclass(frozen=True)
class AssetColumn:
    position: int  # 1-based legacy column number
    header: str  # verbatim All Assets header (two keep a trailing space)
    name: str  # clo.asset column
    kind: Kind


ASSET_COLUMNS: tuple[AssetColumn, ...] = tuple(
    AssetColumn(i + 1, h, n, k)  # type: ignore[arg-type]
    for i, (h, n, k) in enumerate(
        [
            ("BLKRockID", "asset_id", "text"),
            ("Issue Name", "issue_name", "text"),
            ("Issuer Name", "issuer_name", "text"),
            ("ISSUER ID", "issuer_id", "text"),
            ("Tranche", "tranche", "text"),
            ("Bond/Loan", "bond_loan", "text"),
            ("Par Amount", "par_amount", "number"),
            ("Maturity", "maturity", "date"),
            ("Coupon Type", "coupon_type", "text"),
            ("Payment Frequency", "payment_frequency", "number"),
            ("Coupon Spread", "coupon_spread", "number"),
            ("Libor Floor", "libor_floor", "number"),
            ("Index", "index_name", "text"),
            ("Coupon", "coupon", "number"),
            ("Commitment Fee", "commitment_fee", "number"),
            ("Unfunded Amount", "unfunded_amount", "number"),
            ("Facility Size", "facility_size", "number"),
            ("Moody's Industry", "moodys_industry", "text"),
            ("S&P Industry", "sp_industry", "text"),
            ("Moody Asset Category", "moodys_asset_category", "text"),
            ("S&P Priority Category", "sp_priority_category", "text"),
            ("Country ", "country", "text"),
            ("Seniority", "seniority", "text"),
            ("Deferred Interest Bond", "deferred_interest_bond", "flag"),
            ("PiKing", "piking", "flag"),
            ("PIK Amount", "pik_amount", "number"),
            ("Default Obligation", "default_obligation", "flag"),
            ("Date of Defaulted", "date_of_default", "date"),
            ("Delayed Drawdown ", "delayed_drawdown", "flag"),
            ("Revolver", "revolver", "flag"),
            ("Letter of Credit", "letter_of_credit", "flag"),
            ("Participation", "participation", "flag"),
            ("DIP", "dip", "flag"),
            ("Convertible", "convertible", "flag"),
            ("Structured Finance", "structured_finance", "flag"),
            ("Bridge Loan", "bridge_loan", "flag"),
            ("Current Pay", "current_pay", "flag"),
            ("Cov-Lite", "cov_lite", "flag"),
            ("Currency", "currency", "text"),
            ("WAL", "wal", "number"),
            ("Market Value", "market_value", "number"),
            ("First Lien Last Out Loan", "first_lien_last_out", "flag"),
            ("Moody's Rating-21", "moodys_rating", "text"),
            ("Moody's Recovery Rate-23", "moodys_recovery_rate", "number"),
            ("Moody's Default Probability Rating-18", "moodys_dp_rating", "text"),
            ("Moody's Rating WARF", "moodys_rating_warf", "text"),
            ("Moody Facility Rating", "moodys_facility_rating", "text"),
            ("Moody Facility Outlook", "moodys_facility_outlook", "text"),
            ("Moody Issuer Rating", "moodys_issuer_rating", "text"),
            ("Moody Issuer outlook", "moodys_issuer_outlook", "text"),
            ("Moody's Senior Secured Rating", "moodys_senior_secured_rating", "text"),
            ("Moody Senior Unsecured Rating", "moodys_senior_unsecured_rating", "text"),
            ("Moody Subordinate Rating", "moodys_subordinate_rating", "text"),
            ("Moody's Credit Estimate", "moodys_credit_estimate", "text"),
            ("Moody's Credit Estimate Date", "moodys_credit_estimate_date", "date"),
            ("S&P Facility Rating", "sp_facility_rating", "text"),
            ("S&P Issuer Rating", "sp_issuer_rating", "text"),
            ("S&P Senior Secured Rating", "sp_senior_secured_rating", "text"),
            ("S&P Subordinated Rating", "sp_subordinated_rating", "text"),
            ("S&P Recovery Rating", "sp_recovery_rating", "text"),
            ("Dated Date", "dated_date", "date"),
            ("Issue Date", "issue_date", "date"),
            ("First Payment Date", "first_payment_date", "date"),
            ("Amortization Type", "amortization_type", "text"),
            ("Day Count", "day_count", "text"),
            ("Index Cap", "index_cap", "number"),
            ("Business Day Convention", "business_day_convention", "text"),
            ("PMT EOM", "pmt_eom", "bool"),
            ("Amount Issued", "amount_issued", "number"),
            ("Credit Opinion", "credit_opinion", "text"),
        ]
    )
)

HEADERS: tuple[str, ...] = tuple(c.header for c in ASSET_COLUMNS)
BY_HEADER: dict[str, AssetColumn] = {c.header: c for c in ASSET_COLUMNS}
BY_NAME: dict[str, AssetColumn] = {c.name: c for c in ASSET_COLUMNS}
assert len(ASSET_COLUMNS) == 70
