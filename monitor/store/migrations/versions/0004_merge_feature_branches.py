"""Merge the flags, reports and web branches into one head (no schema change).

From here on there is one line of migrations again: a new migration revises 0004.

Revision ID: 0004
Revises: 0003_flags, 0003_reports, 0003_web
Create Date: 2026-11-26
"""

revision = '0004'
down_revision = ('0003_flags', '0003_reports', '0003_web')
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three branches touch separate tables."""


def downgrade() -> None:
    """Nothing to undo."""
