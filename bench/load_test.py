"""Load test: 50 concurrent sessions against PostgreSQL for a fixed time, on this machine only.

    python bench/load_test.py                    # 50 sessions, 300 s, private embedded server
    python bench/load_test.py --seconds 20       # a quick run
    python bench/load_test.py --json             # one JSON document on stdout

Sessions are processes (``--workers threads`` for threads), each with its own connection pool, as each
analyst's Excel has its own Python:

* analysts (``--sessions`` minus ``--ops``) loop over: load a deal from the database, run its compliance
  tests, run a hypothetical trade (sell part of a holding, buy more of another), and "Save to DB" an edit of
  one holding's par with optimistic concurrency (refresh → edit → save at the refreshed version) of its own
  deal (analyst n saves to deal n mod 10, so about five analysts share each deal). A stale save
  (``ConcurrencyError``) is a conflict, not an error: the session backs off, refreshes and saves again
  (at most 10 tries);
* operations (``--ops``, default 2) loop ``clo-xl migrate`` of the sample workbook, alternating with an edited
  copy so every other load really changes data. The load locks out saves before its snapshot
  (``clo_xl.persistence.locks``): saves arriving meanwhile wait and then see the new versions (a stale one
  is a conflict as above). Should PostgreSQL still refuse a load for a concurrent update, migrate re-runs it
  itself (counted as a conflict) and this session tries the command again (at most 3 tries) before
  counting an error. Pre-migrate backups go to the run's temporary data folder (``CLO_XL_DATA_DIR``),
  pruned by the retention rule.

Pace (``--think``, ``--save-every``, ``--ops-interval``): by default an analyst pauses about a second between
steps and saves every fifth iteration, and each operations session migrates once a minute; ``--think 0
--save-every 1 --ops-interval 0`` is the stress setting (every session flat out).

Every loop is bounded by the deadline (and by ``--max-iterations``). The server is a private embedded
PostgreSQL on a Unix socket in a temporary folder (no TCP port at all); with ``--database-url`` only a local
server (socket, localhost, 127.0.0.1, ::1) is accepted.

Checks, reported at the end: zero errors (any exception other than the conflicts above, or a conflict that
is still there after the retries), and zero lost updates: every successful save moved its deal from the
version it read to exactly the next version, no two successful saves of a deal produced the same version, and
the audit trail holds each saved par value with the session's actor. Latencies per operation: p50/p95/p99.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "workbook" / "TradeHypo.xlsm"
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
SAVE_TRIES = 10
MIGRATE_TRIES = 3


@dataclass
class Stats:
    """Shared, lock-protected results of all sessions."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    saves: list[tuple[str, str, int, int, float]] = field(default_factory=list)  # deal, actor, from, to, par
    iterations: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def time(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies[op].append(seconds)

    def export(self) -> dict[str, Any]:
        """Plain data, to send from a worker process."""
        return {
            "latencies": dict(self.latencies),
            "errors": self.errors,
            "conflicts": dict(self.conflicts),
            "saves": self.saves,
            "iterations": dict(self.iterations),
        }

    def merge(self, other: dict[str, Any]) -> None:
        for op, values in other["latencies"].items():
            self.latencies[op].extend(values)
        self.errors.extend(other["errors"])
        for key, value in other["conflicts"].items():
            self.conflicts[key] += value
        self.saves.extend(tuple(s) for s in other["saves"])
        for key, value in other["iterations"].items():
            self.iterations[key] += value

    def error(self, who: str, exc: BaseException) -> None:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        with self.lock:
            self.errors.append(f"{who}: {text[:500]}")


def timed(stats: Stats, op: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    stats.time(op, time.perf_counter() - start)
    return result


def session_url(base: str, name: str) -> str:
    """Same database, a distinct URL per session (so each session gets its own pool, named in pg_stat)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}application_name={name}"


def _holding_key(record: dict[str, Any]) -> str:
    return "par" if "par" in record else "Par Amount"


@dataclass(frozen=True)
class Pace:
    """How hard sessions work: an analyst pauses ``think`` seconds on average between steps and saves every
    ``save_every``-th iteration; an operations session migrates every ``ops_interval`` seconds."""

    think: float = 1.0
    save_every: int = 5
    ops_interval: float = 60.0


def _pause(rng: random.Random, mean: float, deadline: float) -> None:
    if mean > 0:
        time.sleep(max(0.0, min(rng.uniform(0.5 * mean, 1.5 * mean), deadline - time.monotonic())))


def analyst(
    n: int, url: str, deals: list[str], deadline: float, max_iter: int, stats: Stats, pace: Pace
) -> None:
    from clo_xl.api import DealSession
    from clo_xl.enums import TransactionType
    from clo_xl.errors import ConcurrencyError
    from clo_xl.persistence.repository import load_deal_for_compliance, refresh_deal, save_deal
    from clo_xl.portfolio.pool import Trade

    actor = f"loadtest.analyst{n:02d}"
    rng = random.Random(n)
    i = 0
    while time.monotonic() < deadline and i < max_iter:
        i += 1
        deal = deals[rng.randrange(len(deals))]
        try:
            loaded = timed(stats, "load deal", partial(load_deal_for_compliance, url, deal))
            session = DealSession(loaded.assets, loaded.inputs.holdings, loaded.inputs)
            timed(stats, "compliance", session.compliance)
            held = [h.brs_id for h in loaded.inputs.holdings]
            trades = [
                Trade(held[0], TransactionType.SALE, 1_000_000.0, None, deal),
                Trade(held[-1], TransactionType.BUY, 1_000_000.0, 99.5, deal),
            ]
            timed(stats, "hypothetical", partial(session.hypo, trades))
            _pause(rng, pace.think, deadline)
            if i % pace.save_every:
                with stats.lock:
                    stats.iterations["analyst"] += 1
                continue
            own = deals[n % len(deals)]  # saves go to the analyst's own deal, as on a desk
            for attempt in range(SAVE_TRIES):
                stored = timed(stats, "refresh", partial(refresh_deal, url, own))
                doc = json.loads(json.dumps(stored.document, default=str))
                holding = doc["holdings"][rng.randrange(len(doc["holdings"]))]
                key = _holding_key(holding)
                new_par = round(float(holding[key]) + 250_000.0 * rng.choice((-1, 1)) + n, 2)
                holding[key] = max(new_par, 250_000.0 + n)
                written = float(holding[key])
                try:
                    new_version = timed(
                        stats,
                        "save",
                        partial(save_deal, url, doc, expected_version=stored.version, actor=actor),
                    )
                except ConcurrencyError:
                    with stats.lock:
                        stats.conflicts["save (stale version, retried)"] += 1
                    if attempt == SAVE_TRIES - 1:
                        raise
                    time.sleep(rng.uniform(0.0, 0.2 * (attempt + 1)))  # back off before refreshing again
                    continue
                with stats.lock:
                    stats.saves.append((own, actor, stored.version, new_version, written))
                break
            with stats.lock:
                stats.iterations["analyst"] += 1
        except Exception as exc:  # every other exception is an error of the run
            stats.error(actor, exc)
        _pause(rng, pace.think, deadline)


def operations(
    n: int, url: str, workbooks: list[Path], deadline: float, max_iter: int, stats: Stats, pace: Pace
) -> None:
    from clo_xl.persistence.migration import migrate_workbook

    who = f"loadtest.ops{n}"
    rng = random.Random(1000 + n)
    _pause(rng, pace.ops_interval / 2 * (n + 1), deadline)  # operations start staggered
    i = 0
    while time.monotonic() < deadline and i < max_iter:
        workbook = workbooks[i % len(workbooks)]
        i += 1
        try:
            for attempt in range(MIGRATE_TRIES):
                report = timed(stats, "migrate", partial(migrate_workbook, workbook, url))
                reruns = sum(w.startswith("attempt ") for w in report.warnings)
                if reruns:
                    with stats.lock:
                        stats.conflicts["migrate (concurrent update, re-run inside migrate)"] += reruns
                if report.status in {"loaded", "unchanged"}:
                    break
                message = str(report.error)
                if "could not serialize" in message or "deadlock" in message:
                    with stats.lock:
                        stats.conflicts["migrate (concurrent update, retried)"] += 1
                    if attempt < MIGRATE_TRIES - 1 and time.monotonic() < deadline:
                        continue
                raise RuntimeError(f"migrate {report.status}: {message[:300]}")
            with stats.lock:
                stats.iterations["operations"] += 1
        except Exception as exc:
            stats.error(who, exc)
        _pause(rng, pace.ops_interval, deadline)


Session = Callable[[Stats, Pace], None]


def _worker(session: Session, pace: Pace, results: Any) -> None:
    """A session in its own process (its own interpreter, as each analyst's Excel has its own Python)."""
    stats = Stats()
    try:
        session(stats, pace)
    except BaseException as exc:  # report, never hang the parent
        stats.error("worker", exc)
    results.put(stats.export())


def _run_sessions(workers: str, specs: list[Session], pace: Pace, stats: Stats) -> None:
    if workers == "threads":
        threads = [threading.Thread(target=session, args=(stats, pace)) for session in specs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return
    import multiprocessing

    from clo_xl.persistence.engine import dispose_engines

    dispose_engines()  # no pooled socket may be shared across fork
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(session, pace, results)) for session in specs]
    for p in procs:
        p.start()
    for _ in procs:
        stats.merge(results.get())
    for p in procs:
        p.join()


def edited_copy(source: Path, target: Path) -> Path:
    """The sample with one par changed on every deal sheet (so alternate loads change data)."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from corpus.xlsx_edit import Package

    pkg = Package(source)
    for sheet in pkg.sheet_names():
        if sheet.endswith(" Inputs"):
            value = pkg.get(sheet, "E4")
            if isinstance(value, float):
                pkg.set(sheet, "E4", value + 500_000.0)
    return pkg.save(target)


def check_lost_updates(url: str, stats: Stats) -> dict[str, Any]:
    """Zero lost updates: versions chain, none shared, every saved par is in the audit trail."""
    from sqlalchemy import text

    from clo_xl.persistence.engine import engine

    problems: list[str] = []
    by_deal: dict[str, list[int]] = defaultdict(list)
    for deal, actor, before, after, _par in stats.saves:
        if after != before + 1:
            problems.append(f"{deal}: {actor} saved at version {before} but the deal went to {after}")
        by_deal[deal].append(after)
    for deal, versions in by_deal.items():
        if len(versions) != len(set(versions)):
            problems.append(f"{deal}: two saves produced the same version (one overwrote the other)")
    with engine(url).connect() as conn:
        for deal, versions in by_deal.items():
            current = conn.execute(
                text("SELECT row_version FROM clo.deal WHERE deal = :d"), {"d": deal}
            ).scalar()
            if current is None or int(current) < max(versions):
                problems.append(f"{deal}: database version {current} is behind a saved {max(versions)}")
        missing = 0
        for deal, actor, _before, _after, par in stats.saves:
            found = conn.execute(
                text(
                    "SELECT 1 FROM audit.change_log WHERE table_name = 'clo.holding' AND actor = :a "
                    "AND row_key->>'deal' = :d AND (after->>'par')::float8 = :p LIMIT 1"
                ),
                {"a": actor, "d": deal, "p": par},
            ).first()
            if found is None:
                missing += 1
        if missing:
            problems.append(f"{missing} saved par values are not in the audit trail")
    return {"saves": len(stats.saves), "lost_updates": len(problems), "problems": problems[:20]}


def percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float) * 1000.0
    return {
        "count": len(values),
        "p50_ms": float(np.percentile(arr, 50)),
        "p95_ms": float(np.percentile(arr, 95)),
        "p99_ms": float(np.percentile(arr, 99)),
        "max_ms": float(arr.max()),
    }


def _local_only(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host = parsed.host or ""
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing to load-test a non-local server ({host!r}): loopback or a socket only")


def run(
    sessions: int,
    ops: int,
    seconds: float,
    database_url: str | None,
    max_iter: int,
    pace: Pace,
    workers: str = "processes",
) -> dict[str, Any]:
    from clo_xl.persistence import schema
    from clo_xl.persistence.engine import dispose_engines
    from clo_xl.persistence.migration import migrate_workbook
    from clo_xl.persistence.repository import deal_names
    from clo_xl.persistence.server import start_embedded, stop_embedded

    if not SAMPLE.is_file():
        raise SystemExit(f"no sample workbook at {SAMPLE} (python workbook/build.py)")
    workdir = Path(tempfile.mkdtemp(prefix="clo-xl-load-"))
    server_dir = workdir / "pg"
    data_dir_before = os.environ.get("CLO_XL_DATA_DIR")
    os.environ["CLO_XL_DATA_DIR"] = str(workdir / "data")  # pre-migrate backups stay in the run's folder
    try:
        if database_url:
            _local_only(database_url)
            url = database_url
        else:
            url = start_embedded(server_dir).url
        schema.upgrade(url)
        first = migrate_workbook(SAMPLE, url, backup_path=workdir / "initial.zip")
        if first.status not in {"loaded", "unchanged"}:
            raise SystemExit(f"the sample workbook did not load: {first.error}")
        from clo_xl.persistence.engine import engine

        with engine(url).connect() as conn:
            deals = deal_names(conn)
        workbooks = [SAMPLE, edited_copy(SAMPLE, workdir / "edited.xlsm")]
        stats = Stats()
        deadline = time.monotonic() + seconds
        specs: list[Session] = [
            partial(operations, k, session_url(url, f"ops{k}"), workbooks, deadline, max_iter)
            for k in range(ops)
        ]
        specs += [
            partial(analyst, k, session_url(url, f"analyst{k}"), deals, deadline, max_iter)
            for k in range(sessions - ops)
        ]
        load_before = os.getloadavg()
        started = time.monotonic()
        _run_sessions(workers, specs, pace, stats)
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
        lost = check_lost_updates(url, stats)
        return {
            "sessions": sessions,
            "analysts": sessions - ops,
            "operations": ops,
            "seconds_requested": seconds,
            "seconds_run": round(elapsed, 1),
            "workers": workers,
            "pace": {
                "think_s": pace.think,
                "save_every": pace.save_every,
                "ops_interval_s": pace.ops_interval,
            },
            "iterations": dict(stats.iterations),
            "errors": len(stats.errors),
            "error_samples": stats.errors[:10],
            "conflicts": dict(stats.conflicts),
            "lost_updates": lost["lost_updates"],
            "lost_update_problems": lost["problems"],
            "saves": lost["saves"],
            "latency": {op: percentiles(v) for op, v in sorted(stats.latencies.items())},
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_1_5_15_before": [round(x, 2) for x in load_before],
                "load_average_1_5_15_after": [round(x, 2) for x in load_after],
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "server": "embedded (Unix socket, private folder)" if not database_url else "given URL (local)",
        }
    finally:
        dispose_engines()
        if not database_url:
            stop_embedded(server_dir)
        shutil.rmtree(workdir, ignore_errors=True)
        if data_dir_before is None:
            os.environ.pop("CLO_XL_DATA_DIR", None)
        else:
            os.environ["CLO_XL_DATA_DIR"] = data_dir_before


def render(result: dict[str, Any]) -> None:
    print(
        f"{result['sessions']} sessions as {result['workers']} ({result['analysts']} analysts, "
        f"{result['operations']} operations) "
        f"for {result['seconds_run']} s on {result['machine']['cpus']} CPUs, {result['server']}"
    )
    print(f"pace: {result['pace']}")
    machine = result["machine"]
    print(
        f"load average (1/5/15 min) before: {machine['load_average_1_5_15_before']}, "
        f"after: {machine['load_average_1_5_15_after']}"
    )
    print(f"iterations: {result['iterations']}   saves: {result['saves']}   conflicts: {result['conflicts']}")
    print(f"errors: {result['errors']}   lost updates: {result['lost_updates']}")
    print(f"{'operation':<14}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for op, p in result["latency"].items():
        print(
            f"{op:<14}{p['count']:>8}{p['p50_ms']:>10.1f}{p['p95_ms']:>10.1f}{p['p99_ms']:>10.1f}{p['max_ms']:>10.1f}"
        )
    for line in result["error_samples"] + result["lost_update_problems"]:
        print("  ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument(
        "--ops", type=int, default=2, help="of which operations sessions migrating (default 2)"
    )
    parser.add_argument("--seconds", type=float, default=300.0, help="duration (default 300)")
    parser.add_argument("--max-iterations", type=int, default=100_000, help="bound on each session's loop")
    parser.add_argument("--think", type=float, default=1.0, help="analyst's mean pause between steps (s)")
    parser.add_argument("--save-every", type=int, default=5, help="an analyst saves every Nth iteration")
    parser.add_argument("--ops-interval", type=float, default=60.0, help="seconds between an ops migrate")
    parser.add_argument(
        "--workers",
        choices=("processes", "threads"),
        default="processes",
        help="one process per session (default)",
    )
    parser.add_argument("--database-url", default=None, help="a local PostgreSQL (default: private embedded)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args(argv)
    if not 0 <= args.ops < args.sessions:
        parser.error("--ops must be at least 0 and fewer than --sessions")
    pace = Pace(max(0.0, args.think), max(1, args.save_every), max(0.0, args.ops_interval))
    result = run(
        args.sessions, args.ops, args.seconds, args.database_url, args.max_iterations, pace, args.workers
    )
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        render(result)
    return 0 if result["errors"] == 0 and result["lost_updates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
