"""Persistence speed cases (issue 5): run with ``clo-xl bench --only persistence`` or
``python bench/bench_persistence.py``.

Targets: migrate the sample workbook <= 10 s (read + validate L1–L4 + load, into an empty database);
a 10× universe (10,000 assets, 100 deals, 27,500 holdings) <= 60 s; load one deal for compliance
<= 100 ms; standard queries p95 <= 50 ms (each query is also a case, judged on its median).

Database: ``CLO_XL_BENCH_DATABASE_URL`` if set (a server where the bench may create databases), else the
embedded server in the user's data folder; the bench works in its own databases ``clo_xl_bench`` and
``clo_xl_bench10`` (dropped and recreated on first use), never in ``clo_xl``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clo_xl.persistence import schema
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine, normalise_url
from clo_xl.persistence.migration import migrate_content, migrate_workbook
from clo_xl.persistence.repository import load_deal_for_compliance
from clo_xl.persistence.synthetic import synthetic_book

SAMPLE = Path(__file__).resolve().parents[1] / "workbook" / "TradeHypo.xlsm"
BACKUPS = Path(os.environ.get("TMPDIR", "/tmp")) / "clo-xl-bench-backups"


@cache
def _server_url() -> str:
    explicit = os.environ.get("CLO_XL_BENCH_DATABASE_URL")
    if explicit:
        return normalise_url(explicit)
    from clo_xl.persistence.server import start_embedded

    return start_embedded().url


def _database(name: str) -> str:
    base = make_url(_server_url())
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    with engine(admin).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = base.set(database=name).render_as_string(hide_password=False)
    schema.upgrade(url)
    return url


@cache
def sample_url() -> str:
    return _database("clo_xl_bench")


@cache
def tenfold_url() -> str:
    return _database("clo_xl_bench10")


@cache
def tenfold_book() -> WorkbookContent:
    return synthetic_book(10_000, 100, 275, seed=17)


def _empty(url: str) -> None:
    """Remove every business row (TRUNCATE: no row triggers), so each run is a full first load."""
    with engine(url).begin() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT string_agg('clo.' || quote_ident(tablename), ', ') FROM pg_tables "
                "WHERE schemaname = 'clo'"
            )
        ).scalar_one()
        conn.execute(sa.text(f"TRUNCATE {tables} CASCADE"))


def migrate_sample() -> object:
    url = sample_url()
    _empty(url)
    if SAMPLE.is_file():
        report = migrate_workbook(SAMPLE, url, backup_path=BACKUPS / "sample.zip")
    else:  # a checkout without the built workbook: the same size, synthetic
        report = migrate_content(synthetic_book(1_000, 10, 275), url, backup_path=BACKUPS / "sample.zip")
    assert report.status == "loaded", report.error
    return report


def migrate_tenfold() -> object:
    url = tenfold_url()
    book = tenfold_book()
    _empty(url)
    report = migrate_content(book, url, backup_path=BACKUPS / "tenfold.zip")
    assert report.status == "loaded", report.error
    return report


@cache
def _loaded_sample() -> tuple[str, str]:
    url = sample_url()
    with engine(url).connect() as conn:
        deal = conn.execute(sa.text("SELECT max(deal) FROM clo.deal")).scalar_one_or_none()
    if deal is None:
        migrate_sample()
        with engine(url).connect() as conn:
            deal = conn.execute(sa.text("SELECT max(deal) FROM clo.deal")).scalar_one()
    return url, str(deal)


def load_one_deal() -> object:
    url, deal = _loaded_sample()
    return load_deal_for_compliance(url, deal)


#: the questions analysts and operations ask the database most (bound parameters only)
STANDARD_QUERIES: dict[str, str] = {
    "holdings of a deal with asset fields": (
        "SELECT h.asset_id, h.par, a.issuer_name, a.moodys_rating, a.coupon_spread, a.maturity "
        "FROM clo.holding h JOIN clo.asset a USING (asset_id) JOIN clo.deal d ON d.deal = h.deal "
        "AND d.analysis_date = h.analysis_date WHERE h.deal = :deal ORDER BY h.position"
    ),
    "par by Moody's rating for a deal": (
        "SELECT a.moodys_rating, sum(h.par) FROM clo.holding h JOIN clo.asset a USING (asset_id) "
        "WHERE h.deal = :deal GROUP BY a.moodys_rating ORDER BY 2 DESC"
    ),
    "ten largest obligors across deals": (
        "SELECT a.issuer_id, sum(h.par) AS par FROM clo.holding h JOIN clo.asset a USING (asset_id) "
        "GROUP BY a.issuer_id ORDER BY par DESC LIMIT 10"
    ),
    "which deals hold an asset": "SELECT deal, par FROM clo.holding WHERE asset_id = :asset",
    "change history of a deal": (
        "SELECT changed_at, actor, table_name, operation FROM audit.change_log "
        "WHERE row_key @> jsonb_build_object('deal', CAST(:deal AS text)) ORDER BY change_id DESC LIMIT 50"
    ),
    "latest runs": (
        "SELECT run_id, kind, deal, status, started_at FROM audit.run_log ORDER BY run_id DESC LIMIT 20"
    ),
}


def _query(name: str) -> Callable[[], object]:
    sql = sa.text(STANDARD_QUERIES[name])

    def run() -> object:
        url, deal = _loaded_sample()
        with engine(url).connect() as conn:
            asset = conn.execute(sa.text("SELECT asset_id FROM clo.holding LIMIT 1")).scalar_one()
            return conn.execute(sql, {"deal": deal, "asset": asset}).all()

    return run


def cases() -> list[tuple[str, Callable[[], object], float]]:
    """(name, function, target seconds) for ``clo-xl bench``."""
    out: list[tuple[str, Callable[[], object], float]] = [
        ("migrate the sample workbook (read, L1-L4, load)", migrate_sample, 10.0),
        ("migrate a 10x universe (10,000 assets, 100 deals)", migrate_tenfold, 60.0),
        ("load one deal for compliance", load_one_deal, 0.100),
    ]
    out.extend((f"query: {name}", _query(name), 0.050) for name in STANDARD_QUERIES)
    return out


def main() -> int:
    ok = True
    print(f"{'case':56s} {'median':>10s} {'p95':>10s} {'target':>9s}")
    for name, fn, target in cases():
        fn()  # warm-up: databases, caches, the first load
        runs = 3 if target >= 1 else 50
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
        judged = p95 if name.startswith("query:") else med
        within = judged <= target
        ok &= within
        verdict = "ok" if within else "SLOW"
        print(f"{name:56s} {med * 1000:8.1f}ms {p95 * 1000:8.1f}ms {target * 1000:7.0f}ms  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
