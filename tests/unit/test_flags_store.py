"""Flags in the store: rebuttals import, compute_flags, budget, workflow with audit, retraining,
the story view and the CLI commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import main
from monitor.cli_flags import flags_group, rebuttals_group
from monitor.errors import ConfigError
from monitor.flags import FlagSettings, compute_flags
from monitor.flags_rebuttals import read_rebuttals, save_rebuttals
from monitor.flags_store import FlagError, retrain, set_status, story_view
from monitor.models import Article, Feed, Relevance, Source
from monitor.store import open_database, repo
from monitor.store.tables import audit_log, flags, users
from monitor.store.tables_flags import refetch_schedule, verification_scores

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
SOURCES = [
    Source(id="tonghop", name="Tin Tổng hợp", homepage="http://127.0.0.1:9/", tier="other",
           feeds=(Feed(source_id="tonghop", url="http://127.0.0.1:9/rss"),)),
    Source(id="baotinh", name="Báo Tỉnh", homepage="http://127.0.0.1:8/", tier="provincial",
           feeds=(Feed(source_id="baotinh", url="http://127.0.0.1:8/rss"),)),
]
RUMOUR = ("Sốc: từ 1/12 qua cầu sông Thương cũng phải mất phí?",
          "Cư dân mạng lan truyền tin kể từ 1/12 mọi cây cầu qua sông Thương đều bị tính phí, "
          "xe máy 10k mỗi lượt. Chưa rõ nguồn tin.")
DENIAL = ("Sở Xây dựng bác bỏ thông tin thu phí các cầu qua sông Thương",
          "Sở Xây dựng khẳng định thông tin thu phí các cầu qua sông Thương là thông tin sai sự "
          "thật.")
PLAIN = ("Tỉnh khởi công đường nối hai khu công nghiệp",
         "Sáng 25/11, UBND tỉnh khởi công tuyến đường dài 5 km, theo Sở Xây dựng.")
REBUTTALS_YAML = """rebuttals:
  - claim: "Từ ngày 1/12, tỉnh sẽ thu phí tất cả các cầu qua sông Thương,
      xe máy 10.000 đồng mỗi lượt."
    date: 2026-11-25
    issued_by: "Sở Xây dựng tỉnh Bắc Ninh"
    source_url: "https://soxaydung.example/bac-bo"
"""


@pytest.fixture()
def db(tmp_path):
    database = open_database(str(tmp_path / "t.db"))
    with database.begin() as conn:
        repo.sync_sources(conn, SOURCES, now=NOW)
    yield database
    database.dispose()


def store(db, n: int, source: str, text: tuple[str, str], *, hours_ago: float,
          cluster: int | None = None) -> int:
    published = NOW - timedelta(hours=hours_ago)
    article = Article(url=f"http://127.0.0.1:9/a{n}.html", canonical_url=f"http://127.0.0.1:9/a{n}",
                      source_id=source, title=text[0], sapo=text[1],
                      body=("Đoạn nội dung thêm của bài.",), published=published,
                      published_origin="page")
    with db.begin() as conn:
        article_id, _ = repo.save_article(conn, article, first_seen=published, now=published,
                                          raw_html=None, content_type=None,
                                          relevance=Relevance("about", 1.0))
        cluster_id = cluster or article_id
        repo.save_cluster(conn, cluster_id=cluster_id, title=text[0], first_article_id=cluster_id,
                          first_source_id=source, first_published=published, size=1, outlets=1,
                          independent_outlets=1, now=published)
        repo.save_cluster_assignment(conn, article_id, cluster_id=cluster_id,
                                     relation="new" if cluster is None else "story",
                                     related_to=None, dedup_key=article.canonical_url)
    return article_id


def test_read_rebuttals_csv_and_yaml(tmp_path):
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("claim,date,issuing body,source URL\n"
                        "\"Từ 1/12 thu phí tất cả các cầu qua sông Thương\",25/11/2026,"
                        "Sở Xây dựng,https://x.example/1\n", encoding="utf-8")
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_text(REBUTTALS_YAML, encoding="utf-8")
    [from_csv], [from_yaml] = read_rebuttals(csv_file), read_rebuttals(yaml_file)
    assert from_csv.claim_date.isoformat() == "2026-11-25" == from_yaml.claim_date.isoformat()
    assert from_csv.issued_by == "Sở Xây dựng"


@pytest.mark.parametrize(("row", "where"), [
    ("\"Thu phí cầu sông Thương\",2026-13-01,Sở,https://x.example", "row 2: date"),
    ("\"Thu phí cầu sông Thương\",2026-11-01,Sở,ftp://x", "row 2: source_url"),
    ("\"Thu phí\",2026-11-01,Sở,https://x.example", "row 2: claim"),
    ("\"Thu phí cầu sông Thương\",2026-11-01,,https://x.example", "row 2: issued_by"),
])
def test_rebuttal_errors_name_file_row_and_field(tmp_path, row, where):
    path = tmp_path / "bad.csv"
    path.write_text("claim,date,issued_by,source_url\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_rebuttals(path)
    assert str(path) in str(err.value) and where in str(err.value)


def test_import_twice_updates_and_adds_nothing(db, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(REBUTTALS_YAML, encoding="utf-8")
    with db.begin() as conn:
        first = save_rebuttals(conn, read_rebuttals(path), source=str(path), now=NOW)
        again = save_rebuttals(conn, read_rebuttals(path), source=str(path), now=NOW)
    assert (first.added, again.added, again.updated) == (1, 0, 1)


def test_compute_flags_raises_the_rumour_not_the_denial_nor_plain_news(db, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(REBUTTALS_YAML, encoding="utf-8")
    with db.begin() as conn:
        save_rebuttals(conn, read_rebuttals(path), source=str(path), now=NOW)
    rumour = store(db, 1, "tonghop", RUMOUR, hours_ago=10)
    denial = store(db, 2, "baotinh", DENIAL, hours_ago=5, cluster=rumour)
    plain = store(db, 3, "baotinh", PLAIN, hours_ago=5)
    assert compute_flags(db, [rumour, denial, plain], NOW, FlagSettings()) == 1
    with db.begin() as conn:
        flagged = conn.execute(select(flags)).mappings().one()
        scored = dict(conn.execute(select(verification_scores.c.article_id,
                                          verification_scores.c.score)).all())
        audit = conn.execute(select(audit_log)).mappings().one()
        steps = dict(conn.execute(select(refetch_schedule.c.step, refetch_schedule.c.due_at)
                                  .where(refetch_schedule.c.article_id == rumour)).all())
    assert flagged["article_id"] == rumour and flagged["status"] == "open"
    kinds = {s["kind"] for s in flagged["signals"]}
    assert {"rebuttal_match", "official_denial", "sensational"} <= kinds
    assert scored[rumour] > 0.9 and scored[denial] < 0.5 and scored[plain] < 0.5
    assert audit["action"] == "flag.raise" and audit["actor"] == "system"
    assert set(steps) == {"2h", "24h", "72h"} and steps["2h"] == NOW  # +2 h is overdue: now
    # computing again refreshes the flag and raises nothing new
    assert compute_flags(db, [rumour], NOW, FlagSettings()) == 0


def test_the_budget_keeps_the_queue_to_capacity(db):
    ids = [store(db, i, "tonghop", (f"Sốc: tin đồn số {i} khiến cư dân mạng hoang mang",
                                    f"Nghe nói hàng nghìn người bị ảnh hưởng. Cư dân mạng cho "
                                    f"rằng {i} trạm đã đóng cửa."), hours_ago=8 + i)
           for i in range(12)]
    raised = compute_flags(db, ids, NOW, FlagSettings(daily_budget=3, min_score=0.0))
    assert 1 <= raised <= 3 * 2  # at most the budget over the ~1.5 days the scores span


def test_status_changes_are_audited_and_checked(db):
    rumour = store(db, 1, "tonghop", RUMOUR, hours_ago=10)
    compute_flags(db, [rumour], NOW, FlagSettings(min_score=0.0))
    with db.begin() as conn:
        flag_id = conn.scalar(select(flags.c.id))
        set_status(conn, flag_id, "confirmed", by="lan", note="Đã đối chiếu với Sở", now=NOW)
        row = conn.execute(select(flags).where(flags.c.id == flag_id)).mappings().one()
        change = conn.execute(select(audit_log).where(audit_log.c.action == "flag.status")
                              ).mappings().one()
    assert (row["status"], row["reviewer"], row["note"]) == ("confirmed", "lan",
                                                              "Đã đối chiếu với Sở")
    assert change["before"]["status"] == "open" and change["after"]["status"] == "confirmed"
    assert change["actor"] == "lan" and change["note"] == "Đã đối chiếu với Sở"
    with db.begin() as conn:
        conn.execute(users.insert().values(username="viewer1", password_hash="x", role="viewer",
                                           disabled=False, created_at=NOW))
        with pytest.raises(FlagError):
            set_status(conn, flag_id, "dismissed", by="viewer1", note=None, now=NOW)
        with pytest.raises(ConfigError):
            set_status(conn, flag_id, "closed", by="lan", note=None, now=NOW)


def test_retrain_learns_from_decisions(db):
    ids = [store(db, i, "tonghop" if i % 2 else "baotinh",
                 RUMOUR if i % 2 else PLAIN, hours_ago=10 + i) for i in range(24)]
    compute_flags(db, ids, NOW, FlagSettings(min_score=0.0, daily_budget=100))
    with db.begin() as conn:
        with pytest.raises(FlagError):
            retrain(conn, now=NOW)
        for flag_id, article_id in conn.execute(select(flags.c.id, flags.c.article_id)).all():
            status = "confirmed" if article_id % 2 == 0 else "dismissed"
            set_status(conn, flag_id, status, by="lan", note=None, now=NOW)
        result = retrain(conn, now=NOW, by="lan")
    assert result.n_samples == 24 and result.positives == 12
    assert result.version.startswith("flags-2026")
    rescored = compute_flags(db, ids, NOW + timedelta(minutes=1), FlagSettings())
    assert rescored == 0
    with db.begin() as conn:
        versions = set(conn.scalars(select(verification_scores.c.model_version)))
    assert versions == {result.version}


def test_story_view_shows_origin_outlets_and_flags(db):
    rumour = store(db, 1, "tonghop", RUMOUR, hours_ago=10)
    store(db, 2, "baotinh", DENIAL, hours_ago=5, cluster=rumour)
    compute_flags(db, [rumour], NOW, FlagSettings())
    with db.begin() as conn:
        view = story_view(conn, rumour)
    assert view["origin"]["source_id"] == "tonghop"
    assert [a["source_id"] for a in view["articles"]] == ["tonghop", "baotinh"]
    assert [f["id"] for f in view["flags"]] == [rumour]


def test_cli_commands(db, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(REBUTTALS_YAML, encoding="utf-8")
    main.add_command(flags_group)
    main.add_command(rebuttals_group)
    runner = CliRunner()
    base = ["--db", db.url]
    out = runner.invoke(main, [*base, "rebuttals", "import", str(path)])
    assert out.exit_code == 0 and "1 added" in out.output, out.output
    rumour = store(db, 1, "tonghop", RUMOUR, hours_ago=10)
    compute_flags(db, [rumour], NOW, FlagSettings())
    listed = runner.invoke(main, [*base, "flags", "list", "--status", "open"])
    assert listed.exit_code == 0 and "1 flags" in listed.output
    flag_id = listed.output.splitlines()[1].split()[0]
    explained = runner.invoke(main, [*base, "flags", "explain", flag_id])
    assert explained.exit_code == 0 and "rebuttal_match" in explained.output
    assert "Sở Xây dựng tỉnh Bắc Ninh" in explained.output and "(sapo " in explained.output
    changed = runner.invoke(main, [*base, "flags", "set", flag_id, "needs-info", "--by", "lan",
                                   "--note", "Chờ Sở trả lời"])
    assert changed.exit_code == 0
    assert "needs-info" in runner.invoke(main, [*base, "flags", "list"]).output
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"title": RUMOUR[0], "text": RUMOUR[1]}, {"title": PLAIN[0], "text": PLAIN[1]}])
    scored = runner.invoke(main, [*base, "flags", "score"], input=lines + "\nnot json\n")
    rows = [json.loads(li) for li in scored.output.splitlines()]
    assert rows[0]["score"] > rows[1]["score"] and "error" in rows[2]
    assert rows[0]["signals"][0]["kind"] == "rebuttal_match"
    bad = runner.invoke(main, [*base, "rebuttals", "import", str(tmp_path / "missing.csv")])
    assert bad.exit_code == 2 and "missing.csv" in bad.output
    story = runner.invoke(main, [*base, "flags", "story", str(rumour)])
    assert story.exit_code == 0 and "Tin Tổng hợp" in story.output


def test_cli_group_objects_exist():
    assert {"list", "explain", "score", "set", "retrain", "story", "refetch"} <= set(
        flags_group.commands)
    assert {"import", "list"} <= set(rebuttals_group.commands)
