"""Exports of articles with their labels, clusters and flags as CSV or XLSX (rows -> bytes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from reports.parts import STATUS_VI, TIER_VI, signal_reasons

COLUMNS = (
    ("article_id", "Mã tin"), ("published", "Thời gian đăng"), ("time_origin", "Nguồn thời gian"),
    ("source_id", "Mã cơ quan"), ("source_name", "Cơ quan báo chí"), ("tier", "Loại hình"),
    ("title", "Tiêu đề"), ("url", "Đường dẫn"), ("author", "Tác giả"), ("section", "Chuyên mục"),
    ("relevance", "Liên quan địa bàn"), ("places", "Địa danh"), ("topics", "Chủ đề"),
    ("tone", "Sắc thái"), ("cluster_id", "Mã sự kiện"), ("cluster_relation", "Quan hệ"),
    ("cluster_title", "Sự kiện"), ("cluster_first_source", "Đăng đầu tiên"),
    ("cluster_independent_outlets", "Số cơ quan đưa tin độc lập"),
    ("flag_score", "Điểm cần xác minh"), ("flag_status", "Trạng thái xác minh"),
    ("flag_reasons", "Lý do"),
)
RELEVANCE_VI = {"about": "Về địa bàn", "mention": "Có nhắc đến", "none": "Không"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def export_rows(rows: Sequence[Mapping], *, tz: ZoneInfo, places: Mapping[int, Sequence[str]],
                topics: Mapping[int, Sequence[str]], topic_names: Mapping[str, str],
                tones: Mapping[int, str], clusters: Mapping[int, Mapping],
                flags: Mapping[int, Mapping]) -> list[dict]:
    """One dict per article (keys of COLUMNS); ``flags``: article id -> its latest flag."""
    out = []
    for r in rows:
        when = r["published"] or r["first_seen"]
        c = clusters.get(r.get("cluster_id")) or {}
        f = flags.get(r["id"]) or {}
        out.append({
            "article_id": r["id"], "published": when.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "time_origin": "giờ thu thập" if r.get("published_origin") == "first_seen" else "",
            "source_id": r["source_id"], "source_name": r.get("source_name", ""),
            "tier": TIER_VI.get(r.get("tier"), r.get("tier") or ""), "title": r["title"],
            "url": r["canonical_url"], "author": r.get("author") or "",
            "section": r.get("section") or "",
            "relevance": RELEVANCE_VI.get(r.get("relevance"), r.get("relevance") or ""),
            "places": "; ".join(dict.fromkeys(places.get(r["id"], ()))),
            "topics": "; ".join(topic_names.get(t, t) for t in topics.get(r["id"], ())),
            "tone": tones.get(r["id"], ""), "cluster_id": r.get("cluster_id") or "",
            "cluster_relation": r.get("cluster_relation") or "",
            "cluster_title": c.get("title", ""),
            "cluster_first_source": c.get("first_source_name") or c.get("first_source_id") or "",
            "cluster_independent_outlets": c.get("independent_outlets", ""),
            "flag_score": round(float(f["score"]), 3) if f.get("score") is not None else "",
            "flag_status": STATUS_VI.get(f.get("status"), f.get("status") or ""),
            "flag_reasons": " | ".join(signal_reasons(f.get("signals"))) if f else "",
        })
    return out


def _safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def to_csv(rows: Sequence[Mapping]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads Vietnamese), Vietnamese column names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([_safe(row[key]) for key, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Mapping], *, sheet: str = "Tin bài") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(row[key]) for key, _ in COLUMNS])
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
