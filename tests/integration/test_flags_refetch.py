"""Takedowns and silent edits: scheduled re-fetches against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.fetch import Fetcher
from monitor.flags import FlagSettings
from monitor.flags_refetch import refetch_due
from monitor.models import Article, Feed, Relevance, Source
from monitor.settings import FetchSettings
from monitor.store import open_database, repo
from monitor.store.tables import flags
from monitor.store.tables_flags import refetch_results, refetch_schedule, verification_scores
from tests.support.httpserver import Response, TestServer

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
PARAGRAPHS = ("Sáng 25/11, một đoạn bờ sông Thương dài 120 mét bị sạt lở ở xã Mỹ Thái.",
              "Chính quyền xã đã di dời 14 hộ dân đến nơi an toàn, không có thiệt hại về người.",
              "Theo Ban Chỉ huy phòng chống thiên tai, nguyên nhân do mực nước rút nhanh.")


def page(title: str, paragraphs: tuple[str, ...]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{body}</article></body></html>").encode()


def store_article(db, server: TestServer, n: int, path: str) -> int:
    source = Source(id="tonghop", name="Tin Tổng hợp", homepage=server.url("/"), tier="other",
                    feeds=(Feed(source_id="tonghop", url=server.url("/rss")),))
    published = NOW - timedelta(hours=30)
    article = Article(url=server.url(path), canonical_url=server.url(path), source_id="tonghop",
                      title=f"Sạt lở bờ sông Thương ở xã Mỹ Thái {n}", sapo=PARAGRAPHS[0],
                      body=PARAGRAPHS[1:], published=published, published_origin="page")
    with db.begin() as conn:
        repo.sync_sources(conn, [source], now=published)
        article_id, _ = repo.save_article(conn, article, first_seen=published, now=published,
                                          raw_html=None, content_type=None,
                                          relevance=Relevance("about", 1.0))
        conn.execute(refetch_schedule.insert().values(article_id=article_id, step="24h",
                                                      due_at=NOW, reason="flagged"))
    return article_id


def test_refetch_finds_takedowns_redirects_and_silent_edits(tmp_path):
    db = open_database(str(tmp_path / "t.db"))
    edited = ("Sáng 25/11, một đoạn bờ sông Thương bị sạt lở nhẹ.",
              "Không có hộ dân nào phải di dời.")
    with TestServer() as server:
        server.route("/gone.html", status=404)
        server.route("/moved.html", Response(302, headers={"Location": "/"}))
        server.route("/", body=page("Trang chủ", ("Tin mới nhất của ngày hôm nay.",)))
        server.route("/edited.html", body=page("Sạt lở bờ sông Thương ở xã Mỹ Thái 3",
                                               PARAGRAPHS[:0] + edited))
        server.route("/same.html", body=page("Sạt lở bờ sông Thương ở xã Mỹ Thái 4",
                                             PARAGRAPHS))
        ids = [store_article(db, server, n, p) for n, p in enumerate(
            ["/gone.html", "/moved.html", "/edited.html", "/same.html"], 1)]

        async def run():
            async with Fetcher(FetchSettings(min_interval=0, retries=0)) as fetcher:
                return await refetch_due(db, fetcher, NOW, FlagSettings())

        stats = asyncio.run(run())
    assert (stats.due, stats.gone, stats.redirect_home, stats.edited, stats.unchanged) == \
        (4, 1, 1, 1, 1)
    with db.begin() as conn:
        outcomes = dict(conn.execute(select(refetch_results.c.article_id,
                                            refetch_results.c.outcome)).all())
        diff = conn.scalar(select(refetch_results.c.diff).where(
            refetch_results.c.article_id == ids[2]))
        pending = conn.scalar(select(refetch_schedule.c.id).where(
            refetch_schedule.c.done_at.is_(None), refetch_schedule.c.due_at <= NOW))
        signals = dict(conn.execute(select(verification_scores.c.article_id,
                                           verification_scores.c.signals)).all())
        flagged = set(conn.scalars(select(flags.c.article_id)))
    assert [outcomes[i] for i in ids] == ["gone", "redirect_home", "edited", "unchanged"]
    assert {"op": "+", "text": "Không có hộ dân nào phải di dời."} in diff
    assert pending is None  # later steps (+72 h) of the flagged ones stay scheduled
    kinds = {i: {s["kind"] for s in signals[i]} for i in ids}
    assert "takedown" in kinds[ids[0]] and "takedown" in kinds[ids[1]]
    assert "takedown" in kinds[ids[2]] and "takedown" not in kinds[ids[3]]
    edit = next(s for s in signals[ids[2]] if s["kind"] == "takedown")
    assert edit["detail"]["diff"] and "sửa" in edit["reason"]
    assert {ids[0], ids[1]} <= flagged and ids[3] not in flagged

    async def again():  # nothing is due any more: a second call fetches nothing
        async with Fetcher(FetchSettings(min_interval=0)) as fetcher:
            return await refetch_due(db, fetcher, NOW, FlagSettings())
    assert asyncio.run(again()).due == 0
    db.dispose()


def test_a_failed_refetch_is_tried_again_and_gives_up_its_step_only_after_several_tries(
        tmp_path):
    from monitor.flags_refetch import FAILED_TRIES, RETRY_DELAY

    db = open_database(str(tmp_path / "t.db"))
    with TestServer() as server:
        server.route("/busy.html", status=503)
        article_id = store_article(db, server, 1, "/busy.html")

        def run(at):
            async def go():
                async with Fetcher(FetchSettings(min_interval=0, retries=0)) as fetcher:
                    return await refetch_due(db, fetcher, at, FlagSettings())
            return asyncio.run(go())

        def schedule():
            with db.begin() as conn:
                return conn.execute(select(refetch_schedule.c.due_at, refetch_schedule.c.done_at,
                                           refetch_schedule.c.outcome)).one()

        assert run(NOW).failed == 1
        due_at, done_at, _ = schedule()
        assert done_at is None and due_at.replace(tzinfo=UTC) == NOW + RETRY_DELAY
        assert run(NOW + timedelta(minutes=10)).due == 0  # not due again yet
        # the server is back: the next try concludes and closes the step
        server.route("/busy.html", body=page("Sạt lở bờ sông Thương ở xã Mỹ Thái 1", PARAGRAPHS))
        assert run(NOW + RETRY_DELAY).unchanged == 1
        _, done_at, outcome = schedule()
        assert done_at is not None and outcome == "unchanged"

        # a page that keeps failing gives up after FAILED_TRIES tries, with doubling waits
        server.route("/down.html", status=503)
        other = store_article(db, server, 2, "/down.html")
        at, waits = NOW, []
        for _ in range(FAILED_TRIES):
            assert run(at).failed == 1
            with db.begin() as conn:
                row = conn.execute(select(refetch_schedule.c.due_at, refetch_schedule.c.done_at)
                                   .where(refetch_schedule.c.article_id == other)).one()
            if row.done_at is None:
                waits.append(row.due_at.replace(tzinfo=UTC) - at)
                at = row.due_at.replace(tzinfo=UTC)
        assert waits == [RETRY_DELAY * 2 ** i for i in range(FAILED_TRIES - 1)]
        assert row.done_at is not None
    with db.begin() as conn:
        assert conn.scalar(select(refetch_schedule.c.outcome).where(
            refetch_schedule.c.article_id == other)) == "failed"
        tries = conn.execute(select(refetch_results.c.outcome).where(
            refetch_results.c.article_id == article_id)).scalars().all()
    assert tries == ["failed", "unchanged"]
    db.dispose()


def test_refetch_uses_the_outlets_extraction_rules(tmp_path):
    from monitor.models import ExtractionRules

    db = open_database(str(tmp_path / "t.db"))
    comments = tuple(f"Bạn đọc {i} bình luận: cần kiểm tra lại đoạn đê phía hạ lưu sông Thương "
                     f"vì mùa mưa năm nay nước lên rất nhanh và nhiều hộ dân lo lắng." for i in
                     range(6))
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    extra = "".join(f"<p>{c}</p>" for c in comments)
    title = "Sạt lở bờ sông Thương ở xã Mỹ Thái 1"
    html = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<div class='noi-dung'>{body}</div><div class='y-kien'>{extra}</div></article>"
            "</body></html>").encode()
    with TestServer() as server:
        server.route("/a.html", body=html)
        store_article(db, server, 1, "/a.html")
        source = Source(id="tonghop", name="Tin Tổng hợp", homepage=server.url("/"),
                        tier="other", feeds=(Feed(source_id="tonghop", url=server.url("/rss")),),
                        rules=ExtractionRules(title="h1", body="div.noi-dung p"))

        async def go(sources):
            async with Fetcher(FetchSettings(min_interval=0, retries=0)) as fetcher:
                return await refetch_due(db, fetcher, NOW, FlagSettings(), sources=sources)
        stats = asyncio.run(go({"tonghop": source}))
    assert (stats.due, stats.unchanged, stats.edited) == (1, 1, 0)
    db.dispose()
