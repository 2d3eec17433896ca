"""Times printed in article pages (pure): dates.parse_datetime and the shapes pages add to it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from monitor.dates import parse_datetime
from monitor.text import normalize

_PRINTED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\D{1,12}?(\d{1,2})[:hH](\d{2})")
# the same, time first: "08:20 - 25/11/2026"
_PRINTED_TIME_FIRST = re.compile(
    r"(\d{1,2})[:hH](\d{2})\D{1,12}?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
# "11:05 tối" (evening), "3:05 chiều" (afternoon): a 12-hour clock written in Vietnamese
_AFTERNOON = re.compile(r"\d{1,2}[:hH]\d{2}\s*(?:tối|chiều|pm\b)", re.IGNORECASE)


def parse_time(value: str) -> datetime | None:
    """dates.parse_datetime, then a 'dd/mm/yyyy ... HH:MM' (or time first) found inside a longer
    printed string; 'tối'/'chiều' after a morning hour move it to the afternoon."""
    value = normalize(value)
    when = parse_datetime(value)
    if when is None and (m := _PRINTED.search(value)):
        day, month, year, hour, minute = m.groups()
        when = parse_datetime(f"{day}/{month}/{_year(year)} {hour}:{minute}")
    if when is None and (m := _PRINTED_TIME_FIRST.search(value)):
        hour, minute, day, month, year = m.groups()
        when = parse_datetime(f"{day}/{month}/{_year(year)} {hour}:{minute}")
    if when is not None and _AFTERNOON.search(value) and _local_hour(when) < 12:
        when += timedelta(hours=12)
    return when


def prints_time(text: str) -> bool:
    """Whether a string prints a date with a time of day."""
    return bool(_PRINTED.search(text) or _PRINTED_TIME_FIRST.search(text))


def _year(year: str) -> str:
    return f"20{year}" if len(year) == 2 else year


def _local_hour(when: datetime) -> int:
    return (when + timedelta(hours=7)).hour  # parse_datetime answers in UTC; pages print ICT
