"""A cached-deal API for the Excel UDFs, the CLI and other callers.

:class:`DealSession` is built once from assets, holdings and :class:`~clo_xl.deal.DealInputs` (or from an
extract pair / a workbook) and then evaluates compliance, WARF, WAS, WAL, WARR, diversity, hypothetical
trades, rankings and rebalancing repeatedly without re-reading anything: the pool's column arrays are
computed once per convention and cached.

>>> s = DealSession.from_extract("mag17_assets.json", "mag17_deal.json")  # doctest: +SKIP
>>> s.warf(), s.compliance().objective  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import HypoOutcome, run_hypo, trade_attributes
from clo_xl.compliance.quirk_effects import quirk_warnings
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.compliance.results import ComplianceReport
from clo_xl.deal import DealInputs
from clo_xl.enums import Convention, HypoMode
from clo_xl.errors import IngestError, Location, UsageError
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe
from clo_xl.quirk_warnings import attach_warnings

ConventionLike = Convention | str | QuirkSet


def _key(convention: ConventionLike) -> QuirkSet:
    if isinstance(convention, QuirkSet):
        return convention
    return QuirkSet.for_convention(convention)


@dataclass(eq=False)
class DealSession:
    """One deal, loaded once. All methods are pure with respect to the session's inputs."""

    assets: tuple[Asset, ...]
    holdings: tuple[Holding, ...]
    deal_inputs: DealInputs
    convention: ConventionLike = Convention.LEGACY
    universe: Universe | None = None
    _engines: dict[Any, ComplianceEngine] = field(default_factory=dict, init=False, repr=False)
    _reports: dict[Any, ComplianceReport] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.universe is None:
            self.universe = Universe(tuple(self.assets))
        self.pool = Pool.from_holdings(self.universe, self.holdings)
        if self.pool.unknown_ids:
            missing = self.pool.unknown_ids[0]
            where = next((h.location for h in self.holdings if h.brs_id.strip() == missing), None)
            raise IngestError(
                where or Location(column="BLKRockID"),
                missing,
                f"the deal holds BLKRockID {missing!r}, which is not in All Assets (the legacy skips such a "
                "holding silently; clo-xl refuses it)",
            )

    # -- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_extract(
        cls, assets: str | Path, deal_inputs: str | Path, *, convention: ConventionLike = Convention.LEGACY
    ) -> DealSession:
        from clo_xl.ingest.extract import load_extract

        e = load_extract(assets, deal_inputs)
        return cls(e.assets, e.holdings, e.deal_inputs, convention)

    @classmethod
    def from_workbook(
        cls, workbook: str | Path | Any, deal: str, *, convention: ConventionLike = Convention.LEGACY
    ) -> DealSession:
        try:
            from clo_xl.ingest.workbook import load_deal
        except ImportError as exc:  # pragma: no cover - the reader ships with clo-xl
            raise UsageError(f"the workbook reader is not available ({exc})") from None
        assets, holdings, inputs = load_deal(workbook, deal)
        return cls(tuple(assets), tuple(holdings), inputs, convention)

    # -- engines --------------------------------------------------------------------------------------
    def engine(self, convention: ConventionLike | None = None) -> ComplianceEngine:
        key = _key(convention if convention is not None else self.convention)
        eng = self._engines.get(key)
        if eng is None:
            eng = ComplianceEngine(self.deal_inputs, key)
            self._engines[key] = eng
        return eng

    def compliance(self, convention: ConventionLike | None = None) -> ComplianceReport:
        """The deal's compliance report on its current holdings (cached per convention)."""
        key = _key(convention if convention is not None else self.convention)
        rep = self._reports.get(key)
        if rep is None:
            rep = self.engine(key).evaluate(self.pool)
            self._reports[key] = rep
        return rep

    def compliance_document(self, convention: ConventionLike | None = None) -> dict[str, Any]:
        """CONTRACT §3 ``compliance --json`` document, with the ``warnings`` of CONTRACT §5 (each legacy
        switch that moved one of its figures)."""
        key = _key(convention if convention is not None else self.convention)
        doc = self.compliance(key).to_json()
        return attach_warnings(doc, quirk_warnings(key, lambda q: self.compliance(q).to_json()))

    def evaluate(
        self, pool: Pool, *, cash: float | None = None, convention: ConventionLike | None = None
    ) -> ComplianceReport:
        """Compliance of another pool over the same universe (e.g. after trades)."""
        return self.engine(convention).evaluate(pool, cash=cash)

    # -- single measures (UDFs) -------------------------------------------------------------------------
    def _result(self, numbers: Sequence[int], convention: ConventionLike | None) -> float | None:
        rep = self.compliance(convention)
        for n in numbers:
            r = rep.result(n)
            if r is not None:
                return r.result
        return None

    def _measure(self, test: int, convention: ConventionLike | None) -> float:
        """A test's value whether or not the deal lists it (computed with a one-row threshold table)."""
        found = self._result([test], convention)
        if found is not None:
            return found
        from dataclasses import replace

        from clo_xl.deal import ThresholdRow

        key = ("measure", test, _key(convention if convention is not None else self.convention))
        eng = self._engines.get(key)
        if eng is None:
            rows = (ThresholdRow(test_number=test),)
            eng = ComplianceEngine(replace(self.deal_inputs, thresholds=rows), _key(key[2]))
            self._engines[key] = eng
        rep = eng.evaluate(self.pool)
        r = rep.result(test)
        return r.result if r is not None else 0.0

    def warf(self, convention: ConventionLike | None = None) -> float:
        """Par-weighted Moody's rating factor (test 36 rules)."""
        return self._measure(36, convention)

    def was(self, convention: ConventionLike | None = None) -> float:
        """Weighted average floating spread (fraction; test 32 rules, or 39/46 when the deal uses those)."""
        found = self._result([32, 39, 46], convention)
        return found if found is not None else self._measure(32, convention)

    def wal(self, convention: ConventionLike | None = None) -> float:
        """Weighted average life in years (test 35, rounded to 2 decimals as the legacy engine does)."""
        return self._measure(35, convention)

    def warr(self, convention: ConventionLike | None = None) -> float:
        """Weighted average Moody's recovery rate (test 33)."""
        return self._measure(33, convention)

    def diversity(self, convention: ConventionLike | None = None) -> float:
        """Moody's diversity score (test 37)."""
        return self._measure(37, convention)

    @property
    def collateral_principal_amount(self) -> float:
        return self.compliance().collateral_principal_amount

    # -- trades ---------------------------------------------------------------------------------------
    def check_trades(self, trades: Sequence[Trade]) -> None:
        """Unknown BLKRockIDs in a trade list are bad input (the legacy skips or breaks on them)."""
        assert self.universe is not None
        for i, t in enumerate(trades):
            if t.brs_id not in self.universe:
                raise IngestError(
                    Location(column="BRS ID", row=i + 1), t.brs_id, "BLKRockID is not in All Assets"
                )

    def hypo(
        self,
        trades: Sequence[Trade],
        *,
        mode: HypoMode = HypoMode.POOL,
        convention: ConventionLike | None = None,
    ) -> tuple[HypoOutcome, ...]:
        """Before/after compliance for hypothetical trades (§5.2)."""
        return run_hypo(self.engine(convention), self.pool, trades, mode=mode)

    def hypo_document(
        self,
        trades: Sequence[Trade],
        *,
        mode: HypoMode = HypoMode.POOL,
        convention: ConventionLike | None = None,
    ) -> dict[str, Any]:
        """``compliance --json --hypo`` document (pool mode: the trades together; individual: first trade
        in the main document, all of them under ``"individual"``)."""
        key = _key(convention if convention is not None else self.convention)
        doc = self._hypo_document(trades, mode, key)
        return attach_warnings(doc, quirk_warnings(key, lambda q: self._hypo_document(trades, mode, q)))

    def _hypo_document(self, trades: Sequence[Trade], mode: HypoMode, quirks: QuirkSet) -> dict[str, Any]:
        outcomes = self.hypo(trades, mode=mode, convention=quirks)
        if not outcomes:
            raise UsageError(f"no trades for {self.deal_inputs.deal}")
        doc = outcomes[0].to_json()
        if mode is HypoMode.INDIVIDUAL:
            doc["individual"] = [{"label": o.label, **o.to_json()} for o in outcomes]
        else:
            doc["trade_attributes"] = trade_attributes(self.engine(quirks), self.pool, outcomes[0].trades)
        doc["mode"] = mode.value
        return doc

    # -- rankings / rebalancing -------------------------------------------------------------------------
    def rankings(self, **kwargs: Any) -> Any:
        from clo_xl.compliance.rankings import rank_assets

        return rank_assets(self.engine(kwargs.pop("convention", None)), self.pool, **kwargs)

    def rebalance(self, **kwargs: Any) -> Any:
        from clo_xl.compliance.rebalance import rebalance

        return rebalance(self.engine(kwargs.pop("convention", None)), self.pool, **kwargs)

    def with_weights(self, weights: Mapping[int, float]) -> DealSession:
        """A session with other objective weights (Run Model I31:I38), sharing the universe cache."""
        return DealSession(
            self.assets, self.holdings, self.deal_inputs.with_weights(weights), self.convention, self.universe
        )


def load_session(
    *,
    workbook: str | Path | None = None,
    deal: str | None = None,
    assets: str | Path | None = None,
    deal_inputs: str | Path | None = None,
    convention: ConventionLike = Convention.LEGACY,
) -> DealSession:
    """The two input routes of CONTRACT §3: ``workbook`` + ``deal``, or ``assets`` + ``deal_inputs``."""
    if workbook is not None:
        if assets is not None or deal_inputs is not None:
            raise UsageError("give either --workbook/--deal or --assets/--deal-inputs, not both")
        if not deal:
            raise UsageError("--workbook needs --deal NAME (e.g. --deal 'Mag 17')")
        return DealSession.from_workbook(workbook, deal, convention=convention)
    if assets is None or deal_inputs is None:
        raise UsageError("give --workbook PATH --deal NAME, or --assets PATH --deal-inputs PATH")
    session = DealSession.from_extract(assets, deal_inputs, convention=convention)
    if deal and deal.strip() != session.deal_inputs.deal:
        raise UsageError(
            f"--deal {deal!r} does not match the deal-inputs file ({session.deal_inputs.deal!r})"
        )
    return session


__all__ = ["DealSession", "load_session"]
