"""Scale-out on separate processes: the sample workbook's deals on a process-based Dask ``LocalCluster``
and on ``spawn`` / ``forkserver`` pools, compared with the sequential run to the cent.

A ``spawn``/``forkserver`` worker and a Dask worker process start from a fresh interpreter: they never saw
the workbook, so the run passes only if every input (the holiday calendar as dates, the curve as nodes)
travels with the task. The independent route is the sequential run in this process (:class:`InProcess`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clo_xl.curves.conventions import BusinessCalendar, is_business_day
from clo_xl.ingest.workbook import WorkbookData, read_workbook
from clo_xl.runs.cashflow_pipeline import cashflow_document, inputs_from_workbook
from clo_xl.simulation.executor import (
    CHUNKS_PER_THREAD,
    Executor,
    InProcess,
    LocalPool,
    SchedulerError,
    chunked,
    open_executor,
    parallel_map,
)
from clo_xl.simulation.grid import scenario_grid

GRID = scenario_grid([0.1, 0.25], [0.02], [0.35], shifts=[0.0, 0.005])
PATHS = 3


def _pids(_: None, chunk: list[int]) -> list[int]:
    """A task that reports which process ran each item (slow enough for the scheduler to spread them)."""
    time.sleep(0.05)
    return [os.getpid() for _ in chunk]


def _business_days(calendar: BusinessCalendar, chunk: list[date]) -> list[bool]:
    return [is_business_day(d, calendar) for d in chunk]


@pytest.fixture(scope="module")
def book(sample_workbook: Path) -> WorkbookData:
    return read_workbook(sample_workbook)


def _documents(book: WorkbookData, executor: Executor) -> dict[str, dict[str, Any]]:
    out = {}
    for deal in book.deals:
        doc = cashflow_document(
            inputs_from_workbook(book, deal), deal=deal, grid=GRID, paths=PATHS, executor=executor
        )
        doc.pop("executor")
        out[deal] = doc
    return out


@pytest.fixture(scope="module")
def sequential(book: WorkbookData) -> dict[str, dict[str, Any]]:
    return _documents(book, InProcess())


def _cents(x: object) -> object:
    """Every float of a document rounded to the cent (IRRs and ratios to 1e-10)."""
    if isinstance(x, float):
        return round(x, 2) if abs(x) >= 1.0 else round(x, 10)
    if isinstance(x, dict):
        return {k: _cents(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_cents(v) for v in x]
    return x


def _assert_same(out: dict[str, dict[str, Any]], sequential: dict[str, dict[str, Any]]) -> None:
    assert list(out) == list(sequential)
    for deal, doc in out.items():
        expected = sequential[deal]
        assert len(doc["grid"]) == len(GRID) and len(doc["paths"]) == PATHS, deal
        assert _cents(doc["grid"]) == _cents(expected["grid"]), deal
        assert _cents(doc["paths"]) == _cents(expected["paths"]), deal
        assert _cents(doc["migration"]) == _cents(expected["migration"]), deal


@pytest.mark.slow
def test_the_sample_deals_carry_the_workbooks_holiday_calendar(book: WorkbookData) -> None:
    from clo_xl.cashflows.from_deal import structure_from_inputs

    bundle = inputs_from_workbook(book, "Mag 17")
    structure = structure_from_inputs(bundle.inputs, bundle.cashflow, deal_name="Mag 17")
    cal = structure.dates.calendar
    assert isinstance(cal, BusinessCalendar) and len(cal.holidays) == len(book.reference["holidays"].rows)
    assert cal.name.startswith("holidays:")


@pytest.mark.slow
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_fresh_interpreter_sees_the_workbooks_holidays(book: WorkbookData, method: str) -> None:
    """The calendar is data: a worker that never read the workbook answers like the driver."""
    from clo_xl.cashflows.from_deal import structure_from_inputs

    bundle = inputs_from_workbook(book, "Mag 17")
    cal = structure_from_inputs(bundle.inputs, bundle.cashflow).dates.calendar
    assert isinstance(cal, BusinessCalendar)
    days = [*cal.holidays[:20], date(2016, 11, 11), date(2016, 7, 2), date(2016, 7, 5)]
    with open_executor(2, start_method=method) as ex:
        remote = parallel_map(ex, _business_days, cal, days, chunk_size=3)
    assert remote == [is_business_day(d, cal) for d in days]
    assert not any(remote[:20])  # every listed holiday is a holiday over there too


@pytest.mark.slow
def test_sample_deals_on_a_spawn_pool_equal_the_sequential_run(
    book: WorkbookData, sequential: dict[str, dict[str, Any]]
) -> None:
    pool = LocalPool(2, "spawn")
    try:
        out = _documents(book, pool)
    finally:
        pool.close()
    _assert_same(out, sequential)


@pytest.mark.slow
def test_sample_deals_on_a_process_local_cluster_equal_the_sequential_run(
    book: WorkbookData,
    sequential: dict[str, dict[str, Any]],
    sample_workbook: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Three worker processes, as a `dask scheduler` with three `dask worker`s on other machines."""
    distributed = pytest.importorskip("dask.distributed")
    from clo_xl.cli import main

    cluster = distributed.LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        worker_dashboard_address=None,
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == 3 and os.getpid() not in worker_pids
        # by address, as `--scheduler` does
        with open_executor(scheduler=cluster.scheduler_address) as ex:
            assert ex.threads == 3
            out = _documents(book, ex)
            pids = set(parallel_map(ex, _pids, None, list(range(24))))
        # really on the worker processes, and spread (the scheduler hands every idle worker a task)
        assert pids <= worker_pids and len(pids) >= 2
        # `--workers 1` with a scheduler: one of the cluster's workers only
        with open_executor(1, client) as ex:
            assert ex.threads == 1
            assert len(set(parallel_map(ex, _pids, None, list(range(8))))) == 1
        # the command line: `--paths` goes where `--scheduler` and `--workers` say
        code = main(["cashflows", "--workbook", str(sample_workbook), "--deal", "Mag 17",
                     "--paths", str(PATHS), "--scheduler", cluster.scheduler_address, "--workers", "2",
                     "--json"])  # fmt: skip
        cli = json.loads(capsys.readouterr().out)
        # and `credit-migration`, the same paths through the same executor
        migration_code = main(["credit-migration", "--workbook", str(sample_workbook), "--deal", "Mag 17",
                               "--paths", str(PATHS), "--scheduler", cluster.scheduler_address,
                               "--json"])  # fmt: skip
        migration = json.loads(capsys.readouterr().out)
    _assert_same(out, sequential)
    assert code == 0
    assert cli["executor"].startswith(f"Dask at {cluster.scheduler_address}: 2 workers")
    assert _cents(cli["paths"]) == _cents(sequential["Mag 17"]["paths"])
    assert _cents(cli["migration"]) == _cents(sequential["Mag 17"]["migration"])
    assert migration_code == 0
    assert migration["executor"].startswith(f"Dask at {cluster.scheduler_address}: 3 workers")
    assert len(migration["paths"]) == PATHS


def test_chunks_are_sized_from_the_clusters_threads() -> None:
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=3, processes=False, dashboard_address=None
    )
    with (
        cluster,
        distributed.Client(cluster, set_as_default=False) as client,
        open_executor(scheduler=client) as ex,
    ):
        assert ex.threads == 6
        items = list(range(1000))
        assert len(chunked(items, ex.threads)) == 6 * CHUNKS_PER_THREAD
        assert parallel_map(ex, _pids, None, items) == [os.getpid()] * 1000  # threads of this process


def test_chunking_keeps_order_and_covers_every_item() -> None:
    items = list(range(23))
    chunks = chunked(items, 2)
    assert [x for c in chunks for x in c] == items
    assert len(chunks) == 8  # ceil(23 / (2 × 4)) = 3 per chunk → 8 chunks
    assert chunked([], 4) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_and_exit_2_within_seconds(sample_workbook: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    run = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", "cashflows", "--workbook", str(sample_workbook),
         "--deal", "Mag 17", "--grid-cpr", "0.1,0.2", "--scheduler", address],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and address in lines[0] and "connection refused" in lines[0]
    assert "Traceback" not in run.stderr  # and no 30 s wait: the refused connect is the error itself


def test_a_silent_listener_is_refused_after_the_timeout_not_dasks_default() -> None:
    """Something accepts the connection but never answers: one line naming the address, after
    ``timeout`` (here 0.2 s), not after Dask's own 30 s."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        with (
            pytest.raises(SchedulerError, match=r"did not answer as a Dask scheduler within 0.2 s") as raised,
            open_executor(scheduler=address, timeout=0.2),
        ):
            pass
    assert address in str(raised.value) and "\n" not in str(raised.value)


def test_a_scheduler_with_nothing_to_spread_is_refused(sample_workbook: Path) -> None:
    from clo_xl.cli import main

    assert main(["cashflows", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--workers", "2"]) == 2


def test_without_dask_the_scheduler_option_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # `import dask.distributed` now fails
    with (
        pytest.raises(SchedulerError, match=r"pip install 'clo-xl\[cluster\]'"),
        open_executor(scheduler="tcp://127.0.0.1:1"),
    ):
        pass


@pytest.mark.slow
def test_a_local_run_never_imports_dask() -> None:
    code = (
        "import sys\n"
        "from clo_xl.simulation.executor import open_executor, parallel_map, _scaled\n"
        "with open_executor(2, start_method='spawn') as ex:\n"
        "    assert parallel_map(ex, _scaled, 3, list(range(20))) == [3 * x for x in range(20)]\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'dask imported'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
