"""Vietnamese public holidays (Tết and the others) for leaving them out of spike baselines."""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import cache
from importlib import resources

import yaml

TZ_VN = 7.0  # the Vietnamese lunar calendar is computed at UTC+7 (it differs from China's at +8)
_EPOCH_K = 2415021.076998695
_SYNODIC = 29.530588853


def _jd(day: date) -> int:
    return day.toordinal() + 1721425


def _date(jd: int) -> date:
    return date.fromordinal(jd - 1721425)


def _new_moon(k: int) -> float:
    """Julian day of the k-th new moon after 1900-01-01 (Meeus, as used by Hồ Ngọc Đức)."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 += -0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 += -0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 += -0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 += -0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    deltat = (0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
              if t < -11 else -0.000278 + 0.000265 * t + 0.000262 * t2)
    return jd1 + c1 - deltat


def _new_moon_day(k: int) -> int:
    return math.floor(_new_moon(k) + 0.5 + TZ_VN / 24)


def _sun_sector(jdn: int) -> int:
    """Which twelfth of the ecliptic the sun is in at local midnight starting day ``jdn``."""
    t = (jdn - 0.5 - TZ_VN / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    lon -= math.pi * 2 * math.floor(lon / (math.pi * 2))
    return math.floor(lon / math.pi * 6)


def _month11(year: int) -> int:
    """Julian day of the first day of lunar month 11 (the one holding the winter solstice)."""
    k = math.floor((_jd(date(year, 12, 31)) - 2415021) / _SYNODIC)
    start = _new_moon_day(k)
    return _new_moon_day(k - 1) if _sun_sector(start) >= 9 else start


def _leap_offset(a11: int) -> int:
    k = math.floor((a11 - _EPOCH_K) / _SYNODIC + 0.5)
    i, arc = 1, _sun_sector(_new_moon_day(k + 1))
    while True:
        last, i = arc, i + 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def lunar_to_solar(day: int, month: int, year: int) -> date:
    """The solar date of a (non-leap) lunar day/month of a lunar year, Vietnamese calendar."""
    if month < 11:
        a11, b11 = _month11(year - 1), _month11(year)
    else:
        a11, b11 = _month11(year), _month11(year + 1)
    off = (month - 11) % 12
    if b11 - a11 > 365 and off >= _leap_offset(a11):
        off += 1
    k = math.floor(0.5 + (a11 - _EPOCH_K) / _SYNODIC)
    return _date(_new_moon_day(k + off) + day - 1)


def tet(year: int) -> date:
    """Mùng 1 Tết Nguyên đán (lunar new year's day) of ``year``."""
    return lunar_to_solar(1, 1, year)


@cache
def holiday_calendar() -> dict[date, str]:
    """Every listed holiday day (the data file, 2024-2030) -> its Vietnamese name."""
    text = resources.files("monitor").joinpath("data/holidays_vn.yaml").read_text("utf-8")
    out: dict[date, str] = {}
    for entry in yaml.safe_load(text)["holidays"]:
        day, last = entry["from"], entry.get("to", entry["from"])
        while day <= last:
            out[day] = entry["name"]
            day += timedelta(days=1)
    return out


def is_holiday(day: date, calendar: dict[date, str] | None = None) -> bool:
    """A public holiday or Tết day; outside the listed years, Tết is computed (-4 .. +6 days)."""
    calendar = holiday_calendar() if calendar is None else calendar
    if day in calendar:
        return True
    listed = {d.year for d in calendar}
    if day.year in listed:
        return False
    for year in (day.year, day.year + 1):
        start = tet(year)
        if start - timedelta(days=4) <= day <= start + timedelta(days=6):
            return True
    return (day.month, day.day) in {(1, 1), (4, 30), (5, 1), (9, 2)}
