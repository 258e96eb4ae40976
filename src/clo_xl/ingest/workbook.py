"""Read a TradeHypo workbook (the legacy layout, CONTRACT §1) into raw tables and deal documents.

:func:`read_workbook` reads every input sheet with python-calamine (fast, values as Excel cached them)
and returns a frozen :class:`WorkbookData`: ``All Assets`` as a :class:`RawTable` (the 70 headers
verbatim, data from row 2), one :class:`RawDocument` per ``Mag N Inputs`` sheet in the
``legacy/mag17_deal.json`` shape (plus cash-flow keys), each deal's holdings (D:E from row 4), the
``Run Model`` controls and the ``Reference Table`` sections. Every value remembers its cell.

Structural problems raise :class:`~clo_xl.errors.IngestError` naming file, sheet, cell, column header,
value and reason: a missing sheet, a missing or moved header, merged cells inside a table, formula errors
(``#N/A``, ``#REF!``...), text where a number must be and dates stored as text. Parsing into domain objects
is left to :func:`clo_xl.ingest.assets.parse_assets` and :func:`clo_xl.ingest.deal_inputs.parse_deal_inputs`;
:func:`load_deal` chains the two.

Legacy compatibility: blocks are found through the workbook's sheet-scoped named ranges when present
(``DealCollateral``, ``Accounts``, ``TestThresholds``, ``CFInputs``, ``DateInputs``, ``Liability``...), else
at the default addresses of :mod:`clo_xl.ingest.layout`; the per-deal header spellings the legacy uses
("Account Num"/"Account Number", "Test Results"/"Current Results"/"Current Test Result") are accepted.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from xml.etree import ElementTree

import numpy as np
import python_calamine

from clo_xl.errors import IngestError, Location
from clo_xl.ingest import layout as L
from clo_xl.ingest.assets import MAX_PAR
from clo_xl.ingest.raw import RawDocument, RawTable

if TYPE_CHECKING:
    from clo_xl.deal import DealInputs
    from clo_xl.portfolio.asset import Asset
    from clo_xl.portfolio.pool import Holding

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_ERROR_CELL = re.compile(r'<c\b(?=[^>]*\bt="e")[^>]*\br="([A-Z]{1,3})(\d+)"[^>]*>(.*?)</c>', re.S)
_ERROR_VALUE = re.compile(r"<v>([^<]*)</v>")
_FORMULA_CELL = re.compile(r'<c\b[^>]*\br="([A-Z]{1,3})(\d+)"[^>]*>(.*?)</c>', re.S)
_RANGE = re.compile(r"^(?:'?(.*?)'?!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


# ------------------------------------------------------------------------------------------------
# Public result


@dataclass(frozen=True)
class WorkbookData:
    """Everything a clo-xl run needs from a TradeHypo workbook, as raw values with their cells."""

    file: str
    sheet_names: tuple[str, ...]
    assets: RawTable
    deals: Mapping[str, RawDocument]
    holdings: Mapping[str, RawTable]
    run_model: RawDocument
    reference: Mapping[str, RawTable]
    filter_lists: Mapping[str, tuple[object, ...]]
    names: Mapping[str, str] = field(default_factory=dict)  # "Name" or "Sheet!Name" → reference

    def deal(self, name: str) -> RawDocument:
        """The deal document for ``name`` ('Mag 17'); a located error if the workbook has no such sheet."""
        try:
            return self.deals[name]
        except KeyError:
            raise IngestError(
                Location(file=self.file, sheet=L.deal_sheet(name)),
                name,
                f"missing sheet '{L.deal_sheet(name)}' "
                f"(deal sheets present: {', '.join(self.deals) or 'none'})",
            ) from None


# ------------------------------------------------------------------------------------------------
# Low level: the xlsx package and one sheet's grid


@dataclass(frozen=True)
class _Package:
    sheets: tuple[str, ...]
    parts: Mapping[str, str]  # sheet name → xml part path
    names: Mapping[tuple[str | None, str], str]  # (scope sheet or None, name) → reference


_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _package(path: Path) -> _Package:
    """Sheet order, sheet xml parts and defined names, straight from the zip (no full parse)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _OLE_MAGIC:
        raise IngestError(
            Location(file=str(path)),
            None,
            "password-protected (encrypted) workbook, or an old binary .xls: clo-xl cannot read it; "
            "open it in Excel, remove the password (File > Info > Protect Workbook) and save as .xlsm",
        )
    try:
        with zipfile.ZipFile(path) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            types = z.read("[Content_Types].xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise IngestError(
            Location(file=str(path)), None, f"not an Excel workbook (.xlsx/.xlsm): {exc}"
        ) from None
    if path.suffix.lower() == ".xlsm" and _MACRO_WORKBOOK not in types:
        raise IngestError(
            Location(file=str(path)),
            None,
            "a macro-free .xlsx workbook named .xlsm (Excel refuses to open it): "
            "rename it to .xlsx, or save it from Excel as a macro-enabled workbook",
        )
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    sheets: list[str] = []
    parts: dict[str, str] = {}
    for s in book.findall("m:sheets/m:sheet", _NS):
        name = s.get("name", "")
        sheets.append(name)
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        parts[name] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    names: dict[tuple[str | None, str], str] = {}
    for dn in book.findall("m:definedNames/m:definedName", _NS):
        local = dn.get("localSheetId")
        scope = sheets[int(local)] if local is not None and int(local) < len(sheets) else None
        names[(scope, dn.get("name", ""))] = (dn.text or "").strip()
    return _Package(tuple(sheets), parts, names)


def _error_cells(path: Path, part: str) -> tuple[dict[tuple[int, int], str], frozenset[tuple[int, int]]]:
    """Cells holding a formula error (``t="e"``), which calamine would hand back as empty strings, and
    formula cells with no saved result (a file written by a tool that does not calculate)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read(part).decode("utf-8", errors="replace")
    except KeyError:
        return {}, frozenset()
    errors: dict[tuple[int, int], str] = {}
    if 't="e"' in xml:
        for m in _ERROR_CELL.finditer(xml):
            v = _ERROR_VALUE.search(m.group(3))
            errors[(int(m.group(2)), L.col(m.group(1)))] = v.group(1) if v else "#ERROR"
    uncached: set[tuple[int, int]] = set()
    if "<f" in xml:
        for m in _FORMULA_CELL.finditer(xml):
            body = m.group(3)
            if "<f" in body and "<v>" not in body:
                uncached.add((int(m.group(2)), L.col(m.group(1))))
    return errors, frozenset(uncached)


def _normalise(value: object) -> object:
    if value == "" or value is None:
        return None
    if isinstance(value, time):  # a 00:00:00 cell: the legacy's "no date" (serial 0)
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400.0
    return value


class _Grid:
    """One sheet's cells (1-based access), its error cells and merged ranges, for located reads."""

    def __init__(
        self,
        file: str,
        sheet: str,
        rows: list[list[object]],
        errors: Mapping[tuple[int, int], str],
        merges: Sequence[tuple[int, int, int, int]],
        uncached: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.file = file
        self.uncached = uncached
        self.sheet = sheet
        self.rows = rows
        self.errors = errors
        self.merges = merges
        self.max_row = len(rows)

    def loc(self, r: int, c: int, column: str | None = None) -> Location:
        return Location(file=self.file, sheet=self.sheet, cell=L.cell_ref(r, c), column=column, row=r)

    def raw(self, r: int, c: int) -> object:
        if r < 1 or r > len(self.rows):
            return None
        row = self.rows[r - 1]
        return _normalise(row[c - 1]) if 0 < c <= len(row) else None

    def value(self, r: int, c: int, column: str | None = None) -> object:
        """The cell's value; a located error for a formula error (#N/A, #REF!, ...)."""
        err = self.errors.get((r, c))
        if err is not None:
            raise IngestError(self.loc(r, c, column), err, f"formula error {err} in an input cell")
        value = self.raw(r, c)
        if value is None and (r, c) in self.uncached:
            raise IngestError(
                self.loc(r, c, column),
                None,
                "formula with no saved result (the file was written without calculating): "
                "open it in Excel or LibreOffice, save, and retry",
            )
        return value

    def check_unmerged(self, r1: int, c1: int, r2: int, c2: int, what: str) -> None:
        for mr1, mc1, mr2, mc2 in self.merges:
            if mr1 <= r2 and r1 <= mr2 and mc1 <= c2 and c1 <= mc2:
                ref = f"{L.cell_ref(mr1, mc1)}:{L.cell_ref(mr2, mc2)}"
                raise IngestError(
                    self.loc(mr1, mc1, what),
                    ref,
                    f"merged cells {ref} inside the {what} table: unmerge them (one value per cell)",
                )

    def header_matches(self, r: int, c: int, accepted: Sequence[str]) -> bool:
        found = self.raw(r, c)
        text = str(found).strip().casefold() if found is not None else ""
        return (r, c) not in self.errors and text in {a.strip().casefold() for a in accepted}

    def check_header(self, r: int, c: int, accepted: Sequence[str], what: str) -> None:
        found = self.value(r, c, accepted[0])
        text = str(found).strip().casefold() if found is not None else ""
        if text not in {a.strip().casefold() for a in accepted}:
            spell = " or ".join(repr(a) for a in accepted)
            raise IngestError(
                self.loc(r, c, accepted[0]),
                found,
                f"missing or moved header in the {what} block: expected {spell} here",
            )


@dataclass(frozen=True)
class SheetGrid:
    """One sheet's cached values as rows from A1 (``rows[r - 1][c - 1]`` is the cell at (r, c)), its
    formula-error cells (``{(r, c): "#N/A"}``), merged ranges (r1, c1, r2, c2) and formulas with no saved
    result."""

    rows: list[list[object]]
    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)
    merges: Sequence[tuple[int, int, int, int]] = ()
    uncached: frozenset[tuple[int, int]] = frozenset()


class GridSource(Protocol):
    """A workbook the reader can read without a file: the open workbook in Excel (read through xlwings
    ``Range.value`` blocks), or anything else that can hand over sheet grids and defined names."""

    @property
    def file(self) -> str:
        """What messages call the workbook (its name)."""
        ...

    @property
    def sheets(self) -> tuple[str, ...]:
        """Sheet names in tab order."""
        ...

    @property
    def names(self) -> Mapping[tuple[str | None, str], str]:
        """Defined names: (sheet for a sheet-scoped name, else None; name) → reference (``'S'!$A$1:$B$2``)."""
        ...

    def grid(self, sheet: str) -> SheetGrid:
        """The values of ``sheet`` (an existing sheet)."""
        ...


class _FileSource:
    """A workbook file: sheets and names from the package, values through python-calamine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.package = _package(path)
        self.sheets = self.package.sheets
        self.names = self.package.names
        try:
            self.book = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types for unreadable files
            raise IngestError(Location(file=self.file), None, f"cannot read the workbook: {exc}") from None

    def grid(self, sheet: str) -> SheetGrid:
        s = self.book.get_sheet_by_name(sheet)
        rows = cast(list[list[object]], s.to_python(skip_empty_area=False))
        merges = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (s.merged_cell_ranges or [])]
        errors, uncached = _error_cells(self.path, self.package.parts[sheet])
        return SheetGrid(rows, errors, merges, uncached)


class _Reader:
    def __init__(self, source: Path | GridSource) -> None:
        self.source: GridSource = _FileSource(source) if isinstance(source, Path) else source
        self.file = self.source.file
        self.sheets = tuple(self.source.sheets)
        self.names = self.source.names

    def has(self, sheet: str) -> bool:
        return sheet in self.sheets

    def grid(self, sheet: str) -> _Grid:
        if not self.has(sheet):
            raise IngestError(Location(file=self.file, sheet=sheet), None, _missing_sheet(sheet, self.sheets))
        g = self.source.grid(sheet)
        return _Grid(self.file, sheet, g.rows, g.errors, g.merges, g.uncached)

    def name_range(self, scope: str | None, name: str) -> tuple[int, int, int, int] | None:
        ref = self.names.get((scope, name))
        if ref is None:
            return None
        m = _RANGE.match(ref.lstrip("="))
        if not m:
            return None
        r1, c1 = int(m.group(3)), L.col(m.group(2))
        r2 = int(m.group(5)) if m.group(5) else r1
        c2 = L.col(m.group(4)) if m.group(4) else c1
        return r1, c1, r2, c2


# ------------------------------------------------------------------------------------------------
# Value checks (structure only; the parsers do the typing)


def _is_number_text(text: str) -> bool:
    try:
        float(text.strip().replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _check_number(g: _Grid, r: int, c: int, value: object, column: str) -> None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return
    if isinstance(value, str) and _is_number_text(value):
        return
    raise IngestError(g.loc(r, c, column), value, "text where a number must be")


def _check_date(g: _Grid, r: int, c: int, value: object, column: str) -> None:
    if value is None or (isinstance(value, date | int | float) and not isinstance(value, bool)):
        return
    if isinstance(value, str):
        raise IngestError(
            g.loc(r, c, column),
            value,
            "date stored as text: enter it as an Excel date (the legacy cell is a date)",
        )
    raise IngestError(g.loc(r, c, column), value, "expected a date")


def _check_bool(g: _Grid, r: int, c: int, value: object, column: str) -> None:
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str) and value.strip().upper() in {"TRUE", "FALSE", "YES", "NO"}:
        return
    raise IngestError(g.loc(r, c, column), value, "expected TRUE or FALSE")


_CHECKS = {L.Kind.NUMBER: _check_number, L.Kind.DATE: _check_date, L.Kind.BOOL: _check_bool}


# ------------------------------------------------------------------------------------------------
# All Assets


def _read_assets(rd: _Reader) -> RawTable:
    g = rd.grid(L.ALL_ASSETS)
    n_cols = len(L.ALL_ASSETS_HEADERS)
    for j, header in enumerate(L.ALL_ASSETS_HEADERS, start=1):
        g.check_header(L.ALL_ASSETS_HEADER_ROW, j, (header,), "All Assets")
    known = {h.strip().casefold(): j for j, h in enumerate(L.ALL_ASSETS_HEADERS, start=1)}
    width = max((len(row) for row in g.rows[:1]), default=0)
    for j in range(n_cols + 1, width + 1):
        extra = g.raw(L.ALL_ASSETS_HEADER_ROW, j)
        first = known.get(str(extra).strip().casefold()) if extra is not None else None
        if first is not None:
            raise IngestError(
                g.loc(L.ALL_ASSETS_HEADER_ROW, j, str(extra)),
                extra,
                f"header appears twice (also column {L.cell_ref(1, first)[:-1]}): the legacy reads columns "
                "by position, so the extra column is ignored; delete or rename it",
            )
    last = L.ALL_ASSETS_FIRST_ROW
    while g.raw(last, 1) is not None or (last, 1) in g.errors:
        last += 1
    below = next((r for r in range(last + 1, g.max_row + 1) if g.raw(r, 1) is not None), None)
    if below is not None:
        raise IngestError(
            g.loc(last, 1, "BLKRockID"),
            None,
            f"blank row {last} inside the All Assets table (assets continue at row {below}): the legacy "
            "stops at the first blank BLKRockID and drops every asset below it; delete the empty row",
        )
    g.check_unmerged(L.ALL_ASSETS_HEADER_ROW, 1, max(last - 1, 1), n_cols, "All Assets")
    checks = [(j, h, _CHECKS.get(L.ALL_ASSETS_KINDS[h])) for j, h in enumerate(L.ALL_ASSETS_HEADERS, start=1)]
    rows: list[dict[str, object]] = []
    for r in range(L.ALL_ASSETS_FIRST_ROW, last):
        rec: dict[str, object] = {}
        for j, header, check in checks:
            v = g.value(r, j, header)
            if check is not None:
                check(g, r, j, v, header)
            rec[header] = v
        rows.append(rec)
    return RawTable(
        file=rd.file,
        sheet=L.ALL_ASSETS,
        headers=L.ALL_ASSETS_HEADERS,
        rows=tuple(rows),
        first_row=L.ALL_ASSETS_FIRST_ROW,
        columns={h: j for j, h in enumerate(L.ALL_ASSETS_HEADERS, start=1)},
    )


# ------------------------------------------------------------------------------------------------
# Deal sheets


class _DealDoc:
    """Collects a deal document's values and the cell of each."""

    def __init__(self, g: _Grid) -> None:
        self.g = g
        self.data: dict[str, Any] = {}
        self.locations: dict[str, Location] = {}

    def take(self, path: str, r: int, c: int, column: str, kind: str | None = None) -> object:
        v = self.g.value(r, c, column)
        if kind == "date":
            _check_date(self.g, r, c, v, column)
        self.locations[path] = self.g.loc(r, c, column)
        return v


def _block_rows(
    rd: _Reader, g: _Grid, block: L.Block, *, named_cols: tuple[int, int] | None = None
) -> tuple[int, list[int]]:
    """First column and data rows of a block: from its sheet-scoped name when the workbook defines one,
    else from the default address down to the first row whose key (first) cell is blank."""
    named = rd.name_range(g.sheet, block.name)
    first_col = block.first_col
    if named is not None:
        r1, c1, r2, _ = named
        offset = (named_cols[0] - block.first_col) if named_cols else 0
        first_col = c1 - offset
        rows = [
            r
            for r in range(r1, r2 + 1)
            if any(g.raw(r, first_col + k) is not None for k in range(block.width))
        ]
        header_row = r1 - 1
    else:
        rows = []
        r = block.first_row
        while (g.raw(r, first_col) is not None or (r, first_col) in g.errors) and (
            block.max_rows is None or len(rows) < block.max_rows
        ):
            rows.append(r)
            r += 1
        header_row = block.header_row
    if named is None and block.name not in L.FIXED_BLOCKS:
        # [inferred] position and no name: a workbook laid out otherwise simply lacks the block
        if not all(g.header_matches(header_row, first_col + k, a) for k, a in enumerate(block.headers) if a):
            return first_col, []
    elif named is None or block.name in L.FIXED_BLOCKS:
        for k, accepted in enumerate(block.headers):
            if accepted:
                g.check_header(header_row, first_col + k, accepted, block.title)
    if block.name in _NO_GAPS:
        gap = _internal_gap(g, rows, first_col, block, named)
        if gap is not None:
            raise IngestError(
                g.loc(gap[0], first_col, block.headers[0][0] if block.headers[0] else block.title),
                None,
                f"blank row {gap[0]} inside the {block.title} block (rows continue at {gap[1]}): "
                "delete the empty row so that no holding is overlooked",
            )
    if rows:
        g.check_unmerged(rows[0], first_col, rows[-1], first_col + block.width - 1, block.title)
    return first_col, rows


_NO_GAPS = frozenset({"DealCollateral"})


def _internal_gap(
    g: _Grid, rows: Sequence[int], first_col: int, block: L.Block, named: tuple[int, int, int, int] | None
) -> tuple[int, int] | None:
    """(first blank row, next filled row) when a blank row sits between filled rows of a block."""
    if named is not None:
        for a, b in itertools.pairwise(rows):
            if b > a + 1:
                return a + 1, b
        return None
    start = rows[-1] + 1 if rows else block.first_row
    below = next(
        (
            r
            for r in range(start + 1, g.max_row + 1)
            if any(g.raw(r, first_col + k) is not None for k in range(2))
        ),
        None,
    )
    return (start, below) if below is not None else None


def _records(
    rd: _Reader,
    doc: _DealDoc,
    key: str,
    block: L.Block,
    *,
    named_cols: tuple[int, int] | None = None,
    date_fields: Iterable[str] = (),
) -> list[dict[str, object]]:
    g = doc.g
    dates = set(date_fields)
    first_col, rows = _block_rows(rd, g, block, named_cols=named_cols)
    out: list[dict[str, object]] = []
    for i, r in enumerate(rows):
        rec: dict[str, object] = {}
        for k, fld in enumerate(block.fields):
            header = block.headers[k][0] if block.headers[k] else fld  # type: ignore[index]
            rec[fld] = doc.take(
                f"{key}[{i}].{fld}", r, first_col + k, header, "date" if fld in dates else None
            )
        out.append(rec)
    return out


def _labelled(
    rd: _Reader, doc: _DealDoc, key: str, block: L.Block, *, unique: bool
) -> dict[str, object] | list[dict[str, object]]:
    g = doc.g
    first_col, rows = _block_rows(rd, g, block)
    pairs: list[tuple[str, int]] = []
    for r in rows:
        label = g.value(r, first_col, block.title)
        if label is None:
            continue
        pairs.append((str(label) if unique else str(label).strip(), r))
    if not unique:
        out_list: list[dict[str, object]] = []
        for i, (label, r) in enumerate(pairs):
            doc.locations[f"{key}[{i}].label"] = g.loc(r, first_col, block.title)
            out_list.append({"label": label, "value": doc.take(f"{key}[{i}].value", r, first_col + 1, label)})
        return out_list
    out: dict[str, object] = {}
    seen: dict[str, int] = {}
    for label, r in pairs:
        if label in seen:
            raise IngestError(
                g.loc(r, first_col, block.title),
                label,
                f"label appears twice in {block.title} (first at row {seen[label]}): labels must be unique",
            )
        seen[label] = r
        kind = "date" if label in {"Stated Maturity Date", "Analysis Date"} else None
        out[label] = doc.take(f"{key}.{label}", r, first_col + 1, label, kind)
    return out


def _read_deal(rd: _Reader, deal: str) -> tuple[RawDocument, RawTable]:
    sheet = L.deal_sheet(deal)
    g = rd.grid(sheet)
    doc = _DealDoc(g)
    d = doc.data
    d["deal"] = deal
    doc.locations["deal"] = Location(file=rd.file, sheet=sheet)
    analysis = rd.name_range(sheet, "AnalysisDate")
    for key, label, row in L.PERIOD_DATES:
        r, c = (
            (analysis[0], analysis[1]) if key == "analysis_date" and analysis else (row, L.PERIOD_VALUE_COL)
        )
        if not (key == "analysis_date" and analysis):
            g.check_header(row, L.PERIOD_LABEL_COL, (label,), "Current Period Dates")
        d[key] = doc.take(key, r, c, label, "date")
    for key, row in (("original_libor", L.ORIGINAL_LIBOR_ROW), ("current_libor", L.CURRENT_LIBOR_ROW)):
        g.check_header(row, L.LIBOR_LABEL_COL, (L.LIBOR_LABELS[key],), "LIBOR")
        d[key] = doc.take(key, row, L.LIBOR_VALUE_COL, L.LIBOR_LABELS[key])

    # holdings (D:E) as a table
    first_col, hrows = _block_rows(rd, g, L.DEAL_COLLATERAL)
    hold_rows = [
        {
            "BLKRockID": g.value(r, first_col, "BLKRockID"),
            "Par Amount": g.value(r, first_col + 1, "Par Amount"),
        }
        for r in hrows
    ]
    for rec, r in zip(hold_rows, hrows, strict=True):
        par = rec["Par Amount"]
        _check_number(g, r, first_col + 1, par, "Par Amount")
        if isinstance(par, int | float) and not isinstance(par, bool) and abs(par) > MAX_PAR:
            raise IngestError(
                g.loc(r, first_col + 1, "Par Amount"),
                par,
                f"par above {MAX_PAR:,.0f} is not a plausible holding",
            )
    holdings = RawTable(
        file=rd.file,
        sheet=sheet,
        headers=("BLKRockID", "Par Amount"),
        rows=tuple(hold_rows),
        first_row=hrows[0] if hrows else L.DEAL_COLLATERAL.first_row,
        columns={"BLKRockID": first_col, "Par Amount": first_col + 1},
        row_numbers=tuple(hrows),
    )

    d["accounts"] = _records(rd, doc, "accounts", L.ACCOUNTS)
    d["quality_test_inputs"] = _labelled(rd, doc, "quality_test_inputs", L.QUALITY_TEST_INPUTS, unique=True)
    d["test_thresholds"] = _records(rd, doc, "test_thresholds", L.TEST_THRESHOLDS)
    ow = L.OBJ_WEIGHTS
    d["objective_weights"] = _records(
        rd,
        doc,
        "objective_weights",
        ow,
        named_cols=(ow.first_col + L.OBJ_WEIGHTS_NAME_OFFSET, ow.first_col + 3),
    )
    d["tranches"] = _read_liability(rd, doc)
    d["par_column"] = L.par_column(deal)
    d["cf_inputs"] = _labelled(rd, doc, "cf_inputs", L.CF_INPUTS, unique=True)
    d["clo_inputs"] = _labelled(rd, doc, "clo_inputs", L.CLO_INPUTS, unique=False)
    d["date_inputs"] = _read_date_inputs(rd, doc)
    d["fees"] = _records(rd, doc, "fees", L.FEES)
    pd_ = L.PAYMENT_DATES
    d["payment_dates"] = _records(
        rd, doc, "payment_dates", pd_, named_cols=(pd_.first_col, pd_.first_col), date_fields=pd_.fields
    )
    d["pay_sub_notes"] = _records(rd, doc, "pay_sub_notes", L.PAY_SUB_NOTES, date_fields=("date",))
    return RawDocument(file=rd.file, data=d, locations=doc.locations, sheet=sheet), holdings


def _read_liability(rd: _Reader, doc: _DealDoc) -> list[dict[str, object]]:
    """``Liability``: one column per tranche, fields by row position (CASHFLOW_SPEC §0.3)."""
    g = doc.g
    named = rd.name_range(g.sheet, "Liability")
    r1, c1 = (named[0], named[1]) if named else (L.LIABILITY_FIRST_ROW, L.LIABILITY_FIRST_COL)
    c_last = named[3] if named else None
    out: list[dict[str, object]] = []
    c = c1
    while (c_last is None or c <= c_last) and g.raw(r1, c) is not None:
        rec: dict[str, object] = {}
        i = len(out)
        for k, (key, label) in enumerate(L.TRANCHE_FIELDS):
            rec[key] = doc.take(f"tranches[{i}].{key}", r1 + k, c, label)
        out.append(rec)
        c += 1
    if out:
        g.check_unmerged(r1, c1, r1 + len(L.TRANCHE_FIELDS) - 1, c - 1, "Liability")
    return out


def _read_date_inputs(rd: _Reader, doc: _DealDoc) -> dict[str, object]:
    """``DateInputs``: 12 values by position (pricing … business-day convention)."""
    g = doc.g
    named = rd.name_range(g.sheet, "DateInputs")
    r1, c = (named[0], named[1]) if named else (L.DATE_INPUTS.first_row, L.DATE_INPUTS.first_col + 1)
    out: dict[str, object] = {}
    if named is None and not g.header_matches(
        L.DATE_INPUTS.header_row, L.DATE_INPUTS.first_col, ("Date Input",)
    ):
        return out  # [inferred] position, no name: the workbook has no DateInputs block
    for k, (key, label) in enumerate(L.DATE_INPUT_KEYS):
        kind = "date" if k < 7 else None
        out[key] = doc.take(f"date_inputs.{key}", r1 + k, c, label, kind)
    return out


# ------------------------------------------------------------------------------------------------
# Run Model, Reference Table, Filter Sheet


def _read_run_model(rd: _Reader) -> RawDocument:
    g = rd.grid(L.RUN_MODEL)
    data: dict[str, Any] = {}
    locations: dict[str, Location] = {}

    def take(path: str, r: int, c: int, column: str, kind: str | None = None) -> object:
        v = g.value(r, c, column)
        if kind == "date":
            _check_date(g, r, c, v, column)
        locations[path] = g.loc(r, c, column)
        return v

    for key, ref, label in L.RUN_MODEL_CELLS:
        r, c = L.parse_cell(ref)
        g.check_unmerged(r, c, r, c, label)
        data[key] = take(key, r, c, label, "date" if key == "analysis_date" else None)
    for key, (name, r1, r2) in (("buy_filter", L.BUY_FILTER), ("sale_filter", L.SALE_FILTER)):
        rows: list[dict[str, object]] = []
        for r in range(r1, r2 + 1):
            i = len(rows)
            rec = {
                f: take(f"{key}[{i}].{f}", r, L.FILTER_FIRST_COL + k, f"{name} {f}")
                for k, f in enumerate(L.FILTER_FIELDS)
            }
            if any(v is not None for v in rec.values()):
                rows.append(rec)
        data[key] = rows
    trades: list[dict[str, object]] = []
    for r in range(L.HYPO_FIRST_ROW, L.HYPO_LAST_ROW + 1):
        if all(g.raw(r, L.HYPO_FIRST_COL + k) is None for k in range(5)) and not any(
            (r, L.HYPO_FIRST_COL + k) in g.errors for k in range(5)
        ):
            continue
        i = len(trades)
        trades.append(
            {
                h: take(f"hypo_trades[{i}].{h}", r, L.HYPO_FIRST_COL + k, h)
                for k, h in enumerate(L.HYPO_HEADERS)
            }
        )
    data["hypo_trades"] = trades
    panel: list[dict[str, object]] = []
    for r in range(L.OBJECTIVE_PANEL_ROWS[0], L.OBJECTIVE_PANEL_ROWS[1] + 1):
        if g.raw(r, L.OBJECTIVE_PANEL_COLS["test_number"]) is None:
            continue
        i = len(panel)
        panel.append(
            {k: take(f"objective_panel[{i}].{k}", r, c, k) for k, c in L.OBJECTIVE_PANEL_COLS.items()}
        )
    data["objective_panel"] = panel
    return RawDocument(file=rd.file, data=data, locations=locations, sheet=L.RUN_MODEL)


_INFERRED_SECTIONS = frozenset({"libor_curve", "deals", "cf_assumptions"})


def _read_reference(rd: _Reader) -> dict[str, RawTable]:
    g = rd.grid(L.REFERENCE_TABLE)
    out: dict[str, RawTable] = {}
    for sec in L.REFERENCE_SECTIONS:
        first_col, first_row = sec.first_col, L.REFERENCE_FIRST_ROW
        last_row: int | None = None
        if sec.key in _INFERRED_SECTIONS:
            # [inferred] positions: use the workbook-level name when the default spot holds something else
            header = g.raw(L.REFERENCE_HEADER_ROW, first_col)
            if header is None or str(header).strip().casefold() != sec.headers[0].casefold():
                named = rd.name_range(None, sec.name)
                if named is None:
                    out[sec.key] = RawTable(rd.file, L.REFERENCE_TABLE, sec.headers, ())
                    continue
                first_row, first_col, last_row = named[0], named[1], named[2]
        else:
            for k, h in enumerate(sec.headers):
                g.check_header(L.REFERENCE_HEADER_ROW, first_col + k, (h,), sec.title)
        rows: list[dict[str, object]] = []
        r = first_row
        while (last_row is None or r <= last_row) and (
            g.raw(r, first_col) is not None or (r, first_col) in g.errors
        ):
            rows.append({h: g.value(r, first_col + k, h) for k, h in enumerate(sec.headers)})
            r += 1
        if rows:
            g.check_unmerged(first_row, first_col, r - 1, first_col + len(sec.headers) - 1, sec.title)
        out[sec.key] = RawTable(
            file=rd.file,
            sheet=L.REFERENCE_TABLE,
            headers=sec.headers,
            rows=tuple(rows),
            first_row=first_row,
            columns={h: first_col + k for k, h in enumerate(sec.headers)},
        )
    return out


def _read_filter_lists(rd: _Reader) -> dict[str, tuple[object, ...]]:
    g = rd.grid(L.FILTER_SHEET)
    out: dict[str, tuple[object, ...]] = {}
    for j, (key, header) in enumerate(L.FILTER_LISTS, start=1):
        g.check_header(1, j, (header,), L.FILTER_SHEET)
        values: list[object] = []
        r = 2
        while g.raw(r, j) is not None:
            values.append(g.value(r, j, header))
            r += 1
        out[key] = tuple(values)
    return out


# ------------------------------------------------------------------------------------------------
# Entry points


#: prefixes of the output tabs clo-xl and the legacy write (never inputs, so never listed as such)
OUTPUT_TAB_PREFIXES = ("Compliance-", "HYPO-", "Deal CF-", "Rankings-Output", "Rebalance-Output")


def _missing_sheet(sheet: str, present: Sequence[str]) -> str:
    """Why a sheet is missing, naming what is there: the deals for a deal sheet, else the input sheets."""
    if sheet.endswith(" Inputs"):
        deals = ", ".join(deal_sheets_present(present)) or "none"
        return f"missing sheet '{sheet}': no such deal in this workbook (deals: {deals})"
    inputs = [n for n in present if not n.startswith(OUTPUT_TAB_PREFIXES)]
    return f"missing sheet '{sheet}' (the legacy layout needs it; input sheets present: {', '.join(inputs)})"


def deal_sheets_present(sheet_names: Iterable[str]) -> tuple[str, ...]:
    """Deals whose ``Mag N Inputs`` sheet exists, in the legacy order (unknown 'X Inputs' sheets too)."""
    names = list(sheet_names)
    known = [d for d in L.DEALS if L.deal_sheet(d) in names]
    extra = [
        n[: -len(" Inputs")] for n in names if n.endswith(" Inputs") and n[: -len(" Inputs")] not in L.DEALS
    ]
    return tuple(known + extra)


def _all_deals(rd: _Reader, listed: RawTable | None) -> tuple[str, ...]:
    """Every deal to read: the ``Deals`` list of the Reference Table (its first row, "All", skipped as the
    legacy does) when the workbook has one, else the deal sheets present. A listed deal without its
    sheet, or a ``... Inputs`` sheet for a deal that is not listed (a renamed sheet), is refused."""
    present = deal_sheets_present(rd.sheets)
    if listed is None or not listed.rows:
        return tuple(d for d in present if d in L.DEALS) or present
    header = listed.headers[0]
    # the legacy skips the list's first row ("All" or a header) and reads the deals below it
    entries = [(i, str(r.get(header)).strip()) for i, r in enumerate(listed.rows) if i > 0 and r.get(header)]
    names = [n for _, n in entries]
    for i, name in entries:
        if name not in present:
            raise IngestError(
                Location(file=rd.file, sheet=L.deal_sheet(name)),
                name,
                f"missing sheet '{L.deal_sheet(name)}': deal '{name}' is in the Deals list "
                f"({listed.locate(i, header).cell or 'Reference Table'}) but has no deal sheet",
            )
    for name in present:
        if name not in names:
            raise IngestError(
                Location(file=rd.file, sheet=L.deal_sheet(name)),
                L.deal_sheet(name),
                f"sheet '{L.deal_sheet(name)}' is not a deal of the Deals list ({', '.join(names)}): "
                "rename it to its deal's name, or add the deal to the list in the Reference Table",
            )
    return tuple(names)


def read_workbook(path: str | Path | GridSource, *, deals: Iterable[str] | None = None) -> WorkbookData:
    """Read a TradeHypo workbook (``.xlsm``/``.xlsx``, or a :class:`GridSource` such as the open workbook)
    into a :class:`WorkbookData`.

    ``deals`` limits which ``Mag N Inputs`` sheets are read (default: every one present; a named deal
    whose sheet is missing raises). Raises :class:`IngestError` for structural problems, located to the
    cell.
    """
    if isinstance(path, str | Path):
        p = Path(path)
        if not p.is_file():
            raise IngestError(Location(file=str(p)), None, "workbook file not found")
        rd = _Reader(p)
    else:
        rd = _Reader(path)
    reference = _read_reference(rd)
    wanted = tuple(deals) if deals is not None else _all_deals(rd, reference.get("deals"))
    if not wanted:
        raise IngestError(
            Location(file=rd.file, sheet=L.deal_sheet("Mag 17")),
            None,
            "no 'Mag N Inputs' deal sheet in the workbook",
        )
    docs: dict[str, RawDocument] = {}
    holdings: dict[str, RawTable] = {}
    for deal in wanted:
        docs[deal], holdings[deal] = _read_deal(rd, deal)
    names = {(f"{scope}!{name}" if scope else name): ref for (scope, name), ref in rd.names.items()}
    return WorkbookData(
        file=rd.file,
        sheet_names=rd.sheets,
        assets=_read_assets(rd),
        deals=docs,
        holdings=holdings,
        run_model=_read_run_model(rd),
        reference=reference,
        filter_lists=_read_filter_lists(rd),
        names=names,
    )


def deal_trades(data: WorkbookData, deal: str) -> tuple[list[dict[str, object]], dict[str, Location]]:
    """The ``Run Model`` hypo rows (J11:N39) whose Deal column equals ``deal`` (as the legacy filters by C9),
    with their cells, keyed for :func:`clo_xl.ingest.deal_inputs.parse_trade_records`."""
    rm = data.run_model
    trades: list[dict[str, object]] = []
    locations: dict[str, Location] = {}
    rows: list[dict[str, object]] = rm.data.get("hypo_trades", [])  # type: ignore[assignment]
    for i, rec in enumerate(rows):
        if str(rec.get("Deal") or "").strip() != deal:
            continue
        j = len(trades)
        trades.append(dict(rec))
        for h in L.HYPO_HEADERS:
            locations[f"trades[{j}].{h}"] = rm.locate(f"hypo_trades[{i}].{h}")
    return trades, locations


def load_deal(
    source: str | Path | WorkbookData, deal: str
) -> tuple[tuple[Asset, ...], tuple[Holding, ...], DealInputs]:
    """Read (if given a path) and parse one deal: ``(assets, holdings, deal_inputs)``.

    ``assets`` is the whole ``All Assets`` universe (tuple of :class:`~clo_xl.portfolio.asset.Asset`),
    ``holdings`` the deal's ``DealCollateral`` rows (tuple of :class:`~clo_xl.portfolio.pool.Holding`),
    ``deal_inputs`` the :class:`~clo_xl.deal.DealInputs` of the deal sheet, with the deal's hypothetical
    trades from ``Run Model`` J11:N39.
    """
    from clo_xl.ingest.assets import parse_assets, parse_holdings
    from clo_xl.ingest.deal_inputs import parse_deal_inputs

    data = source if isinstance(source, WorkbookData) else read_workbook(source, deals=[deal])
    doc = data.deal(deal)
    trades, trade_locations = deal_trades(data, deal)
    holidays = (
        [r.get("Date") for r in data.reference["holidays"].rows] if "holidays" in data.reference else []
    )
    doc = RawDocument(
        file=doc.file,
        data={**doc.data, "trades": trades, "holidays": holidays},
        locations={**doc.locations, **trade_locations},
        sheet=doc.sheet,
    )
    return parse_assets(data.assets), parse_holdings(data.holdings[deal]), parse_deal_inputs(doc)


def read_asset_correlation(path: str | Path) -> tuple[tuple[str, ...], np.ndarray]:
    """The ``Asset Correlation`` sheet (user-defined correlation for credit migration, COMPLIANCE_SPEC §1.1):
    BRS IDs across row 1 from B1 and down column A from A2, the matrix from B2 (or the ``AssetCorrelation``
    named range). Returns ``(ids, matrix)``; the matrix is float, square, symmetric with a unit diagonal.
    A label mismatch, a blank or non-numeric cell, or an asymmetric pair raises a located error."""
    rd = _Reader(Path(path))
    g = rd.grid(L.ASSET_CORRELATION)
    named = rd.name_range(None, "AssetCorrelation")
    r1, c1 = (named[0], named[1]) if named else (2, 2)
    ids: list[str] = []
    c = c1
    while g.raw(r1 - 1, c) is not None:
        ids.append(str(g.value(r1 - 1, c, "BRS ID")).strip())
        c += 1
    n = len(ids)
    g.check_unmerged(r1 - 1, c1 - 1, r1 + n - 1, c1 + n - 1, L.ASSET_CORRELATION)
    matrix = np.empty((n, n))
    for i in range(n):
        row_id = str(g.value(r1 + i, c1 - 1, "BRS ID") or "").strip()
        if row_id != ids[i]:
            raise IngestError(
                g.loc(r1 + i, c1 - 1, "BRS ID"),
                row_id or None,
                f"row label must repeat the column label {ids[i]!r} (the matrix is asset × asset)",
            )
        for j in range(n):
            v = g.value(r1 + i, c1 + j, ids[j])
            if not isinstance(v, int | float) or isinstance(v, bool):
                raise IngestError(g.loc(r1 + i, c1 + j, ids[j]), v, "correlation must be a number")
            matrix[i, j] = float(v)
    bad = np.argwhere(~np.isclose(matrix, matrix.T) | ((np.eye(n) == 1) & ~np.isclose(matrix, 1.0)))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        raise IngestError(
            g.loc(r1 + i, c1 + j, ids[j]),
            float(matrix[i, j]),
            "the correlation matrix must be symmetric with 1 on the diagonal",
        )
    return tuple(ids), matrix


# ------------------------------------------------------------------------------------------------
# Helpers for in-memory data (the sample generator, tests)


def assets_table(records: Sequence[Mapping[str, object]], *, file: str | None = None) -> RawTable:
    """A :class:`RawTable` over asset records keyed by the 70 headers, located as in ``All Assets``."""
    return RawTable(
        file=file,
        sheet=L.ALL_ASSETS,
        headers=L.ALL_ASSETS_HEADERS,
        rows=tuple(
            {h: (None if r.get(h) == "" else r.get(h)) for h in L.ALL_ASSETS_HEADERS} for r in records
        ),
        first_row=L.ALL_ASSETS_FIRST_ROW,
        columns={h: j for j, h in enumerate(L.ALL_ASSETS_HEADERS, start=1)},
    )


def deal_document(doc: Mapping[str, Any], *, file: str | None = None) -> RawDocument:
    """A :class:`RawDocument` over an in-memory deal document (no cell locations)."""
    data = {k: v for k, v in doc.items() if k != "holdings"}
    return RawDocument(file=file, data=data, sheet=L.deal_sheet(str(doc.get("deal", ""))))


__all__ = [
    "GridSource",
    "SheetGrid",
    "WorkbookData",
    "assets_table",
    "deal_document",
    "deal_sheets_present",
    "deal_trades",
    "load_deal",
    "read_asset_correlation",
    "read_workbook",
]
