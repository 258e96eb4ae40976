"""Analytics speed cases (issue 14): ``clo-xl bench --only analytics``.

* the break-even CDR and severity of every class of Mag 17 (goal: under 1 s on 2 cores), beside the
  obvious implementation as its reference ("floor"): each class and each axis bisected on its own, one
  full projection per point; the check requires the same break-evens to the basis point, so the ratio reads
  as what the joint bisection (one projection informs every class) and the batched projections (many
  scenarios over one stacked pool and one schedule) save.

Data: the Mag 17 extract when the legacy folder is found, else the synthetic Mag 17 stand-in (the same
model the cash-flow cases use).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from clo_xl.analytics.breakeven import BP, BreakevenResult, breakevens
from clo_xl.analytics.outcomes import paid_in_full
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.benchmarks import Case
from clo_xl.benchmarks.cashflows import model
from clo_xl.cashflows.assumptions import edit_assumptions


@cache
def analytics_model() -> CashflowModel:
    return model()


def breakeven_all() -> BreakevenResult:
    return breakevens(analytics_model())


def _paid(m: CashflowModel, name: str, cdr: float | None, severity: float | None) -> bool:
    """One full projection: class ``name`` paid in full at this CDR (or severity), reinvestment stressed."""
    rs = m.structure.reinvestment
    deal = replace(m.structure, reinvestment=replace(rs, cdr=cdr if cdr is not None else rs.cdr))
    if severity is not None:
        deal = replace(deal, reinvestment=replace(deal.reinvestment, severity=severity))
    a = edit_assumptions(
        m.assumptions,
        lambda x: replace(
            x, cdr=x.cdr if cdr is None else cdr, severity=x.severity if severity is None else severity
        ),
    )
    if cdr is not None:
        a = replace(a, default_timing=None)
    return name in paid_in_full(m.run(a, structure=deal), equity=m.structure.equity.name)


def _bisect(test: object) -> float | None:
    """Plain bisection on the basis-point grid: the highest point where ``test`` holds (None if not at 0)."""
    assert callable(test)
    if not test(0.0):
        return None
    if test(1.0):
        return 1.0
    lo, hi = 0, BP
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if test(mid / BP) else (lo, mid)
    return lo / BP


def one_class_at_a_time() -> dict[str, tuple[float | None, float | None]]:
    m = analytics_model()
    out = {}
    for t in m.structure.tranches:
        if t.equity:
            continue
        cdr = _bisect(lambda x, n=t.name: _paid(m, n, x, None))
        sev = _bisect(lambda x, n=t.name: _paid(m, n, None, x))
        out[t.name] = (cdr, sev)
    return out


def check(result: BreakevenResult, reference: dict[str, tuple[float | None, float | None]]) -> None:
    got = {c.name: (c.breakeven_cdr, c.breakeven_severity) for c in result.classes}
    assert got == reference, f"break-evens differ: {got} vs {reference}"


def breakeven_case() -> Case:
    m = analytics_model()
    classes = sum(1 for t in m.structure.tranches if not t.equity)
    return Case(
        f"break-even CDR and severity, all {classes} classes of Mag 17 ({len(m.collateral)} assets)",
        breakeven_all,
        target_s=1.0,
        floor=one_class_at_a_time,
        check=check,
        repeat=3,
        note="floor = each class and axis bisected alone, one full projection per point (same answers "
        "checked); a ratio below 1 is the saving",
    )


def cases() -> list[Case]:
    return [breakeven_case()]
