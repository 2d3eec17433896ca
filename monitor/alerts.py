"""Spike detection (pure): a topic's day against the median + k x MAD of its baseline days."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.alerts_calendar import is_holiday

log = logging.getLogger(__name__)

ALL_TOPICS = "all"  # the pseudo-topic of every province article (works without topic labels)
METRICS = ("volume", "negative_share")


@dataclass(frozen=True)
class AlertSettings:
    """Spike alerts (settings section ``alerts``)."""

    enabled: bool = True  # check after each processing run and mail alerts at once
    k: float = 3.0  # threshold = median + k x MAD of the baseline days
    window: int = 14  # baseline days: the previous days of the same kind (working day/weekend)
    lookback: int = 70  # how many days back baseline days are looked for
    min_baseline_days: int = 7  # fewer usable baseline days: no alert (not enough history)
    min_volume: int = 5  # a topic-day with fewer articles never alerts
    min_negative: int = 3  # fewer negative articles never alert on the negative share
    volume_mad_floor: float = 1.0  # the MAD used is at least this (articles), so a flat
    share_mad_floor: float = 0.05  # baseline does not make every small rise a spike


@dataclass(frozen=True)
class DayCounts:
    """One topic on one local day: articles, those labelled negative, those with any tone."""

    volume: int = 0
    negative: int = 0
    toned: int = 0

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.toned if self.toned else None


@dataclass(frozen=True)
class Spike:
    topic: str
    day: date
    metric: str  # volume | negative_share
    value: float
    count: int  # articles (volume) or negative articles (negative_share) that day
    baseline: float  # the median of the baseline days
    mad: float
    threshold: float
    baseline_days: int


def day_kind(day: date) -> str:
    """Press output differs between working days and weekends; baselines compare like with like."""
    return "weekend" if day.weekday() >= 5 else "working"


def baseline_days(day: date, *, window: int, lookback: int, since: date | None = None,
                  holiday: Callable[[date], bool] = is_holiday) -> list[date]:
    """Up to ``window`` days before ``day`` of the same kind, holidays (Tết included) left out,
    not before ``since`` (the first day with data), most recent first."""
    out: list[date] = []
    for back in range(1, lookback + 1):
        candidate = day - timedelta(days=back)
        if since is not None and candidate < since:
            break
        if day_kind(candidate) == day_kind(day) and not holiday(candidate):
            out.append(candidate)
            if len(out) == window:
                break
    return out


def robust_threshold(values: Sequence[float], *, k: float, mad_floor: float
                     ) -> tuple[float, float, float]:
    """(median, MAD, median + k x max(MAD, floor)) of ``values``."""
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return median, mad, median + k * max(mad, mad_floor)


def detect_spikes(day: date, series: Mapping[str, Mapping[date, DayCounts]],
                  settings: AlertSettings, *, since: date | None = None,
                  holiday: Callable[[date], bool] = is_holiday) -> list[Spike]:
    """Spikes of ``day`` for every topic of ``series`` (topic -> local day -> counts; a day
    missing from a topic's series had no article of it)."""
    days = baseline_days(day, window=settings.window, lookback=settings.lookback, since=since,
                         holiday=holiday)
    spikes: list[Spike] = []
    for topic in sorted(series):
        counts = series[topic]
        spikes.extend(s for s in (_volume_spike(topic, day, counts, days, settings),
                                  _share_spike(topic, day, counts, days, settings)) if s)
    return spikes


def _volume_spike(topic: str, day: date, counts: Mapping[date, DayCounts], days: list[date],
                  settings: AlertSettings) -> Spike | None:
    today = counts.get(day, DayCounts())
    if len(days) < settings.min_baseline_days or today.volume < settings.min_volume:
        return None
    values = [counts.get(d, DayCounts()).volume for d in days]
    median, mad, threshold = robust_threshold(values, k=settings.k,
                                              mad_floor=settings.volume_mad_floor)
    if today.volume <= threshold:
        return None
    return Spike(topic, day, "volume", float(today.volume), today.volume, median, mad,
                 threshold, len(days))


def _share_spike(topic: str, day: date, counts: Mapping[date, DayCounts], days: list[date],
                 settings: AlertSettings) -> Spike | None:
    today = counts.get(day, DayCounts())
    share = today.negative_share
    if share is None or today.negative < settings.min_negative \
            or today.volume < settings.min_volume:
        return None
    values = [s for d in days if (s := counts.get(d, DayCounts()).negative_share) is not None]
    if len(values) < settings.min_baseline_days:
        return None
    median, mad, threshold = robust_threshold(values, k=settings.k,
                                              mad_floor=settings.share_mad_floor)
    if share <= threshold:
        return None
    return Spike(topic, day, "negative_share", share, today.negative, median, mad, threshold,
                 len(values))
