"""Packaging: SPDX licence and its file, a bounded build backend, lock files that pin every declared
dependency within its range, the sample workbook inside the package, Dask only as an extra."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def pins(lock: str) -> dict[str, str]:
    """``name → version`` of a uv/pip-tools lock file (platform markers ignored)."""
    found: dict[str, str] = {}
    for line in (REPO / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            found[_name(m.group(1))] = m.group(2)
    return found


def test_license_is_an_spdx_expression_with_its_file() -> None:
    assert PROJECT["license"] == "BSD-3-Clause"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("BSD 3-Clause License")
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]  # PEP 639: not both
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= set(PROJECT["urls"])


def test_build_backend_is_bounded_both_ways() -> None:
    (setuptools,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    spec = setuptools.specifier
    assert setuptools.name == "setuptools"
    assert "77.0" in spec and "76.9" not in spec  # SPDX licence expressions need >= 77
    assert any(s.operator == "<" for s in spec), "an upper bound keeps a new major release out"


def test_dask_is_an_extra_not_a_dependency() -> None:
    assert not [r for r in PROJECT["dependencies"] if _name(Requirement(r).name) in {"dask", "distributed"}]
    assert any(_name(Requirement(r).name) == "dask" for r in PROJECT["optional-dependencies"]["cluster"])


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    """The test lock covers the dependencies and the test/cluster/docs extras; the run lock the
    dependencies, at the same versions (one resolution)."""
    test_lock, run_lock = pins("test.lock"), pins("run.lock")
    extras = PROJECT["optional-dependencies"]
    declared = [*PROJECT["dependencies"], *extras["test"], *extras["cluster"], *extras["docs"]]
    for text in declared:
        req = Requirement(text)
        version = test_lock.get(_name(req.name))
        assert version is not None, f"{req.name} is not in requirements/test.lock: run make lock"
        assert SpecifierSet(str(req.specifier)).contains(version, prereleases=True), (
            f"{req.name}=={version} in requirements/test.lock is outside {req.specifier}: run make lock"
        )
    for text in PROJECT["dependencies"]:
        name = _name(Requirement(text).name)
        assert run_lock.get(name) == test_lock[name], f"{name}: run.lock and test.lock disagree"
    assert "dask" not in run_lock  # the extra stays out of a plain install


def test_the_sample_workbook_ships_inside_the_package() -> None:
    """``clo_xl/data/sample/TradeHypo.xlsm`` is the committed workbook (a link in the source tree, the file
    itself in a wheel), and package data includes it."""
    packaged = REPO / "src" / "clo_xl" / "data" / "sample" / "TradeHypo.xlsm"
    assert packaged.resolve() == (REPO / "workbook" / "TradeHypo.xlsm").resolve()
    assert zipfile.is_zipfile(packaged)
    assert "data/**/*" in PYPROJECT["tool"]["setuptools"]["package-data"]["clo_xl"]


def test_demo_finds_the_packaged_workbook_outside_a_checkout(tmp_path: Path) -> None:
    code = "from clo_xl.commands.demo import default_workbook; print(default_workbook())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.endswith("clo_xl/data/sample/TradeHypo.xlsm") or out.endswith(
        "clo_xl\\data\\sample\\TradeHypo.xlsm"
    )


def test_the_version_has_one_source() -> None:
    """``clo_xl.__version__`` is the release; the installed metadata reads it from there."""
    from importlib.metadata import version

    import clo_xl

    assert "version" in PROJECT["dynamic"] and "version" not in PROJECT
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "clo_xl.__version__"}
    assert version("clo-xl") == clo_xl.__version__
