"""Render the monthly brief: charts (PNG), DOCX in administrative format, and HTML."""

from __future__ import annotations

import base64

from reports import charts as ch
from reports import docx_base as dx
from reports.monthly import CompareRow, MonthlyBrief
from reports.render import environment, percent, vn_number


def _label(month: str) -> str:
    year, mon = month.split("-")
    return f"Tháng {int(mon)}/{year}"


def brief_charts(brief: MonthlyBrief) -> dict[str, bytes]:
    """name -> PNG: daily volume (and negative tone), topics or outlets against last month."""
    cur, prev = _label(brief.month), _label(brief.previous_month)
    days = sorted(brief.current.daily)
    out = {"daily": ch.daily_trend(
        days, [brief.current.daily[d][0] for d in days],
        [brief.current.daily[d][1] for d in days] if brief.tone else None,
        title=f"Số tin, bài về {brief.area} theo ngày, {cur.lower()}")}
    rows = brief.topics or brief.outlets
    if rows:
        what = "chủ đề" if brief.topics else "cơ quan báo chí"
        out["compare"] = ch.compare_bars(
            [r.name for r in rows], [r.current for r in rows], [r.previous for r in rows],
            title=f"Số tin, bài theo {what}", current_label=cur, previous_label=prev)
    return out


def _change(row: CompareRow) -> str:
    return percent(row.change) if row.change is not None else "mới"


def _rows(rows: tuple[CompareRow, ...]) -> list[list[object]]:
    return [[r.name, vn_number(r.current), vn_number(r.previous), _change(r)] for r in rows]


def render_monthly_docx(brief: MonthlyBrief, charts: dict[str, bytes]) -> bytes:
    doc = dx.new_document()
    cur, prev = _label(brief.month), _label(brief.previous_month)
    dx.heading(doc, brief.title.upper(), size=14)
    dx.heading(doc, f"Tin, bài về {brief.area} trên báo chí", bold=False, italic=True)
    c = brief.current
    dx.body(doc, f"Trong {cur.lower()}, hệ thống ghi nhận {vn_number(c.total)} tin, bài liên "
                 f"quan đến {brief.area} trên {vn_number(c.outlets)} cơ quan báo chí "
                 f"({vn_number(c.about)} tin, bài phản ánh trực tiếp, {vn_number(c.mention)} "
                 f"tin, bài có nhắc đến); {prev.lower()}: {vn_number(brief.previous.total)} "
                 "tin, bài.", bold_lead="1. Tổng quan. ")
    header = ["", cur, prev, "Thay đổi"]
    dx.body(doc, bold_lead="2. Theo loại hình cơ quan báo chí")
    dx.table(doc, ["Loại hình", *header[1:]], _rows(brief.tiers))
    if brief.topics:
        dx.body(doc, bold_lead="3. Theo chủ đề")
        dx.table(doc, ["Chủ đề", *header[1:]], _rows(brief.topics))
    dx.body(doc, bold_lead="4. Cơ quan báo chí đưa tin nhiều nhất")
    dx.table(doc, ["Cơ quan báo chí", *header[1:]], _rows(brief.outlets))
    for name, caption in (("daily", "Biểu đồ 1. Số tin, bài theo ngày"),
                          ("compare", "Biểu đồ 2. So sánh với tháng trước")):
        if name in charts:
            dx.picture(doc, charts[name], caption=caption)
    _tone_and_rest(doc, brief)
    return dx.to_bytes(doc)


def _tone_and_rest(doc, brief: MonthlyBrief) -> None:
    if brief.tone:
        dx.body(doc, bold_lead="5. Sắc thái thông tin")
        dx.table(doc, ["Sắc thái", _label(brief.month), _label(brief.previous_month),
                       "Thay đổi"], _rows(brief.tone))
    dx.body(doc, bold_lead="6. Tin nổi bật trong tháng")
    for i, s in enumerate(brief.stories, 1):
        when = f", {s.first_time}" if s.first_time else ""
        dx.body(doc, f"{i}. {s.title} ({s.independent_outlets} cơ quan báo chí đưa tin độc lập; "
                     f"đăng đầu tiên: {s.first_source}{when}).")
    dx.body(doc, bold_lead="7. Tin, bài cần xác minh và kết quả xử lý")
    dx.table(doc, ["Trạng thái", _label(brief.month), _label(brief.previous_month),
                   "Thay đổi"], _rows(brief.flag_status))
    for item, outcome in brief.handled:
        dx.body(doc, f"- {item.title} ({item.source_name}): {outcome}.")
    dx.body(doc, bold_lead="8. Chủ đề ưu tiên ít được phản ánh (cơ sở định hướng tuyên truyền)")
    if not brief.has_topic_labels:
        dx.body(doc, "Chưa có nhãn chủ đề cho tin, bài trong tháng.")
    elif not brief.gaps:
        dx.body(doc, "Các chủ đề ưu tiên đều được phản ánh đầy đủ.")
    for g in brief.gaps:
        dx.body(doc, f"- {g.name}: {vn_number(g.count)} tin, bài ({percent(g.share)}).")


def render_monthly_html(brief: MonthlyBrief, charts: dict[str, bytes]) -> str:
    images = {k: base64.b64encode(v).decode("ascii") for k, v in charts.items()}
    return environment(True).get_template("monthly.html").render(
        b=brief, images=images, cur=_label(brief.month), prev=_label(brief.previous_month))
