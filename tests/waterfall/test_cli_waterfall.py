"""`clo-xl waterfall diff/show` and `clo-xl cashflows` usage errors."""

from __future__ import annotations

import json

import pytest

from clo_xl.cli import main


def test_diff_mag15_mag16_lists_step_differences(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waterfall", "diff", "Mag 15", "Mag 16", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["left"] == "Mag 15" and doc["right"] == "Mag 16"
    sections = {d["section"] for d in doc["differences"]}
    assert {"interest", "principal", "notes", "eod", "tests"} <= sections
    # Mag 16 has no junior fee in its note payment sequence (legacy), Mag 15 has
    notes = [d for d in doc["differences"] if d["section"] == "notes"]
    assert any("Junior Manager Fee" in " ".join(d["Mag 15"]) for d in notes)


def test_identical_versions_have_no_step_differences(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waterfall", "diff", "Mag 8", "Mag 12", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["differences"] == []


def test_show_unknown_version_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waterfall", "show", "Mag 99", "--json"]) == 2
    assert "no waterfall" in json.loads(capsys.readouterr().out)["message"]


def test_cashflows_without_inputs_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cashflows", "--json"]) == 2
    assert "--workbook" in json.loads(capsys.readouterr().out)["message"]


def test_cashflows_rejects_a_percent_cdr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cashflows", "--assets", "a.json", "--deal-inputs", "d.json", "--cdr", "2", "--json"]) == 2


def test_diff_names_the_tests(capsys: pytest.CaptureFixture[str]) -> None:
    # Mag 15 tests B-2 (A + B-1 + B-2), Mag 16 tests B (A + B): the readable diff names both tests
    assert main(["waterfall", "diff", "Mag 15", "Mag 16"]) == 0
    out = capsys.readouterr().out
    assert "test Class B-2 OC" in out and "test Class B OC" in out
