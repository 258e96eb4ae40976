"""`clo-xl demo` on a fresh HOME: the main job succeeds on the embedded default and leaves its outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_WORKBOOK = REPO_ROOT / "workbook" / "TradeHypo.xlsm"

# the whole main job in a subprocess (its own timeout is 600 s): past the suite's default per-test timeout
# on a loaded 2-core machine
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    if not SAMPLE_WORKBOOK.is_file():
        pytest.skip("sample workbook not built")
    # a fresh HOME outside pytest's temp root, which pytest resets to 0700 when another session starts
    # (the embedded server runs as the unprivileged ``pgserver`` user when the tests run as root)
    home = Path(tempfile.mkdtemp(prefix="clo-xl-demo-home-"))
    work = tmp_path_factory.mktemp("work")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CLO_XL_DATABASE_URL", "CLO_XL_DATA_DIR", "XDG_DATA_HOME")
    }
    env["HOME"] = str(home)
    proc = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", "demo", "--workbook", str(SAMPLE_WORKBOOK), "--json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # stop the embedded server this HOME started, so the test leaves nothing running
    subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", "db", "stop"],
        cwd=work,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return proc, work


def test_demo_succeeds_with_every_step(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, _ = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    statuses = {s["step"]: s["status"] for s in doc["steps"]}
    assert statuses["Load sample workbook"] == "ok"
    assert statuses["Migrate into PostgreSQL"] == "ok"
    assert statuses["Compliance, every deal"] == "ok"
    assert statuses["Parallel run (validate)"] == "ok"
    compliance = next(s for s in doc["steps"] if s["step"] == "Compliance, every deal")
    assert compliance["details"]["deals"] == 10


def test_demo_writes_workbook_and_html(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, work = demo_run
    out = work / "clo-xl-out"
    xlsx = out / "clo-xl-demo.xlsx"
    page = out / "clo-xl-demo.html"
    assert xlsx.is_file() and page.is_file()
    book = load_workbook(xlsx)
    assert "Summary" in book.sheetnames and "Compliance" in book.sheetnames
    # one row per test result of every deal under the header, filtered and frozen; the legacy effects
    # follow as notes under the table
    compliance = json.loads(proc.stdout)["steps"][2]["details"]
    sheet = book["Compliance"]
    assert sheet.auto_filter.ref == f"A1:H{compliance['results'] + 1}" and sheet.freeze_panes == "A2"
    # test 1 (a share of par) as a percent, test 36 (WARF) as a number, pass/fail as booleans
    first = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == 1)
    warf = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == 36)
    assert first[5].number_format == "0.000%" and warf[5].number_format == "#,##0.0000"
    assert isinstance(first[6].value, bool)
    assert re.search(r"<h2 id=\"[^\"]+\">Compliance", page.read_text(encoding="utf-8"))
    assert REPO_ROOT.is_dir()
