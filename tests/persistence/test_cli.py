"""``clo-xl migrate`` and ``clo-xl db`` on the committed sample workbook (workbook/TradeHypo.xlsm)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from clo_xl.cli import main
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import TableChecksum, table_checksums

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "workbook" / "TradeHypo.xlsm"

needs_sample = pytest.mark.skipif(not SAMPLE.is_file(), reason="workbook/TradeHypo.xlsm not built yet")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out.strip()
    return code, json.loads(out.splitlines()[-1]) if out else {}


def _checksums(url: str) -> dict[str, TableChecksum]:
    with engine(url).connect() as conn:
        return table_checksums(conn, "clo")


def _sheet_part(package: zipfile.ZipFile, sheet: str) -> str:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    for node in book.iterfind("m:sheets/m:sheet", ns):
        if node.get("name") == sheet:
            part = str(target[node.get(f"{{{ns['r']}}}id")])
            return part.lstrip("/") if part.startswith("/xl/") else f"xl/{part}"
    raise KeyError(sheet)


def with_text_cell(source: Path, target: Path, sheet: str, cell: str, text: str) -> Path:
    """Copy a workbook, replacing one cell by an inline string in the sheet XML (everything else, cached
    formula values and macros included, stays byte-identical: openpyxl would drop cached values)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        part = _sheet_part(src, sheet)
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                xml = data.decode("utf-8")
                pattern = re.compile(rf'<c r="{cell}"(?: [^>]*)?(?:/>|>.*?</c>)', re.S)
                replacement = f'<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>'
                xml, n = pattern.subn(replacement, xml, count=1)
                assert n == 1, f"cell {cell} not found in {sheet}"
                data = xml.encode("utf-8")
            dst.writestr(item, data)
    return target


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the sample with one bad cell each."""
    if not SAMPLE.is_file():
        pytest.skip("workbook/TradeHypo.xlsm not built yet")
    folder = tmp_path_factory.mktemp("corrupt")
    return {
        "par": with_text_cell(SAMPLE, folder / "bad_par.xlsm", "Mag 17 Inputs", "E5", "two million"),
        "maturity": with_text_cell(SAMPLE, folder / "bad_maturity.xlsm", "All Assets", "H7", "soon"),
    }


@needs_sample
def test_migrate_sample_twice_then_refuse_corrupt_copies(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], corrupted: dict[str, Path]
) -> None:
    code, first = _run(
        capsys, "migrate", str(SAMPLE), "--database-url", db_url, "--report", str(tmp_path / "r1"),
        "--backup", str(tmp_path / "pre1.zip"),
    )  # fmt: skip
    assert code == 0, first
    assert first["status"] == "loaded"
    assert len(first["deals"]) == 10  # type: ignore[arg-type]
    assert (tmp_path / "r1.json").is_file() and (tmp_path / "r1.html").is_file()
    loaded = _checksums(db_url)

    code, second = _run(
        capsys, "migrate", str(SAMPLE), "--database-url", db_url, "--report", str(tmp_path / "r2")
    )
    assert code == 0 and second["status"] == "unchanged" and second["changed_rows"] == 0
    assert _checksums(db_url) == loaded

    for what, sheet, cell in (("par", "Mag 17 Inputs", "E5"), ("maturity", "All Assets", "H7")):
        code, refused = _run(
            capsys,
            "migrate",
            str(corrupted[what]),
            "--database-url",
            db_url,
            "--report",
            str(tmp_path / what),
        )
        assert code == 2, refused
        assert refused["error"] == "IngestError"
        assert (refused["sheet"], refused["cell"]) == (sheet, cell)
        assert _checksums(db_url) == loaded  # byte-for-byte unchanged


@needs_sample
def test_db_commands_round_trip(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, upgraded = _run(capsys, "db", "upgrade", "--database-url", db_url)
    assert code == 0 and upgraded["revision"]
    assert (
        _run(capsys, "migrate", str(SAMPLE), "--database-url", db_url, "--report", str(tmp_path / "r"))[0]
        == 0
    )
    original = _checksums(db_url)
    code, made = _run(capsys, "db", "backup", str(tmp_path / "b.zip"), "--database-url", db_url)
    assert code == 0 and made["rows"] == sum(c.rows for c in original.values())
    with engine(db_url).begin() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM clo.holding WHERE deal = 'Mag 6'"))
    code, restored = _run(capsys, "db", "restore", str(tmp_path / "b.zip"), "--database-url", db_url)
    assert code == 0 and restored["digest"] == made["digest"]
    assert _checksums(db_url) == original
    code, status = _run(capsys, "db", "status", "--database-url", db_url)
    assert code == 0 and status["clo_digest"] == made["digest"]
    code, missing = _run(capsys, "db", "restore", str(tmp_path / "none.zip"), "--database-url", db_url)
    assert code == 2 and missing["error"] == "DatabaseError"
