"""The review UI on the database the real pipeline writes for the sample press day."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from monitor.demo import run_demo
from monitor.web import create_app
from monitor.web.accounts import add_user
from tests.integration.test_web import PASSWORD, login


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, base_port=None)
    from monitor.store import open_database

    db = open_database(str(out / "diembao.db"))
    with db.begin() as conn:
        add_user(conn, "chuyenvien", PASSWORD, "analyst", now=datetime.now(UTC))
    yield create_app(db)
    db.dispose()


def test_pages_render_on_the_pipeline_database(demo_app):
    client, _ = login(demo_app, "chuyenvien")
    for path in ("/", "/articles", "/flags", "/sources", "/audit", "/quality",
                 "/articles?start=2026-11-25&end=2026-11-25&relevance=about"):
        assert client.get(path).status_code == 200, path
    first = re.search(r'href="/articles/(\d+)"', client.get("/articles").text)[1]
    assert client.get(f"/articles/{first}").status_code == 200
    assert client.get(f"/articles/{first}/raw").status_code == 200


def test_the_rumour_is_found_with_and_without_diacritics(demo_app):
    client, _ = login(demo_app, "chuyenvien")
    exact = client.get("/articles", params={"q": "thu phí cầu"}).text
    loose = client.get("/articles", params={"q": "thu phi cau"}).text
    ids = lambda page: set(re.findall(r'href="/articles/(\d+)"', page))  # noqa: E731
    assert ids(exact) and ids(exact) <= ids(loose)
    assert "Tin Tổng hợp 24/7 (mẫu)" in exact  # the rumour's outlet
