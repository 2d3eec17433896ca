"""Review UI speed: every page with 100,000 generated articles in SQLite (median and p95, ms).

    python bench/ui.py [--articles 100000] [--db PATH] [--runs 20]

Seeds a database of generated articles (monitor/web/sample.py: invented text, not news) with
sources, feeds, story clusters, model labels and flags, indexes it for search, then requests each
page through the real app in this process (routing, queries, templates; no network) and prints
the median and 95th percentile per page against the 300 ms budget. Baselines in the same process:
the newest-articles query read the direct way (whole rows ordered by time) and a search by LIKE
over title, sapo and body instead of the FTS5 index. A database given with --db is reused when
it already holds the articles.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Text, func, or_, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.store import open_database  # noqa: E402
from monitor.store.tables import articles, flags, users  # noqa: E402
from monitor.web import create_app, queries, search  # noqa: E402
from monitor.web.accounts import add_user  # noqa: E402
from monitor.web.filters import article_time  # noqa: E402
from monitor.web.sample import seed  # noqa: E402

BUDGET_MS = 300.0
PASSWORD = "mat-khau-bench-123"


def prepare(path: Path, n: int) -> object:
    db = open_database(str(path))
    with db.begin() as conn:
        have = conn.scalar(select(func.count()).select_from(articles))
    if have < n:
        started = time.perf_counter()
        seed(db, n - have, now=datetime.now(UTC), days=365)
        print(f"seeded {n - have:,} articles in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    indexed = search.index_all(db)
    if indexed:
        print(f"indexed {indexed:,} articles for search in {time.perf_counter() - started:.1f} s")
    with db.begin() as conn:
        if conn.scalar(select(users.c.id).where(users.c.username == "bench")) is None:
            add_user(conn, "bench", PASSWORD, "analyst", now=datetime.now(UTC))
    return db


def client_for(db) -> TestClient:
    client = TestClient(create_app(db), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
    done = client.post("/login", data={"username": "bench", "password": PASSWORD,
                                       "csrf_token": token})
    assert done.status_code == 303, done.text[:500]
    return client


def pages(db) -> list[tuple[str, str]]:
    with db.begin() as conn:
        article = conn.scalar(select(flags.c.article_id).order_by(flags.c.score.desc()).limit(1))
    return [
        ("overview (7 days)", "/"),
        ("overview (90 days)", "/?days=90"),
        ("articles", "/articles"),
        ("articles page 100", "/articles?page=100"),
        ("search, no diacritics", "/articles?q=bac+giang"),
        ("search, diacritics", "/articles?q=B%E1%BA%AFc+Giang"),
        ("search + topic + period", "/articles?q=ti%C3%AAm+ch%E1%BB%A7ng&topic=y-te"
                                    "&start=2026-01-01&end=2026-12-31"),
        ("filters tier+tone+relevance", "/articles?tier=central&tone=negative&relevance=about"),
        ("articles with open flag", "/articles?flag=open"),
        ("flag queue", "/flags"),
        ("article detail", f"/articles/{article}"),
        ("sources", "/sources"),
        ("audit log", "/audit"),
        ("model quality", "/quality"),
        ("CSV export (search)", "/articles.csv?q=xuat+khau+vai+thieu&tier=central"),
    ]


def timed(fn, runs: int) -> list[float]:
    fn()  # warm caches, as a working server has them
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def query_pairs(db, runs: int) -> list[tuple[str, list[float]]]:
    """The two hot queries, ours against the direct way, without rendering."""
    zone = "Asia/Ho_Chi_Minh"

    def ours_list():
        with db.begin() as conn:
            ids = queries.article_ids(conn, [], limit=50)
            queries.article_rows(conn, ids, zone)

    def direct_list():
        with db.begin() as conn:
            conn.execute(select(articles).order_by(article_time().desc()).limit(50)).all()

    def ours_search():
        with db.begin() as conn:
            queries.article_ids(conn, [search.match_condition(conn, "Bắc Giang")], limit=50)

    def like_search():
        with db.begin() as conn:
            pattern = "%Bắc Giang%"
            conn.execute(select(articles.c.id).where(or_(
                articles.c.title.like(pattern), articles.c.sapo.like(pattern),
                func.cast(articles.c.body, Text).like(pattern)))
                .order_by(article_time().desc()).limit(50)).all()

    n = max(3, runs // 4)
    return [("query: newest 50, covering index", timed(ours_list, n)),
            ("  baseline: whole rows by time", timed(direct_list, n)),
            ("query: search 'Bắc Giang', FTS5", timed(ours_search, n)),
            ("  baseline: LIKE title/sapo/body", timed(like_search, n))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="database file to seed or reuse")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="diembao-ui-")) / "ui.db"
    db = prepare(path, args.articles)
    client = client_for(db)
    with db.begin() as conn:
        total = conn.scalar(select(func.count()).select_from(articles))
    print(f"database: {path} ({total:,} articles, {path.stat().st_size / 1e6:.0f} MB)")
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>10}  status")
    worst = 0.0
    for name, url in pages(db):
        status = client.get(url).status_code
        times = timed(lambda u=url: client.get(u), args.runs)
        worst = max(worst, p95(times))
        print(f"{name:34} {statistics.median(times):10.1f} {p95(times):10.1f}  {status}")
    for name, times in query_pairs(db, args.runs):
        print(f"{name:34} {statistics.median(times):10.1f} {p95(times):10.1f}")
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"slowest page p95 {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    db.dispose()
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
