"""Read the legacy extract files of CONTRACT §2 into raw tables / documents, then parse them.

* Assets: a JSON list of records keyed by the ``All Assets`` headers plus one ``<DEAL>_Par_Amount``
  column per deal (like ``legacy/mag17_assets.json``); the same headers in CSV or XLSX (first sheet, or a
  sheet named ``All Assets``) are accepted too.
* Deal inputs: a JSON document shaped like ``legacy/mag17_deal.json``.
* Trades (``--hypo``): CSV or JSON with Deal, BRS ID, Transaction (Buy/Sale), Par, Price.

Deliberate difference from the legacy loader: the legacy silently drops a row with a bad value; clo-xl
refuses it with an error naming the file, row, column and value (exit 2 from the CLI).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clo_xl.deal import DealInputs
from clo_xl.errors import IngestError, Location
from clo_xl.gc_pause import paused_gc
from clo_xl.ingest.assets import resolve_headers
from clo_xl.ingest.book import validated
from clo_xl.ingest.data import WorkbookData
from clo_xl.ingest.deal_inputs import parse_trade_records
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Trade


def _fail_file(path: Path, reason: str, value: object = None) -> IngestError:
    return IngestError(Location(file=str(path)), value, reason)


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _fail_file(path, "file not found") from None
    except OSError as exc:
        raise _fail_file(path, f"cannot read the file ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            Location(file=str(path), row=exc.lineno),
            text.splitlines()[exc.lineno - 1][:60] if text else "",
            f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})",
        ) from None


def _table_from_records(path: Path, records: Any) -> RawTable:
    if isinstance(records, Mapping):
        for key in ("assets", "records", "All Assets", "data"):
            if isinstance(records.get(key), list):
                records = records[key]
                break
    if not isinstance(records, list):
        raise _fail_file(path, "expected a JSON list of asset records")
    columns = _uniform_columns(records)
    if columns is not None:
        return RawTable.from_columns(str(path), None, tuple(columns), columns)
    headers: list[str] = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise IngestError(Location(file=str(path), row=i + 1), rec, "expected a record keyed by header")
        if seen.issuperset(rec):  # the usual record: every key already seen (checked in C)
            continue
        for k in rec:
            if k not in seen:
                seen.add(k)
                headers.append(k)
    return RawTable(file=str(path), sheet=None, headers=tuple(headers), rows=tuple(records))


def _uniform_columns(records: list[Any]) -> dict[str, tuple[object, ...]] | None:
    """The records as columns when every one is a dict with the first one's keys in the same order (an
    extract as a program writes it), transposed in one pass; else None (the row-by-row route locates a
    record that is not a dict, and takes each record's own keys)."""
    if not records or type(records[0]) is not dict:
        return None
    keys = tuple(records[0])
    if (
        not keys
        or not all(type(r) is dict for r in records)
        or not all(map(keys.__eq__, map(tuple, records)))
    ):
        return None
    return dict(zip(keys, zip(*map(dict.values, records), strict=True), strict=True))


def _table_from_csv(path: Path) -> RawTable:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            rows = list(reader)
    except FileNotFoundError:
        raise _fail_file(path, "file not found") from None
    if not rows:
        raise _fail_file(path, "the CSV file is empty")
    headers = rows[0]
    seen: dict[str, int] = {}
    for j, h in enumerate(headers):
        if h.strip() and h in seen:
            raise IngestError(
                Location(file=str(path), row=1, column=h),
                h,
                f"column header appears twice (columns {seen[h] + 1} and {j + 1}): which one is meant?",
            )
        seen[h] = j
    blank_at = [i + 2 for i, row in enumerate(rows[1:]) if not any(c.strip() for c in row)]
    last_data = max((i + 2 for i, row in enumerate(rows[1:]) if any(c.strip() for c in row)), default=0)
    inside = [n for n in blank_at if n < last_data]
    if inside:
        raise IngestError(
            Location(file=str(path), row=inside[0]),
            "",
            f"blank line {inside[0]} inside the table: rows after it would be lost (the legacy stops there)",
        )
    records = [
        {h: (row[j] if j < len(row) else None) for j, h in enumerate(headers)}
        for row in rows[1:]
        if any(c.strip() for c in row)
    ]
    line_numbers = [i + 2 for i, row in enumerate(rows[1:]) if any(c.strip() for c in row)]
    return RawTable(
        file=str(path), sheet=None, headers=tuple(headers), rows=tuple(records), row_numbers=line_numbers
    )


def _table_from_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise _fail_file(path, f"reading XLSX needs openpyxl ({exc})") from None
    _refuse_ole(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except FileNotFoundError:
        raise _fail_file(path, "file not found") from None
    except Exception as exc:
        raise _fail_file(path, f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        if sheet is None:
            sheet = "All Assets" if "All Assets" in wb.sheetnames else wb.sheetnames[0]
        ws = wb[sheet]
        merged = sorted(str(r) for r in ws.merged_cells.ranges)
        if merged:
            first = merged[0].split(":")[0]
            raise IngestError(
                Location(file=str(path), sheet=sheet, cell=first),
                merged[0],
                f"merged cells {', '.join(merged)} inside the table: unmerge them so each value has one cell",
            )
        it = ws.iter_rows(values_only=True)
        header_row = next(it, None)
        if header_row is None:
            raise IngestError(Location(file=str(path), sheet=sheet), None, "the sheet is empty")
        headers = [("" if h is None else str(h)) for h in header_row]
        columns = {h: j + 1 for j, h in enumerate(headers) if h}
        records: list[dict[str, object]] = []
        numbers: list[int] = []
        for r, values in enumerate(it, start=2):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            records.append({h: values[j] if j < len(values) else None for j, h in enumerate(headers) if h})
            numbers.append(r)
    finally:
        wb.close()
    return RawTable(
        file=str(path),
        sheet=sheet,
        headers=tuple(h for h in headers if h),
        rows=tuple(records),
        columns=columns,
        row_numbers=numbers,
    )


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_ole(path: Path) -> None:
    """An OLE/CFB container with an .xlsx name is a password-protected (encrypted) workbook or an old .xls."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise _fail_file(path, "file not found") from None
    if head == _OLE_MAGIC:
        raise _fail_file(
            path,
            "the workbook is encrypted (password-protected) or in the old .xls format: open it in Excel, "
            "remove the password and save it as .xlsx",
        )


def read_table(path: str | Path) -> RawTable:
    """A JSON/CSV/XLSX extract file → :class:`RawTable` (format chosen by the file suffix)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        # the decoded records (a dict per asset) are transposed into columns and freed before the cyclic
        # collector ever traverses them (~700,000 references at 10,000 assets)
        with paused_gc():
            return _table_from_records(p, _load_json(p))
    if suffix in {".csv", ".txt"}:
        return _table_from_csv(p)
    if suffix in {".xlsx", ".xlsm"}:
        return _table_from_xlsx(p)
    raise _fail_file(p, "unsupported file type (use .json, .csv or .xlsx)", p.suffix)


def read_deal_document(path: str | Path) -> RawDocument:
    """A deal-inputs JSON file → :class:`RawDocument`."""
    p = Path(path)
    data = _load_json(p)
    if not isinstance(data, Mapping):
        raise _fail_file(p, "expected a JSON object with the deal inputs (see legacy/mag17_deal.json)")
    waterfall = data.get("waterfall")
    if isinstance(waterfall, str) and waterfall.strip().lower().endswith(".json"):
        # the deal's own waterfall version, a file beside the deal inputs: read here, at the boundary, and
        # carried in the document (and so with the deal to every worker)
        version = _load_json(p.parent / waterfall.strip())
        if not isinstance(version, Mapping):
            raise IngestError(
                Location(file=str(p), column="waterfall"),
                waterfall,
                "expected a waterfall version JSON object",
            )
        data = {**data, "waterfall": version}
    return RawDocument(file=str(p), data=data)


def par_column_for(deal: str) -> str:
    """``"Mag 17"`` → ``"MAG17_Par_Amount"`` (CONTRACT §2)."""
    return re.sub(r"[^A-Z0-9]", "", deal.upper()) + "_Par_Amount"


@dataclass(frozen=True)
class Extract:
    """What an extract pair holds: the asset universe, the deal's holdings and its inputs."""

    assets: tuple[Asset, ...]
    holdings: tuple[Holding, ...]
    deal_inputs: DealInputs


def holdings_column(table: RawTable, par_header: str) -> RawTable:
    """The deal's holdings as a (BLKRockID, par) table over an extract's par column, located at the
    assets file's own rows and cells."""
    headers = resolve_headers(table, ["BLKRockID", par_header])
    id_h, par_h = headers["BLKRockID"] or "BLKRockID", headers[par_header] or par_header
    return RawTable.from_columns(
        table.file,
        table.sheet,
        (id_h, par_h),
        {id_h: table.column(id_h), par_h: table.column(par_h)},
        first_row=table.first_row,
        columns={h: c for h, c in table.columns.items() if h in (id_h, par_h)},
        row_numbers=table.row_numbers,
        typed=table.typed,
    )


def extract_book(assets_path: str | Path, deal_inputs_path: str | Path) -> WorkbookData:
    """An extract pair read from files as :class:`~clo_xl.ingest.data.WorkbookData` (see
    :func:`extract_data`)."""
    return extract_data(read_table(assets_path), read_deal_document(deal_inputs_path))


def extract_data(table: RawTable, doc: RawDocument) -> WorkbookData:
    """An extract pair (an assets table with the deal's par column, a deal document) as
    :class:`~clo_xl.ingest.data.WorkbookData` (one deal, no Run Model or Reference Table), so the validation
    layer applies the same rules as to a workbook."""
    deal = str(doc.data.get("deal") or "").strip() or "deal"
    par_col = str(doc.data.get("par_column") or "").strip() or par_column_for(deal)
    holdings: dict[str, RawTable] = {}
    if resolve_headers(table, [par_col])[par_col] is not None:
        holdings[deal] = holdings_column(table, par_col)
    elif not doc.data.get("holdings"):
        others = [h for h in table.headers if h.endswith("_Par_Amount")]
        hint = f"; par columns present: {', '.join(others)}" if others else ""
        raise IngestError(
            Location(file=table.file, sheet=table.sheet, column=par_col),
            None,
            f"missing par column {par_col!r} for deal {deal!r}{hint}",
        )
    return WorkbookData(
        file=table.file or "extract",
        sheet_names=(),
        assets=table,
        deals={deal: doc},
        holdings=holdings,
        run_model=RawDocument(file=doc.file, data={}),
        reference={},
        filter_lists={},
    )


def load_extract(assets_path: str | Path, deal_inputs_path: str | Path) -> Extract:
    """Read and validate an assets extract and a deal-inputs file; holdings come from the deal's par column
    (the document's ``par_column`` or ``<DEAL>_Par_Amount``), else from the document's ``holdings``.
    Raises :class:`~clo_xl.errors.InputRejected` listing every problem of the pair."""
    data = extract_book(assets_path, deal_inputs_path)
    book = validated(data)
    (found,) = book.deals.values()
    return Extract(book.assets, found.holdings, found.inputs)


def read_trades(path: str | Path, *, deal: str | None = None) -> tuple[Trade, ...]:
    """Trades file (CSV/JSON: Deal, BRS ID, Transaction Buy/Sale, Par, Price). With ``deal``, only rows whose
    Deal is blank or equals it (ignoring case and spaces) are kept, as the legacy keeps rows equal to C9."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        data = _load_json(p)
        if isinstance(data, Mapping):
            data = data.get("trades", [])
        if not isinstance(data, list):
            raise _fail_file(p, "expected a JSON list of trades")
        doc = RawDocument(file=str(p), data={"trades": data})
        trades = parse_trade_records(doc, "trades", data)
    elif suffix in {".csv", ".txt", ".xlsx", ".xlsm"}:
        table = read_table(p)
        records = list(table.rows)
        locations = {}
        for i, _rec in enumerate(records):
            for h in table.headers:
                locations[f"trades[{i}].{h}"] = table.locate(i, h)
        doc = RawDocument(file=str(p), data={"trades": records}, locations=locations, sheet=table.sheet)
        trades = parse_trade_records(doc, "trades", records)
    else:
        raise _fail_file(p, "unsupported trades file type (use .csv or .json)", p.suffix)
    if deal is None:
        return trades

    def norm(s: str) -> str:
        return re.sub(r"\s+", "", s).upper()

    return tuple(t for t in trades if t.deal is None or norm(t.deal) == norm(deal))


__all__ = [
    "Extract",
    "extract_book",
    "extract_data",
    "holdings_column",
    "load_extract",
    "par_column_for",
    "read_deal_document",
    "read_table",
    "read_trades",
]
