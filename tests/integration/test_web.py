"""The review UI over HTTP (the real app, TestClient): pages, search, filters, export, actions."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from monitor.store import open_database
from monitor.store.tables import articles, audit_log, clusters, flags, labels
from monitor.web import create_app
from monitor.web.accounts import add_user
from monitor.web.sample import seed

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "mat-khau-du-dai-1"


def add_article(conn, aid: int, title: str, *, source="mau-bacgiang", sapo="", body=(),
                when=None, relevance="about") -> int:
    when = when or NOW - timedelta(hours=1)
    conn.execute(insert(clusters).values(id=aid, title=title, first_article_id=aid,
                                         first_source_id=source, first_published=when, size=1,
                                         outlets=1, independent_outlets=1, created_at=NOW,
                                         updated_at=NOW))
    conn.execute(insert(articles).values(
        id=aid, canonical_url=f"https://x.example/{aid}", url=f"https://x.example/{aid}",
        source_id=source, title=title, sapo=sapo, body=list(body), published=when,
        published_origin="json-ld", tags=[], images=[], captions=[], first_seen=when,
        fetched_at=when, updated_at=when, content_hash=str(aid), relevance=relevance,
        cluster_id=aid, cluster_relation="new"))
    return aid


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = open_database(str(tmp_path_factory.mktemp("web") / "web.db"))
    seed(database, 120, now=NOW, days=20)
    with database.begin() as conn:
        for name, role in (("xem", "viewer"), ("chuyenvien", "analyst"), ("quantri", "admin")):
            add_user(conn, name, PASSWORD, role, now=NOW)
        add_article(conn, 900001, "<script>alert('x')</script> Tin lạ", sapo="<b>đậm</b>",
                    body=["Đoạn có <img src=x onerror=alert(1)> thẻ."])
        add_article(conn, 900002, "Khánh thành cầu Bắc Giang mới zzqword",
                    body=["Cây cầu nối hai bờ."])
        add_article(conn, 900003, "Bác sĩ giảng dạy zzqword", body=["Chuyện nghề y."])
        add_article(conn, 900004, "=HYPERLINK(\"http://evil\") zzqformula")
        conn.execute(insert(flags).values(
            id=990001, article_id=900001, score=0.97, status="open", created_at=NOW,
            updated_at=NOW, signals=[{"name": "sensational_headline", "weight": 0.5,
                                      "reason": "Tiêu đề giật gân",
                                      "evidence": {"field": "body", "start": 0, "end": 7,
                                                   "text": "Đoạn có"}}]))
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def app(db):
    return create_app(db)


def login(app, username: str, password: str = PASSWORD, *, base_url="http://testserver",
          next_path: str = "/") -> tuple[TestClient, object]:
    client = TestClient(app, base_url=base_url, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token, "next": next_path})
    return client, response


def csrf(client: TestClient, path: str = "/") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)[1]


@pytest.fixture(scope="module")
def analyst(app):
    client, response = login(app, "chuyenvien")
    assert response.status_code == 303
    return client


@pytest.fixture(scope="module")
def viewer(app):
    client, response = login(app, "xem")
    assert response.status_code == 303
    return client


def test_every_page_renders_for_a_viewer(viewer):
    for path in ("/", "/?days=30", "/articles", "/flags", "/flags?status=any", "/sources",
                 "/quality", "/articles/900002"):
        response = viewer.get(path)
        assert response.status_code == 200, path
        assert "Đăng xuất" in response.text


def test_overview_draws_charts_of_the_period(viewer):
    page = viewer.get("/?days=30").text
    assert page.count("<svg") >= 3
    assert "Câu chuyện nổi bật" in page
    bars = re.findall(r'class="bar"><title>([\d.]+)</title>', page)
    assert sum(int(b.replace(".", "")) for b in bars) >= 120


def test_search_with_diacritics_is_exact_and_without_matches_every_spelling(viewer):
    exact = viewer.get("/articles", params={"q": "zzqword bắc"}).text
    assert "Khánh thành cầu Bắc Giang" in exact and "Bác sĩ giảng dạy" not in exact
    loose = viewer.get("/articles", params={"q": "zzqword bac"}).text
    assert "Khánh thành cầu Bắc Giang" in loose and "Bác sĩ giảng dạy" in loose
    phrase = viewer.get("/articles", params={"q": '"cau bac giang"'}).text
    assert "Khánh thành cầu Bắc Giang" in phrase and "Bác sĩ" not in phrase


def test_search_input_with_fts_syntax_never_fails(viewer):
    for q in ('"', "a AND", "NEAR(", "*", "title:x", "(", "-", "'; DROP TABLE articles; --"):
        assert viewer.get("/articles", params={"q": q}).status_code == 200


def test_search_finds_an_article_added_after_the_app_started(db, viewer):
    with db.begin() as conn:
        add_article(conn, 900010, "Lễ hội hoa đào Sơn Động qqnew")
    assert "Lễ hội hoa đào Sơn Động" in viewer.get("/articles", params={"q": "qqnew"}).text


def test_filters_and_pagination(db, viewer):
    with db.begin() as conn:
        n_bg = conn.scalar(select(articles.c.id).where(articles.c.source_id == "mau-trunguong")
                           .with_only_columns(__import__("sqlalchemy").func.count()))
    page = viewer.get("/articles", params={"source": "mau-trunguong"}).text
    assert f"{n_bg} bài" in page
    assert set(re.findall(r"\(([^()]*)\)</span></td>", page)) == {"Trung ương"}
    first = re.findall(r'href="/articles/(\d+)"', viewer.get("/articles").text)
    second = re.findall(r'href="/articles/(\d+)"', viewer.get("/articles?page=2").text)
    assert len(first) == 50 and second and not set(first) & set(second)


def test_topic_filter_follows_the_analysts_correction(db, analyst):
    with db.begin() as conn:
        aid = add_article(conn, 900020, "Bài để sửa chủ đề qqtopic")
        conn.execute(insert(labels).values(article_id=aid, kind="topic", value="y-te",
                                           score=0.8, origin="model", model_version="m1",
                                           created_at=NOW))
    listed = lambda topic: f"/articles/{aid}\"" in analyst.get(  # noqa: E731
        "/articles", params={"q": "qqtopic", "topic": topic}).text
    assert listed("y-te") and not listed("giao-duc")
    token = csrf(analyst, f"/articles/{aid}")
    done = analyst.post(f"/articles/{aid}/labels", data={"kind": "topic", "value": "giao-duc",
                                                         "csrf_token": token})
    assert done.status_code == 303
    assert listed("giao-duc") and not listed("y-te")
    with db.begin() as conn:
        row = conn.execute(select(labels).where(labels.c.article_id == aid,
                                                labels.c.origin == "analyst")).one()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "label.topic",
                                                     audit_log.c.object_id == str(aid))).one()
    assert (row.value, row.created_by) == ("giao-duc", "chuyenvien")
    assert entry.actor == "chuyenvien" and entry.after["values"] == ["giao-duc"]
    assert entry.before[0]["value"] == "y-te" and entry.before[0]["origin"] == "model"


def test_csv_export_has_the_filtered_rows_and_defuses_formulas(viewer):
    response = viewer.get("/articles.csv", params={"q": "zzqword"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "id" and len(rows) == 3
    formula = list(csv.reader(io.StringIO(viewer.get(
        "/articles.csv", params={"q": "zzqformula"}).text.lstrip("\ufeff"))))
    assert formula[1][4].startswith("'=")


def test_article_text_from_the_web_is_escaped_everywhere(viewer):
    for path in ("/articles?q=tin+la", "/articles/900001", "/flags"):
        page = viewer.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;" in page, path


def test_flag_card_highlights_the_evidence_and_lists_signals(viewer):
    page = viewer.get("/flags").text
    assert '<mark class="evidence" title="sensational_headline">Đoạn có</mark>' in page
    assert "Tiêu đề giật gân" in page
    scores = [float(s.replace(",", ".")) for s in re.findall(r'class="score"[^>]*>([\d,]+)<', page)]
    assert scores == sorted(scores, reverse=True) and scores[0] == 0.97


def test_analyst_reviews_a_flag_with_a_note_and_it_is_audited(db, analyst):
    token = csrf(analyst, "/flags")
    response = analyst.post("/flags/990001/status", data={
        "status": "needs-info", "note": "Chờ Sở xác minh", "csrf_token": token},
        headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="flag-990001"' in response.text
    assert "Cần thêm thông tin" in response.text
    with db.begin() as conn:
        flag = conn.execute(select(flags).where(flags.c.id == 990001)).one()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "flag.status")
                             .order_by(audit_log.c.id.desc())).first()
    assert (flag.status, flag.note, flag.reviewer) == ("needs-info", "Chờ Sở xác minh",
                                                       "chuyenvien")
    assert entry.before["status"] == "open" and entry.after["status"] == "needs-info"
    audit_page = analyst.get("/audit").text
    assert "flag.status" in audit_page and "Chờ Sở xác minh" in audit_page


def test_assignment_and_department_response(db, analyst):
    token = csrf(analyst, "/articles/900002")
    refused = analyst.post("/articles/900002/assign", data={
        "department": "Phòng không có", "csrf_token": token})
    assert refused.status_code == 400
    done = analyst.post("/articles/900002/assign", data={
        "department": "Sở Y tế", "note": "Đề nghị trả lời", "csrf_token": token})
    assert done.status_code == 303
    page = analyst.get("/articles/900002").text
    assignment = re.search(r'action="/assignments/(\d+)/response"', page)[1]
    answered = analyst.post(f"/assignments/{assignment}/response", data={
        "response": "Đã kiểm tra, thông tin chính xác", "csrf_token": token})
    assert answered.status_code == 303
    assert "Đã kiểm tra, thông tin chính xác" in analyst.get("/articles/900002").text
    with db.begin() as conn:
        actions = set(conn.scalars(select(audit_log.c.action)
                                   .where(audit_log.c.object_id == "900002")))
    assert {"assignment.create", "assignment.response"} <= actions


def test_quality_page_measures_model_labels_against_corrections(db, analyst):
    with db.begin() as conn:
        aid = add_article(conn, 900030, "Bài đo chất lượng")
        conn.execute(insert(labels).values(article_id=aid, kind="tone", value="negative",
                                           score=0.7, origin="model",
                                           model_version="tone-qq-9", created_at=NOW))
    token = csrf(analyst, f"/articles/{aid}")
    analyst.post(f"/articles/{aid}/labels", data={"kind": "tone", "value": "positive",
                                                  "csrf_token": token})
    page = analyst.get("/quality").text
    row = re.search(r"<td>tone</td><td>tone-qq-9</td><td class=\"num\">(\d+)</td>"
                    r"<td class=\"num\">(\d+)%</td>", page)
    assert row and row[1] == "1" and row[2] == "0"


def test_raw_page_is_plain_text_in_a_sandbox(db, viewer):
    with db.begin() as conn:
        aid = conn.scalar(select(articles.c.id).where(articles.c.raw_html_gz.is_not(None)))
    response = viewer.get(f"/articles/{aid}/raw")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert viewer.get("/articles/900002/raw").status_code == 404


def test_sources_page_shows_health(viewer):
    page = viewer.get("/sources").text
    assert "HTTP 503" in page and "đang chờ thử lại" in page
    assert page.count('<tr class="warn">') >= 1
