"""Entry points for callers outside the CLI (the demo, Excel handlers): a workbook deal → JSON document."""

from __future__ import annotations

from typing import Any

from clo_xl.runs.cashflow_pipeline import cashflow_document, inputs_from_workbook, run_pipeline
from clo_xl.runs.deal_cf_tab import deal_cf_blocks, side_by_side


def project_workbook_deal(book: Any, deal: str, **options: Any) -> dict[str, Any]:
    """`clo-xl cashflows --workbook … --deal DEAL --json` for an already-read workbook.

    ``options`` are :func:`clo_xl.runs.cashflow_pipeline.cashflow_document`'s keywords (``cpr``, ``cdr``,
    ``severity``, ``lag``, ``curve_shift`` (decimal), ``convention``, ``paths``, ``seed``...).
    """
    return cashflow_document(inputs_from_workbook(book, deal), deal=deal, **options)


def deal_cf_sheet(book: Any, deal: str, **options: Any) -> tuple[dict[str, Any], list[list[Any]]]:
    """The JSON document and the legacy `Deal CF-<Deal>` tab as a grid of cells (blocks side by side)."""
    run = run_pipeline(inputs_from_workbook(book, deal), deal=deal, **options)
    blocks = deal_cf_blocks(run.result, run.payload["summary"]["tranches"])
    return run.payload, side_by_side(blocks)
