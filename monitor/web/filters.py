"""The article list's filters: parsed from query parameters (pure), turned into SQL conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from monitor.store.tables import articles, flags, labels, sources
from monitor.web.config import FLAG_STATUSES, RELEVANCE, TIERS, TONES, topics

MAX_QUERY = 200


@dataclass(frozen=True)
class ArticleFilter:
    """What the analyst asked for; empty strings mean "any"."""

    q: str = ""
    start: date | None = None  # local days, inclusive
    end: date | None = None
    source: str = ""
    tier: str = ""
    topic: str = ""
    tone: str = ""
    relevance: str = ""
    flag: str = ""
    page: int = 1

    def query_string(self, **changes) -> str:
        """URL query of this filter (with ``changes``), without empty values."""
        chosen = replace(self, **changes)
        pairs = []
        for f in fields(chosen):
            value = getattr(chosen, f.name)
            if value in ("", None) or (f.name == "page" and value == 1):
                continue
            pairs.append((f.name, value.isoformat() if isinstance(value, date) else value))
        return urlencode(pairs)


def parse_filter(params: Mapping[str, str]) -> ArticleFilter:
    """Query parameters -> ArticleFilter; unknown or malformed values are dropped, not errors."""
    def pick(name: str, allowed) -> str:
        value = (params.get(name) or "").strip()
        return value if value in allowed else ""

    return ArticleFilter(
        q=(params.get("q") or "").strip()[:MAX_QUERY],
        start=_parse_day(params.get("start")), end=_parse_day(params.get("end")),
        source=_parse_id(params.get("source")), tier=pick("tier", TIERS),
        topic=pick("topic", topics()), tone=pick("tone", TONES),
        relevance=pick("relevance", RELEVANCE), flag=pick("flag", {**FLAG_STATUSES, "any": ""}),
        page=_parse_page(params.get("page")))


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _parse_id(value: str | None) -> str:
    value = (value or "").strip()
    return value if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", value) else ""


def _parse_page(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except ValueError:
        return 1


def day_bounds(start: date | None, end: date | None, zone: str) -> tuple[datetime | None,
                                                                            datetime | None]:
    """Local days [start, end] -> UTC instants [lower, upper)."""
    tz = ZoneInfo(zone)
    lower = datetime.combine(start, time(0), tz).astimezone(UTC) if start else None
    upper = (datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(UTC)
             if end else None)
    return lower, upper


def plain(column, sqlite: bool = True):
    """``+column`` on SQLite: the planner then cannot pick that column's index. The article list
    must come from the covering time index (a few ms for 100,000 articles); an index on a
    non-selective column (relevance, source, ids from a label) makes it read whole article rows
    instead, which is ten to a thousand times slower."""
    if not sqlite:
        return column
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def article_time():
    """An article's time: published, else first seen."""
    return func.coalesce(articles.c.published, articles.c.first_seen)


def period_condition(lower: datetime | None, upper: datetime | None):
    """Articles whose time is in [lower, upper), written so both time indexes can serve it."""
    def within(column):
        parts = []
        if lower is not None:
            parts.append(column >= lower)
        if upper is not None:
            parts.append(column < upper)
        return and_(*parts)

    if lower is None and upper is None:
        return None
    return or_(within(articles.c.published),
               and_(articles.c.published.is_(None), within(articles.c.first_seen)))


def label_condition(kind: str, value: str, sqlite: bool = True):
    """The article's effective ``kind`` labels include ``value``: an analyst's labels replace the
    model's for that kind."""
    by_analyst = select(labels.c.article_id).where(labels.c.kind == kind,
                                                   labels.c.origin == "analyst")
    analyst_hit = by_analyst.where(labels.c.value == value)
    model_hit = select(labels.c.article_id).where(
        labels.c.kind == kind, labels.c.value == value, labels.c.origin != "analyst",
        labels.c.article_id.not_in(by_analyst))
    article = plain(articles.c.id, sqlite)
    return or_(article.in_(analyst_hit), article.in_(model_hit))


def relevance_condition(value: str, sqlite: bool = True):
    """Effective relevance: an analyst's relevance label, else the pipeline's."""
    corrected = select(labels.c.article_id).where(labels.c.kind == "relevance",
                                                  labels.c.origin == "analyst")
    article = plain(articles.c.id, sqlite)
    return or_(and_(plain(articles.c.relevance, sqlite) == value, article.not_in(corrected)),
               article.in_(corrected.where(labels.c.value == value)))


def flag_condition(status: str, sqlite: bool = True):
    flagged = select(flags.c.article_id)
    if status != "any":
        flagged = flagged.where(flags.c.status == status)
    return plain(articles.c.id, sqlite).in_(flagged)


def conditions(flt: ArticleFilter, zone: str, fts=None, *, sqlite: bool = True) -> list:
    """SQL conditions on ``articles`` for everything in ``flt`` but the text query, plus ``fts``
    (a condition from monitor.web.search) when given."""
    out = [] if fts is None else [fts]
    period = period_condition(*day_bounds(flt.start, flt.end, zone))
    if period is not None:
        out.append(period)
    source = plain(articles.c.source_id, sqlite)
    if flt.source:
        out.append(source == flt.source)
    if flt.tier:
        out.append(source.in_(select(sources.c.id).where(sources.c.tier == flt.tier)))
    if flt.topic:
        out.append(label_condition("topic", flt.topic, sqlite))
    if flt.tone:
        out.append(label_condition("tone", flt.tone, sqlite))
    if flt.relevance:
        out.append(relevance_condition(flt.relevance, sqlite))
    if flt.flag:
        out.append(flag_condition(flt.flag, sqlite))
    return out
