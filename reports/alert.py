"""Spike alert e-mails (pure): what rose, against which baseline, and the day's items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.alerts import ALL_TOPICS, Spike
from reports.render import environment, percent, vn_number

MAX_ITEMS = 20


@dataclass(frozen=True)
class AlertItem:
    local_time: str
    title: str
    url: str
    source_name: str
    negative: bool


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    summary: str
    value: str
    baseline: str
    threshold: str
    baseline_days: int
    as_of: str
    items: tuple[AlertItem, ...]


def topic_label(topic: str, names: Mapping[str, str], area: str) -> str:
    return f"tin, bài về {area}" if topic == ALL_TOPICS else f"chủ đề “{names.get(topic, topic)}”"


def build_alert(spike: Spike, *, area: str, topic_names: Mapping[str, str],
                rows: Sequence[Mapping], tones: Mapping[int, str], now: datetime,
                tz: ZoneInfo) -> AlertMessage:
    """``rows``: the day's articles of the topic (with source_name)."""
    what = topic_label(spike.topic, topic_names, area)
    day = spike.day.strftime("%d/%m/%Y")
    if spike.metric == "volume":
        fmt = vn_number
        summary = (f"Ngày {day}, số {what} tăng đột biến: {vn_number(spike.count)} tin, bài, "
                   f"vượt ngưỡng {vn_number(round(spike.threshold, 1))} (mức thường ngày "
                   f"{vn_number(spike.baseline)}).")
        subject = f"Cảnh báo: {what} tăng đột biến ngày {day}"
    else:
        fmt = percent
        summary = (f"Ngày {day}, tỷ lệ tin, bài tiêu cực trong {what} tăng đột biến: "
                   f"{percent(spike.value)} ({vn_number(spike.count)} tin, bài tiêu cực), vượt "
                   f"ngưỡng {percent(spike.threshold)} (mức thường ngày "
                   f"{percent(spike.baseline)}).")
        subject = f"Cảnh báo: tin, bài tiêu cực về {what.removeprefix('tin, bài về ')} " \
                  f"tăng đột biến ngày {day}"
    items = tuple(AlertItem(
        (r["published"] or r["first_seen"]).astimezone(tz).strftime("%H:%M"), r["title"],
        r["canonical_url"], r.get("source_name", ""), tones.get(r["id"]) == "negative")
        for r in sorted(rows, key=lambda r: r["published"] or r["first_seen"])[:MAX_ITEMS])
    return AlertMessage(subject, summary, fmt(round(spike.value, 3)), fmt(spike.baseline),
                        fmt(round(spike.threshold, 3)), spike.baseline_days,
                        now.astimezone(tz).strftime("%H:%M %d/%m/%Y"), items)


def render_alert_html(alert: AlertMessage) -> str:
    return environment(True).get_template("alert.html").render(a=alert)


def render_alert_text(alert: AlertMessage) -> str:
    return environment(False).get_template("alert.txt").render(a=alert)
