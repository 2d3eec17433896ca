"""Tables of the web features (created by their own Alembic migration branch)."""
