"""SQLAlchemy table definitions (the schema Alembic migrations create)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC; refuses naive input (a time without a zone is a bug)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

sources = Table(
    "sources", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("homepage", String(500), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("province", String(64)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False, index=True),
    Column("url", String(1000), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("interval", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("body_hash", String(64)),
    Column("status", String(20), nullable=False, default="active"),
    Column("failure_score", Float, nullable=False, default=0.0),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_success", UTCDateTime),
    Column("last_failure", UTCDateTime),
    Column("last_error", Text),
    Column("last_fetch", UTCDateTime),
    Column("next_due", UTCDateTime),
    Column("sitemap_index", Boolean, nullable=False, default=False, server_default=false()),
)

fetches = Table(
    "fetches", metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False, index=True),
    Column("feed_id", Integer, ForeignKey("feeds.id"), index=True),
    Column("url", String(1000), nullable=False),
    Column("kind", String(20), nullable=False),  # feed | article
    Column("started_at", UTCDateTime, nullable=False, index=True),
    Column("status", Integer),
    Column("outcome", String(20), nullable=False),  # ok | not_modified | failed
    Column("failure_kind", String(20)),
    Column("reason", Text),
    Column("bytes", Integer, nullable=False, default=0),
    Column("elapsed", Float, nullable=False, default=0.0),
    Column("attempts", Integer, nullable=False, default=1),
)

feed_items = Table(
    "feed_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(1000), nullable=False, unique=True),
    Column("feed_id", Integer, ForeignKey("feeds.id"), nullable=False, index=True),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
    Column("published", UTCDateTime),
    Column("published_raw", String(200)),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    # new | fetching (claimed by a run) | fetched | failed (will retry) | gone (given up)
    Column("status", String(20), nullable=False, default="new"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("next_try", UTCDateTime),  # a failed page is not fetched again before this
    Column("claimed_at", UTCDateTime),  # when a run took it (a claim older than an hour is stale)
)

clusters = Table(
    "clusters", metadata,
    Column("id", Integer, primary_key=True),  # the id of the article that founded the story
    Column("title", Text, nullable=False),
    Column("first_article_id", Integer),  # the first publisher's article
    Column("first_source_id", String(64)),
    Column("first_published", UTCDateTime),
    Column("size", Integer, nullable=False, default=1, server_default="1"),
    Column("outlets", Integer, nullable=False, default=1, server_default="1"),
    Column("independent_outlets", Integer, nullable=False, default=1, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("canonical_url", String(1000), nullable=False, unique=True),
    Column("url", String(1000), nullable=False),
    Column("source_id", String(64), ForeignKey("sources.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("sapo", Text, nullable=False, default=""),
    Column("body", JSON, nullable=False),  # list of paragraphs
    Column("author", String(300)),
    Column("published", UTCDateTime, index=True),
    Column("published_origin", String(20)),
    Column("modified", UTCDateTime),
    Column("section", String(200)),
    Column("tags", JSON, nullable=False),
    Column("images", JSON, nullable=False),
    Column("captions", JSON, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False, index=True),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("raw_html_gz", LargeBinary),
    Column("content_type", String(200)),
    Column("relevance", String(20), index=True),  # about | mention | none
    Column("relevance_score", Float),
    Column("cluster_id", Integer, ForeignKey("clusters.id"), index=True),
    Column("provenance", JSON),  # field -> step that produced it (rules, json-ld, generic, ...)
    Column("dedup_key", String(1000), index=True),  # canonical URL key (mobile/AMP/utm folded)
    Column("cluster_relation", String(20)),  # new | duplicate | copy | story
    Column("related_article_id", Integer),  # the article it duplicates, copies or follows
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(50), nullable=False),
    Column("era", String(10), nullable=False),
    Column("location", String(10), nullable=False),  # title | sapo | body
    Column("start", Integer, nullable=False, default=0),
    Column("end", Integer, nullable=False, default=0),
)

labels = Table(
    "labels", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("kind", String(20), nullable=False),  # topic | tone | relevance | section
    Column("value", String(100), nullable=False),
    Column("score", Float),
    Column("origin", String(20), nullable=False),  # model | analyst
    Column("model_version", String(100)),
    Column("created_by", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("article_id", "kind", "value", "origin", name="uq_label"),
)

flags = Table(
    "flags", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("cluster_id", Integer, ForeignKey("clusters.id")),
    Column("score", Float, nullable=False),
    Column("signals", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="open", index=True),
    Column("reviewer", String(100)),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

digests = Table(
    "digests", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("period", String(20), nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("kind", "period", name="uq_digest_period"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("object_type", String(50), nullable=False),
    Column("object_id", String(100), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("note", Text),
)

locks = Table(
    "locks", metadata,
    Column("name", String(50), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
)

Index("ix_articles_source_published", articles.c.source_id, articles.c.published)

# Tables of later features live in their own modules on the same metadata; importing them here
# makes the metadata complete wherever the tables are used (and for the migrations check).
from monitor.store import tables_flags, tables_reports, tables_web  # noqa: E402, F401
