"""The legacy TradeHypo workbook layout as data: sheet names, headers, cell addresses and named ranges.

Sources: ``legacy/COMPLIANCE_SPEC.md`` §1 (sheets, Run Model cell map, ``Mag N Inputs`` blocks, the 70
``All Assets`` headers, Filter Sheet, Reference Table) and ``legacy/CASHFLOW_SPEC.md`` §0.3 (cash-flow
input ranges). Columns A:Y of the deal sheets, the ``All Assets`` headers and the ``Run Model`` cells are
facts of the legacy workbook. The positions of the cash-flow blocks (``CLOInputs``, ``DateInputs``,
``PMT_Dates``, ``Fees``, ``PaySubNotes``) are **[inferred]**: the legacy names them but the spec gives no
address, so the reader prefers the workbook's sheet-scoped named range and falls back to these defaults.

Rows and columns are 1-based sheet coordinates throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# A1 references come from the one xlsx module; re-exported for the layout's readers and builders
from clo_xl.portfolio.asset import ASSET_COLUMNS
from clo_xl.simulation.matrix import STATES
from clo_xl.xlsx import cell_ref as cell_ref
from clo_xl.xlsx import column_index
from clo_xl.xlsx import parse_cell as parse_cell
from clo_xl.xlsx import range_ref as range_ref

#: column letters → 1-based index (``col("B") == 2``), re-exported for the layout's readers
col = column_index

DEALS: tuple[str, ...] = (
    "Mag 6",
    "Mag 7",
    "Mag 8",
    "Mag 9",
    "Mag 11",
    "Mag 12",
    "Mag 14",
    "Mag 15",
    "Mag 16",
    "Mag 17",
)

RUN_MODEL = "Run Model"
ALL_ASSETS = "All Assets"
ASSET_CORRELATION = "Asset Correlation"
REFERENCE_TABLE = "Reference Table"
FILTER_SHEET = "Filter Sheet"
XLWINGS_CONF = "xlwings.conf"


def deal_sheet(deal: str) -> str:
    """'Mag 17' → 'Mag 17 Inputs'."""
    return f"{deal} Inputs"


def par_column(deal: str) -> str:
    """Interchange par column of a deal (CONTRACT §2): 'Mag 17' → 'MAG17_Par_Amount'."""
    return deal.upper().replace(" ", "") + "_Par_Amount"


SHEET_ORDER: tuple[str, ...] = (
    RUN_MODEL,
    *(deal_sheet(d) for d in DEALS),
    ALL_ASSETS,
    ASSET_CORRELATION,
    REFERENCE_TABLE,
    FILTER_SHEET,
)
"""Input sheets in the legacy order (``Run Model_old`` is not reproduced); ``xlwings.conf`` follows."""

OUTPUT_TAB_PREFIXES: tuple[str, ...] = (
    "HYPO-",
    "Rankings-",
    "Compliance-",
    "Collat CF-",
    "Collat Spreads-",
    "Optimization-",
    "Deal CF-",
    "RM-",
    "Filter-",
    "Rebalance-",
    "Deal Assets-",
    "Analytics-",
)


def compliance_tab(deal: str) -> str:
    return f"Compliance-{deal}"


def hypo_tab(deal: str) -> str:
    return f"HYPO-{deal}-Output"


# --------------------------------------------------------------------------------------------------
# All Assets


class Kind(Enum):
    """What a cell of an ``All Assets`` column may hold (checked by the reader, parsed by the parsers)."""

    TEXT = "text"  # anything but an error
    NUMBER = "number"  # number or blank
    DATE = "date"  # Excel date, a date serial (0 = none) or blank; text is refused
    FLAG = "flag"  # "Yes"/"No" text (legacy: exactly "Yes" is True)
    BOOL = "bool"  # TRUE/FALSE (PMT EOM must be Boolean-convertible)


#: what the reader expects in a cell, by the column's parsing kind (:data:`clo_xl.portfolio.asset.FieldKind`)
_CELL_KIND: dict[str, Kind] = {
    "date": Kind.DATE,
    "flag": Kind.FLAG,
    "flag_ci": Kind.FLAG,
    "bool": Kind.BOOL,
    "money": Kind.NUMBER,
    "rate": Kind.NUMBER,
    "float": Kind.NUMBER,
    "int": Kind.NUMBER,
    "ignored_number": Kind.NUMBER,
}

ALL_ASSETS_COLUMNS: tuple[tuple[str, Kind], ...] = tuple(
    (c.header, _CELL_KIND.get(c.kind, Kind.TEXT)) for c in ASSET_COLUMNS
)
"""The 70 legacy columns in sheet order (A:BR), headers verbatim (two carry a trailing space), from the one
column list :data:`clo_xl.portfolio.asset.ASSET_COLUMNS`."""

ALL_ASSETS_HEADERS: tuple[str, ...] = tuple(h for h, _ in ALL_ASSETS_COLUMNS)
ALL_ASSETS_KINDS: dict[str, Kind] = dict(ALL_ASSETS_COLUMNS)
ALL_ASSETS_HEADER_ROW = 1
ALL_ASSETS_FIRST_ROW = 2


# --------------------------------------------------------------------------------------------------
# Mag N Inputs


@dataclass(frozen=True)
class Block:
    """A table on a deal sheet: data rows from ``first_row``, one column per field.

    ``headers`` gives, per column, the accepted row-``header_row`` spellings (the first is the one the
    builder writes); ``None`` means the column has no fixed header. ``name`` is the sheet-scoped named
    range that covers the data rows (no header), as the legacy macros use it.
    """

    name: str
    title: str
    first_col: int
    fields: tuple[str, ...]
    headers: tuple[tuple[str, ...] | None, ...]
    header_row: int = 3
    first_row: int = 4
    max_rows: int | None = None

    @property
    def width(self) -> int:
        return len(self.fields)

    def column(self, field: str) -> int:
        return self.first_col + self.fields.index(field)


DEAL_TITLE_ROW = 2
DEAL_HEADER_ROW = 3

PERIOD_DATES: tuple[tuple[str, str, int], ...] = (
    ("analysis_date", "Analysis date", 3),
    ("next_payment_date", "Next Payment Date", 4),
    ("beg_collection_period", "Beg Collection Period", 5),
    ("end_collection_period", "End Collection Period", 6),
    ("last_payment_date", "Last Payment Date", 7),
)
"""(key, label in column B, row); values in column C. C3 = ``DealAnalysisDate`` (name ``AnalysisDate``)."""

PERIOD_LABEL_COL, PERIOD_VALUE_COL = col("B"), col("C")
LIBOR_LABEL_COL, LIBOR_VALUE_COL = col("J"), col("K")
ORIGINAL_LIBOR_ROW, CURRENT_LIBOR_ROW = 3, 4
LIBOR_LABELS = {"original_libor": "Original Libor Rate", "current_libor": "Current Libor Rate"}

DEAL_COLLATERAL = Block(
    "DealCollateral", "Deal Collateral", col("D"), ("id", "par"), (("BLKRockID",), ("Par Amount",))
)
ACCOUNTS = Block(
    "Accounts",
    "CLO Accounts",
    col("F"),
    ("number", "name", "interest", "principal"),
    (("Account Num", "Account Number"), ("Account Name",), ("Interest",), ("Principal",)),
)
TEST_THRESHOLDS = Block(
    "TestThresholds",
    "Concentration Limits and Collateral Quality Test Thresholds",
    col("L"),
    ("test_number", "test_name", "min_max", "threshold", "overwrite", "previous_value"),
    (
        ("Test Number",),
        ("Test Name",),
        ("Min/Max",),
        ("Threshold",),
        ("Overwrite",),
        ("Previous Values", "Previous Value"),
    ),
)
QUALITY_TEST_INPUTS = Block(
    "QualityTestInputs", "Quality Test Inputs", col("R"), ("label", "value"), (None, None), first_row=3
)
"""Label/value pairs from R3 (R3 'Current LIBOR' sits on the header row)."""
OBJ_WEIGHTS = Block(
    "ObjWeights",
    "Optimization Objective Weights",
    col("T"),
    ("test_name", "current_result", "test_number", "weight"),
    (
        ("Test Name",),
        ("Test Results", "Current Test Result", "Current Results", "Current Result", "Test Result"),
        ("Test Number",),
        ("Weight",),
    ),
    max_rows=8,
)
"""The legacy name ``ObjWeights`` covers V:W only; T (name) and U (result) sit to its left."""
OBJ_WEIGHTS_NAME_OFFSET = 2  # V is two columns right of T
CF_INPUTS = Block("CFInputs", "Cashflow Inputs", col("X"), ("label", "value"), (("Input",), ("Value",)))

# [inferred] cash-flow blocks: positions chosen for the synthetic workbook; legacy files use their names.
CLO_INPUTS = Block("CLOInputs", "CLO Inputs", col("Z"), ("label", "value"), (("Input",), ("Value",)))
DATE_INPUTS = Block("DateInputs", "Date Inputs", col("AC"), ("label", "value"), (("Date Input",), ("Value",)))
DATE_INPUT_KEYS: tuple[tuple[str, str], ...] = (
    ("pricing_date", "Pricing Date"),
    ("closing_date", "Closing Date"),
    ("effective_date", "Effective Date"),
    ("first_payment_date", "First Payment Date"),
    ("non_call_date", "Non-Call Date"),
    ("reinvestment_end_date", "Reinvestment Period End Date"),
    ("stated_maturity", "Stated Maturity"),
    ("payment_day", "Payment Day"),
    ("months_between_payments", "Months Between Payments"),
    ("interest_determination_days", "Interest Determination Days"),
    ("determination_days", "Determination Days"),
    ("business_day_convention", "Business Day Convention"),
)
"""The 12 rows of ``DateInputs`` by position (CASHFLOW_SPEC §0.3); the name covers the value column."""
PAYMENT_DATES = Block(
    "PMT_Dates",
    "Payment Dates",
    col("AF"),
    ("payment_date", "interest_determination_date", "collection_begin", "collection_end"),
    (
        ("Payment Date",),
        ("Interest Determination Date",),
        ("Collection Begin",),
        ("Collection End",),
    ),
)
LIABILITY_LABEL_COL = col("AJ")
LIABILITY_FIRST_COL = col("AK")
LIABILITY_FIRST_ROW = 4
TRANCHE_FIELDS: tuple[tuple[str, str], ...] = (
    ("class", "Class"),
    ("Original_Balance", "Original Balance"),
    ("Price", "Price"),
    ("Current_Balance", "Current Balance"),
    ("Defaulted_Deferred", "Deferred Balance"),
    ("Spread_bps", "Spread"),
    ("Discount_Margin", "Discount Margin"),
    ("PIKable", "PIKable"),
    ("OC_Test", "OC Trigger"),
    ("IC_Test", "IC Trigger"),
    ("DayCount", "Day Count"),
    ("Equity", "Equity"),
    ("Coupon_Type", "Coupon Type"),
)
"""``Liability`` rows (one column per tranche, rows AK4:AK16): keys as in ``legacy/mag17_deal.json``."""
FEES = Block(
    "Fees",
    "Fees",
    col("AJ"),
    ("name", "basis", "unpaid", "fixed_amount", "day_count", "rate", "interest_on_unpaid", "spread"),
    (
        ("Fee",),
        ("Basis",),
        ("Unpaid",),
        ("Fixed Amount",),
        ("Day Count",),
        ("Rate",),
        ("Interest on Unpaid",),
        ("Spread",),
    ),
    header_row=19,
    first_row=20,
)
PAY_SUB_NOTES = Block(
    "PaySubNotes",
    "Sub Notes Cash Flows",
    col("AJ"),
    ("date", "amount"),
    (("Date",), ("Amount",)),
    header_row=27,
    first_row=28,
)

DEAL_BLOCKS: tuple[Block, ...] = (
    DEAL_COLLATERAL,
    ACCOUNTS,
    TEST_THRESHOLDS,
    QUALITY_TEST_INPUTS,
    OBJ_WEIGHTS,
    CF_INPUTS,
    CLO_INPUTS,
    DATE_INPUTS,
    PAYMENT_DATES,
    FEES,
    PAY_SUB_NOTES,
)
FIXED_BLOCKS = frozenset(
    {"DealCollateral", "Accounts", "TestThresholds", "QualityTestInputs", "ObjWeights", "CFInputs"}
)
"""Blocks whose columns are legacy facts: their headers are always checked. The other (cash-flow) blocks
are [inferred]: found through their name, else at the default address only if the headers are there."""

DEAL_TOC: tuple[str, ...] = (
    "CLO Accounts",
    "CLO Collateral",
    "CLO Fees",
    "CLO Inputs",
    "Cashflow Inputs",
    "Liability",
    "Payment Dates",
    "Test Thresholds",
)
"""Column A 'Table Of Contents' entries (A3 down); navigation only."""


# --------------------------------------------------------------------------------------------------
# Run Model (COMPLIANCE_SPEC §1.3)

RUN_MODEL_CELLS: tuple[tuple[str, str, str], ...] = (
    ("analysis_date", "C8", "Analysis Date"),
    ("deal", "C9", "Deal"),
    ("collateral_par", "C10", "Collateral Par"),
    ("collection_principal", "C11", "Collection Principal"),
    ("collection_interest", "C12", "Collection Interest"),
    ("show_cf_options", "C14", "Show CF / RM Options"),
    ("use_rating_migration", "C15", "Use Rating Migration for CF"),
    ("correlation", "C16", "Correlation Matrix"),
    ("simulations", "C17", "Number of Simulations"),
    ("rm_frequency", "C18", "RM Frequency"),
    ("static_random", "C19", "Static Random Numbers"),
    ("seed", "C20", "Random Seed"),
    ("incremental_loan_size", "E8", "Incremental Loan Size"),
    ("allow_par_increase", "E9", "Allow Par Increase"),
    ("ranking_transaction", "E10", "Ranking Transaction"),
    ("rebalance_sale_par", "E11", "Rebalance Sale Par"),
    ("rebalance_buy_par", "E12", "Rebalance Buy Par"),
    ("hypo_pool_mode", "N8", "Hypo Pool Mode"),
)
"""(key, value cell, label). Labels sit one column left of the value (B for C, D for E, M for N)."""

FILTER_FIELDS: tuple[str, ...] = ("logical", "open", "field", "operator", "value", "close")
BUY_FILTER = ("BuyFilter", 15, 20)  # D15:I20
SALE_FILTER = ("SaleFilter", 23, 28)  # D23:I28
FILTER_FIRST_COL = col("D")
HYPO_FIELDS: tuple[str, ...] = ("deal", "brs_id", "transaction", "par", "price")
HYPO_HEADERS: tuple[str, ...] = ("Deal", "BRS ID", "Transaction", "Par", "Price")
HYPO_HEADER_ROW, HYPO_FIRST_ROW, HYPO_LAST_ROW = 10, 11, 39
HYPO_FIRST_COL = col("J")
OBJECTIVE_PANEL_ROWS = (31, 38)  # D = test name, G = current result, H = test number, I = weight
OBJECTIVE_PANEL_COLS = {
    "test_name": col("D"),
    "current_result": col("G"),
    "test_number": col("H"),
    "weight": col("I"),
}
OBJECTIVE_PANEL_SUM = "I39"
RUN_MODEL_MENU_CELL = "B27:B31"  # merged, double-click opens the legacy menu
DELETE_ALL_CELL = "B33"


# --------------------------------------------------------------------------------------------------
# Reference Table (COMPLIANCE_SPEC §1.8): title row 2, headers row 3, data from row 4

REFERENCE_HEADER_ROW = 3
REFERENCE_FIRST_ROW = 4


@dataclass(frozen=True)
class RefSection:
    key: str
    name: str  # workbook-level named range over the data rows
    title: str
    first_col: int
    headers: tuple[str, ...]


REFERENCE_SECTIONS: tuple[RefSection, ...] = (
    RefSection("holidays", "Holidays", "Holidays", col("B"), ("Date", "Day")),
    RefSection(
        "libor_rates",
        "LIBOR_Rates",
        "Actual LIBOR Rates",
        col("D"),
        ("CUSIP", "Date", "Sec Desc1", "Yield", "Source"),
    ),
    RefSection(
        "cf_vectors",
        "CF_Vectors",
        "Cashflow Vectors",
        col("I"),
        (
            "Period",
            "QTR_CPR_1",
            "SA_CPR_1",
            "QTR_CDR_1",
            "QTR_CDR_2",
            "Open2",
            "SA_CDR_1",
            "QTR_SEV_1",
            "SA_SEV_1",
        ),
    ),
    RefSection("sink_schedule", "Sink_Schedule", "Sink Schedule", col("R"), ("CUSIP", "Date", "Amount")),
    RefSection(
        "transition_matrix",
        "SpTransMat",
        "S&P 1 year Transition Matrix",
        col("U"),
        ("From/to", *STATES),
    ),
    RefSection("libor_curve", "LIBORCurve", "Yield Curve", col("AO"), ("Tenor (Months)", "Rate")),
    RefSection("deals", "Deals", "Deals", col("AR"), ("Deals",)),
    RefSection(
        "cf_assumptions",
        "CFAssumptions",
        "CF Assumptions",
        col("AT"),
        ("ID", "Prepay", "Default", "Severity", "Lag"),
    ),
)
"""[data] B, D:H, I:Q, R:T, U:AM as in the legacy; [inferred] yield curve, deals and CF assumptions."""
TRANSITION_CUMULATIVE_ROW = 24  # V24: cumulative rows
TRANSITION_THRESHOLD_ROW = 43  # V43: NORM.S.INV thresholds

FILTER_LISTS: tuple[tuple[str, str], ...] = (
    ("sp_ratings", "S&P Rating"),
    ("moodys_ratings", "Moody's Rating"),
    ("sp_industries", "S&P Industry"),
    ("moodys_industries", "Moody Industry"),
    ("open_parenthesis", "Open Parenthesis"),
    ("close_parenthesis", "Close Parenthisis"),
    ("numeric_operators", "Numerical Operator"),
    ("string_operators", "String Operators"),
    ("logical_operators", "Logical Operator"),
    ("filter_fields", "Filter Fields"),
    ("boolean_fields", "Boolean Fields"),
    ("countries", "Country Fields"),
    ("analyst_opinion", "Analyst Opinnion"),
)
"""Filter Sheet columns A:M (row-1 headers verbatim, misspellings included), lists from row 2."""
