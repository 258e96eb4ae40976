"""The Run Model buttons without Excel: rankings, rebalancing and credit migration as documents.

:class:`RunModelSettings` holds the ``Run Model`` inputs those runs read (COMPLIANCE_SPEC §1.3: E8:E12, the
buy and sale filters, the objective-weight panel, N8, C17/C20), read from the deal's workbook or database
copy (:func:`run_model_settings`); every one can be overridden (the CLI's options). The documents carry
``warnings`` (CONTRACT §5): each legacy switch that, turned off alone, moves one of their figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from clo_xl.api import DealSession, quirks_of
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.filters import FilterRow, filter_text
from clo_xl.compliance.quirk_effects import compliance_figures
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.rankings import RANKING_HEADER, Ranking, liquidation_price, rank_assets
from clo_xl.compliance.rebalance import RebalanceResult, rebalance
from clo_xl.enums import TransactionType
from clo_xl.errors import UsageError
from clo_xl.quirk_warnings import Figure, QuirkWarning, attach_warnings, detect_warnings

Document = dict[str, Any]


@dataclass(frozen=True)
class RunModelSettings:
    """``Run Model`` inputs of rankings, rebalancing, hypothetical trades and credit migration.

    ``step`` (E8, par per candidate), ``allow_increase`` (E9), ``side`` (E10), ``sale_target`` /
    ``buy_target`` (E11/E12, par), ``buy_filter`` / ``sale_filter`` (D15:I20 / D23:I28 as the legacy's filter
    text), ``weights`` (H31:I38 test number → weight; empty = the deal sheet's ObjWeights), ``pool_mode``
    (N8), ``simulations`` and ``seed`` (C17, C20).
    """

    step: float = 750_000.0
    allow_increase: bool = False
    side: TransactionType = TransactionType.BUY
    sale_target: float = 0.0
    buy_target: float = 0.0
    buy_filter: str = ""
    sale_filter: str = ""
    weights: Mapping[int, float] = field(default_factory=dict)
    pool_mode: bool = True
    simulations: int = 100
    seed: int = 0

    def with_(self, **changes: Any) -> RunModelSettings:
        """These settings with the given (not ``None``) values replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def number(value: object, where: str, default: float) -> float:
    """A Run Model number cell; blank is ``default``; anything else is an error naming ``where``."""
    if value is None or value == "":
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise UsageError(f"{where} must be a number, got {value!r}")


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    return number(data.get(key), f"Run Model {key.replace('_', ' ')}", default)


def flag(value: object, default: bool) -> bool:
    """A Run Model TRUE/FALSE cell: TRUE, 1 or YES (any case) is true; blank is ``default``."""
    if value is None or value == "":
        return default
    return value is True or str(value).strip().upper() in {"TRUE", "1", "YES"}


def _filter(rows: object) -> str:
    if not isinstance(rows, list):
        return ""
    keys = ("logical", "open", "field", "operator", "value", "close")
    cells = [
        FilterRow(*("" if r.get(k) is None else str(r.get(k)) for k in keys))
        for r in rows
        if isinstance(r, Mapping)
    ]
    return filter_text(cells)


def run_model_settings(session: DealSession) -> RunModelSettings:
    """The Run Model inputs of the session's workbook or database copy (defaults for an extract)."""
    book = session.book
    if book is None:
        return RunModelSettings()
    data: Mapping[str, Any] = book.run_model.data
    weights: dict[int, float] = {}
    for row in data.get("objective_panel") or ():
        number = row.get("test_number")
        if isinstance(number, int | float) and not isinstance(number, bool):
            weight = row.get("weight")
            weights[int(number)] = float(weight) if isinstance(weight, int | float) else 0.0
    side = str(data.get("ranking_transaction") or "Buy").strip().lower()
    return RunModelSettings(
        step=_number(data, "incremental_loan_size", 750_000.0),
        allow_increase=flag(data.get("allow_par_increase"), False),
        side=TransactionType.SALE if side == "sale" else TransactionType.BUY,
        sale_target=_number(data, "rebalance_sale_par", 0.0),
        buy_target=_number(data, "rebalance_buy_par", 0.0),
        buy_filter=_filter(data.get("buy_filter")),
        sale_filter=_filter(data.get("sale_filter")),
        weights=weights,
        pool_mode=flag(data.get("hypo_pool_mode"), True),
        simulations=int(_number(data, "simulations", 100.0)),
        seed=int(_number(data, "seed", 0.0)),
    )


def _weighted(session: DealSession, settings: RunModelSettings) -> DealSession:
    return session.with_weights(dict(settings.weights)) if settings.weights else session


# -- rankings ------------------------------------------------------------------------------------------
def _ranking_json(ranking: Ranking, session: DealSession, engine: ComplianceEngine) -> list[dict[str, Any]]:
    rows = ranking.rows(session.pool, engine)
    if ranking.message:
        return []
    keys = ("objective", "brs_id", "issue_name", "par", "market_value", "moodys_rating", "sp_rating",
            "coupon", "spread", "libor_floor", "wal", "recovery_rate")  # fmt: skip
    assert len(keys) == len(RANKING_HEADER)
    out = []
    for rank, row in enumerate(rows[1:], start=1):
        entry = dict(zip(keys, row, strict=True))
        entry["rank"] = rank
        entry["market_value"] = session.pool.universe.assets[int(ranking.positions[rank - 1])].market_value
        out.append(entry)
    return out


def _rankings_doc(
    session: DealSession, settings: RunModelSettings, quirks: QuirkSet, liquidation: float | None
) -> Document:
    return _rankings_run(session, settings, quirks, liquidation)[1]


def _rankings_run(
    session: DealSession, settings: RunModelSettings, quirks: QuirkSet, liquidation: float | None
) -> tuple[Ranking, Document]:
    s = _weighted(session, settings)
    engine = s.engine(quirks)
    ranking = rank_assets(
        engine,
        s.pool,
        side=settings.side,
        step=settings.step,
        buy_filter=settings.buy_filter,
        sale_filter=settings.sale_filter,
        allow_increase=settings.allow_increase,
        liquidation=liquidation,
    )
    report = s.compliance(quirks)
    return ranking, {
        "deal": s.deal,
        "analysis_date": report.analysis_date.isoformat(),
        "convention": report.convention.value if report.convention else "custom",
        "side": settings.side.value,
        "step": settings.step,
        "allow_increase": settings.allow_increase,
        "buy_filter": settings.buy_filter,
        "sale_filter": settings.sale_filter,
        "weights": {str(k): v for k, v in engine.deal.weights.items()},
        "liquidation_price": liquidation_price(engine.deal, liquidation),
        "objective": report.objective,
        "message": ranking.message,
        "candidates": _ranking_json(ranking, s, engine),
    }


def _ranking_figures(doc: Mapping[str, Any]) -> dict[str, Figure]:
    out: dict[str, Figure] = {"objective": doc["objective"], "message": doc["message"]}
    for c in doc["candidates"]:
        out[f"rank {c['rank']} asset"] = c["brs_id"]
        out[f"rank {c['rank']} score"] = c["objective"]
        out[f"rank {c['rank']} Moody's rating"] = c["moodys_rating"]
        out[f"rank {c['rank']} S&P rating"] = c["sp_rating"]
        out[f"rank {c['rank']} recovery rate"] = c["recovery_rate"]
    return out


def _switch_warnings(
    quirks: QuirkSet,
    document_for: Callable[[QuirkSet], Document],
    figures: Callable[[Mapping[str, Any]], dict[str, Figure]],
    switches: tuple[Quirk, ...] | None = None,
) -> tuple[QuirkWarning, ...]:
    base = figures(document_for(quirks))
    chosen = switches if switches is not None else tuple(Quirk)
    variants = ((q.name, q.legacy, figures(document_for(quirks.without(q)))) for q in chosen if q in quirks)
    return detect_warnings(base, variants)


def rankings_document(
    session: DealSession,
    settings: RunModelSettings,
    *,
    convention: Any = None,
    liquidation: float | None = None,
) -> Document:
    """Buy or sale candidates ranked by the asset-level objective (§5.3), best first for buys and worst
    first for sales, with the legacy switches that moved a rank, a score or a rating (``warnings``)."""
    return rankings_run(session, settings, convention=convention, liquidation=liquidation)[1]


def rankings_run(
    session: DealSession,
    settings: RunModelSettings,
    *,
    convention: Any = None,
    liquidation: float | None = None,
) -> tuple[Ranking, Document]:
    """:func:`rankings_document` with the :class:`Ranking` behind it (for the Rankings-Output tab)."""
    quirks = quirks_of(convention if convention is not None else session.convention)
    ranking, doc = _rankings_run(session, settings, quirks, liquidation)
    warnings = _switch_warnings(
        quirks, lambda q: _rankings_doc(session, settings, q, liquidation), _ranking_figures
    )
    return ranking, attach_warnings(doc, warnings)


# -- rebalancing ---------------------------------------------------------------------------------------
#: switches of the rebalancing loop itself (checked whatever the start of the run shows)
LOOP_SWITCHES = (
    Quirk.Q17_PREVIOUS_VALUES_ROLL_FORWARD,
    Quirk.Q26_ASSET_OBJECTIVE_DEFECTS,
    Quirk.Q26_PRICE_BLIND_SCORES,
    Quirk.Q27_FILTERED_COUNT_ZERO,
    Quirk.Q29_REBALANCE_DEFECTS,
)


def _rebalance_result(
    session: DealSession, settings: RunModelSettings, quirks: QuirkSet, liquidation: float | None
) -> RebalanceResult:
    s = _weighted(session, settings)
    return rebalance(
        s.engine(quirks),
        s.pool,
        step=settings.step,
        sale_target=settings.sale_target,
        buy_target=settings.buy_target,
        buy_filter=settings.buy_filter,
        sale_filter=settings.sale_filter,
        allow_increase=settings.allow_increase,
        liquidation=liquidation,
    )


def _rebalance_doc(
    session: DealSession, settings: RunModelSettings, quirks: QuirkSet, liquidation: float | None
) -> Document:
    return _rebalance_json(session, settings, _rebalance_result(session, settings, quirks, liquidation))


def _rebalance_json(session: DealSession, settings: RunModelSettings, result: RebalanceResult) -> Document:
    doc = result.to_json()
    universe = session.pool.universe
    for key in ("purchases_by_asset", "sales_by_asset", "purchases", "sales"):
        for entry in doc[key]:
            asset = universe.get(entry["brs_id"])
            entry["issuer_name"] = asset.issuer_name if asset else None
    doc.update(
        {
            "step": settings.step,
            "sale_target": settings.sale_target,
            "buy_target": settings.buy_target,
            "buy_filter": settings.buy_filter,
            "sale_filter": settings.sale_filter,
            "allow_increase": settings.allow_increase,
            "evaluations": result.evaluations,
        }
    )
    return doc


def _rebalance_figures(doc: Mapping[str, Any]) -> dict[str, Figure]:
    out = compliance_figures({k: v for k, v in doc.items() if k not in ("trades",)})
    for key in ("after_objective", "par_build", "after_principal_cash"):
        out[key.replace("_", " ")] = doc[key]
    for t in doc["tests"]:
        out[f"test {t['number']} after result"] = t["after_result"]
        out[f"test {t['number']} after pass"] = t["after_pass"]
    for side in ("purchases_by_asset", "sales_by_asset"):
        for a in doc[side]:
            out[f"{side.split('_')[0]} of {a['brs_id']} par"] = a["par"]
            out[f"{side.split('_')[0]} of {a['brs_id']} cash"] = a["cash"]
    return out


def _start_moves(session: DealSession, settings: RunModelSettings, quirks: QuirkSet, q: Quirk,
                 liquidation: float | None) -> bool:  # fmt: skip
    """Whether switch ``q`` moves the start of a rebalancing: the compliance figures of the deal or its
    first sale and buy rankings."""
    other = quirks.without(q)
    if compliance_figures(session.compliance(quirks).to_json()) != compliance_figures(
        session.compliance(other).to_json()
    ):
        return True
    for side in (TransactionType.SALE, TransactionType.BUY):
        chosen = settings.with_(side=side)
        a = _ranking_figures(_rankings_doc(session, chosen, quirks, liquidation))
        b = _ranking_figures(_rankings_doc(session, chosen, other, liquidation))
        if a != b:
            return True
    return False


def rebalance_document(
    session: DealSession,
    settings: RunModelSettings,
    *,
    convention: Any = None,
    liquidation: float | None = None,
) -> Document:
    """Sell down to the sale target, buy up to the buy target (§5.4), at market value: the before/after
    tests, every lot, the lots aggregated per asset, the par built or burnt, and the ``warnings``.

    A switch is re-run through the whole rebalancing when it is one of :data:`LOOP_SWITCHES` or moves the
    start of the run (the deal's compliance figures, its first sale or buy ranking); a switch that moves
    none of them is taken as not moving the rebalancing either (re-running the loop ~30 times for every
    switch would cost more than the run itself)."""
    return rebalance_run(session, settings, convention=convention, liquidation=liquidation)[1]


def rebalance_run(
    session: DealSession,
    settings: RunModelSettings,
    *,
    convention: Any = None,
    liquidation: float | None = None,
) -> tuple[RebalanceResult, Document]:
    """:func:`rebalance_document` with the :class:`RebalanceResult` behind it (for the Rebalance-Output
    tab)."""
    quirks = quirks_of(convention if convention is not None else session.convention)
    result = _rebalance_result(session, settings, quirks, liquidation)
    doc = _rebalance_json(session, settings, result)
    chosen = tuple(
        q for q in Quirk if q in quirks and (q in LOOP_SWITCHES or _start_moves(session, settings, quirks, q,
                                                                                 liquidation))
    )  # fmt: skip
    warnings = _switch_warnings(
        quirks, lambda q: _rebalance_doc(session, settings, q, liquidation), _rebalance_figures, chosen
    )
    return result, attach_warnings(doc, warnings)


# -- credit migration ----------------------------------------------------------------------------------
def migration_document(
    session: DealSession,
    *,
    paths: int,
    seed: int,
    convention: Any = None,
    **options: Any,
) -> Document:
    """Correlated S&P rating paths for the deal's holdings, one deal run per path (CASHFLOW_SPEC §8): the
    ``cashflows`` document with ``paths`` and ``migration`` (statistics per step, min/median/max paths)."""
    if paths < 1:
        raise UsageError(f"--paths must be at least 1, got {paths}")
    return session.cashflow_document(convention=convention, paths=paths, seed=seed, **options)


__all__ = [
    "LOOP_SWITCHES",
    "RunModelSettings",
    "migration_document",
    "rankings_document",
    "rankings_run",
    "rebalance_document",
    "rebalance_run",
    "run_model_settings",
]
