"""Vietnamese news date and time strings -> timezone-aware UTC datetimes (pure; never guesses).

Understood forms (a string may carry noise around them: weekday names, ``- ``, CDATA, entities):

* RFC 822 ``Mon, 14 Sep 2026 18:44:00 +0700``; the zone may be ``+07:00``, the truncated ``+07``,
  ``GMT``, ``GMT+7``, ``UTC``, ``ICT``; 2-digit years follow RFC 2822 (``26`` -> 2026,
  ``98`` -> 1998; in slash dates always 20yy);
* ISO 8601 ``2026-09-15T07:13:33+0700`` (offset with or without colon, ``Z``; none -> local time);
* slash dates with a clock: ``15/09/2026 19:03``, ``10:00 15/09/2026``, ``- 14/09/2026 10:30``,
  ``Thứ hai, 14/9/2026, 07:30 (GMT+7)``, ``14/09/2026 - 07:30``, ``9/14/2026 6:44:00 PM``
  (any space before AM/PM, U+202F and U+00A0 included), ``14 tháng 9 năm 2026 07:30``;
* epoch seconds ``1789473825`` or milliseconds, and ASP.NET ``/Date(1789558294227)/`` (ms, UTC);
* relative Vietnamese ``4 giờ trước`` (giây, phút, giờ/tiếng, ngày, tuần), ``vừa xong``,
  ``hôm nay 10:30``, ``hôm qua 21:05``; these need ``now`` and give None without it.

Ambiguity rule for slash dates: with a 12-hour AM/PM clock the date is US month/day/year (the
style of the .NET CMSs of Báo Chính phủ and Tuổi Trẻ); otherwise it is Vietnamese day/month/year,
unless only the month/day reading is a valid date (``9/16/2026 10:17``). A time without a zone is
local time in ``default_tz`` (Asia/Ho_Chi_Minh by default). A date without a clock time, a clock
time without a date, ``N tháng trước`` and unknown zone names give None: no usable time, no guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from monitor.text import collapse_whitespace, unescape_entities

__all__ = ["ICT", "parse_datetime"]

ICT = ZoneInfo("Asia/Ho_Chi_Minh")

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_NAMED_ZONES = {"gmt": 0, "utc": 0, "ut": 0, "z": 0, "ict": 7, "est": -5, "edt": -4, "cst": -6,
                "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}
_ZONE = r"(?:(?:gmt|utc|ut)\s*[+-]\d{1,2}(?::?\d{2})?|[+-]\d{1,2}(?::?\d{2})?|[a-z]{1,4})"
_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"

_ASPNET = re.compile(r"/?date\((-?\d{1,15})(?:[+-]\d{4})?\)/?", re.I)
_EPOCH = re.compile(r"\d{9,10}|\d{12,13}")
_RFC822 = re.compile(
    r"(?<!\d)(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s,-]+(\d{4}|\d{2})(?!\d)[\s,]+" + _CLOCK
    + r"(?:\s*([ap])\.?m\.?)?(?:\s*\(?(" + _ZONE + r")\)?)?(?!\w)", re.I)
_RFC822_US = re.compile(
    r"\b([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})[\s,]+" + _CLOCK
    + r"(?:\s*([ap])\.?m\.?)?(?:\s*\(?(" + _ZONE + r")\)?)?(?!\w)", re.I)
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[t ]" + _CLOCK
    + r"(?:[.,]\d{1,9})?\s*(z|[+-]\d{2}(?::?\d{2})?)?(?![\d:])", re.I)
_SLASH_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/.-])")
_WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*,?\s*năm)?\s*,?\s+(\d{4})",
                        re.I)
_LOOSE_CLOCK = re.compile(
    r"(?<![\d:])(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\.?)?(?![\d:])", re.I)
_LOOSE_ZONE = re.compile(
    r"(?:\b(gmt|utc)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?)|(?:(?<![\w/-])([+-])(\d{2}):?(\d{2}))",
    re.I)
_RELATIVE = re.compile(r"(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần)\s*trước")
_JUST_NOW = re.compile(r"vừa xong|vừa mới|just now")
_TODAY = re.compile(r"(hôm nay|hôm qua)")
_NOISE = " \t-–—|,;:·•"

Parser = Callable[[str, tzinfo, "datetime | None"], "datetime | None"]


def parse_datetime(text: str | None, *, default_tz: tzinfo = ICT,
                   now: datetime | None = None) -> datetime | None:
    """The instant ``text`` denotes, as an aware UTC datetime, or None when it has no usable time.

    ``default_tz`` applies to local times without a zone; ``now`` resolves relative times
    ("4 giờ trước"); a naive ``now`` is taken as UTC. See the module docstring for the forms.
    """
    if text is None:
        return None
    cleaned = _clean(str(text))
    if not cleaned:
        return None
    for parser in _PARSERS:
        found = parser(cleaned, default_tz, now)
        if found is not None:
            return found.astimezone(UTC)
    return None


def _clean(text: str) -> str:
    text = unescape_entities(text).replace("<![CDATA[", " ").replace("]]>", " ")
    return collapse_whitespace(text).strip(_NOISE)


def _aspnet(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    match = _ASPNET.search(text)
    return _from_epoch(int(match.group(1)) / 1000) if match else None


def _epoch(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    if not _EPOCH.fullmatch(text):
        return None
    value = int(text)
    return _from_epoch(value / 1000 if len(text) >= 12 else value)


def _from_epoch(seconds: float) -> datetime | None:
    try:
        found = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return found if 1990 <= found.year <= 2100 else None


def _relative(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    lowered = text.lower()
    if now is None or _SLASH_DATE.search(text):
        return None  # an explicit date wins over "hôm nay"
    if not (_RELATIVE.search(lowered) or _JUST_NOW.search(lowered) or _TODAY.search(lowered)):
        return None
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    if _JUST_NOW.search(lowered):
        return now
    match = _RELATIVE.search(lowered)
    if match:
        unit = {"giây": "seconds", "phút": "minutes", "giờ": "hours", "tiếng": "hours",
                "ngày": "days", "tuần": "weeks"}[match.group(2)]
        return now - timedelta(**{unit: int(match.group(1))})
    return _today(lowered, tz, now)


def _today(lowered: str, tz: tzinfo, now: datetime) -> datetime | None:
    day = now.astimezone(tz).date()
    if _TODAY.search(lowered).group(1) == "hôm qua":
        day -= timedelta(days=1)
    clock = _LOOSE_CLOCK.search(lowered)
    if clock is None:
        return None
    return _combine(day, clock.group(1), clock.group(2), clock.group(3), clock.group(4), tz)


def _iso(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    match = _ISO.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    zone_tz = _zone(zone, tz) if zone else tz
    if zone_tz is None:
        return None
    return _build(int(year), int(month), int(day), hour, minute, second, None, zone_tz)


def _rfc822(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    match = _RFC822.search(text)
    if match:
        day, month, year, hour, minute, second, ampm, zone = match.groups()
    else:
        match = _RFC822_US.search(text)
        if not match:
            return None
        month, day, year, hour, minute, second, ampm, zone = match.groups()
    month_no = _MONTHS.get(month.lower())
    zone_tz = _zone(zone, tz) if zone else tz
    if month_no is None or zone_tz is None:
        return None
    year_no = int(year)
    if len(year) == 2:
        year_no += 2000 if year_no < 50 else 1900
    return _build(year_no, month_no, int(day), hour, minute, second, ampm, zone_tz)


def _numeric(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    match = _SLASH_DATE.search(text) or _WORD_DATE.search(text)
    if not match:
        return None
    rest = text[:match.start()] + " " + text[match.end():]
    clock = _LOOSE_CLOCK.search(rest)
    if clock is None:
        return None
    ampm = clock.group(4)
    day = _slash_date(*match.groups(), us=bool(ampm) and match.re is _SLASH_DATE)
    zone_tz = _loose_zone(rest[:clock.start()] + " " + rest[clock.end():], tz)
    if day is None or zone_tz is None:
        return None
    return _combine(day, clock.group(1), clock.group(2), clock.group(3), ampm, zone_tz)


def _slash_date(first: str, second: str, year: str, *, us: bool) -> date | None:
    year_no = int(year) + (2000 if len(year) == 2 else 0)
    day_no, month_no = (int(second), int(first)) if us else (int(first), int(second))
    for d, m in ((day_no, month_no), (month_no, day_no)):
        try:
            return date(year_no, m, d)
        except ValueError:
            continue
    return None


def _loose_zone(rest: str, tz: tzinfo) -> tzinfo | None:
    match = _LOOSE_ZONE.search(rest)
    if not match:
        return tz
    name, sign, hours, minutes, sign2, hours2, minutes2 = match.groups()
    if name and not sign:
        return UTC
    if name:
        return _offset(sign, hours, minutes)
    return _offset(sign2, hours2, minutes2)


def _zone(zone: str, default: tzinfo) -> tzinfo | None:
    """A zone token (``+0700``, ``+07:00``, ``+07``, ``GMT+7``, ``GMT``, ``ICT``) as a tzinfo."""
    token = zone.strip().lower()
    match = re.fullmatch(r"(?:gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", token)
    if match:
        return _offset(*match.groups())
    if token in _NAMED_ZONES:
        return timezone(timedelta(hours=_NAMED_ZONES[token]))
    return None


def _offset(sign: str, hours: str, minutes: str | None) -> tzinfo | None:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14) or int(minutes or 0) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _combine(day: date, hour: str, minute: str, second: str | None, ampm: str | None,
             tz: tzinfo) -> datetime | None:
    return _build(day.year, day.month, day.day, hour, minute, second, ampm, tz)


def _build(year: int, month: int, day: int, hour: str, minute: str, second: str | None,
           ampm: str | None, tz: tzinfo) -> datetime | None:
    hour_no = int(hour)
    if ampm:
        if not 1 <= hour_no <= 12:
            return None
        hour_no = hour_no % 12 + (12 if ampm.lower() == "p" else 0)
    try:
        clock = time(hour_no, int(minute), int(second or 0))
        return datetime.combine(date(year, month, day), clock, tzinfo=tz)
    except ValueError:
        return None


_PARSERS: tuple[Parser, ...] = (_aspnet, _epoch, _relative, _iso, _rfc822, _numeric)
