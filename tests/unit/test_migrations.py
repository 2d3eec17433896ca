"""The Alembic migrations create exactly the schema that tables.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store import open_database
from monitor.store.tables import metadata


def test_migrations_match_the_table_definitions(tmp_path):
    db = open_database(str(tmp_path / "t.db"))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    db.dispose()
    assert diff == []
