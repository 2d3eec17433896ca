"""Takedowns and silent edits: re-fetch scheduled articles, compare, record, re-assess."""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, func, select, update

from monitor.errors import ExtractError
from monitor.extract import decode_html, extract_article
from monitor.fetch import Fetcher
from monitor.models import FetchResult
from monitor.store.tables import articles, sources
from monitor.store.tables_flags import refetch_results, refetch_schedule
from monitor.text import normalize

log = logging.getLogger(__name__)

MAX_DIFF_LINES = 20
GONE_STATUSES = (404, 410)
# A re-fetch that fails (network, 5xx, timeout) concludes nothing: it is tried again after
# 30 min, 1 h, 2 h ... and gives up its step only after this many failed tries.
FAILED_TRIES = 4
RETRY_DELAY = timedelta(minutes=30)


@dataclass
class RefetchStats:
    """Counters of one ``refetch_due`` call."""

    due: int = 0
    fetched: int = 0
    unchanged: int = 0
    edited: int = 0
    gone: int = 0
    redirect_home: int = 0
    failed: int = 0
    new_flags: int = 0

    def summary(self) -> str:
        return (f"refetch: due={self.due} fetched={self.fetched} unchanged={self.unchanged} "
                f"edited={self.edited} gone={self.gone} redirect_home={self.redirect_home} "
                f"failed={self.failed} new_flags={self.new_flags}")


@dataclass(frozen=True)
class Stored:
    """An article as stored, with its source's homepage: what a re-fetch is compared to."""

    id: int
    url: str
    source_id: str
    homepage: str
    title: str
    paragraphs: tuple[str, ...]
    step: str


@dataclass(frozen=True)
class Comparison:
    outcome: str  # unchanged | edited | gone | redirect_home | failed
    status: int | None
    final_url: str | None
    change_ratio: float | None = None
    diff: tuple[dict, ...] = ()
    reason: str | None = None


async def refetch_due(db, fetcher: Fetcher, now: datetime, settings: Any = None,
                      sources: Mapping[str, Any] | None = None) -> RefetchStats:
    """Re-fetch every article whose re-fetch is due, record what changed, and re-assess them
    (a takedown or an edit beyond ``flags.edit_threshold`` becomes a signal). The scheduler
    calls it every few minutes with its long-lived fetcher. ``sources`` (id -> ``Source`` of
    sources.yaml) gives each outlet's politeness and extraction rules, as in a crawl."""
    from monitor.flags import compute_flags, flag_settings

    fs = flag_settings(settings)
    known = sources or {}
    with db.begin() as conn:
        todo = due_articles(conn, now)
    stats = RefetchStats(due=len(todo))
    results = await asyncio.gather(*(fetcher.fetch(
        item.url, politeness=getattr(known.get(item.source_id), "politeness", None))
        for item in todo))
    with db.begin() as conn:
        for item, result in zip(todo, results, strict=False):
            rules = getattr(known.get(item.source_id), "rules", None)
            found = compare(item, result, fs.edit_threshold, rules=rules)
            record(conn, item, found, now)
            stats.fetched += result.failure is None
            setattr(stats, found.outcome, getattr(stats, found.outcome) + 1)
    if todo:
        stats.new_flags = compute_flags(db, [i.id for i in todo], now, fs)
        log.info(stats.summary())
    return stats


def due_articles(conn: Connection, now: datetime) -> list[Stored]:
    """One entry per article with a due re-fetch (the latest due step; earlier ones are marked
    done with it)."""
    rows = conn.execute(
        select(refetch_schedule.c.article_id, refetch_schedule.c.step, articles.c.url,
               articles.c.canonical_url, articles.c.source_id, articles.c.title,
               articles.c.sapo, articles.c.body, sources.c.homepage)
        .join(articles, articles.c.id == refetch_schedule.c.article_id)
        .join(sources, sources.c.id == articles.c.source_id)
        .where(refetch_schedule.c.done_at.is_(None), refetch_schedule.c.due_at <= now)
        .order_by(refetch_schedule.c.due_at)).all()
    out: dict[int, Stored] = {}
    for r in rows:
        out[r.article_id] = Stored(r.article_id, r.url, r.source_id, r.homepage, r.title,
                                   tuple(p for p in (r.sapo, *(r.body or ())) if p), r.step)
    return list(out.values())


def compare(stored: Stored, result: FetchResult, edit_threshold: float, *,
            rules: Any = None) -> Comparison:
    """What a re-fetch shows: gone (404/410), a redirect to the home page, an edit beyond the
    threshold (with the diff), unchanged, or a failed fetch (nothing concluded)."""
    if result.failure is not None:
        if result.status in GONE_STATUSES:
            return Comparison("gone", result.status, result.final_url,
                              diff=_removed(stored), reason=result.failure.reason)
        return Comparison("failed", result.status, result.final_url,
                          reason=result.failure.reason)
    if result.redirects and _is_home(result.final_url, stored.homepage):
        return Comparison("redirect_home", result.status, result.final_url,
                          diff=_removed(stored), reason="redirected to the home page")
    try:
        page = extract_article(decode_html(result.body, result.headers.get("content-type")),
                               url=result.final_url, source_id=stored.source_id, rules=rules)
    except ExtractError as exc:
        return Comparison("gone", result.status, result.final_url, diff=_removed(stored),
                          reason=f"no article on the page any more: {exc.reason}")
    new = tuple(p for p in (page.sapo, *page.body) if p)
    ratio = change_ratio((stored.title, *stored.paragraphs), (page.title, *new))
    outcome = "edited" if ratio >= edit_threshold else "unchanged"
    diff = paragraph_diff((stored.title, *stored.paragraphs), (page.title, *new)) \
        if ratio > 0 else ()
    return Comparison(outcome, result.status, result.final_url, round(ratio, 4), diff)


def change_ratio(old: Sequence[str], new: Sequence[str]) -> float:
    """Share of words changed between two versions (0: same, 1: nothing in common)."""
    a = " ".join(normalize(p) for p in old).split()
    b = " ".join(normalize(p) for p in new).split()
    if not a and not b:
        return 0.0
    return 1.0 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def paragraph_diff(old: Sequence[str], new: Sequence[str]) -> tuple[dict, ...]:
    """Removed (-) and added (+) paragraphs, at most MAX_DIFF_LINES."""
    out = []
    for line in difflib.ndiff([normalize(p) for p in old], [normalize(p) for p in new]):
        if line[:2] in ("- ", "+ "):
            out.append({"op": line[0], "text": line[2:]})
    return tuple(out[:MAX_DIFF_LINES])


def _removed(stored: Stored) -> tuple[dict, ...]:
    return tuple({"op": "-", "text": p} for p in (stored.title, *stored.paragraphs)
                 )[:MAX_DIFF_LINES]


def _is_home(url: str, homepage: str) -> bool:
    target, home = urlsplit(url), urlsplit(homepage)
    if target.path in ("", "/") and not target.query:
        return True
    return target.netloc == home.netloc and target.path.rstrip("/") == home.path.rstrip("/")


def record(conn: Connection, item: Stored, found: Comparison, now: datetime) -> None:
    """Keep what the re-fetch found and close its step; a failed re-fetch keeps the step open
    and is tried again later (``RETRY_DELAY``, doubling), up to ``FAILED_TRIES`` tries."""
    conn.execute(refetch_results.insert().values(
        article_id=item.id, step=item.step, fetched_at=now, status=found.status,
        final_url=(found.final_url or "")[:1000] or None, outcome=found.outcome,
        change_ratio=found.change_ratio, diff=list(found.diff), reason=found.reason))
    if found.outcome == "failed":
        tries = conn.scalar(select(func.count()).select_from(refetch_results).where(
            refetch_results.c.article_id == item.id, refetch_results.c.step == item.step,
            refetch_results.c.outcome == "failed"))
        if tries < FAILED_TRIES:
            conn.execute(update(refetch_schedule).where(
                refetch_schedule.c.article_id == item.id, refetch_schedule.c.done_at.is_(None),
                refetch_schedule.c.due_at <= now).values(
                    due_at=now + RETRY_DELAY * 2 ** (tries - 1)))
            return
    conn.execute(update(refetch_schedule).where(
        refetch_schedule.c.article_id == item.id, refetch_schedule.c.done_at.is_(None),
        refetch_schedule.c.due_at <= now).values(done_at=now, outcome=found.outcome))
