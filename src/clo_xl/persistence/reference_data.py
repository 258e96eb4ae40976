"""Reference tables shipped with clo-xl (``clo_xl/data``) → ``clo`` rows, loaded by every migration so the
database holds the scales, factors, recovery matrix, diversity table and country sets the engines use.

* ``rating``: Moody's and S&P symbols with the legacy 21-rank (1 = Aaa/AAA) and, for Moody's, the WARF
  rating factor;
* ``recovery_rate``: Moody's recovery by d = rank(DPR) − rank(rating) and asset category, per convention
  (agency ``MOODYS`` = legacy, ``MOODYS corrected`` = corrected, quirk Q10);
* ``diversity_score``: Moody's diversity table (industry score k/10 → diversity value);
* ``country_set``: the concentration tests' country sets; sets that differ under the corrected convention
  get a ``" (corrected)"`` suffix (quirk Q14).
* ``industry``: the Moody's and S&P industry lists of the workbook's ``Filter Sheet``;
* ``waterfall_version``: each Mag version's waterfall definition (``clo_xl/data/waterfalls/<mag>.json``),
  version 1, the JSON document as data; a deal's ``waterfall`` names its own (``"Mag 17"`` → ``mag17``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from clo_xl.compliance.catalogue import country_sets
from clo_xl.compliance.kernels import diversity_table
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.loader import TableLoad, table_of
from clo_xl.persistence.models import (
    CountrySetRow,
    DiversityScoreRow,
    IndustryRow,
    RatingRow,
    RecoveryRateRow,
    WaterfallVersionRow,
)
from clo_xl.ratings.tables import rank_table, rating_factor_rows, recovery_rows

_CATEGORIES = ("senior_secured", "non_senior_secured", "other")


def waterfall_slug(deal: str) -> str:
    """``"Mag 17"`` → ``"mag17"`` (the data file's stem)."""
    return re.sub(r"[^a-z0-9]", "", deal.lower())


@cache
def waterfall_documents() -> dict[str, dict[str, Any]]:
    """The packaged waterfall definitions by slug (empty when the package ships none)."""
    folder = resources.files("clo_xl").joinpath("data", "waterfalls")
    out: dict[str, dict[str, Any]] = {}
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                out[entry.name[: -len(".json")]] = json.loads(entry.read_text(encoding="utf-8"))
    return out


def packaged_reference_loads(content: WorkbookContent) -> list[TableLoad]:
    factors = {r["moodys"]: float(r["factor"]) for r in rating_factor_rows()}
    ratings: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rank_table():
        rank = int(row["rank"])
        for agency, symbol in (("MOODYS", row["moodys"]), ("SP", row["sp"])):
            if symbol and (agency, symbol) not in ratings:
                ratings[(agency, symbol)] = {
                    "agency": agency,
                    "rating": symbol,
                    "rank": rank,
                    "rating_factor": factors.get(symbol) if agency == "MOODYS" else None,
                }
    recovery = []
    for row in recovery_rows():
        for category in _CATEGORIES:
            for agency, column in (("MOODYS", category), ("MOODYS corrected", f"corrected_{category}")):
                recovery.append(
                    {"agency": agency, "category": category, "rating": row["d"], "rate": float(row[column])}
                )
    diversity = [{"equivalent_units": k / 10, "diversity_score": v} for k, v in enumerate(diversity_table())]
    legacy, corrected = country_sets(False), country_sets(True)
    countries = [{"set_name": s, "country": c} for s, members in legacy.items() for c in sorted(members)]
    countries += [
        {"set_name": f"{s} (corrected)", "country": c}
        for s, members in corrected.items()
        if members != legacy.get(s)
        for c in sorted(members)
    ]
    loads = [
        TableLoad(table_of(RatingRow), list(ratings.values())),
        TableLoad(table_of(RecoveryRateRow), recovery),
        TableLoad(table_of(DiversityScoreRow), diversity),
        TableLoad(table_of(CountrySetRow), countries),
    ]
    industries: dict[tuple[str, str], dict[str, Any]] = {}
    for key, agency in (("moodys_industries", "MOODYS"), ("sp_industries", "SP")):
        for value in content.filter_lists.get(key, ()):
            name = str(value).strip() if value is not None else ""
            if name:
                industries.setdefault((agency, name), {"agency": agency, "name": name, "code": None})
    if content.filter_lists:
        loads.append(TableLoad(table_of(IndustryRow), list(industries.values())))
    waterfalls = [
        {"name": slug, "version": 1, "description": doc.get("about"), "definition": doc}
        for slug, doc in waterfall_documents().items()
    ]
    if waterfalls:
        loads.append(TableLoad(table_of(WaterfallVersionRow), waterfalls))
    return loads
