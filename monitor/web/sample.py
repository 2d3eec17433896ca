"""Generated sample data for the review UI's tests and benchmark (invented articles, not news)."""

from __future__ import annotations

import gzip
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from monitor.store.tables import articles, clusters, feeds, flags, labels, sources
from monitor.web.config import topics

SOURCES = (
    ("mau-bacgiang", "Báo Mẫu Bắc Giang", "provincial", "bac-giang"),
    ("mau-trunguong", "Báo Mẫu Trung ương", "central", None),
    ("mau-quocgia", "Báo Mẫu Quốc gia", "national", None),
    ("mau-kinhte", "Tạp chí Mẫu Kinh tế", "sector", None),
    ("mau-phapluat", "Báo Mẫu Pháp luật", "national", None),
    ("mau-ptth", "Đài Mẫu PT-TH", "provincial", "bac-giang"),
    ("mau-congthuong", "Báo Mẫu Công thương", "sector", None),
    ("mau-tonghop", "Trang Mẫu Tổng hợp", "other", None),
)
PLACES = ("Bắc Giang", "Lục Nam", "Yên Thế", "Việt Yên", "Hiệp Hòa", "Lạng Giang", "Tân Yên",
          "Sơn Động", "Lục Ngạn", "Yên Dũng", "Bắc Ninh", "Hà Nội", "Đồng Nai", "Thái Nguyên")
SUBJECTS = ("khởi công dự án giao thông", "đón nhà đầu tư mới", "tổ chức lễ hội truyền thống",
            "đẩy mạnh chuyển đổi số", "hỗ trợ hộ nghèo đón Tết", "kiểm tra an toàn thực phẩm",
            "xử lý vi phạm đất đai", "tuyển sinh đào tạo nghề", "khắc phục sạt lở sau mưa lớn",
            "tiêm chủng cho trẻ em", "giải quyết thủ tục hành chính trực tuyến",
            "mở rộng khu công nghiệp", "bắt giữ nhóm lừa đảo qua mạng", "xuất khẩu vải thiều",
            "phát triển du lịch cộng đồng", "cải tạo đường điện nông thôn")
SENTENCES = ("Theo báo cáo của Ủy ban nhân dân, kết quả năm nay tăng so với cùng kỳ.",
             "Người dân địa phương phấn khởi trước những thay đổi tích cực.",
             "Lãnh đạo sở đề nghị các đơn vị khẩn trương hoàn thành kế hoạch.",
             "Đến nay đã có hàng trăm hồ sơ được giải quyết đúng hạn.",
             "Cơ quan chức năng đang xác minh, làm rõ thông tin phản ánh.",
             "Nhiều doanh nghiệp bày tỏ mong muốn hợp tác lâu dài với tỉnh.",
             "Một số ý kiến cho rằng cần tăng cường công tác kiểm tra, giám sát.",
             "Chương trình thu hút đông đảo du khách trong và ngoài tỉnh tham gia.",
             "Thông tin lan truyền trên mạng xã hội là không đúng sự thật.",
             "Tổng vốn đầu tư dự kiến khoảng 1.200 tỷ đồng, hoàn thành trong hai năm.")
TONES = ("positive", "neutral", "negative")
STATUSES = ("open", "open", "open", "confirmed", "dismissed", "needs-info")


@dataclass(frozen=True)
class Seeded:
    articles: int
    flags: int
    first_id: int


def seed(db, n: int, *, now: datetime, days: int = 365, rng_seed: int = 7,
         batch: int = 5000) -> Seeded:
    """Insert ``n`` generated articles over the last ``days`` days, with sources, feeds,
    story clusters, model labels (a few corrected by an analyst) and flags."""
    rng = random.Random(rng_seed)
    with db.begin() as conn:
        _sources(conn, now)
        start = (conn.scalar(select(articles.c.id).order_by(articles.c.id.desc()).limit(1))
                 or 0) + 1
    made_flags = 0
    for offset in range(0, n, batch):
        rows = [_article(rng, start + i, now, days) for i in range(offset, min(n, offset + batch))]
        with db.begin() as conn:
            made_flags += _write(conn, rng, rows, now)
    return Seeded(n, made_flags, start)


def _sources(conn, now: datetime) -> None:
    have = set(conn.scalars(select(sources.c.id)))
    for i, (sid, name, tier, province) in enumerate(SOURCES):
        if sid in have:
            continue
        conn.execute(insert(sources).values(id=sid, name=name, homepage=f"https://{sid}.example/",
                                            tier=tier, province=province, enabled=True,
                                            updated_at=now))
        failing = i % 4 == 3
        conn.execute(insert(feeds).values(
            source_id=sid, url=f"https://{sid}.example/rss.xml", kind="rss", interval=900,
            enabled=True, status="backoff" if failing else "active", failure_score=0.0,
            consecutive_failures=2 if failing else 0,
            last_success=now - timedelta(hours=30 if failing else 1),
            last_error="HTTP 503" if failing else None, sitemap_index=False))


def _article(rng: random.Random, aid: int, now: datetime, days: int) -> dict:
    sid = SOURCES[rng.randrange(len(SOURCES))][0]
    place = rng.choice(PLACES)
    title = f"{place}: {rng.choice(SUBJECTS)} ({aid})"
    when = now - timedelta(seconds=rng.uniform(0, days * 86400))
    body = [" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(3, 6))]
    sapo = f"Ngày {when.day}/{when.month}, tại {place}, {rng.choice(SENTENCES).lower()}"
    has_time = rng.random() > 0.03
    html = f"<html><body><h1>{title}</h1><p>{sapo}</p></body></html>".encode()
    return {
        "id": aid, "canonical_url": f"https://{sid}.example/bai-{aid}.html",
        "url": f"https://{sid}.example/bai-{aid}.html", "source_id": sid, "title": title,
        "sapo": sapo, "body": body, "author": rng.choice(["Minh Anh", "Thu Hà", None]),
        "published": when if has_time else None,
        "published_origin": "json-ld" if has_time else "first_seen",
        "modified": None, "section": rng.choice(["Thời sự", "Kinh tế", "Xã hội", None]),
        "tags": [], "images": [], "captions": [], "first_seen": when + timedelta(minutes=5),
        "fetched_at": when + timedelta(minutes=5), "updated_at": when + timedelta(minutes=5),
        "content_hash": hashlib.sha256(title.encode()).hexdigest(),
        "raw_html_gz": gzip.compress(html), "content_type": "text/html; charset=utf-8",
        "relevance": rng.choice(["about", "about", "mention", "none", "none"]),
        "relevance_score": round(rng.random(), 3), "cluster_id": aid,
        "provenance": {"title": "json-ld", "sapo": "generic", "body": "generic"},
        "dedup_key": f"{sid}/bai-{aid}", "cluster_relation": "new", "related_article_id": None,
    }


def _write(conn, rng: random.Random, rows: list[dict], now: datetime) -> int:
    founder_of: dict[int, int] = {}
    for i, row in enumerate(rows):  # about a third join the story of the article just before
        if i and rng.random() < 0.3:
            prev = rows[i - 1]["id"]
            founder_of[row["id"]] = founder_of.get(prev, prev)
        row["cluster_id"] = founder_of.get(row["id"], row["id"])
        row["cluster_relation"] = "story" if row["id"] in founder_of else "new"
    conn.execute(insert(clusters), _clusters(rows, now))
    conn.execute(insert(articles), rows)
    conn.execute(insert(labels), _labels(rng, rows, now))
    found = _flags(rng, rows, now)
    if found:
        conn.execute(insert(flags), found)
    return len(found)


def _clusters(rows: list[dict], now: datetime) -> list[dict]:
    members: dict[int, list[dict]] = {}
    for r in rows:
        members.setdefault(r["cluster_id"], []).append(r)
    out = []
    for cid, group in members.items():
        first = group[0]
        outlets = len({r["source_id"] for r in group})
        out.append({"id": cid, "title": first["title"], "first_article_id": cid,
                    "first_source_id": first["source_id"],
                    "first_published": first["published"] or first["first_seen"],
                    "size": len(group), "outlets": outlets, "independent_outlets": outlets,
                    "created_at": now, "updated_at": now})
    return out


def _labels(rng: random.Random, rows: list[dict], now: datetime) -> list[dict]:
    ids = [t for t in topics() if t != "khac"]
    out = []
    for r in rows:
        for topic in rng.sample(ids, rng.randint(1, 2)):
            out.append({"article_id": r["id"], "kind": "topic", "value": topic,
                        "score": round(rng.uniform(0.4, 0.99), 3), "origin": "model",
                        "model_version": "topic-sample-1", "created_by": None, "created_at": now})
        tone = rng.choice(TONES)
        out.append({"article_id": r["id"], "kind": "tone", "value": tone,
                    "score": round(rng.uniform(0.4, 0.99), 3), "origin": "model",
                    "model_version": "tone-sample-1", "created_by": None, "created_at": now})
        if rng.random() < 0.01:
            out.append({"article_id": r["id"], "kind": "tone", "value": rng.choice(TONES),
                        "score": 1.0, "origin": "analyst", "model_version": None,
                        "created_by": "mau", "created_at": now})
    return out


def _flags(rng: random.Random, rows: list[dict], now: datetime) -> list[dict]:
    out = []
    for r in rows:
        if rng.random() >= 0.02:
            continue
        quote = r["body"][0][:40]
        signals = [
            {"name": "single_low_tier_source", "weight": 0.4,
             "reason": "Chỉ một nguồn cấp thấp đưa tin", "evidence": []},
            {"name": "unattributed_figure", "weight": 0.3, "reason": "Số liệu không nêu nguồn",
             "evidence": {"field": "body", "start": 0, "end": len(quote), "text": quote}},
        ]
        out.append({"article_id": r["id"], "cluster_id": None,
                    "score": round(rng.uniform(0.3, 0.99), 3), "signals": signals,
                    "status": rng.choice(STATUSES), "reviewer": None, "note": None,
                    "created_at": now, "updated_at": now})
    return out
