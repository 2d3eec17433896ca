"""Frozen value objects passed between the stages: sources, feeds, items, fetches, articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Tier = Literal["central", "national", "provincial", "sector", "other"]
TIERS: tuple[str, ...] = ("central", "national", "provincial", "sector", "other")
TIER_NAMES_VI = {
    "central": "Cơ quan báo chí Trung ương (Đảng, Nhà nước)",
    "national": "Báo chí toàn quốc",
    "provincial": "Báo chí địa phương",
    "sector": "Báo ngành, chuyên ngành",
    "other": "Khác",
}

FeedKind = Literal["rss", "atom", "sitemap", "section"]
FEED_KINDS: tuple[str, ...] = ("rss", "atom", "sitemap", "section")

FailureKind = Literal["hard", "soft", "temporary"]
PublishedOrigin = Literal["page", "feed", "first_seen"]


@dataclass(frozen=True)
class Politeness:
    """How gently one host is treated: parallel requests and seconds between request starts."""

    concurrency: int = 1
    min_interval: float = 2.0


@dataclass(frozen=True)
class ExtractionRules:
    """CSS selectors for one outlet's article pages, used before metadata and the generic path."""

    title: str | None = None
    sapo: str | None = None
    body: str | None = None
    author: str | None = None
    time: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class Feed:
    """One feed, sitemap or section page of a source.

    ``interval`` is in seconds. For ``kind == "section"`` the ``item_selector`` picks the article
    links (``a`` elements, or elements containing one) and ``time_selector`` (optional) picks the
    time element inside each item's card.
    """

    source_id: str
    url: str
    kind: FeedKind = "rss"
    interval: int = 900
    item_selector: str | None = None
    time_selector: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Source:
    """One outlet as declared in sources.yaml."""

    id: str
    name: str
    homepage: str
    tier: Tier
    feeds: tuple[Feed, ...]
    rules: ExtractionRules | None = None
    politeness: Politeness | None = None
    enabled: bool = True
    province: str | None = None  # the province profile id of a provincial outlet
    language: str = "vi"


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, sitemap or section page.

    ``published`` is timezone-aware UTC, or None when the feed gives no usable time (never guessed).
    ``published_raw`` keeps the string as the feed printed it.
    """

    url: str
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    published_raw: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed body yielded: items plus warnings about quirks met on the way.

    ``children`` are the sitemaps a sitemap index points to (url and lastmod), to read next."""

    items: tuple[FeedItem, ...]
    title: str | None = None
    warnings: tuple[str, ...] = ()
    children: tuple[FeedItem, ...] = ()


@dataclass(frozen=True)
class FetchFailure:
    """Why a fetch failed. hard: will not fix itself (404, 410, DNS, robots); soft: the answer is
    unusable (oversized, not a feed, redirect loop); temporary: try again later (timeouts, 5xx,
    429)."""

    kind: FailureKind
    reason: str
    status: int | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch, success or not. Header names are lower-case."""

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    not_modified: bool = False
    body_hash: str | None = None
    elapsed: float = 0.0
    redirects: tuple[str, ...] = ()
    attempts: int = 1
    failure: FetchFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class FeedState:
    """What is remembered about one feed between runs (persisted in the feeds table)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    status: Literal["active", "backoff", "disabled"] = "active"
    failure_score: float = 0.0
    consecutive_failures: int = 0
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_error: str | None = None
    next_due: datetime | None = None
    sitemap_index: bool = False  # the feed is a sitemap index: always read whole (children change)


@dataclass(frozen=True)
class Article:
    """An article page turned into fields. Times are timezone-aware UTC.

    ``published_origin`` says where ``published`` came from; with ``first_seen`` the page and the
    feed gave no usable time and ``published`` is the first time we saw the item.
    """

    url: str
    canonical_url: str
    source_id: str
    title: str
    sapo: str = ""
    body: tuple[str, ...] = ()
    author: str | None = None
    published: datetime | None = None
    published_origin: PublishedOrigin | None = None
    modified: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    # which step produced each field: field name -> "rules" | "json-ld" | "opengraph" | "meta" |
    # "generic" | "feed" | "first_seen" (only fields that have a value)
    provenance: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        return "\n".join(self.body)


@dataclass(frozen=True)
class Mention:
    """A place of the monitored province found in an article."""

    name: str
    unit: str  # province, district, commune, ward, ...
    era: Literal["old", "new"]
    where: Literal["title", "sapo", "body"]
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Relevance:
    """Whether an article is about the province: label about | mention | none, with evidence."""

    label: Literal["about", "mention", "none"]
    score: float
    places: tuple[Mention, ...] = ()
