"""Tests of monitor.dates.parse_datetime: every date form of QUIRKS.md 2.1, and no guessing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.dates import ICT, parse_datetime

NOW = datetime(2026, 10, 3, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822 and its Vietnamese variants
        ("Mon, 14 Sep 2026 18:44:00 +0700", utc(2026, 9, 14, 11, 44)),
        ("Mon, 14 Sep 2026 18:48:23 +07:00", utc(2026, 9, 14, 11, 48, 23)),
        ("Mon, 14 Sep 2026 19:46:22 +07", utc(2026, 9, 14, 12, 46, 22)),
        ("Tue, 15 Sep 2026 09:02:15 GMT+7", utc(2026, 9, 15, 2, 2, 15)),
        ("<![CDATA[Tue, 15 Sep 2026 09:02:15 GMT+7]]>", utc(2026, 9, 15, 2, 2, 15)),
        ("Mon, 14 Sep 2026 03:55:37 GMT", utc(2026, 9, 14, 3, 55, 37)),
        ("Mon, 14 Sep 26 08:00:00 +0700", utc(2026, 9, 14, 1, 0)),
        ("Sat, 18 Feb 17 15:16:55 +0700", utc(2017, 2, 18, 8, 16, 55)),
        ("Mon, 14 Sep 2026 08:00:00 -0500", utc(2026, 9, 14, 13, 0)),
        ("14 Sep 2026 08:00", utc(2026, 9, 14, 1, 0)),  # no zone: ICT
        # US style with a 12-hour clock: month/day/year, local ICT
        ("9/14/2026 6:44:00 PM", utc(2026, 9, 14, 11, 44)),
        ("9/16/2026 10:30:00 AM", utc(2026, 9, 16, 3, 30)),
        ("9/16/2026 10:17:00\u202fPM", utc(2026, 9, 16, 15, 17)),
        ("9/16/2026 10:17:00\u00a0PM", utc(2026, 9, 16, 15, 17)),
        ("9/15/2026 3:05:00 PM", utc(2026, 9, 15, 8, 5)),
        ("9/3/2026 12:05:00 AM", utc(2026, 9, 2, 17, 5)),
        ("9/3/2026 12:05:00 PM", utc(2026, 9, 3, 5, 5)),
        # ISO 8601
        ("2026-09-15T07:13:33+0700", utc(2026, 9, 15, 0, 13, 33)),
        ("2026-09-15T07:13:33+07:00", utc(2026, 9, 15, 0, 13, 33)),
        ("2026-09-15T07:13:33Z", utc(2026, 9, 15, 7, 13, 33)),
        ("2026-09-15T07:13:33.120Z", utc(2026, 9, 15, 7, 13, 33)),
        ("2026-09-15T10:00:00", utc(2026, 9, 15, 3, 0)),
        ("2026-09-15 10:00", utc(2026, 9, 15, 3, 0)),
        # Vietnamese day/month/year
        ("15/09/2026 19:03", utc(2026, 9, 15, 12, 3)),
        ("14/09/2026 11:20", utc(2026, 9, 14, 4, 20)),
        ("10:00 15/09/2026", utc(2026, 9, 15, 3, 0)),
        ("- 14/09/2026 10:30", utc(2026, 9, 14, 3, 30)),
        ("02/10/2026 20:58", utc(2026, 10, 2, 13, 58)),
        ("Thứ hai, 14/9/2026, 07:30 (GMT+7)", utc(2026, 9, 14, 0, 30)),
        ("Thứ Ba, 15/9/2026 | 07:30 GMT+7", utc(2026, 9, 15, 0, 30)),
        ("14/09/2026 - 07:30", utc(2026, 9, 14, 0, 30)),
        ("14/09/2026 07:30 GMT", utc(2026, 9, 14, 7, 30)),
        ("14-09-2026 07h30", utc(2026, 9, 14, 0, 30)),
        ("14 tháng 9 năm 2026 07:30", utc(2026, 9, 14, 0, 30)),
        ("05/03/2026 08:00", utc(2026, 3, 5, 1, 0)),  # 5 March, not 3 May
        ("9/16/2026 10:17", utc(2026, 9, 16, 3, 17)),  # only month/day is a valid date
        # epoch and ASP.NET
        ("1789473825", utc(2026, 9, 15, 12, 3, 45)),
        ("1789473825000", utc(2026, 9, 15, 12, 3, 45)),
        ("/Date(1789549080000)/", utc(2026, 9, 16, 8, 58)),
        ("/Date(1789549080000+0700)/", utc(2026, 9, 16, 8, 58)),
    ],
)
def test_parse_absolute(text: str, expected: datetime) -> None:
    found = parse_datetime(text)
    assert found == expected
    assert found.tzinfo is UTC


def test_aspnet_date_keeps_milliseconds() -> None:
    found = parse_datetime("/Date(1789558294227)/")
    assert found == utc(2026, 9, 16, 11, 31, 34) + timedelta(milliseconds=227)
    assert found.astimezone(ICT).strftime("%Y-%m-%d %H:%M:%S") == "2026-09-16 18:31:34"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 giờ trước", NOW - timedelta(hours=4)),
        ("4 gi&#x1EDD; tr&#x1B0;&#x1EDB;c", NOW - timedelta(hours=4)),
        ("11 giờ trước", NOW - timedelta(hours=11)),
        ("35 phút trước", NOW - timedelta(minutes=35)),
        ("2 ngày trước", NOW - timedelta(days=2)),
        ("1 tuần trước", NOW - timedelta(weeks=1)),
        ("3 tiếng trước", NOW - timedelta(hours=3)),
        ("Vừa xong", NOW),
        ("Hôm nay 10:30", utc(2026, 10, 3, 3, 30)),
        ("hôm qua 21:05", utc(2026, 10, 2, 14, 5)),
    ],
)
def test_parse_relative(text: str, expected: datetime) -> None:
    assert parse_datetime(text, now=NOW) == expected
    assert parse_datetime(text) is None  # no now: no guess


def test_hom_nay_uses_the_local_date_of_now() -> None:
    late_evening = datetime(2026, 10, 2, 18, 0, tzinfo=UTC)  # already 3 October in Vietnam
    assert parse_datetime("hôm nay 00:30", now=late_evening) == utc(2026, 10, 2, 17, 30)


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "garbage", "đang cập nhật", "07:30", "14/9/2026", "2026-09-15",
     "3 tháng trước", "hôm qua", "Mon, 14 Sep 2026 19:46:22 CEST", "31/02/2026 10:00",
     "13/13/2026 10:00", "9/14/2026 13:44:00 PM", "12345"],
)
def test_no_usable_time_gives_none(text: str | None) -> None:
    assert parse_datetime(text, now=NOW) is None


def test_default_tz_applies_only_to_zone_less_times() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert parse_datetime("15/09/2026 10:00", default_tz=plus2) == utc(2026, 9, 15, 8, 0)
    assert parse_datetime("2026-09-15T10:00:00+07:00", default_tz=plus2) == utc(2026, 9, 15, 3, 0)


def test_ict_is_asia_ho_chi_minh() -> None:
    assert str(ICT) == "Asia/Ho_Chi_Minh"
    assert datetime(2026, 1, 1, tzinfo=ICT).utcoffset() == timedelta(hours=7)
