"""Figures of a period (pure): articles by tier, outlet, topic and tone; flags by status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from reports.parts import TIER_ORDER

TONES = ("positive", "neutral", "negative")
FLAG_STATUSES = ("open", "needs-info", "confirmed", "dismissed")


@dataclass(frozen=True)
class TierRow:
    tier: str
    outlets: int
    articles: int
    about: int
    mention: int
    negative: int


@dataclass(frozen=True)
class PeriodStats:
    start: date  # first local day
    end: date  # last local day (inclusive)
    total: int
    about: int
    mention: int
    outlets: int
    tiers: tuple[TierRow, ...]
    by_outlet: Mapping[str, int]  # outlet name -> articles
    by_topic: Mapping[str, int]  # topic id -> articles ("" = no topic label)
    tone: Mapping[str, int]  # tone value -> articles (those with a tone label)
    daily: Mapping[date, tuple[int, int]]  # day -> (articles, negative)
    flags: Mapping[str, int] = field(default_factory=dict)  # status -> flags created
    flags_total: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def negative(self) -> int:
        return self.tone.get("negative", 0)

    @property
    def flags_handled(self) -> int:
        return self.flags.get("confirmed", 0) + self.flags.get("dismissed", 0)

    @property
    def flags_pending(self) -> int:
        return self.flags_total - self.flags_handled


def period_stats(rows: Sequence[Mapping], *, start: date, end: date, tz: ZoneInfo,
                 topics: Mapping[int, Sequence[str]], tones: Mapping[int, str],
                 flags: Sequence[Mapping] = ()) -> PeriodStats:
    """``rows``: the period's province articles (with source_name, tier); ``flags``: the flags
    created in the period."""
    by_topic: Counter[str] = Counter()
    for r in rows:
        for topic in topics.get(r["id"]) or ("",):
            by_topic[topic] += 1
    daily = {start + timedelta(days=n): [0, 0] for n in range((end - start).days + 1)}
    for r in rows:
        day = (r["published"] or r["first_seen"]).astimezone(tz).date()
        if day in daily:
            daily[day][0] += 1
            daily[day][1] += tones.get(r["id"]) == "negative"
    statuses = Counter(f.get("status") or "open" for f in flags)
    return PeriodStats(
        start=start, end=end, total=len(rows),
        about=sum(r["relevance"] == "about" for r in rows),
        mention=sum(r["relevance"] == "mention" for r in rows),
        outlets=len({r["source_id"] for r in rows}), tiers=_tiers(rows, tones),
        by_outlet=dict(Counter(r["source_name"] for r in rows).most_common()),
        by_topic=dict(by_topic.most_common()),
        tone=dict(Counter(tones[r["id"]] for r in rows if r["id"] in tones)),
        daily={d: (v[0], v[1]) for d, v in daily.items()},
        flags=dict(statuses), flags_total=len(flags),
    )


def _tiers(rows: Sequence[Mapping], tones: Mapping[int, str]) -> tuple[TierRow, ...]:
    groups: dict[str, list[Mapping]] = {}
    for r in rows:
        groups.setdefault(r["tier"], []).append(r)
    out = [TierRow(tier, len({r["source_id"] for r in members}), len(members),
                   sum(r["relevance"] == "about" for r in members),
                   sum(r["relevance"] == "mention" for r in members),
                   sum(tones.get(r["id"]) == "negative" for r in members))
           for tier, members in groups.items()]
    return tuple(sorted(out, key=lambda t: TIER_ORDER.get(t.tier, 9)))


def change(current: int, previous: int) -> float | None:
    """Relative change, None when there was nothing before."""
    return (current - previous) / previous if previous else None


def month_bounds(month: str) -> tuple[date, date]:
    """'YYYY-MM' -> (first day, last day)."""
    year, mon = (int(p) for p in month.split("-"))
    first = date(year, mon, 1)
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    return (first - timedelta(days=1)).strftime("%Y-%m")
