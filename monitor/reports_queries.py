"""Read queries of the reports: labels, day figures, clusters, flags, source health, exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Connection, func, select

from monitor.store import repo
from monitor.store.tables import articles, clusters, feeds, flags, labels, sources
from reports.digest import DayStats, day_bounds, day_stats

CHUNK = 900  # ids per IN (...) list, under every database's parameter limit
PENDING_FLAGS = ("open", "needs-info")
PROVINCE = ("about", "mention")


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


@cache
def topic_names() -> dict[str, str]:
    """Topic id -> Vietnamese name, from monitor/data/topics.yaml."""
    text = resources.files("monitor").joinpath("data/topics.yaml").read_text("utf-8")
    return {t["id"]: t["name"] for t in yaml.safe_load(text)["topics"]}


def province_rows(conn: Connection, start: datetime, end: datetime) -> list[dict]:
    """Province articles (about or mention) whose time falls in [start, end), with source."""
    return repo.articles_between(conn, start, end, relevance=PROVINCE)


def effective_labels(conn: Connection, ids: Sequence[int], kind: str) -> dict[int, list[str]]:
    """Article id -> label values of ``kind``, best score first. An analyst's labels replace the
    model's for that article (the analyst corrected them)."""
    found: dict[int, dict[str, list[tuple[float, str]]]] = {}
    for part in _chunks(ids):
        q = select(labels.c.article_id, labels.c.value, labels.c.score, labels.c.origin).where(
            labels.c.kind == kind, labels.c.article_id.in_(part))
        for article_id, value, score, origin in conn.execute(q):
            found.setdefault(article_id, {}).setdefault(origin, []).append(
                (-(score if score is not None else 1.0), value))
    out = {}
    for article_id, by_origin in found.items():
        chosen = by_origin.get("analyst") or by_origin.get("model") or []
        out[article_id] = [value for _, value in sorted(chosen)]
    return out


def tones(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    return {i: values[0] for i, values in effective_labels(conn, ids, "tone").items() if values}


def has_labels(conn: Connection, kind: str) -> bool:
    """Whether any article has labels of ``kind`` (the topic and tone models have run)."""
    return conn.scalar(select(labels.c.id).where(labels.c.kind == kind).limit(1)) is not None


def local_day(row: dict, tz: ZoneInfo) -> date:
    return (row["published"] or row["first_seen"]).astimezone(tz).date()


def history(conn: Connection, day: date, tz: ZoneInfo, days: int = 14) -> dict[date, DayStats]:
    """The figures of each of the ``days`` local days before ``day`` (empty days included)."""
    start, _ = day_bounds(day - timedelta(days=days), tz)
    end, _ = day_bounds(day, tz)
    rows = province_rows(conn, start, end)
    tone = tones(conn, [r["id"] for r in rows])
    by_day: dict[date, list[dict]] = {day - timedelta(days=n): [] for n in range(1, days + 1)}
    for row in rows:
        by_day.setdefault(local_day(row, tz), []).append(row)
    return {d: day_stats(members, tone) for d, members in by_day.items()}


def story_clusters(conn: Connection, rows: Sequence[dict]) -> list[dict]:
    """The story clusters of ``rows`` with their first publisher, the best tier that covered
    them and the outlets (best tier first)."""
    ids = sorted({r["cluster_id"] for r in rows if r.get("cluster_id") is not None})
    out = []
    for part in _chunks(ids):
        q = (select(clusters, sources.c.name.label("first_source_name"),
                    sources.c.tier.label("first_tier"), articles.c.canonical_url.label("first_url"))
             .join(sources, sources.c.id == clusters.c.first_source_id, isouter=True)
             .join(articles, articles.c.id == clusters.c.first_article_id, isouter=True)
             .where(clusters.c.id.in_(part)))
        out.extend(dict(r) for r in conn.execute(q).mappings())
    members = _cluster_outlets(conn, ids)
    for c in out:
        tiers = members.get(c["id"], [])
        c["best_tier"] = tiers[0][0] if tiers else c.get("first_tier")
        c["outlet_names"] = [name for _, name in tiers]
    return out


def _cluster_outlets(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    from reports.parts import TIER_ORDER

    found: dict[int, set[tuple[str, str]]] = {}
    for part in _chunks(ids):
        q = (select(articles.c.cluster_id, sources.c.tier, sources.c.name)
             .join(sources, sources.c.id == articles.c.source_id)
             .where(articles.c.cluster_id.in_(part)).distinct())
        for cluster_id, tier, name in conn.execute(q):
            found.setdefault(cluster_id, set()).add((tier, name))
    return {k: sorted(v, key=lambda t: (TIER_ORDER.get(t[0], 9), t[1])) for k, v in found.items()}


def flag_rows(conn: Connection, *, statuses: Sequence[str] | None = PENDING_FLAGS,
              start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """Flags (by default the pending ones) with their article's title, URL and outlet."""
    q = (select(flags, articles.c.title, articles.c.canonical_url.label("url"),
                sources.c.name.label("source_name"), sources.c.tier)
         .join(articles, articles.c.id == flags.c.article_id)
         .join(sources, sources.c.id == articles.c.source_id))
    if statuses is not None:
        q = q.where(flags.c.status.in_(list(statuses)))
    if start is not None:
        q = q.where(flags.c.created_at >= start)
    if end is not None:
        q = q.where(flags.c.created_at < end)
    return [dict(r) for r in conn.execute(q.order_by(flags.c.id)).mappings()]


def silent_sources(conn: Connection, *, as_of: datetime, hours: float, usual_days: int = 14,
                   min_per_day: float = 1.0) -> list[dict]:
    """Enabled outlets with no new article for ``hours`` although they usually publish at least
    ``min_per_day`` articles a day (over the ``usual_days`` before)."""
    since = as_of - timedelta(days=usual_days)
    q = (select(sources.c.id, sources.c.name, sources.c.tier,
                func.max(articles.c.first_seen).label("last"))
         .join(articles, articles.c.source_id == sources.c.id, isouter=True)
         .where(sources.c.enabled.is_(True))
         .where((articles.c.first_seen < as_of) | articles.c.id.is_(None))
         .group_by(sources.c.id, sources.c.name, sources.c.tier).order_by(sources.c.id))
    recent = dict(conn.execute(
        select(articles.c.source_id, func.count()).where(
            articles.c.first_seen >= since, articles.c.first_seen < as_of)
        .group_by(articles.c.source_id)).all())
    out = []
    for r in conn.execute(q).mappings():
        usual = recent.get(r["id"], 0) / usual_days
        quiet = r["last"] is None or r["last"] < as_of - timedelta(hours=hours)
        if quiet and usual >= min_per_day:
            out.append({"kind": "silent", "source_id": r["id"], "name": r["name"],
                        "tier": r["tier"], "last": r["last"], "usual_per_day": usual})
    return out


def failing_feeds(conn: Connection) -> list[dict]:
    """Enabled feeds that failed their last fetch, are backing off or were disabled."""
    q = (select(feeds.c.source_id, feeds.c.url, feeds.c.status, feeds.c.consecutive_failures,
                feeds.c.last_error, feeds.c.last_success, sources.c.name, sources.c.tier)
         .join(sources, sources.c.id == feeds.c.source_id)
         .where(feeds.c.enabled.is_(True), sources.c.enabled.is_(True))
         .where((feeds.c.status != "active") | (feeds.c.consecutive_failures > 0))
         .order_by(feeds.c.source_id, feeds.c.url))
    return [{"kind": "failing", "source_id": r.source_id, "name": r.name, "tier": r.tier,
             "url": r.url, "status": r.status, "failures": r.consecutive_failures,
             "error": r.last_error, "last": r.last_success} for r in conn.execute(q)]


def first_data_day(conn: Connection, tz: ZoneInfo) -> date | None:
    """The local day of the first stored article (days before it have no data, not zero)."""
    first = conn.scalar(select(func.min(articles.c.first_seen)))
    return first.astimezone(tz).date() if first is not None else None
