"""The legacy `Deal CF-<Deal>` output tab as blocks (CASHFLOW_SPEC §9): titles, headers and rows.

A writer (the XLSX report, the Excel button handler) places the blocks side by side as the legacy's
`OutputDataToSheet` did. Amounts are unrounded floats; dates are ``date`` objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clo_xl.waterfall.run import DealResult


@dataclass(frozen=True)
class Block:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def deal_cf_blocks(result: DealResult, measures: Sequence[dict[str, Any]] = ()) -> list[Block]:
    """Deal Info, Collateral Pool, one block per class, per fee, Incentive Fee, and each coverage test."""
    periods = result.periods
    blocks = [
        Block(
            "Deal Info",
            (
                "Period",
                "Payment Date",
                "Collection Begin",
                "Collection End",
                "Interest Proceeds",
                "Principal Proceeds",
                "Notes Payable",
                "Reinvested",
                "Index Rate",
            ),
            tuple(
                (
                    p.period,
                    p.payment_date,
                    p.collection_begin,
                    p.collection_end,
                    p.interest_proceeds,
                    p.principal_proceeds,
                    p.notes_payable,
                    p.reinvested,
                    p.index_rate,
                )
                for p in periods
            ),
        ),
        Block(
            "Collateral Pool",
            (
                "Performing",
                "Defaulted",
                "MV of Defaults",
                "Default",
                "MV Default",
                "Interest",
                "Scheduled",
                "Unscheduled",
                "Recoveries",
                "Net Loss",
                "Sold",
            ),
            tuple(
                (
                    c.performing,
                    c.defaulted,
                    c.mv_defaulted,
                    c.default,
                    c.mv_default,
                    c.interest,
                    c.scheduled,
                    c.unscheduled,
                    c.recoveries,
                    c.net_loss,
                    c.sold,
                )
                for p in periods
                for c in [p.collateral]
                if c is not None
            ),
        ),
    ]
    names = [t.name for t in periods[0].tranches] if periods else []
    for name in names:
        rows: list[tuple[Any, ...]] = []
        for p in periods:
            t = next(r for r in p.tranches if r.name == name)
            rows.append(
                (
                    t.coupon,
                    t.beginning_balance,
                    t.interest_accrued,
                    t.interest_paid,
                    t.principal_paid,
                    t.ending_balance,
                    t.deferred_beginning,
                    t.deferred_interest_paid,
                    t.deferred_principal_paid,
                    t.deferred_ending,
                )
            )
        blocks.append(
            Block(
                f"{name} Liabilities",
                (
                    "Coupon",
                    "Beginning Balance",
                    "Interest Accrued",
                    "Interest Paid",
                    "Principal Paid",
                    "End Balance",
                    "Deferred Beginning",
                    "Deferred Interest Paid",
                    "Deferred Principal Paid",
                    "Deferred End",
                ),
                tuple(rows),
            )
        )
    fee_names = [f.name for f in periods[0].fees] if periods else []
    for name in fee_names:
        rows = [
            (f.basis, f.beginning_unpaid, f.accrued, f.paid, f.ending_unpaid)
            for p in periods
            for f in p.fees
            if f.name == name
        ]
        blocks.append(
            Block(name, ("Fee Basis", "Beginning Unpaid", "Accrued", "Paid", "Ending Unpaid"), tuple(rows))
        )
    blocks.append(
        Block(
            "Incentive Fee",
            ("Threshold", "Fee"),
            tuple((p.incentive_threshold, p.incentive_fee) for p in periods),
        )
    )
    test_names = [t.name for t in periods[0].tests] if periods else []
    for name in test_names:
        rows = [
            (t.numerator, t.denominator, t.ratio, t.trigger, "PASS" if t.passed else "FAIL", t.cure_paid)
            for p in periods
            for t in p.tests
            if t.name == name
        ]
        blocks.append(
            Block(
                name,
                ("Numerator", "Denominator", "Ratio", "Threshold", "Pass/Fail", "Cure Paid"),
                tuple(rows),
            )
        )
    if measures:
        blocks.append(
            Block(
                "Risk Measures",
                ("Class", "Yield", "WAL", "Price given DM", "Macaulay", "Modified"),
                tuple(
                    (
                        m["class"],
                        m["irr"],
                        m["wal"],
                        m["price_given_dm"],
                        m["macaulay_duration"],
                        m["modified_duration"],
                    )
                    for m in measures
                ),
            )
        )
    return blocks


def side_by_side(blocks: Sequence[Block], *, gap: int = 1) -> list[list[Any]]:
    """The blocks laid out left to right as `OutputDataToSheet` did: title row, header row, data rows,
    ``gap`` empty columns between blocks. Returns a rectangular grid (None for empty cells)."""
    height = 2 + max((len(b.rows) for b in blocks), default=0)
    width = sum(len(b.headers) for b in blocks) + gap * max(len(blocks) - 1, 0)
    grid: list[list[Any]] = [[None] * width for _ in range(height)]
    col = 0
    for b in blocks:
        grid[0][col] = b.title
        for k, h in enumerate(b.headers):
            grid[1][col + k] = h
        for r, row in enumerate(b.rows):
            for k, v in enumerate(row):
                grid[2 + r][col + k] = v
        col += len(b.headers) + gap
    return grid
