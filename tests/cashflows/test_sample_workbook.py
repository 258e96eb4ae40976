"""`clo-xl cashflows --workbook workbook/TradeHypo.xlsm --deal D --json` for all ten deals (CONTRACT §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main

WORKBOOK = Path(__file__).resolve().parents[2] / "workbook" / "TradeHypo.xlsm"
DEALS = ("Mag 6", "Mag 7", "Mag 8", "Mag 9", "Mag 11", "Mag 12", "Mag 14", "Mag 15", "Mag 16", "Mag 17")


@pytest.mark.skipif(
    not WORKBOOK.is_file(), reason="workbook/TradeHypo.xlsm not built (python workbook/build.py)"
)
@pytest.mark.parametrize("deal", DEALS)
@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_every_deal_conserves_cash_and_gives_the_subs_a_finite_irr(
    deal: str, convention: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["cashflows", "--workbook", str(WORKBOOK), "--deal", deal, "--convention", convention, "--json"]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["periods"]) > 4
    for p in doc["periods"]:
        total = sum(x["amount"] for x in p["payments"]) + p["reinvested"] + p["carried"]
        assert round(total, 2) == round(p["interest_proceeds"] + p["principal_proceeds"], 2)
        for t in p["tranches"]:
            if t["class"] != "Sub Notes":
                assert t["ending_balance"] >= -0.01
    subs = next(t for t in doc["summary"]["tranches"] if t["class"] == "Sub Notes")
    assert subs["irr"] is not None and -1 < subs["irr"] < 10
    assert doc["summary"]["sub_note_irr"] is not None


@pytest.mark.skipif(
    not WORKBOOK.is_file(), reason="workbook/TradeHypo.xlsm not built (python workbook/build.py)"
)
def test_migration_paths_are_seeded_and_reported(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "cashflows",
        "--workbook",
        str(WORKBOOK),
        "--deal",
        "Mag 15",
        "--paths",
        "3",
        "--seed",
        "7",
        "--json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert [p["defaults"] for p in first["paths"]] == [p["defaults"] for p in again["paths"]]
    assert len(first["paths"]) == 3
    stats = first["migration"]
    assert stats["cumulative_default"][-1] == pytest.approx(sum(stats["period_default"]))
    assert "Rnd" in stats["note"]


@pytest.mark.skipif(
    not WORKBOOK.is_file(), reason="workbook/TradeHypo.xlsm not built (python workbook/build.py)"
)
def test_service_matches_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    from clo_xl.ingest.workbook import read_workbook
    from clo_xl.runs.cashflow_service import project_workbook_deal

    doc = project_workbook_deal(read_workbook(WORKBOOK, deals=["Mag 11"]), "Mag 11")
    assert main(["cashflows", "--workbook", str(WORKBOOK), "--deal", "Mag 11", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["periods"] == json.loads(json.dumps(doc["periods"]))


@pytest.mark.skipif(
    not WORKBOOK.is_file(), reason="workbook/TradeHypo.xlsm not built (python workbook/build.py)"
)
def test_scenario_grid_from_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["cashflows", "--workbook", str(WORKBOOK), "--deal", "Mag 8", "--grid-cdr", "0,0.05"]
    assert main([*args, "--grid-shift", "0,50", "--workers", "1", "--json"]) == 0
    grid = json.loads(capsys.readouterr().out)["grid"]
    assert [(r["cdr"], r["curve_shift"]) for r in grid] == [
        (0.0, 0.0),
        (0.0, 0.005),
        (0.05, 0.0),
        (0.05, 0.005),
    ]
    # more defaults leave less for the Sub Notes
    assert grid[2]["cash:Sub Notes"] < grid[0]["cash:Sub Notes"]
    assert main([*args, "--grid-cpr", "2", "--json"]) == 2
