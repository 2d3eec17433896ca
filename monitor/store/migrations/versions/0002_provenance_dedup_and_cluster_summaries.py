"""Articles: provenance, dedup key, cluster relation; items: retry time and claim; clusters: counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provenance', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('dedup_key', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('cluster_relation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('related_article_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_articles_dedup_key'), ['dedup_key'], unique=False)

    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sitemap_index', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_try', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_source_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_published', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('outlets', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('independent_outlets', sa.Integer(), nullable=False,
                                      server_default='1'))



def downgrade() -> None:
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_column('sitemap_index')

    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_try')

    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_column('independent_outlets')
        batch_op.drop_column('outlets')
        batch_op.drop_column('size')
        batch_op.drop_column('first_published')
        batch_op.drop_column('first_source_id')

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_dedup_key'))
        batch_op.drop_column('related_article_id')
        batch_op.drop_column('cluster_relation')
        batch_op.drop_column('dedup_key')
        batch_op.drop_column('provenance')

