"""`clo-xl waterfall diff A B` and `clo-xl waterfall show A`: the waterfall versions as data."""

from __future__ import annotations

import typer

from clo_xl.commands._output import console, emit, table
from clo_xl.enums import Convention
from clo_xl.waterfall.steps import describe
from clo_xl.waterfall.versions import diff_versions, load_version

CONVENTION = typer.Option(
    Convention.LEGACY, "--convention", case_sensitive=False, help="legacy or corrected."
)
JSON = typer.Option(False, "--json", help="One JSON document on stdout.")


def _where(change: dict[str, object]) -> str:
    """Which test (by name) or which steps (1-based positions in each version) a difference is about."""
    at = change.get("at")
    if change["section"] == "tests" and isinstance(at, list) and at:
        return f"test {at[0]}"
    if isinstance(at, list) and len(at) == 2:
        return f"step {at[0]} / {at[1]}"
    return ""


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Waterfall versions (one data file per Mag family).", no_args_is_help=True)

    @group.command("diff")
    def diff(
        left: str = typer.Argument(..., help='e.g. "Mag 15"'),
        right: str = typer.Argument(..., help='e.g. "Mag 16"'),
        convention: Convention = CONVENTION,
        as_json: bool = JSON,
    ) -> None:
        """Step differences between two waterfall versions."""
        legacy = convention is Convention.LEGACY
        a = load_version(left, legacy=legacy, mag17_as_mag15=False)
        b = load_version(right, legacy=legacy, mag17_as_mag15=False)
        changes = diff_versions(a, b)

        def render() -> None:
            rows = [
                [c["section"], c["change"], _where(c), "\n".join(c[a.name]), "\n".join(c[b.name])]
                for c in changes
            ]
            console.print(
                table(
                    f"{a.name} vs {b.name} ({convention})",
                    ["section", "change", "where", a.name, b.name],
                    rows,
                )
            )

        emit(
            {"left": a.name, "right": b.name, "convention": convention.value, "differences": changes},
            as_json=as_json,
            render=render,
        )

    @group.command("show")
    def show(
        name: str = typer.Argument(..., help='e.g. "Mag 15"'),
        convention: Convention = CONVENTION,
        as_json: bool = JSON,
    ) -> None:
        """List a version's steps."""
        v = load_version(name, legacy=convention is Convention.LEGACY, mag17_as_mag15=False)
        doc = {
            section: [describe(s) for s in getattr(v, section)]
            for section in ("interest", "principal", "notes", "eod")
        }

        def render() -> None:
            for section, steps in doc.items():
                console.print(
                    table(f"{v.name} {section}", ["#", "step"], [[i + 1, s] for i, s in enumerate(steps)])
                )

        emit({"name": v.name, "about": v.about, **doc}, as_json=as_json, render=render)

    app.add_typer(group, name="waterfall")
