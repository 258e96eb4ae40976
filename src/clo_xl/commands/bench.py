"""``clo-xl bench``: every speed case the issues name, each beside its numpy floor, measured in one run.

The cases come from :mod:`clo_xl.benchmarks` (packaged: compliance, cash flows, analytics; they run from an
installed wheel) and, when the command runs in a checkout (or ``--bench-dir`` names one), from each
``bench/bench_<area>.py`` there (the Excel bridge, persistence, ingest). Every area's ``cases()`` returns
:class:`Case` objects (or the older ``(name, fn, target_seconds)`` tuples). For a case with a ``floor`` (the
least numpy work that produces the same numbers, see :mod:`clo_xl.benchmarks.floors`) the command first
runs both once and calls ``check(case result, floor result)``, which raises if the numbers differ; then it
times case and floor **interleaved**
(case, floor, case, floor…), so both see the same machine load, and reports each median and their ratio.
A shared, busy machine moves both; the ratio is what to read.

A case's goal is an absolute time (``target_s``), a ratio to its floor (``max_ratio``), or both. Cases of
one ``family`` measured at several ``size`` (assets) also give a growth exponent: log(t_large / t_small) ÷
log(size_large / size_small), 1.0 = linear, for the case and for its floor.
"""

from __future__ import annotations

import importlib.util
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy
import typer

from clo_xl.benchmarks import AREAS, Case, analytics, cashflows, compliance, format_seconds, ingest
from clo_xl.commands._output import console, emit, table
from clo_xl.commands._progress import progress_bar
from clo_xl.errors import CloXlError, UsageError
from clo_xl.progress import Progress, no_progress

PACKAGED = {"compliance": compliance, "cashflows": cashflows, "analytics": analytics, "ingest": ingest}

LegacyCase = tuple[str, Callable[[], object], float]


@dataclass(frozen=True)
class BenchResult:
    area: str
    case: str
    runs: int
    median_s: float
    min_s: float
    cpu_s: float  # median CPU time per run, this process and its joined workers (no waiting for a core)
    target_s: float | None
    floor_median_s: float | None
    ratio: float | None
    floor_cpu_s: float | None
    cpu_ratio: float | None  # the ratio on CPU times: what a busy machine's waiting does not move
    max_ratio: float | None
    goal: str
    within_goal: bool
    within_goal_cpu: bool  # the goal met on CPU times (the wall time of an idle machine)
    family: str | None
    size: int | None
    note: str


@dataclass(frozen=True)
class Growth:
    """How a family's time grows from its smallest to its largest size."""

    area: str
    family: str
    sizes: tuple[int, int]
    exponent: float
    floor_exponent: float | None


def machine() -> dict[str, object]:
    """What the figures were measured on, and how busy it was."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "load_average": _load(),
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not on this platform
        return None


def find_bench_dir(explicit: Path | None) -> Path | None:
    """``--bench-dir`` (which must exist), else a checkout's ``bench/`` here or beside the package, if any."""
    if explicit is not None:
        if not explicit.is_dir():
            raise UsageError(f"--bench-dir {explicit}: no such folder")
        return explicit
    for c in (Path.cwd() / "bench", Path(__file__).resolve().parents[3] / "bench"):
        if c.is_dir() and any(c.glob("bench_*.py")):
            return c
    return None


def as_case(item: Case | LegacyCase) -> Case:
    if isinstance(item, Case):
        return item
    name, fn, target = item
    return Case(name, fn, target_s=target)


def load_cases(
    bench_dir: Path | None, only: str | None, match: str | None = None
) -> list[tuple[str, list[Case]]]:
    """The packaged areas, then a checkout's ``bench/bench_<area>.py`` files (an area of the same name as a
    packaged one is the packaged one)."""
    modules: list[tuple[str, Any]] = [(area, PACKAGED[area]) for area in AREAS if only in (None, area)]
    if bench_dir is not None:
        if str(bench_dir.parent) not in sys.path:
            sys.path.insert(0, str(bench_dir.parent))
        for path in sorted(bench_dir.glob("bench_*.py")):
            area = path.stem.removeprefix("bench_")
            if area in AREAS or only not in (None, area):
                continue
            spec = importlib.util.spec_from_file_location(f"clo_xl_bench_{area}", path)
            if spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules.append((area, module))
    areas: list[tuple[str, list[Case]]] = []
    for area, module in modules:
        if hasattr(module, "cases"):
            cases = [as_case(c) for c in module.cases()]
            if match:
                cases = [c for c in cases if match.lower() in c.name.lower()]
            if cases:
                areas.append((area, cases))
    if only and not areas:
        raise UsageError(f"--only {only}: no such bench area here (packaged: {', '.join(AREAS)})")
    return areas


def time_pair(
    case: Case, repeat: int, budget_s: float
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Warm up, check the floor against the case, then time them interleaved."""
    out = case.run()  # warm-up: caches, imports, allocator
    if case.floor is not None:
        floor_out = case.floor()
        if case.check is not None:
            try:
                case.check(out, floor_out)
            except AssertionError as exc:
                raise CloXlError(f"bench case {case.name!r}: its floor gives other numbers: {exc}") from None
    runs = min(repeat, case.repeat or repeat)
    times: list[float] = []
    cpu: list[float] = []
    floor_times: list[float] = []
    floor_cpu: list[float] = []
    started = time.perf_counter()
    for _ in range(runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        case.run()
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
        if case.floor is not None:
            c0, t0 = cpu_seconds(), time.perf_counter()
            case.floor()
            floor_times.append(time.perf_counter() - t0)
            floor_cpu.append(cpu_seconds() - c0)
        if time.perf_counter() - started > budget_s and len(times) >= 3:
            break
    return times, cpu, floor_times, floor_cpu


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) plus that of its finished child processes: a case that
    runs on worker processes (the scenario grid) counts their CPU once they are joined."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _within(case: Case, seconds: float, ratio: float | None) -> bool:
    return (case.target_s is None or seconds <= case.target_s) and (
        case.max_ratio is None or (ratio is not None and ratio <= case.max_ratio)
    )


def measure(area: str, case: Case, repeat: int, budget_s: float) -> BenchResult:
    times, cpu, floor_times, floor_cpu = time_pair(case, repeat, budget_s)
    med, med_cpu = statistics.median(times), statistics.median(cpu)
    floor = statistics.median(floor_times) if floor_times else None
    floor_c = statistics.median(floor_cpu) if floor_cpu else None
    ratio = med / floor if floor else None
    cpu_ratio = med_cpu / floor_c if floor_c else None
    return BenchResult(
        area, case.name, len(times), med, min(times), med_cpu, case.target_s, floor, ratio, floor_c,
        cpu_ratio, case.max_ratio, case.goal, _within(case, med, ratio),
        _within(case, med_cpu, cpu_ratio), case.family, case.size, case.note,
    )  # fmt: skip


def growth(results: Sequence[BenchResult]) -> list[Growth]:
    """Growth exponents of every family measured at two or more sizes (smallest → largest)."""
    families: dict[tuple[str, str], list[BenchResult]] = {}
    for r in results:
        if r.family and r.size:
            families.setdefault((r.area, r.family), []).append(r)
    out = []
    for (area, family), rs in families.items():
        if len(rs) < 2:
            continue
        small, large = min(rs, key=lambda r: r.size or 0), max(rs, key=lambda r: r.size or 0)
        span = math.log((large.size or 1) / (small.size or 1))
        exponent = math.log(large.median_s / small.median_s) / span
        floor_exp = None
        if small.floor_median_s and large.floor_median_s:
            floor_exp = math.log(large.floor_median_s / small.floor_median_s) / span
        out.append(Growth(area, family, (small.size or 0, large.size or 0), exponent, floor_exp))
    return out


def run_all(
    bench_dir: Path | None,
    repeat: int,
    only: str | None,
    budget_s: float,
    progress: Progress = no_progress,
    match: str | None = None,
) -> list[BenchResult]:
    areas = load_cases(bench_dir, only, match)
    results: list[BenchResult] = []
    total = sum(len(c) for _, c in areas)
    for area, cases in areas:
        for case in cases:
            progress(f"{area}: {case.name}", len(results), total)
            results.append(measure(area, case, repeat, budget_s))
    return results


_fmt_seconds = format_seconds

# bench files in a checkout import Case from here
__all__ = ["BenchResult", "Case", "Growth", "load_cases", "register"]


def document(results: Sequence[BenchResult], before: dict[str, object]) -> dict[str, object]:
    after = machine()
    return {
        "machine": {**after, "load_average_before": before["load_average"]},
        "results": [asdict(r) for r in results],
        "growth": [asdict(g) for g in growth(results)],
    }


def _render(results: Sequence[BenchResult], payload: dict[str, Any]) -> None:
    m = payload["machine"]
    load = m.get("load_average_before")
    busy = f" · load average before {load[0]:.2f}, after {m['load_average'][0]:.2f}" if load else ""
    console.print(f"machine: {m['cpu']} · {m['cores']} cores · Python {m['python']}{busy}")
    rows = [
        [
            r.area,
            r.case,
            r.runs,
            _fmt_seconds(r.median_s),
            _fmt_seconds(r.cpu_s),
            _fmt_seconds(r.floor_median_s) if r.floor_median_s else "-",
            f"{r.ratio:.2f}x" if r.ratio is not None else "-",
            f"{r.cpu_ratio:.2f}x" if r.cpu_ratio is not None else "-",
            r.goal,
            "yes" if r.within_goal else ("on CPU" if r.within_goal_cpu else "NO"),
        ]
        for r in results
    ]
    console.print(
        table(
            "clo-xl benchmarks (medians; case and floor timed interleaved in this run)",
            ["area", "case", "runs", "median", "cpu", "floor", "ratio", "cpu ratio", "goal", "met"],
            rows,
        )
    )
    grown = growth(results)
    if grown:
        console.print(
            table(
                "growth exponent (1.0 = linear in assets)",
                ["area", "family", "assets", "case", "floor"],
                [
                    [
                        g.area,
                        g.family,
                        f"{g.sizes[0]:,} → {g.sizes[1]:,}",
                        f"{g.exponent:.2f}",
                        "-" if g.floor_exponent is None else f"{g.floor_exponent:.2f}",
                    ]
                    for g in grown
                ],
            )
        )
    console.print(
        "median: wall time; cpu: CPU time per run of this process (all its threads) and of the worker "
        "processes it joined, added up (on a shared machine the wall time also counts waiting for a core). "
        "met: the goal on the wall time, or 'on CPU' when only the CPU times meet it (what an idle machine's "
        "wall time is for one process; a parallel case's added-up CPU is more than that)"
    )
    notes = [f"{r.case}: {r.note}" for r in results if r.note]
    for line in dict.fromkeys(notes):
        console.print(f"floor of {line}")


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
        repeat: int = typer.Option(15, help="Timed runs per case (after one warm-up)."),
        only: str | None = typer.Option(None, help="Only this area (e.g. compliance, cashflows)."),
        case: str | None = typer.Option(None, "--case", help="Only cases whose name contains this text."),
        budget: float = typer.Option(
            60.0, help="Stop repeating a case after this many seconds (min 3 runs)."
        ),
        bench_dir: Path | None = typer.Option(
            None, help="A checkout's bench/ folder for its extra areas (default: ./bench when present)."
        ),
    ) -> None:
        """Run every speed case beside its numpy floor and print medians, ratios and goals."""
        before = machine()
        with progress_bar(as_json=as_json) as progress:
            results = run_all(find_bench_dir(bench_dir), repeat, only, budget, progress, case)
        payload = document(results, before)
        emit(payload, as_json=as_json, render=lambda: _render(results, payload))
