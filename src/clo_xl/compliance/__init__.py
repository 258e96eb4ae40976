"""Compliance: the 54 legacy tests as a data catalogue plus numeric kernels, objective functions,
hypothetical trades, rankings, rebalancing and filters (COMPLIANCE_SPEC §4–§5).

Import the pieces from their modules (``clo_xl.compliance.engine``, ``.hypo``, ``.quirks`` …); this package
module stays light so that :mod:`clo_xl.ratings` can use :mod:`clo_xl.compliance.quirks` without cycles.
"""
