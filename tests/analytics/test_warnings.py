"""Analytics documents carry the legacy switches that moved their figures (CONTRACT §5), and a break-even
warning's claim holds when the switch is turned off in an independent projection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clo_xl.analytics.outcomes import class_outcomes
from clo_xl.api import DealSession
from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.quirks import CashflowQuirk


@pytest.fixture(scope="module")
def session(sample_workbook: Path) -> DealSession:
    return DealSession.from_workbook(sample_workbook, "Mag 17")


@pytest.mark.slow  # many seconds of CPU (a break-even solve): make test runs it, make test-fast does not
def test_breakeven_warnings_name_the_switch_and_hold(session: DealSession) -> None:
    options: dict[str, Any] = {"cpr": 0.2, "severity": 0.35, "lag": 12}
    result = session.breakeven(**options)
    warnings: list[dict[str, str]] = result.to_json()["warnings"]  # type: ignore[assignment]
    by_quirk = {w["quirk"]: w for w in warnings}
    # the Mag 15 waterfall never pays Class X (Q48): without it Class X is paid even at 0% CDR
    assert "Class X breakeven_cdr" in by_quirk["Q48_MAG17_AS_MAG15"]["affects"]
    # independent projection: Q48 off alone, 0% CDR, Class X receives all it is owed
    model = session.cashflow_model(**options)
    conv = model.conventions.without(CashflowQuirk.Q48_MAG17_AS_MAG15)
    zero = CashflowAssumptions(AssetAssumption(0.2, 0.0, 0.35, 12), legacy_vector_overrun=conv.vector_overrun)
    from dataclasses import replace

    off = replace(model, conventions=conv, convention_name=conv.name)
    x = class_outcomes(off.run(zero), equity="Sub Notes")["Class X"]
    assert x.paid_in_full
    assert session.breakeven(convention="corrected", **options).to_json()["warnings"] == []


@pytest.mark.parametrize("name", ["collateral_report", "coverage", "equity"])
def test_documents_flag_legacy_effects_and_corrected_none(session: DealSession, name: str) -> None:
    legacy = getattr(session, name)().to_json()["warnings"]
    assert legacy and all({"quirk", "affects", "message"} <= set(w) for w in legacy)
    assert getattr(session, name)(convention="corrected").to_json()["warnings"] == []
