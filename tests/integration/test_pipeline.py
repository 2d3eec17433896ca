"""The pipeline on a real loopback server: broken feeds and pages are recorded, the run goes on."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.models import Feed, Source
from monitor.pipeline import Pipeline
from monitor.relevance import load_profile
from monitor.settings import FetchSettings, Settings
from monitor.store import open_database
from monitor.store.repo import MAX_ITEM_ATTEMPTS
from monitor.store.tables import articles, clusters, feed_items, feeds, fetches
from tests.support.httpserver import Response, TestServer

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Mẫu</title><link>{base}/</link>
<item><title>Lục Ngạn thu hoạch cam</title><link>{base}/a.html</link>
<pubDate>Wed, 25 Nov 2026 07:30:00 +0700</pubDate></item>
<item><title>Tin không có giờ</title><link>{base}/b.html</link></item>
<item><title>Trang lỗi</title><link>{base}/broken.html</link>
<pubDate>Wed, 25 Nov 2026 08:00:00 +0700</pubDate></item>
</channel></rss>"""

PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{base}/{slug}"></head><body><article><h1>{title}</h1>
<p class="sapo">{sapo}</p>{time}<div class="content">{body}</div></article></body></html>"""

BODY = "".join(f"<p>Đoạn {i}: nông dân xã Lục Ngạn, tỉnh Bắc Ninh thu hoạch cam đường canh, "
               f"giá bán ổn định ở mức cao so với năm trước.</p>" for i in range(5))


def _page(base: str, slug: str, title: str, time: str = "") -> Response:
    html = PAGE.format(base=base, slug=slug, title=title, time=time, body=BODY,
                       sapo="Nông dân huyện Lục Ngạn cũ vào vụ thu hoạch cam, bưởi.")
    data = html.encode()
    return Response(body=data, headers={"Content-Type": "text/html; charset=utf-8",
                                        "ETag": '"' + hashlib.md5(data).hexdigest() + '"'})


def _conditional(body: bytes, content_type: str):
    etag = '"' + hashlib.md5(body).hexdigest() + '"'

    def route(request):
        if request.header("if-none-match") == etag:
            return Response(304, headers={"ETag": etag})
        return Response(body=body, headers={"Content-Type": content_type, "ETag": etag})
    return route


@pytest.fixture()
def server():
    with TestServer() as srv:
        base = srv.url("").rstrip("/")
        srv.route("/robots.txt", Response(body=b"User-agent: *\nAllow: /\n"))
        srv.route("/rss.xml", _conditional(RSS.format(base=base).encode(), "application/rss+xml"))
        srv.route("/not-a-feed.xml", Response(body="<html><body>Trang chủ</body></html>".encode(),
                                              headers={"Content-Type": "text/html"}))
        srv.route("/a.html", _page(base, "a.html", "Lục Ngạn thu hoạch cam",
                                   '<time datetime="2026-11-25T07:30:00+07:00">07:30</time>'))
        srv.route("/b.html", _page(base, "b.html", "Tin không có giờ"))
        srv.route("/broken.html", Response(500, body=b"error"))
        yield srv


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _pipeline(tmp_path, srv, clock=None):
    source = Source(id="mau", name="Báo mẫu", homepage=srv.url("/"), tier="national", feeds=(
        Feed(source_id="mau", url=srv.url("/rss.xml"), interval=60),
        Feed(source_id="mau", url=srv.url("/not-a-feed.xml"), interval=60),
    ))
    fetch = FetchSettings(min_interval=0, concurrency_per_host=4, retries=1, backoff_base=0.01,
                          backoff_max=0.05)
    settings = replace(Settings(), fetch=fetch)
    db = open_database(str(tmp_path / "t.db"))
    return db, Pipeline(db, [source], settings, load_profile("bac-giang"),
                        clock=clock or (lambda: datetime.now(UTC)))


def test_broken_feed_and_page_are_recorded_and_the_run_goes_on(tmp_path, server):
    db, pipeline = _pipeline(tmp_path, server)
    stats = asyncio.run(pipeline.crawl())
    assert (stats.feeds, stats.fetched, stats.new, stats.failed) == (2, 1, 2, 2)
    with db.begin() as conn:
        failed = conn.execute(select(fetches.c.kind, fetches.c.url, fetches.c.failure_kind,
                                     fetches.c.reason).where(fetches.c.outcome == "failed")
                              ).all()
        rows = {r.url.rsplit("/", 1)[1]: r for r in conn.execute(select(articles))}
        bad_feed = conn.execute(select(feeds).where(feeds.c.url.like("%not-a-feed%"))).one()
    kinds = {(k, u.rsplit("/", 1)[1], fk) for k, u, fk, _ in failed}
    assert kinds == {("feed", "not-a-feed.xml", "soft"), ("article", "broken.html", "temporary")}
    assert all(reason for *_, reason in failed)
    assert bad_feed.consecutive_failures == 1 and bad_feed.last_error
    assert rows["a.html"].published == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    assert rows["a.html"].published_origin == "page"
    assert rows["a.html"].relevance == "about"
    # no time in the feed or the page: never guessed, first-seen time used and marked
    assert rows["b.html"].published is None
    assert rows["b.html"].published_origin == "first_seen"
    assert rows["b.html"].first_seen is not None


def test_second_run_is_conditional_and_failed_pages_back_off(tmp_path, server):
    clock = Clock()
    db, pipeline = _pipeline(tmp_path, server, clock)
    asyncio.run(pipeline.crawl())
    broken = lambda: len(server.requests_for("/broken.html"))  # noqa: E731
    before = broken()
    clock.now += timedelta(minutes=5)
    stats = asyncio.run(pipeline.crawl())
    assert stats.unchanged == 1 and stats.new == 0
    assert server.requests_for("/rss.xml")[-1].header("if-none-match")
    assert len(server.requests_for("/a.html")) == 1
    assert broken() == before  # not retried before its back-off ends
    for _ in range(6):
        clock.now += timedelta(days=1)
        asyncio.run(pipeline.crawl())
    with db.begin() as conn:
        item = conn.execute(select(feed_items).where(feed_items.c.url.like("%broken%"))).one()
        assert conn.scalar(select(articles.c.id).where(articles.c.url.like("%broken%"))) is None
    assert item.status == "gone" and item.attempts == MAX_ITEM_ATTEMPTS
    assert broken() == before * MAX_ITEM_ATTEMPTS


def test_a_sitemap_index_is_followed_to_its_newest_children(tmp_path, server):
    base = server.url("").rstrip("/")
    index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
             f'"http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{base}/news-1.xml</loc><lastmod>2026-11-24T00:00:00+07:00</lastmod>'
             f'</sitemap><sitemap><loc>{base}/news-2.xml</loc>'
             f'<lastmod>2026-11-25T00:00:00+07:00</lastmod></sitemap></sitemapindex>')
    child = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
             'schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
             '<url><loc>{base}/{page}</loc><news:news><news:publication_date>{when}'
             '</news:publication_date><news:title>Tin</news:title></news:news></url></urlset>')
    server.route("/sitemap.xml", Response(body=index.encode(),
                                          headers={"Content-Type": "application/xml"}))
    server.route("/news-1.xml", Response(body=child.format(
        base=base, page="a.html", when="2026-11-24T07:30:00+07:00").encode()))
    server.route("/news-2.xml", Response(body=child.format(
        base=base, page="b.html", when="2026-11-25T09:00:00+07:00").encode()))
    source = Source(id="mau", name="Báo mẫu", homepage=server.url("/"), tier="sector", feeds=(
        Feed(source_id="mau", url=server.url("/sitemap.xml"), kind="sitemap", interval=60),))
    db, pipeline = _pipeline(tmp_path, server)
    pipeline.sources = {"mau": source}
    stats = asyncio.run(pipeline.crawl())
    assert stats.new == 2 and stats.failed == 0
    with db.begin() as conn:
        items = dict(conn.execute(select(feed_items.c.url, feed_items.c.published)).all())
    assert items[server.url("/b.html")] == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_a_bug_in_one_feed_is_recorded_and_the_others_go_on(tmp_path, server, monkeypatch):
    import monitor.pipeline as pipeline_module

    real = pipeline_module.parse_feed

    def broken_for_one_feed(body, **kwargs):
        if "not-a-feed" in kwargs["url"]:
            raise RuntimeError("a bug nobody foresaw")
        return real(body, **kwargs)

    monkeypatch.setattr(pipeline_module, "parse_feed", broken_for_one_feed)
    db, pipeline = _pipeline(tmp_path, server)
    stats = asyncio.run(pipeline.crawl())
    assert stats.new == 2
    with db.begin() as conn:
        bad = conn.execute(select(feeds).where(feeds.c.url.like("%not-a-feed%"))).one()
    assert bad.last_error == "RuntimeError: a bug nobody foresaw"
    assert bad.consecutive_failures == 1 and bad.next_due is not None


def test_strict_raises_on_the_first_failure(tmp_path, server):
    from monitor.errors import FeedError, FetchError

    db, pipeline = _pipeline(tmp_path, server)
    pipeline.strict = True
    with pytest.raises((FetchError, FeedError)):
        asyncio.run(pipeline.crawl())


def test_a_copy_on_another_outlet_joins_the_story_but_is_not_independent(tmp_path, server):
    base = server.url("").rstrip("/")
    time = '<time datetime="2026-11-25T09:00:00+07:00">09:00</time>'
    for name in ("orig", "copy"):
        feed = (f'<rss version="2.0"><channel><title>{name}</title><item><title>Cam</title>'
                f'<link>{base}/{name}.html</link></item></channel></rss>')
        server.route(f"/{name}.xml", Response(body=feed.encode(),
                                              headers={"Content-Type": "application/rss+xml"}))
    server.route("/orig.html", _page(base, "orig.html", "Lục Ngạn thu hoạch cam", time))
    server.route("/copy.html", _page(base, "copy.html", "Lục Ngạn thu hoạch cam", time))
    sources = [Source(id=sid, name=sid, homepage=server.url("/"), tier="other", feeds=(
        Feed(source_id=sid, url=server.url(f"/{name}.xml"), interval=60),))
        for sid, name in (("goc", "orig"), ("chep", "copy"))]
    db, pipeline = _pipeline(tmp_path, server)
    pipeline.sources = {s.id: s for s in sources}
    stats = asyncio.run(pipeline.crawl())
    assert stats.stories == stats.new >= 2
    with db.begin() as conn:
        rows = {r.url.rsplit("/", 1)[1]: r for r in conn.execute(select(articles))}
        story = conn.execute(select(clusters).where(
            clusters.c.id == rows["orig.html"].cluster_id)).one()
    assert rows["copy.html"].cluster_relation == "copy"
    assert rows["copy.html"].related_article_id == rows["orig.html"].id
    assert rows["copy.html"].cluster_id == rows["orig.html"].cluster_id
    assert (story.size, story.outlets, story.independent_outlets) == (2, 2, 1)
    assert story.first_article_id == rows["orig.html"].id
    # a second run clusters nothing again and keeps the story
    assert asyncio.run(pipeline.crawl()).stories == 0
