"""``clo-xl bench``: every speed case the issues name, side by side, with medians and the machine.

Each ``bench/bench_<area>.py`` of a checkout exposes ``cases() -> list[(name, fn, target_seconds)]``;
this command imports them, times every case (warm-up, then ``--repeat`` runs), and prints one table.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import typer

from clo_xl.commands._output import console, emit, table
from clo_xl.commands._progress import progress_bar
from clo_xl.errors import UsageError
from clo_xl.progress import Progress, no_progress

BenchCase = tuple[str, Callable[[], object], float]


@dataclass(frozen=True)
class BenchResult:
    area: str
    case: str
    runs: int
    median_s: float
    min_s: float
    target_s: float
    within_target: bool


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }


def find_bench_dir(explicit: Path | None) -> Path:
    candidates = (
        [explicit] if explicit else [Path.cwd() / "bench", Path(__file__).resolve().parents[3] / "bench"]
    )
    for c in candidates:
        if c is not None and c.is_dir():
            return c
    raise UsageError("no bench/ folder found: run `clo-xl bench` from a clo-xl checkout or pass --bench-dir")


def load_cases(bench_dir: Path, only: str | None) -> list[tuple[str, list[BenchCase]]]:
    areas: list[tuple[str, list[BenchCase]]] = []
    sys.path.insert(0, str(bench_dir.parent))
    for path in sorted(bench_dir.glob("bench_*.py")):
        area = path.stem.removeprefix("bench_")
        if only and only != area:
            continue
        spec = importlib.util.spec_from_file_location(f"clo_xl_bench_{area}", path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "cases"):
            areas.append((area, list(module.cases())))
    return areas


def time_case(fn: Callable[[], object], repeat: int, budget_s: float) -> list[float]:
    fn()  # warm-up: caches, imports, JIT-free but allocator-warm
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - started > budget_s and len(times) >= 3:
            break
    return times


def run_all(
    bench_dir: Path, repeat: int, only: str | None, budget_s: float, progress: Progress = no_progress
) -> list[BenchResult]:
    areas = load_cases(bench_dir, only)
    results: list[BenchResult] = []
    total = sum(len(c) for _, c in areas)
    for area, cases in areas:
        for name, fn, target in cases:
            progress(f"{area}: {name}", len(results), total)
            times = time_case(fn, repeat, budget_s)
            med = statistics.median(times)
            results.append(BenchResult(area, name, len(times), med, min(times), target, med <= target))
    return results


def _fmt_seconds(s: float) -> str:
    return f"{s * 1000:.2f} ms" if s < 1 else f"{s:.2f} s"


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
        repeat: int = typer.Option(15, help="Timed runs per case (after one warm-up)."),
        only: str | None = typer.Option(None, help="Only this area (e.g. compliance, cashflows)."),
        budget: float = typer.Option(
            60.0, help="Stop repeating a case after this many seconds (min 3 runs)."
        ),
        bench_dir: Path | None = typer.Option(None, help="The bench/ folder (default: ./bench)."),
    ) -> None:
        """Run every speed case side by side and print medians against their targets."""
        with progress_bar(as_json=as_json) as progress:
            results = run_all(find_bench_dir(bench_dir), repeat, only, budget, progress)
        payload = {"machine": machine(), "results": [asdict(r) for r in results]}

        def render() -> None:
            m = payload["machine"]
            console.print(f"machine: {m['cpu']} · {m['cores']} cores · Python {m['python']}")  # type: ignore[index]
            rows = [
                [
                    r.area,
                    r.case,
                    r.runs,
                    _fmt_seconds(r.median_s),
                    _fmt_seconds(r.target_s),
                    "yes" if r.within_target else "NO",
                ]
                for r in results
            ]
            console.print(
                table(
                    "clo-xl benchmarks (median of timed runs)",
                    ["area", "case", "runs", "median", "target", "within"],
                    rows,
                )
            )

        emit(payload, as_json=as_json, render=render)
