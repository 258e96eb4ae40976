"""Seeded synthetic books (universe + deals) in the workbook's raw shape, for tests and benchmarks.

Values are plausible (B-heavy ratings, LIBOR spreads and floors, US-heavy countries) but invented: nothing
here comes from the legacy workbook. Deterministic for a given seed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.persistence.asset_columns import ASSET_COLUMNS
from clo_xl.persistence.content import WorkbookContent

_MOODYS = ("Ba1", "Ba2", "Ba3", "B1", "B1", "B2", "B2", "B2", "B3", "B3", "Caa1", "Caa2")
_SP = ("BB+", "BB", "BB-", "B+", "B+", "B", "B", "B", "B-", "B-", "CCC+", "CCC")
_INDUSTRIES = ("Healthcare & Pharmaceuticals", "Services: Business", "High Tech Industries", "Automotive")
_SP_INDUSTRIES = ("Health care", "Business equipment & services", "Electronics/electrical", "Automotive")
_COUNTRIES = ("USA",) * 8 + ("Canada", "United Kingdom", "Netherlands", "Luxembourg")


def synthetic_universe(n_assets: int, *, seed: int = 7, file: str = "synthetic.xlsm") -> RawTable:
    """An ``All Assets`` raw table of ``n_assets`` rows with all 70 legacy headers (sheet rows from 2)."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for i in range(n_assets):
        r = int(rng.integers(0, len(_MOODYS)))
        ind = int(rng.integers(0, len(_INDUSTRIES)))
        issue = date(2014, 1, 1) + timedelta(days=int(rng.integers(0, 900)))
        maturity = issue + timedelta(days=int(rng.integers(1500, 2900)))
        spread = round(float(rng.choice([0.0275, 0.03, 0.0325, 0.035, 0.0375, 0.04, 0.045, 0.05])), 4)
        floor = float(rng.choice([0.0, 0.0075, 0.01]))
        size = float(rng.integers(20, 200)) * 5_000_000.0
        values: dict[str, Any] = {
            "BLKRockID": f"SYN{i:06d}",
            "Issue Name": f"SYNTHETIC ISSUE {i}",
            "Issuer Name": f"SYNTHETIC OBLIGOR {i // 2}",
            "ISSUER ID": f"OBL{i // 2:05d}",
            "Tranche": "TL-B",
            "Bond/Loan": "LOAN",
            "Par Amount": 0.0,
            "Maturity": datetime.combine(maturity, datetime.min.time()),
            "Coupon Type": "FLOAT",
            "Payment Frequency": 4.0,
            "Coupon Spread": spread,
            "Libor Floor": floor,
            "Index": "3M Libor",
            "Coupon": round(spread + max(floor, 0.0062), 6),
            "Commitment Fee": 0.0,
            "Unfunded Amount": 0.0,
            "Facility Size": size,
            "Moody's Industry": _INDUSTRIES[ind],
            "S&P Industry": _SP_INDUSTRIES[ind],
            "Moody Asset Category": "Moody’s Senior Secured loan",
            "S&P Priority Category": "Senior Secured Loan",
            "Country ": _COUNTRIES[int(rng.integers(0, len(_COUNTRIES)))],
            "Seniority": "Senior Secured",
            "Deferred Interest Bond": "No",
            "PiKing": "No",
            "PIK Amount": 0.0,
            "Default Obligation": "Yes" if rng.random() < 0.01 else "No",
            "Date of Defaulted": 0.0,
            "Delayed Drawdown ": "No",
            "Revolver": "No",
            "Letter of Credit": "No",
            "Participation": "No",
            "DIP": "Yes" if rng.random() < 0.02 else "No",
            "Convertible": "No",
            "Structured Finance": "No",
            "Bridge Loan": "No",
            "Current Pay": "No",
            "Cov-Lite": "Yes" if rng.random() < 0.3 else "No",
            "Currency": "USD",
            "WAL": round(float(rng.uniform(2.0, 7.0)), 2),
            "Market Value": round(float(rng.uniform(85.0, 101.0)), 3),
            "First Lien Last Out Loan": "No",
            "Moody's Rating-21": _MOODYS[r],
            "Moody's Recovery Rate-23": 0.45,
            "Moody's Default Probability Rating-18": _MOODYS[r],
            "Moody's Rating WARF": _MOODYS[r],
            "Moody Facility Rating": _MOODYS[r],
            "Moody Facility Outlook": None,
            "Moody Issuer Rating": _MOODYS[r],
            "Moody Issuer outlook": None,
            "Moody's Senior Secured Rating": _MOODYS[r],
            "Moody Senior Unsecured Rating": "NR",
            "Moody Subordinate Rating": "NR",
            "Moody's Credit Estimate": None,
            "Moody's Credit Estimate Date": None,
            "S&P Facility Rating": _SP[r],
            "S&P Issuer Rating": _SP[r],
            "S&P Senior Secured Rating": _SP[r],
            "S&P Subordinated Rating": "NR",
            "S&P Recovery Rating": "3H",
            "Dated Date": datetime.combine(issue, datetime.min.time()),
            "Issue Date": datetime.combine(issue, datetime.min.time()),
            "First Payment Date": datetime.combine(issue + timedelta(days=90), datetime.min.time()),
            "Amortization Type": "Scheduled",
            "Day Count": "ACTUAL/360",
            "Index Cap": 0.0,
            "Business Day Convention": "Mod Following",
            "PMT EOM": False,
            "Amount Issued": size,
            "Credit Opinion": None,
        }
        rows.append(values)
    return RawTable(
        file=file,
        sheet="All Assets",
        headers=tuple(c.header for c in ASSET_COLUMNS),
        rows=tuple(rows),
        first_row=2,
        columns={c.header: c.position for c in ASSET_COLUMNS},
    )


def synthetic_deal(
    deal: str, asset_ids: list[str], *, n_holdings: int, seed: int = 11, file: str = "synthetic.xlsm"
) -> RawDocument:
    """A deal document (CONTRACT §2 shape) holding ``n_holdings`` distinct assets of ``asset_ids``."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(asset_ids), size=min(n_holdings, len(asset_ids)), replace=False)
    holdings = [
        {"brs_id": asset_ids[int(p)], "par": float(rng.integers(4, 21)) * 250_000.0} for p in sorted(picked)
    ]
    thresholds = [
        {
            "test_number": 1,
            "test_name": "Limitation on Senior Secured Loans",
            "min_max": "Min",
            "threshold": 0.9,
        },
        {
            "test_number": 2,
            "test_name": "Limitation on non Senior Secured Loans",
            "min_max": "Max",
            "threshold": 0.1,
        },
        {"test_number": 7, "test_name": "Limitation on Caa Loans", "min_max": "Max", "threshold": 0.075},
        {
            "test_number": 11,
            "test_name": "Limitation on DIP Obligations",
            "min_max": "Max",
            "threshold": 0.025,
        },
        {
            "test_number": 32,
            "test_name": "Minimum Weighted Average Spread",
            "min_max": "Min",
            "threshold": None,
        },
    ]
    for t in thresholds:
        t.setdefault("overwrite", None)
        t["previous_value"] = None
    data: dict[str, Any] = {
        "deal": deal,
        "analysis_date": "2016-03-23",
        "next_payment_date": "2016-07-20",
        "current_libor": 0.005418,
        "original_libor": 0.005418,
        "accounts": [
            {"number": 1, "name": "Payment", "interest": 0.0, "principal": 0.0},
            {
                "number": 2,
                "name": "Collection",
                "interest": 10_000.0,
                "principal": float(rng.integers(-5, 60)) * 1e6,
            },
        ],
        "quality_test_inputs": {
            "Current LIBOR": 0.005418,
            "Reinvestment Target Balance": 500_000_000,
            "Weighted Average Spread": 0.04,
            "WARF Factor": 67,
            "WARF Threshold": 2740,
        },
        "test_thresholds": thresholds,
        "objective_weights": [{"test_number": 32, "weight": 0.6}, {"test_number": 7, "weight": 0.4}],
        "holdings": holdings,
        "tranches": [
            {"class": "Class A", "Original_Balance": 320e6, "Current_Balance": 320e6, "Spread_bps": 0.0155},
            {"class": "Class B", "Original_Balance": 60e6, "Current_Balance": 60e6, "Spread_bps": 0.0235},
            {"class": "Sub Notes", "Original_Balance": 50e6, "Current_Balance": 50e6, "OC_Test": "NA"},
        ],
        "cf_inputs": {"A Liquidation Price": 0.96, "Reinvest": "Yes"},
    }
    return RawDocument(file=file, data=data, sheet=f"{deal} Inputs")


def holdings_table(doc: RawDocument) -> RawTable:
    """The deal's ``DealCollateral`` block (D:E from row 4) as the workbook reader returns it."""
    records = doc.data.get("holdings") or []
    assert isinstance(records, list)
    return RawTable(
        file=doc.file,
        sheet=doc.sheet,
        headers=("BLKRockID", "Par Amount"),
        rows=tuple({"BLKRockID": r["brs_id"], "Par Amount": r["par"]} for r in records),
        first_row=4,
        columns={"BLKRockID": 4, "Par Amount": 5},
    )


def synthetic_book(n_assets: int, n_deals: int, holdings_per_deal: int, *, seed: int = 7) -> WorkbookContent:
    """A universe and ``n_deals`` deals (``Syn 1`` …, not the real deal list) as a migration's input."""
    table = synthetic_universe(n_assets, seed=seed)
    ids = [str(r["BLKRockID"]) for r in table.rows]
    docs = [
        synthetic_deal(f"Syn {k + 1}", ids, n_holdings=holdings_per_deal, seed=seed * 1000 + k)
        for k in range(n_deals)
    ]
    deals = {
        str(d.data["deal"]): RawDocument(
            d.file, {k: v for k, v in d.data.items() if k != "holdings"}, sheet=d.sheet
        )
        for d in docs
    }
    holdings = {str(d.data["deal"]): holdings_table(d) for d in docs}
    return WorkbookContent(file=table.file or "synthetic", assets=table, deals=deals, holdings=holdings)
