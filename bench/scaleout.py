"""Speed-up of a scenario grid with the number of workers: local process pool and a process-based Dask
``LocalCluster``, 1, 2 and 4 workers, on the sample workbook's Mag 17 (issue 13).

    python bench/scaleout.py                       # 400 scenarios, workers 1 2 4, pool and Dask
    python bench/scaleout.py --scenarios 200 --workers 1 2 --json

Each run gets a fresh executor (a pool's start-up and a cluster's start-up are not counted; the first
chunks' imports in a fresh worker are), every run's grid is compared with the 1-worker result to the
cent, and the machine's core count and load average before and after are printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from clo_xl.ingest.workbook import read_workbook
from clo_xl.runs.cashflow_pipeline import inputs_from_workbook, prepare_model
from clo_xl.simulation.executor import Executor, open_executor
from clo_xl.simulation.grid import GridInputs, ScenarioResult, run_grid, scenario_grid

SAMPLE = Path(__file__).resolve().parents[1] / "workbook" / "TradeHypo.xlsm"


def grid_inputs() -> GridInputs:
    m = prepare_model(inputs_from_workbook(read_workbook(SAMPLE, deals=["Mag 17"]), "Mag 17"), deal="Mag 17")
    return GridInputs(m.structure, m.collateral, m.curve_spec, m.conventions, m.sink)


def scenarios(count: int) -> list[Any]:
    cprs = np.linspace(0.05, 0.40, 10).round(4).tolist()
    cdrs = np.linspace(0.0, 0.10, max(1, count // 20)).round(4).tolist()
    return scenario_grid(cprs, cdrs, [0.35], shifts=[0.0, 0.005])[:count]


def timed(executor: Executor, inputs: GridInputs, grid: list[Any], repeat: int) -> tuple[float, list[Any]]:
    times = []
    out: list[ScenarioResult] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = run_grid(inputs, grid, executor=executor)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def same_to_the_cent(a: list[ScenarioResult], b: list[ScenarioResult]) -> bool:
    return all(
        x.scenario == y.scenario
        and all(round(x.tranche_cash[k], 2) == round(y.tranche_cash[k], 2) for k in x.tranche_cash)
        for x, y in zip(a, b, strict=True)
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=400)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    inputs = grid_inputs()
    grid = scenarios(args.scenarios)
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    reference: list[ScenarioResult] | None = None
    for kind in ("local pool", *(() if args.no_dask else ("Dask LocalCluster",))):
        for n in args.workers:
            if kind == "local pool":
                with open_executor(n) as ex:
                    run_grid(inputs, grid[: n * 2], executor=ex)  # start the processes
                    seconds, out = timed(ex, inputs, grid, args.repeat)
            else:
                from dask.distributed import Client, LocalCluster

                with (
                    LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                    ) as cluster,
                    Client(cluster, set_as_default=False) as client,
                    open_executor(scheduler=client) as ex,
                ):
                    run_grid(inputs, grid[: n * 2], executor=ex)
                    seconds, out = timed(ex, inputs, grid, args.repeat)
            reference = reference or out
            rows.append(
                {
                    "executor": kind,
                    "workers": n,
                    "seconds": seconds,
                    "scenarios_per_second": len(grid) / seconds,
                    "same_as_1_worker": same_to_the_cent(out, reference),
                }
            )
            base = next(r["seconds"] for r in rows if r["executor"] == kind)
            rows[-1]["speed_up"] = base / seconds
    load_after = os.getloadavg()
    doc = {
        "cores": os.cpu_count(),
        "scenarios": len(grid),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(doc, indent=1))
        return 0
    print(
        f"{len(grid)} scenarios, Mag 17 of the sample workbook; {doc['cores']} cores; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(f"{'executor':<20} {'workers':>7} {'seconds':>8} {'scen/s':>7} {'speed-up':>8}  same as 1 worker")
    for r in rows:
        print(
            f"{r['executor']:<20} {r['workers']:>7} {r['seconds']:>8.2f} {r['scenarios_per_second']:>7.1f} "
            f"{r['speed_up']:>7.2f}x  {'yes' if r['same_as_1_worker'] else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
