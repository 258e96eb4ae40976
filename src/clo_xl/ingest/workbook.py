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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import python_calamine

from clo_xl import xlsx
from clo_xl.errors import IngestError, Location
from clo_xl.ingest import layout as L
from clo_xl.ingest.book import deal_trades, validated
from clo_xl.ingest.data import WorkbookData
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawDocument, RawTable

if TYPE_CHECKING:
    from clo_xl.deal import DealInputs
    from clo_xl.portfolio.asset import Asset
    from clo_xl.portfolio.pool import Holding


# ------------------------------------------------------------------------------------------------
# Public result


# ------------------------------------------------------------------------------------------------
# Low level: the xlsx package and one sheet's grid


def _normalise(value: object) -> object:
    if value == "" or value is None:
        return None
    if isinstance(value, time):  # a 00:00:00 cell: the legacy's "no date" (serial 0)
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400.0
    return value


class _Grid:
    """One sheet's cells (1-based access), its error cells and merged ranges, for located reads. Problems
    (formula errors, formulas without a saved result, merged cells, moved headers) go to ``problems`` and
    the bad cell reads as blank, so reading carries on to the next problem."""

    def __init__(
        self,
        file: str,
        sheet: str,
        rows: list[list[object]],
        scan: xlsx.SheetScan,
        merges: Sequence[tuple[int, int, int, int]],
        problems: Problems,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.rows = rows
        self.errors = scan.errors
        self.uncached = scan.uncached
        self.merges = merges
        self.problems = problems
        self.max_row = len(rows)

    def loc(self, r: int, c: int, column: str | None = None) -> Location:
        return Location(file=self.file, sheet=self.sheet, cell=L.cell_ref(r, c), column=column, row=r)

    def raw(self, r: int, c: int) -> object:
        if r < 1 or r > len(self.rows):
            return None
        row = self.rows[r - 1]
        return _normalise(row[c - 1]) if 0 < c <= len(row) else None

    def value(self, r: int, c: int, column: str | None = None) -> object:
        """The cell's value; a formula error (#N/A, #REF!...) or an unsaved formula is a problem (None)."""
        err = self.errors.get((r, c))
        if err is not None:
            self.problems.add(self.loc(r, c, column), err, f"formula error {err} in an input cell")
            return None
        value = self.raw(r, c)
        if value is None and (r, c) in self.uncached:
            self.problems.add(
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
                self.problems.add(
                    self.loc(mr1, mc1, what),
                    ref,
                    f"merged cells {ref} inside the {what} table: unmerge them (one value per cell)",
                )

    def header_matches(self, r: int, c: int, accepted: Sequence[str]) -> bool:
        found = self.raw(r, c)
        text = str(found).strip().casefold() if found is not None else ""
        return (r, c) not in self.errors and text in {a.strip().casefold() for a in accepted}

    def check_header(self, r: int, c: int, accepted: Sequence[str], what: str) -> bool:
        if self.header_matches(r, c, accepted):
            return True
        found = self.value(r, c, accepted[0])
        spell = " or ".join(repr(a) for a in accepted)
        self.problems.add(
            self.loc(r, c, accepted[0]),
            found,
            f"missing or moved header in the {what} block: expected {spell} here",
        )
        return False


def _missing_sheet(sheet: str, present: Sequence[str]) -> str:
    """Why a sheet is missing, naming what is there: the deals for a deal sheet, else the input sheets."""
    if sheet.endswith(" Inputs"):
        deals = ", ".join(deal_sheets_present(present)) or "none"
        return f"missing sheet '{sheet}': no such deal in this workbook (deals: {deals})"
    inputs = [n for n in present if not n.startswith(L.OUTPUT_TAB_PREFIXES)]
    return f"missing sheet '{sheet}' (the legacy layout needs it; input sheets present: {', '.join(inputs)})"


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


#: about how many bytes of a streamed sheet's XML python-calamine reads at a time (memory: ~2.5 times this)
PIECE_BYTES = 8 << 20


class _FileSource:
    """A workbook file: its package checked part by part first (:class:`clo_xl.xlsx.Package`), then its
    values read with python-calamine. Package problems go to ``problems``; a damaged sheet reads as absent.

    The sheets in ``streamed`` (``All Assets``: the one that grows large) are left out of the first scan:
    :meth:`stream_sheet` checks each in one pass that also hands its cells over, a piece of rows at a time.
    """

    def __init__(self, path: Path, problems: Problems, *, streamed: frozenset[str] = frozenset()) -> None:
        self.file = str(path)
        self.problems = problems
        try:
            self.package = xlsx.Package(path)
        except xlsx.PackageProblem as exc:
            raise IngestError(Location(file=self.file, sheet=exc.sheet), None, str(exc)) from None
        if path.suffix.lower() == ".xlsm" and self.package.main_content_type != xlsx.MACRO_WORKBOOK_TYPE:
            self.package.close()
            raise IngestError(
                Location(file=self.file),
                None,
                "a macro-free .xlsx workbook named .xlsm (Excel refuses to open it): "
                "rename it to .xlsx, or save it from Excel as a macro-enabled workbook",
            )
        self.damaged: set[str] = set()
        self.scans = self.package.scan(self.package_problem, skip=streamed)
        try:
            self.book = python_calamine.CalamineWorkbook.from_path(self.file)
        except Exception as exc:  # calamine raises its own error types for unreadable files
            self.package.close()
            raise IngestError(Location(file=self.file), None, f"cannot read the workbook: {exc}") from None
        self.sheets = self.package.sheet_names
        self.names = {(n.scope, n.name): n.reference for n in self.package.names}

    def package_problem(self, problem: xlsx.PackageProblem) -> None:
        if problem.sheet is not None:
            self.damaged.add(problem.sheet)
        self.problems.add(Location(file=self.file, sheet=problem.sheet), None, str(problem))

    def close(self) -> None:
        self.package.close()
        self.book.close()

    def calamine_sheet(self, sheet: str) -> Any:
        """The calamine sheet, or None (damaged or unreadable: a problem is recorded)."""
        if sheet in self.damaged:
            return None  # the package scan has said why
        try:
            return self.book.get_sheet_by_name(sheet)
        except Exception as exc:
            self.unreadable(sheet, exc)
            return None

    def unreadable(self, sheet: str, exc: Exception) -> None:
        text = str(exc)
        if "shared strings" in text:
            count = self.package.shared_string_count() or 0
            for cell, index in self.package.bad_shared_string_cells(sheet, count)[:20]:
                self.problems.add(
                    Location(file=self.file, sheet=sheet, cell=cell),
                    index,
                    f"the cell points at shared string {index} but the workbook holds {count}: "
                    "the file is damaged; restore it from a copy",
                )
            return
        self.problems.add(Location(file=self.file, sheet=sheet), None, f"the sheet cannot be read: {text}")

    def stream_sheet(
        self, sheet: str, on_rows: Callable[[int, int, Sequence[Sequence[object]]], None]
    ) -> list[tuple[int, int, int, int]] | None:
        """Check ``sheet``'s part (CRC, well-formed XML, error cells, unsaved formulas) and read its cells in
        the same pass: each piece of whole rows goes through python-calamine as a workbook of its own
        (:meth:`clo_xl.xlsx.Package.piece_book`), so the sheet is never held whole; ``on_rows(first row,
        first column (0-based), rows)`` gets the values piece by piece, in sheet order. Returns the merged
        ranges, or None when the sheet is damaged or unreadable (a problem is recorded). A part laid out
        otherwise than plainly (a namespace prefix...) is read whole after the check."""
        entry = self.package.sheet(sheet)
        if entry is None or entry.part is None or entry.part not in self.package.part_names:
            return None  # the package scan has said why
        failed: list[Exception] = []
        handed: list[int] = []

        def piece(rows: bytes) -> None:
            if failed:
                return
            handed.append(len(rows))
            try:
                book = python_calamine.CalamineWorkbook.from_filelike(BytesIO(self.package.piece_book(rows)))
                try:
                    found = book.get_sheet_by_name(xlsx.PIECE_SHEET)
                    if found.start is not None:
                        first_row, first_col = found.start
                        on_rows(first_row + 1, first_col, found.to_python(skip_empty_area=True))
                finally:
                    book.close()
            except _RowsOutOfOrder:
                raise
            except Exception as exc:  # calamine's own error types for cells it cannot decode
                failed.append(exc)

        pieces = xlsx.RowPieces(piece, PIECE_BYTES)
        try:
            self.scans[sheet] = self.package.scan_part(entry.part, on_chunk=pieces)
        except xlsx.PackageProblem as problem:
            self.package_problem(problem)
            return None
        if failed:
            self.unreadable(sheet, failed[0])
            return None
        if pieces.finish():
            return pieces.merges()
        if handed:  # pragma: no cover - a well-formed part cut into pieces always ends its sheetData
            self.unreadable(sheet, ValueError("its rows could not be read in order"))
            return None
        return self.read_whole(sheet, on_rows)

    def read_whole(
        self, sheet: str, on_rows: Callable[[int, int, Sequence[Sequence[object]]], None]
    ) -> list[tuple[int, int, int, int]] | None:
        """``sheet`` read whole with python-calamine (checked by the package scan), as any other sheet."""
        whole = self.calamine_sheet(sheet)
        if whole is None:
            return None
        try:
            if whole.start is not None:
                on_rows(whole.start[0] + 1, whole.start[1], whole.to_python(skip_empty_area=True))
        except Exception as exc:
            self.unreadable(sheet, exc)
            return None
        return [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (whole.merged_cell_ranges or [])]

    def grid(self, sheet: str) -> SheetGrid | None:
        s = self.calamine_sheet(sheet)
        if s is None:
            return None
        try:
            rows = cast(list[list[object]], s.to_python(skip_empty_area=False))
        except Exception as exc:
            self.unreadable(sheet, exc)
            return None
        merges = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (s.merged_cell_ranges or [])]
        scan = self.scans.get(sheet) or xlsx.SheetScan()
        return SheetGrid(rows, scan.errors, merges, frozenset(scan.uncached))


class _Reader:
    """A workbook being read (a file, or a :class:`GridSource` such as the open workbook in Excel) and the
    problems found so far. A sheet that is missing or cannot be read is a problem and reads as absent."""

    def __init__(
        self, source: Path | GridSource, problems: Problems, *, streamed: frozenset[str] = frozenset()
    ) -> None:
        self.problems = problems
        self.files: _FileSource | None = (
            _FileSource(source, problems, streamed=streamed) if isinstance(source, Path) else None
        )
        self.source: _FileSource | GridSource = self.files or cast(GridSource, source)
        self.file = self.source.file
        self.sheet_names = tuple(self.source.sheets)
        self.names: Mapping[tuple[str | None, str], str] = self.source.names
        #: error cells and unsaved formulas per sheet (the package scan's, or the source's grids')
        self.scans: dict[str, xlsx.SheetScan] = dict(self.files.scans) if self.files else {}

    def close(self) -> None:
        if self.files is not None:
            self.files.close()

    def has(self, sheet: str) -> bool:
        return sheet in self.sheet_names

    def present(self, sheet: str) -> bool:
        """Whether ``sheet`` exists; a missing sheet is a problem."""
        if self.has(sheet):
            return True
        reason = _missing_sheet(sheet, self.sheet_names)
        self.problems.add(Location(file=self.file, sheet=sheet), None, reason)
        return False

    def sheet_grid(self, sheet: str) -> SheetGrid | None:
        if not self.present(sheet):
            return None
        found = self.source.grid(sheet)
        if found is not None and self.files is None:
            self.scans[sheet] = xlsx.SheetScan(dict(found.errors), set(found.uncached))
        return found

    def grid(self, sheet: str) -> _Grid | None:
        found = self.sheet_grid(sheet)
        if found is None:
            return None
        scan = xlsx.SheetScan(dict(found.errors), set(found.uncached))
        return _Grid(self.file, sheet, found.rows, scan, found.merges, self.problems)

    def unreadable(self, sheet: str, exc: Exception) -> None:
        if self.files is not None:
            self.files.unreadable(sheet, exc)
        else:
            self.problems.add(Location(file=self.file, sheet=sheet), None, f"the sheet cannot be read: {exc}")

    def name_range(self, scope: str | None, name: str) -> tuple[int, int, int, int] | None:
        ref = self.names.get((scope, name))
        if ref is None:
            return None
        try:
            area = xlsx.parse_range(ref)
        except ValueError:
            return None
        return area.row1, area.col1, area.row2, area.col2


# ------------------------------------------------------------------------------------------------
# Value checks (structure only; the parsers do the typing)


def _check_date(g: _Grid, r: int, c: int, value: object, column: str) -> None:
    if value is None or (isinstance(value, date | int | float) and not isinstance(value, bool)):
        return
    if isinstance(value, str):
        g.problems.add(
            g.loc(r, c, column),
            value,
            "date stored as text: enter it as an Excel date (the legacy cell is a date)",
        )
        return
    g.problems.add(g.loc(r, c, column), value, "expected a date")


# ------------------------------------------------------------------------------------------------
# All Assets: streamed row by row into columns


_CHUNK_ROWS = 4096


def _clean_column(values: Sequence[object]) -> list[object]:
    """A column as read: '' → None, 00:00:00 / durations → day fractions, equal values shared (one object
    per distinct text, so a column of a few hundred industries costs a few hundred strings)."""
    kinds = set(map(type, values))
    if kinds <= {float, int, bool, type(None), date, datetime}:
        return list(values)
    try:
        canonical = {v: _normalise(v) for v in set(values)}
    except TypeError:  # pragma: no cover - calamine hands out hashable values only
        return [_normalise(v) for v in values]
    return list(map(canonical.__getitem__, values))


def _asset_headers(rd: _Reader, header: Sequence[object]) -> bool:
    """Check row 1 of All Assets (the 70 headers, no header repeated to the right); False if unusable."""
    ok = True

    def loc(j: int, h: str) -> Location:
        cell = L.cell_ref(L.ALL_ASSETS_HEADER_ROW, j)
        return Location(file=rd.file, sheet=L.ALL_ASSETS, cell=cell, column=h, row=1)

    scan = rd.scans.get(L.ALL_ASSETS) or xlsx.SheetScan()
    for j, expected in enumerate(L.ALL_ASSETS_HEADERS, start=1):
        found = _normalise(header[j - 1]) if j <= len(header) else None
        if (1, j) in scan.errors or str(found or "").strip().casefold() != expected.strip().casefold():
            rd.problems.add(
                loc(j, expected),
                scan.errors.get((1, j), found),
                f"missing or moved header in the All Assets block: expected {expected!r} here",
            )
            ok = False
    known = {h.strip().casefold(): j for j, h in enumerate(L.ALL_ASSETS_HEADERS, start=1)}
    for j in range(len(L.ALL_ASSETS_HEADERS) + 1, len(header) + 1):
        extra = _normalise(header[j - 1])
        first = known.get(str(extra).strip().casefold()) if extra is not None else None
        if first is not None:
            rd.problems.add(
                loc(j, str(extra)),
                extra,
                f"header appears twice (also column {xlsx.column_letter(first)}): the legacy reads columns "
                "by position, so the extra column is ignored; delete or rename it",
            )
    return ok


class _RowsOutOfOrder(Exception):
    """A piece of a streamed sheet starts above rows already read (its rows written out of order)."""


@dataclass
class _Streamed:
    """``All Assets`` rows turned into columns as they arrive, a piece of rows at a time (so the sheet is
    never held as Python rows), with the sheet rows they came from; rows whose BLKRockID cell is blank are
    noted, not kept. Row 1 (the headers) is kept apart."""

    n_cols: int
    columns: list[list[object]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    header: list[object] = field(default_factory=list)
    next_row: int = 1  # the sheet row of the next row handed in

    def __post_init__(self) -> None:
        self.columns = [[] for _ in range(self.n_cols)]

    def add(self, first_row: int, first_col: int, rows: Sequence[Sequence[object]]) -> None:
        """Rows of the sheet from ``first_row`` (1-based), their first value in column ``first_col + 1``;
        rows skipped since the last call hold nothing (blank)."""
        if first_row < self.next_row:
            raise _RowsOutOfOrder(first_row)
        r = self.next_row
        if first_row > r:
            self.blank_rows.extend(range(max(r, L.ALL_ASSETS_FIRST_ROW), first_row))
            r = first_row
        if r == L.ALL_ASSETS_HEADER_ROW and rows:
            self.header = [""] * first_col + list(rows[0])
            rows, r = rows[1:], r + 1
        kept: list[Sequence[object]] = []
        for row in rows:
            if first_col or not row or row[0] == "" or row[0] is None:
                self.blank_rows.append(r)
            else:
                kept.append(row)
                self.numbers.append(r)
            r += 1
        self.next_row = r
        if kept:
            width = max(map(len, kept))
            if min(map(len, kept)) != width:  # a grid handed in by a GridSource may be ragged
                kept = [[*row, *[""] * (width - len(row))] for row in kept]
            columns = list(zip(*kept, strict=True))
            blank: tuple[object, ...] = ("",) * len(kept)
            for j in range(self.n_cols):
                self.columns[j].extend(_clean_column(columns[j] if j < width else blank))


_UNSAVED = (
    "formula with no saved result (the file was written without calculating): "
    "open it in Excel or LibreOffice, save, and retry"
)


def _asset_problems(rd: _Reader, streamed: _Streamed, merges: Sequence[tuple[int, int, int, int]]) -> None:
    """Blank rows inside the table, formula errors, unsaved formulas and merged cells of ``All Assets``."""
    headers = L.ALL_ASSETS_HEADERS
    n_cols = len(headers)

    def where(r: int, c: int, column: str) -> Location:
        return Location(file=rd.file, sheet=L.ALL_ASSETS, cell=L.cell_ref(r, c), column=column, row=r)

    scan = rd.scans.get(L.ALL_ASSETS) or xlsx.SheetScan()
    errors = {rc: e for rc, e in scan.errors.items() if rc[0] >= L.ALL_ASSETS_FIRST_ROW and rc[1] <= n_cols}
    numbers = streamed.numbers
    last = numbers[-1] if numbers else 0
    inside = [b for b in streamed.blank_rows if b < last and (b, 1) not in errors]
    if inside:
        below = next(n for n in numbers if n > inside[0])
        rd.problems.add(
            where(inside[0], 1, "BLKRockID"),
            None,
            f"blank row {inside[0]} inside the All Assets table (assets continue at row {below}): the legacy "
            "stops at the first blank BLKRockID and drops every asset below it; delete the empty row",
        )
    for (er, ec), code in sorted(errors.items()):
        rd.problems.add(where(er, ec, headers[ec - 1]), code, f"formula error {code} in an input cell")
    for ur, uc in sorted(scan.uncached):
        if ur >= L.ALL_ASSETS_FIRST_ROW and uc <= n_cols:
            rd.problems.add(where(ur, uc, headers[uc - 1]), None, _UNSAVED)
    for mr1, mc1, mr2, mc2 in merges:
        if mc1 <= n_cols and mr2 >= L.ALL_ASSETS_HEADER_ROW and mr1 <= max(last, 1):
            ref = f"{L.cell_ref(mr1, mc1)}:{L.cell_ref(mr2, mc2)}"
            reason = f"merged cells {ref} inside the All Assets table: unmerge them (one value per cell)"
            rd.problems.add(where(mr1, mc1, "All Assets"), ref, reason)


def _stream_assets(rd: _Reader) -> tuple[_Streamed, list[tuple[int, int, int, int]] | None]:
    """``All Assets`` as columns and its merged areas: from a file in one checked pass, a piece of rows at
    a time (:meth:`_FileSource.stream_sheet`); the grid of a :class:`GridSource`. The merged areas are
    None when the sheet is missing, damaged or unreadable (a problem is recorded). Rows written out of
    order (which pieces cannot place) are read again from the whole sheet, as any other sheet."""
    streamed = _Streamed(len(L.ALL_ASSETS_HEADERS))
    if not rd.present(L.ALL_ASSETS):
        return streamed, None
    if rd.files is None:
        found = rd.sheet_grid(L.ALL_ASSETS)
        if found is None:
            return streamed, None
        streamed.add(1, 0, found.rows)
        return streamed, list(found.merges)
    try:
        merges = rd.files.stream_sheet(L.ALL_ASSETS, streamed.add)
    except _RowsOutOfOrder:
        streamed = _Streamed(len(L.ALL_ASSETS_HEADERS))
        entry = rd.files.package.sheet(L.ALL_ASSETS)
        try:
            if entry is not None and entry.part is not None:
                rd.files.scans[L.ALL_ASSETS] = rd.files.package.scan_part(entry.part)
        except xlsx.PackageProblem as problem:  # pragma: no cover - the first pass read it this far
            rd.files.package_problem(problem)
            return streamed, None
        merges = rd.files.read_whole(L.ALL_ASSETS, streamed.add)
    scan = rd.files.scans.get(L.ALL_ASSETS)
    if scan is not None:
        rd.scans[L.ALL_ASSETS] = scan
    return streamed, merges


def _read_assets(rd: _Reader) -> RawTable:
    """``All Assets``, streamed into columns (see :class:`_Streamed`). Structural problems go to
    ``rd.problems``."""
    headers = L.ALL_ASSETS_HEADERS
    empty = RawTable(rd.file, L.ALL_ASSETS, headers, (), L.ALL_ASSETS_FIRST_ROW, typed=True)
    try:
        streamed, merges = _stream_assets(rd)
    except Exception as exc:  # calamine's own error types for a sheet it cannot decode
        rd.unreadable(L.ALL_ASSETS, exc)
        return empty
    if merges is None or not _asset_headers(rd, streamed.header):
        return empty
    _asset_problems(rd, streamed, merges)
    return RawTable.from_columns(
        rd.file,
        L.ALL_ASSETS,
        headers,
        dict(zip(headers, streamed.columns, strict=True)),
        first_row=L.ALL_ASSETS_FIRST_ROW,
        columns={h: j for j, h in enumerate(headers, start=1)},
        row_numbers=streamed.numbers,
        typed=True,
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
        found = [
            g.check_header(header_row, first_col + k, accepted, block.title)
            for k, accepted in enumerate(block.headers)
            if accepted
        ]
        if not all(found):
            return first_col, []  # a moved block: its rows would be read from the wrong cells
    if block.name in _NO_GAPS:
        gap = _internal_gap(g, rows, first_col, block, named)
        if gap is not None:
            g.problems.add(
                g.loc(gap[0], first_col, block.headers[0][0] if block.headers[0] else block.title),
                None,
                f"blank row {gap[0]} inside the {block.title} block (rows continue at {gap[1]}): "
                f"delete the empty row so that no {_NO_GAPS[block.name]} is overlooked",
            )
    if rows:
        g.check_unmerged(rows[0], first_col, rows[-1], first_col + block.width - 1, block.title)
    return first_col, rows


#: blocks read to their last row whatever blanks lie between (a blank row would hide what follows it)
_NO_GAPS = {"DealCollateral": "holding", "TestThresholds": "test", "Accounts": "account"}


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
    # holdings: to the end of the sheet; smaller blocks: a few rows (other notes may sit further down)
    end = g.max_row if block.name == "DealCollateral" else min(g.max_row, start + 30)
    below = next(
        (r for r in range(start + 1, end + 1) if any(g.raw(r, first_col + k) is not None for k in range(2))),
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
            g.problems.add(
                g.loc(r, first_col, block.title),
                label,
                f"label appears twice in {block.title} (first at row {seen[label]}): labels must be unique",
            )
            continue
        seen[label] = r
        kind = "date" if label in {"Stated Maturity Date", "Analysis Date"} else None
        out[label] = doc.take(f"{key}.{label}", r, first_col + 1, label, kind)
    return out


def _read_deal(rd: _Reader, deal: str) -> tuple[RawDocument, RawTable] | None:
    sheet = L.deal_sheet(deal)
    g = rd.grid(sheet)
    if g is None:
        return None
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
    holdings = RawTable(
        file=rd.file,
        sheet=sheet,
        headers=("BLKRockID", "Par Amount"),
        rows=tuple(hold_rows),
        first_row=hrows[0] if hrows else L.DEAL_COLLATERAL.first_row,
        columns={"BLKRockID": first_col, "Par Amount": first_col + 1},
        row_numbers=tuple(hrows),
        typed=True,
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
    if g is None:
        return RawDocument(file=rd.file, data={}, sheet=L.RUN_MODEL)
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
    if g is None:
        return out
    for sec in L.REFERENCE_SECTIONS:
        first_col, first_row = sec.first_col, L.REFERENCE_FIRST_ROW
        last_row: int | None = None
        if sec.key in _INFERRED_SECTIONS:
            # [inferred] positions: use the workbook-level name when the default spot holds something else
            header = g.raw(L.REFERENCE_HEADER_ROW, first_col)
            if header is None or str(header).strip().casefold() != sec.headers[0].casefold():
                named = rd.name_range(None, sec.name)
                if named is None:
                    out[sec.key] = RawTable(rd.file, L.REFERENCE_TABLE, sec.headers, (), typed=True)
                    continue
                first_row, first_col, last_row = named[0], named[1], named[2]
        elif not all(
            [
                g.check_header(L.REFERENCE_HEADER_ROW, first_col + k, (h,), sec.title)
                for k, h in enumerate(sec.headers)
            ]
        ):
            out[sec.key] = RawTable(rd.file, L.REFERENCE_TABLE, sec.headers, (), typed=True)
            continue
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
            typed=True,
        )
    return out


def _read_filter_lists(rd: _Reader) -> dict[str, tuple[object, ...]]:
    g = rd.grid(L.FILTER_SHEET)
    out: dict[str, tuple[object, ...]] = {}
    if g is None:
        return out
    for j, (key, header) in enumerate(L.FILTER_LISTS, start=1):
        if not g.check_header(1, j, (header,), L.FILTER_SHEET):
            continue
        values: list[object] = []
        r = 2
        while g.raw(r, j) is not None:
            values.append(g.value(r, j, header))
            r += 1
        out[key] = tuple(values)
    return out


# ------------------------------------------------------------------------------------------------
# Entry points


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
    sheet, or a ``... Inputs`` sheet for a deal that is not listed (a renamed sheet), is a problem."""
    present = deal_sheets_present(rd.sheet_names)
    if listed is None or not listed.rows:
        return tuple(d for d in present if d in L.DEALS) or present
    header = listed.headers[0]
    # the legacy skips the list's first row ("All" or a header) and reads the deals below it
    entries = [(i, str(r.get(header)).strip()) for i, r in enumerate(listed.rows) if i > 0 and r.get(header)]
    names = [n for _, n in entries]
    for i, name in entries:
        if name not in present:
            rd.problems.add(
                Location(file=rd.file, sheet=L.deal_sheet(name)),
                name,
                f"missing sheet '{L.deal_sheet(name)}': deal '{name}' is in the Deals list "
                f"({listed.locate(i, header).cell or 'Reference Table'}) but has no deal sheet",
            )
    for name in present:
        if name not in names:
            rd.problems.add(
                Location(file=rd.file, sheet=L.deal_sheet(name)),
                L.deal_sheet(name),
                f"sheet '{L.deal_sheet(name)}' is not a deal of the Deals list ({', '.join(names)}): "
                "rename it to its deal's name, or add the deal to the list in the Reference Table",
            )
    return tuple(n for n in names if n in present)


def read_workbook(path: str | Path | GridSource, *, deals: Iterable[str] | None = None) -> WorkbookData:
    """Read a TradeHypo workbook (``.xlsm``/``.xlsx``, or a :class:`GridSource` such as the open workbook in
    Excel) and validate it: a :class:`WorkbookData` whose book (:func:`~clo_xl.ingest.book.validated`) holds
    every value typed.

    Every input sheet is read and every rule of :mod:`clo_xl.ingest.book` applied, whatever the command
    (one definition of a valid workbook); ``deals`` names the deals the caller needs, each of which must
    have its sheet. Raises :class:`~clo_xl.errors.InputRejected` listing every problem of the workbook, each
    located to the sheet and cell (a damaged package, a missing sheet or header, a bad value, a holding of
    an unknown asset...).
    """
    source: Path | GridSource
    if isinstance(path, str | Path):
        source = Path(path)
        if not source.is_file():
            raise IngestError(Location(file=str(source)), None, "workbook file not found")
    else:
        source = path
    problems = Problems()
    rd = _Reader(source, problems, streamed=frozenset({L.ALL_ASSETS}))
    try:
        assets = _read_assets(rd)  # first: the large sheet's memory is released before the rest is read
        reference = _read_reference(rd)
        listed = _all_deals(rd, reference.get("deals"))
        present = deal_sheets_present(rd.sheet_names)
        for wanted in deals or ():
            if wanted not in present:
                problems.add(
                    Location(file=rd.file, sheet=L.deal_sheet(wanted)),
                    wanted,
                    _missing_sheet(L.deal_sheet(wanted), rd.sheet_names),
                )
        if not listed and not present:
            problems.add(
                Location(file=rd.file, sheet=L.deal_sheet("Mag 17")),
                None,
                "no 'Mag N Inputs' deal sheet in the workbook",
            )
        docs: dict[str, RawDocument] = {}
        holdings: dict[str, RawTable] = {}
        for deal in listed or present:
            found = _read_deal(rd, deal)
            if found is not None:
                docs[deal], holdings[deal] = found
        data = WorkbookData(
            file=rd.file,
            sheet_names=rd.sheet_names,
            assets=assets,
            deals=docs,
            holdings=holdings,
            run_model=_read_run_model(rd),
            reference=reference,
            filter_lists=_read_filter_lists(rd),
            names={(f"{scope}!{name}" if scope else name): ref for (scope, name), ref in rd.names.items()},
        )
    finally:
        rd.close()
    validated(data, problems)
    return data


def load_deal(
    source: str | Path | WorkbookData, deal: str
) -> tuple[tuple[Asset, ...], tuple[Holding, ...], DealInputs]:
    """Read (if given a path) and validate a workbook, then one deal: ``(assets, holdings, deal_inputs)``.

    ``assets`` is the whole ``All Assets`` universe (tuple of :class:`~clo_xl.portfolio.asset.Asset`),
    ``holdings`` the deal's ``DealCollateral`` rows (tuple of :class:`~clo_xl.portfolio.pool.Holding`),
    ``deal_inputs`` the :class:`~clo_xl.deal.DealInputs` of the deal sheet, with the deal's hypothetical
    trades from ``Run Model`` J11:N39. Parsed once, by the validation (:func:`~clo_xl.ingest.book.validated`).
    """
    data = source if isinstance(source, WorkbookData) else read_workbook(source, deals=[deal])
    book = validated(data)
    found = book.deal(deal)
    return book.assets, found.holdings, found.inputs


def read_asset_correlation(path: str | Path) -> tuple[tuple[str, ...], np.ndarray]:
    """The ``Asset Correlation`` sheet (user-defined correlation for credit migration, COMPLIANCE_SPEC §1.1):
    BRS IDs across row 1 from B1 and down column A from A2, the matrix from B2 (or the ``AssetCorrelation``
    named range). Returns ``(ids, matrix)``; the matrix is float, square, symmetric with a unit diagonal.
    A label mismatch, a blank or non-numeric cell, or an asymmetric pair raises a located error."""
    problems = Problems()
    source = Path(path)
    try:
        with xlsx.Package(source) as package:  # the other sheets' parts are not read: not scanned either
            others = frozenset(package.sheet_names) - {L.ASSET_CORRELATION}
    except xlsx.PackageProblem:
        others = frozenset()  # the reader names the damage
    rd = _Reader(source, problems, streamed=others)
    try:
        g = rd.grid(L.ASSET_CORRELATION)
        named = rd.name_range(None, "AssetCorrelation")
    finally:
        rd.close()
    if g is None:
        problems.raise_if_any()
        raise AssertionError("unreachable: a missing sheet is a problem")  # pragma: no cover
    r1, c1 = (named[0], named[1]) if named else (2, 2)
    ids: list[str] = []
    c = c1
    while g.raw(r1 - 1, c) is not None:
        ids.append(str(g.value(r1 - 1, c, "BRS ID")).strip())
        c += 1
    n = len(ids)
    g.check_unmerged(r1 - 1, c1 - 1, r1 + n - 1, c1 + n - 1, L.ASSET_CORRELATION)
    matrix = np.zeros((n, n))
    for i in range(n):
        row_id = str(g.value(r1 + i, c1 - 1, "BRS ID") or "").strip()
        if row_id != ids[i]:
            problems.add(
                g.loc(r1 + i, c1 - 1, "BRS ID"),
                row_id or None,
                f"row label must repeat the column label {ids[i]!r} (the matrix is asset × asset)",
            )
        for j in range(n):
            v = g.value(r1 + i, c1 + j, ids[j])
            if not isinstance(v, int | float) or isinstance(v, bool) or not -1.0 <= float(v) <= 1.0:
                problems.add(g.loc(r1 + i, c1 + j, ids[j]), v, "correlation must be a number from -1 to 1")
                continue
            matrix[i, j] = float(v)
    problems.raise_if_any()
    bad = np.argwhere(~np.isclose(matrix, matrix.T) | ((np.eye(n) == 1) & ~np.isclose(matrix, 1.0)))
    for i, j in bad[:50]:
        problems.add(
            g.loc(r1 + int(i), c1 + int(j), ids[int(j)]),
            float(matrix[i, j]),
            "the correlation matrix must be symmetric with 1 on the diagonal",
        )
    problems.raise_if_any()
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
