"""docs/compliance.md lists every quirk switch."""

from __future__ import annotations

from pathlib import Path

from clo_xl.compliance.quirks import CORRECTED, LEGACY, Quirk, QuirkSet
from clo_xl.enums import Convention

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"


def test_every_switch_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [q.name for q in Quirk if f"`{q.name}`" not in text]
    assert not missing


def test_conventions_map_to_switch_sets() -> None:
    assert (
        QuirkSet.for_convention("legacy") is LEGACY
        and QuirkSet.for_convention(Convention.CORRECTED) is CORRECTED
    )
    assert LEGACY.without(Quirk.Q19_ROUNDING).convention is None
    assert all(q.legacy and q.corrected and q.number >= 1 for q in Quirk)
