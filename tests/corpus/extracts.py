"""A valid pair of legacy extract files (CONTRACT §2), synthesised here: the base the corpus breaks.

Twelve invented assets keyed by the 70 ``All Assets`` headers plus a ``MAG17_Par_Amount`` column, and a
``Mag 17`` deal-inputs document. Nothing is copied from the legacy folder; values are plausible and
deterministic.
"""

from __future__ import annotations

import copy
import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from clo_xl.portfolio.asset import ALL_ASSETS_HEADERS

DEAL = "Mag 17"
PAR_COLUMN = "MAG17_Par_Amount"
N_ASSETS = 12
_MOODYS = ("Ba3", "B1", "B2", "B2", "B3", "Caa1")
_SP = ("BB-", "B+", "B", "B", "B-", "CCC+")


def asset_record(i: int) -> dict[str, Any]:
    """One valid asset row (ISO dates, ``Yes``/``No`` flags), ID ``CORPUS{i:03d}``."""
    r = i % len(_MOODYS)
    issue = date(2014, 1, 6) + timedelta(days=37 * i)
    values: dict[str, Any] = {
        "BLKRockID": f"CORPUS{i:03d}",
        "Issue Name": f"CORPUS ISSUE {i}",
        "Issuer Name": f"CORPUS OBLIGOR {i}",
        "ISSUER ID": f"COB{i:04d}",
        "Tranche": "TL-B",
        "Bond/Loan": "LOAN",
        "Par Amount": 0.0,
        "Maturity": (issue + timedelta(days=2200)).isoformat(),
        "Coupon Type": "FLOAT",
        "Payment Frequency": 4,
        "Coupon Spread": 0.0325 + 0.0025 * (i % 4),
        "Libor Floor": 0.01,
        "Index": "3M Libor",
        "Coupon": 0.0425 + 0.0025 * (i % 4),
        "Commitment Fee": 0.0,
        "Unfunded Amount": 0.0,
        "Facility Size": 250_000_000.0,
        "Moody's Industry": ("Healthcare & Pharmaceuticals", "High Tech Industries", "Automotive")[i % 3],
        "S&P Industry": ("Health care", "Electronics/electrical", "Automotive")[i % 3],
        "Moody Asset Category": "Moody’s Senior Secured loan",
        "S&P Priority Category": "Senior Secured Loan",
        "Country ": "USA" if i % 5 else "Canada",
        "Seniority": "Senior Secured",
        "Deferred Interest Bond": "No",
        "PiKing": "No",
        "PIK Amount": 0.0,
        "Default Obligation": "No",
        "Date of Defaulted": None,
        "Delayed Drawdown ": "No",
        "Revolver": "No",
        "Letter of Credit": "No",
        "Participation": "No",
        "DIP": "No",
        "Convertible": "No",
        "Structured Finance": "No",
        "Bridge Loan": "No",
        "Current Pay": "No",
        "Cov-Lite": "Yes" if i % 3 == 0 else "No",
        "Currency": "USD",
        "WAL": 4.5,
        "Market Value": 98.5,
        "First Lien Last Out Loan": "No",
        "Moody's Rating-21": _MOODYS[r],
        "Moody's Recovery Rate-23": 0.45,
        "Moody's Default Probability Rating-18": _MOODYS[r],
        "Moody's Rating WARF": _MOODYS[r],
        "Moody Facility Rating": _MOODYS[r],
        "Moody Facility Outlook": "Stable",
        "Moody Issuer Rating": _MOODYS[r],
        "Moody Issuer outlook": "Stable",
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
        "Dated Date": issue.isoformat(),
        "Issue Date": issue.isoformat(),
        "First Payment Date": (issue + timedelta(days=91)).isoformat(),
        "Amortization Type": "Scheduled",
        "Day Count": "ACTUAL/360",
        "Index Cap": 0.0,
        "Business Day Convention": "Mod Following",
        "PMT EOM": False,
        "Amount Issued": 250_000_000.0,
        "Credit Opinion": None,
    }
    assert tuple(values) == ALL_ASSETS_HEADERS, "the base must carry the 70 legacy headers in order"
    values[PAR_COLUMN] = 2_000_000.0 + 500_000.0 * i
    return values


def asset_records() -> list[dict[str, Any]]:
    return [asset_record(i) for i in range(N_ASSETS)]


def deal_document() -> dict[str, Any]:
    """A ``Mag 17`` deal-inputs document (shape of CONTRACT §2) over :func:`asset_records`."""
    return {
        "deal": DEAL,
        "analysis_date": "2016-03-23",
        "next_payment_date": "2016-07-20",
        "current_libor": 0.0062,
        "original_libor": 0.0062,
        "accounts": [
            {"number": 1, "name": "Payment", "interest": 0.0, "principal": 0.0},
            {"number": 2, "name": "Collection", "interest": 50_000.0, "principal": 1_500_000.0},
        ],
        "quality_test_inputs": {
            "Current LIBOR": 0.0062,
            "Reinvestment Target Balance": 50_000_000,
            "Weighted Average Spread": 0.04,
            "WARF Factor": 67,
            "WARF Threshold": 2740,
        },
        "test_thresholds": [
            {
                "test_number": 1,
                "test_name": "Limitation on Senior Secured Loans",
                "min_max": "Min",
                "threshold": 0.9,
                "overwrite": None,
                "previous_value": None,
            },
            {
                "test_number": 2,
                "test_name": "Limitation on non Senior Secured Loans",
                "min_max": "Max",
                "threshold": 0.1,
                "overwrite": None,
                "previous_value": None,
            },
            {
                "test_number": 7,
                "test_name": "Limitation on Caa Loans",
                "min_max": "Max",
                "threshold": 0.075,
                "overwrite": None,
                "previous_value": None,
            },
        ],
        "objective_weights": [{"test_number": 7, "weight": 1.0}],
        "par_column": PAR_COLUMN,
    }


def write_assets(path: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """Write asset records as JSON, CSV or XLSX by the suffix of ``path``."""
    records = asset_records() if records is None else records
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(records, indent=1, allow_nan=True), encoding="utf-8")
    elif suffix == ".csv":
        headers = list(records[0]) if records else []
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for rec in records:
                w.writerow(["" if rec.get(h) is None else rec.get(h) for h in headers])
    elif suffix == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("All Assets")
        headers = list(records[0])
        ws.write_row(0, 0, headers)
        for k, rec in enumerate(records, start=1):
            for j, h in enumerate(headers):
                if rec.get(h) is not None:
                    ws.write(k, j, rec[h])
        wb.close()
    else:  # pragma: no cover - the corpus only writes the three formats above
        raise ValueError(path)
    return path


def write_deal(path: Path, document: dict[str, Any] | None = None) -> Path:
    path.write_text(json.dumps(deal_document() if document is None else document, indent=1), encoding="utf-8")
    return path


def modified(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return copy.deepcopy(records)
