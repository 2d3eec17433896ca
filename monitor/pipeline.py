"""Where stages meet I/O: feeds -> items -> pages -> extraction -> relevance -> store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from monitor import store
from monitor.dedup import Assignment, Doc, StoryClusterer, canonical_key
from monitor.errors import ConfigError, ExtractError, FeedError, FetchError
from monitor.extract import canonical_url, decode_html, extract_article
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher, FetchRequest, fetch_request
from monitor.flags import compute_flags
from monitor.health import update_state
from monitor.labelling import label_articles
from monitor.models import Article, Feed, FeedItem, FetchFailure, FetchResult, ParsedFeed, Source
from monitor.relevance import ProvinceProfile, assess, load_profile
from monitor.settings import Settings
from monitor.store import repo

log = logging.getLogger(__name__)

STORY_SEED_WINDOW = timedelta(days=7)  # the duplicate window; stories use the last 72 h of it
STORY_REBUILD = timedelta(days=1)  # the scheduler's clusterer is rebuilt from the store daily
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
    stories: int = 0  # articles given their story cluster in this run
    flagged: int = 0  # needs-verification flags raised in this run
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)  # stored (new or changed) in this run

    def summary(self) -> str:
        return (f"feeds={self.feeds} fetched={self.fetched} unchanged={self.unchanged} "
                f"new_items={self.items} pages={self.pages} new={self.new} "
                f"updated={self.updated} relevant={self.relevant} flagged={self.flagged} "
                f"failed={self.failed}")

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
        self._local_cache: dict[str, bool] = {}
        self._stories: StoryClusterer | None = None
        self._stories_built = datetime.min.replace(tzinfo=UTC)
        self._story_docs: dict[int, repo.ClusterInput] = {}
        self._processing = asyncio.Lock()

    def sync(self) -> None:
        with self.db.begin() as conn:
            repo.sync_sources(conn, list(self.sources.values()), now=self.clock())

    def enabled_feeds(self, source_ids: set[str] | None = None) -> list[Feed]:
        """Enabled feeds of enabled sources (optionally of some sources only)."""
        return [feed for src in self.sources.values()
                if src.enabled and (not source_ids or src.id in source_ids)
                for feed in src.feeds if feed.enabled]

    def due_feeds(self, *, only_due: bool, source_ids: set[str] | None = None) -> list[Feed]:
        """Enabled feeds to crawl now: all of them (a manual crawl) except disabled ones whose
        re-check has not come, or with ``only_due`` those whose next_due has come."""
        now = self.clock()
        with self.db.begin() as conn:
            rows = repo.feed_rows(conn)
        out = []
        for feed in self.enabled_feeds(source_ids):
            row = rows.get(feed.url)
            if row is None:
                continue
            due = row.state.next_due is None or row.state.next_due <= now
            if due or (not only_due and row.state.status != "disabled"):
                out.append(feed)
        return out

    def is_due(self, feed: Feed) -> bool:
        """Whether the feed's next fetch has come (its backoff or re-check time included)."""
        with self.db.begin() as conn:
            state = repo.feed_state(conn, feed.url)
        return state is not None and (state.next_due is None or state.next_due <= self.clock())

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
        # the processing after a crawl is CPU work on the database: in a thread, one at a time,
        # so that the scheduler's other crawls and its heartbeat go on meanwhile
        async with self._processing:
            await asyncio.to_thread(self._process, stats)

    def _process(self, stats: RunStats) -> None:
        """Sections, topics and tone; stories; then flags (computed as articles arrive, once
        their story is known)."""
        if stats.article_ids:
            try:
                label_articles(self.db, stats.article_ids, now=self.clock())
            except Exception as exc:  # noqa: BLE001 (a broken model must not stop the run)
                if self.strict:
                    raise
                log.exception("labelling failed")
                stats.fail("labels", _describe(exc))
        clustered = self.cluster()
        stats.stories = len(clustered)
        try:
            stats.flagged = compute_flags(self.db, clustered, self.clock(), self.settings)
        except Exception as exc:  # noqa: BLE001 (the articles are stored; flags come next run)
            if self.strict:
                raise
            log.exception("computing flags failed")
            stats.fail("flags", _describe(exc))

    # -- story clusters ----------------------------------------------------------------------

    def cluster(self) -> list[int]:
        """Give every article not yet clustered its story (new, duplicate, copy of another
        outlet's article, or another report of a story) and refresh the touched clusters.

        The clusterer lives as long as the pipeline (the scheduler's process), seeded once with
        the stored assignments of the last week, and is rebuilt after a day."""
        now = self.clock()
        with self.db.begin() as conn:
            if self._stories is None or now - self._stories_built > STORY_REBUILD:
                self._seed_stories(conn, now)
            todo = repo.articles_for_clustering(conn, unassigned=True)
        decided = []
        for row in todo:
            self._story_docs[row.id] = row
            decided.append((row, self._stories.add(_story_doc(row))))
        if not decided:
            return []
        with self.db.begin() as conn:  # clusters first: articles point at them
            for cluster_id in dict.fromkeys(a.cluster_id for _, a in decided):
                self._save_cluster(conn, cluster_id, now)
            for row, assignment in decided:
                repo.save_cluster_assignment(
                    conn, row.id, cluster_id=assignment.cluster_id, relation=assignment.relation,
                    related_to=assignment.related_to, dedup_key=canonical_key(row.url))
        return [row.id for row, _ in decided]

    def _seed_stories(self, conn, now: datetime) -> None:
        self._stories = StoryClusterer(normalized=True)
        self._stories_built = now
        self._story_docs = {}
        for row in repo.articles_for_clustering(conn, since=now - STORY_SEED_WINDOW):
            if row.cluster_id is None:
                continue  # clustered below with the other new ones
            self._story_docs[row.id] = row
            self._stories.seed(_story_doc(row), Assignment(
                doc_id=row.id, cluster_id=row.cluster_id, relation=row.relation or "new",
                related_to=row.related_to))

    def _save_cluster(self, conn, cluster_id: int, now: datetime) -> None:
        summary = self._stories.cluster_summary(cluster_id)
        first = self._story_docs[summary.first_doc_id]
        repo.save_cluster(conn, cluster_id=cluster_id, title=first.title,
                          first_article_id=first.id, first_source_id=first.source_id,
                          first_published=first.when, size=len(summary.doc_ids),
                          outlets=len(summary.outlets),
                          independent_outlets=summary.independent_outlets, now=now)

    async def _crawl_feeds(self, fetcher: Fetcher, todo: Sequence[Feed], stats: RunStats) -> None:
        """Fetch every feed concurrently; each is parsed and stored as soon as it arrives. A
        feed that breaks in any way is recorded against its source and the others go on."""
        with self.db.begin() as conn:
            rows = repo.feed_rows(conn)

        async def one(feed: Feed) -> None:
            started = self.clock()
            try:
                await self._crawl_feed(fetcher, feed, rows[feed.url], started, stats)
            except Exception as exc:  # noqa: BLE001 (any bug in one feed must not stop the run)
                if self.strict:
                    raise
                log.exception("feed %s broke the pipeline", feed.url)
                failed = FetchResult(url=feed.url, final_url=feed.url, status=None,
                                     failure=FetchFailure("soft", _describe(exc)))
                self._store_feed(feed, rows[feed.url], failed, (), started, stats)

        stats.feeds += len(todo)
        await asyncio.gather(*(one(feed) for feed in todo))

    async def _crawl_feed(self, fetcher: Fetcher, feed: Feed, row: repo.FeedRow,
                          started: datetime, stats: RunStats) -> None:
        state = row.state
        # a sitemap index is always read whole: its children change while it may not
        conditional = not state.sitemap_index
        result = await fetch_request(fetcher, FetchRequest(
            url=feed.url, etag=state.etag if conditional else None,
            last_modified=state.last_modified if conditional else None,
            previous_hash=state.body_hash if conditional else None,
            politeness=self.sources[feed.source_id].politeness))
        self._check_strict(result)
        result, items = self._parse_feed(feed, result)
        if isinstance(items, ParsedFeed):  # a sitemap index: read its newest children
            row = replace(row, state=replace(state, sitemap_index=True))
            items = await self._read_children(fetcher, feed, items, row, stats)
        self._store_feed(feed, row, result, items, started, stats)

    def _check_strict(self, result: FetchResult) -> None:
        if self.strict and result.failure is not None:
            raise FetchError(result.url, result.failure.kind, result.failure.reason)

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
            self._check_strict(result)
            result, found = self._parse_feed(child_feed, result)
            with self.db.begin() as conn:
                repo.record_fetch(conn, source_id=feed.source_id, feed_id=row.id, kind="feed",
                                  result=result, started_at=started)
            if result.failure is not None:
                stats.fail(child.url, result.failure.reason)
            elif not isinstance(found, ParsedFeed):
                items.extend(found)
        return tuple(items)

    def _store_feed(self, feed: Feed, row: repo.FeedRow, result: FetchResult,
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
        """Fetch the pending article pages; each is extracted and stored as soon as it arrives.
        The items are claimed first, so an overlapping run never fetches the same page."""
        with self.db.begin() as conn:
            pending = repo.claim_items(conn, now=self.clock(),
                                       source_ids=source_ids & set(self.sources))

        async def one(item: repo.PendingItem) -> None:
            started = self.clock()
            try:
                result = await fetch_request(fetcher, FetchRequest(
                    url=item.url, politeness=self.sources[item.source_id].politeness))
                self._check_strict(result)
                self._handle_page(item, result, started, stats)
            except asyncio.CancelledError:  # the scheduler is stopping: give the item back
                with self.db.begin() as conn:
                    repo.release_claim(conn, item.url)
                raise
            except Exception as exc:  # noqa: BLE001 (one broken page must not stop the run)
                if self.strict:
                    raise
                log.exception("page %s broke the pipeline", item.url)
                with self.db.begin() as conn:
                    repo.mark_failed(conn, item.url, kind="soft", error=_describe(exc),
                                     now=self.clock())
                stats.fail(item.url, _describe(exc))

        await asyncio.gather(*(one(item) for item in pending))

    def _handle_page(self, pending: repo.PendingItem, result: FetchResult, started: datetime,
                     stats: RunStats) -> None:
        now = self.clock()
        source = self.sources[pending.source_id]
        article = None
        if result.ok:
            stats.pages += 1
            try:
                article = self._extract(source, pending, result)
            except ExtractError as exc:
                if self.strict:
                    raise
                result = replace(result, failure=FetchFailure("soft", exc.reason, result.status))
        with self.db.begin() as conn:
            repo.record_fetch(conn, source_id=source.id, feed_id=pending.feed_id, kind="article",
                              result=result, started_at=started)
            if article is None:
                failure = result.failure or FetchFailure("soft", "no article")
                stats.fail(pending.url, failure.reason)
                repo.mark_failed(conn, pending.url, kind=failure.kind, error=failure.reason,
                                 now=now)
                return
            relevance = assess(article.title, article.sapo, article.text, self.profile,
                               local=self._is_local(source))
            article_id, outcome = repo.save_article(
                conn, article, first_seen=pending.first_seen, now=now, raw_html=result.body,
                content_type=result.headers.get("content-type"), relevance=relevance)
            repo.mark_fetched(conn, pending.url, article_id=article_id)
        if outcome in ("new", "updated"):
            stats.article_ids.append(article_id)
        if outcome == "new":
            stats.new += 1
            stats.relevant += relevance.label in ("about", "mention")
        elif outcome == "updated":
            stats.updated += 1

    def _is_local(self, source: Source) -> bool:
        """An outlet of the watched area (its profile lies inside the watched one) leaves the
        province implicit: "xã Mỹ Thái" alone means ours there."""
        if not source.province:
            return False
        if source.province not in self._local_cache:
            try:
                areas = load_profile(source.province).areas
            except ConfigError:
                areas = frozenset()
            self._local_cache[source.province] = bool(areas) and areas <= self.profile.areas
        return self._local_cache[source.province]

    def _extract(self, source: Source, pending: repo.PendingItem, result: FetchResult
                 ) -> Article:
        html = decode_html(result.body, result.headers.get("content-type"))
        article = extract_article(html, url=result.final_url, source_id=source.id,
                                  rules=source.rules, feed_item=pending.item,
                                  now=pending.first_seen)
        if article.published is None or article.published_origin == "first_seen":
            # never guessed: published stays empty; readers fall back to first_seen, so marked
            article = replace(article, published=None, published_origin="first_seen")
        return _own_canonical(article, result.final_url)


def _own_canonical(article: Article, fetched: str) -> Article:
    """A page may only name a canonical URL on its own site: a syndicated copy pointing at
    another outlet, or a CMS that puts its home page in og:url, must not take over another
    article's row."""
    canonical = urlsplit(article.canonical_url)
    if (_site(canonical.hostname) == _site(urlsplit(fetched).hostname)
            and canonical.path.strip("/") and len(article.canonical_url) <= repo.MAX_URL):
        return article
    own = canonical_url(fetched)
    provenance = {**article.provenance, "canonical_url": "fetched"}
    return replace(article, canonical_url=own, provenance=provenance)


def _site(host: str | None) -> str:
    host = (host or "").lower()
    for prefix in ("www.", "m.", "amp."):
        host = host.removeprefix(prefix)
    return host


def _story_doc(row: repo.ClusterInput) -> Doc:
    return Doc(id=row.id, source_id=row.source_id, published=row.when, title=row.title,
               text=row.text, url=row.url, places=row.places)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


