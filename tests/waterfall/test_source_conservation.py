"""Interest-only and principal-only conservation of every period (issue 11 item 4).

Coverage cures paid from interest proceeds stay interest-sourced, and interest moved into principal by the
interest-diversion test is an interest-sourced payment to "Principal Proceeds" (and part of the period's
principal proceeds, as the legacy's Deal Info shows them), so each waterfall reconciles on its own, to the
cent:

* interest_proceeds = Σ interest-sourced payments + carried_interest
* principal_proceeds = Σ principal-sourced payments + reinvested + carried_principal

(and their sum is CONTRACT §3's identity). Checked on every sample deal in both conventions, in the base case
and under a stress that trips the coverage tests, and on the real Mag 17 extract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import cashflow_document, inputs_from_extract, inputs_from_workbook

DEALS = ("Mag 6", "Mag 7", "Mag 8", "Mag 9", "Mag 11", "Mag 12", "Mag 14", "Mag 15", "Mag 16", "Mag 17")
STRESS = {"cdr": 0.08, "severity": 0.4, "lag": 6}


def check_sources(doc: dict[str, Any]) -> tuple[int, int]:
    """Assert both identities in every period; returns the periods with an interest cure and with an
    interest diversion."""
    cured = diverted = 0
    for p in doc["periods"]:
        paid = {"interest": 0.0, "principal": 0.0}
        for x in p["payments"]:
            paid[x["source"]] += x["amount"]
        moved = p["interest_to_principal"]
        where = f"{doc['deal']} {doc['convention']} period {p['period']}"
        assert p["interest_proceeds"] == pytest.approx(paid["interest"] + p["carried_interest"], abs=0.005), (
            where
        )
        assert p["principal_proceeds"] == pytest.approx(
            paid["principal"] + p["reinvested"] + p["carried_principal"], abs=0.005
        ), where
        transfer = sum(x["amount"] for x in p["payments"] if x["payee"] == "Principal Proceeds")
        assert transfer == pytest.approx(moved, abs=0.005), where
        assert p["carried"] == pytest.approx(p["carried_interest"] + p["carried_principal"], abs=0.005)
        assert p["diverted_interest"] == pytest.approx(moved + p["interest_cures"], abs=0.005)
        cured += p["interest_cures"] > 0
        diverted += p["interest_to_principal"] > 0
    return cured, diverted


@pytest.fixture(scope="module")
def book(sample_workbook: Path) -> Any:
    return read_workbook(sample_workbook)


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
@pytest.mark.parametrize("deal", DEALS)
def test_sample_deals(book: Any, deal: str, convention: str) -> None:
    inputs = inputs_from_workbook(book, deal)
    check_sources(cashflow_document(inputs, deal=deal, convention=convention))
    check_sources(cashflow_document(inputs, deal=deal, convention=convention, **STRESS))


def test_stress_cures_and_diverts_interest_somewhere(book: Any) -> None:
    """The stress really exercises item 4: interest-paid cures and interest diversions happen and still
    reconcile per source."""
    counts = [
        check_sources(cashflow_document(inputs_from_workbook(book, d), deal=d, convention=c, **STRESS))
        for d in DEALS
        for c in ("legacy", "corrected")
    ]
    assert sum(c for c, _ in counts) > 0 and sum(d for _, d in counts) > 0


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_mag17_extract(legacy_dir: Path, convention: str) -> None:
    import json

    records = json.loads((legacy_dir / "mag17_assets.json").read_text(encoding="utf-8"))
    deal = json.loads((legacy_dir / "mag17_deal.json").read_text(encoding="utf-8"))
    inputs = inputs_from_extract(records, deal)
    check_sources(cashflow_document(inputs, convention=convention))
    check_sources(cashflow_document(inputs, convention=convention, **STRESS))
