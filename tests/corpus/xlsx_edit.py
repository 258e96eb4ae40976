"""A small editor for OOXML workbooks at the XML level: one precise defect per file, nothing else touched.

Why not openpyxl for the edits: openpyxl rewrites the whole package and drops every formula's cached value
(``Mag N Inputs!C3 = DealAnalysisDate`` would read as blank), so a file "broken" through openpyxl carries a
second, unintended defect and a refusal could be for the wrong reason. Editing the sheet XML directly keeps
the rest of the workbook byte-for-byte as the committed sample (the VBA project included).

The editor understands the regular XML that XlsxWriter writes (``workbook/build.py``): rows ``<row r=..>``
with cells ``<c r="E7" s=".." t="..">``; it is a test helper, not a general OOXML library.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

_CELL_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class XlError:
    """An Excel error value (``#N/A``, ``#DIV/0!``, ``#REF!``), written as a cell of type ``e``."""

    code: str


@dataclass(frozen=True)
class SharedString:
    """A cell of type ``s`` pointing at entry ``index`` of the shared-string table (which may not exist)."""

    index: int


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_ref(ref: str) -> tuple[int, int]:
    """``"E7"`` → (row 7, column 5)."""
    m = _CELL_RE.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


class Package:
    """An xlsx/xlsm file held in memory as ``{part name: bytes}``; edit, then :meth:`save`."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.order = zf.namelist()
            self.parts = {name: zf.read(name) for name in self.order}
        self._shared: list[str] | None = None

    # ---------------------------------------------------------------------------------------------
    # parts

    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def put(self, name: str, text: str) -> None:
        if name not in self.parts:
            self.order.append(name)
        self.parts[name] = text.encode("utf-8")

    def drop(self, name: str) -> None:
        self.parts.pop(name, None)
        self.order = [n for n in self.order if n != name]

    def save(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in self.order:
                zf.writestr(name, self.parts[name])
        return path

    # ---------------------------------------------------------------------------------------------
    # sheets

    def sheet_names(self) -> list[str]:
        return [_unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', self.text("xl/workbook.xml"))]

    def sheet_part(self, sheet: str) -> str:
        wb = self.text("xl/workbook.xml")
        m = re.search(
            rf'<sheet name="{re.escape(escape(sheet, {chr(34): "&quot;"}))}"[^>]*r:id="([^"]+)"', wb
        )
        if not m:
            raise KeyError(sheet)
        rels = self.text("xl/_rels/workbook.xml.rels")
        target = re.search(rf'<Relationship Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels)
        assert target is not None
        return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")

    def rename_sheet(self, old: str, new: str) -> None:
        """Rename the tab only (defined names keep pointing at the old name, as a careless user leaves
        them when the reader is expected to find the sheet by name)."""
        wb = self.text("xl/workbook.xml")
        self.put(
            "xl/workbook.xml", wb.replace(f'<sheet name="{escape(old)}"', f'<sheet name="{escape(new)}"')
        )

    def delete_sheet(self, sheet: str) -> None:
        """Remove a sheet: its tab, relationship, part, content type and every defined name on it."""
        part = self.sheet_part(sheet)
        wb = self.text("xl/workbook.xml")
        m = re.search(rf'<sheet name="{re.escape(escape(sheet))}" sheetId="\d+" r:id="([^"]+)"/>', wb)
        assert m is not None
        rid = m.group(1)
        index = [_unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', wb)].index(sheet)
        wb = wb.replace(m.group(0), "")
        quoted = re.escape(f"'{escape(sheet)}'!") + "|" + re.escape(f"{escape(sheet)}!")
        wb = re.sub(
            rf"<definedName [^>]*>(?:(?!</definedName>).)*(?:{quoted})(?:(?!</definedName>).)*</definedName>",
            "",
            wb,
        )

        def shift(match: re.Match[str]) -> str:
            local = int(match.group(1))
            return match.group(0) if local < index else f'localSheetId="{local - 1}"'

        wb = re.sub(r'localSheetId="(\d+)"', shift, wb)
        wb = re.sub(r"<definedNames></definedNames>", "", wb)
        wb = re.sub(r'(<workbookView[^>]*?) activeTab="\d+"', r"\1", wb)
        self.put("xl/workbook.xml", wb)
        rels = self.text("xl/_rels/workbook.xml.rels")
        rels = re.sub(rf'<Relationship Id="{rid}"[^>]*/>', "", rels)
        self.put("xl/_rels/workbook.xml.rels", rels)
        ct = self.text("[Content_Types].xml")
        self.put("[Content_Types].xml", re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", ct))
        self.drop(part)
        sheet_rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        self.drop(sheet_rels)
        app = "docProps/app.xml"
        if app in self.parts:
            self.put(app, self.text(app).replace(f"<vt:lpstr>{escape(sheet)}</vt:lpstr>", ""))

    # ---------------------------------------------------------------------------------------------
    # cells

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            xml = self.text("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in self.parts else ""
            items = re.findall(r"<si>(.*?)</si>", xml, flags=re.S)
            self._shared = [
                _unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", si, flags=re.S))) for si in items
            ]
        return self._shared

    def get(self, sheet: str, ref: str) -> object:
        """The cell's value: str, float, an :class:`XlError` or None (blank)."""
        xml = self.text(self.sheet_part(sheet))
        m = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', xml, flags=re.S)
        if not m or not m.group("body"):
            return None
        attrs, body = m.group("attrs"), m.group("body")
        kind = re.search(r't="(\w+)"', attrs)
        v = re.search(r"<v>(.*?)</v>", body, flags=re.S)
        t = kind.group(1) if kind else "n"
        if t == "s" and v:
            return self.shared_strings()[int(v.group(1))]
        if t == "inlineStr":
            return _unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", body, flags=re.S)))
        if t == "e" and v:
            return XlError(v.group(1))
        if t == "str" and v:
            return _unescape(v.group(1))
        if t == "b" and v:
            return v.group(1) == "1"
        return float(v.group(1)) if v else None

    def find_in_row(self, sheet: str, row: int, value: str) -> str:
        """The reference of the first cell of ``row`` holding the text ``value``."""
        xml = self.text(self.sheet_part(sheet))
        m = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', xml, flags=re.S)
        assert m is not None, f"{sheet} has no row {row}"
        for ref in re.findall(r'<c r="([A-Z]+\d+)"', m.group(1)):
            if self.get(sheet, ref) == value:
                return ref
        raise KeyError(f"{value!r} not in {sheet} row {row}")

    def set(self, sheet: str, ref: str, value: object) -> None:
        """Write ``value`` (None = clear, str, int/float, bool, :class:`XlError`) into one cell; the cell's
        style is kept; a formula in the cell is removed (the cell becomes a constant)."""
        part = self.sheet_part(sheet)
        xml = self.text(part)
        row, _col = split_ref(ref)
        cell_re = re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', flags=re.S)
        m = cell_re.search(xml)
        style = ""
        if m:
            s = re.search(r' s="\d+"', m.group("attrs"))
            style = s.group(0) if s else ""
        new = _cell_xml(ref, style, value)
        xml = xml[: m.start()] + new + xml[m.end() :] if m else _insert_cell(xml, row, ref, new)
        self.put(part, xml)

    def merge(self, sheet: str, area: str) -> None:
        """Merge ``area`` (e.g. ``"H5:J5"``): the other cells of the area are cleared, as Excel does."""
        first, last = area.split(":")
        r1, c1 = split_ref(first)
        r2, c2 = split_ref(last)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                ref = f"{column_letters(c)}{r}"
                if ref != first:
                    self.set(sheet, ref, None)
        part = self.sheet_part(sheet)
        xml = self.text(part)
        if "<mergeCells" in xml:
            xml = re.sub(
                r'<mergeCells count="(\d+)">',
                lambda mm: f'<mergeCells count="{int(mm.group(1)) + 1}"><mergeCell ref="{area}"/>',
                xml,
            )
        else:
            xml = xml.replace(
                "</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{area}"/></mergeCells>', 1
            )
        self.put(part, xml)

    def insert_blank_row(self, sheet: str, at: int) -> None:
        """Shift rows ``at``.. one down, leaving row ``at`` empty (a blank row in the middle of a table)."""
        part = self.sheet_part(sheet)
        xml = self.text(part)

        def shift_row(m: re.Match[str]) -> str:
            r = int(m.group(1))
            return m.group(0) if r < at else m.group(0).replace(f'r="{r}"', f'r="{r + 1}"', 1)

        def shift_cell(m: re.Match[str]) -> str:
            r = int(m.group(2))
            return m.group(0) if r < at else f'<c r="{m.group(1)}{r + 1}"'

        xml = re.sub(r'<row r="(\d+)"', shift_row, xml)
        xml = re.sub(r'<c r="([A-Z]+)(\d+)"', shift_cell, xml)
        self.put(part, xml)


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _cell_xml(ref: str, style: str, value: object) -> str:
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, XlError):
        return f'<c r="{ref}"{style} t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, SharedString):
        return f'<c r="{ref}"{style} t="s"><v>{value.index}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _insert_cell(xml: str, row: int, ref: str, new: str) -> str:
    _, col = split_ref(ref)
    m = re.search(rf'<row r="{row}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</row>)', xml, flags=re.S)
    if m is None:  # a new row, placed before the first row with a larger number
        later = [mm for mm in re.finditer(r'<row r="(\d+)"', xml) if int(mm.group(1)) > row]
        pos = later[0].start() if later else xml.index("</sheetData>")
        return xml[:pos] + f'<row r="{row}">{new}</row>' + xml[pos:]
    body = m.group("body") or ""
    cells = list(re.finditer(r'<c r="([A-Z]+)\d+"', body))
    insert_at = len(body)
    for c in cells:
        if column_index(c.group(1)) > col:
            insert_at = c.start()
            break
    attrs = re.sub(r' spans="[^"]*"', "", m.group("attrs"))
    body = body[:insert_at] + new + body[insert_at:]
    return xml[: m.start()] + f'<row r="{row}"{attrs}>{body}</row>' + xml[m.end() :]


# -------------------------------------------------------------------------------------------------
# damaged packages


def corrupt_crc(path: Path, part: str) -> Path:
    """Store ``part`` uncompressed and change one digit of its data after the CRC-32 was written: the
    zip's directory is intact and the XML stays well formed, only the checksum no longer matches."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        parts = {n: zf.read(n) for n in names}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, parts[name], compress_type=zipfile.ZIP_STORED if name == part else None)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    at = data.index(b"<v>", start, start + info.file_size) + 3
    data[at] = ord("7") if data[at] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    return path


# -------------------------------------------------------------------------------------------------
# files that are not workbooks at all


def truncate(source: Path, target: Path, fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def encrypted_container(target: Path, payload: bytes = b"\x00" * 4096) -> Path:
    """A password-protected Office file as Excel writes one: an OLE compound file (CFB v3) holding the
    ``EncryptionInfo`` and ``EncryptedPackage`` streams instead of a zip package. The payload is opaque
    (nobody can decrypt it); a reader must recognise the container and refuse it by name."""
    sector = 512
    free, end, fat_sect, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    info = (b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x00" * 4096)[:4096]  # agile-encryption version 4.4
    package = (struct.pack("<Q", 1024) + payload + b"\x00" * 4096)[:4096]
    streams = [("EncryptionInfo", info), ("EncryptedPackage", package)]
    fat: list[int] = [fat_sect, end]  # sector 0: the FAT itself; sector 1: the directory
    starts: list[int] = []
    for _, data in streams:
        n = len(data) // sector
        start = len(fat)
        starts.append(start)
        fat.extend(range(start + 1, start + n))
        fat.append(end)
    fat.extend([free] * (sector // 4 - len(fat)))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, no_stream, no_stream, 1, end, 0)
        + entry(streams[0][0], 2, no_stream, 2, no_stream, starts[0], len(streams[0][1]))
        + entry(streams[1][0], 2, no_stream, no_stream, no_stream, starts[1], len(streams[1][1]))
        + entry("", 0, no_stream, no_stream, no_stream, 0, 0)
    )
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(d for _, d in streams)
    target.write_bytes(header + body)
    return target


__all__ = [
    "Package",
    "XlError",
    "column_index",
    "column_letters",
    "encrypted_container",
    "split_ref",
    "truncate",
]
