"""Hostile text in workbook cells is stored and reported as text: nothing is executed, and no value is
spliced into SQL (every statement the migration sends is captured; the hostile strings appear in none of
them, yet they arrive in the database verbatim, so they travelled as bound parameters or COPY data)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from clo_xl.cli import main
from clo_xl.persistence.engine import engine
from corpus.cases import ASSETS, asset_cell, held_asset_row
from corpus.xlsx_edit import Package

pytestmark = pytest.mark.postgres

SQL_INJECTION = "Robert'); DROP TABLE clo.asset; --"
DDE_FORMULA = "=cmd|' /C calc'!A0"


def python_payload(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


@pytest.fixture
def hostile_workbook(tmp_path: Path, base_workbook: Path) -> tuple[Path, str, Path]:
    marker = tmp_path / "PWNED"
    pkg = Package(base_workbook)
    row = held_asset_row(pkg)
    asset_id = str(pkg.get(ASSETS, f"A{row}"))
    pkg.set(ASSETS, asset_cell("Issuer Name", row), SQL_INJECTION)
    pkg.set(ASSETS, asset_cell("Issue Name", row), DDE_FORMULA)
    pkg.set(ASSETS, asset_cell("Tranche", row), python_payload(marker))
    return pkg.save(tmp_path / "TradeHypo.xlsm"), asset_id, marker


def test_hostile_text_is_loaded_verbatim_through_bound_parameters(
    hostile_workbook: tuple[Path, str, Path],
    db_url: str,
    statements: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, asset_id, marker = hostile_workbook
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    code = main(["migrate", str(path), "--database-url", db_url, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    assert json.loads(out.out)["status"] == "loaded"
    with engine(db_url).connect() as conn:
        row = conn.execute(
            sa.text("SELECT issuer_name, issue_name, tranche FROM clo.asset WHERE asset_id = :a"),
            {"a": asset_id},
        ).one()
        assets = conn.execute(sa.text("SELECT count(*) FROM clo.asset")).scalar_one()
    assert tuple(row) == (SQL_INJECTION, DDE_FORMULA, python_payload(marker))
    assert assets == 1000  # the table is still there, with every asset
    assert not marker.exists()
    assert statements, "no SQL captured: the event hook saw nothing"
    spliced = [s for s in statements if "Robert" in s or "cmd|" in s or "PWNED" in s]
    assert spliced == []


def test_compliance_treats_hostile_text_as_text(
    hostile_workbook: tuple[Path, str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _asset_id, marker = hostile_workbook
    monkeypatch.chdir(tmp_path)
    code = main(["compliance", "--workbook", str(path), "--deal", "Mag 17", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    assert json.loads(out.out)["deal"] == "Mag 17"
    assert not marker.exists()
