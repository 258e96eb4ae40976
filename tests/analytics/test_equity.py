"""Sub Notes analytics: the IRR of a purchase against QuantLib's yield solver; cash-on-cash, NAV by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import QuantLib as ql

from clo_xl.api import DealSession


@pytest.fixture(scope="module")
def session(sample_workbook: Path) -> DealSession:
    return DealSession.from_workbook(sample_workbook, "Mag 17")


def _quantlib_irr(purchase: date, price: float, flows: list[tuple[date, float]]) -> float:
    """QuantLib's own yield solver: Actual/365 Fixed, annual compounding, settlement on the purchase date."""

    def qd(d: date) -> ql.Date:
        return ql.Date(d.day, d.month, d.year)

    leg = ql.Leg([ql.SimpleCashFlow(amount, qd(d)) for d, amount in flows if amount != 0.0])
    settle = qd(purchase)
    return float(
        ql.CashFlows.yieldRate(
            leg,
            price,
            ql.Actual365Fixed(),
            ql.Compounded,
            ql.Annual,
            False,
            settle,
            settle,
            1e-12,
            10_000,
            0.1,
        )
    )


@pytest.mark.parametrize(("when", "price"), [(None, 0.60), (date(2017, 1, 1), 0.45)])
def test_irr_of_a_purchase_matches_quantlib(session: DealSession, when: date | None, price: float) -> None:
    result = session.equity(
        purchase_date=when, purchase_price=price, cpr=0.2, cdr=0.02, severity=0.35, lag=12
    )
    purchase = when or date(2016, 3, 23)
    assert result.purchase_date == purchase
    # only distributions after the purchase belong to the buyer
    assert all(p.payment_date > purchase for p in result.periods)
    flows = [(p.payment_date, p.distribution) for p in result.periods]
    expected = _quantlib_irr(purchase, result.investment, flows)
    assert result.irr == pytest.approx(expected, abs=1e-9)


def test_cash_on_cash_and_nav_by_hand(session: DealSession) -> None:
    result = session.equity(purchase_price=0.5, cpr=0.2, cdr=0.02, severity=0.35, lag=12)
    sub_par = 44_000_000.0  # the sample's Sub Notes current balance
    assert result.par == sub_par and result.investment == pytest.approx(22_000_000.0)
    first = result.periods[0]
    doc = session.cashflow_document(cpr=0.2, cdr=0.02, severity=0.35, lag=12)
    paid = sum(x["amount"] for x in doc["periods"][0]["payments"] if x["payee"] == "Sub Notes")
    assert first.distribution == pytest.approx(paid, abs=0.01)
    assert first.cash_on_cash == pytest.approx(first.distribution / 22_000_000.0)
    assert first.cash_on_cash_annualised == pytest.approx(4 * first.distribution / 22_000_000.0)  # quarterly
    # NAV by hand: every holding at market value (points ÷ 100), the collection accounts' cash, minus the
    # notes' current balances (no deferred balances on the sample sheet)
    assets = {a.brs_id: a for a in session.assets}
    mv = sum(h.par * assets[h.brs_id].market_value / 100.0 for h in session.holdings)
    deal = session.cashflow_model().structure
    cash = deal.collection_principal + deal.collection_interest + deal.interest_reserve
    notes = 2_500_000 + 320_000_000 + 45_000_000 + 15_000_000 + 27_000_000 + 30_000_000 + 22_900_000
    nav = result.nav
    assert nav.performing_market_value + nav.defaulted_market_value == pytest.approx(mv)
    assert nav.notes_outstanding == pytest.approx(notes)
    assert nav.nav == pytest.approx(mv + cash - notes)
    assert nav.price == pytest.approx((mv + cash - notes) / sub_par)
    assert result.to_pandas().loc[1, "distribution"] == first.distribution


def test_equity_command(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from clo_xl.cli import main

    args = ["equity", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--purchase-price", "55"]
    assert main([*args, "--purchase-date", "2016-06-30", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["purchase_price"] == 0.55 and doc["purchase_date"] == "2016-06-30"
    assert {"irr", "multiple", "nav", "periods", "warnings"} <= set(doc)
    assert main([*args, "--purchase-date", "30/06/2016"]) == 2
