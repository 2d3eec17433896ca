"""Tables of the flags features (created by their own Alembic migration branch)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monitor.store.tables import UTCDateTime, metadata

# The registry of claims the authorities have rebutted (`diembao rebuttals import FILE`).
# claim_key is the sha256 of the folded claim: importing the same claim twice updates it.
rebuttals = Table(
    "rebuttals", metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_key", String(64), nullable=False, unique=True),
    Column("claim", Text, nullable=False),
    Column("claim_date", Date, nullable=False),
    Column("issued_by", String(300), nullable=False),
    Column("source_url", String(1000), nullable=False),
    Column("imported_from", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The verification score of every assessed article (flagged or not): the budget threshold is a
# quantile of these, and `flags explain` shows the signals.
verification_scores = Table(
    "verification_scores", metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"),
           primary_key=True, autoincrement=False),
    Column("score", Float, nullable=False),
    Column("signals", JSON, nullable=False),
    Column("features", JSON, nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("computed_at", UTCDateTime, nullable=False, index=True),
)

# Re-fetches of flagged and high-interest articles at about +2 h, +24 h and +72 h.
refetch_schedule = Table(
    "refetch_schedule", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("step", String(10), nullable=False),  # 2h | 24h | 72h
    Column("due_at", UTCDateTime, nullable=False, index=True),
    Column("reason", String(20), nullable=False),  # flagged | interest
    Column("done_at", UTCDateTime),
    Column("outcome", String(20)),
    UniqueConstraint("article_id", "step", name="uq_refetch_step"),
)

# What each re-fetch found: unchanged | edited | gone | redirect_home | failed, with the diff.
refetch_results = Table(
    "refetch_results", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("step", String(10), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("status", Integer),
    Column("final_url", String(1000)),
    Column("outcome", String(20), nullable=False),
    Column("change_ratio", Float),
    Column("diff", JSON),
    Column("reason", Text),
)

# Combiner models learned from analysts' decisions (`diembao flags retrain`); the newest is used.
flag_models = Table(
    "flag_models", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(100), nullable=False, unique=True),
    Column("params", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("n_samples", Integer, nullable=False),
    Column("data_hash", String(64), nullable=False),
    Column("created_by", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("note", Text),
)

__all__ = ["flag_models", "rebuttals", "refetch_results", "refetch_schedule",
           "verification_scores"]
