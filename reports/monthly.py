"""Build the monthly press brief (pure): volumes against last month, tone, stories, flags, gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reports.parts import STATUS_VI, TIER_VI, FlagItem, Story, flag_items, rank_stories
from reports.period import FLAG_STATUSES, TONES, PeriodStats, change

TONE_VI = {"positive": "Tích cực", "neutral": "Trung lập", "negative": "Tiêu cực"}
UNLABELLED = "Chưa phân loại chủ đề"


@dataclass(frozen=True)
class BriefSettings:
    """The monthly brief and the report section (settings section ``reports``)."""

    priority_topics: tuple[str, ...] = ()  # topic ids the office must see covered; () = all
    low_coverage_share: float = 0.05  # a priority topic under this share of articles is a gap
    low_coverage_min: int = 3  # ... or under this many articles
    top_stories: int = 10
    top_outlets: int = 15
    silent_hours: float = 24.0  # digest: an outlet silent this long (though usually active)
    silent_min_per_day: float = 1.0  # ... that usually publishes at least this many a day


@dataclass(frozen=True)
class CompareRow:
    key: str
    name: str
    current: int
    previous: int

    @property
    def change(self) -> float | None:
        return change(self.current, self.previous)


@dataclass(frozen=True)
class Gap:
    topic: str
    name: str
    count: int
    share: float


@dataclass(frozen=True)
class MonthlyBrief:
    month: str  # YYYY-MM
    previous_month: str
    area: str
    current: PeriodStats
    previous: PeriodStats
    topics: tuple[CompareRow, ...]
    outlets: tuple[CompareRow, ...]
    tiers: tuple[CompareRow, ...]
    tone: tuple[CompareRow, ...]  # empty without tone labels
    stories: tuple[Story, ...]
    flag_status: tuple[CompareRow, ...]
    handled: tuple[tuple[FlagItem, str], ...]  # handled flags with their outcome
    gaps: tuple[Gap, ...]
    has_topic_labels: bool

    @property
    def title(self) -> str:
        year, month = self.month.split("-")
        return f"Báo cáo điểm báo tháng {int(month)}/{year}"


def build_monthly_brief(*, month: str, previous_month: str, area: str, current: PeriodStats,
                        previous: PeriodStats, clusters: Sequence[Mapping],
                        flags: Sequence[Mapping], topic_names: Mapping[str, str],
                        has_topic_labels: bool, settings: BriefSettings,
                        tz: ZoneInfo) -> MonthlyBrief:
    """``clusters``: story clusters of the month's articles; ``flags``: flags created in it."""
    return MonthlyBrief(
        month=month, previous_month=previous_month, area=area, current=current,
        previous=previous,
        topics=_compare(current.by_topic, previous.by_topic,
                        lambda k: topic_names.get(k, k) if k else UNLABELLED)
        if has_topic_labels else (),
        outlets=_compare(current.by_outlet, previous.by_outlet, str)[:settings.top_outlets],
        tiers=_compare({t.tier: t.articles for t in current.tiers},
                       {t.tier: t.articles for t in previous.tiers},
                       lambda k: TIER_VI.get(k, k), order=list(TIER_VI)),
        tone=tuple(CompareRow(t, TONE_VI[t], current.tone.get(t, 0), previous.tone.get(t, 0))
                   for t in TONES) if current.tone or previous.tone else (),
        stories=rank_stories(clusters, limit=settings.top_stories, tz=tz),
        flag_status=tuple(CompareRow(s, STATUS_VI[s], current.flags.get(s, 0),
                                     previous.flags.get(s, 0)) for s in FLAG_STATUSES),
        handled=_handled(flags, tz),
        gaps=coverage_gaps(current, topic_names, settings) if has_topic_labels else (),
        has_topic_labels=has_topic_labels,
    )


def _compare(current: Mapping[str, int], previous: Mapping[str, int], name,
             order: Sequence[str] | None = None) -> tuple[CompareRow, ...]:
    keys = set(current) | set(previous)
    rows = [CompareRow(k, name(k), current.get(k, 0), previous.get(k, 0)) for k in keys]
    if order is not None:
        rows.sort(key=lambda r: order.index(r.key) if r.key in order else len(order))
        return tuple(r for r in rows if r.current or r.previous)
    rows.sort(key=lambda r: (r.key == "", -r.current, -r.previous, r.name))
    return tuple(rows)


def _handled(flags: Sequence[Mapping], tz: ZoneInfo) -> tuple[tuple[FlagItem, str], ...]:
    done = [f for f in flags if f.get("status") in ("confirmed", "dismissed")]
    by_id = {f["id"]: f for f in done}
    return tuple((item, _outcome(by_id[item.flag_id])) for item in flag_items(done, tz=tz))


def _outcome(flag: Mapping) -> str:
    """What was done about a handled flag: an ``outcome`` (if the flags feature records one),
    else the reviewer's note, else the status."""
    text = flag.get("outcome") or flag.get("note") or ""
    status = STATUS_VI.get(flag.get("status") or "", "")
    reviewer = flag.get("reviewer")
    lead = f"{status} ({reviewer})" if reviewer else status
    return f"{lead}: {text}" if text else lead


def coverage_gaps(stats: PeriodStats, topic_names: Mapping[str, str],
                  settings: BriefSettings) -> tuple[Gap, ...]:
    """Priority topics (all topics when none are set) with little coverage: under
    ``low_coverage_share`` of the month's articles or under ``low_coverage_min`` articles."""
    wanted = settings.priority_topics or tuple(topic_names)
    out = []
    for topic in wanted:
        count = stats.by_topic.get(topic, 0)
        share = count / stats.total if stats.total else 0.0
        if share < settings.low_coverage_share or count < settings.low_coverage_min:
            out.append(Gap(topic, topic_names.get(topic, topic), count, share))
    return tuple(sorted(out, key=lambda g: (g.count, g.name)))
