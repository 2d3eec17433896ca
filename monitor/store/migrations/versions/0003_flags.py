"""Flags: rebuttals registry, verification scores, re-fetch schedule and results, combiner models.

Revision ID: 0003_flags
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = '0003_flags'
down_revision = '0002'
branch_labels = ('flags',)
depends_on = None


def upgrade() -> None:
    op.create_table('rebuttals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_key', sa.String(length=64), nullable=False),
    sa.Column('claim', sa.Text(), nullable=False),
    sa.Column('claim_date', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=300), nullable=False),
    sa.Column('source_url', sa.String(length=1000), nullable=False),
    sa.Column('imported_from', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('claim_key')
    )
    op.create_table('verification_scores',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('model_version', sa.String(length=100), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )
    with op.batch_alter_table('verification_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_scores_computed_at'), ['computed_at'], unique=False)

    op.create_table('refetch_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'step', name='uq_refetch_step')
    )
    with op.batch_alter_table('refetch_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refetch_schedule_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refetch_schedule_due_at'), ['due_at'], unique=False)

    op.create_table('refetch_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=10), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('final_url', sa.String(length=1000), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('change_ratio', sa.Float(), nullable=True),
    sa.Column('diff', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('refetch_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refetch_results_article_id'), ['article_id'], unique=False)

    op.create_table('flag_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('n_samples', sa.Integer(), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version')
    )


def downgrade() -> None:
    op.drop_table('flag_models')
    with op.batch_alter_table('refetch_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refetch_results_article_id'))

    op.drop_table('refetch_results')
    with op.batch_alter_table('refetch_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refetch_schedule_due_at'))
        batch_op.drop_index(batch_op.f('ix_refetch_schedule_article_id'))

    op.drop_table('refetch_schedule')
    with op.batch_alter_table('verification_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_scores_computed_at'))

    op.drop_table('verification_scores')
    op.drop_table('rebuttals')
