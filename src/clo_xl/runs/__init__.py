"""Runs: orchestration above the core (docs/architecture.md).

A run ties a deal's inputs to the core and shapes what comes back for a reader: the cash-flow pipeline
(:mod:`.cashflow_pipeline`) and its JSON document (:mod:`.cashflow_document`), the legacy output tabs as
tables (:mod:`.deal_cf_tab`, :mod:`.compliance_tabs`), entry points for the demo and Excel
(:mod:`.cashflow_service`) and synthetic deals for tests and benchmarks (:mod:`.synthetic`). The core below
never imports a run.
"""
