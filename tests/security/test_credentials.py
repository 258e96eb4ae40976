"""Credentials come from the URL or the environment (``CLO_XL_DATABASE_URL``, libpq's ``.pgpass``) and are
never written anywhere: not into a report, a backup, the audit trail, a log line or an error message.

A login role with a distinctive password runs the jobs that write files (migrate with its JSON/HTML
report and pre-load backup, ``db backup``) and one that fails to connect; then every byte they produced is
searched for the password.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clo_xl.cli import main
from clo_xl.persistence.engine import engine, redact
from clo_xl.persistence.server import EmbeddedServer
from corpus.pg import admin

pytestmark = pytest.mark.postgres

PASSWORD = "Canary-" + uuid.uuid4().hex[:10]


@pytest.fixture
def login_url(pg_server: EmbeddedServer, db_url: str) -> Iterator[str]:
    """``db_url`` for a login role whose password is :data:`PASSWORD` (a superuser on the test server, so
    the runs below succeed whatever the group-role grants are)."""
    role = f"probe_{uuid.uuid4().hex[:8]}"
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"))
    url = make_url(db_url).set(username=role, password=PASSWORD).render_as_string(hide_password=False)
    assert PASSWORD in url
    yield url
    engine(url).dispose()
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))


def _contents(path: Path) -> Iterator[bytes]:
    """The file's bytes and, for a zip package (backups, .xlsx/.xlsm), every member decompressed."""
    data = path.read_bytes()
    yield data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                yield zf.read(name)


def _files_containing(root: Path, secret: str) -> list[str]:
    needle = secret.encode()
    return [str(p) for p in root.rglob("*") if p.is_file() and any(needle in c for c in _contents(p))]


def test_the_scan_sees_inside_zip_packages(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", f"prefix {PASSWORD} suffix" * 50)
    assert _files_containing(tmp_path, PASSWORD) == [str(tmp_path / "x.zip")]


def test_redact_hides_the_password() -> None:
    url = f"postgresql+psycopg://alice:{PASSWORD}@db.example:5432/clo"
    assert PASSWORD not in redact(url)
    assert "alice" in redact(url)


def test_no_run_output_contains_the_password(
    login_url: str,
    db_url: str,
    base_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLO_XL_DATABASE_URL", login_url)  # the environment route
    outputs: list[str] = []
    reports = tmp_path / "reports"
    code = main(["migrate", str(base_workbook), "--report", str(reports / "migrate"), "--json"])
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    assert code == 0, captured.err[-2000:]
    code = main(["migrate", str(base_workbook), "--report", str(reports / "again")])  # readable output too
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    assert code == 0, captured.err[-2000:]
    code = main(["db", "backup", str(tmp_path / "backup.zip"), "--json"])
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    assert code == 0, captured.err[-2000:]
    assert list(reports.iterdir()), "migrate wrote no report"
    assert (tmp_path / "backup.zip").is_file()
    assert _files_containing(tmp_path, PASSWORD) == []
    assert all(PASSWORD not in text for text in outputs)
    with engine(db_url).connect() as conn:
        leaked = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM audit.run_log WHERE r::text LIKE :p) "
                "+ (SELECT count(*) FROM audit.change_log c WHERE c::text LIKE :p) "
                "FROM audit.run_log r LIMIT 1"
            ),
            {"p": f"%{PASSWORD}%"},
        ).scalar()
        runs = conn.execute(sa.text("SELECT count(*) FROM audit.run_log")).scalar_one()
    assert runs >= 3
    assert not leaked


def _unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # where an internal-error log would go
    url = f"postgresql://alice:{PASSWORD}@/clo?host={tmp_path / 'no-server-here'}"
    code = main(["db", "backup", str(tmp_path / "b.zip"), "--database-url", url, "--json"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_save_to_db_button_does_not_write_the_password_into_the_workbook(
    login_url: str, base_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook's "Save to DB" button, pressed headless, with the URL (and its password) in the
    environment: the workbook file afterwards holds no trace of the password."""
    from clo_xl.excel.handlers import run_headless

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLO_XL_DATABASE_URL", login_url)
    book = tmp_path / "TradeHypo.xlsm"
    book.write_bytes(base_workbook.read_bytes())
    assert main(["migrate", str(book), "--report", str(tmp_path / "reports" / "m")]) == 0
    run_headless("RefreshFromDB", book)  # records the deal's version in the workbook
    result = run_headless("SaveToDB", book)
    assert "saved to the database" in result.summary
    assert _files_containing(tmp_path, PASSWORD) == []


def test_a_failed_connection_does_not_echo_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _unreachable(tmp_path, monkeypatch, capsys)
    assert code != 0
    assert "Traceback" not in text
    assert PASSWORD not in text
    assert _files_containing(tmp_path, PASSWORD) == []


def test_a_failed_connection_is_a_clean_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _unreachable(tmp_path, monkeypatch, capsys)
    assert code == 2, text


def test_ops_role_can_run_migrate(
    pg_server: EmbeddedServer,
    db_url: str,
    base_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Operations migrate with their least-privilege group role, not as the owner."""
    role = f"ops_{uuid.uuid4().hex[:8]}"
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN IN ROLE clo_ops"))
    url = make_url(db_url).set(username=role).render_as_string(hide_password=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    try:
        code = main(["migrate", str(base_workbook), "--database-url", url, "--json"])
        captured = capsys.readouterr()
        assert code == 0, captured.err[-1500:]
    finally:
        engine(url).dispose()
        with admin(pg_server) as conn:
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
