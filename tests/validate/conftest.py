"""Parallel-run tests: ``sample_workbook`` and ``workbook_copy`` come from tests/conftest.py."""
