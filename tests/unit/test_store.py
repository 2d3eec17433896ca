"""The store: schema creation, clear errors on foreign files, idempotent upserts, locks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from monitor.errors import NotADatabaseError, SchemaTooNewError
from monitor.models import Article, Feed, FeedItem, Mention, Relevance, Source
from monitor.store import open_database, repo
from monitor.store.db import current_revision, head_revision
from monitor.store.tables import articles, feed_items, feeds, mentions

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture()
def db(tmp_path):
    database = open_database(str(tmp_path / "t.db"))
    yield database
    database.dispose()


def _source(url="http://127.0.0.1:9/rss") -> Source:
    return Source(id="s1", name="Nguồn 1", homepage="http://127.0.0.1:9/", tier="national",
                  feeds=(Feed(source_id="s1", url=url),))


def _article(title="Tiêu đề", body=("Đoạn một.", "Đoạn hai.")) -> Article:
    return Article(url="http://127.0.0.1:9/a.html?utm_source=x",
                   canonical_url="http://127.0.0.1:9/a.html", source_id="s1", title=title,
                   sapo="Sapo.", body=body, published=NOW, published_origin="page")


def test_new_file_is_migrated_to_head(db):
    assert current_revision(db) == head_revision()
    with db.begin() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert {"articles", "feeds", "fetches", "flags", "labels", "audit_log"} <= names


def test_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is a text file, not a database\n")
    with pytest.raises(NotADatabaseError, match="notes.db: not an SQLite database"):
        open_database(str(path))
    assert path.read_text() == "this is a text file, not a database\n"


def test_schema_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "t.db"
    open_database(str(path)).dispose()
    db = open_database(str(path), migrate=False)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999_future')"))
    db.dispose()
    with pytest.raises(SchemaTooNewError, match="9999_future"):
        open_database(str(path))


def test_reopening_keeps_rows(tmp_path):
    path = tmp_path / "t.db"
    db = open_database(str(path))
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
    db.dispose()
    db = open_database(str(path))
    with db.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(feeds)) == 1
    db.dispose()


def test_sync_sources_is_idempotent_and_disables_removed_feeds(db):
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        repo.sync_sources(conn, [_source()], now=NOW)
        assert conn.scalar(select(func.count()).select_from(feeds)) == 1
        repo.sync_sources(conn, [_source("http://127.0.0.1:9/other")], now=NOW)
        rows = {r.url: r.enabled for r in conn.execute(select(feeds.c.url, feeds.c.enabled))}
    assert rows == {"http://127.0.0.1:9/rss": False, "http://127.0.0.1:9/other": True}


def test_feed_items_are_added_once(db):
    items = [FeedItem(url="http://127.0.0.1:9/a.html", title="A"),
             FeedItem(url="http://127.0.0.1:9/b.html", title="B")]
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        feed_id = repo.feed_rows(conn)["http://127.0.0.1:9/rss"].id
        assert repo.add_feed_items(conn, feed_id=feed_id, source_id="s1", items=items,
                                   now=NOW) == 2
        assert repo.add_feed_items(conn, feed_id=feed_id, source_id="s1", items=items,
                                   now=NOW + timedelta(hours=1)) == 0
        assert conn.scalar(select(func.count()).select_from(feed_items)) == 2
        claimed = repo.claim_items(conn, now=NOW)
        assert [p.url for p in claimed] == [i.url for i in items]
        # an overlapping run finds nothing to do while the claim is fresh
        assert repo.claim_items(conn, now=NOW + timedelta(minutes=5)) == []
        repo.mark_fetched(conn, items[0].url, article_id=None)
        # the claim of a run that died goes stale after an hour
        later = NOW + timedelta(hours=2)
        assert [p.url for p in repo.claim_items(conn, now=later)] == [items[1].url]


def test_failed_items_back_off_and_are_given_up(db):
    url = "http://127.0.0.1:9/x.html"
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        feed_id = repo.feed_rows(conn)["http://127.0.0.1:9/rss"].id
        repo.add_feed_items(conn, feed_id=feed_id, source_id="s1", items=[FeedItem(url=url)],
                            now=NOW)
        now, statuses = NOW, []
        for _ in range(repo.MAX_ITEM_ATTEMPTS):
            assert [p.url for p in repo.claim_items(conn, now=now)] == [url]
            statuses.append(repo.mark_failed(conn, url, kind="temporary", error="HTTP 500",
                                             now=now))
            assert repo.claim_items(conn, now=now + timedelta(minutes=9)) == []
            now += timedelta(days=1)
        assert statuses == ["failed"] * (repo.MAX_ITEM_ATTEMPTS - 1) + ["gone"]
        assert repo.claim_items(conn, now=now) == []


def test_a_hard_failure_gives_the_item_up_at_once(db):
    url = "http://127.0.0.1:9/gone.html"
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        feed_id = repo.feed_rows(conn)["http://127.0.0.1:9/rss"].id
        repo.add_feed_items(conn, feed_id=feed_id, source_id="s1", items=[FeedItem(url=url)],
                            now=NOW)
        repo.claim_items(conn, now=NOW)
        assert repo.mark_failed(conn, url, kind="hard", error="HTTP 404", now=NOW) == "gone"
        assert repo.claim_items(conn, now=NOW + timedelta(days=30)) == []


def test_articles_upsert_by_canonical_url(db):
    rel = Relevance("about", 0.9, (Mention("Lục Ngạn", "district", "old", "title", 0, 8),))
    html = "<html><body>Trang gốc ✓</body></html>".encode()
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        first = repo.save_article(conn, _article(), first_seen=NOW, now=NOW, raw_html=html,
                                  content_type="text/html", relevance=rel)
        again = repo.save_article(conn, _article(), first_seen=NOW, now=NOW, raw_html=html,
                                  content_type="text/html", relevance=rel)
        edited = repo.save_article(conn, _article(body=("Đoạn đã sửa.",)), first_seen=NOW,
                                   now=NOW, raw_html=html, content_type="text/html",
                                   relevance=rel)
        assert conn.scalar(select(func.count()).select_from(articles)) == 1
        assert conn.scalar(select(func.count()).select_from(mentions)) == 1
        assert conn.scalar(select(articles.c.body)) == ["Đoạn đã sửa."]
        assert repo.raw_html(conn, first[0]) == html
    assert (first[1], again[1], edited[1]) == ("new", "unchanged", "updated")
    assert first[0] == again[0] == edited[0]


def test_naive_datetimes_are_refused(db):
    with db.begin() as conn:
        with pytest.raises(Exception, match="naive datetime"):
            repo.sync_sources(conn, [_source()], now=datetime(2026, 1, 1))


def test_times_come_back_aware_utc(db):
    with db.begin() as conn:
        repo.sync_sources(conn, [_source()], now=NOW)
        repo.save_article(conn, _article(), first_seen=NOW, now=NOW, raw_html=None,
                          content_type=None, relevance=None)
        row = conn.execute(select(articles.c.published, articles.c.first_seen)).one()
    assert row.published == NOW and row.published.tzinfo is not None


def test_an_update_never_moves_an_article_to_another_source(db):
    other = Source(id="s2", name="Nguồn 2", homepage="http://127.0.0.2/", tier="other",
                   feeds=(Feed(source_id="s2", url="http://127.0.0.2/rss"),))
    with db.begin() as conn:
        repo.sync_sources(conn, [_source(), other], now=NOW)
        first = repo.save_article(conn, _article(), first_seen=NOW, now=NOW, raw_html=None,
                                  content_type=None, relevance=None)
        copy = replace(_article(body=("Bản sao khác.",)), source_id="s2")
        second = repo.save_article(conn, copy, first_seen=NOW, now=NOW, raw_html=None,
                                   content_type=None, relevance=None)
        row = conn.execute(select(articles.c.source_id, articles.c.body)).one()
    assert second == (first[0], "unchanged")
    assert tuple(row) == ("s1", ["Đoạn một.", "Đoạn hai."])


def test_lock_refuses_a_second_holder_until_stale(db):
    stale = timedelta(seconds=120)
    with db.begin() as conn:
        assert repo.acquire_lock(conn, "scheduler", "a:1", now=NOW, stale_after=stale) is None
        assert repo.acquire_lock(conn, "scheduler", "b:2", now=NOW + timedelta(seconds=60),
                                 stale_after=stale) == "a:1"
        assert repo.acquire_lock(conn, "scheduler", "b:2", now=NOW + timedelta(seconds=200),
                                 stale_after=stale) is None
        # the first holder learns at its next heartbeat that the lock is no longer its own
        assert repo.heartbeat_lock(conn, "scheduler", "a:1", now=NOW) is False
        assert repo.heartbeat_lock(conn, "scheduler", "b:2", now=NOW) is True
        repo.release_lock(conn, "scheduler", "b:2")
        assert repo.acquire_lock(conn, "scheduler", "c:3", now=NOW, stale_after=stale) is None


def test_upgrade_from_the_first_schema_keeps_rows(tmp_path):
    from alembic import command

    from monitor.store.db import Database, _alembic_config, _create_engine

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    old = Database(_create_engine(url, "sqlite"), url)
    cfg = _alembic_config(old)
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    stamp = "'2026-11-25 00:00:00'"
    with old.begin() as conn:  # rows as the first schema's code wrote them
        conn.execute(text("INSERT INTO sources (id, name, homepage, tier, enabled, updated_at) "
                          f"VALUES ('s1', 'Nguồn', 'http://x/', 'other', 1, {stamp})"))
        conn.execute(text(
            "INSERT INTO articles (canonical_url, url, source_id, title, sapo, body, tags, images,"
            " captions, first_seen, fetched_at, updated_at, content_hash) VALUES ('http://x/a', "
            f"'http://x/a', 's1', 'Tiêu đề', '', '[]', '[]', '[]', '[]', {stamp}, {stamp}, "
            f"{stamp}, 'h')"))
        conn.execute(text("INSERT INTO clusters (id, title, created_at, updated_at) "
                          "VALUES (1, 'Câu chuyện', '2026-11-25 00:00:00', '2026-11-25 00:00:00')"))
    old.dispose()
    db = open_database(str(path))
    assert current_revision(db) == head_revision() != "0001"
    with db.begin() as conn:
        assert conn.scalar(select(articles.c.title)) == "Tiêu đề"
        assert conn.execute(text("SELECT size, independent_outlets FROM clusters")).one() == (1, 1)
    db.dispose()


def test_a_database_at_the_three_feature_heads_upgrades_to_the_merge(tmp_path) -> None:
    from alembic import command

    from monitor.store.db import Database, _alembic_config, _create_engine

    path = tmp_path / "branches.db"
    url = f"sqlite:///{path}"
    old = Database(_create_engine(url, "sqlite"), url)
    cfg = _alembic_config(old)
    with old.engine.begin() as conn:  # what session-1 installs left: three heads
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_flags")
        command.upgrade(cfg, "0003_reports")
        command.upgrade(cfg, "0003_web")
    assert current_revision(old) == "0003_flags,0003_reports,0003_web"
    with old.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, name, homepage, tier, enabled, updated_at) "
                          "VALUES ('s1', 'Nguồn', 'http://x/', 'other', 1, "
                          "'2026-11-25 00:00:00')"))
    old.dispose()
    db = open_database(str(path))
    assert head_revision() == current_revision(db) == "0004"
    with db.begin() as conn:
        assert conn.scalar(text("SELECT name FROM sources")) == "Nguồn"
    db.dispose()
