"""Tables of the review web UI: sessions, login attempts, department assignments, search index.

The full-text index is an SQLite FTS5 virtual table, ``search_fts`` (rowid = article id; columns
``text``: title, sapo and body as stored; ``folded``: the same through ``monitor.text.fold``).
FTS5 keeps its index in shadow tables that SQLite creates itself; they are declared here only so
that the schema check (Alembic autogenerate) sees the same tables as the database. Never create
them with ``metadata.create_all``: migration 0003_web creates the virtual table, its triggers fill
``search_queue`` and ``monitor.web.search`` indexes the queued articles. On PostgreSQL the
migration creates none of the ``search_fts*`` tables (see monitor/web/search.py for the
alternative: a generated ``tsvector`` column with ``unaccent`` and a GIN index).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from monitor.store.tables import UTCDateTime, articles, clusters, flags, labels, metadata

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("address", String(100)),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False),
    Column("address", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("success", Integer, nullable=False, default=0),
    Index("ix_login_attempts_username_at", "username", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),
)

assignments = Table(
    "assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("flag_id", Integer, ForeignKey("flags.id", ondelete="SET NULL")),
    Column("department", String(200), nullable=False),
    Column("note", Text),
    Column("status", String(20), nullable=False, default="assigned"),  # assigned | answered
    Column("assigned_by", String(100), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False, index=True),
    Column("response", Text),
    Column("responded_by", String(100)),
    Column("responded_at", UTCDateTime),
)

# Articles whose text changed since it was last indexed (filled by triggers on articles).
search_queue = Table(
    "search_queue", metadata,
    Column("article_id", Integer, primary_key=True, autoincrement=False),
)

# FTS5 virtual table and its shadow tables (SQLite only; see the module docstring).
search_fts = Table(
    "search_fts", metadata,
    Column("text", Text),
    Column("folded", Text),
    info={"fts5": True},
)
search_fts_data = Table(
    "search_fts_data", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("block", LargeBinary),
    info={"fts5_shadow": True},
)
search_fts_idx = Table(
    "search_fts_idx", metadata,
    Column("segid", Text, primary_key=True),
    Column("term", Text, primary_key=True),
    Column("pgno", Text),
    info={"fts5_shadow": True},
)
search_fts_content = Table(
    "search_fts_content", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("c0", Text),
    Column("c1", Text),
    info={"fts5_shadow": True},
)
search_fts_docsize = Table(
    "search_fts_docsize", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("sz", LargeBinary),
    info={"fts5_shadow": True},
)
search_fts_config = Table(
    "search_fts_config", metadata,
    Column("k", Text, primary_key=True),
    Column("v", Text),
    info={"fts5_shadow": True},
)

# What the pages filter and sort on; (published, first_seen, ...) covers the article list so the
# newest-first page is found in the index without reading article bodies.
Index("ix_web_articles_time", articles.c.published, articles.c.first_seen, articles.c.source_id,
      articles.c.relevance)
Index("ix_web_articles_first_seen_time", articles.c.first_seen, articles.c.published)
Index("ix_web_articles_source_seen", articles.c.source_id, articles.c.first_seen)
Index("ix_web_labels_kind_value", labels.c.kind, labels.c.value, labels.c.origin,
      labels.c.article_id)
Index("ix_web_labels_origin_kind", labels.c.origin, labels.c.kind, labels.c.article_id)
Index("ix_web_flags_status_score", flags.c.status, flags.c.score)
Index("ix_web_clusters_first_published", clusters.c.first_published)
