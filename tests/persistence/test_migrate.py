"""Migration of a synthetic book: loads, a rerun leaves clo identical, a bad cell loads nothing and names
sheet and cell, and the database stays byte-for-byte as it was (checksums of every clo table)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.errors import ConfigurationError, IngestError
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.persistence.backup import read_manifest
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import TableChecksum, digest, schema_tables, table_checksums
from clo_xl.persistence.migration import migrate_content, migrate_workbook
from clo_xl.persistence.synthetic import synthetic_book

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def book() -> WorkbookContent:
    return synthetic_book(120, 3, 40, seed=3)


def _checksums(url: str) -> dict[str, TableChecksum]:
    with engine(url).connect() as conn:
        return table_checksums(conn, "clo")


def _checksums_one_by_one(url: str) -> dict[str, TableChecksum]:
    """The fingerprint by an independent route: one plain query per table, outside any migrate."""
    out: dict[str, TableChecksum] = {}
    with engine(url).connect() as conn:
        for table in schema_tables(conn, "clo"):
            rows, md5 = conn.execute(
                sa.text(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    f"FROM clo.{table} t"
                )
            ).one()
            out[table] = TableChecksum(rows, md5)
    return out


def _with_asset_cell(content: WorkbookContent, index: int, header: str, value: object) -> WorkbookContent:
    rows = [dict(r) for r in content.assets.rows]
    rows[index][header] = value
    return replace(content, assets=replace(content.assets, rows=tuple(rows)))


def _with_holding_cell(
    content: WorkbookContent, deal: str, index: int, header: str, value: object
) -> WorkbookContent:
    table: RawTable = content.holdings[deal]
    rows = [dict(r) for r in table.rows]
    rows[index][header] = value
    holdings = dict(content.holdings)
    holdings[deal] = replace(table, rows=tuple(rows))
    return replace(content, holdings=holdings)


def _with_deal_value(content: WorkbookContent, deal: str, key: str, value: Any) -> WorkbookContent:
    doc: RawDocument = content.deals[deal]
    deals = dict(content.deals)
    deals[deal] = replace(doc, data={**doc.data, key: value})
    return replace(content, deals=deals)


def test_load_then_rerun_leaves_clo_identical(db_url: str, book: WorkbookContent, tmp_path: Any) -> None:
    first = migrate_content(book, db_url, backup_path=tmp_path / "b1.zip")
    assert first.status == "loaded", first.error
    after_first = _checksums(db_url)
    # counts checked against the synthetic book's definition: 120 assets, 3 deals x 40 holdings
    assert after_first["asset"].rows == 120
    assert after_first["deal"].rows == 3
    assert after_first["holding"].rows == 3 * 40
    assert {c.level for c in first.checks if c.status == "passed"} == {"L1", "L2", "L3", "L4"}

    assert after_first == _checksums_one_by_one(db_url)  # the one-statement fingerprint, table by table
    assert first.clo_digest_after == digest(after_first)

    second = migrate_content(book, db_url, backup_path=tmp_path / "b2.zip")
    assert second.status == "unchanged"
    assert second.changed_rows == 0
    assert _checksums(db_url) == after_first  # every table, row versions and timestamps included
    # the digests before/after and the backup's manifest (checksums read once, in the load's snapshot)
    assert second.clo_digest_before == second.clo_digest_after == digest(after_first)
    manifest = read_manifest(tmp_path / "b2.zip")
    assert manifest["digest"] == digest(after_first)
    assert {t: (m["rows"], m["md5"]) for t, m in manifest["tables"].items()} == {
        t: (c.rows, c.md5) for t, c in after_first.items()
    }
    with engine(db_url).connect() as conn:
        runs = conn.execute(
            sa.text("SELECT status FROM audit.run_log WHERE kind = 'migrate' ORDER BY run_id")
        )
        assert list(runs.scalars()) == ["loaded", "unchanged"]


def test_a_changed_value_updates_one_row_and_bumps_versions(
    db_url: str, book: WorkbookContent, tmp_path: Any
) -> None:
    migrate_content(book, db_url, backup_path=tmp_path / "b1.zip")
    changed = _with_asset_cell(book, 5, "Market Value", 77.125)
    changed = _with_holding_cell(changed, "Syn 2", 0, "Par Amount", 1_234_567.0)
    report = migrate_content(changed, db_url, backup_path=tmp_path / "b2.zip")
    assert report.status == "loaded"
    assert report.tables["asset"].updated == 1 and report.tables["asset"].inserted == 0
    assert report.tables["holding"].updated == 1
    assert report.bumped_deals == ["Syn 2"]
    # the digest after, read inside the load for the tables it changed, is that of the committed clo
    assert report.clo_digest_after == digest(_checksums_one_by_one(db_url))
    assert report.clo_digest_after != report.clo_digest_before
    with engine(db_url).connect() as conn:
        mv, version = conn.execute(
            sa.text("SELECT market_value, row_version FROM clo.asset WHERE asset_id = 'SYN000005'")
        ).one()
        assert (mv, version) == (77.125, 2)
        stored = conn.execute(sa.text("SELECT deal, row_version FROM clo.deal")).all()
        deal_versions: dict[str, int] = {deal: version for deal, version in stored}
        assert deal_versions == {"Syn 1": 1, "Syn 2": 2, "Syn 3": 1}
        logged = conn.execute(
            sa.text(
                "SELECT before->>'market_value', after->>'market_value' FROM audit.change_log "
                "WHERE table_name = 'clo.asset' AND operation = 'UPDATE'"
            )
        ).all()
        assert len(logged) == 1 and logged[0][1] == "77.125"


BAD_CELLS = [
    # (description, transform, expected sheet, expected cell)
    (
        "text in a holding's par",
        lambda b: _with_holding_cell(b, "Syn 1", 2, "Par Amount", "two million"),
        "Syn 1 Inputs",
        "E6",  # DealCollateral D:E from row 4; third holding → row 6, Par Amount in column E
    ),
    (
        "a maturity that is not a date",
        lambda b: _with_asset_cell(b, 9, "Maturity", "next year"),
        "All Assets",
        "H11",  # Maturity is legacy column 8 = H; data row 10 sits on sheet row 11
    ),
    (
        "an unknown Moody's rating",
        lambda b: _with_asset_cell(b, 0, "Moody's Rating-21", "Bx9"),
        "All Assets",
        "AQ2",  # column 43 = AQ, first data row = 2
    ),
    (
        "a holding of an asset not in All Assets",
        lambda b: _with_holding_cell(b, "Syn 3", 0, "BLKRockID", "NOT-AN-ASSET"),
        "Syn 3 Inputs",
        "D4",
    ),
    (
        "a coupon spread out of range",
        lambda b: _with_asset_cell(b, 3, "Coupon Spread", 3.75),
        "All Assets",
        "K5",  # column 11 = K
    ),
    (
        "a negative par",
        lambda b: _with_holding_cell(b, "Syn 2", 1, "Par Amount", -5.0),
        "Syn 2 Inputs",
        "E5",
    ),
]


@pytest.mark.parametrize(("what", "corrupt", "sheet", "cell"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_bad_cell_loads_nothing_and_names_the_cell(
    db_url: str, book: WorkbookContent, tmp_path: Any, what: str, corrupt: Any, sheet: str, cell: str
) -> None:
    assert migrate_content(book, db_url, backup_path=tmp_path / "b0.zip").status == "loaded"
    before = _checksums(db_url)
    report = migrate_content(corrupt(book), db_url, backup_path=tmp_path / "b1.zip")
    assert report.status == "rejected", what
    assert isinstance(report.error, IngestError)
    assert (report.error.location.sheet, report.error.location.cell) == (sheet, cell)
    assert _checksums(db_url) == before  # byte-for-byte: every row of every clo table


def test_reconciliation_failure_rolls_back_the_load(
    db_url: str, book: WorkbookContent, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L3 runs after the rows are written; a failure there must undo the whole load."""
    from clo_xl.persistence import migration, validation

    before = _checksums(db_url)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise IngestError(
            validation.Location(sheet="Syn 1 Inputs", column="Par Amount"), 0, "reconciliation failed"
        )

    monkeypatch.setattr(migration, "reconcile", broken)
    report = migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "rejected"
    assert report.checks[-1].level == "L3"
    assert _checksums(db_url) == before
    with engine(db_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit.change_log")).scalar_one() == 0


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("a number changed in its last digits", "coupon_spread = coalesce(coupon_spread, 0) + 1e-12"),
        ("a bool flipped", "pmt_eom = NOT coalesce(pmt_eom, false)"),
        ("a text changed", "issuer_name = coalesce(issuer_name, '') || 'x'"),
    ],
)
def test_reconciliation_catches_a_stored_value_that_differs(
    db_url: str,
    book: WorkbookContent,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
    change: str,
) -> None:
    """The real L3 (no stand-in) refuses a load whose stored asset row differs from All Assets in a value."""
    from clo_xl.persistence import migration, validation

    real = validation.reconcile

    def tampered(conn: sa.Connection, content: WorkbookContent, t: Any) -> Any:
        first = t.asset_rows[0]["asset_id"]
        conn.execute(sa.text(f"UPDATE clo.asset SET {change} WHERE asset_id = :id"), {"id": first})
        return real(conn, content, t)

    before = _checksums(db_url)
    monkeypatch.setattr(migration, "reconcile", tampered)
    report = migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "rejected", what
    assert isinstance(report.error, IngestError)
    assert "reconciliation failed" in str(report.error), what
    assert report.checks[-1].level == "L3"
    assert _checksums(db_url) == before


def test_parity_catches_an_asset_that_differs_after_reconciliation(
    db_url: str, book: WorkbookContent, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L4 on its own (L3 has passed, then a stored value changes): the assets read back and parsed column by
    column differ from the workbook's in one asset, which the refusal names."""
    from clo_xl.persistence import migration, validation

    real = validation.reconcile

    def tampered_after(conn: sa.Connection, content: WorkbookContent, t: Any) -> Any:
        checks = real(conn, content, t)
        conn.execute(
            sa.text("UPDATE clo.asset SET wal = coalesce(wal, 0) + 1e-9 WHERE asset_id = :id"),
            {"id": t.asset_rows.ids[5]},
        )
        return checks

    before = _checksums(db_url)
    monkeypatch.setattr(migration, "reconcile", tampered_after)
    report = migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "rejected"
    assert isinstance(report.error, IngestError)
    assert "parity failed: 1 assets read back" in str(report.error)
    assert report.error.value == book.assets.rows[5]["BLKRockID"]
    assert report.checks[-1].level == "L4"
    assert _checksums(db_url) == before


def test_text_holding_copy_delimiters_and_a_negative_zero_are_stored_as_typed(
    empty_db_url: str, book: WorkbookContent, tmp_path: Any
) -> None:
    """The load streams COPY text: a tab, a line break and a backslash inside a cell (Excel allows them) are
    escaped, not taken as delimiters, and -0.0 keeps its sign; read back by SQL they are what was typed."""
    typed = "Tab\there, back\\slash\r\nand a line"
    changed = _with_asset_cell(_with_asset_cell(book, 3, "Issuer Name", typed), 3, "Coupon Spread", -0.0)
    report = migrate_content(changed, empty_db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "loaded", report.error
    asset_id = changed.assets.rows[3]["BLKRockID"]
    with engine(empty_db_url).connect() as conn:
        name, spread = conn.execute(
            sa.text("SELECT issuer_name, coupon_spread::text FROM clo.asset WHERE asset_id = :id"),
            {"id": asset_id},
        ).one()
    assert name == typed.strip()
    assert spread == "-0"  # PostgreSQL prints float8 -0.0 as "-0"


def test_missing_all_assets_header_is_refused(db_url: str, book: WorkbookContent) -> None:
    headers = tuple(h for h in book.assets.headers if h != "Coupon Spread")
    rows = tuple({k: v for k, v in r.items() if k != "Coupon Spread"} for r in book.assets.rows)
    broken = replace(book, assets=replace(book.assets, headers=headers, rows=rows))
    report = migrate_content(broken, db_url)
    assert report.status == "rejected"
    assert isinstance(report.error, IngestError)
    assert report.error.location.column == "Coupon Spread"
    assert report.checks[-1].level == "L1"


def test_dry_run_validates_everything_and_writes_nothing(empty_db_url: str, book: WorkbookContent) -> None:
    report = migrate_content(book, empty_db_url, dry_run=True)
    assert report.status == "validated", report.error
    assert report.changed_rows > 120 and report.backup is None
    assert {c.level for c in report.checks if c.status == "passed"} == {"L1", "L2", "L3", "L4"}
    with engine(empty_db_url).connect() as conn:  # even the schema a new database needed was rolled back
        assert conn.execute(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'clo'")).scalar() == 0
    assert report.clo_digest_after == report.clo_digest_before


def test_dry_run_on_a_loaded_database_leaves_it_identical(
    db_url: str, book: WorkbookContent, tmp_path: Any
) -> None:
    assert migrate_content(book, db_url, backup_path=tmp_path / "b.zip").status == "loaded"
    before = _checksums(db_url)
    changed = _with_asset_cell(book, 1, "WAL", 4.25)
    report = migrate_content(changed, db_url, dry_run=True)
    assert report.status == "validated" and report.tables["asset"].updated == 1
    assert _checksums(db_url) == before


def test_every_clo_table_writes_the_change_log(db_url: str) -> None:
    """The digest after a load re-reads only the tables its transaction's change log names: every ``clo``
    table must carry the row-level ``audit_change`` trigger (INSERT, UPDATE and DELETE)."""
    with engine(db_url).connect() as conn:
        tables = set(schema_tables(conn, "clo"))
        triggered = conn.execute(
            sa.text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'clo' "
                "AND t.tgname = 'audit_change' AND NOT t.tgisinternal AND t.tgenabled = 'O' "
                # row-level (1) AFTER, INSERT (4) + DELETE (8) + UPDATE (16)
                "AND t.tgtype & (1 | 4 | 8 | 16) = (1 | 4 | 8 | 16)"
            )
        ).scalars()
        assert tables and set(triggered) == tables


def test_read_deals_reads_several_deals_as_each_sheet_gave_them(
    db_url: str, book: WorkbookContent, tmp_path: Any
) -> None:
    """L4 reads every deal back at once (one query per table): each must equal its sheet's inputs (the
    synthetic book's own parse), and an unknown deal among them is named."""
    from clo_xl.errors import DatabaseError
    from clo_xl.persistence.repository import read_deals

    migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    sheets = book.book().deals
    with engine(db_url).connect() as conn:
        stored = read_deals(conn, ["Syn 3", "Syn 1", "Syn 2"])
        assert list(stored) == ["Syn 3", "Syn 1", "Syn 2"]
        for name, deal in stored.items():
            held = [(h.brs_id, h.par) for h in deal.inputs().holdings]
            assert held == [(h.brs_id, h.par) for h in sheets[name].holdings]
            assert len(held) == 40  # the synthetic book: 40 holdings per deal
            assert deal.inputs().thresholds == sheets[name].inputs.thresholds
            assert deal.version == 1
        with pytest.raises(DatabaseError, match="no deal 'Syn 9'"):
            read_deals(conn, ["Syn 1", "Syn 9"])


@pytest.mark.parametrize("shared", [True, False], ids=["one-universe-per-side", "one-per-deal"])
def test_parity_passes_with_one_universe_per_side_or_one_per_deal(
    db_url: str, book: WorkbookContent, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, shared: bool
) -> None:
    """L4 builds one universe per side for a small book and one per deal for a large one: both route
    every deal's compliance (3 deals, each with its test results compared)."""
    from clo_xl.persistence import validation

    monkeypatch.setattr(validation, "SHARED_UNIVERSE_MAX", 10_000 if shared else 0)
    report = migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    assert report.status == "loaded", report.error
    passed = [c.name for c in report.checks if c.level == "L4" and c.status == "passed"]
    assert passed == ["assets from the database equal the workbook's"] + [
        f"Syn {i} compliance" for i in (1, 2, 3)
    ]


def test_the_url_may_be_resolved_after_the_workbook_is_read(
    db_url: str, sample_workbook: Path, tmp_path: Any
) -> None:
    """``clo-xl migrate`` starts the embedded server in a thread while the workbook is read and hands
    ``migrate_workbook`` a callable: it is called once, after the read, and the load is the same as with
    the URL itself (the sample's 10 deals)."""
    order: list[str] = []

    def url() -> str:
        order.append("url")
        return db_url

    report = migrate_workbook(sample_workbook, url, backup_path=tmp_path / "b.zip")
    assert report.error is None and report.status == "loaded"
    assert order == ["url"] and len(report.deals) == 10


def test_a_url_error_wins_over_a_refused_workbook(tmp_path: Path) -> None:
    """As when the URL is resolved first: a bad URL is the error a user sees, even for a bad file."""
    bad = tmp_path / "bad.xlsm"
    bad.write_text("not a zip")

    def url() -> str:
        raise ConfigurationError("clo-xl needs PostgreSQL; 'sqlite:///x' names the 'sqlite' backend")

    with pytest.raises(ConfigurationError, match="sqlite"):
        migrate_workbook(bad, url)
