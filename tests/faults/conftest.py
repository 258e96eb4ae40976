"""Fault tests share the hardening suite's embedded PostgreSQL fixtures (``tests/corpus/pg.py``)."""

from __future__ import annotations

from corpus.conftest import base_workbook
from corpus.pg import db_url, pg_server, template_url

__all__ = ["base_workbook", "db_url", "pg_server", "template_url"]
