"""The Office Open XML spreadsheet package, written once: A1 references, Excel serial dates, the package's
parts, relationships and defined names, and an integrity scan of every part.

Everything clo-xl knows about the ``.xlsx``/``.xlsm`` file format lives here, so the workbook reader
(:mod:`clo_xl.ingest.workbook`), the Excel bridge (:mod:`clo_xl.excel`) and the layout tables
(:mod:`clo_xl.ingest.layout`) share one definition of each rule:

* **A1 references** (:func:`column_letter`, :func:`column_index`, :func:`cell_ref`, :func:`parse_cell`,
  :func:`parse_range`, :func:`range_ref`): 1-based rows and columns; ``"$AK$7"`` → (7, 37). Parsed by
  scanning characters, not by regular expressions.
* **Serial dates** (:func:`excel_serial`, :func:`from_serial`): days since **1899-12-30** (:data:`EPOCH`),
  the 1900 date system as Excel counts it from 1900-03-01 on (serial 61); fractions are times of day.
* **The package** (:class:`Package`): parts of the zip, ``[Content_Types].xml``, ``xl/workbook.xml`` (sheet
  order, visibility, sheet-scoped and workbook-level defined names) and the relationships, all parsed with
  :mod:`xml.etree.ElementTree`.
* **Integrity** (:meth:`Package.scan`): every part read to its end (the zip CRC is checked), every XML part
  parsed for well-formedness with expat, and in worksheet parts the cells that hold a formula error
  (``t="e"``) or a formula without a saved result. The scan streams: memory stays flat however large a
  sheet is, and expat runs without Python callbacks except on the few chunks that hold an error cell or a
  formula.

Problems are raised as :class:`PackageProblem` (part, sheet, reason); the ingest layer turns them into
located :class:`~clo_xl.errors.IngestError` records.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

# --------------------------------------------------------------------------------------------------
# Namespaces and content types

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = DOC_REL_NS + "/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
#: the one sheet of a :meth:`Package.piece_book`
PIECE_SHEET = "piece"


def qn(local: str, ns: str = MAIN_NS) -> str:
    """Clark name ``{namespace}local`` as ElementTree spells it."""
    return f"{{{ns}}}{local}"


# --------------------------------------------------------------------------------------------------
# A1 references


def column_letter(index: int) -> str:
    """1-based column index → Excel letters (1 → 'A', 27 → 'AA', 16384 → 'XFD')."""
    if index < 1:
        raise ValueError(f"column index must be >= 1, got {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel column letters → 1-based index ('A' → 1, 'ak' → 37); anything but A–Z raises ValueError."""
    if not letters or len(letters) > 3:
        raise ValueError(f"not a column: {letters!r}")
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + (ord(ch) - 64)
    return n


def cell_ref(row: int, column: int) -> str:
    """(7, 37) → 'AK7'."""
    return f"{column_letter(column)}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    """'AK7', '$AK$7' or 'ak7' → (row 7, column 37); anything else raises ValueError."""
    text = ref.strip().replace("$", "")
    split = 0
    while split < len(text) and text[split].isalpha():
        split += 1
    letters, digits = text[:split], text[split:]
    if not letters or not digits.isdigit() or not digits.isascii() or int(digits) < 1:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(digits), column_index(letters)


@dataclass(frozen=True)
class Area:
    """A rectangular range, 1-based and inclusive, optionally on a named sheet."""

    row1: int
    col1: int
    row2: int
    col2: int
    sheet: str | None = None

    @property
    def a1(self) -> str:
        first, last = cell_ref(self.row1, self.col1), cell_ref(self.row2, self.col2)
        return first if first == last else f"{first}:{last}"

    def __contains__(self, rc: tuple[int, int]) -> bool:
        r, c = rc
        return self.row1 <= r <= self.row2 and self.col1 <= c <= self.col2


def _split_sheet(ref: str) -> tuple[str | None, str]:
    """``'Mag 17 Inputs'!$D$4`` → ('Mag 17 Inputs', '$D$4'); quotes doubled inside a quoted name."""
    text = ref.strip()
    if text.startswith("="):
        text = text[1:]
    bang = text.rfind("!")
    if bang < 0:
        return None, text
    sheet, address = text[:bang], text[bang + 1 :]
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, address


def parse_range(ref: str) -> Area:
    """``'Mag 17 Inputs'!$D$4:$E$198``, ``B1:J40`` or ``C3`` → :class:`Area`; raises ValueError otherwise
    (including references Excel cannot resolve, such as ``#REF!`` or several areas)."""
    sheet, address = _split_sheet(ref)
    if "," in address or "#" in address:
        raise ValueError(f"not a single range: {ref!r}")
    first, colon, last = address.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if colon else (r1, c1)
    return Area(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), sheet)


def range_ref(row1: int, col1: int, row2: int, col2: int, sheet: str | None = None) -> str:
    """Absolute A1 range, optionally sheet-qualified: ``'Mag 17 Inputs'!$D$4:$E$198``."""
    ref = f"${column_letter(col1)}${row1}:${column_letter(col2)}${row2}"
    if sheet is None:
        return ref
    return "'" + sheet.replace("'", "''") + "'!" + ref


# --------------------------------------------------------------------------------------------------
# Serial dates (1900 date system)

#: Day 0 of Excel's serial numbers as they are counted from 1900-03-01 (serial 61) on: the fictitious
#: 1900-02-29 (serial 60) makes every later date line up with this epoch.
EPOCH = date(1899, 12, 30)
#: 9999-12-31, the last date Excel can hold
MAX_SERIAL = 2_958_465


def excel_serial(value: date | datetime) -> float:
    """A date (time) as Excel's serial number: days since :data:`EPOCH`, the time of day as a fraction."""
    if isinstance(value, datetime):
        delta = value - datetime(EPOCH.year, EPOCH.month, EPOCH.day, tzinfo=value.tzinfo)
        return delta.days + delta.seconds / 86400.0 + delta.microseconds / 86_400e6
    return float((value - EPOCH).days)


def from_serial(serial: float) -> date:
    """Excel serial number → date (the time of day dropped); outside 1..9999-12-31 raises ValueError."""
    if not 0 < serial <= MAX_SERIAL:
        raise ValueError(f"{serial!r} is not an Excel date serial (1 to {MAX_SERIAL})")
    return EPOCH + timedelta(days=int(serial))


# --------------------------------------------------------------------------------------------------
# The package


@dataclass(frozen=True)
class PackageProblem(Exception):
    """A package that cannot be read as a workbook: ``part`` and ``sheet`` say where, when known."""

    reason: str
    part: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of ``xl/workbook.xml``: tab name, position (0-based), part and visibility."""

    name: str
    index: int
    sheet_id: str
    rel_id: str
    part: str | None
    state: str = "visible"


@dataclass(frozen=True)
class DefinedName:
    """A defined name: its scope (sheet name, or None for the workbook) and the reference text."""

    name: str
    scope: str | None
    reference: str
    local_sheet_id: int | None = None

    def area(self) -> Area | None:
        """The single range the name refers to, or None (a formula, several areas, ``#REF!``)."""
        try:
            return parse_range(self.reference)
        except ValueError:
            return None


def _xml(data: bytes, what: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PackageProblem(f"{what} is not well-formed XML ({exc})", part=what) from None


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target as a part name: absolute targets drop their '/', relative ones are resolved
    against the folder of ``source_part`` (``xl/workbook.xml`` + ``worksheets/sheet1.xml``)."""
    if target.startswith("/"):
        return target[1:]
    folder = source_part.rpartition("/")[0]
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def rels_part(part: str) -> str:
    """The relationships part of ``part``: ``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def relationships(data: bytes, source_part: str) -> dict[str, tuple[str, str]]:
    """``Id → (Type, target part)`` of a ``.rels`` part (external targets kept as written)."""
    root = _xml(data, rels_part(source_part))
    out: dict[str, tuple[str, str]] = {}
    for rel in root.iter(qn("Relationship", PKG_REL_NS)):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = resolve_target(source_part, target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return out


def sheets_of(workbook_xml: bytes, rels: Mapping[str, tuple[str, str]]) -> tuple[SheetEntry, ...]:
    """The ``<sheet>`` entries of ``xl/workbook.xml`` in tab order, with their parts."""
    root = _xml(workbook_xml, "xl/workbook.xml")
    out: list[SheetEntry] = []
    for i, s in enumerate(root.iter(qn("sheet"))):
        rel_id = s.get(qn("id", DOC_REL_NS), "")
        found = rels.get(rel_id)
        out.append(
            SheetEntry(
                name=s.get("name", ""),
                index=i,
                sheet_id=s.get("sheetId", ""),
                rel_id=rel_id,
                part=found[1] if found else None,
                state=s.get("state", "visible"),
            )
        )
    return tuple(out)


def defined_names(
    workbook_xml: bytes, sheets: tuple[SheetEntry, ...] | None = None
) -> tuple[DefinedName, ...]:
    """Every ``<definedName>`` of ``xl/workbook.xml``; a ``localSheetId`` becomes the sheet's name."""
    root = _xml(workbook_xml, "xl/workbook.xml")
    entries = sheets if sheets is not None else sheets_of(workbook_xml, {})
    out: list[DefinedName] = []
    for dn in root.iter(qn("definedName")):
        local = dn.get("localSheetId")
        index = int(local) if local is not None and local.isdigit() else None
        scope = entries[index].name if index is not None and index < len(entries) else None
        out.append(DefinedName(dn.get("name", ""), scope, (dn.text or "").strip(), index))
    return tuple(out)


def content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(``Override`` part → type, ``Default`` extension → type) of ``[Content_Types].xml``."""
    root = _xml(data, "[Content_Types].xml")
    overrides = {
        o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in root.iter(qn("Override", CT_NS))
    }
    defaults = {
        d.get("Extension", "").lower(): d.get("ContentType", "") for d in root.iter(qn("Default", CT_NS))
    }
    return overrides, defaults


# --------------------------------------------------------------------------------------------------
# Integrity scan of a worksheet part


@dataclass
class SheetScan:
    """What the integrity scan found in one worksheet part.

    ``errors`` maps (row, column) to the error code of a cell holding a formula error (``#N/A``...);
    ``uncached`` holds formula cells without a saved result (a file written without calculating);
    ``bytes`` is the part's uncompressed size.
    """

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    size: int = 0


_CHUNK = 1 << 20
_OVERLAP = 512  # longer than any <c ...> start tag: a marker split across two chunks is still seen


class _CellWatcher:
    """Expat callbacks that note error cells and formula cells without a value (switched on per chunk)."""

    def __init__(self, scan: SheetScan) -> None:
        self.scan = scan
        self.cell: tuple[int, int] | None = None
        self.kind = ""
        self.has_formula = False
        self.has_value = False
        self.in_value = False
        self.text: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            try:
                self.cell = parse_cell(ref) if ref else None
            except ValueError:
                self.cell = None
            self.kind = attrs.get("t", "n")
            self.has_formula = self.has_value = self.in_value = False
            self.text = []
        elif local == "f":
            self.has_formula = True
        elif local == "v":
            self.in_value = True

    def end(self, tag: str) -> None:
        local = tag.rpartition(":")[2]
        if local == "v":
            self.in_value = False
        elif local == "c" and self.cell is not None:
            if self.kind == "e":
                self.scan.errors[self.cell] = "".join(self.text).strip() or "#ERROR"
            elif self.has_formula and not self.has_value:
                self.scan.uncached.add(self.cell)
            self.cell = None

    def chars(self, data: str) -> None:
        if self.in_value:
            self.text.append(data)
            if data.strip():
                self.has_value = True  # an empty <v/> is no saved result


def _expat_reason(exc: expat.ExpatError) -> str:
    return f"{expat.ErrorString(exc.code)} at line {exc.lineno}, column {exc.offset}"


def scan_xml(
    stream: IO[bytes], *, watch_cells: bool = False, on_chunk: Callable[[bytes], None] | None = None
) -> SheetScan:
    """Read an XML part to its end, checking it is well-formed (raises ``expat.ExpatError``) and, with
    ``watch_cells``, noting error cells and formula cells without a saved value. ``on_chunk`` sees every
    chunk of the part once it has been checked (so a reader can take the cells from the same pass)."""
    scan = SheetScan()
    parser = expat.ParserCreate()
    watcher = _CellWatcher(scan) if watch_cells else None
    markers: tuple[bytes, ...] = (b't="e"', b"<f", b":f")
    on = False
    tail = b""
    chunk = stream.read(_CHUNK)
    if watcher is not None and chunk and not _prefixed(chunk):
        markers = markers[:2]  # elements without a namespace prefix: no '<x:f' to look for
    while chunk:
        ahead = stream.read(_CHUNK)  # one chunk of look-ahead: a cell opened here may hold its marker there
        scan.size += len(chunk)
        if watcher is not None:
            window = tail + chunk + ahead[:_OVERLAP]
            # keep watching while a cell is open: its end lies in this chunk
            wanted = watcher.cell is not None or any(m in window for m in markers)
            if wanted != on:
                on = wanted
                if on:
                    watcher.cell = None  # a cell whose start was not watched is not judged
                parser.StartElementHandler = watcher.start if on else None
                parser.EndElementHandler = watcher.end if on else None
                parser.CharacterDataHandler = watcher.chars if on else None
        parser.Parse(chunk, False)
        if on_chunk is not None:
            on_chunk(chunk)
        tail = chunk[-_OVERLAP:]
        chunk = ahead
    parser.Parse(b"", True)
    return scan


def _prefixed(head: bytes) -> bool:
    """Whether the part's root element carries a namespace prefix (``<x:worksheet``); False while ``head``
    does not reach the root element's name yet."""
    at = 0
    while True:
        start = head.find(b"<", at)
        if start < 0 or start + 1 >= len(head):
            return False
        if head[start + 1 : start + 2] not in (b"!", b"?"):  # not a comment or a declaration
            break
        at = start + 1
    end = start + 1
    while end < len(head) and head[end] not in b" \t\r\n/>":
        end += 1
    return b":" in head[start + 1 : end]


# --------------------------------------------------------------------------------------------------
# A large worksheet in pieces of whole rows


class RowPieces:
    """Cuts a worksheet part, as it streams past the integrity scan (``scan_xml``'s ``on_chunk``), into
    pieces of whole ``<row>`` elements of about ``size`` bytes each, handed to ``sink`` in sheet order; the
    merged ranges after ``<sheetData>`` are collected. :meth:`Package.piece_book` wraps a piece as a
    workbook of its own, so a cell reader never holds more than one piece of a large sheet.

    ``regular`` stays False when the part does not have the plain layout this cutting relies on (a
    namespace prefix, a ``<sheetData>`` not found): the caller then reads the sheet whole."""

    def __init__(self, sink: Callable[[bytes], None], size: int = 8 << 20) -> None:
        self.sink = sink
        self.size = size
        self.head = b""
        self.chunks: list[bytes] = []  # rows not yet handed out (the last may end inside a row)
        self.held = 0
        self.recent = b""  # the last bytes seen of the rows
        self.state = "head"  # head → rows → tail
        self.regular = True
        self.tail = b""

    def __call__(self, chunk: bytes) -> None:
        if not self.regular:
            return
        if self.state == "head":
            chunk = self._after_head(chunk)
            if self.state != "rows":
                return
        if self.state == "tail":
            self.tail += chunk
            return
        # '</sheetData>' may straddle chunks: look from the last 11 bytes before this chunk
        before = self.recent + chunk
        self.recent = before[-11:]
        if before.find(b"</sheetData>") >= 0:
            data = b"".join(self.chunks) + chunk
            end = data.find(b"</sheetData>", max(0, len(data) - len(before)))
            rows, self.tail = data[:end], data[end:]
            self.chunks, self.state = [], "tail"
            if rows.strip():
                self.sink(rows)
            return
        self.chunks.append(chunk)
        self.held += len(chunk)
        if self.held >= self.size:
            rows = b"".join(self.chunks)
            cut = rows.rfind(b"</row>")
            if cut >= 0:
                cut += len(b"</row>")
                self.chunks, self.held = [rows[cut:]], len(rows) - cut
                self.sink(rows[:cut])
            else:
                self.chunks = [rows]

    def _after_head(self, chunk: bytes) -> bytes:
        """Skip the part's head up to ``<sheetData>``; returns what follows it (state becomes "rows")."""
        self.head += chunk
        found = self.head.find(b"<sheetData>")
        if found >= 0:
            self.state, rest, self.head = "rows", self.head[found + len(b"<sheetData>") :], b""
            return rest
        if b"<sheetData/>" in self.head or b"</sheetData>" in self.head or _prefixed(self.head):
            self.regular = b"<sheetData/>" in self.head and not _prefixed(self.head)
            self.state, self.tail, self.head = "tail", self.head, b""
        elif len(self.head) > 4 * _CHUNK:
            self.regular = False  # no sheetData in a long head: not a layout to cut by bytes
        return b""

    def finish(self) -> bool:
        """After the part's last chunk: whether the rows were all handed out (a regular layout)."""
        if self.state != "tail":
            self.regular = False
        return self.regular

    def merges(self) -> list[tuple[int, int, int, int]]:
        """The ``<mergeCell ref="A1:B2"/>`` ranges after the sheet data, as (row1, col1, row2, col2)."""
        out: list[tuple[int, int, int, int]] = []
        marker = b'<mergeCell ref="'
        at = self.tail.find(marker)
        while at >= 0:
            start = at + len(marker)
            ref = self.tail[start : self.tail.find(b'"', start)].decode("ascii", "replace")
            try:
                area = parse_range(ref)
            except ValueError:
                pass
            else:
                out.append((area.row1, area.col1, area.row2, area.col2))
            at = self.tail.find(marker, start)
        return out


# --------------------------------------------------------------------------------------------------
# Package


class Package:
    """An open ``.xlsx``/``.xlsm`` package: its parts, sheets, defined names; integrity scans.

    Raises :class:`PackageProblem` when the file is not a zip, is an OLE container (an encrypted workbook
    or an old ``.xls``), or lacks the parts every workbook has. Use as a context manager, or :meth:`close`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with self.path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise PackageProblem(f"cannot open the file ({exc.strerror or exc})") from None
        if head == OLE_MAGIC:
            raise PackageProblem(
                "password-protected (encrypted) workbook, or an old binary .xls: clo-xl cannot read it; "
                "open it in Excel, remove the password (File > Info > Protect Workbook) and save as .xlsm"
            )
        if not head:
            raise PackageProblem("the file is empty (0 bytes): not an Excel workbook (.xlsx/.xlsm)")
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageProblem(f"not an Excel workbook (.xlsx/.xlsm): {exc}") from None
        self.part_names = frozenset(self.zip.namelist())
        for required in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if required not in self.part_names:
                self.zip.close()
                raise PackageProblem(
                    f"not an Excel workbook (.xlsx/.xlsm): the package has no {required}", part=required
                )
        self.overrides, self.defaults = content_types(self.read("[Content_Types].xml"))
        workbook = self.read("xl/workbook.xml")
        self.workbook_rels = relationships(self.read("xl/_rels/workbook.xml.rels"), "xl/workbook.xml")
        self.sheets = sheets_of(workbook, self.workbook_rels)
        self.names = defined_names(workbook, self.sheets)
        pr = next(iter(_xml(workbook, "xl/workbook.xml").iter(qn("workbookPr"))), None)
        #: the 1904 date system (serial 0 = 1904-01-01), as ``<workbookPr date1904>`` says
        self.date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        self._piece_parts: dict[str, bytes] = {}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    # -- parts ---------------------------------------------------------------------------------------
    def read(self, part: str) -> bytes:
        """The bytes of ``part`` (CRC checked); a damaged or missing part raises :class:`PackageProblem`."""
        try:
            return self.zip.read(part)
        except KeyError:
            raise PackageProblem(f"part {part} is missing from the package", part=part) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PackageProblem(f"part {part} is damaged ({exc})", part=part) from None

    @property
    def main_content_type(self) -> str:
        return self.overrides.get("xl/workbook.xml", "")

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sheets)

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets if s.name == name), None)

    def name(self, name: str, scope: str | None = None) -> DefinedName | None:
        """The defined name ``name`` of ``scope`` (a sheet name; None for a workbook-level name)."""
        return next((n for n in self.names if n.name == name and n.scope == scope), None)

    # -- integrity -----------------------------------------------------------------------------------
    def _sheet_of_part(self) -> dict[str, str]:
        return {s.part: s.name for s in self.sheets if s.part}

    def scan_part(self, part: str, on_chunk: Callable[[bytes], None] | None = None) -> SheetScan:
        """Read ``part`` to its end (CRC), check XML parts are well-formed; a worksheet's error cells and
        uncached formulas are noted; ``on_chunk`` sees each checked chunk of an XML part (see
        :func:`scan_xml`). Problems raise :class:`PackageProblem` naming part and sheet."""
        sheet = self._sheet_of_part().get(part)
        where = f"the sheet '{sheet}' ({part})" if sheet else f"part {part}"
        is_xml = part.endswith((".xml", ".rels", ".vml")) or part == "[Content_Types].xml"
        try:
            with self.zip.open(part) as stream:
                if is_xml:
                    return scan_xml(stream, watch_cells=sheet is not None, on_chunk=on_chunk)
                size = 0
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                return SheetScan(size=size)
        except KeyError:
            raise PackageProblem(f"{where} is missing from the package", part=part, sheet=sheet) from None
        except expat.ExpatError as exc:
            raise PackageProblem(
                f"{where} is not well-formed XML ({_expat_reason(exc)}): the file is damaged; "
                "open it in Excel (which offers a repair) and save it again",
                part=part,
                sheet=sheet,
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            reason = "bad CRC-32" if "CRC" in str(exc) else str(exc)
            raise PackageProblem(
                f"{where} is damaged in the zip package ({reason}): restore the file from a copy",
                part=part,
                sheet=sheet,
            ) from None

    def scan(
        self, on_problem: Callable[[PackageProblem], None], *, skip: frozenset[str] = frozenset()
    ) -> dict[str, SheetScan]:
        """Scan every part of the package and every sheet listed by the workbook; each problem goes to
        ``on_problem`` (the scan carries on). Returns the scans of the readable worksheets by sheet name.
        The parts of the sheets in ``skip`` are left to :meth:`scan_part` with a reader (one pass)."""
        out: dict[str, SheetScan] = {}
        for entry in self.sheets:
            if entry.part is None:
                on_problem(
                    PackageProblem(
                        f"the sheet '{entry.name}' has no part in the package (relationship "
                        f"{entry.rel_id or '?'} is missing from xl/_rels/workbook.xml.rels)",
                        sheet=entry.name,
                    )
                )
            elif entry.part not in self.part_names:
                on_problem(
                    PackageProblem(
                        f"the sheet '{entry.name}' is listed in the workbook but its part {entry.part} is "
                        "missing from the package: the file is damaged; restore it from a copy",
                        part=entry.part,
                        sheet=entry.name,
                    )
                )
        sheets = self._sheet_of_part()
        for part in sorted(self.part_names):
            if part.endswith("/") or sheets.get(part) in skip:
                continue
            try:
                scan = self.scan_part(part)
            except PackageProblem as problem:
                on_problem(problem)
                continue
            if part in sheets:
                out[sheets[part]] = scan
        return out

    def _related(self, kind: str) -> str | None:
        """The part the workbook relates to with a relationship type ending ``/kind``, if present."""
        found = next((t for _, (k, t) in self.workbook_rels.items() if k.endswith("/" + kind)), None)
        return found if found in self.part_names else None

    def piece_book(self, rows: bytes) -> bytes:
        """A workbook of one sheet (:data:`PIECE_SHEET`) holding ``rows`` (whole ``<row>`` elements of one
        of this package's worksheets, from :class:`RowPieces`) with this package's shared strings, styles
        and date system, stored uncompressed: a cell reader sees each cell exactly as in the package."""
        parts = {"styles": self._related("styles"), "sharedStrings": self._related("sharedStrings")}
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{DOC_REL_NS}/{kind}" Target="/{target}"/>'
            for i, (kind, target) in enumerate(parts.items(), start=2)
            if target is not None
        )
        kept = self._piece_parts
        for target in parts.values():
            if target is not None and target not in kept:
                kept[target] = self.read(target)
        system = ' date1904="1"' if self.date1904 else ""
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            z.writestr(
                "[Content_Types].xml",
                f'{head}<Types xmlns="{CT_NS}"><Default Extension="rels" ContentType='
                '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                f'<Override PartName="/xl/worksheets/piece.xml" ContentType="{WORKSHEET_TYPE}"/></Types>',
            )
            z.writestr(
                "_rels/.rels",
                f'{head}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{DOC_REL_NS}'
                '/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            z.writestr(
                "xl/workbook.xml",
                f'{head}<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL_NS}"><workbookPr{system}/>'
                f'<sheets><sheet name="{PIECE_SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>',
            )
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                f'{head}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{WORKSHEET_REL}" '
                f'Target="/xl/worksheets/piece.xml"/>{rels}</Relationships>',
            )
            for target in parts.values():
                if target is not None:
                    z.writestr(target, kept[target])
            z.writestr(
                "xl/worksheets/piece.xml",
                f'{head}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
                + rows
                + b"</sheetData></worksheet>",
            )
        return out.getvalue()

    def shared_string_count(self) -> int | None:
        """How many strings ``xl/sharedStrings.xml`` holds (None when the workbook has none)."""
        found = next(
            (t for _, (kind, t) in self.workbook_rels.items() if kind.endswith("/sharedStrings")), None
        )
        if found is None or found not in self.part_names:
            return None
        count = 0
        parser = expat.ParserCreate()

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal count
            if tag.rpartition(":")[2] == "si":
                count += 1

        parser.StartElementHandler = start
        with self.zip.open(found) as stream:
            parser.ParseFile(stream)
        return count

    def bad_shared_string_cells(self, sheet: str, count: int) -> list[tuple[str, str]]:
        """(cell, index) of the cells of ``sheet`` whose shared-string index is not below ``count``."""
        entry = self.sheet(sheet)
        if entry is None or entry.part is None:
            return []
        bad: list[tuple[str, str]] = []
        state: dict[str, str | None] = {"ref": None, "t": None}
        text: list[str] = []
        parser = expat.ParserCreate()

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = tag.rpartition(":")[2]
            if local == "c":
                state["ref"], state["t"] = attrs.get("r"), attrs.get("t")
            elif local == "v":
                text.clear()

        def end(tag: str) -> None:
            local = tag.rpartition(":")[2]
            if local == "v" and state["t"] == "s":
                raw = "".join(text).strip()
                if not raw.isdigit() or int(raw) >= count:
                    bad.append((state["ref"] or "?", raw))

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text.append
        with self.zip.open(entry.part) as stream:
            parser.ParseFile(stream)
        return bad


def iter_parts(path: str | Path) -> Iterator[str]:
    """Part names of a package, in zip order."""
    with zipfile.ZipFile(path) as z:
        yield from z.namelist()


__all__ = [
    "EPOCH",
    "MAX_SERIAL",
    "PIECE_SHEET",
    "Area",
    "DefinedName",
    "Package",
    "PackageProblem",
    "RowPieces",
    "SheetEntry",
    "SheetScan",
    "cell_ref",
    "column_index",
    "column_letter",
    "content_types",
    "defined_names",
    "excel_serial",
    "from_serial",
    "parse_cell",
    "parse_range",
    "range_ref",
    "relationships",
    "rels_part",
    "resolve_target",
    "scan_xml",
    "sheets_of",
]
