"""Where stages meet I/O: feeds -> items -> pages -> extraction -> relevance -> store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor import store
from monitor.errors import ExtractError, FeedError
from monitor.extract import decode_html, extract_article
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher, FetchRequest, fetch_request
from monitor.health import update_state
from monitor.models import Article, Feed, FeedItem, FetchFailure, FetchResult, ParsedFeed, Source
from monitor.relevance import ProvinceProfile, assess
from monitor.settings import Settings
from monitor.store import repo
from reports.digest import build_daily_digest, day_bounds
from reports.render import render_daily_html, render_daily_text

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 3  # of a sitemap index, the newest ones are read each run


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunStats:
    """Counters of one crawl run; ``summary()`` is the one line a run ends with."""

    feeds: int = 0
    fetched: int = 0
    unchanged: int = 0
    items: int = 0
    pages: int = 0
    new: int = 0
    updated: int = 0
    relevant: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"feeds={self.feeds} fetched={self.fetched} unchanged={self.unchanged} "
                f"new_items={self.items} pages={self.pages} new={self.new} "
                f"updated={self.updated} relevant={self.relevant} failed={self.failed}")

    def fail(self, where: str, reason: str) -> None:
        self.failed += 1
        self.failures.append(f"{where}: {reason}")


class Pipeline:
    """Crawls configured sources into the store. Network, database and clock are injected."""

    def __init__(self, db: store.Database, sources: Sequence[Source], settings: Settings,
                 profile: ProvinceProfile, *, clock: Callable[[], datetime] = utcnow,
                 strict: bool = False) -> None:
        self.db = db
        self.sources = {s.id: s for s in sources}
        self.settings = settings
        self.profile = profile
        self.clock = clock
        self.strict = strict

    def sync(self) -> None:
        with self.db.begin() as conn:
            repo.sync_sources(conn, list(self.sources.values()), now=self.clock())

    def due_feeds(self, *, only_due: bool, source_ids: set[str] | None = None) -> list[Feed]:
        """Enabled feeds of enabled sources; with ``only_due`` those whose next_due has come."""
        now = self.clock()
        with self.db.begin() as conn:
            rows = repo.feed_rows(conn)
        out = []
        for src in self.sources.values():
            if not src.enabled or (source_ids and src.id not in source_ids):
                continue
            for feed in src.feeds:
                row = rows.get(feed.url)
                if not feed.enabled or row is None:
                    continue
                due = row.state.next_due is None or row.state.next_due <= now
                if row.state.status == "disabled" and not due:
                    continue
                if only_due and not due:
                    continue
                out.append(feed)
        return out

    async def crawl(self, *, only_due: bool = False, source_ids: set[str] | None = None,
                    feeds: Sequence[Feed] | None = None, fetcher: Fetcher | None = None,
                    sync: bool = True) -> RunStats:
        """One run: fetch feeds, record new items, fetch and process their article pages.

        A long-lived ``fetcher`` (the scheduler's) keeps robots.txt and politeness state between
        runs; without one, a fetcher is made for this run."""
        if sync:
            self.sync()
        stats = RunStats()
        todo = list(feeds) if feeds is not None else self.due_feeds(
            only_due=only_due, source_ids=source_ids)
        if fetcher is None:
            async with Fetcher(self.settings.fetch) as own:
                await self._run(own, todo, stats)
        else:
            await self._run(fetcher, todo, stats)
        log.info("run finished: %s", stats.summary())
        return stats

    async def _run(self, fetcher: Fetcher, todo: Sequence[Feed], stats: RunStats) -> None:
        await self._crawl_feeds(fetcher, todo, stats)
        await self._crawl_pages(fetcher, {f.source_id for f in todo}, stats)

    async def _crawl_feeds(self, fetcher: Fetcher, todo: Sequence[Feed], stats: RunStats) -> None:
        """Fetch every feed concurrently; each is parsed and stored as soon as it arrives."""
        with self.db.begin() as conn:
            rows = repo.feed_rows(conn)
        started = self.clock()

        async def one(feed: Feed) -> None:
            state = rows[feed.url].state
            result = await fetch_request(fetcher, FetchRequest(
                url=feed.url, etag=state.etag, last_modified=state.last_modified,
                previous_hash=state.body_hash, politeness=self.sources[feed.source_id].politeness))
            result, items = self._parse_feed(feed, result)
            if isinstance(items, ParsedFeed):  # a sitemap index: read its newest children
                items = await self._read_children(fetcher, feed, items, rows[feed.url], stats)
            self._handle_feed(feed, rows[feed.url], result, items, started, stats)

        stats.feeds += len(todo)
        await asyncio.gather(*(one(feed) for feed in todo))

    def _parse_feed(self, feed: Feed, result: FetchResult
                    ) -> tuple[FetchResult, tuple[FeedItem, ...] | ParsedFeed]:
        """Items of a fetched feed; a body that is not a feed turns the result into a soft
        failure. A sitemap index comes back whole so its children can be read."""
        if not result.ok or result.not_modified:
            return result, ()
        try:
            parsed = parse_feed(result.body, url=result.final_url, headers=result.headers,
                                kind=feed.kind, item_selector=feed.item_selector,
                                time_selector=feed.time_selector, now=self.clock())
        except FeedError as exc:
            if self.strict:
                raise
            return replace(result, failure=FetchFailure("soft", exc.reason, result.status)), ()
        return result, (parsed if parsed.children else parsed.items)

    async def _read_children(self, fetcher: Fetcher, feed: Feed, index: ParsedFeed,
                             row: repo.FeedRow, stats: RunStats) -> tuple[FeedItem, ...]:
        """The newest child sitemaps of a sitemap index (news sitemaps are split by day)."""
        newest = sorted(index.children, key=lambda c: c.published or datetime.min.replace(
            tzinfo=UTC), reverse=True)[:MAX_CHILD_SITEMAPS]
        politeness = self.sources[feed.source_id].politeness
        child_feed = replace(feed, kind="sitemap")
        items: list[FeedItem] = []
        for child in newest:
            started = self.clock()
            result = await fetch_request(fetcher, FetchRequest(url=child.url,
                                                               politeness=politeness))
            result, found = self._parse_feed(child_feed, result)
            with self.db.begin() as conn:
                repo.record_fetch(conn, source_id=feed.source_id, feed_id=row.id, kind="feed",
                                  result=result, started_at=started)
            if result.failure is not None:
                stats.fail(child.url, result.failure.reason)
            elif not isinstance(found, ParsedFeed):
                items.extend(found)
        return tuple(items)

    def _handle_feed(self, feed: Feed, row: repo.FeedRow, result: FetchResult,
                     items: Sequence[FeedItem], started: datetime, stats: RunStats) -> None:
        now = self.clock()
        with self.db.begin() as conn:
            repo.record_fetch(conn, source_id=feed.source_id, feed_id=row.id, kind="feed",
                              result=result, started_at=started)
            state = update_state(row.state, result, now=now, interval=feed.interval,
                                 health=self.settings.health)
            repo.save_feed_state(conn, row.id, state, fetched_at=now)
            if result.failure is not None:
                stats.fail(feed.url, result.failure.reason)
                log.warning("feed %s failed (%s): %s", feed.url, result.failure.kind,
                            result.failure.reason)
                return
            if result.not_modified:
                stats.unchanged += 1
                return
            stats.fetched += 1
            stats.items += repo.add_feed_items(conn, feed_id=row.id, source_id=feed.source_id,
                                               items=items, now=now)

    async def _crawl_pages(self, fetcher: Fetcher, source_ids: set[str], stats: RunStats) -> None:
        """Fetch the pending article pages; each is extracted and stored as soon as it arrives."""
        with self.db.begin() as conn:
            pending = [p for p in repo.pending_items(conn, source_ids=source_ids)
                       if p.source_id in self.sources]
        started = self.clock()

        async def one(item: repo.PendingItem) -> None:
            politeness = self.sources[item.source_id].politeness
            result = await fetch_request(fetcher, FetchRequest(url=item.url,
                                                               politeness=politeness))
            self._handle_page(item, result, started, stats)

        await asyncio.gather(*(one(item) for item in pending))

    def _handle_page(self, pending: repo.PendingItem, result: FetchResult, started: datetime,
                     stats: RunStats) -> None:
        now = self.clock()
        source = self.sources[pending.source_id]
        article = None
        if result.ok:
            stats.pages += 1
            try:
                article = self._extract(source, pending, result, now)
            except ExtractError as exc:
                if self.strict:
                    raise
                result = replace(result, failure=FetchFailure("soft", exc.reason, result.status))
        with self.db.begin() as conn:
            repo.record_fetch(conn, source_id=source.id, feed_id=pending.feed_id, kind="article",
                              result=result, started_at=started)
            if article is None:
                stats.fail(pending.url, result.failure.reason if result.failure else "no article")
                repo.mark_item(conn, pending.url, status="failed",
                               error=result.failure.reason if result.failure else None)
                return
            relevance = assess(article.title, article.sapo, article.text, self.profile)
            article_id, outcome = repo.save_article(
                conn, article, first_seen=pending.first_seen, now=now, raw_html=result.body,
                content_type=result.headers.get("content-type"), relevance=relevance)
            repo.mark_item(conn, pending.url, status="fetched", article_id=article_id)
        if outcome == "new":
            stats.new += 1
            stats.relevant += relevance.label in ("about", "mention")
        elif outcome == "updated":
            stats.updated += 1

    def _extract(self, source: Source, pending: repo.PendingItem, result: FetchResult,
                 now: datetime) -> Article:
        html = decode_html(result.body, result.headers.get("content-type"))
        article = extract_article(html, url=result.final_url, source_id=source.id,
                                  rules=source.rules, feed_item=pending.item,
                                  now=pending.first_seen)
        if article.published is None or article.published_origin == "first_seen":
            # never guessed: published stays empty; readers fall back to first_seen, so marked
            article = replace(article, published=None, published_origin="first_seen")
        return article


@dataclass(frozen=True)
class DigestFiles:
    html: Path
    text: Path
    articles: int


def write_daily_digest(db: store.Database, day: date, out_dir: Path, *, area: str,
                       now: datetime, timezone: str = "Asia/Ho_Chi_Minh") -> DigestFiles:
    """Build the day's digest from the store, write HTML and text files, and record it.
    ``day`` is a local day in ``timezone`` (the setting)."""
    tz = ZoneInfo(timezone)
    start, end = day_bounds(day, tz)
    with db.begin() as conn:
        rows = repo.articles_between(conn, start, end, relevance=("about", "mention"))
        places = repo.mention_names(conn, [r["id"] for r in rows])
        digest = build_daily_digest(day, rows, area=area, places=places, tz=tz)
        html, text = render_daily_html(digest), render_daily_text(digest)
        repo.save_digest(conn, kind="daily", period=digest.period, html=html, text=text, now=now)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"diem-bao-{digest.period}.html"
    text_path = out_dir / f"diem-bao-{digest.period}.txt"
    html_path.write_text(html, encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    return DigestFiles(html_path, text_path, digest.total)
