"""Digest parts shared by the daily digest and the monthly brief (pure): stories, flags, sources."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from reports.numbers import vn_number

TIER_ORDER = {"central": 0, "national": 1, "provincial": 2, "sector": 3, "other": 4}
TIER_VI = {
    "central": "Trung ương", "national": "Toàn quốc", "provincial": "Địa phương",
    "sector": "Ngành", "other": "Khác",
}
STATUS_VI = {
    "open": "Chờ xử lý", "needs-info": "Cần thêm thông tin", "confirmed": "Đã xác nhận",
    "dismissed": "Đã loại trừ",
}
FEED_STATUS_VI = {"active": "đang hoạt động", "backoff": "tạm hoãn do lỗi",
                  "disabled": "đã tạm dừng"}
MAX_REASON = 300


@dataclass(frozen=True)
class Story:
    cluster_id: int
    title: str
    url: str
    first_source: str
    first_tier: str
    first_time: str  # dd/mm HH:MM local, "" when unknown
    independent_outlets: int
    outlets: int
    size: int
    outlet_names: tuple[str, ...]


@dataclass(frozen=True)
class FlagItem:
    flag_id: int
    title: str
    url: str
    source_name: str
    score: float
    status: str  # Vietnamese
    reasons: tuple[str, ...]
    created: str  # dd/mm/yyyy HH:MM local


@dataclass(frozen=True)
class SourceAlert:
    """A silent outlet or a failing feed, with its reason in Vietnamese."""

    source_id: str
    name: str
    tier: str
    detail: str


def local(when: datetime | None, tz: ZoneInfo, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return when.astimezone(tz).strftime(fmt) if when is not None else ""


def story_key(c: Mapping) -> tuple:
    """Ranking: more independent outlets first, then the best tier that covered it, size,
    earliest first publication."""
    first = c.get("first_published")
    return (-int(c.get("independent_outlets") or 0),
            TIER_ORDER.get(c.get("best_tier") or c.get("first_tier") or "other", 9),
            -int(c.get("size") or 0), first.timestamp() if first else float("inf"), c["id"])


def rank_stories(clusters: Sequence[Mapping], *, limit: int, tz: ZoneInfo) -> tuple[Story, ...]:
    ranked = sorted(clusters, key=story_key)[:limit]
    return tuple(Story(
        cluster_id=c["id"], title=c["title"], url=c.get("first_url") or "",
        first_source=c.get("first_source_name") or c.get("first_source_id") or "",
        first_tier=c.get("first_tier") or "", first_time=local(c.get("first_published"), tz,
                                                                "%d/%m %H:%M"),
        independent_outlets=int(c.get("independent_outlets") or 0),
        outlets=int(c.get("outlets") or 0), size=int(c.get("size") or 0),
        outlet_names=tuple(c.get("outlet_names") or ()),
    ) for c in ranked)


def signal_reasons(signals: object) -> tuple[str, ...]:
    """Readable reasons of a flag's signals, whatever shape they have: a list of
    {name, reason, evidence...}, a mapping name -> details, strings, or JSON text of those."""
    if isinstance(signals, str | bytes):
        try:
            signals = json.loads(signals)
        except ValueError:
            return (_clip(str(signals)),) if signals else ()
    if isinstance(signals, Mapping):
        signals = [{"name": k, **v} if isinstance(v, Mapping) else {"name": k, "reason": v}
                   for k, v in signals.items()]
    if not isinstance(signals, Sequence):
        return ()
    return tuple(r for r in (_reason(s) for s in signals) if r)


def _reason(signal: object) -> str:
    if not isinstance(signal, Mapping):
        return _clip(str(signal)) if signal else ""
    text = str(signal.get("reason") or signal.get("label") or signal.get("name") or "")
    evidence = signal.get("evidence")
    if isinstance(evidence, str) and evidence:
        text = f"{text}: {evidence}" if text else evidence
    elif isinstance(evidence, Sequence) and evidence and all(isinstance(e, str) for e in evidence):
        text = f"{text}: {'; '.join(evidence)}" if text else "; ".join(evidence)
    return _clip(text)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


def flag_items(flags: Sequence[Mapping], *, tz: ZoneInfo) -> tuple[FlagItem, ...]:
    ranked = sorted(flags, key=lambda f: (-float(f.get("score") or 0), f["id"]))
    return tuple(FlagItem(
        flag_id=f["id"], title=f.get("title") or "", url=f.get("url") or "",
        source_name=f.get("source_name") or "", score=float(f.get("score") or 0),
        status=STATUS_VI.get(f.get("status") or "", f.get("status") or ""),
        reasons=signal_reasons(f.get("signals")), created=local(f.get("created_at"), tz),
    ) for f in ranked)


def source_alerts(rows: Sequence[Mapping], *, tz: ZoneInfo) -> tuple[SourceAlert, ...]:
    """Silent outlets (kind "silent") and failing feeds (kind "failing") with their reason."""
    out = []
    for r in rows:
        if r.get("kind") == "silent":
            last = local(r.get("last"), tz) or "chưa có"
            detail = (f"không có tin, bài mới từ {last} (thường khoảng "
                      f"{vn_number(round(float(r.get('usual_per_day') or 0), 1))} tin, bài/ngày)")
        else:
            status = FEED_STATUS_VI.get(r.get("status") or "", r.get("status") or "")
            ok = local(r.get("last"), tz) or "chưa lần nào"
            error = r.get("error") or "không rõ lỗi"
            detail = (f"nguồn tin {r.get('url', '')} {status}, lỗi {r.get('failures', 0)} lần "
                      f"liên tiếp ({error}); lần đọc được gần nhất: {ok}")
        out.append(SourceAlert(r.get("source_id", ""), r.get("name", ""), r.get("tier", ""),
                               detail))
    return tuple(out)
