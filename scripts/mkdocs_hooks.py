"""mkdocs hooks: render a percent-format example script as a notebook page, executing it on the way.

A page that contains ``<!-- notebook: examples/python_api.py -->`` gets the script's cells in its place:
``# %% [markdown]`` cells as text, code cells as Python followed by what they printed. The script runs at
every docs build (``make docs``, part of ``make test``), so the outputs on the page are real and an example
that stops working fails the build.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"<!--\s*notebook:\s*(\S+)\s*-->")
ROOT = Path(__file__).resolve().parents[1]


def cells(source: str) -> list[tuple[str, str]]:
    """(kind, text) per cell of a percent-format script: kind "markdown" or "code"."""
    out: list[tuple[str, str]] = []
    kind, lines = "code", []
    for line in source.splitlines():
        if line.startswith("# %%"):
            if any(x.strip() for x in lines):
                out.append((kind, "\n".join(lines).strip("\n")))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    if any(x.strip() for x in lines):
        out.append((kind, "\n".join(lines).strip("\n")))
    return out


def render(path: Path) -> str:
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    parts: list[str] = []
    for kind, text in cells(path.read_text(encoding="utf-8")):
        if kind == "markdown":
            parts.append(
                "\n".join(
                    line[2:] if line.startswith("# ") else line.lstrip("#") for line in text.splitlines()
                )
            )
            continue
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(text, str(path), "exec"), namespace)  # the project's own example script
        parts.append(f"```python\n{text}\n```")
        if buffer.getvalue().strip():
            parts.append(f"```text\n{buffer.getvalue().rstrip()}\n```")
    return "\n\n".join(parts)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return MARKER.sub(lambda m: render(ROOT / m.group(1)), markdown)
