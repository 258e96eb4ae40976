"""The `Deal CF-<Deal>` blocks tie out to the run they come from."""

from __future__ import annotations

from datetime import date

import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.curves import flat_curve
from clo_xl.runs.deal_cf_tab import deal_cf_blocks
from clo_xl.runs.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.waterfall.run import run_deal


def test_blocks_tie_out_to_the_run() -> None:
    deal = synthetic_deal("Mag 9")
    result = run_deal(
        deal,
        synthetic_collateral(40),
        CashflowAssumptions(AssetAssumption(0.2, 0.03, 0.4, 6)),
        flat_curve(date(2016, 3, 23), 0.01),
    )
    blocks = {b.title: b for b in deal_cf_blocks(result)}
    info = blocks["Deal Info"]
    assert len(info.rows) == len(result.periods)
    pool = blocks["Collateral Pool"]
    # collateral principal cash of period 1 = scheduled + unscheduled + recoveries (+ opening accounts)
    c = pool.rows[0]
    assert c[6] + c[7] + c[8] == pytest.approx(
        result.periods[0].principal_proceeds - deal.collection_principal
    )
    a = blocks["Class A-1 Liabilities"]
    assert sum(r[4] for r in a.rows) == pytest.approx(deal.tranche("Class A-1").current_balance)
    fee = blocks["Base Manager Fee"]
    paid = sum(x.amount for p in result.periods for x in p.payments if x.payee == "Base Manager Fee")
    assert sum(r[3] for r in fee.rows) == pytest.approx(paid)
    assert "Class B OC" in blocks and blocks["Class B OC"].headers[-2] == "Pass/Fail"


def test_dm_given_price_inverts_price_given_dm() -> None:
    from dataclasses import replace

    from clo_xl.runs.cashflow_document import tranche_measures

    deal = synthetic_deal("Mag 12")
    # Class B priced at 98: the DM that reprices its projected flows to 98 gives back 98 as price-given-DM
    tranches = tuple(replace(t, price=0.98) if t.name == "Class B" else t for t in deal.tranches)
    deal = replace(deal, tranches=tranches)
    curve = flat_curve(date(2016, 3, 23), 0.01)
    result = run_deal(
        deal, synthetic_collateral(40), CashflowAssumptions(AssetAssumption(0.2, 0.01, 0.4, 6)), curve
    )
    b = next(m for m in tranche_measures(result, deal, curve) if m["class"] == "Class B")
    repriced = replace(
        deal, tranches=tuple(replace(t, discount_margin=b["dm_given_price"]) for t in deal.tranches)
    )
    again = next(m for m in tranche_measures(result, repriced, curve) if m["class"] == "Class B")
    assert again["price_given_dm"] == pytest.approx(0.98, abs=1e-9)


def test_side_by_side_layout() -> None:
    from clo_xl.runs.deal_cf_tab import Block, side_by_side

    grid = side_by_side([Block("One", ("a", "b"), ((1, 2), (3, 4))), Block("Two", ("c",), ((5,),))])
    assert grid == [
        ["One", None, None, "Two"],
        ["a", "b", None, "c"],
        [1, 2, None, 5],
        [3, 4, None, None],
    ]
