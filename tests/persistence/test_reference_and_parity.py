"""Reference tables loaded with every migration; L4 parity failure rolls back; concurrent first upgrades."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.persistence import schema
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import table_checksums
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.synthetic import synthetic_book

pytestmark = pytest.mark.postgres


def test_reference_tables_hold_the_published_values(db_url: str, tmp_path: Path) -> None:
    assert (
        migrate_content(synthetic_book(30, 1, 10), db_url, backup_path=tmp_path / "b.zip").status == "loaded"
    )
    with engine(db_url).connect() as conn:

        def one(sql: str) -> Any:
            return conn.execute(sa.text(sql)).scalar_one()

        # Moody's published WARF rating factors: B2 = 2720, Caa1 = 4770; rank 1 = Aaa/AAA
        assert one("SELECT rating_factor FROM clo.rating WHERE agency = 'MOODYS' AND rating = 'B2'") == 2720
        assert one("SELECT rating_factor FROM clo.rating WHERE agency = 'MOODYS' AND rating = 'Caa1'") == 4770
        assert one("SELECT rank FROM clo.rating WHERE agency = 'SP' AND rating = 'AAA'") == 1
        # Moody's diversity table: score 3.0 → 2.0 (1 + 20 × 0.05), 6.0 → 3.0, 10.0 → 4.0
        assert one("SELECT diversity_score FROM clo.diversity_score WHERE equivalent_units = 3.0") == 2.0
        assert one("SELECT diversity_score FROM clo.diversity_score WHERE equivalent_units = 10.0") == 4.0
        # senior secured, DPR = rating (d = 0) → 45 % (COMPLIANCE_SPEC 3.7)
        assert (
            one(
                "SELECT rate FROM clo.recovery_rate WHERE agency = 'MOODYS' "
                "AND category = 'senior_secured' AND rating = '0'"
            )
            == 0.45
        )
        assert one("SELECT count(*) FROM clo.country_set WHERE set_name = 'tax'") > 0
        # the ten Mag waterfall versions as data; Mag 17's classes as in its data file
        assert one("SELECT count(*) FROM clo.waterfall_version") == 10
        assert (
            one("SELECT definition->'classes'->>0 FROM clo.waterfall_version WHERE name = 'mag17'")
            == "Class X"
        )


def test_parity_failure_loads_nothing(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from clo_xl.persistence import validation

    real = validation._compliance_numbers
    calls = {"n": 0}

    def drifting(*args: Any, **kwargs: Any) -> dict[int, float]:
        calls["n"] += 1
        numbers = real(*args, **kwargs)
        if calls["n"] % 2 == 0:  # the database side of each deal
            return {k: v * (1 + 1e-6) + 1e-6 for k, v in numbers.items()}
        return numbers

    monkeypatch.setattr(validation, "_compliance_numbers", drifting)
    with engine(db_url).connect() as conn:
        before = table_checksums(conn, "clo")
    report = migrate_content(synthetic_book(40, 2, 15), db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "rejected"
    assert "parity failed" in str(report.error)
    assert report.checks[-1].level == "L4"
    with engine(db_url).connect() as conn:
        assert table_checksums(conn, "clo") == before


def test_concurrent_first_upgrades_both_succeed(empty_db_url: str) -> None:
    results: list[object] = []

    def run() -> None:
        try:
            results.append(schema.upgrade(empty_db_url))
        except Exception as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == [schema.head_revision(), schema.head_revision()]
