"""Self-contained HTML pages, all from one Jinja2 template set and one style (``report/templates``).

Build a :class:`Page`, add blocks, then :meth:`Page.write` or :meth:`Page.render`::

    page = Page("Parallel run: TradeHypo.xlsm", subtitle="tolerance 1e-05, convention legacy")
    page.badges([("5,192", "compared", "ok"), ("3", "unexplained breaks", "break")])
    page.heading("Unexplained breaks")
    page.table([Column("Item"), Column("Legacy", Kind.MONEY)], rows, row_classes=["break", ...])
    page.details("Matches (5,189)", lambda inner: inner.table(...))   # folded until opened

Cells are formatted by their :class:`~clo_xl.report.formats.Column` (money with separators, ratios as
percent, dates as dates) and escaped by the template; numbers are right-aligned. A row may carry a class:
``break`` (red), ``explained`` / ``warn`` (amber), ``ok`` (green), ``failed``, ``skipped``. Images are
embedded as data URIs, so a page is one file that opens anywhere, offline.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from clo_xl.provenance import code_version
from clo_xl.report.formats import Column, Kind, columns_for, format_value

Block = dict[str, Any]
CellKind = Callable[[int, int, Any], Kind | None]


@cache
def environment() -> Environment:
    """The one template environment (autoescaping on, undefined names are errors)."""
    return Environment(
        loader=PackageLoader("clo_xl.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _anchor(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _cell(column: Column, value: Any, kind: Kind | None) -> dict[str, str]:
    shown_kind = kind or column.kind
    text = format_value(value, shown_kind, column.decimals if kind is None else None)
    if shown_kind in (Kind.DATE, Kind.DATETIME):
        css = "date"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        css = "num"
    else:
        css = ""
    return {"text": text, "css": css}


def table_block(
    columns: Sequence[str | Column],
    rows: Sequence[Sequence[Any]],
    *,
    row_classes: Sequence[str | None] | None = None,
    caption: str | None = None,
    cell_kind: CellKind | None = None,
) -> Block:
    """A table block: each value shown through its column's kind (or ``cell_kind``'s for that cell)."""
    cols = columns_for(columns, rows)
    out_rows = []
    for i, row in enumerate(rows):
        cells = []
        for j, value in enumerate(row):
            column = cols[j] if j < len(cols) else Column("")
            kind = cell_kind(i, j, value) if cell_kind is not None else None
            cells.append(_cell(column, value, kind))
        css = row_classes[i] if row_classes is not None and i < len(row_classes) else None
        out_rows.append({"cells": cells, "css": css or ""})
    return {"type": "table", "columns": cols, "rows": out_rows, "caption": caption or ""}


def figure_png(figure: Any, *, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (object API; no pyplot state)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass
class Page:
    """A report page: a title, an optional subtitle, and blocks rendered by ``templates/page.html.j2``."""

    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    _anchors: set[str] = field(default_factory=set, repr=False)

    def heading(self, text: str, level: int = 2) -> Page:
        self.blocks.append(
            {"type": "heading", "text": text, "level": level, "anchor": _anchor(text, self._anchors)}
        )
        return self

    def paragraph(self, text: str, *, css_class: str | None = None) -> Page:
        self.blocks.append({"type": "paragraph", "text": text, "css": css_class or ""})
        return self

    def summary(self, text: str, verdict: str) -> Page:
        """A highlighted verdict line (``verdict``: ok, break, explained, warn, failed)."""
        return self.paragraph(text, css_class=f"summary {verdict}")

    def badges(self, items: Sequence[tuple[str, str, str]]) -> Page:
        """Key figures side by side: (value, label, css) each, e.g. ("3", "unexplained breaks", "break")."""
        self.blocks.append(
            {"type": "badges", "entries": [{"value": v, "label": lbl, "css": css} for v, lbl, css in items]}
        )
        return self

    def table(
        self,
        columns: Sequence[str | Column],
        rows: Sequence[Sequence[Any]],
        *,
        row_classes: Sequence[str | None] | None = None,
        caption: str | None = None,
        cell_kind: CellKind | None = None,
    ) -> Page:
        self.blocks.append(
            table_block(columns, rows, row_classes=row_classes, caption=caption, cell_kind=cell_kind)
        )
        return self

    def notes(self, lines: Sequence[str], *, title: str | None = None) -> Page:
        """Lines under a table, e.g. the legacy effects (warnings) of the figures above."""
        if lines:
            self.blocks.append({"type": "notes", "lines": list(lines), "title": title or ""})
        return self

    def image(self, png: bytes, alt: str, *, caption: str | None = None) -> Page:
        self.blocks.append({"type": "image", "src": png_data_uri(png), "alt": alt, "caption": caption or ""})
        return self

    def figure(self, figure: Any, alt: str, *, caption: str | None = None) -> Page:
        """A matplotlib figure, embedded as PNG."""
        return self.image(figure_png(figure), alt, caption=caption)

    def details(self, summary: str, fill: Callable[[Page], object], *, expanded: bool = False) -> Page:
        """A folded section: ``fill(inner)`` adds the blocks shown when a reader opens it."""
        inner = Page(self.title)
        inner._anchors = self._anchors
        fill(inner)
        self.blocks.append({"type": "details", "summary": summary, "blocks": inner.blocks, "open": expanded})
        return self

    def raw(self, fragment: str) -> Page:
        """Append trusted HTML (already escaped), e.g. an inline SVG."""
        self.blocks.append({"type": "raw", "html": Markup(fragment)})
        return self

    @property
    def nav(self) -> list[tuple[str, str]]:
        return [(b["anchor"], b["text"]) for b in self.blocks if b["type"] == "heading" and b["level"] == 2]

    def render(self) -> str:
        context = {
            "title": self.title,
            "subtitle": self.subtitle,
            "blocks": self.blocks,
            "nav": self.nav,
            "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z"),
            "generator": code_version(),
        }
        return environment().get_template("page.html.j2").render(page=context)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path


__all__ = ["Page", "environment", "figure_png", "png_data_uri", "table_block"]
