"""Daily digest building and rendering (pure): figures, stories, topics, tone, flags, sources."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reports.digest import DayStats, DigestContext, build_daily_digest
from reports.export import COLUMNS, export_rows, to_csv, to_xlsx
from reports.parts import signal_reasons
from reports.render import render_daily_html, render_daily_text, vn_number

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 25)


def _row(i: int, source: str, tier: str, relevance: str = "about", hour: int = 8,
         cluster: int | None = None) -> dict:
    return {"id": i, "source_id": source, "source_name": f"Báo {source}", "tier": tier,
            "relevance": relevance, "title": f"Tin số {i}", "canonical_url": f"https://x.vn/{i}",
            "sapo": "", "published": datetime(2026, 11, 25, hour, 0, tzinfo=TZ).astimezone(UTC),
            "first_seen": datetime(2026, 11, 25, 12, tzinfo=UTC), "published_origin": "json-ld",
            "cluster_id": cluster if cluster is not None else i}


ROWS = [_row(1, "a", "provincial", hour=7), _row(2, "b", "central", "mention", hour=9),
        _row(3, "c", "other", hour=10), _row(4, "a", "provincial", hour=11)]


def test_figures_compare_with_the_previous_day_and_the_14_day_average():
    history = {DAY - timedelta(days=n): DayStats(total=n, about=1, mention=0, outlets=2,
                                                  negative=0) for n in range(1, 15)}
    ctx = DigestContext(history=history, tones={1: "negative", 3: "negative", 2: "positive"},
                        has_tone_labels=True)
    d = build_daily_digest(DAY, ROWS, area="Bắc Giang", tz=TZ, context=ctx)
    figures = {f.label: f for f in d.figures}
    total = figures["Tin, bài liên quan địa bàn"]
    assert (total.today, total.previous, total.change) == (4, 1, 3)
    assert total.average == pytest.approx(sum(range(1, 15)) / 14)
    assert figures["Tin, bài có sắc thái tiêu cực"].today == 2
    assert [i.title for i in d.negative] == ["Tin số 1", "Tin số 3"]


def test_without_labels_the_topic_and_tone_sections_are_left_out():
    d = build_daily_digest(DAY, ROWS, area="Bắc Giang", tz=TZ, context=DigestContext())
    html, text = render_daily_html(d), render_daily_text(d)
    assert "Theo chủ đề" not in html and "sắc thái tiêu cực" not in html
    assert "TIN, BÀI CẦN XÁC MINH (0)" in text and "hoạt động bình thường" in text
    assert all(f.average is None for f in d.figures)


def test_stories_rank_by_independent_outlets_then_tier():
    clusters = [
        {"id": 1, "title": "A", "independent_outlets": 2, "best_tier": "provincial", "size": 2,
         "first_source_name": "Báo a", "first_published": None},
        {"id": 2, "title": "B", "independent_outlets": 3, "best_tier": "other", "size": 3,
         "first_source_name": "Báo c", "first_published": None},
        {"id": 3, "title": "C", "independent_outlets": 2, "best_tier": "central", "size": 2,
         "first_source_name": "Báo b",
         "first_published": datetime(2026, 11, 25, 1, 5, tzinfo=UTC)},
    ]
    d = build_daily_digest(DAY, ROWS, area="X", tz=TZ, context=DigestContext(clusters=clusters))
    assert [s.title for s in d.stories] == ["B", "C", "A"]
    assert d.stories[1].first_time == "25/11 08:05"  # shown in Vietnam time
    assert "đăng đầu tiên: Báo b lúc 25/11 08:05" in render_daily_text(d)


def test_topic_groups_count_each_topic_and_the_unlabelled():
    ctx = DigestContext(topics={1: ["y-te"], 2: ["y-te", "giao-duc"], 3: ["giao-duc"]},
                        topic_names={"y-te": "Y tế", "giao-duc": "Giáo dục"},
                        has_topic_labels=True)
    d = build_daily_digest(DAY, ROWS, area="X", tz=TZ, context=ctx)
    assert [(t.name, t.count) for t in d.topics] == [
        ("Giáo dục", 2), ("Y tế", 2), ("Chưa phân loại chủ đề", 1)]
    assert "Y tế" in render_daily_html(d)


@pytest.mark.parametrize("signals, expected", [
    ([{"name": "low_tier_single_source", "reason": "Chỉ một nguồn cấp thấp",
       "evidence": "demo-tonghop"}], ("Chỉ một nguồn cấp thấp: demo-tonghop",)),
    ('[{"name": "denied", "evidence": ["Báo A bác bỏ", "Báo B bác bỏ"]}]',
     ("denied: Báo A bác bỏ; Báo B bác bỏ",)),
    ({"sensational": {"reason": "Tiêu đề giật gân"}, "unattributed": "Không nguồn"},
     ("Tiêu đề giật gân", "Không nguồn")),
    (["plain text"], ("plain text",)),
    (None, ()),
    ("not json", ("not json",)),
])
def test_flag_reasons_are_read_whatever_shape_the_signals_have(signals, expected):
    assert signal_reasons(signals) == expected


def test_flags_and_source_health_are_shown_with_their_reasons():
    flags = [{"id": 7, "title": "Sốc: thu phí cầu?", "url": "https://x.vn/7",
              "source_name": "Tin Tổng hợp", "score": 0.82, "status": "open",
              "signals": [{"name": "rebutted", "reason": "Đã có tin bác bỏ chính thức"}],
              "created_at": datetime(2026, 11, 25, 3, tzinfo=UTC)}]
    silent = [{"kind": "silent", "source_id": "q", "name": "Báo Q", "tier": "national",
               "last": datetime(2026, 11, 23, 1, tzinfo=UTC), "usual_per_day": 4.5}]
    failing = [{"kind": "failing", "source_id": "r", "name": "Báo R", "tier": "other",
                "url": "https://r.vn/rss", "status": "backoff", "failures": 3,
                "error": "HTTP 503", "last": None}]
    d = build_daily_digest(DAY, ROWS, area="X", tz=TZ, context=DigestContext(
        flags=flags, silent=silent, failing=failing))
    text = render_daily_text(d)
    assert "Đã có tin bác bỏ chính thức" in text and "điểm 0,8" in text
    assert "Báo Q: không có tin, bài mới từ 23/11/2026 08:00" in text and "4,5 tin" in text
    assert "lỗi 3 lần liên tiếp (HTTP 503)" in text


def test_html_is_escaped_and_styles_are_inline():
    rows = [dict(_row(1, "a", "provincial"), title="<script>alert(1)</script> & Co")]
    html = render_daily_html(build_daily_digest(DAY, rows, area="X", tz=TZ))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<style" not in html and "<link" not in html  # mail clients drop both


def test_vietnamese_number_style():
    assert [vn_number(v) for v in (0, 1234567, 2.5, 1234.56, None)] == [
        "0", "1.234.567", "2,5", "1.234,6", "–"]


def test_exports_escape_formulas_and_keep_vietnamese():
    rows = [dict(_row(1, "a", "provincial"), title="=HYPERLINK(\"x\")", author=None,
                 section=None, cluster_relation="new")]
    table = export_rows(rows, tz=TZ, places={1: ["Lục Ngạn", "Lục Ngạn"]},
                        topics={1: ["y-te"]}, topic_names={"y-te": "Y tế"},
                        tones={1: "negative"}, clusters={1: {"title": "Sự kiện"}},
                        flags={1: {"score": 0.5, "status": "open", "signals": ["x"]}})
    data = to_csv(table)
    assert data.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read[0] == [label for _, label in COLUMNS]
    record = dict(zip(read[0], read[1], strict=True))
    assert record["Tiêu đề"].startswith("'=")
    assert record["Địa danh"] == "Lục Ngạn" and record["Chủ đề"] == "Y tế"
    assert record["Thời gian đăng"] == "2026-11-25 08:00"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet.max_row == 2 and sheet.cell(2, 7).value.startswith("'=")
