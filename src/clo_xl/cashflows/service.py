"""Entry points for callers outside the CLI (the demo, Excel handlers): a workbook deal → JSON document."""

from __future__ import annotations

from typing import Any

from clo_xl.cashflows.pipeline import cashflow_document, inputs_from_workbook


def project_workbook_deal(book: Any, deal: str, **options: Any) -> dict[str, Any]:
    """`clo-xl cashflows --workbook … --deal DEAL --json` for an already-read workbook.

    ``options`` are :func:`clo_xl.cashflows.pipeline.cashflow_document`'s keywords (``cpr``, ``cdr``,
    ``severity``, ``lag``, ``curve_shift`` (decimal), ``convention``, ``paths``, ``seed``...).
    """
    return cashflow_document(inputs_from_workbook(book, deal), deal=deal, **options)
