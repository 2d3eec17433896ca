"""Tables of the reports features (created by their own Alembic migration branch)."""
