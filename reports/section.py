"""The monitoring section of the office's periodic report: built from figures, written as DOCX."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from reports import docx_base as dx
from reports.monthly import TONE_VI
from reports.parts import STATUS_VI, TIER_VI
from reports.period import FLAG_STATUSES, TONES, PeriodStats
from reports.render import percent, vn_number

TOP_TOPICS = 5


@dataclass(frozen=True)
class Paragraph:
    lead: str  # bold lead-in ("1. ..."), may be ""
    text: str
    footnote: str | None = None  # the figures behind the paragraph


@dataclass(frozen=True)
class ReportSection:
    start: date
    end: date
    area: str
    paragraphs: tuple[Paragraph, ...]
    table_title: str
    table_header: tuple[str, ...]
    table_rows: tuple[tuple[object, ...], ...]  # the last row is the total

    @property
    def period_text(self) -> str:
        return f"(Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y})"


def n(value: int) -> str:
    return vn_number(value)


def build_section(stats: PeriodStats, *, area: str, topic_names: Mapping[str, str],
                  has_topic_labels: bool) -> ReportSection:
    paragraphs = [_collected(stats, area), _topics(stats, topic_names, has_topic_labels)]
    if stats.tone:
        paragraphs.append(_tone(stats))
    paragraphs.append(_flags(stats))
    header, rows = _table(stats)
    return ReportSection(stats.start, stats.end, area, tuple(paragraphs),
                         "Bảng 1. Số lượng tin, bài theo loại hình cơ quan báo chí",
                         header, rows)


def _collected(s: PeriodStats, area: str) -> Paragraph:
    tiers = "; ".join(f"{TIER_VI.get(t.tier, t.tier)}: {n(t.articles)} tin, bài "
                      f"({n(t.outlets)} cơ quan)" for t in s.tiers)
    return Paragraph(
        "1. Kết quả thu thập thông tin. ",
        f"Trong kỳ báo cáo, qua theo dõi đã tổng hợp được {n(s.total)} tin, bài liên quan đến "
        f"{area} trên {n(s.outlets)} cơ quan báo chí; trong đó {n(s.about)} tin, bài phản ánh "
        f"trực tiếp về địa bàn, {n(s.mention)} tin, bài có nhắc đến địa bàn.",
        f"Theo loại hình cơ quan báo chí: {tiers}." if s.tiers else None)


def _topics(s: PeriodStats, names: Mapping[str, str], labelled: bool) -> Paragraph:
    lead = "2. Nội dung được quan tâm. "
    ranked = [(k, c) for k, c in s.by_topic.items() if k][:TOP_TOPICS]
    if not labelled or not ranked:
        return Paragraph(lead, "Trong kỳ chưa có số liệu phân loại tin, bài theo chủ đề.")
    listed = ", ".join(names.get(k, k) for k, _ in ranked)
    figures = "; ".join(f"{names.get(k, k)}: {n(c)} tin, bài" for k, c in ranked)
    return Paragraph(lead, f"Các chủ đề được báo chí quan tâm nhiều nhất gồm: {listed}.",
                     f"Số tin, bài theo chủ đề (một tin, bài có thể thuộc nhiều chủ đề): "
                     f"{figures}.")


def _tone(s: PeriodStats) -> Paragraph:
    toned = sum(s.tone.values())
    parts = ", ".join(f"{n(s.tone.get(t, 0))} tin, bài {TONE_VI[t].lower()}" for t in TONES)
    shares = "; ".join(f"{TONE_VI[t].lower()} {percent(s.tone.get(t, 0) / toned)}"
                       for t in TONES)
    return Paragraph("3. Sắc thái thông tin. ",
                     f"Trong số tin, bài đã được phân loại sắc thái, có {parts}.",
                     f"Đã phân loại sắc thái {n(toned)}/{n(s.total)} tin, bài; tỷ lệ: {shares}.")


def _flags(s: PeriodStats) -> Paragraph:
    number = "4" if s.tone else "3"
    if not s.flags_total:
        return Paragraph(f"{number}. Thông tin cần xác minh. ",
                         "Trong kỳ không phát hiện tin, bài có dấu hiệu cần xác minh.")
    detail = "; ".join(f"{STATUS_VI[k].lower()}: {n(s.flags.get(k, 0))}" for k in FLAG_STATUSES)
    return Paragraph(
        f"{number}. Thông tin cần xác minh. ",
        f"Đã phát hiện {n(s.flags_total)} tin, bài có dấu hiệu cần xác minh; đã xử lý "
        f"{n(s.flags_handled)} tin, bài (xác nhận {n(s.flags.get('confirmed', 0))}, loại trừ "
        f"{n(s.flags.get('dismissed', 0))}), đang tiếp tục xác minh {n(s.flags_pending)} tin, bài.",
        f"Theo trạng thái xử lý: {detail}.")


def _table(s: PeriodStats) -> tuple[tuple[str, ...], tuple[tuple[object, ...], ...]]:
    header = ["Loại hình", "Số cơ quan", "Tổng số tin, bài", "Phản ánh trực tiếp",
              "Có nhắc đến"]
    tone = bool(s.tone)
    if tone:
        header.append("Tiêu cực")
    rows = []
    for t in s.tiers:
        row = [TIER_VI.get(t.tier, t.tier), n(t.outlets), n(t.articles), n(t.about),
               n(t.mention)]
        rows.append(tuple(row + [n(t.negative)] if tone else row))
    total = ["Tổng cộng", n(s.outlets), n(s.total), n(s.about), n(s.mention)]
    rows.append(tuple(total + [n(s.negative)] if tone else total))
    return tuple(header), tuple(rows)


def render_section_docx(section: ReportSection) -> bytes:
    """A4, Times New Roman 14 pt, Decree 30 margins; figures in real Word footnotes."""
    doc = dx.new_document()
    dx.heading(doc, "KẾT QUẢ THEO DÕI THÔNG TIN TRÊN BÁO CHÍ")
    dx.heading(doc, section.period_text, bold=False, italic=True)
    notes = dx.Footnotes(doc)
    for para in section.paragraphs:
        p = dx.body(doc, para.text, bold_lead=para.lead)
        if para.footnote:
            notes.add(p, para.footnote)
    dx.heading(doc, section.table_title, size=13)
    dx.table(doc, section.table_header, section.table_rows, size=12, bold_last=True)
    return dx.to_bytes(doc)
