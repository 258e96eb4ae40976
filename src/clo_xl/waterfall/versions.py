"""Waterfall versions as data: `clo_xl/data/waterfalls/<mag>.json`, one file per Mag version.

A step or test may carry ``"legacy": {field: value}`` (overrides applied while the quirk named by its
``"quirk"`` tag is on, i.e. in the `legacy` convention), ``"legacy_only": true`` or
``"corrected_only": true``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from clo_xl.cashflows.structure import DealStructure
from clo_xl.errors import CloXlError
from clo_xl.waterfall.steps import STEP_TYPES, Controlling, Step, describe

TestKind = Literal["OC", "IC", "IDT", "EOD"]


def _natural(name: str) -> tuple[str, int]:
    """ "Mag 6" before "Mag 17": the name's text, then its number."""
    digits = "".join(ch for ch in name if ch.isdigit())
    return (name.rstrip("0123456789 "), int(digits) if digits else 0)


def packaged_versions() -> tuple[str, ...]:
    """The names of the versions shipped in ``clo_xl/data/waterfalls`` (each file's ``name``): adding a
    deal family is adding a file there, nothing else."""
    folder = resources.files("clo_xl.data.waterfalls")
    names = [
        json.loads(entry.read_text(encoding="utf-8"))["name"]
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    return tuple(sorted(names, key=_natural))


#: every packaged waterfall version, discovered from the data files
VERSIONS = packaged_versions()


@dataclass(frozen=True)
class TestDefinition:
    """A coverage test: denominator = Σ over ``classes``; trigger from the tranche (OC/IC) or the deal."""

    name: str
    kind: TestKind
    classes: tuple[str, ...]
    tranche: str | None = None


@dataclass(frozen=True)
class WaterfallVersion:
    name: str
    about: str
    classes: tuple[str, ...]
    deferrable: tuple[str, ...]
    tests: tuple[TestDefinition, ...]
    interest: tuple[Step, ...]
    principal: tuple[Step, ...]
    notes: tuple[Step, ...]
    eod: tuple[Step, ...]


def _slug(name: str) -> str:
    return name.strip().lower().replace(" ", "")


Tags = frozenset[str]


def _on(raw: dict[str, Any], tags: Tags) -> bool:
    """Whether the legacy variant of this entry applies: its ``quirk`` tag is one of the switches on."""
    return str(raw.get("quirk", "")) in tags


def _applies(raw: dict[str, Any], tags: Tags) -> bool:
    legacy = _on(raw, tags)
    return not ((raw.get("legacy_only") and not legacy) or (raw.get("corrected_only") and legacy))


def _merged(raw: dict[str, Any], tags: Tags) -> dict[str, Any]:
    out = {
        k: v for k, v in raw.items() if k not in ("legacy", "quirk", "legacy_only", "corrected_only", "step")
    }
    if _on(raw, tags):
        out.update(raw.get("legacy", {}))
    return out


def _step(raw: dict[str, Any], tags: Tags) -> Step:
    cls = STEP_TYPES.get(raw.get("step", ""))
    if cls is None:
        raise CloXlError(f"unknown waterfall step {raw.get('step')!r}; known: {', '.join(STEP_TYPES)}")
    args = _merged(raw, tags)
    names = {f.name for f in fields(cls)}
    unknown = set(args) - names
    if unknown:
        raise CloXlError(f"step {raw['step']} has unknown option(s) {sorted(unknown)}")
    for key, value in list(args.items()):
        if isinstance(value, list):
            args[key] = tuple(value)
        if key == "controlling":
            args[key] = Controlling(value)
    step: Step = cls(**args)
    return step


def _parse(doc: dict[str, Any], tags: Tags) -> WaterfallVersion:
    def steps(key: str) -> tuple[Step, ...]:
        return tuple(_step(r, tags) for r in doc[key] if _applies(r, tags))

    tests = tuple(
        TestDefinition(t["name"], t["kind"], tuple(m["classes"]), t.get("tranche"))
        for t in doc["tests"]
        for m in [_merged(t, tags)]
    )
    return WaterfallVersion(
        name=doc["name"],
        about=doc.get("about", ""),
        classes=tuple(doc["classes"]),
        deferrable=tuple(doc["deferrable"]),
        tests=tests,
        interest=steps("interest"),
        principal=steps("principal"),
        notes=steps("notes"),
        eod=steps("eod"),
    )


@lru_cache(maxsize=64)
def load_version(
    name: str, *, legacy: bool = True, mag17_as_mag15: bool | None = None, tags: Tags | None = None
) -> WaterfallVersion:
    """The waterfall for deal family ``name`` ("Mag 15", "MAG15", "mag15" all work).

    ``mag17_as_mag15`` (Q48, default = ``legacy``) runs Mag 17 on the Mag 15 file as the legacy did.
    ``tags``: the quirk tags ("Q11", "Q17"…) whose legacy step options apply (default: every tag in
    ``legacy``, none otherwise).
    """
    slug = _slug(name)
    if slug == "mag17" and (legacy if mag17_as_mag15 is None else mag17_as_mag15):
        slug = "mag15"
    path = resources.files("clo_xl.data.waterfalls").joinpath(f"{slug}.json")
    if not path.is_file():
        raise CloXlError(f"no waterfall for deal {name!r}; versions: {', '.join(VERSIONS)}")
    doc = json.loads(path.read_text(encoding="utf-8"))
    if tags is None:
        tags = frozenset(_all_tags(doc)) if legacy else frozenset()
    return _parse(doc, tags)


def version_tags(name: str, *, mag17_as_mag15: bool = True) -> frozenset[str]:
    """The quirk tags ("Q11", "Q17"…) that deal family ``name``'s version file carries (empty if unknown)."""
    slug = _slug(name)
    if slug == "mag17" and mag17_as_mag15:
        slug = "mag15"
    path = resources.files("clo_xl.data.waterfalls").joinpath(f"{slug}.json")
    if not path.is_file():
        return frozenset()
    return frozenset(_all_tags(json.loads(path.read_text(encoding="utf-8"))))


def tags_for(deal: DealStructure, *, mag17_as_mag15: bool = True) -> frozenset[str]:
    """The quirk tags of the waterfall ``deal`` runs on (its own version document, or the packaged one)."""
    if deal.waterfall_json is not None:
        return frozenset(_all_tags(json.loads(deal.waterfall_json)))
    return version_tags(deal.waterfall_name or deal.name, mag17_as_mag15=mag17_as_mag15)


def _all_tags(doc: dict[str, Any]) -> set[str]:
    return {
        str(r["quirk"])
        for key in ("tests", "interest", "principal", "notes", "eod")
        for r in doc.get(key, ())
        if "quirk" in r
    }


def parse_version(
    document: str | dict[str, Any], *, legacy: bool = True, tags: Tags | None = None
) -> WaterfallVersion:
    """A waterfall version from its document (the JSON text or object of a ``data/waterfalls`` file);
    ``tags`` as for :func:`load_version`."""
    doc = json.loads(document) if isinstance(document, str) else document
    if not isinstance(doc, dict) or "name" not in doc:
        raise CloXlError(
            "a waterfall document is a JSON object with a 'name' (as data/waterfalls/mag17.json)"
        )
    if tags is None:
        tags = frozenset(_all_tags(doc)) if legacy else frozenset()
    try:
        return _parse(doc, tags)
    except KeyError as exc:
        raise CloXlError(f"waterfall {doc['name']!r}: the document has no {exc.args[0]!r} section") from exc


def version_for(
    deal: DealStructure, *, legacy: bool = True, mag17_as_mag15: bool | None = None, tags: Tags | None = None
) -> WaterfallVersion:
    """The waterfall ``deal`` runs on: the version it carries as data, else the packaged version it names,
    else the packaged version of its own name."""
    if deal.waterfall_json is not None:
        return parse_version(deal.waterfall_json, legacy=legacy, tags=tags)
    name = deal.waterfall_name or deal.name
    return load_version(name, legacy=legacy, mag17_as_mag15=mag17_as_mag15, tags=tags)


def diff_versions(a: WaterfallVersion, b: WaterfallVersion) -> list[dict[str, Any]]:
    """Step-by-step differences (unified-diff style) per section, plus class and test differences."""
    import difflib

    out: list[dict[str, Any]] = []
    for section in ("interest", "principal", "notes", "eod"):
        left = [describe(s) for s in getattr(a, section)]
        right = [describe(s) for s in getattr(b, section)]
        matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            out.append(
                {
                    "section": section,
                    "change": tag,
                    a.name: left[i1:i2],
                    b.name: right[j1:j2],
                    "at": [i1 + 1, j1 + 1],
                }
            )
    ta = {t.name: t for t in a.tests}
    tb = {t.name: t for t in b.tests}
    for name in sorted(set(ta) | set(tb)):
        if ta.get(name) != tb.get(name):
            out.append(
                {
                    "section": "tests",
                    "change": "replace"
                    if name in ta and name in tb
                    else ("delete" if name in ta else "insert"),
                    a.name: [str(ta[name].classes)] if name in ta else [],
                    b.name: [str(tb[name].classes)] if name in tb else [],
                    "at": [name],
                }
            )
    return out
