"""The first compliance run after a load derives each rating profile once and reads the flag and number
columns in one pass (issue 13); the columns are the ones the per-asset code gives."""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import clo_xl.compliance.derive as derive_module
from clo_xl.api import DealSession
from clo_xl.compliance.columns import FLAG_COLUMNS, NUMBER_COLUMNS, build_columns
from clo_xl.compliance.derive import DERIVE_INPUTS, Deriver, derive, derive_all
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.ingest.workbook import read_workbook
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Universe

#: the Asset properties derive() reads, and the fields behind them
PROPERTIES = {"is_loan": "bond_loan", "is_senior_secured": "seniority"}


def test_the_memo_key_holds_every_field_derive_reads() -> None:
    """Static: every ``asset.<field>`` and every field name given as a string in derive.py is in the key."""
    fields = {f.name for f in dataclasses.fields(Asset)}
    tree = ast.parse(Path(derive_module.__file__).read_text())
    read: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("a", "asset")
        ):
            read.add(PROPERTIES.get(node.attr, node.attr))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in fields:
            read.add(node.value)
    assert read <= set(DERIVE_INPUTS), sorted(read - set(DERIVE_INPUTS))
    assert set(DERIVE_INPUTS) <= fields


@pytest.mark.parametrize("convention", ["legacy", "corrected"])
def test_memoised_derivations_equal_one_per_asset(sample_workbook: Path, convention: str) -> None:
    session = DealSession.from_workbook(read_workbook(sample_workbook), "Mag 17")
    assets = session.assets
    deriver = Deriver(QuirkSet.for_convention(convention), date(2016, 3, 23), date(2026, 1, 1))
    memo = derive_all(assets, deriver)
    assert list(memo) == [derive(a, deriver) for a in assets]
    # one derivation per distinct rating profile, shared by the assets that have it
    profiles = {tuple(getattr(a, f) for f in DERIVE_INPUTS) for a in assets}
    assert len({id(d) for d in memo}) == len(profiles) < len(assets)


def test_flag_and_number_columns_equal_the_per_asset_reads(sample_workbook: Path) -> None:
    assets = list(DealSession.from_workbook(read_workbook(sample_workbook), "Mag 17").assets)
    # a few cells that meant "yes" without being exactly "Yes" (the legacy reads them False, Q1)
    assets[0] = replace(assets[0], dip=True, inexact_flags=frozenset({"dip"}))
    assets[1] = replace(
        assets[1], cov_lite=True, piking=True, inexact_flags=frozenset({"cov_lite", "piking"})
    )
    universe = Universe(tuple(assets))
    for convention in ("legacy", "corrected"):
        quirks = QuirkSet.for_convention(convention)
        cols = build_columns(universe, quirks, date(2016, 3, 23))
        legacy = convention == "legacy"
        attribute = {"deferred_interest_bond": "deferred_interest"}
        for name in FLAG_COLUMNS:
            expected = np.array([a.flag(name, legacy=legacy) for a in assets])
            assert np.array_equal(getattr(cols, attribute.get(name, name)), expected), (convention, name)
        column = {"unfunded_amount": "unfunded", "facility_size": "facility", "coupon_spread": "spread",
                  "libor_floor": "floor"}  # fmt: skip
        for name in NUMBER_COLUMNS:
            expected_numbers = np.array([float(getattr(a, name)) for a in assets])
            assert np.array_equal(getattr(cols, column.get(name, name)), expected_numbers), name
        assert cols.dip[0] == (not legacy) and cols.piking[1] == (not legacy)
