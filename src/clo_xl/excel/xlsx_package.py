"""Add and delete value-only worksheets in an ``.xlsx``/``.xlsm`` package, leaving every other part as is,
and write values into the input cells of existing sheets ("Refresh from DB").

Output tabs are plain values, so they can be written as new worksheet parts without re-serialising the
workbook. That matters: openpyxl (and any library that rewrites the package) drops the cached values of
formula cells, after which a reader of cached values (python-calamine, the ingest layer) sees empty
inputs, and it drops DrawingML shapes. Here the VBA project, the form buttons, the styles and every
formula's cached value stay byte-for-byte; only ``xl/workbook.xml``, its relationships, the content
types and the added/removed sheet parts change.

What it maintains: sheet ids, relationship ids, content-type overrides, sheet-scoped defined names
(``localSheetId`` renumbered after a deletion, names of a deleted sheet removed), the active tab, and the
calculation chain (dropped when a sheet is deleted; Excel rebuilds it).

Input-cell writes (:meth:`XlsxPackage.set_cells`) patch only the ``<c>`` elements they name inside the
sheet part: a cell holding a formula is never overwritten (its address is reported instead), the cell's
style is kept (so a date-formatted cell stays a date: dates are written as Excel serial numbers), and
every other cell, formula and cached value of the sheet stays byte-for-byte.

Reading (the sheets, their parts and relationships, defined names, formula cells, a sheet's dimension, the
style sheet's cell formats) goes through ElementTree and :mod:`clo_xl.xlsx`; writing splices text into the
parts so that everything not changed keeps its bytes.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from clo_xl.errors import CloXlError
from clo_xl.xlsx import (
    SheetEntry,
    column_index,
    column_letter,
    excel_serial,
    parse_cell,
    parse_range,
    qn,
    relationships,
    sheets_of,
)
from clo_xl.xlsx import defined_names as _defined_names

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_REL = _REL_NS + "/worksheet"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHEET = re.compile(r"<sheet\b[^>]*/>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_DEFINED = re.compile(r"<definedName\b([^>]*)>(.*?)</definedName>", re.S)
_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_REF = re.compile(r'\br="([A-Z]{1,3})(\d+)"')
_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)

Cells = dict[tuple[int, int], object]  # (row, column), 1-based → value


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def _cell_xml(ref: str, value: object, style: int = 0) -> str:
    """A value cell (numbers as numbers, dates as serials, text inline) in cellXfs style ``style``."""
    if value is None:
        return ""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, datetime | date):
        return f'<c r="{ref}"{styled}><v>{excel_serial(value)!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return ""
        return f'<c r="{ref}"{styled}><v>{value!r}</v></c>'
    text = str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{html.escape(text, quote=False)}</t></is></c>'


@dataclass(frozen=True)
class OutputSheet:
    """A value sheet to add: ``values`` from A1 (rows of cells, ``None`` empty), a number format per cell
    (``None``: General; a date without one gets the short-date format), bold rows (0-based), rows frozen
    above the scrolling area, tab colour (RGB hex) and visibility."""

    values: Sequence[Sequence[object]]
    formats: Sequence[Sequence[str | None]] = ()
    bold_rows: frozenset[int] = frozenset()
    freeze_rows: int = 0
    tab_color: str | None = None
    hidden: bool = False
    #: (first row, first column, last row, last column), 1-based, of an autofilter; None: none
    autofilter: tuple[int, int, int, int] | None = None


#: the format of a date written without one (the reports' vocabulary, clo_xl.report.formats)
DATE_FORMAT = "yyyy-mm-dd"
#: Excel's built-in number formats by code (no numFmt element needed)
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "m/d/yyyy": 14,
}


class _Styles:
    """Cell styles (``cellXfs`` entries) for number formats and bold, added to ``xl/styles.xml`` on demand."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self.parts = parts
        self.text = parts["xl/styles.xml"].decode("utf-8") if "xl/styles.xml" in parts else ""
        self.found: dict[tuple[str | None, bool], int] = {(None, False): 0}
        self.bold_font: int | None = None

    def index(self, code: str | None, bold: bool) -> int:
        key = (code, bold)
        if key not in self.found:
            self.found[key] = self._add(code, bold)
        return self.found[key]

    def _append(self, listing: str, item: str, element: str) -> int:
        """Append ``element`` to the ``<listing>`` of ``<item>`` elements (created first in the style sheet
        when missing); returns its index."""
        block = re.search(rf"<{listing}\b[^>]*>(.*?)</{listing}>", self.text, re.S)
        if block is None:
            at = self.text.index(">", self.text.index("<styleSheet")) + 1
            self.text = self.text[:at] + f'<{listing} count="1">{element}</{listing}>' + self.text[at:]
            return 0
        count = len(re.findall(rf"<{item}\b", block.group(1)))
        opening = re.sub(r'count="\d+"', f'count="{count + 1}"', self.text[block.start() : block.start(1)])
        tail = f"{element}</{listing}>" + self.text[block.end() :]
        self.text = self.text[: block.start()] + opening + block.group(1) + tail
        return count

    def _add(self, code: str | None, bold: bool) -> int:
        if not self.text or "<cellXfs" not in self.text:
            return 0
        format_id = 0 if code is None else self._number_format(code)
        font_id = self._bold_font() if bold else 0
        cell_xfs = self._root().find(qn("cellXfs"))
        for i, a in enumerate(xf.attrib for xf in (cell_xfs if cell_xfs is not None else ())):
            plain = a.get("fillId", "0") == "0" and a.get("borderId", "0") == "0"
            if plain and a.get("numFmtId", "0") == str(format_id) and a.get("fontId", "0") == str(font_id):
                return i  # the workbook already has this style (an earlier save added it)
        applied = (' applyNumberFormat="1"' if format_id else "") + (' applyFont="1"' if font_id else "")
        xf = f'<xf numFmtId="{format_id}" fontId="{font_id}" fillId="0" borderId="0" xfId="0"{applied}/>'
        return self._append("cellXfs", "xf", xf)

    def _number_format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        escaped = html.escape(code, quote=True)
        ids = []
        for found in self._root().iter(qn("numFmt")):
            number = found.get("numFmtId", "")
            if number.isdigit():
                if found.get("formatCode") == code:
                    return int(number)
                ids.append(int(number))
        new_id = max([163, *ids]) + 1  # custom formats are numbered from 164
        self._append("numFmts", "numFmt", f'<numFmt numFmtId="{new_id}" formatCode="{escaped}"/>')
        return new_id

    def _bold_font(self) -> int:
        if self.bold_font is None:
            block = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", self.text, re.S)
            fonts = re.findall(r"<font\b.*?</font>|<font\b[^>]*/>", block.group(1), re.S) if block else []
            first = fonts[0] if fonts and "</font>" in fonts[0] else "<font></font>"
            bold = re.sub(r"<font\b([^>]*)>", r"<font\1><b/>", first, count=1)
            self.bold_font = fonts.index(bold) if bold in fonts else self._append("fonts", "font", bold)
        return self.bold_font

    def _root(self) -> ElementTree.Element:
        """The style sheet as it stands (ElementTree), for reading its entries."""
        return ElementTree.fromstring(self.text.encode("utf-8"))

    def store(self) -> None:
        if self.text:
            self.parts["xl/styles.xml"] = self.text.encode("utf-8")


def _width(value: object, code: str | None) -> float:
    """An autofit guess: the characters the cell shows."""
    if value is None:
        return 0.0
    if isinstance(value, datetime | date):
        return 10.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:,.2f}" if code and "," in code else f"{value:.4f}"
        return float(len(shown)) + (1.0 if code and "%" in code else 0.0)
    return float(len(str(value)))


def sheet_xml(sheet: OutputSheet, styles: _Styles | None = None) -> bytes:
    """A worksheet part holding ``sheet.values`` from A1 as values (strings inline), each cell in the style
    of its number format (bold in a bold row); frozen rows and column widths fitted to the contents."""
    body = []
    widths: dict[int, float] = {}
    for r, row in enumerate(sheet.values, start=1):
        codes = sheet.formats[r - 1] if r - 1 < len(sheet.formats) else ()
        bold = (r - 1) in sheet.bold_rows
        cells = []
        for c, value in enumerate(row, start=1):
            code = codes[c - 1] if c - 1 < len(codes) else None
            if code is None and isinstance(value, datetime | date):
                code = DATE_FORMAT
            style = styles.index(code, bold) if styles is not None and value is not None else 0
            cells.append(_cell_xml(f"{column_letter(c)}{r}", value, style))
            widths[c] = max(widths.get(c, 0.0), _width(value, code))
        if any(cells):
            body.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max((len(row) for row in sheet.values), default=0)
    dimension = f"A1:{column_letter(max(width, 1))}{max(len(sheet.values), 1)}"
    props = f'<sheetPr><tabColor rgb="FF{sheet.tab_color}"/></sheetPr>' if sheet.tab_color else ""
    pane = ""
    if sheet.freeze_rows:
        top = f"A{sheet.freeze_rows + 1}"
        pane = (
            f'<pane ySplit="{sheet.freeze_rows}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
        )
    views = f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{min(60.0, max(8.43, w * 1.1 + 2)):.2f}" customWidth="1"/>'
        for c, w in sorted(widths.items())
        if w
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{props}<dimension ref="{dimension}"/>{views}'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>{''.join(body)}</sheetData>{_autofilter(sheet)}"
        "</worksheet>"
    ).encode()


def _autofilter(sheet: OutputSheet) -> str:
    if sheet.autofilter is None:
        return ""
    r1, c1, r2, c2 = sheet.autofilter
    return f'<autoFilter ref="{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"/>'


def _input_cell_xml(ref: str, value: object, style: str | None) -> str:
    """A value cell keeping the old cell's style; ``None`` leaves the styled cell empty."""
    styled = f' s="{style}"' if style is not None else ""
    if value is None:
        return f'<c r="{ref}"{styled}/>'
    if isinstance(value, datetime | date):
        return f'<c r="{ref}"{styled}><v>{excel_serial(value)!r}</v></c>'
    plain = _cell_xml(ref, value)
    if not plain:
        return f'<c r="{ref}"{styled}/>'
    return plain.replace(f'<c r="{ref}"', f'<c r="{ref}"{styled}', 1)


def formula_cells(xml: str) -> set[tuple[int, int]]:
    """(row, column) of every cell holding a formula in a worksheet part."""
    found = set()
    formula = qn("f")
    for cell in ElementTree.fromstring(xml.encode("utf-8")).iter(qn("c")):
        ref = cell.get("r")
        if ref is not None and cell.find(formula) is not None:
            found.add(parse_cell(ref))
    return found


def patch_cells(xml: str, cells: Cells) -> tuple[str, list[str]]:
    """Write ``cells`` into a worksheet part; returns the new part and the formula cells left alone."""
    wanted: dict[int, dict[int, object]] = {}
    for (r, c), value in cells.items():
        wanted.setdefault(r, {})[c] = value
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise CloXlError("worksheet part has no sheetData")
    rows: dict[int, str] = {}
    for row in _ROW.findall(found.group(1) or ""):
        number = re.search(r'\br="(\d+)"', row)
        if number is not None:
            rows[int(number.group(1))] = row
    skipped: list[str] = []
    for r, edits in wanted.items():
        old = rows.get(r, f'<row r="{r}"/>')
        head = re.match(r"<row\b[^>]*?(?=/?>)", old)
        opening = re.sub(r'\sspans="[^"]*"', "", head.group(0) if head else f'<row r="{r}"')
        by_column: dict[int, str] = {}
        for cell in _CELL.findall(old):
            ref = _REF.search(cell)
            if ref is not None:
                by_column[column_index(ref.group(1))] = cell
        for c, value in edits.items():
            address = f"{column_letter(c)}{r}"
            current = by_column.get(c)
            if current is not None and "<f" in current:
                skipped.append(address)
                continue
            style = re.search(r'\bs="(\d+)"', current.split(">", 1)[0]) if current else None
            by_column[c] = _input_cell_xml(address, value, style.group(1) if style else None)
        body = "".join(by_column[c] for c in sorted(by_column))
        rows[r] = f"{opening}>{body}</row>" if body else f"{opening}/>"
    data = "<sheetData>" + "".join(rows[r] for r in sorted(rows)) + "</sheetData>"
    xml = xml[: found.start()] + data + xml[found.end() :]
    last_row = max(rows, default=1)
    dimension = _dimension(xml)
    if dimension is not None:
        area = parse_range(dimension)
        end_col = max([area.col2, *(c for edits in wanted.values() for c in edits)])
        extent = f"{column_letter(area.col1)}{area.row1}:{column_letter(end_col)}{max(area.row2, last_row)}"
        xml = xml.replace(f'<dimension ref="{dimension}"/>', f'<dimension ref="{extent}"/>', 1)
    return xml, sorted(set(skipped), key=lambda a: (int(re.sub(r"\D", "", a)), a))


def _dimension(xml: str) -> str | None:
    """The ``<dimension ref>`` of a worksheet part when it is a plain A1 range (read from the part's head,
    the elements before ``<sheetData>``), else None."""
    head = xml[: xml.find("<sheetData")] if "<sheetData" in xml else xml
    start = head.find("<dimension")
    if start < 0:
        return None
    tag = head[start : head.find(">", start) + 1]
    if not tag.endswith("/>"):
        return None
    ref = ElementTree.fromstring(tag).get("ref", "")
    try:
        parse_range(ref)
    except ValueError:
        return None
    return ref if f'<dimension ref="{ref}"/>' in xml else None


def defined_names(workbook: str) -> dict[tuple[str | None, str], str]:
    """``(sheet or None for workbook scope, name) → reference`` of a ``xl/workbook.xml``."""
    data = workbook.encode("utf-8")
    return {(n.scope, n.name): n.reference for n in _defined_names(data, sheets_of(data, {}))}


@dataclass
class XlsxPackage:
    """Pending sheet additions/deletions and input-cell writes for one package; :meth:`save` writes them."""

    path: Path
    _added: list[tuple[str, OutputSheet]] = field(default_factory=list)
    _deleted: list[str] = field(default_factory=list)
    _cells: dict[str, Cells] = field(default_factory=dict)
    _names: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_sheet(self, name: str, sheet: OutputSheet | Sequence[Sequence[object]]) -> None:
        """Queue a value sheet (an :class:`OutputSheet`, or bare rows from A1)."""
        self._added.append((name, sheet if isinstance(sheet, OutputSheet) else OutputSheet(sheet)))

    def set_cells(self, sheet: str, cells: Cells) -> None:
        """Queue value writes into an existing sheet (formula cells are left alone at :meth:`save`)."""
        self._cells.setdefault(sheet, {}).update(cells)

    def set_name(self, sheet: str, name: str, reference: str) -> None:
        """Queue a new reference (``'Mag 17 Inputs'!$D$4:$E$220``) for an existing sheet-scoped name."""
        self._names[(sheet, name)] = reference

    def _read(self) -> tuple[dict[str, bytes], dict[str, zipfile.ZipInfo]]:
        with zipfile.ZipFile(self.path) as source:
            parts = {info.filename: source.read(info.filename) for info in source.infolist()}
            infos = {info.filename: info for info in source.infolist()}
        return parts, infos

    def sheet_part(self, sheet: str) -> str:
        """The worksheet XML of an existing sheet."""
        parts, _ = self._read()
        return parts[_part_of(parts, sheet)].decode("utf-8")

    def names(self) -> dict[tuple[str | None, str], str]:
        parts, _ = self._read()
        return defined_names(parts["xl/workbook.xml"].decode("utf-8"))

    def delete_sheet(self, name: str) -> None:
        self._deleted.append(name)

    def save(self, out: Path) -> list[str]:
        """Write the package to ``out``; returns the formula cells that input writes left alone."""
        parts, infos = self._read()
        skipped: list[str] = []
        for sheet, cells in self._cells.items():
            part = _part_of(parts, sheet)
            patched, kept = patch_cells(parts[part].decode("utf-8"), cells)
            parts[part] = patched.encode("utf-8")
            skipped += [f"'{sheet}'!{ref}" for ref in kept]
        workbook = parts["xl/workbook.xml"].decode("utf-8")
        for (sheet, name), reference in self._names.items():
            workbook = _rename_reference(workbook, sheet, name, reference)
        rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        for name in self._deleted:
            workbook, rels, types = _delete(parts, workbook, rels, types, name)
        styles = _Styles(parts)
        for name, added in self._added:
            part_xml = sheet_xml(added, styles)
            workbook, rels, types = _add(parts, workbook, rels, types, name, part_xml, hidden=added.hidden)
        styles.store()
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
        self._cells.clear()
        self._names.clear()
        return skipped


def _part_of(parts: dict[str, bytes], sheet: str) -> str:
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    for s in _sheets(parts["xl/workbook.xml"].decode("utf-8"), rels):
        if s.name == sheet and s.part is not None and s.part in parts:
            return s.part
    raise CloXlError(f"no sheet '{sheet}' in the workbook package")


def _rename_reference(workbook: str, sheet: str, name: str, reference: str) -> str:
    index = next((s.index for s in _sheets(workbook) if s.name == sheet), None)
    if index is None:
        raise CloXlError(f"no sheet '{sheet}' for the name {name}")

    def replace(found: re.Match[str]) -> str:
        a = _attrs(f"<x {found.group(1)}/>")
        if a.get("name") == name and a.get("localSheetId") == str(index):
            return f"<definedName{found.group(1)}>{html.escape(reference, quote=False)}</definedName>"
        return found.group(0)

    return _DEFINED.sub(replace, workbook)


def _sheets(workbook: str, rels: str | None = None) -> tuple[SheetEntry, ...]:
    """The ``<sheet>`` entries of ``xl/workbook.xml`` (ElementTree), with their parts when ``rels`` (the
    workbook's relationships part) is given."""
    found = relationships(rels.encode("utf-8"), "xl/workbook.xml") if rels is not None else {}
    return sheets_of(workbook.encode("utf-8"), found)


def _delete(parts: dict[str, bytes], workbook: str, rels: str, types: str, name: str) -> tuple[str, str, str]:
    sheets = _sheets(workbook, rels)
    index = next((s.index for s in sheets if s.name == name), None)
    if index is None:
        raise CloXlError(f"no sheet '{name}' to delete")
    rel_id = sheets[index].rel_id
    part = sheets[index].part
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


def _is_rid(rel_id: str) -> bool:
    return rel_id.startswith("rId") and rel_id[3:].isdigit()


def _add(
    parts: dict[str, bytes],
    workbook: str,
    rels: str,
    types: str,
    name: str,
    xml: bytes,
    *,
    hidden: bool = False,
) -> tuple[str, str, str]:
    sheets = _sheets(workbook)
    if any(s.name.lower() == name.lower() for s in sheets):
        raise CloXlError(f"a sheet named '{name}' already exists")
    if len(name) > 31 or re.search(r"[\[\]\*\?/\\:]", name):
        raise CloXlError(f"'{name}' is not a valid Excel sheet name")
    sheet_id = max((int(s.sheet_id or "0") for s in sheets), default=0) + 1
    rel_ids = [int(i[3:]) for i in relationships(rels.encode("utf-8"), "xl/workbook.xml") if _is_rid(i)]
    rel_id = f"rId{max(rel_ids, default=0) + 1}"
    numbers = [int(m) for m in re.findall(r"xl/worksheets/sheet(\d+)\.xml", " ".join(parts))]
    part = f"xl/worksheets/sheet{max(numbers, default=0) + 1}.xml"
    parts[part] = xml
    state = ' state="hidden"' if hidden else ""
    tag = f'<sheet name="{html.escape(name)}" sheetId="{sheet_id}"{state} r:id="{rel_id}"/>'
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
