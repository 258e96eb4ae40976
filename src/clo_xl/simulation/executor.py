"""Where parallel work runs: this process, a local process pool, or a Dask cluster, behind one interface.

A job is a module-level function ``fn(shared, chunk) -> list[result]`` mapped over chunks of items.
``shared`` (the deal structure, the collateral columns, the curve as nodes, the calendar as dates) and the
items are plain picklable values, so a task carries everything it needs: nothing rests on a module global
of the driver, and the same job runs under ``fork``, ``spawn`` and ``forkserver`` and on other machines.

Chunks are sized from the executor's real parallelism (:attr:`Executor.threads`: the pool's processes, or
the cluster's worker threads), a few chunks per thread so a slow chunk does not idle the rest. Results
come back in the order of the items, whatever order the chunks finish in.

>>> with open_executor(workers=1) as ex:
...     parallel_map(ex, _scaled, 10, [1, 2, 3])
[10, 20, 30]
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import math
import multiprocessing
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, TypeVar

from clo_xl.errors import CloXlError

if TYPE_CHECKING:  # an optional dependency (the ``clo-xl[cluster]`` extra): imported only when asked for
    from distributed import Client

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

ChunkFn = Callable[[S, list[T]], list[R]]
"""``fn(shared, chunk)``: a module-level function (picklable by reference), one result per item."""

Progress = Callable[[int], None]
"""Called with the number of items just finished (for a progress bar)."""

#: chunks per thread: enough to balance uneven chunks, few enough to keep the per-task overhead small
CHUNKS_PER_THREAD = 4

#: seconds to wait for a Dask scheduler (and for its first worker) before giving up with exit 2
CONNECT_TIMEOUT_S = 5.0

START_METHODS = ("fork", "spawn", "forkserver")


class SchedulerError(CloXlError):
    """A Dask scheduler that cannot be reached, has no workers, or is missing (exit 2)."""


class Executor(Protocol):
    """Runs ``fn(shared, chunk)`` for every chunk and returns the results chunk by chunk, in order."""

    @property
    def threads(self) -> int:
        """How many chunks can run at once (processes of a pool, worker threads of a cluster)."""
        ...

    @property
    def description(self) -> str:
        """One line for logs and documents, e.g. ``"2 local processes (spawn)"``."""
        ...

    def map_chunks(
        self,
        fn: ChunkFn[S, T, R],
        shared: S,
        chunks: Sequence[list[T]],
        progress: Progress | None = None,
    ) -> list[list[R]]: ...


@dataclass(frozen=True)
class InProcess:
    """Everything in this process, one chunk after the other: the sequential reference."""

    @property
    def threads(self) -> int:
        return 1

    @property
    def description(self) -> str:
        return "this process"

    def map_chunks(
        self,
        fn: ChunkFn[S, T, R],
        shared: S,
        chunks: Sequence[list[T]],
        progress: Progress | None = None,
    ) -> list[list[R]]:
        return _in_order(((k, fn(shared, chunk)) for k, chunk in enumerate(chunks)), chunks, progress)


@dataclass
class LocalPool:
    """``workers`` local processes started with ``start_method`` (``None``: the platform's default).

    The pool starts on first use and lives until :meth:`close`, so a grid and the migration paths of one
    run share it (a ``spawn`` worker pays its imports once).
    """

    workers: int
    start_method: str | None = None
    _pool: ProcessPoolExecutor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise CloXlError(f"workers must be at least 1, got {self.workers}")
        if self.start_method is not None and self.start_method not in START_METHODS:
            raise CloXlError(
                f"start method must be one of {', '.join(START_METHODS)}, got {self.start_method!r}"
            )

    @property
    def threads(self) -> int:
        return self.workers

    @property
    def description(self) -> str:
        method = self.start_method or multiprocessing.get_start_method()
        return f"{self.workers} local process{'es' if self.workers != 1 else ''} ({method})"

    def map_chunks(
        self,
        fn: ChunkFn[S, T, R],
        shared: S,
        chunks: Sequence[list[T]],
        progress: Progress | None = None,
    ) -> list[list[R]]:
        if self._pool is None:
            context = multiprocessing.get_context(self.start_method)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        futures: dict[Future[list[R]], int] = {
            self._pool.submit(fn, shared, chunk): k for k, chunk in enumerate(chunks)
        }
        return _in_order(((futures[f], f.result()) for f in as_completed(futures)), chunks, progress)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@dataclass
class DaskCluster:
    """A Dask cluster reached through ``client``; ``workers`` (addresses) restricts the run to some of its
    worker processes (``--workers N`` with ``--scheduler``), ``None`` uses them all."""

    client: Client
    workers: tuple[str, ...] | None = None

    def _nthreads(self) -> dict[str, int]:
        counts: dict[str, int] = dict(self.client.nthreads())
        if self.workers is not None:
            counts = {w: n for w, n in counts.items() if w in self.workers}
        return counts

    @property
    def threads(self) -> int:
        return max(1, sum(self._nthreads().values()))

    @property
    def description(self) -> str:
        counts = self._nthreads()
        address = self.client.scheduler.address if self.client.scheduler is not None else "?"
        return f"Dask at {address}: {len(counts)} workers, {sum(counts.values())} threads"

    def map_chunks(
        self,
        fn: ChunkFn[S, T, R],
        shared: S,
        chunks: Sequence[list[T]],
        progress: Progress | None = None,
    ) -> list[list[R]]:
        distributed = _distributed()
        where = list(self.workers) if self.workers is not None else None
        # one copy of the shared inputs per worker, not one per task
        scattered = self.client.scatter(shared, broadcast=True, workers=where)
        futures = self.client.map(
            fn, [scattered] * len(chunks), list(chunks), pure=False, workers=where, allow_other_workers=False
        )
        position = {f.key: k for k, f in enumerate(futures)}
        finished = distributed.as_completed(futures, loop=self.client.loop)
        return _in_order(((position[f.key], f.result()) for f in finished), chunks, progress)


def _in_order(
    finished: Iterable[tuple[int, list[R]]], chunks: Sequence[list[T]], progress: Progress | None
) -> list[list[R]]:
    """Chunk results as they finish (chunk number, results) → in chunk order, reporting progress."""
    out: list[list[R] | None] = [None] * len(chunks)
    for k, part in finished:
        out[k] = part
        if progress is not None:
            progress(len(chunks[k]))
    return [part for part in out if part is not None]


def _distributed() -> ModuleType:
    """``dask.distributed``, or a one-line error naming the extra that provides it."""
    try:
        return importlib.import_module("dask.distributed")
    except ImportError:
        raise SchedulerError(
            "--scheduler needs Dask, which is not installed: pip install 'clo-xl[cluster]'"
        ) from None


def default_workers() -> int:
    """The cores this process may run on (``os.sched_getaffinity`` where it exists)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def connect(address: str, *, workers: int | None = None, timeout: float = CONNECT_TIMEOUT_S) -> DaskCluster:
    """A client of the scheduler at ``address`` (``tcp://host:8786``), waiting at most ``timeout`` seconds
    for it and for its first worker; :class:`SchedulerError` with one line when either is missing."""
    distributed = _distributed()
    _probe(address, timeout)
    try:
        client: Client = distributed.Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError):
        raise SchedulerError(
            f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s"
        ) from None
    except (ValueError, TypeError) as exc:
        raise SchedulerError(f"--scheduler {address}: not a scheduler address ({_first_line(exc)})") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise SchedulerError(
            f"--scheduler {address}: the scheduler has no workers (none joined within {timeout:g} s); "
            "start some with `dask worker " + address + "`"
        ) from None
    chosen: tuple[str, ...] | None = None
    if workers is not None:
        chosen = tuple(sorted(client.nthreads())[:workers])
    return DaskCluster(client, chosen)


def _probe(address: str, timeout: float) -> None:
    """Fail at once, with one line, when nothing listens at ``address`` or what answers is not a Dask
    scheduler (a ``distributed.Client`` would wait out its timeout, or choke on a foreign reply)."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls://, ucx://, inproc://: leave it to Dask
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise SchedulerError(f"--scheduler {address}: not a scheduler address; give tcp://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except TimeoutError:
        raise SchedulerError(f"--scheduler {address}: no answer within {timeout:g} s") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SchedulerError(f"--scheduler {address}: cannot connect ({reason.lower()})") from None
    comm = importlib.import_module("distributed.comm")

    async def identity() -> object:
        c = await comm.connect(f"tcp://{rest}", timeout=timeout)
        try:
            await c.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(c.read(), timeout)
        finally:
            await c.close()

    try:  # bounded as a whole: dask's connect reads the peer's handshake without a timeout
        reply = asyncio.run(asyncio.wait_for(identity(), timeout))
    except TimeoutError:
        raise SchedulerError(
            f"--scheduler {address}: something listens there but did not answer as a Dask scheduler "
            f"within {timeout:g} s"
        ) from None
    except Exception:
        reply = None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise SchedulerError(f"--scheduler {address}: something answers there, but not a Dask scheduler")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@contextlib.contextmanager
def open_executor(
    workers: int | None = None,
    scheduler: str | Client | None = None,
    *,
    start_method: str | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> Iterator[Executor]:
    """The executor a run asked for, closed on exit.

    * ``scheduler``: a Dask scheduler address or an open ``distributed.Client`` (the caller's, left open);
      ``workers`` then limits the run to that many of the cluster's worker processes.
    * otherwise ``workers`` local processes (default: the cores available); 1 runs in this process.
    """
    if workers is not None and workers < 1:
        raise CloXlError(f"--workers must be at least 1, got {workers}")
    if scheduler is not None:
        if isinstance(scheduler, str):
            cluster = connect(scheduler, workers=workers, timeout=timeout)
            try:
                yield cluster
            finally:
                cluster.client.close()
            return
        chosen = tuple(sorted(scheduler.nthreads())[:workers]) if workers is not None else None
        yield DaskCluster(scheduler, chosen)
        return
    count = workers or default_workers()
    if count == 1:
        yield InProcess()
        return
    pool = LocalPool(count, start_method)
    try:
        yield pool
    finally:
        pool.close()


def chunked(items: Sequence[T], threads: int, *, chunk_size: int | None = None) -> list[list[T]]:
    """``items`` cut into about :data:`CHUNKS_PER_THREAD` chunks per thread (or ``chunk_size`` each)."""
    if not items:
        return []
    size = chunk_size or max(1, math.ceil(len(items) / (max(1, threads) * CHUNKS_PER_THREAD)))
    return [list(items[k : k + size]) for k in range(0, len(items), size)]


def parallel_map(
    executor: Executor,
    fn: ChunkFn[S, T, R],
    shared: S,
    items: Sequence[T],
    *,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> list[R]:
    """``fn(shared, chunk)`` over ``items`` in chunks sized from ``executor.threads``; one result per item,
    in the order of ``items``."""
    chunks = chunked(items, executor.threads, chunk_size=chunk_size)
    if len(chunks) == 1:  # nothing to spread: skip the round trip through a worker
        return InProcess().map_chunks(fn, shared, chunks, progress)[0]
    parts = executor.map_chunks(fn, shared, chunks, progress)
    out = [r for part in parts for r in part]
    if len(out) != len(items):
        raise CloXlError(f"parallel run returned {len(out)} results for {len(items)} items")
    return out


def _scaled(factor: int, chunk: list[int]) -> list[int]:
    """Doctest helper: every item times ``factor``."""
    return [factor * x for x in chunk]


__all__ = [
    "CHUNKS_PER_THREAD",
    "CONNECT_TIMEOUT_S",
    "DaskCluster",
    "Executor",
    "InProcess",
    "LocalPool",
    "SchedulerError",
    "chunked",
    "connect",
    "default_workers",
    "open_executor",
    "parallel_map",
]
