"""Reports from a real database: report section and monthly brief (DOCX read back), exports,
the daily digest's sections, scheduled jobs."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from docx import Document
from sqlalchemy import func, select

from monitor.cli import Context
from monitor.cli_reports import export, report
from monitor.reports_job import (
    build_daily,
    export_articles,
    monthly_brief,
    monthly_brief_job,
    report_section,
)
from monitor.settings import Settings
from monitor.store import open_database
from monitor.store.tables import articles, clusters, feeds, flags, labels, sources
from reports.docx_base import W_NS, read_footnotes

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCES = [("tw", "Báo Trung ương", "central"), ("qg", "Báo Toàn quốc", "national"),
           ("bg", "Báo Bắc Giang", "provincial"), ("ptth", "Đài PT-TH", "provincial"),
           ("th", "Tin Tổng hợp", "other")]
TOPICS = ["y-te", "giao-duc", "chuyen-doi-so", "an-ninh-trat-tu"]
TONES = ["positive", "neutral", "negative"]
SIGNAL_SHAPES = [
    [{"name": "rebutted", "reason": "Trùng nội dung đã bị bác bỏ", "evidence": "tin-sai"}],
    {"low_tier": {"reason": "Một nguồn, cấp thấp"}},
    ["Tiêu đề giật gân"],
]


@dataclass
class Seeded:
    """What the seed put in, for the tests' own expectations."""

    articles: list[dict] = field(default_factory=list)
    topics: dict[int, list[str]] = field(default_factory=dict)  # effective (analyst wins)
    tones: dict[int, str] = field(default_factory=dict)
    flags: list[dict] = field(default_factory=list)


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def seed(db, first: date, last: date, *, seed_value: int = 7, per_day: tuple[int, int] = (1, 4),
         labelled: bool = True, flagged: bool = True) -> Seeded:
    rng, out, now = random.Random(seed_value), Seeded(), datetime(2026, 11, 26, tzinfo=UTC)
    with db.begin() as conn:
        for sid, name, tier in SOURCES:
            if conn.scalar(select(sources.c.id).where(sources.c.id == sid)) is None:
                conn.execute(sources.insert().values(id=sid, name=name, homepage=f"https://{sid}.vn/",
                                                     tier=tier, enabled=True, updated_at=now))
        next_id = (conn.scalar(select(func.max(articles.c.id))) or 0) + 1
        day = first
        while day <= last:
            for sid, _, _ in SOURCES:
                for k in range(rng.randint(*per_day)):
                    _article(conn, rng, out, next_id, sid, day, k, now, labelled, flagged)
                    next_id += 1
            day += timedelta(days=1)
    return out


def _article(conn, rng, out: Seeded, aid: int, sid: str, day: date, k: int, now: datetime,
             labelled: bool, flagged: bool) -> None:
    relevance = rng.choice(["about", "about", "mention", "none"])
    when = _utc(day, 6 + 3 * k, rng.randint(0, 59))
    undated = rng.random() < 0.1
    joins = out.articles and rng.random() < 0.3
    cluster = out.articles[-1]["cluster_id"] if joins else aid
    if not joins:
        conn.execute(clusters.insert().values(
            id=aid, title=f"Sự kiện {aid}", first_article_id=aid, first_source_id=sid,
            first_published=when, size=1, outlets=1, independent_outlets=1, created_at=now,
            updated_at=now))
    else:
        conn.execute(clusters.update().where(clusters.c.id == cluster).values(
            size=clusters.c.size + 1, independent_outlets=clusters.c.independent_outlets + 1))
    title = f"=Tin {aid} về Lục Ngạn" if aid % 17 == 0 else f"Tin {aid} về Lục Ngạn"
    row = {"id": aid, "canonical_url": f"https://{sid}.vn/{aid}", "url": f"https://{sid}.vn/{aid}",
           "source_id": sid, "title": title, "sapo": "Sapo", "body": ["Đoạn một."], "tags": [],
           "images": [], "captions": [], "published": None if undated else when,
           "published_origin": "first_seen" if undated else "json-ld",
           "first_seen": when, "fetched_at": now, "updated_at": now, "content_hash": str(aid),
           "relevance": relevance, "cluster_id": cluster,
           "cluster_relation": "story" if joins else "new"}
    conn.execute(articles.insert().values(**row))
    out.articles.append(row)
    if labelled:
        _labels(conn, rng, out, aid, now)
    if flagged and rng.random() < 0.15:
        status = rng.choice(["open", "needs-info", "confirmed", "dismissed"])
        conn.execute(flags.insert().values(
            article_id=aid, cluster_id=cluster, score=round(rng.random(), 2),
            signals=rng.choice(SIGNAL_SHAPES), status=status, reviewer="bt" if status in (
                "confirmed", "dismissed") else None, note="Đã báo cáo lãnh đạo" if status ==
            "confirmed" else None, created_at=when, updated_at=now))
        out.flags.append({"article_id": aid, "status": status, "created_at": when})


def _labels(conn, rng, out: Seeded, aid: int, now: datetime) -> None:
    model = rng.sample(TOPICS, rng.randint(1, 2))
    for t in model:
        conn.execute(labels.insert().values(article_id=aid, kind="topic", value=t, score=0.7,
                                            origin="model", created_at=now))
    out.topics[aid] = model
    if rng.random() < 0.2:  # an analyst corrected it: only the analyst's topic counts
        fixed = rng.choice(TOPICS)
        conn.execute(labels.insert().values(article_id=aid, kind="topic", value=fixed,
                                            origin="analyst", created_by="bt", created_at=now))
        out.topics[aid] = [fixed]
    tone = rng.choice(TONES)
    conn.execute(labels.insert().values(article_id=aid, kind="tone", value=tone, score=0.6,
                                        origin="model", created_at=now))
    out.tones[aid] = tone


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    """Seeded once per module; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("seed") / "r.db"
    db = open_database(str(path))
    data = seed(db, date(2026, 10, 1), date(2026, 11, 25))
    with db.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, data


@pytest.fixture()
def seeded(seeded_file, tmp_path):
    path, data = seeded_file
    copy = tmp_path / "r.db"
    shutil.copyfile(path, copy)
    db = open_database(str(copy))
    yield db, data
    db.dispose()


def _in(data: Seeded, first: date, last: date) -> list[dict]:
    out = []
    for a in data.articles:
        when = (a["published"] or a["first_seen"]).astimezone(TZ).date()
        if first <= when <= last and a["relevance"] in ("about", "mention"):
            out.append(a)
    return out


def _tier(sid: str) -> str:
    return next(t for s, _, t in SOURCES if s == sid)


TIER_VI = {"central": "Trung ương", "national": "Toàn quốc", "provincial": "Địa phương",
           "other": "Khác"}


def test_report_section_figures_equal_the_database(seeded, tmp_path):
    db, data = seeded
    first, last = date(2026, 11, 1), date(2026, 11, 25)
    out = report_section(db, first, last, tmp_path / "s.docx", area="Bắc Giang",
                         settings=Settings())
    raw = out.read_bytes()
    doc = Document(io.BytesIO(raw))
    text = "\n".join(p.text for p in doc.paragraphs)
    notes = read_footnotes(raw)
    rows = _in(data, first, last)
    with db.begin() as conn:  # the database's own count, straight SQL
        when = func.coalesce(articles.c.published, articles.c.first_seen)
        start = _utc(first, 0)
        end = _utc(last + timedelta(days=1), 0)
        sql_total = conn.scalar(select(func.count()).where(
            when >= start, when < end, articles.c.relevance.in_(["about", "mention"])))
    assert sql_total == len(rows) > 50
    about = sum(a["relevance"] == "about" for a in rows)
    outlets = len({a["source_id"] for a in rows})
    assert (f"tổng hợp được {len(rows)} tin, bài liên quan đến Bắc Giang trên {outlets} cơ quan "
            f"báo chí; trong đó {about} tin, bài phản ánh trực tiếp về địa bàn, "
            f"{len(rows) - about} tin, bài có nhắc đến") in text
    # footnote 1: per tier; the table: per tier and the total
    table = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert table[0] == ["Loại hình", "Số cơ quan", "Tổng số tin, bài", "Phản ánh trực tiếp",
                        "Có nhắc đến", "Tiêu cực"]
    for tier, label in TIER_VI.items():
        members = [a for a in rows if _tier(a["source_id"]) == tier]
        expect = [label, str(len({a["source_id"] for a in members})), str(len(members)),
                  str(sum(a["relevance"] == "about" for a in members)),
                  str(sum(a["relevance"] == "mention" for a in members)),
                  str(sum(data.tones[a["id"]] == "negative" for a in members))]
        assert expect in table
        assert f"{label}: {len(members)} tin, bài ({expect[1]} cơ quan)" in notes[1]
    assert table[-1][:3] == ["Tổng cộng", str(outlets), str(len(rows))]
    # footnote 2: topics (the analyst's correction replaces the model's topics)
    counts = {t: sum(t in data.topics[a["id"]] for a in rows) for t in TOPICS}
    for name, count in re.findall(r"([^:;]+): (\d+) tin, bài", notes[2].split(": ", 1)[1]):
        topic = {"Y tế": "y-te", "Giáo dục": "giao-duc", "Chuyển đổi số": "chuyen-doi-so",
                 "An ninh, trật tự": "an-ninh-trat-tu"}[name.strip()]
        assert int(count) == counts[topic]
    # paragraph and footnote 3: tone
    for tone, word in (("positive", "tích cực"), ("neutral", "trung lập"),
                       ("negative", "tiêu cực")):
        count = sum(data.tones[a["id"]] == tone for a in rows)
        assert f"{count} tin, bài {word}" in text
    assert f"Đã phân loại sắc thái {len(rows)}/{len(rows)} tin, bài" in notes[3]
    # paragraph and footnote 4: flags created in the period, by status
    made = [f for f in data.flags if first <= f["created_at"].astimezone(TZ).date() <= last]
    by = {s: sum(f["status"] == s for f in made) for s in
          ("open", "needs-info", "confirmed", "dismissed")}
    assert made and f"Đã phát hiện {len(made)} tin, bài có dấu hiệu cần xác minh" in text
    assert (f"đã xử lý {by['confirmed'] + by['dismissed']} tin, bài (xác nhận {by['confirmed']}"
            f", loại trừ {by['dismissed']}), đang tiếp tục xác minh "
            f"{by['open'] + by['needs-info']} tin, bài") in text
    assert (f"chờ xử lý: {by['open']}; cần thêm thông tin: {by['needs-info']}; "
            f"đã xác nhận: {by['confirmed']}; đã loại trừ: {by['dismissed']}") in notes[4]


def test_report_section_is_in_decree_30_format_with_real_footnotes(seeded, tmp_path):
    db, _ = seeded
    out = report_section(db, date(2026, 11, 1), date(2026, 11, 25), tmp_path / "s.docx",
                         area="Bắc Giang", settings=Settings())
    doc = Document(str(out))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
    assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    refs = [int(i) for i in re.findall(r'<w:footnoteReference w:id="(\d+)"', body)]
    assert refs == sorted(read_footnotes(out.read_bytes())) == [1, 2, 3, 4]
    assert "relationships/footnotes" in rels and "footnotes+xml" in types
    assert W_NS in body


def test_the_section_without_labels_or_flags_says_so(tmp_path):
    db = open_database(str(tmp_path / "n.db"))
    seed(db, date(2026, 11, 1), date(2026, 11, 3), labelled=False, flagged=False)
    out = report_section(db, date(2026, 11, 1), date(2026, 11, 3), tmp_path / "s.docx",
                         area="Bắc Giang", settings=Settings())
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "chưa có số liệu phân loại tin, bài theo chủ đề" in text
    assert "không phát hiện tin, bài có dấu hiệu cần xác minh" in text
    assert "sắc thái" not in text.lower()
    db.dispose()


def test_monthly_brief_compares_with_the_previous_month_and_has_charts(seeded, tmp_path):
    db, data = seeded
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Vietnamese glyph would warn
        paths = monthly_brief(db, "2026-11", tmp_path, area="Bắc Giang", settings=Settings(),
                              now=datetime(2026, 12, 1, tzinfo=UTC))
    docx_path, html_path = paths
    doc = Document(str(docx_path))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    nov = _in(data, date(2026, 11, 1), date(2026, 11, 30))
    octo = _in(data, date(2026, 10, 1), date(2026, 10, 31))
    tiers = tables[0]
    assert tiers[0] == ["Loại hình", "Tháng 11/2026", "Tháng 10/2026", "Thay đổi"]
    central = [a for a in nov if _tier(a["source_id"]) == "central"]
    central_before = [a for a in octo if _tier(a["source_id"]) == "central"]
    assert ["Trung ương", str(len(central)), str(len(central_before))] == tiers[1][:3]
    topics = tables[1]
    health = next(r for r in topics if r[0] == "Y tế")
    assert health[1:3] == [str(sum("y-te" in data.topics[a["id"]] for a in nov)),
                           str(sum("y-te" in data.topics[a["id"]] for a in octo))]
    pictures = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(pictures) == 2
    html = html_path.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2 and "Tháng 11/2026" in html
    assert "Chủ đề ưu tiên ít được phản ánh" in html


def test_monthly_job_builds_last_month_once(seeded, tmp_path):
    db, _ = seeded
    first = monthly_brief_job(db, settings=Settings(), now=datetime(2026, 12, 1, 1, tzinfo=UTC),
                              out_dir=tmp_path, area="Bắc Giang")
    assert [p.name for p in first] == ["ban-tin-thang-2026-11.docx", "ban-tin-thang-2026-11.html"]
    again = monthly_brief_job(db, settings=Settings(), now=datetime(2026, 12, 2, tzinfo=UTC),
                              out_dir=tmp_path, area="Bắc Giang")
    assert again == []


def test_export_csv_and_xlsx_hold_every_article_with_labels_clusters_flags(seeded, tmp_path):
    db, data = seeded
    first, last = date(2026, 11, 20), date(2026, 11, 25)
    count = export_articles(db, first, last, tmp_path / "a.csv", fmt="csv", settings=Settings())
    rows = _in(data, first, last)
    assert count == len(rows)
    read = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text("utf-8-sig"))))
    assert sorted(int(r["Mã tin"]) for r in read) == sorted(a["id"] for a in rows)
    flagged = {f["article_id"] for f in data.flags}
    for r in read:
        aid = int(r["Mã tin"])
        assert r["Sắc thái"] == data.tones[aid]
        assert bool(r["Trạng thái xác minh"]) == (aid in flagged)
        assert r["Mã sự kiện"] and r["Sự kiện"].startswith("Sự kiện")
        if r["Tiêu đề"].startswith("'"):
            assert r["Tiêu đề"].startswith("'=")
    result = CliRunner().invoke(export, ["--from", "2026-11-20", "--to", "2026-11-25",
                                         "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")],
                                obj=Context(Settings(database_url=db.url), False))
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "a.xlsx").active.max_row == len(rows) + 1


def test_daily_digest_sections_come_from_the_store(seeded):
    db, data = seeded
    day = date(2026, 11, 25)
    now = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    with db.begin() as conn:
        conn.execute(feeds.insert().values(
            source_id="th", url="https://th.vn/rss", kind="rss", interval=900, enabled=True,
            status="backoff", failure_score=3.0, consecutive_failures=2,
            last_error="HTTP 503", sitemap_index=False))
        # the outlet's recent articles were seen two days ago: it has been silent since
        # (their day stays: undated ones keep their time as ``published``)
        recent = (articles.c.source_id == "ptth") & (
            articles.c.first_seen >= _utc(day, 0) - timedelta(hours=12))
        conn.execute(articles.update().where(recent, articles.c.published.is_(None))
                     .values(published=articles.c.first_seen))
        conn.execute(articles.update().where(recent)
                     .values(first_seen=_utc(day, 0) - timedelta(days=2)))
        digest = build_daily(conn, day, area="Bắc Giang", settings=Settings(), now=now)
    today = _in(data, day, day)
    before = _in(data, day - timedelta(days=1), day - timedelta(days=1))
    window = _in(data, day - timedelta(days=14), day - timedelta(days=1))
    total = digest.figures[0]
    assert (total.today, total.previous) == (len(today), len(before))
    assert total.average == pytest.approx(len(window) / 14)
    negative = {a["id"] for a in today if data.tones[a["id"]] == "negative"}
    assert {i.article_id for i in digest.negative} == negative
    pending = [f for f in data.flags if f["status"] in ("open", "needs-info")]
    assert len(digest.flags) == len(pending) and all(f.reasons for f in digest.flags)
    assert [s.name for s in digest.failing] == ["Tin Tổng hợp"]
    assert "Đài PT-TH" in [s.name for s in digest.silent]
    assert digest.stories and digest.stories == tuple(sorted(
        digest.stories, key=lambda s: -s.independent_outlets))
    assert {t.topic for t in digest.topics} <= set(TOPICS) | {""}


def test_report_cli_refuses_a_reversed_range(tmp_path):
    result = CliRunner().invoke(report, ["section", "--from", "2026-11-25", "--to", "2026-11-01",
                                         "--out", str(tmp_path / "x.docx")],
                                obj=Context(Settings(database_url=str(tmp_path / "x.db")), False))
    assert result.exit_code == 2 and "--to" in result.output
    assert not Path(tmp_path / "x.docx").exists()


def _paths(group, prefix=()):
    import click

    yield (*prefix, group.name)
    if isinstance(group, click.Group):
        for cmd in group.commands.values():
            yield from _paths(cmd, (*prefix, group.name))


def test_every_reports_command_has_help():
    import click

    from monitor.cli_reports import COMMANDS, register

    main = click.Group("diembao")
    register(main)
    paths = [p for c in COMMANDS for p in _paths(c)]
    assert ("digest", "daily") in paths and ("alerts", "check") in paths
    for path in paths:
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "Usage: diembao " + " ".join(path) in result.output


def test_digest_of_an_empty_database(tmp_path):
    from monitor.cli_reports import digest

    result = CliRunner().invoke(digest, ["daily", "--date", "2026-11-25", "--out",
                                         str(tmp_path / "out")],
                                obj=Context(Settings(database_url=str(tmp_path / "e.db")), False))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "diem-bao-2026-11-25.txt").read_text(encoding="utf-8")
    assert "Tổng số: 0 tin, bài" in text and "Không có tin, bài nào về địa bàn" in text


def test_sending_without_mail_settings_names_the_setting(tmp_path):
    from monitor.cli_reports import digest

    result = CliRunner().invoke(digest, ["daily", "--date", "2026-11-25", "--out",
                                         str(tmp_path), "--send"],
                                obj=Context(Settings(database_url=str(tmp_path / "e.db")), False))
    assert result.exit_code == 2 and "mail.host" in result.output
