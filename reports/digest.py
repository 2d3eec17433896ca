"""Build the daily digest (pure): the day's province articles grouped by outlet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
RELEVANCE_VI = {"about": "Về địa bàn", "mention": "Có nhắc đến"}
TIER_ORDER = {"central": 0, "national": 1, "provincial": 2, "sector": 3, "other": 4}


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    sapo: str
    local_time: str  # HH:MM in Asia/Ho_Chi_Minh
    time_is_first_seen: bool
    relevance: str
    places: tuple[str, ...]


@dataclass(frozen=True)
class OutletGroup:
    source_id: str
    name: str
    tier: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DailyDigest:
    day: date
    area: str
    total: int
    about: int
    mention: int
    outlets: tuple[OutletGroup, ...]

    @property
    def period(self) -> str:
        return self.day.isoformat()


def day_bounds(day: date, tz: ZoneInfo = ICT) -> tuple[datetime, datetime]:
    """The local day [00:00, next 00:00) as aware UTC datetimes."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(
        ZoneInfo("UTC"))


def build_daily_digest(day: date, rows: Sequence[dict], *, area: str,
                       places: dict[int, Sequence[str]] | None = None,
                       tz: ZoneInfo = ICT) -> DailyDigest:
    """``rows`` are article rows (with source_name, tier, relevance) of the day about the area."""
    places = places or {}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["source_id"], []).append(row)
    outlets = []
    for source_id, members in groups.items():
        members.sort(key=lambda r: _when(r))
        items = tuple(_item(r, places.get(r["id"], ()), tz) for r in members)
        first = members[0]
        outlets.append(OutletGroup(source_id, first["source_name"], first["tier"], items))
    outlets.sort(key=lambda g: (TIER_ORDER.get(g.tier, 9), -len(g.items), g.name))
    about = sum(1 for r in rows if r["relevance"] == "about")
    mention = sum(1 for r in rows if r["relevance"] == "mention")
    return DailyDigest(day, area, len(rows), about, mention, tuple(outlets))


def _when(row: dict) -> datetime:
    return row["published"] or row["first_seen"]


def _item(row: dict, places: Sequence[str], tz: ZoneInfo) -> DigestItem:
    when = _when(row).astimezone(tz)
    return DigestItem(
        title=row["title"], url=row["canonical_url"], sapo=row["sapo"] or "",
        local_time=when.strftime("%H:%M"),
        time_is_first_seen=row["published_origin"] == "first_seen",
        relevance=RELEVANCE_VI.get(row["relevance"], row["relevance"] or ""),
        places=tuple(dict.fromkeys(places)),
    )
