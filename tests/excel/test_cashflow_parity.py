"""Excel and the command line give the same cash flows for the same deal (one shared pipeline).

``CLO_CASHFLOWS`` (the UDF on the deal stored in PostgreSQL, migrated from the sample) is compared with
``clo-xl cashflows --workbook … --json`` run in a separate process on the workbook itself, and the
``Deal CF-<Deal>`` tab the Run Cash Flows button writes is compared with both: three routes (the database →
the stored book → the pipeline; the CLI's own reader and pipeline call; the legacy-tab writer over the
waterfall result) that must agree period by period.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clo_xl.excel import handlers, udfs
from clo_xl.excel.file_workbook import FileWorkbook

DEAL = "Mag 17"


def _cli_document(workbook: Path, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", "cashflows", "--workbook", str(workbook), "--deal", DEAL,
         "--json", *extra],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return document


@pytest.fixture
def bound(stored: str, sample_workbook: Path) -> Iterator[Path]:
    """The UDFs on the database holding the migrated sample; the workbook for the command line."""
    yield sample_workbook


def _udf_rows(table: object) -> dict[str, list[Any]]:
    """The UDF's table by column title; an error would come back as "#CLO! ..." text and fails here."""
    assert isinstance(table, list), table
    header, rows = table[0], table[1:]
    return {str(name): [row[j] for row in rows] for j, name in enumerate(header)}


@pytest.mark.postgres
@pytest.mark.parametrize(
    "scenario", [(), ("--cpr", "0.1", "--cdr", "0.03", "--severity", "0.4", "--lag", "6")]
)
def test_udf_and_command_line_agree(bound: Path, scenario: tuple[str, ...]) -> None:
    values = [float(v) for v in scenario[1::2]]
    columns = _udf_rows(udfs.CLO_CASHFLOWS(DEAL, *values))
    document = _cli_document(bound, *scenario)
    periods = document["periods"]
    assert len(periods) == len(columns["Period"]) > 4
    assert [d.date().isoformat() for d in columns["Payment Date"]] == [p["payment_date"] for p in periods]
    pairs = (("interest_proceeds", "Interest Proceeds"), ("principal_proceeds", "Principal Proceeds"),
             ("reinvested", "Reinvested"), ("residual", "Residual"))  # fmt: skip
    for key, name in pairs:
        assert columns[name] == pytest.approx([p.get(key) for p in periods], rel=1e-12, abs=1e-6)
    for tranche in periods[0]["tranches"]:
        ending = [next(t for t in p["tranches"] if t["class"] == tranche["class"])["ending_balance"]
                  for p in periods]  # fmt: skip
        assert columns[f"{tranche['class']} Ending Balance"] == pytest.approx(ending, rel=1e-12, abs=1e-6)
    if not scenario:  # the workbook's own CFAssumptions: the base case would move interest proceeds
        base = _udf_rows(udfs.CLO_CASHFLOWS(DEAL, 0.2, 0.02, 0.35, 12))
        assert base["Principal Proceeds"] != pytest.approx(columns["Principal Proceeds"])


def test_run_cash_flows_tab_matches_the_command_line(workbook_copy: Path) -> None:
    """The Deal CF tab's "Deal Info" block (B1: title, B2: headers) carries the command's numbers."""
    book = FileWorkbook(workbook_copy)
    result = handlers.run_cash_flows(book)
    assert result.sheets == (f"Deal CF-{DEAL}",)
    grid = FileWorkbook(workbook_copy).read_sheet(f"Deal CF-{DEAL}")
    assert grid[0][1] == "Deal Info"
    header = grid[1][1:10]
    assert header[:2] == ["Period", "Payment Date"] and "Interest Proceeds" in header
    periods = _cli_document(workbook_copy)["periods"]
    rows = [r for r in grid[2:] if isinstance(r[1], int | float)]
    assert len(rows) == len(periods)
    interest = [r[1 + header.index("Interest Proceeds")] for r in rows]
    principal = [r[1 + header.index("Principal Proceeds")] for r in rows]
    # the JSON document rounds amounts to the cent; the tab keeps the unrounded floats
    assert interest == pytest.approx([p["interest_proceeds"] for p in periods], rel=0, abs=0.005)
    assert principal == pytest.approx([p["principal_proceeds"] for p in periods], rel=0, abs=0.005)
    paid = [d for r in rows if isinstance(d := r[2], date)]  # real Excel dates, as the legacy tab holds them
    assert len(paid) == len(rows)
    assert [d.isoformat() for d in paid] == [p["payment_date"] for p in periods]
