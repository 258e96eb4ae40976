"""The documentation stands on its own: nothing a user reads refers outside the repository, the API
reference's docstrings included, and the notebook-style example runs."""

from __future__ import annotations

import importlib
import re
import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: what a user of the repository does not have: the project brief's shared folder and its files
FORBIDDEN = re.compile(
    r"\.\./shared|/work/|CONTRACT(\.md| §)|DOMAIN\.md|COMPLIANCE_SPEC|CASHFLOW_SPEC|legacy/mag17"
)


def user_docs() -> list[Path]:
    return [
        REPO / "README.md",
        REPO / "CHANGELOG.md",
        REPO / "workbook" / "README.md",
        *sorted((REPO / "docs").rglob("*.md")),
    ]


@pytest.mark.parametrize("path", user_docs(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_reference_outside_the_repository(path: Path) -> None:
    hits = [
        f"{path.name}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert not hits, "\n".join(hits)


def documented_modules() -> list[str]:
    """Every ``::: dotted.name`` of docs/api.md, as the module that defines it."""
    names = re.findall(r"^::: (\S+)", (REPO / "docs" / "api.md").read_text(encoding="utf-8"), re.M)
    modules = []
    for name in names:
        try:
            importlib.import_module(name)
            modules.append(name)
        except ModuleNotFoundError:
            modules.append(name.rpartition(".")[0])
    return sorted(set(modules))


@pytest.mark.parametrize("module", documented_modules())
def test_the_api_reference_docstrings_stay_in_the_repository(module: str) -> None:
    import inspect

    mod = importlib.import_module(module)
    texts = [inspect.getdoc(mod) or ""]
    for _, obj in inspect.getmembers(mod):
        if getattr(obj, "__module__", None) == module:
            texts.append(inspect.getdoc(obj) or "")
            texts.extend(inspect.getdoc(m) or "" for _, m in inspect.getmembers(obj) if callable(m))
    hits = [line for text in texts for line in text.splitlines() if FORBIDDEN.search(line)]
    assert not hits, "\n".join(hits)


def test_changelog_has_an_unreleased_section() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text and text.index("## [Unreleased]") < text.index("## [0.1.0]")


def test_the_notebook_style_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(REPO / "examples" / "python_api.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith("Mag 17 2016-03-23") and "largest gap over" in out
