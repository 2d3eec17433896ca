"""The store: SQLAlchemy tables, Alembic migrations and the queries the stages need."""

from monitor.store.db import Database, open_database

__all__ = ["Database", "open_database"]
