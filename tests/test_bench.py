"""``clo-xl bench``: cases beside their numpy floors, ratios, growth exponents, and floors that must agree
with the cases they bound (issue 13). No speed is asserted here: speed lives in the bench itself."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.commands.bench import BenchResult, Case, growth, load_cases

SAMPLE_BENCH = """
import time
from clo_xl.commands.bench import Case

def slow(n):
    time.sleep(n * 1e-5)
    return n

def cases():
    return [
        ("a legacy tuple case", lambda: slow(10), 1.0),
        Case("sized 100", lambda: slow(100), floor=lambda: slow(50), check=lambda a, b: None,
             max_ratio=10.0, family="sized", size=100),
        Case("sized 400", lambda: slow(400), floor=lambda: slow(200), max_ratio=10.0, family="sized",
             size=400),
    ]
"""

BAD_FLOOR = """
from clo_xl.commands.bench import Case

def check(a, b):
    assert a == b, f"{a} != {b}"

def cases():
    return [Case("disagrees", lambda: 1, floor=lambda: 2, check=check)]
"""


def _bench(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    folder = tmp_path / "bench"
    folder.mkdir()
    (folder / "bench_demo.py").write_text(text)
    code = main(["bench", "--bench-dir", str(folder), "--only", "demo", "--json", "--repeat", "3"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bench_reports_each_case_beside_its_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _bench(tmp_path, SAMPLE_BENCH, capsys)
    assert code == 0
    doc = json.loads(out)
    by_case = {r["case"]: r for r in doc["results"]}
    legacy = by_case["a legacy tuple case"]
    assert legacy["floor_median_s"] is None and legacy["ratio"] is None and legacy["goal"] == "< 1.00 s"
    sized = by_case["sized 400"]
    assert sized["ratio"] == pytest.approx(sized["median_s"] / sized["floor_median_s"])
    assert sized["goal"] == "<= 10x floor" and sized["runs"] == 3
    (g,) = doc["growth"]
    assert g["family"] == "sized" and g["sizes"] == [100, 400]
    assert isinstance(g["exponent"], float)  # its value is timing: asserted in test_growth_exponent… only
    assert doc["machine"]["cores"] and "load_average_before" in doc["machine"]


def test_a_floor_that_gives_other_numbers_stops_the_bench(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _bench(tmp_path, BAD_FLOOR, capsys)
    assert code == 2
    assert "'disagrees'" in err and "its floor gives other numbers" in err


def test_growth_exponent_is_the_log_log_slope() -> None:
    def result(size: int, t: float, floor: float) -> BenchResult:
        ratio = t / floor
        return BenchResult(
            "a",
            f"c{size}",
            3,
            t,
            t,
            t,
            None,
            floor,
            ratio,
            floor,
            ratio,
            None,
            "-",
            True,
            True,
            "f",
            size,
            "",
        )

    (g,) = growth([result(200, 0.001, 0.0005), result(2_000, 0.004, 0.005), result(10_000, 0.05, 0.025)])
    assert g.sizes == (200, 10_000)
    assert g.exponent == pytest.approx(math.log(50) / math.log(50))  # 50x the time for 50x the assets
    assert g.floor_exponent == pytest.approx(math.log(50) / math.log(50))


@pytest.mark.parametrize(
    ("area", "names"),
    [
        (
            "compliance",
            [
                "compliance warm, Mag 17",
                "compliance warm, 200 assets",
                "hypothetical trade before/after, Mag 17",
                "hypothetical trade before/after, first on the deal",
            ],
        ),
        ("cashflows", ["one deal full-life cash flows"]),
    ],
)
def test_the_shipped_floors_give_the_cases_numbers(area: str, names: list[str]) -> None:
    """The floors of the project's own bench agree with their cases (small cases; the bench checks all)."""
    ((_, cases),) = load_cases(None, area)
    chosen = [c for c in cases if any(c.name.startswith(n) for n in names)]
    assert len(chosen) == len(names)
    for case in chosen:
        assert isinstance(case, Case) and case.floor is not None and case.check is not None
        case.check(case.run(), case.floor())
