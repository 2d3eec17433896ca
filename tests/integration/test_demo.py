"""`diembao demo`: the real pipeline against the sample archive; a second run adds nothing."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from monitor.cli import main
from monitor.demosite import load_demo_articles
from tests.support.ports import free_port_range

COUNTED = ("articles", "feed_items", "mentions", "sources", "feeds")


def _counts(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def _line(output: str) -> dict[str, int]:
    line = next(li for li in output.splitlines() if li.startswith("demo: "))
    return {k: int(v) for k, v in (p.split("=") for p in line.split()[1:])}


def test_demo_twice(tmp_path):
    out = tmp_path / "out"
    port = free_port_range(8)
    expected = sum(len(a) for a in load_demo_articles().values())
    first = CliRunner().invoke(main, ["demo", "--out", str(out), "--port", str(port)])
    assert first.exit_code == 0, first.output
    stats = _line(first.output)
    assert stats["new"] == expected >= 100
    assert stats["failed"] == 1  # the sample 404 feed, recorded while the run goes on
    assert expected * 0.4 <= stats["relevant"] <= expected * 0.9
    db = out / "diembao.db"
    counts = _counts(db)
    assert counts["articles"] == expected
    with sqlite3.connect(db) as conn:
        failed = conn.execute("SELECT source_id, reason FROM fetches WHERE outcome = 'failed' "
                              "AND kind = 'feed'").fetchall()
        origins = dict(conn.execute("SELECT published_origin, count(*) FROM articles GROUP BY 1"))
        raw = conn.execute("SELECT count(*) FROM articles WHERE raw_html_gz IS NULL").fetchone()
    assert failed == [("demo-quocgia", "HTTP 404")]
    assert origins.get("page", 0) >= expected * 0.9
    assert raw[0] == 0
    html = (out / "diem-bao-2026-11-25.html").read_text(encoding="utf-8")
    assert "Điểm báo ngày 25/11/2026" in html and "Báo Bắc Giang (mẫu)" in html

    second = CliRunner().invoke(main, ["demo", "--out", str(out), "--port", str(port)])
    assert second.exit_code == 0, second.output
    again = _line(second.output)
    assert again["new"] == 0 and again["fetched"] == 0
    assert again["unchanged"] == stats["feeds"] - 1
    assert _counts(db) == counts
    for label in ("database", "digest (HTML)", "digest (text)"):
        assert f"{label}: " in second.output
