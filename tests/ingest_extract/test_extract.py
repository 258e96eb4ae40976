"""Extract files → typed objects, and located errors for bad input (CLI exit 2)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clo_xl.cli import main
from clo_xl.enums import BondLoan, CouponType
from clo_xl.errors import IngestError
from clo_xl.ingest.assets import parse_assets, parse_date, parse_flag, parse_holdings
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.ingest.extract import load_extract, read_table
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.portfolio.asset import ALL_ASSETS_HEADERS
from clo_xl.ratings.scales import MoodysRating


def record(brs: str, **over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {h: None for h in ALL_ASSETS_HEADERS}
    rec.update({
        "BLKRockID": brs, "Issue Name": f"{brs} TL", "ISSUER ID": brs, "Bond/Loan": "Loan",
        "Coupon Type": "FLOAT",
        "Payment Frequency": "4", "Coupon Spread": "0.0375", "Libor Floor": "0.01", "Coupon": "0.0475",
        "Index": "3M Libor", "Facility Size": "360000000", "Moody's Industry": "Retail", "Country ": "USA",
        "Seniority": "Senior Secured", "Default Obligation": "No", "Cov-Lite": "Yes", "WAL": "5.35",
        "Market Value": "99.292", "Moody's Rating-21": "B1", "Moody's Recovery Rate-23": "0.5",
        "Moody's Default Probability Rating-18": "B2", "Moody's Rating WARF": "B2",
        "Maturity": "2021-09-17T00:00:00",
        "Day Count": "ACTUAL/360", "Business Day Convention": "Mod Following", "PMT EOM": "True",
        "S&P Issuer Rating": "B+", "MAG17_Par_Amount": "1500000.0",
    })  # fmt: skip
    rec.update(over)
    return rec


DEAL: dict[str, Any] = {
    "deal": "Mag 17",
    "analysis_date": "2016-03-23",
    "current_libor": 0.005418,
    "accounts": [{"number": 1, "name": "Payment", "interest": 0, "principal": 0},
                 {"number": 2, "name": "Collection", "interest": 1.0, "principal": 1000000.0}],
    "quality_test_inputs": {"Weighted Average Spread": 0.044, "WARF Factor": 67, "WARF Threshold": 2740},
    "test_thresholds": [{"test_number": 1, "test_name": "x", "min_max": "Min", "threshold": 0.9},
                        {"test_number": 36, "test_name": "y", "min_max": "Max", "threshold": None}],
    "objective_weights": [{"test_number": 32, "weight": 0.6}],
}  # fmt: skip


def table(*records: dict[str, Any]) -> RawTable:
    headers = list(records[0])
    return RawTable(file="a.json", sheet=None, headers=headers, rows=records)


def test_parse_assets_types() -> None:
    (a,) = parse_assets(table(record("X1", **{"Moody's Rating-21": "CAA1", "Cov-Lite": "yes"})))
    assert a.bond_loan is BondLoan.LOAN and a.coupon_type is CouponType.FLOAT
    assert a.moodys_rating is MoodysRating.Caa1 and a.maturity == date(2021, 9, 17)
    assert a.cov_lite and "cov_lite" in a.inexact_flags  # legacy reads "yes" as False (Q1)
    assert a.payment_frequency == 4 and a.market_value == pytest.approx(99.292)
    assert a.country == "USA" and a.analyst_opinion == "HOLD"


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Moody's Rating-21", "Bx7", "not a Moody's rating"),
        ("S&P Issuer Rating", "ZZ", "not an S&P rating"),
        ("Coupon Spread", "abc", "expected a number"),
        ("Market Value", "n/a price", "expected a number"),
        ("Maturity", "2021-02-30", "impossible date"),
        ("Cov-Lite", "maybe", "expected Yes or No"),
        ("Payment Frequency", "quarterly", "expected a number"),
        ("Bond/Loan", "Swap", "not a known Bond/Loan value"),
        ("Day Count", "ACT/999", "not a known day count"),
    ],
)
def test_bad_cells_are_located(header: str, value: str, reason: str) -> None:
    with pytest.raises(IngestError, match=reason) as err:
        parse_assets(table(record("X1"), record("X2", **{header: value})))
    assert err.value.location.column == header
    assert err.value.location.row == 2 and err.value.value == value


def test_missing_column_and_duplicate_id() -> None:
    rec = record("X1")
    del rec["WAL"]
    with pytest.raises(IngestError, match="missing column 'WAL'"):
        parse_assets(table(rec))
    with pytest.raises(IngestError, match="appears twice"):
        parse_assets(table(record("X1"), record("X1")))


def test_holdings_and_missing_par_column() -> None:
    t = table(record("X1"), record("X2", MAG17_Par_Amount="0"), record("X3", MAG17_Par_Amount=None))
    assert [h.brs_id for h in parse_holdings(t, par_header="MAG17_Par_Amount")] == ["X1"]
    with pytest.raises(IngestError, match="missing par column 'MAG99_Par_Amount'"):
        parse_holdings(t, par_header="MAG99_Par_Amount")
    with pytest.raises(IngestError, match="par: expected a number") as err:
        parse_holdings(table(record("X1", MAG17_Par_Amount="lots")), par_header="MAG17_Par_Amount")
    assert err.value.location.column == "MAG17_Par_Amount"


def doc(**changes: Any) -> RawDocument:
    data = json.loads(json.dumps(DEAL))
    data.update(changes)
    return RawDocument(file="d.json", data=data)


def test_deal_inputs_errors() -> None:
    d = parse_deal_inputs(doc())
    assert d.principal_cash == 1_000_000.0 and d.qti("Current LIBOR") == 0.005418
    dup = DEAL["test_thresholds"] + [{"test_number": 1, "min_max": "Max", "threshold": 0.1}]
    with pytest.raises(IngestError, match="appears twice") as err:
        parse_deal_inputs(doc(test_thresholds=dup))
    assert err.value.location.column == "test_thresholds[2].test_number"
    with pytest.raises(IngestError, match="no Collection account"):
        parse_deal_inputs(doc(accounts=[{"number": 1, "name": "Payment", "principal": 0}]))
    with pytest.raises(IngestError, match="impossible date"):
        parse_deal_inputs(doc(analysis_date="2016-02-31"))
    bad = [{"test_number": 1, "min_max": "Min", "threshold": "ninety"}]
    with pytest.raises(IngestError, match="expected a number") as err:
        parse_deal_inputs(doc(test_thresholds=bad))
    assert err.value.location.column == "test_thresholds[0].threshold"


def test_value_parsers() -> None:
    assert parse_date(42452) == date(2016, 3, 23)
    assert parse_date("3/23/2016") == date(2016, 3, 23) and parse_date("0") is None
    assert parse_flag("Yes") == (True, True) and parse_flag("TRUE") == (True, False)


def write(tmp: Path, records: list[dict[str, Any]], deal: dict[str, Any] | None = None) -> tuple[Path, Path]:
    a = tmp / "assets.json"
    a.write_text(json.dumps(records))
    d = tmp / "deal.json"
    d.write_text(json.dumps(deal or DEAL))
    return a, d


def test_csv_and_json_extracts_agree(tmp_path: Path) -> None:
    recs = [record("X1"), record("X2", **{"Country ": "Canada"})]
    a, d = write(tmp_path, recs)
    c = tmp_path / "assets.csv"
    with c.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(recs[0]))
        w.writeheader()
        w.writerows([{k: ("" if v is None else v) for k, v in r.items()} for r in recs])
    assert load_extract(a, d).assets == load_extract(c, d).assets
    assert read_table(c).locate(1, "WAL").row == 3  # CSV line numbers


@pytest.mark.parametrize(
    ("records", "deal", "needle"),
    [
        ([record("X1", **{"Moody's Rating-21": "Q5"})], None, "Moody's Rating-21"),
        ([record("X1", WAL="five")], None, "'WAL'"),
        ([{k: v for k, v in record("X1").items() if k != "MAG17_Par_Amount"}], None, "MAG17_Par_Amount"),
        ([record("X1")], {**DEAL, "accounts": [{"number": 1, "name": "Payment"}]}, "Collection"),
        ([record("X1")], {**DEAL, "analysis_date": "2016-13-01"}, "analysis_date"),
        ([record("X1")], {**DEAL, "test_thresholds": DEAL["test_thresholds"] * 2}, "appears twice"),
    ],
)
def test_cli_exit_2_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], records: list[dict[str, Any]], deal: Any, needle: str
) -> None:
    a, d = write(tmp_path, records, deal)
    code = main(["compliance", "--assets", str(a), "--deal-inputs", str(d), "--json"])
    out = capsys.readouterr()
    assert code == 2
    assert needle in out.err
    assert json.loads(out.out)["error"] == "IngestError"


def test_cli_runs_and_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, d = write(tmp_path, [record("X1"), record("X2", **{"ISSUER ID": "OTHER"})])
    assert main(["compliance", "--assets", str(a), "--deal-inputs", str(d), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["number"] for t in out["tests"]] == [1, 36]
    assert out["collateral_principal_amount"] == pytest.approx(4_000_000.0)
    trades = tmp_path / "t.csv"
    trades.write_text("Deal,BRS ID,Transaction,Par,Price\nMag 17,X1,Sale,500000,99\nMag 17,NOPE,Buy,1,1\n")
    assert main(["compliance", "--assets", str(a), "--deal-inputs", str(d), "--hypo", str(trades)]) == 2


def test_xlsx_extract_locates_cells(tmp_path: Path) -> None:
    import openpyxl

    recs = [record("X1"), record("X2", WAL="long")]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "All Assets"
    headers = list(recs[0])
    ws.append(headers)
    for r in recs:
        ws.append([r[h] for h in headers])
    path = tmp_path / "assets.xlsx"
    wb.save(path)
    with pytest.raises(IngestError) as err:
        parse_assets(read_table(path))
    loc = err.value.location
    assert loc.sheet == "All Assets" and loc.cell == "AN3" and loc.column == "WAL"


def test_json_records_read_as_columns_or_rows_give_the_same_assets(tmp_path: Path) -> None:
    """An extract whose records share one key order is transposed into columns at once; one whose records
    differ in key order takes the row-by-row route. Same assets, same located errors either way."""
    recs = [record("X1"), record("X2", **{"Country ": "Canada", "Maturity": "2022-03-31"})]
    uniform = tmp_path / "uniform.json"
    uniform.write_text(json.dumps(recs))
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps([recs[0], dict(reversed(list(recs[1].items())))]))
    columns, rows = read_table(uniform), read_table(shuffled)
    assert columns.data is not None and rows.data is None  # the two routes
    assert parse_assets(columns) == parse_assets(rows)
    assert parse_assets(columns)[1].maturity == date(2022, 3, 31)
    assert columns.locate(1, "WAL").row == rows.locate(1, "WAL").row == 2
    assert list(columns.rows) == recs  # rows still readable as records


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-17", date(2021, 9, 17)),  # the ISO shape read in bulk
        ("2021-09-17T00:00:00", date(2021, 9, 17)),
        ("9/17/2021", date(2021, 9, 17)),
        ("2021-02-30", "impossible date"),  # ISO shape, not a date: parse_date's message
        ("2199-01-01", "outside the range"),  # ISO shape, beyond the calendar
        ("1901-12-31", "outside the range"),
        ("2021-0\u0669-17", "expected a date"),  # a non-ASCII digit
        ("20210917", "not a valid Excel date serial"),  # not the ISO shape (fromisoformat would take it)
    ],
)
def test_iso_date_text_reads_as_parse_date_does(value: str, expected: date | str) -> None:
    """Each value through the asset table (distinct values, ISO text in bulk) = parse_date of the cell,
    with the same located error when it is refused."""
    rows = [record("X1"), record("X2", Maturity=value), record("X3", **{"Issue Date": value})]
    if isinstance(expected, date):
        assert parse_date(value) == expected
        assets = parse_assets(table(*rows))
        assert assets[1].maturity == expected and assets[2].issue_date == expected
        return
    with pytest.raises(ValueError, match=expected):
        parse_date(value)
    with pytest.raises(IngestError, match=expected) as err:
        parse_assets(table(*rows))
    assert err.value.location.row == 2 and err.value.location.column == "Maturity"
