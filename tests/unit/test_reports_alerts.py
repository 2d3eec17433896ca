"""Spike alerts: the holiday calendar (lunar Tết), weekday-aware baselines, median + k x MAD."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.alerts import (
    AlertSettings,
    DayCounts,
    baseline_days,
    detect_spikes,
    robust_threshold,
)
from monitor.alerts_calendar import holiday_calendar, is_holiday, lunar_to_solar, tet

# Published Tết and Hùng Kings dates (Vietnamese calendar, UTC+7), independent of our algorithm.
KNOWN_TET = {2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
             2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
             2026: date(2026, 2, 17)}
KNOWN_HUNG_KINGS = {2023: date(2023, 4, 29), 2024: date(2024, 4, 18), 2025: date(2025, 4, 7)}


@pytest.mark.parametrize("year", sorted(KNOWN_TET))
def test_tet_matches_the_published_dates(year):
    assert tet(year) == KNOWN_TET[year]


@pytest.mark.parametrize("year", sorted(KNOWN_HUNG_KINGS))
def test_hung_kings_day_is_the_10th_of_the_3rd_lunar_month(year):
    assert lunar_to_solar(10, 3, year) == KNOWN_HUNG_KINGS[year]


def test_vietnamese_tet_2030_is_a_day_before_the_chinese_one():
    # computed at UTC+7 the new moon falls on 2 February 2030 (China, at UTC+8: 3 February)
    assert tet(2030) == date(2030, 2, 2)


def test_the_data_file_covers_2024_to_2030_and_agrees_with_the_lunar_computation():
    calendar = holiday_calendar()
    assert {d.year for d in calendar} == set(range(2024, 2031))
    for year in range(2024, 2031):
        new_year = tet(year)
        assert all(calendar.get(new_year + timedelta(days=k)) == "Tết Nguyên đán"
                   for k in range(-4, 7)), year
        assert lunar_to_solar(10, 3, year) in calendar
        for fixed in ((1, 1), (4, 30), (5, 1), (9, 2)):
            assert date(year, *fixed) in calendar


def test_outside_the_listed_years_tet_and_fixed_holidays_are_computed():
    assert is_holiday(tet(2032) + timedelta(days=2))
    assert is_holiday(date(2033, 9, 2))
    assert not is_holiday(date(2033, 3, 15))


def test_baseline_days_are_of_the_same_kind_and_skip_holidays():
    wednesday = date(2026, 11, 25)
    days = baseline_days(wednesday, window=14, lookback=70)
    assert len(days) == 14 and all(d.weekday() < 5 for d in days)
    assert days[0] == date(2026, 11, 24) and days == sorted(days, reverse=True)
    sunday = date(2026, 11, 29)
    weekend = baseline_days(sunday, window=14, lookback=70)
    assert len(weekend) == 14 and all(d.weekday() >= 5 for d in weekend)
    after_tet = date(2026, 2, 26)  # Thursday after the Tết break
    around = baseline_days(after_tet, window=14, lookback=70)
    assert not any(is_holiday(d) for d in around)
    assert date(2026, 2, 20) not in around and date(2026, 2, 12) in around


def test_baseline_never_reaches_before_the_first_day_with_data():
    days = baseline_days(date(2026, 11, 25), window=14, lookback=70, since=date(2026, 11, 18))
    assert min(days) >= date(2026, 11, 18) and len(days) == 5


def test_robust_threshold_is_median_plus_k_mad_with_a_floor():
    assert robust_threshold([1, 2, 3, 4, 100], k=3, mad_floor=0) == (3, 1, 6)
    assert robust_threshold([5] * 10, k=3, mad_floor=1.0) == (5, 0, 8)


def _steady(day: date, days: int, volume: int, negative: int = 0, toned: int = 0):
    return {day - timedelta(days=n): DayCounts(volume + n % 2, negative, toned)
            for n in range(1, days + 1)}


def test_a_volume_spike_is_found_and_ordinary_noise_is_not():
    day = date(2026, 11, 25)
    series = {"y-te": {**_steady(day, 40, 4), day: DayCounts(15)},
              "giao-duc": {**_steady(day, 40, 4), day: DayCounts(6)}}
    spikes = detect_spikes(day, series, AlertSettings())
    assert [(s.topic, s.metric) for s in spikes] == [("y-te", "volume")]
    s = spikes[0]
    # baseline days alternate 4 and 5 articles: median 4.5, MAD 0.5 -> floored to 1
    assert (s.count, s.baseline, s.baseline_days, s.threshold) == (15, 4.5, 14, 7.5)


def test_a_holiday_surge_in_the_baseline_does_not_hide_todays_spike():
    day = date(2026, 11, 25)
    series = {"all": {**_steady(day, 40, 3), day: DayCounts(12)}}
    holidays = {day - timedelta(days=n) for n in range(1, 15)}
    for h in holidays:  # a holiday week with huge volume, left out of the baseline
        series["all"][h] = DayCounts(60)
    found = detect_spikes(day, series, AlertSettings(), holiday=lambda d: d in holidays)
    assert [s.metric for s in found] == ["volume"]
    assert not detect_spikes(day, series, AlertSettings(), holiday=lambda d: False)


def test_negative_share_spike_needs_tone_labels_and_enough_negatives():
    day = date(2026, 11, 25)
    base = _steady(day, 40, 10, negative=1, toned=10)
    rising = {**base, day: DayCounts(10, 6, 10)}
    spikes = detect_spikes(day, {"all": rising}, AlertSettings())
    assert [(s.metric, s.count) for s in spikes] == [("negative_share", 6)]
    assert spikes[0].value == pytest.approx(0.6)
    no_tone = {**base, day: DayCounts(10, 0, 0)}
    assert detect_spikes(day, {"all": no_tone}, AlertSettings()) == []
    few = {**base, day: DayCounts(10, 2, 3)}
    assert detect_spikes(day, {"all": few}, AlertSettings()) == []


def test_not_enough_history_means_no_alert():
    day = date(2026, 11, 25)
    series = {"all": {**_steady(day, 3, 2), day: DayCounts(50)}}
    assert detect_spikes(day, series, AlertSettings(), since=day - timedelta(days=3)) == []
