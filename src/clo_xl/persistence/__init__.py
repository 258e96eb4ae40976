"""PostgreSQL persistence: the embedded server, engine, schema (Alembic), mappers, repositories, backup,
audit and the workbook migration. The core never imports this package; it imports the core."""

from clo_xl.persistence.engine import database_url, engine

__all__ = ["database_url", "engine"]
