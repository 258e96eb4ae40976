"""PostgreSQL's own disk fills up mid-load: the target database lives in a tablespace on a tiny tmpfs, so
the server's writes fail with "No space left on device" part-way through ``clo-xl migrate``. The command
refuses cleanly, nothing is left behind, and after the disk grows (tmpfs remount) the same command loads.

Needs root (mount); skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clo_xl.cli import main
from clo_xl.persistence.engine import dispose_engines, engine
from clo_xl.persistence.server import EmbeddedServer
from corpus.pg import TEMPLATE, admin, db_state, url_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _mount(path: Path, megabytes: int, *, remount: bool = False) -> None:
    options = f"remount,size={megabytes}m" if remount else f"size={megabytes}m"
    args = (
        ["mount", "-o", options, str(path)]
        if remount
        else ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)]
    )
    subprocess.run(args, check=True, capture_output=True, timeout=30)


@pytest.fixture
def tiny_tablespace(
    pg_server: EmbeddedServer, template_url: str, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    """A database at schema head whose tablespace is a tmpfs only slightly larger than the empty database."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    # outside pytest's folders (mode 0700, owned by root): the server's OS user must reach the mount
    mount_point = Path(tempfile.mkdtemp(prefix="clo-xl-tiny-disk-"))
    mount_point.chmod(0o755)
    try:
        _mount(mount_point, 64)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    owner = pg_server.pgdata.stat()
    os.chown(mount_point, owner.st_uid, owner.st_gid)
    suffix = uuid.uuid4().hex[:8]
    space, name = f"tiny_{suffix}", f"d_tiny_{suffix}"
    try:
        with admin(pg_server) as conn:
            conn.execute(sa.text(f"CREATE TABLESPACE {space} LOCATION '{mount_point}'"))
            conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} TABLESPACE {space}"))
            size = int(conn.execute(sa.text(f"SELECT pg_database_size('{name}')")).scalar_one())
        _mount(mount_point, size // 2**20 + 3, remount=True)  # 3 MB of room: the load needs far more
        yield url_for(pg_server, name), mount_point
    finally:
        dispose_engines()
        with admin(pg_server) as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(sa.text(f"DROP TABLESPACE IF EXISTS {space}"))
        subprocess.run(["umount", str(mount_point)], check=False, capture_output=True, timeout=30)
        mount_point.rmdir()


def test_server_disk_full_mid_migrate(
    tiny_tablespace: tuple[str, Path],
    base_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, mount_point = tiny_tablespace
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    before = db_state(url)
    code = main(["migrate", str(base_workbook), "--database-url", url, "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 2, captured.err[-1500:]
    doc = json.loads(captured.out)
    assert "No space left on device" in json.dumps(doc) + captured.err
    dispose_engines()
    assert db_state(url) == before
    _mount(mount_point, 512, remount=True)  # the operator frees space
    code = main(["migrate", str(base_workbook), "--database-url", url, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err[-1500:]
    with engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM clo.asset")).scalar_one() == 1000
