"""Web UI: sessions, login attempts, department assignments, full-text search (SQLite FTS5), page indexes.

Revision ID: 0003_web
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = '0003_web'
down_revision = '0002'
branch_labels = ('web',)
depends_on = None

# rowid = articles.id; "text" keeps the diacritics, "folded" is monitor.text.fold of the same text.
FTS = ("CREATE VIRTUAL TABLE search_fts USING fts5(text, folded, "
       "tokenize = 'unicode61 remove_diacritics 0')")
TRIGGERS = (
    """CREATE TRIGGER web_search_ai AFTER INSERT ON articles BEGIN
         INSERT OR IGNORE INTO search_queue (article_id) VALUES (new.id);
       END""",
    """CREATE TRIGGER web_search_au AFTER UPDATE OF title, sapo, body ON articles
       WHEN old.title IS NOT new.title OR old.sapo IS NOT new.sapo OR old.body IS NOT new.body
       BEGIN
         INSERT OR IGNORE INTO search_queue (article_id) VALUES (new.id);
       END""",
    """CREATE TRIGGER web_search_ad AFTER DELETE ON articles BEGIN
         DELETE FROM search_fts WHERE rowid = old.id;
         DELETE FROM search_queue WHERE article_id = old.id;
       END""",
)


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)

    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('success', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('responded_by', sa.String(length=100), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flag_id'], ['flags.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_assigned_at'), ['assigned_at'], unique=False)

    op.create_table('search_queue',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('article_id')
    )

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_web_articles_time', ['published', 'first_seen', 'source_id', 'relevance'], unique=False)
        batch_op.create_index('ix_web_articles_first_seen_time', ['first_seen', 'published'], unique=False)
        batch_op.create_index('ix_web_articles_source_seen', ['source_id', 'first_seen'], unique=False)
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.create_index('ix_web_labels_kind_value', ['kind', 'value', 'origin', 'article_id'], unique=False)
        batch_op.create_index('ix_web_labels_origin_kind', ['origin', 'kind', 'article_id'], unique=False)
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index('ix_web_flags_status_score', ['status', 'score'], unique=False)
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index('ix_web_clusters_first_published', ['first_published'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        op.execute(FTS)
        for trigger in TRIGGERS:
            op.execute(trigger)
        op.execute('INSERT OR IGNORE INTO search_queue (article_id) SELECT id FROM articles')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('web_search_ai', 'web_search_au', 'web_search_ad'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_fts')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_web_clusters_first_published')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index('ix_web_flags_status_score')
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.drop_index('ix_web_labels_origin_kind')
        batch_op.drop_index('ix_web_labels_kind_value')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_web_articles_source_seen')
        batch_op.drop_index('ix_web_articles_first_seen_time')
        batch_op.drop_index('ix_web_articles_time')
    op.drop_table('search_queue')
    op.drop_table('assignments')
    op.drop_table('login_attempts')
    op.drop_table('web_sessions')
