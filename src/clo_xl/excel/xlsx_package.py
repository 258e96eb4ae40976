"""Add and delete value-only worksheets in an ``.xlsx``/``.xlsm`` package, leaving every other part as is.

Output tabs are plain values, so they can be written as new worksheet parts without re-serialising the
workbook. That matters: openpyxl (and any library that rewrites the package) drops the cached values of
formula cells, after which a reader of cached values (python-calamine, the ingest layer) sees empty
inputs, and it drops DrawingML shapes. Here the VBA project, the form buttons, the styles and every
formula's cached value stay byte-for-byte; only ``xl/workbook.xml``, its relationships, the content
types and the added/removed sheet parts change.

What it maintains: sheet ids, relationship ids, content-type overrides, sheet-scoped defined names
(``localSheetId`` renumbered after a deletion, names of a deleted sheet removed), the active tab, and the
calculation chain (dropped when a sheet is deleted; Excel rebuilds it).
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from clo_xl.errors import CloXlError
from clo_xl.ingest.raw import column_letter

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_REL = _REL_NS + "/worksheet"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHEET = re.compile(r"<sheet\b[^>]*/>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*/>")
_DEFINED = re.compile(r"<definedName\b([^>]*)>(.*?)</definedName>", re.S)


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def _cell_xml(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return ""
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{html.escape(text, quote=False)}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[object]], *, tab_color: str | None = None) -> bytes:
    """A worksheet part holding ``rows`` from A1 as values (strings inline)."""
    body = []
    width = 0
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{column_letter(c)}{r}", v) for c, v in enumerate(row, start=1))
        width = max(width, len(row))
        if cells:
            body.append(f'<row r="{r}">{cells}</row>')
    dimension = f"A1:{column_letter(max(width, 1))}{max(len(rows), 1)}"
    props = f'<sheetPr><tabColor rgb="FF{tab_color}"/></sheetPr>' if tab_color else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{props}<dimension ref="{dimension}"/>'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    ).encode()


@dataclass
class XlsxPackage:
    """Pending sheet additions/deletions for one package; :meth:`save` writes them."""

    path: Path
    _added: list[tuple[str, bytes]] = field(default_factory=list)
    _deleted: list[str] = field(default_factory=list)

    def add_sheet(self, name: str, rows: Sequence[Sequence[object]], *, tab_color: str | None = None) -> None:
        self._added.append((name, sheet_xml(rows, tab_color=tab_color)))

    def delete_sheet(self, name: str) -> None:
        self._deleted.append(name)

    def save(self, out: Path) -> None:
        with zipfile.ZipFile(self.path) as source:
            parts = {info.filename: source.read(info.filename) for info in source.infolist()}
            infos = {info.filename: info for info in source.infolist()}
        workbook = parts["xl/workbook.xml"].decode("utf-8")
        rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        for name in self._deleted:
            workbook, rels, types = _delete(parts, workbook, rels, types, name)
        for name, xml in self._added:
            workbook, rels, types = _add(parts, workbook, rels, types, name, xml)
        parts["xl/workbook.xml"] = workbook.encode("utf-8")
        parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
        parts["[Content_Types].xml"] = types.encode("utf-8")
        tmp = out.with_name(out.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts.items():
                info = infos.get(name)
                if info is not None:
                    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                else:
                    target.writestr(name, data)
        tmp.replace(out)
        self._added.clear()
        self._deleted.clear()


def _sheets(workbook: str) -> list[dict[str, str]]:
    return [_attrs(tag) for tag in _SHEET.findall(workbook)]


def _rel_target(rels: str, rel_id: str) -> str | None:
    for tag in _RELATIONSHIP.findall(rels):
        a = _attrs(tag)
        if a.get("Id") == rel_id:
            target = a.get("Target", "")
            return target[1:] if target.startswith("/") else "xl/" + target
    return None


def _delete(parts: dict[str, bytes], workbook: str, rels: str, types: str, name: str) -> tuple[str, str, str]:
    sheets = _sheets(workbook)
    index = next((i for i, s in enumerate(sheets) if s.get("name") == name), None)
    if index is None:
        raise CloXlError(f"no sheet '{name}' to delete")
    rel_id = sheets[index].get("r:id", "")
    part = _rel_target(rels, rel_id)
    tags = _SHEET.findall(workbook)
    workbook = workbook.replace(tags[index], "", 1)
    rels = "".join(
        piece for piece in re.split(r"(<Relationship\b[^>]*/>)", rels) if _attrs(piece).get("Id") != rel_id
    )
    if part is not None:
        parts.pop(part, None)
        folder, _, file = part.rpartition("/")
        parts.pop(f"{folder}/_rels/{file}.rels", None)
        types = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", types)

    def renumber(found: re.Match[str]) -> str:
        attributes, body = found.group(1), found.group(2)
        local = re.search(r'localSheetId="(\d+)"', attributes)
        if local is None:
            return found.group(0)
        position = int(local.group(1))
        if position == index:
            return ""
        if position > index:
            attributes = attributes.replace(local.group(0), f'localSheetId="{position - 1}"')
        return f"<definedName{attributes}>{body}</definedName>"

    workbook = _DEFINED.sub(renumber, workbook)
    workbook = re.sub(r"<definedNames>\s*</definedNames>", "", workbook)
    workbook = re.sub(r'\s(activeTab|firstSheet)="\d+"', "", workbook)
    if "xl/calcChain.xml" in parts:  # may point at the deleted sheet; Excel rebuilds it
        parts.pop("xl/calcChain.xml")
        rels = re.sub(r'<Relationship\b[^>]*Target="calcChain\.xml"[^>]*/>', "", rels)
        types = re.sub(r'<Override PartName="/xl/calcChain\.xml"[^>]*/>', "", types)
    return workbook, rels, types


def _add(
    parts: dict[str, bytes], workbook: str, rels: str, types: str, name: str, xml: bytes
) -> tuple[str, str, str]:
    sheets = _sheets(workbook)
    if any(s.get("name", "").lower() == name.lower() for s in sheets):
        raise CloXlError(f"a sheet named '{name}' already exists")
    if len(name) > 31 or re.search(r"[\[\]\*\?/\\:]", name):
        raise CloXlError(f"'{name}' is not a valid Excel sheet name")
    sheet_id = max((int(s.get("sheetId", "0")) for s in sheets), default=0) + 1
    rel_ids = [int(m) for m in re.findall(r'Id="rId(\d+)"', rels)]
    rel_id = f"rId{max(rel_ids, default=0) + 1}"
    numbers = [int(m) for m in re.findall(r"xl/worksheets/sheet(\d+)\.xml", " ".join(parts))]
    part = f"xl/worksheets/sheet{max(numbers, default=0) + 1}.xml"
    parts[part] = xml
    tag = f'<sheet name="{html.escape(name)}" sheetId="{sheet_id}" r:id="{rel_id}"/>'
    workbook = workbook.replace("</sheets>", tag + "</sheets>", 1)
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{rel_id}" Type="{_WORKSHEET_REL}" Target="{part[3:]}"/></Relationships>',
        1,
    )
    types = types.replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{_WORKSHEET_TYPE}"/></Types>', 1
    )
    return workbook, rels, types
