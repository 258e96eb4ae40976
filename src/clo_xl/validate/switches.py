"""Which legacy-defect switches move a value: the explanation of a break in a corrected-convention run.

A switch "moves" a value when turning that one switch off (legacy convention otherwise) changes it. Only
needed when the run's convention is not ``legacy``; then each deal costs one evaluation per switch, computed
on the first difference that needs a name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from clo_xl.compliance.quirks import LEGACY, Quirk, QuirkSet

Document = dict[str, Any]
Finder = Callable[[int | None, str], tuple[str, ...]]


class Recomputer(Protocol):
    """Python's documents for a deal of the workbook under a convention or a switch set."""

    def compliance(self, deal: str, convention: str | QuirkSet) -> Document: ...

    def hypo_documents(
        self, deal: str, pool_mode: bool, convention: str | QuirkSet
    ) -> list[tuple[str, Document]]: ...


def switch_finder(
    recompute: Recomputer, convention: str
) -> Callable[[str], Callable[[int | None, str], tuple[str, ...]]]:
    """Per deal, a function naming the legacy-defect switches that move a given (test, field).

    A switch "moves" a value when turning that one switch off (legacy convention otherwise) changes it.
    Only needed when the run's convention is not ``legacy``; then each deal costs one evaluation per switch.
    """

    def none(test: int | None, key: str) -> tuple[str, ...]:
        return ()

    if convention == "legacy":
        return lambda deal: none
    memo: dict[str, dict[tuple[int | None, str], tuple[str, ...]]] = {}

    def build(deal: str) -> dict[tuple[int | None, str], tuple[str, ...]]:
        base = recompute.compliance(deal, "legacy")
        moved: dict[tuple[int | None, str], list[str]] = {}
        for quirk in Quirk:
            other = recompute.compliance(deal, LEGACY.without(quirk))
            for key, _, _ in _differences(base, other):
                moved.setdefault(key, []).append(quirk.name)
        return {k: tuple(v) for k, v in moved.items()}

    def for_deal(deal: str) -> Callable[[int | None, str], tuple[str, ...]]:
        def lookup(test: int | None, key: str) -> tuple[str, ...]:
            if deal not in memo:  # computed on the first difference that needs a name
                memo[deal] = build(deal)
            return memo[deal].get((test, key), ())

        return lookup

    return for_deal


def hypo_switch_finder(
    recompute: Recomputer, convention: str, pool_mode: bool
) -> Callable[[str, int], Callable[[int | None, str], tuple[str, ...]]]:
    """As :func:`switch_finder`, for the hypo blocks of a deal: ``finder(deal, block)(test, key)``."""

    def none(test: int | None, key: str) -> tuple[str, ...]:
        return ()

    if convention == "legacy":
        return lambda deal, block: none
    memo: dict[str, list[dict[tuple[int | None, str], tuple[str, ...]]]] = {}

    def build(deal: str) -> list[dict[tuple[int | None, str], tuple[str, ...]]]:
        base = recompute.hypo_documents(deal, pool_mode, "legacy")
        moved: list[dict[tuple[int | None, str], list[str]]] = [{} for _ in base]
        for quirk in Quirk:
            other = recompute.hypo_documents(deal, pool_mode, LEGACY.without(quirk))
            for i, ((_, a), (_, b)) in enumerate(zip(base, other, strict=False)):
                for key, _, _ in _differences(a, b):
                    moved[i].setdefault(key, []).append(quirk.name)
        return [{k: tuple(v) for k, v in block.items()} for block in moved]

    def finder(deal: str, block: int) -> Callable[[int | None, str], tuple[str, ...]]:
        def lookup(test: int | None, key: str) -> tuple[str, ...]:
            if deal not in memo:
                memo[deal] = build(deal)
            blocks = memo[deal]
            return blocks[block].get((test, key), ()) if block < len(blocks) else ()

        return lookup

    return finder


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[tuple[int | None, str], Any, Any]]:
    out: list[tuple[tuple[int | None, str], Any, Any]] = []
    for top in ("objective", "hypo_objective"):
        if a.get(top) != b.get(top):
            out.append(((None, top), a.get(top), b.get(top)))
    tests_b = {t["number"]: t for t in b.get("tests", [])}
    for t in a.get("tests", []):
        other = tests_b.get(t["number"], {})
        for key, value in t.items():
            if other.get(key) != value:
                out.append(((t["number"], key), value, other.get(key)))
    return out
