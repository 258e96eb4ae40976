"""The fast kernels give the same numbers as the plain ones, bit for bit (issue 13).

Independent routes: ``math.fsum`` (Shewchuk's exactly rounded sum in CPython's C library) for every
exact sum; a Python sort by (−par, key text) for every ranking; the first-written diversity score
(``reference_kernels.py``). The engine is then run twice over the sample workbook's deals, the Mag 17
extract and a 1,000-asset pool, once as shipped and once with the reference kernels patched in, and the
two reports must serialise identically (``repr`` of every float, so equal to the last bit).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tests.compliance import reference_kernels as ref

from clo_xl.api import DealSession
from clo_xl.compliance import engine as engine_module
from clo_xl.compliance import kernels
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.kernels import ExactSums, key_ranks, nth_largest, rank_groups, seqsum, top_groups
from clo_xl.ingest.workbook import WorkbookData, read_workbook
from clo_xl.portfolio.pool import Holding, Pool

finite = st.floats(allow_nan=False, allow_infinity=False)
# par-like values: cents, up to a billion, with some huge/tiny outliers mixed in by the generic strategy
cents = st.integers(min_value=-(10**11), max_value=10**11).map(lambda c: c / 100)


def arrays(elements: st.SearchStrategy[float], max_size: int = 700) -> st.SearchStrategy[Any]:
    return hnp.arrays(np.float64, st.integers(0, max_size), elements=elements)


@settings(max_examples=300, deadline=None)
@given(arrays(finite) | arrays(cents))
def test_seqsum_is_math_fsum(x: Any) -> None:
    assert _outcome(seqsum, x) == _outcome(lambda v: math.fsum(v.tolist()), x)


@settings(max_examples=300, deadline=None)
@given(arrays(finite | cents, 1200), st.integers(0, 2**32 - 1), finite)
@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_masked_exact_sums_are_math_fsum(x: Any, seed: int, extra: float) -> None:
    mask = np.random.default_rng(seed).random(x.size) < 0.4
    s = ExactSums(x)
    for m, more in ((mask, ()), (None, (extra,)), (~mask, (extra,))):
        chosen = x if m is None else x[m]
        expected = _outcome(lambda v, e=more: math.fsum([*v.tolist(), *e]), chosen)
        assert _outcome(lambda _, m=m, e=more: s.total(m, *e), chosen) == expected


def test_exact_sums_split_the_hard_cases() -> None:
    rng = np.random.default_rng(7)
    for x in (
        np.array([1e16, 1.0, -1e16] * 200),  # cancellation: 200.0 exactly, np.sum says 0.0
        np.full(5000, 0.1),  # 500.0000000000000555… rounds to 500.00000000000006
        rng.standard_normal(4000) * 10.0 ** rng.integers(-30, 30, 4000),  # 60 orders of magnitude
        np.array([*([1e308] * 300), *([-1e308] * 300)]),  # σ would overflow: fsum's own OverflowError
        np.array([5e-324] * 400),  # subnormals
    ):
        assert _outcome(seqsum, x) == _outcome(lambda v: math.fsum(v.tolist()), x)
    assert seqsum(np.array([1e16, 1.0, -1e16] * 200)) == 200.0
    assert math.isnan(seqsum(np.array([np.nan] * 300)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=60, unique=True),
    st.integers(0, 2**32 - 1),
    st.integers(1, 8),
)
def test_top_groups_is_a_python_sort_by_par_then_key_text(keys: list[str], seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    g = len(keys)
    sums = rng.choice([1e6, 2e6, 2.5e6, 3e6], g) + rng.integers(0, 2, g) * 0.5  # many ties
    codes = rng.permutation(g).astype(np.int64)
    text = tuple(keys)
    expected = sorted(range(g), key=lambda i: (-float(sums[i]), text[int(codes[i])]))
    ranked = [(float(sums[i]), int(codes[i])) for i in expected]
    assert top_groups(sums, codes, key_ranks(text), k) == ranked[:k]
    assert rank_groups(sums, codes, text) == ranked


def test_nth_largest_over_many_groups_with_ties() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    codes = rng.integers(0, 6_000, n).astype(np.int64)
    text = tuple(f"ISS{rng.integers(10**6):06d}-{i}" for i in range(6_000))
    par = rng.choice([1e6, 2e6], n)
    mask = rng.random(n) < 0.9
    sums = np.bincount(codes[mask], weights=par[mask], minlength=6_000)
    present = np.flatnonzero(np.bincount(codes[mask], minlength=6_000))
    expected = sorted(present.tolist(), key=lambda c: (-float(sums[c]), text[c]))
    for nth in (1, 2, 6, 500):
        code = expected[nth - 1]
        assert nth_largest(par, codes, mask, text, nth) == (float(sums[code]), text[code])
    assert nth_largest(par, codes, np.zeros(n, dtype=bool), text, 1) is None


@contextlib.contextmanager
def _reference_kernels() -> Iterator[None]:
    """The engine with the reference kernels in place of the fast ones."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine_module, "ExactSums", ref.FsumSums)
        m.setattr(engine_module, "seqsum", ref.seqsum)
        m.setattr(engine_module, "top_groups", ref.top_groups)
        m.setattr(engine_module, "issuer_groups", ref.issuer_groups)
        m.setattr(engine_module, "diversity_from_groups", ref.diversity_from_groups)
        yield


def _bits(x: float) -> str:
    return repr(x)


def _outcome(fn: Any, x: Any) -> str:
    """``repr`` of the result, or the exception's type (``math.fsum`` raises OverflowError when the exact
    total is beyond the float range; the fast sums must do the same)."""
    try:
        return _bits(fn(x))
    except (OverflowError, ValueError) as exc:
        return type(exc).__name__


def _report(session: DealSession) -> str:
    return json.dumps(session.compliance().to_json(), default=str, sort_keys=True)


def _sessions(book: WorkbookData, legacy: Path | None) -> Iterator[tuple[str, DealSession]]:
    for convention in ("legacy", "corrected"):
        for deal in book.deals:
            yield f"{deal} {convention}", DealSession.from_workbook(book, deal, convention=convention)
        if legacy is not None:
            yield (
                f"Mag 17 extract {convention}",
                DealSession.from_extract(
                    legacy / "mag17_assets.json", legacy / "mag17_deal.json", convention=convention
                ),
            )


def _legacy_or_none() -> Path | None:
    from tests.conftest import LEGACY_DIR

    return LEGACY_DIR if (LEGACY_DIR / "mag17_assets.json").is_file() else None


@pytest.mark.parametrize("split_from", [kernels._SPLIT_FROM, 0], ids=["as shipped", "split always"])
@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_engine_reports_equal_the_reference_kernels(
    sample_workbook: Path, monkeypatch: pytest.MonkeyPatch, split_from: int
) -> None:
    """Every figure of every sample deal and of Mag 17, both conventions, to the last bit; with
    ``split_from`` 0 the exact sums go through the split even for these ~200-asset pools."""
    monkeypatch.setattr(kernels, "_SPLIT_FROM", split_from)
    book = read_workbook(sample_workbook)
    fast = {name: _report(s) for name, s in _sessions(book, _legacy_or_none())}
    with _reference_kernels():
        slow = {name: _report(s) for name, s in _sessions(book, _legacy_or_none())}
    assert len(fast) >= 20
    for name in fast:
        assert fast[name] == slow[name], name


def test_a_thousand_asset_pool_equals_the_reference_kernels(sample_workbook: Path) -> None:
    """The whole sample universe as one pool (1,000 assets: the split path), pars in cents, each test."""
    session = DealSession.from_workbook(read_workbook(sample_workbook), "Mag 17")
    assert session.universe is not None
    rng = np.random.default_rng(13)
    holdings = [
        Holding(a.brs_id, round(float(rng.choice([1e6, 2e6, 2.5e6])) + float(rng.uniform(0, 9e4)), 2))
        for a in session.universe.assets
    ]
    pools = [Pool.from_holdings(session.universe, holdings) for _ in range(2)]
    assert len(pools[0]) > kernels._SPLIT_FROM
    for convention in ("legacy", "corrected"):
        eng = ComplianceEngine(session.deal_inputs, convention)
        fast = json.dumps(eng.evaluate(pools[0]).to_json(), default=str)
        with _reference_kernels():
            slow = json.dumps(eng.evaluate(pools[1]).to_json(), default=str)
        assert fast == slow, convention
