"""Queries the stages need. Every write is idempotent: re-running never duplicates rows."""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.models import Article, FeedItem, FeedState, FetchResult, Relevance, Source
from monitor.store.tables import (
    articles,
    clusters,
    digests,
    feed_items,
    feeds,
    fetches,
    locks,
    mentions,
    sources,
)

log = logging.getLogger(__name__)

MAX_ITEM_ATTEMPTS = 5  # soft and temporary failures of one page before it is given up
ITEM_RETRY_BASE = timedelta(minutes=10)
STALE_CLAIM = timedelta(hours=1)
MAX_URL = 1000  # url columns are String(1000)


def _insert(conn: Connection, table):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def upsert(conn: Connection, table, values: dict, keys: Sequence[str],
           update_cols: Iterable[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE for SQLite and PostgreSQL."""
    stmt = _insert(conn, table).values(**values)
    cols = {c: stmt.excluded[c] for c in update_cols}
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=cols) if cols else \
        stmt.on_conflict_do_nothing(index_elements=list(keys))
    conn.execute(stmt)


# -- sources and feeds -------------------------------------------------------------------------

def sync_sources(conn: Connection, configured: Sequence[Source], *, now: datetime) -> None:
    """Make the sources and feeds tables match the configuration; feed state is kept."""
    configured_urls = set()
    for src in configured:
        upsert(conn, sources, {
            "id": src.id, "name": src.name, "homepage": src.homepage, "tier": src.tier,
            "province": src.province, "enabled": src.enabled, "updated_at": now,
        }, ["id"], ["name", "homepage", "tier", "province", "enabled", "updated_at"])
        for feed in src.feeds:
            configured_urls.add(feed.url)
            upsert(conn, feeds, {
                "source_id": src.id, "url": feed.url, "kind": feed.kind,
                "interval": feed.interval, "enabled": feed.enabled and src.enabled,
                "status": "active", "failure_score": 0.0, "consecutive_failures": 0,
            }, ["url"], ["source_id", "kind", "interval", "enabled"])
    stale = select(feeds.c.url).where(feeds.c.enabled.is_(True))
    gone = [u for (u,) in conn.execute(stale) if u not in configured_urls]
    if gone:
        conn.execute(update(feeds).where(feeds.c.url.in_(gone)).values(enabled=False))


@dataclass(frozen=True)
class FeedRow:
    id: int
    source_id: str
    url: str
    enabled: bool
    state: FeedState


def feed_rows(conn: Connection) -> dict[str, FeedRow]:
    """Every known feed by URL, with its persisted state."""
    return feed_rows_where(conn, None)


def feed_rows_where(conn: Connection, condition) -> dict[str, FeedRow]:
    out = {}
    query = select(feeds) if condition is None else select(feeds).where(condition)
    for r in conn.execute(query).mappings():
        state = FeedState(
            etag=r["etag"], last_modified=r["last_modified"], body_hash=r["body_hash"],
            status=r["status"], failure_score=r["failure_score"],
            consecutive_failures=r["consecutive_failures"], last_success=r["last_success"],
            last_failure=r["last_failure"], last_error=r["last_error"], next_due=r["next_due"],
            sitemap_index=r["sitemap_index"],
        )
        out[r["url"]] = FeedRow(r["id"], r["source_id"], r["url"], r["enabled"], state)
    return out


def feed_state(conn: Connection, url: str) -> FeedState | None:
    """The persisted state of one feed, or None for an unknown URL."""
    row = feed_rows_where(conn, feeds.c.url == url)
    return row[url].state if row else None


def save_feed_state(conn: Connection, feed_id: int, state: FeedState, *, fetched_at: datetime
                    ) -> None:
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
        etag=state.etag, last_modified=state.last_modified, body_hash=state.body_hash,
        status=state.status, failure_score=state.failure_score,
        consecutive_failures=state.consecutive_failures, last_success=state.last_success,
        last_failure=state.last_failure, last_error=state.last_error, next_due=state.next_due,
        sitemap_index=state.sitemap_index, last_fetch=fetched_at,
    ))


def record_fetch(conn: Connection, *, source_id: str, feed_id: int | None, kind: str,
                 result: FetchResult, started_at: datetime) -> None:
    """Log one fetch (feed or article page) against its source."""
    if result.failure is not None:
        outcome = "failed"
    else:
        outcome = "not_modified" if result.not_modified else "ok"
    conn.execute(fetches.insert().values(
        source_id=source_id, feed_id=feed_id, url=result.url, kind=kind, started_at=started_at,
        status=result.status, outcome=outcome,
        failure_kind=result.failure.kind if result.failure else None,
        reason=result.failure.reason if result.failure else None,
        bytes=len(result.body), elapsed=result.elapsed, attempts=result.attempts,
    ))


# -- feed items --------------------------------------------------------------------------------

def add_feed_items(conn: Connection, *, feed_id: int, source_id: str, items: Sequence[FeedItem],
                   now: datetime) -> int:
    """Insert unseen items (status new), touch known ones; returns how many were new.
    An item whose URL is longer than the column is skipped (logged): no real article has one."""
    for too_long in (i for i in items if len(i.url) > MAX_URL):
        log.warning("skipped an item whose URL is too long: %.120s...", too_long.url)
    items = [i for i in items if len(i.url) <= MAX_URL]
    if not items:
        return 0
    urls = [i.url for i in items]
    known = set(conn.scalars(select(feed_items.c.url).where(feed_items.c.url.in_(urls))))
    new = 0
    for item in items:
        if item.url in known:
            continue
        known.add(item.url)
        inserted = conn.execute(_insert(conn, feed_items).values(
            url=item.url, feed_id=feed_id, source_id=source_id, title=item.title,
            summary=item.summary, published=item.published,
            published_raw=(item.published_raw or "")[:200] or None,
            first_seen=now, last_seen=now, status="new", attempts=0,
        ).on_conflict_do_nothing(index_elements=["url"]))
        new += inserted.rowcount == 1
    if known:
        conn.execute(update(feed_items).where(feed_items.c.url.in_(urls)).values(last_seen=now))
    return new


@dataclass(frozen=True)
class PendingItem:
    url: str
    feed_id: int
    source_id: str
    item: FeedItem
    first_seen: datetime
    attempts: int


def claim_items(conn: Connection, *, now: datetime, source_ids: Iterable[str] | None = None,
                limit: int = 10_000) -> list[PendingItem]:
    """Take the items whose page has to be fetched now (new, failed and due again, or claimed
    by a run that died) and mark them ``fetching``, so that overlapping runs never fetch the
    same page twice. The UPDATE re-checks the condition, so two runs cannot both claim a row."""
    claimable = or_(
        feed_items.c.status == "new",
        and_(feed_items.c.status == "failed",
             or_(feed_items.c.next_try.is_(None), feed_items.c.next_try <= now)),
        and_(feed_items.c.status == "fetching", feed_items.c.claimed_at < now - STALE_CLAIM),
    )
    q = select(feed_items.c.id).where(claimable)
    if source_ids is not None:
        q = q.where(feed_items.c.source_id.in_(list(source_ids)))
    ids = list(conn.scalars(q.order_by(feed_items.c.id).limit(limit)))
    if not ids:
        return []
    conn.execute(update(feed_items).where(feed_items.c.id.in_(ids), claimable)
                 .values(status="fetching", claimed_at=now))
    rows = conn.execute(select(feed_items).where(
        feed_items.c.id.in_(ids), feed_items.c.status == "fetching",
        feed_items.c.claimed_at == now).order_by(feed_items.c.id)).mappings()
    out = []
    for r in rows:
        item = FeedItem(url=r["url"], title=r["title"], summary=r["summary"],
                        published=r["published"], published_raw=r["published_raw"])
        out.append(PendingItem(r["url"], r["feed_id"], r["source_id"], item, r["first_seen"],
                               r["attempts"]))
    return out


def release_claim(conn: Connection, url: str) -> None:
    """Give back an item a stopping run did not get to (it is taken again by the next run)."""
    conn.execute(update(feed_items).where(feed_items.c.url == url,
                                          feed_items.c.status == "fetching").values(
        status=case((feed_items.c.attempts == 0, "new"), else_="failed"), claimed_at=None))


def mark_fetched(conn: Connection, url: str, *, article_id: int) -> None:
    conn.execute(update(feed_items).where(feed_items.c.url == url).values(
        status="fetched", last_error=None, article_id=article_id, claimed_at=None,
        attempts=feed_items.c.attempts + 1))


def mark_failed(conn: Connection, url: str, *, kind: str, error: str, now: datetime) -> str:
    """Record a failed page. A hard failure (404, 410, robots) or the last allowed attempt gives
    the item up ("gone"); otherwise it is tried again after 10 min x 2^attempts."""
    attempts = conn.scalar(select(feed_items.c.attempts).where(feed_items.c.url == url)) or 0
    attempts += 1
    gone = kind == "hard" or attempts >= MAX_ITEM_ATTEMPTS
    status = "gone" if gone else "failed"
    conn.execute(update(feed_items).where(feed_items.c.url == url).values(
        status=status, last_error=error, attempts=attempts, claimed_at=None,
        next_try=None if gone else now + ITEM_RETRY_BASE * 2 ** (attempts - 1)))
    return status


# -- articles ----------------------------------------------------------------------------------

def content_hash(article: Article) -> str:
    text = "\n".join([article.title, article.sapo, *article.body])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_article(conn: Connection, article: Article, *, first_seen: datetime, now: datetime,
                 raw_html: bytes | None, content_type: str | None,
                 relevance: Relevance | None) -> tuple[int, str]:
    """Upsert by canonical URL. Returns (article id, "new" | "updated" | "unchanged").

    An update never moves an article to another source: the first outlet that published the
    canonical URL keeps it. Two runs inserting the same URL at once cannot make two rows."""
    digest = content_hash(article)
    values = {
        "canonical_url": article.canonical_url, "url": article.url,
        "source_id": article.source_id, "title": article.title, "sapo": article.sapo,
        "body": list(article.body), "author": (article.author or "")[:300] or None,
        "published": article.published, "published_origin": article.published_origin,
        "modified": article.modified, "section": (article.section or "")[:200] or None,
        "tags": list(article.tags), "images": list(article.images),
        "captions": list(article.captions), "provenance": dict(article.provenance),
        "fetched_at": now, "updated_at": now, "content_hash": digest,
        "raw_html_gz": gzip.compress(raw_html, mtime=0) if raw_html is not None else None,
        "content_type": content_type,
        "relevance": relevance.label if relevance else None,
        "relevance_score": relevance.score if relevance else None,
    }
    inserted = conn.execute(_insert(conn, articles).values(first_seen=first_seen, **values)
                            .on_conflict_do_nothing(index_elements=["canonical_url"]))
    if inserted.rowcount == 1:
        article_id = conn.scalar(select(articles.c.id).where(
            articles.c.canonical_url == article.canonical_url))
        _replace_mentions(conn, article_id, relevance)
        return article_id, "new"
    existing = conn.execute(select(articles.c.id, articles.c.content_hash, articles.c.source_id)
                            .where(articles.c.canonical_url == article.canonical_url)).one()
    if existing.content_hash == digest:
        conn.execute(update(articles).where(articles.c.id == existing.id).values(fetched_at=now))
        return existing.id, "unchanged"
    if existing.source_id != article.source_id:
        log.warning("%s already belongs to %s; not overwritten by %s", article.canonical_url,
                    existing.source_id, article.source_id)
        return existing.id, "unchanged"
    del values["source_id"]
    conn.execute(update(articles).where(articles.c.id == existing.id).values(**values))
    _replace_mentions(conn, existing.id, relevance)
    return existing.id, "updated"


def _replace_mentions(conn: Connection, article_id: int, relevance: Relevance | None) -> None:
    conn.execute(delete(mentions).where(mentions.c.article_id == article_id))
    for m in relevance.places if relevance else ():
        conn.execute(mentions.insert().values(
            article_id=article_id, name=m.name, unit=m.unit, era=m.era, location=m.where,
            start=m.start, end=m.end))


@dataclass(frozen=True)
class ClusterInput:
    """What the story clusterer needs of a stored article, with its stored assignment if any."""

    id: int
    source_id: str
    when: datetime  # published, else first seen
    title: str
    text: str
    url: str
    places: tuple[str, ...]
    cluster_id: int | None
    relation: str | None
    related_to: int | None


def articles_for_clustering(conn: Connection, *, since: datetime | None = None,
                            unassigned: bool = False) -> list[ClusterInput]:
    """Articles seen since ``since`` (or all not yet clustered), oldest first."""
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    q = select(articles.c.id, articles.c.source_id, articles.c.published, articles.c.first_seen,
               articles.c.title, articles.c.sapo, articles.c.body, articles.c.canonical_url,
               articles.c.cluster_id, articles.c.cluster_relation,
               articles.c.related_article_id)
    if unassigned:
        q = q.where(articles.c.cluster_id.is_(None))
    if since is not None:
        q = q.where(or_(when >= since, articles.c.first_seen >= since))
    rows = conn.execute(q.order_by(when, articles.c.id)).all()
    places = mention_names(conn, [r.id for r in rows])
    return [ClusterInput(
        id=r.id, source_id=r.source_id, when=r.published or r.first_seen, title=r.title,
        text="\n".join([r.sapo, *r.body]), url=r.canonical_url,
        places=tuple(dict.fromkeys(places.get(r.id, ()))), cluster_id=r.cluster_id,
        relation=r.cluster_relation, related_to=r.related_article_id) for r in rows]


def save_cluster_assignment(conn: Connection, article_id: int, *, cluster_id: int,
                            relation: str, related_to: int | None, dedup_key: str) -> None:
    conn.execute(update(articles).where(articles.c.id == article_id).values(
        cluster_id=cluster_id, cluster_relation=relation, related_article_id=related_to,
        dedup_key=dedup_key))


def save_cluster(conn: Connection, *, cluster_id: int, title: str, first_article_id: int,
                 first_source_id: str, first_published: datetime | None, size: int,
                 outlets: int, independent_outlets: int, now: datetime) -> None:
    """Create or refresh a story cluster; its id is the id of the article that founded it."""
    upsert(conn, clusters, {
        "id": cluster_id, "title": title, "first_article_id": first_article_id,
        "first_source_id": first_source_id, "first_published": first_published, "size": size,
        "outlets": outlets, "independent_outlets": independent_outlets, "created_at": now,
        "updated_at": now,
    }, ["id"], ["title", "first_article_id", "first_source_id", "first_published", "size",
                "outlets", "independent_outlets", "updated_at"])


def raw_html(conn: Connection, article_id: int) -> bytes | None:
    """The page as fetched, decompressed (kept for re-extraction)."""
    blob = conn.scalar(select(articles.c.raw_html_gz).where(articles.c.id == article_id))
    return gzip.decompress(blob) if blob is not None else None


def articles_between(conn: Connection, start: datetime, end: datetime, *,
                     relevance: Sequence[str] | None = None) -> list[dict]:
    """Articles whose time (published, else first seen) falls in [start, end), with their source."""
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    q = (select(articles, sources.c.name.label("source_name"), sources.c.tier)
         .join(sources, sources.c.id == articles.c.source_id)
         .where(when >= start, when < end)
         .order_by(sources.c.name, when))
    if relevance is not None:
        q = q.where(articles.c.relevance.in_(list(relevance)))
    return [dict(r) for r in conn.execute(q).mappings()]


def counts(conn: Connection) -> dict[str, int]:
    """Row counts for status output."""
    out = {}
    for name, table in (("sources", sources), ("feeds", feeds), ("items", feed_items),
                        ("articles", articles), ("fetches", fetches)):
        out[name] = conn.scalar(select(func.count()).select_from(table))
    out["relevant"] = conn.scalar(select(func.count()).select_from(articles)
                                  .where(articles.c.relevance.in_(["about", "mention"])))
    return out


def source_health(conn: Connection, *, now: datetime) -> list[dict]:
    """Per source: feeds, failing feeds, last success, last error, articles in the last 24 h."""
    since = now - timedelta(hours=24)
    q = (select(sources.c.id, sources.c.name, sources.c.tier,
                func.count(feeds.c.id).label("feeds"),
                func.sum(func.iif(feeds.c.consecutive_failures > 0, 1, 0)).label("failing")
                if conn.dialect.name == "sqlite" else
                func.count(feeds.c.id).filter(feeds.c.consecutive_failures > 0).label("failing"),
                func.max(feeds.c.last_success).label("last_success"))
         .join(feeds, feeds.c.source_id == sources.c.id, isouter=True)
         .group_by(sources.c.id).order_by(sources.c.id))
    rows = [dict(r) for r in conn.execute(q).mappings()]
    recent = dict(conn.execute(select(articles.c.source_id, func.count())
                               .where(articles.c.first_seen >= since)
                               .group_by(articles.c.source_id)).all())
    errors = dict(conn.execute(select(feeds.c.source_id, feeds.c.last_error)
                               .where(feeds.c.consecutive_failures > 0)).all())
    for row in rows:
        row["articles_24h"] = recent.get(row["id"], 0)
        row["last_error"] = errors.get(row["id"])
        row["failing"] = int(row["failing"] or 0)
    return rows


# -- digests -----------------------------------------------------------------------------------

def has_digest(conn: Connection, *, kind: str, period: str) -> bool:
    return conn.scalar(select(func.count()).select_from(digests).where(
        digests.c.kind == kind, digests.c.period == period)) > 0


def save_digest(conn: Connection, *, kind: str, period: str, html: str, text: str,
                now: datetime) -> None:
    upsert(conn, digests, {"kind": kind, "period": period, "html": html, "text": text,
                           "created_at": now}, ["kind", "period"], ["html", "text", "created_at"])


# -- locks -------------------------------------------------------------------------------------

def acquire_lock(conn: Connection, name: str, holder: str, *, now: datetime,
                 stale_after: timedelta) -> str | None:
    """Take the named lock; returns None on success or the current holder when it is held.

    One statement decides (insert, or take over when it is ours or its heartbeat is older than
    ``stale_after``), so two processes cannot both believe they hold it."""
    stmt = _insert(conn, locks).values(name=name, holder=holder, acquired_at=now,
                                       heartbeat_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": holder, "acquired_at": now, "heartbeat_at": now},
        where=or_(locks.c.holder == holder, locks.c.heartbeat_at < now - stale_after))
    conn.execute(stmt)
    current = conn.scalar(select(locks.c.holder).where(locks.c.name == name))
    return None if current == holder else current


def heartbeat_lock(conn: Connection, name: str, holder: str, *, now: datetime) -> bool:
    """Refresh the lock; False when it is no longer ours (another process took it over)."""
    done = conn.execute(update(locks).where(locks.c.name == name, locks.c.holder == holder)
                        .values(heartbeat_at=now))
    return done.rowcount == 1


def release_lock(conn: Connection, name: str, holder: str) -> None:
    conn.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))


def mention_names(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """Place names found in each article, in order of appearance."""
    out: dict[int, list[str]] = {}
    if not article_ids:
        return out
    q = (select(mentions.c.article_id, mentions.c.name).where(
        mentions.c.article_id.in_(list(article_ids))).order_by(mentions.c.id))
    for article_id, name in conn.execute(q):
        out.setdefault(article_id, []).append(name)
    return out
