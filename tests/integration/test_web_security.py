"""The review UI's safety over HTTP: sessions, roles, CSRF, rate limits, redirects, headers, CLI."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from monitor.cli import Context
from monitor.cli_web import users
from monitor.settings import Settings
from monitor.store import open_database
from monitor.store.tables import articles, audit_log, flags
from monitor.store.tables import users as users_table
from monitor.web import create_app
from monitor.web.accounts import add_user
from monitor.web.sample import seed
from tests.integration.test_web import PASSWORD, csrf, login

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A seeded database with two users, built once and copied for each test."""
    path = tmp_path_factory.mktemp("sec") / "template.db"
    database = open_database(str(path))
    seed(database, 40, now=NOW, days=5)
    with database.begin() as conn:
        add_user(conn, "xem", PASSWORD, "viewer", now=NOW)
        add_user(conn, "chuyenvien", PASSWORD, "analyst", now=NOW)
    database.dispose()
    return path


@pytest.fixture()
def db(template, tmp_path):
    shutil.copyfile(template, tmp_path / "sec.db")
    database = open_database(str(tmp_path / "sec.db"))
    yield database
    database.dispose()


@pytest.fixture()
def app(db):
    return create_app(db)


def a_flag(db) -> int:
    with db.begin() as conn:
        article_id = conn.scalar(select(articles.c.id).limit(1))
        return conn.execute(insert(flags).values(
            article_id=article_id, score=0.5, signals=[], status="open", created_at=NOW,
            updated_at=NOW)).inserted_primary_key[0]


def test_every_page_needs_a_session(app):
    client = TestClient(app, follow_redirects=False)
    for path in ("/", "/articles", "/articles.csv", "/flags", "/sources", "/audit",
                 "/articles/1", "/articles/1/raw", "/quality"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path
    assert client.post("/flags/1/status", data={"status": "confirmed"}).status_code == 401


def test_wrong_password_and_disabled_user_are_refused(app, db):
    _, wrong = login(app, "chuyenvien", "not-the-password")
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    _, unknown = login(app, "khongco", PASSWORD)
    assert unknown.status_code == 401
    runner = CliRunner()
    obj = Context(replace(Settings(), database_url=db.url), strict=False)
    result = runner.invoke(users, ["disable", "chuyenvien"], obj=obj)
    assert result.exit_code == 0, result.output
    _, disabled = login(app, "chuyenvien")
    assert disabled.status_code == 401


def test_logins_are_rate_limited(app):
    for _ in range(5):
        login(app, "xem", "sai-mat-khau-roi")
    _, blocked = login(app, "xem")  # the right password, too late
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.text
    _, other = login(app, "chuyenvien")
    assert other.status_code == 303


def test_login_form_needs_its_csrf_token(app):
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    response = client.post("/login", data={"username": "xem", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example"])
def test_no_open_redirect_after_login(app, target):
    _, response = login(app, "xem", next_path=target)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_a_local_next_path_is_kept(app):
    _, response = login(app, "xem", next_path="/flags?status=open")
    assert response.headers["location"] == "/flags?status=open"


def test_session_cookie_flags_follow_the_scheme(app):
    _, plain = login(app, "xem")
    cookie = plain.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    _, tls = login(app, "chuyenvien", base_url="https://testserver")
    assert "Secure" in tls.headers["set-cookie"] and "HttpOnly" in tls.headers["set-cookie"]


def test_security_headers_on_pages(app):
    client, _ = login(app, "xem")
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def test_a_viewer_cannot_act(app, db):
    client, _ = login(app, "xem")
    flag_id = a_flag(db)
    page = client.get("/flags").text
    assert 'action="/flags/' not in page  # no decision forms shown
    token = csrf(client)
    response = client.post(f"/flags/{flag_id}/status", data={"status": "dismissed",
                                                             "csrf_token": token})
    assert response.status_code == 403
    assert client.get("/audit").status_code == 403
    with db.begin() as conn:
        assert conn.scalar(select(flags.c.status).where(flags.c.id == flag_id)) == "open"


def test_forged_forms_are_refused(app, db):
    client, _ = login(app, "chuyenvien")
    flag_id = a_flag(db)
    for data, headers in (({"status": "dismissed"}, {}),
                          ({"status": "dismissed", "csrf_token": "forged"}, {}),
                          ({"status": "dismissed"}, {"X-CSRF-Token": "forged"}),
                          ({"status": "dismissed", "csrf_token": csrf(client)},
                           {"Origin": "https://evil.example"})):
        response = client.post(f"/flags/{flag_id}/status", data=data, headers=headers)
        assert response.status_code == 403, (data, headers)
    ok = client.post(f"/flags/{flag_id}/status", data={"status": "dismissed"},
                     headers={"X-CSRF-Token": csrf(client)})
    assert ok.status_code == 303
    with db.begin() as conn:
        assert conn.scalar(select(flags.c.status).where(flags.c.id == flag_id)) == "dismissed"


def test_logout_ends_the_session(app, db):
    client, _ = login(app, "chuyenvien")
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 303
    assert client.get("/").status_code == 303
    with db.begin() as conn:
        actions = list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id)))
    assert actions[-2:] == ["session.login", "session.logout"]


def test_users_cli_add_passwd_disable(db):
    runner = CliRunner()
    obj = Context(replace(Settings(), database_url=db.url), strict=False)
    added = runner.invoke(users, ["add", "moi", "--role", "analyst", "--password",
                                  "mot-mat-khau-dai"], obj=obj)
    assert added.exit_code == 0, added.output
    assert runner.invoke(users, ["add", "moi", "--password", "mot-mat-khau-dai"],
                         obj=obj).exit_code == 1
    assert runner.invoke(users, ["add", "ngan", "--password", "ngan"], obj=obj).exit_code == 1
    changed = runner.invoke(users, ["passwd", "moi"], obj=obj,
                            input="mat-khau-moi-123\nmat-khau-moi-123\n")
    assert changed.exit_code == 0, changed.output
    assert runner.invoke(users, ["disable", "moi"], obj=obj).exit_code == 0
    with db.begin() as conn:
        row = conn.execute(select(users_table).where(users_table.c.username == "moi")).one()
    assert row.disabled and row.role == "analyst" and row.password_hash.startswith("$argon2")
    listed = runner.invoke(users, ["list"], obj=obj)
    assert "moi\tanalyst\tdisabled" in listed.output
