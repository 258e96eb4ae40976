"""A self-contained HTML page: headings, paragraphs, tables and inline images (no external files).

Build a :class:`Page`, add sections, then :meth:`Page.write` or :meth:`Page.render`. Numbers are right
aligned; a row can carry a CSS class (``"break"``, ``"explained"``, ``"ok"``) to colour it. Images are
embedded as base64 data URIs (PNG bytes, or a matplotlib figure via :func:`figure_png`).
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1280px;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
th,td{border:1px solid #ccc;padding:3px 8px;vertical-align:top}th{background:#eef2f7;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.break td{background:#fde2e2}tr.explained td{background:#fff4d6}tr.ok td{background:#e8f6e8}
.summary{font-size:1.1em;padding:.6em 1em;border-radius:6px;display:inline-block}
.summary.ok{background:#e8f6e8}.summary.break{background:#fde2e2}
img{max-width:100%}code{background:#f4f4f4;padding:0 3px}
"""


def format_cell(value: Any, *, digits: int = 6) -> tuple[str, bool]:
    """(escaped text, is_number) for a table cell; floats get ``digits`` significant digits."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        if not math.isfinite(value):
            return "", True
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.{digits}g}", True
        return f"{value:,.{digits}g}" if abs(value) >= 1e3 else f"{value:.{digits}g}", True
    if isinstance(value, datetime | date):
        return value.isoformat(), False
    return html.escape(str(value)), False


def table_html(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, row_classes: Sequence[str | None] | None = None
) -> str:
    """An HTML table; ``row_classes[i]`` is the CSS class of data row i."""
    out = ["<table><thead><tr>", *(f"<th>{html.escape(str(h))}</th>" for h in header), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes is not None and i < len(row_classes) else None
        out.append(f"<tr class='{cls}'>" if cls else "<tr>")
        for value in row:
            text, numeric = format_cell(value)
            out.append(f"<td class='num'>{text}</td>" if numeric else f"<td>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def image_html(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def figure_png(figure: Any, *, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (closed afterwards)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


@dataclass
class Page:
    """A report page assembled from sections of HTML."""

    title: str
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> Page:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, *, css_class: str | None = None) -> Page:
        cls = f" class='{css_class}'" if css_class else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")
        return self

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        row_classes: Sequence[str | None] | None = None,
    ) -> Page:
        self.parts.append(table_html(header, rows, row_classes=row_classes))
        return self

    def image(self, png: bytes, alt: str) -> Page:
        self.parts.append(image_html(png, alt))
        return self

    def raw(self, fragment: str) -> Page:
        """Append trusted HTML (already escaped)."""
        self.parts.append(fragment)
        return self

    def render(self) -> str:
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>{''.join(self.parts)}</body></html>"
        )

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path
