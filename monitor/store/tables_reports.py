"""Tables of the reports features (created by their own Alembic migration branch)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monitor.store.tables import UTCDateTime, metadata

# One row per e-mail to send: the regular send of a period is send_no 0, each --resend adds one.
# The message is kept as sent (.eml bytes) so a retry sends exactly the same message.
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # daily | alert | monthly
    Column("period", String(100), nullable=False),  # 2026-11-25 | 2026-11 | alert key
    Column("send_no", Integer, nullable=False, default=0),
    Column("subject", Text, nullable=False),
    Column("sender", String(300), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("message", LargeBinary, nullable=False),
    Column("status", String(20), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_try", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("kind", "period", "send_no", name="uq_delivery_send"),
)

# One row per spike found: (day, topic, metric) is alerted once.
alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", String(10), nullable=False),  # the local day, YYYY-MM-DD
    Column("topic", String(100), nullable=False),
    Column("metric", String(20), nullable=False),  # volume | negative_share
    Column("value", Float, nullable=False),
    Column("baseline", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("count", Integer, nullable=False),
    Column("baseline_days", Integer, nullable=False),
    Column("delivery_id", Integer, ForeignKey("deliveries.id")),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("day", "topic", "metric", name="uq_alert"),
)
