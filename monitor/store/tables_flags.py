"""Tables of the flags features (created by their own Alembic migration branch)."""
