"""Build the daily digest (pure): the day's figures, top stories, topics, tone, flags, sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reports.parts import (
    FlagItem,
    SourceAlert,
    Story,
    flag_items,
    rank_stories,
    source_alerts,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
RELEVANCE_VI = {"about": "Về địa bàn", "mention": "Có nhắc đến"}
TIER_ORDER = {"central": 0, "national": 1, "provincial": 2, "sector": 3, "other": 4}
UNLABELLED = "Chưa phân loại chủ đề"
ITEMS_PER_TOPIC = 5


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    sapo: str
    local_time: str  # HH:MM in Asia/Ho_Chi_Minh
    time_is_first_seen: bool
    relevance: str
    places: tuple[str, ...]
    source_name: str = ""
    article_id: int = 0


@dataclass(frozen=True)
class OutletGroup:
    source_id: str
    name: str
    tier: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DayStats:
    """One local day's province articles: all, about, mention, outlets, negative tone."""

    total: int = 0
    about: int = 0
    mention: int = 0
    outlets: int = 0
    negative: int = 0


@dataclass(frozen=True)
class Figure:
    """One of the day's numbers against the day before and the 14-day average."""

    label: str
    today: int
    previous: int
    average: float | None  # None: no history yet

    @property
    def change(self) -> int:
        return self.today - self.previous


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    name: str
    count: int
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DigestContext:
    """What the digest needs beyond the day's rows (all optional: a missing part is omitted)."""

    history: Mapping[date, DayStats] = field(default_factory=dict)  # previous days
    clusters: Sequence[Mapping] = ()  # clusters of the day's articles (reports.parts)
    topics: Mapping[int, Sequence[str]] = field(default_factory=dict)  # article id -> topic ids
    topic_names: Mapping[str, str] = field(default_factory=dict)
    tones: Mapping[int, str] = field(default_factory=dict)  # article id -> tone value
    flags: Sequence[Mapping] = ()  # open flags with their article (reports.parts)
    silent: Sequence[Mapping] = ()  # silent outlets
    failing: Sequence[Mapping] = ()  # failing feeds
    top_stories: int = 10
    has_topic_labels: bool = False
    has_tone_labels: bool = False


@dataclass(frozen=True)
class DailyDigest:
    day: date
    area: str
    total: int
    about: int
    mention: int
    outlets: tuple[OutletGroup, ...]
    figures: tuple[Figure, ...] = ()
    stories: tuple[Story, ...] = ()
    topics: tuple[TopicGroup, ...] = ()
    negative: tuple[DigestItem, ...] = ()
    flags: tuple[FlagItem, ...] = ()
    silent: tuple[SourceAlert, ...] = ()
    failing: tuple[SourceAlert, ...] = ()
    has_topic_labels: bool = False
    has_tone_labels: bool = False

    @property
    def period(self) -> str:
        return self.day.isoformat()

    @property
    def subject(self) -> str:
        return f"Điểm báo ngày {self.day:%d/%m/%Y}: {self.total} tin, bài về {self.area}"


def day_bounds(day: date, tz: ZoneInfo = ICT) -> tuple[datetime, datetime]:
    """The local day [00:00, next 00:00) as aware UTC datetimes."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(
        ZoneInfo("UTC"))


def build_daily_digest(day: date, rows: Sequence[dict], *, area: str,
                       places: dict[int, Sequence[str]] | None = None,
                       tz: ZoneInfo = ICT, context: DigestContext | None = None) -> DailyDigest:
    """``rows`` are article rows (with source_name, tier, relevance) of the day about the area."""
    places = places or {}
    ctx = context or DigestContext()
    items = {r["id"]: _item(r, places.get(r["id"], ()), tz) for r in rows}
    about = sum(1 for r in rows if r["relevance"] == "about")
    mention = sum(1 for r in rows if r["relevance"] == "mention")
    return DailyDigest(
        day, area, len(rows), about, mention, _outlets(rows, items),
        figures=_figures(day_stats(rows, ctx.tones), ctx.history, day,
                         tones=ctx.has_tone_labels),
        stories=rank_stories(ctx.clusters, limit=ctx.top_stories, tz=tz),
        topics=_topic_groups(rows, items, ctx) if ctx.has_topic_labels else (),
        negative=tuple(items[r["id"]] for r in _by_time(rows)
                       if ctx.tones.get(r["id"]) == "negative"),
        flags=flag_items(ctx.flags, tz=tz),
        silent=source_alerts(ctx.silent, tz=tz), failing=source_alerts(ctx.failing, tz=tz),
        has_topic_labels=ctx.has_topic_labels, has_tone_labels=ctx.has_tone_labels,
    )


def day_stats(rows: Sequence[Mapping], tones: Mapping[int, str]) -> DayStats:
    """The figures of a set of article rows (one day's)."""
    return DayStats(
        total=len(rows),
        about=sum(1 for r in rows if r["relevance"] == "about"),
        mention=sum(1 for r in rows if r["relevance"] == "mention"),
        outlets=len({r["source_id"] for r in rows}),
        negative=sum(1 for r in rows if tones.get(r["id"]) == "negative"),
    )


def _figures(today: DayStats, history: Mapping[date, DayStats], day: date, *,
             tones: bool) -> tuple[Figure, ...]:
    previous = history.get(day - timedelta(days=1), DayStats())
    window = [history.get(day - timedelta(days=n), DayStats()) for n in range(1, 15)]
    known = bool(history)
    labels = [("total", "Tin, bài liên quan địa bàn"), ("about", "Phản ánh trực tiếp địa bàn"),
              ("mention", "Có nhắc đến địa bàn"), ("outlets", "Cơ quan báo chí đăng tin")]
    if tones:
        labels.append(("negative", "Tin, bài có sắc thái tiêu cực"))
    return tuple(Figure(label, getattr(today, key), getattr(previous, key),
                        sum(getattr(s, key) for s in window) / 14 if known else None)
                 for key, label in labels)


def _outlets(rows: Sequence[dict], items: Mapping[int, DigestItem]) -> tuple[OutletGroup, ...]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["source_id"], []).append(row)
    outlets = []
    for source_id, members in groups.items():
        first = members[0]
        outlets.append(OutletGroup(source_id, first["source_name"], first["tier"],
                                   tuple(items[r["id"]] for r in _by_time(members))))
    outlets.sort(key=lambda g: (TIER_ORDER.get(g.tier, 9), -len(g.items), g.name))
    return tuple(outlets)


def _topic_groups(rows: Sequence[dict], items: Mapping[int, DigestItem],
                  ctx: DigestContext) -> tuple[TopicGroup, ...]:
    members: dict[str, list[dict]] = {}
    for row in _by_time(rows):
        for topic in ctx.topics.get(row["id"]) or ("",):
            members.setdefault(topic, []).append(row)
    groups = [TopicGroup(topic, ctx.topic_names.get(topic, topic) if topic else UNLABELLED,
                         len(found), tuple(items[r["id"]] for r in _ranked(found)))
              for topic, found in members.items()]
    groups.sort(key=lambda g: (g.topic == "", -g.count, g.name))
    return tuple(groups)


def _ranked(rows: list[dict]) -> list[dict]:
    """The items shown under a topic: "about" before "mention", higher tiers first."""
    return sorted(rows, key=lambda r: (r["relevance"] != "about",
                                       TIER_ORDER.get(r["tier"], 9)))[:ITEMS_PER_TOPIC]


def _by_time(rows: Sequence[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (_when(r), r["id"]))


def _when(row: Mapping) -> datetime:
    return row["published"] or row["first_seen"]


def _item(row: Mapping, places: Sequence[str], tz: ZoneInfo) -> DigestItem:
    when = _when(row).astimezone(tz)
    return DigestItem(
        title=row["title"], url=row["canonical_url"], sapo=row["sapo"] or "",
        local_time=when.strftime("%H:%M"),
        time_is_first_seen=row["published_origin"] == "first_seen",
        relevance=RELEVANCE_VI.get(row["relevance"], row["relevance"] or ""),
        places=tuple(dict.fromkeys(places)), source_name=row.get("source_name", ""),
        article_id=row["id"],
    )
