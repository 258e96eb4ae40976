"""``clo-xl demo``: the main job on the embedded default database.

Loads the sample workbook, migrates it into PostgreSQL, runs compliance for every deal from the database,
a hypothetical trade, a cash-flow projection and the parallel-run validation; writes an output workbook and
an HTML report under ``./clo-xl-out/`` and prints a summary table. Each step is in
:mod:`clo_xl.demo_pipeline`; a step that fails is reported as failed, never faked.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import typer

from clo_xl.commands._output import console, emit, error, table, wrote
from clo_xl.commands._progress import progress_bar, sub_progress
from clo_xl.commands._settings import note_input
from clo_xl.demo_pipeline import demo_steps
from clo_xl.demo_steps import DemoContext, StepResult, write_demo_outputs
from clo_xl.errors import CloXlError, UsageError
from clo_xl.sample import sample_workbook


def default_workbook() -> Path:
    """The sample workbook: a checkout's ``workbook/TradeHypo.xlsm``, else the copy inside the package
    (``clo_xl/data/sample``), so ``clo-xl demo`` also runs from an installed wheel in an empty folder."""
    packaged = sample_workbook()
    for candidate in (Path.cwd() / "workbook" / "TradeHypo.xlsm", packaged):
        if candidate.is_file() and _is_zip(candidate):
            return candidate
    raise UsageError(
        f"the sample workbook is missing from this installation ({packaged}): pass --workbook PATH"
    )


def _is_zip(path: Path) -> bool:
    """A real .xlsm (a zip), not a git checkout's symbolic-link placeholder text file."""
    with path.open("rb") as fh:
        return fh.read(2) == b"PK"


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        workbook: Path | None = typer.Option(
            None, help="Workbook to run (default: the sample workbook shipped with clo-xl)."
        ),
        out: Path = typer.Option(
            Path("clo-xl-out"), help="Output folder for the workbook and the HTML report."
        ),
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            envvar="CLO_XL_DATABASE_URL",
            help="PostgreSQL URL (default: embedded server).",
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """The main job: workbook → PostgreSQL → compliance, every deal → hypo → cash flows → parallel run."""
        path = workbook or default_workbook()
        note_input(path)
        out.mkdir(parents=True, exist_ok=True)
        ctx = DemoContext(workbook=path, out_dir=out, database_url=database_url)
        results: list[StepResult] = []
        steps = demo_steps()
        started = time.perf_counter()
        with progress_bar(as_json=as_json) as progress:
            inner = sub_progress(progress)
            for done, step in enumerate(steps):
                progress(step.title, done, len(steps))
                t0 = time.perf_counter()
                try:
                    result = step.run(ctx, inner)
                except CloXlError as exc:
                    result = StepResult(step.title, "failed", str(exc))
                except ModuleNotFoundError as exc:
                    if not (exc.name or "").startswith("clo_xl."):
                        raise
                    result = StepResult(step.title, "skipped", f"{exc.name} is not part of this installation")
                result = StepResult(
                    result.step, result.status, result.summary, time.perf_counter() - t0, result.details
                )
                results.append(result)
                if result.status == "failed" and step.required:
                    break
        outputs = write_demo_outputs(ctx, results)
        payload = {
            "workbook": str(path),
            "out_dir": str(out),
            "seconds": round(time.perf_counter() - started, 3),
            "steps": [asdict(r) for r in results],
            "outputs": [str(p) for p in outputs],
        }

        def render() -> None:
            rows = [[r.step, r.status, f"{r.seconds:.2f} s", r.summary] for r in results]
            console.print(table("clo-xl demo", ["step", "status", "time", "result"], rows))

        emit(payload, as_json=as_json, render=render)
        wrote(outputs)
        failed = [r for r in results if r.status == "failed"]
        for r in failed:
            error(f"demo step '{r.step}' failed: {r.summary}")
        if failed:
            raise typer.Exit(2)
