"""XIRR (Excel-style: Actual/365 annual compounding from the first flow's date), solved with Brent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from scipy.optimize import brentq


def xnpv(rate: float, dates: Sequence[date], amounts: Sequence[float]) -> float:
    d0 = dates[0]
    t = np.array([(d - d0).days / 365.0 for d in dates])
    return float(np.sum(np.asarray(amounts, dtype=float) / (1.0 + rate) ** t))


def xirr(dates: Sequence[date], amounts: Sequence[float]) -> float | None:
    """Annual IRR of dated flows. An investment that returns nothing is a total loss, −100% (Excel's
    XIRR errors there); flows with no outlay (nothing negative) have no IRR: ``None``."""
    a = np.asarray(amounts, dtype=float)
    if np.any(a < 0) and not np.any(a > 0):
        return -1.0
    if len(a) < 2 or not (np.any(a > 0) and np.any(a < 0)):
        return None
    order = np.argsort([d.toordinal() for d in dates], kind="stable")
    ds = [dates[i] for i in order]
    amts = [float(x) for x in a[order]]
    lo, hi = -0.9999, 1.0

    def f(r: float) -> float:
        return xnpv(r, ds, amts)

    flo = f(lo)
    while f(hi) * flo > 0 and hi < 1e6:
        hi *= 4.0
    if f(hi) * flo > 0:
        return None
    return float(brentq(f, lo, hi, xtol=1e-12, maxiter=500))
