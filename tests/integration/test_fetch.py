"""The polite HTTP client against a real server on 127.0.0.1: failures, caps, robots, politeness."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from monitor.fetch import Fetcher, FetchRequest, classify_exception, fetch_many, parse_retry_after
from monitor.models import FetchResult, Politeness
from monitor.settings import FetchSettings
from tests.support.httpserver import LoggedRequest, Response, TestServer

FAST = FetchSettings(
    min_interval=0.0, respect_robots=False, retries=2, backoff_base=0.01, backoff_max=5.0,
    connect_timeout=1.0, read_timeout=1.0, total_timeout=2.0,
)


class SleepRecorder:
    """Injected sleep: records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


def fetch(url: str, settings: FetchSettings = FAST, sleep: SleepRecorder | None = None,
          **kwargs: object) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings, sleep=sleep or SleepRecorder()) as fetcher:
            return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]
    return asyncio.run(go())


def fetch_all(requests: list[FetchRequest], settings: FetchSettings = FAST) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(settings, sleep=SleepRecorder()) as fetcher:
            return await fetch_many(fetcher, requests)
    return asyncio.run(go())


def sequence(*responses: Response):
    """A handler answering the given responses in turn, then repeating the last one."""
    queue = list(responses)

    def handler(request: LoggedRequest) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return handler


# -- plain success --------------------------------------------------------------------------------
def test_ok_returns_body_hash_headers_and_sends_user_agent(server: TestServer) -> None:
    body = "<rss><channel><title>Bắc Giang</title></channel></rss>".encode()
    server.route("/feed", body=body,
                 headers={"Content-Type": "application/rss+xml", "X-Thing": "1"})
    settings = replace(FAST, user_agent="TestBot/9.9 (+https://example.org)")
    result = fetch(server.url("/feed"), settings)
    assert result.ok and result.status == 200 and result.attempts == 1
    assert result.body == body
    assert result.body_hash == hashlib.sha256(body).hexdigest()
    assert result.headers["x-thing"] == "1" and "X-Thing" not in result.headers
    assert result.final_url == server.url("/feed") and result.redirects == ()
    assert not result.not_modified
    assert server.requests_for("/feed")[0].header("user-agent") == settings.user_agent


def test_404_is_hard_and_not_retried(server: TestServer) -> None:
    result = fetch(server.url("/missing"))
    assert result.failure is not None and result.failure.kind == "hard"
    assert result.status == 404 and result.attempts == 1
    assert len(server.requests_for("/missing")) == 1


def test_empty_body_is_soft(server: TestServer) -> None:
    server.route("/empty", body=b"")
    result = fetch(server.url("/empty"))
    assert result.failure is not None and result.failure.kind == "soft"
    assert "empty" in result.failure.reason


# -- retries -------------------------------------------------------------------------------------
def test_500_is_retried_then_succeeds(server: TestServer) -> None:
    server.route("/flaky", sequence(Response(500), Response(502), Response(body=b"ok")))
    sleep = SleepRecorder()
    result = fetch(server.url("/flaky"), sleep=sleep)
    assert result.ok and result.body == b"ok"
    assert result.attempts == 3 and len(server.requests_for("/flaky")) == 3
    assert len(sleep.waits) == 2
    for attempt, wait in enumerate(sleep.waits):  # full jitter within the exponential cap
        assert 0 <= wait <= FAST.backoff_base * 2**attempt


def test_500_forever_is_temporary_after_all_retries(server: TestServer) -> None:
    server.route("/down", status=500, body=b"boom")
    settings = replace(FAST, retries=3)
    result = fetch(server.url("/down"), settings)
    assert result.failure is not None and result.failure.kind == "temporary"
    assert result.status == 500 and result.attempts == 4
    assert len(server.requests_for("/down")) == 4


def test_backoff_is_capped(server: TestServer) -> None:
    server.route("/down", status=503)
    sleep = SleepRecorder()
    settings = replace(FAST, retries=6, backoff_base=1.0, backoff_max=3.0)
    fetch(server.url("/down"), settings, sleep=sleep)
    assert len(sleep.waits) == 6 and max(sleep.waits) <= 3.0


def test_429_retry_after_seconds_is_honoured(server: TestServer) -> None:
    server.route("/busy", sequence(Response(429, {"Retry-After": "1"}), Response(body=b"ok")))
    sleep = SleepRecorder()
    result = fetch(server.url("/busy"), sleep=sleep)
    assert result.ok and result.attempts == 2
    assert sleep.waits == [1.0]


def test_429_long_retry_after_is_not_retried_now_but_reported(server: TestServer) -> None:
    server.route("/busy", status=429, headers={"Retry-After": "120"})
    sleep = SleepRecorder()
    result = fetch(server.url("/busy"), replace(FAST, retries=3, backoff_max=5.0), sleep=sleep)
    assert sleep.waits == []
    assert len(server.requests_for("/busy")) == 1
    assert result.failure is not None and result.failure.kind == "temporary"
    assert result.failure.retry_after == 120.0


def test_parse_retry_after_http_date() -> None:
    now = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90.0)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(format_datetime(now, usegmt=True), now=now.timestamp() + 50) == 0.0


# -- timeouts, size caps, broken connections -------------------------------------------------------
def test_slow_body_hits_read_timeout_quickly(server: TestServer) -> None:
    server.route("/slow", Response(body=[b"a", b"b", b"c"], chunk_delay=1.0))
    settings = replace(FAST, retries=0, read_timeout=0.3, total_timeout=5.0)
    started = time.monotonic()
    result = fetch(server.url("/slow"), settings)
    assert result.failure is not None and result.failure.kind == "temporary"
    assert "timeout" in result.failure.reason.lower()
    assert time.monotonic() - started < 0.9


def test_trickling_body_hits_total_timeout(server: TestServer) -> None:
    server.route("/trickle", Response(body=[b"x"] * 40, chunk_delay=0.05))  # 2 s in all
    settings = replace(FAST, retries=0, read_timeout=1.0, total_timeout=0.3)
    started = time.monotonic()
    result = fetch(server.url("/trickle"), settings)
    assert result.failure is not None and result.failure.kind == "temporary"
    assert "total timeout" in result.failure.reason
    assert time.monotonic() - started < 0.9


def test_oversized_streamed_body_is_soft_and_not_fully_read(server: TestServer) -> None:
    server.route("/big", Response(body=[b"x" * 1000] * 100, chunk_delay=0.01))  # ~1 s to send
    started = time.monotonic()
    result = fetch(server.url("/big"), replace(FAST, max_body_bytes=2500))
    assert result.failure is not None and result.failure.kind == "soft"
    assert result.failure.reason == "body larger than 2500 bytes"
    assert result.body == b"" and result.attempts == 1
    assert time.monotonic() - started < 0.5


def test_oversized_content_length_is_rejected_before_the_body(server: TestServer) -> None:
    server.route("/huge", Response(headers={"Content-Length": "50000000"},
                                   body=[b"x" * 1000], chunk_delay=1.5))
    started = time.monotonic()
    result = fetch(server.url("/huge"), replace(FAST, max_body_bytes=10_000))
    assert result.failure is not None and result.failure.kind == "soft"
    assert "larger than 10000 bytes" in result.failure.reason
    assert time.monotonic() - started < 1.0  # the first body byte would come after 1.5 s


def test_dropped_connection_is_temporary_and_retried(server: TestServer) -> None:
    server.route("/drop", Response(body=b"y" * 5000, drop_after=100))
    result = fetch(server.url("/drop"), replace(FAST, retries=1))
    assert result.failure is not None and result.failure.kind == "temporary"
    assert result.attempts == 2 and len(server.requests_for("/drop")) == 2


def test_connection_refused_is_temporary() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", replace(FAST, retries=0))
    assert result.failure is not None and result.failure.kind == "temporary"
    assert result.status is None


def test_dns_failure_is_hard() -> None:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    exc = httpx.ConnectError("[Errno -2] Name or service not known")
    exc.__cause__ = gai
    assert classify_exception(exc).kind == "hard"
    again = httpx.ConnectError("temporary failure in name resolution")
    again.__cause__ = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert classify_exception(again).kind == "temporary"


def test_wrong_charset_leaves_bytes_untouched(server: TestServer) -> None:
    body = "<p>Tỉnh Bắc Giang</p>".encode()
    server.route("/page", body=body, headers={"Content-Type": "text/html; charset=iso-8859-1"})
    result = fetch(server.url("/page"))
    assert result.body == body
    assert result.headers["content-type"] == "text/html; charset=iso-8859-1"


# -- redirects -----------------------------------------------------------------------------------
def chain(server: TestServer, hops: int) -> str:
    for i in range(hops):
        target = f"/hop{i + 1}" if i + 1 < hops else "/end"
        server.route(f"/hop{i}", status=302, headers={"Location": target})
    server.route("/end", body=b"arrived")
    return server.url("/hop0")


def test_five_redirects_are_followed(server: TestServer) -> None:
    result = fetch(chain(server, 5))
    assert result.ok and result.body == b"arrived"
    assert result.final_url == server.url("/end")
    assert result.redirects == tuple(server.url(f"/hop{i}") for i in range(5))


def test_six_redirects_are_too_many(server: TestServer) -> None:
    result = fetch(chain(server, 6))
    assert result.failure is not None and result.failure.kind == "soft"
    assert "too many redirects" in result.failure.reason
    assert not server.requests_for("/end")


def test_redirect_loop_is_soft_and_named(server: TestServer) -> None:
    server.route("/a", status=301, headers={"Location": "/b"})
    server.route("/b", status=301, headers={"Location": server.url("/a")})
    result = fetch(server.url("/a"))
    assert result.failure is not None and result.failure.kind == "soft"
    assert "redirect loop" in result.failure.reason
    assert server.url("/b") in result.failure.reason
    assert len(server.requests_for("/a")) == 1 and result.attempts == 1


# -- conditional GET -----------------------------------------------------------------------------
def test_304_when_validators_are_sent_back(server: TestServer) -> None:
    etag, modified = '"v1"', "Tue, 01 Jul 2025 00:00:00 GMT"

    def conditional(request: LoggedRequest) -> Response:
        if request.header("if-none-match") == etag:
            return Response(304, {"ETag": etag})
        return Response(200, {"ETag": etag, "Last-Modified": modified}, b"<rss/>")

    server.route("/feed", conditional)
    first = fetch(server.url("/feed"))
    assert first.status == 200 and not first.not_modified and first.headers["etag"] == etag
    second = fetch(server.url("/feed"), etag=etag, last_modified=modified)
    assert second.ok and second.status == 304 and second.not_modified and second.body == b""
    sent = server.requests_for("/feed")[-1]
    assert sent.header("if-none-match") == etag and sent.header("if-modified-since") == modified
    assert server.requests_for("/feed")[0].header("if-none-match") is None


def test_same_body_hash_counts_as_not_modified(server: TestServer) -> None:
    server.route("/feed", body=b"<rss>same</rss>")
    same = hashlib.sha256(b"<rss>same</rss>").hexdigest()
    assert fetch(server.url("/feed"), previous_hash=same).not_modified
    assert not fetch(server.url("/feed"), previous_hash="0" * 64).not_modified


# -- robots.txt ----------------------------------------------------------------------------------
ROBOTS = FetchSettings(**{**FAST.__dict__, "respect_robots": True})


def test_robots_disallow_is_hard_and_robots_fetched_once(server: TestServer) -> None:
    server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    server.route("/news", body=b"news")
    server.route("/private/x", body=b"secret")
    urls = [server.url("/news")] * 8 + [server.url("/private/x")] * 2
    results = fetch_all([FetchRequest(u) for u in urls], ROBOTS)
    assert all(r.ok for r in results[:8])
    for result in results[8:]:
        assert result.failure is not None and result.failure.kind == "hard"
        assert result.failure.reason == "disallowed by robots.txt"
    assert len(server.requests_for("/robots.txt")) == 1
    assert not server.requests_for("/private/x")


def test_robots_rules_match_our_user_agent(server: TestServer) -> None:
    server.route("/robots.txt", body=b"User-agent: DiembaoBot\nDisallow: /\n\n"
                                      b"User-agent: *\nAllow: /\n")
    server.route("/news", body=b"news")
    ours = fetch(server.url("/news"), ROBOTS)
    other = fetch(server.url("/news"), replace(ROBOTS, user_agent="OtherBot/1.0"))
    assert ours.failure is not None and ours.failure.reason == "disallowed by robots.txt"
    assert other.ok
    assert fetch(server.url("/news"), replace(ROBOTS, respect_robots=False)).ok


def test_robots_404_allows_and_5xx_blocks_for_now(server: TestServer) -> None:
    server.route("/news", body=b"news")
    assert fetch(server.url("/news"), ROBOTS).ok  # no robots.txt route: 404
    server.route("/robots.txt", status=503)
    blocked = fetch(server.url("/news"), ROBOTS)
    assert blocked.failure is not None and blocked.failure.kind == "temporary"
    assert "robots.txt" in blocked.failure.reason
    assert len(server.requests_for("/news")) == 1


# -- politeness ----------------------------------------------------------------------------------
def test_min_interval_per_host_while_hosts_run_in_parallel() -> None:
    interval = 0.2
    with TestServer() as one, TestServer() as two:
        for srv in (one, two):
            srv.route("/feed", body=b"<rss/>")
        urls = [one.url("/feed"), two.url("/feed")] * 4
        started = time.monotonic()
        results = fetch_all([FetchRequest(u) for u in urls], replace(FAST, min_interval=interval))
        elapsed = time.monotonic() - started
        assert all(r.ok for r in results)
        for srv in (one, two):
            times = [r.time for r in srv.requests]
            assert len(times) == 4
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert min(gaps) >= interval - 0.02, gaps
        assert abs(one.requests[0].time - two.requests[0].time) < 0.1  # in parallel
    assert elapsed < 2 * 3 * interval  # sequential would need 7 intervals


def test_min_interval_holds_with_several_in_flight(server: TestServer) -> None:
    server.route("/feed", body=b"<rss/>")
    politeness = Politeness(concurrency=3, min_interval=0.15)
    fetch_all([FetchRequest(server.url("/feed"), politeness=politeness)] * 4)
    times = [r.time for r in server.requests]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.15 - 0.02


def test_per_host_concurrency_two_means_two_in_flight_never_three(server: TestServer) -> None:
    server.route("/slow", Response(body=b"ok", delay=0.25))
    politeness = Politeness(concurrency=2, min_interval=0.0)
    requests = [FetchRequest(server.url("/slow"), politeness=politeness)] * 6
    started = time.monotonic()
    results = fetch_all(requests, replace(FAST, concurrency_per_host=1))
    assert all(r.ok for r in results)
    assert server.max_in_flight == 2
    assert 0.7 <= time.monotonic() - started < 1.4  # three waves of two


def test_global_cap_limits_all_hosts_together(server: TestServer) -> None:
    server.route("/slow", Response(body=b"ok", delay=0.2))
    requests = [FetchRequest(server.url("/slow"), politeness=Politeness(5, 0.0))] * 5
    results = fetch_all(requests, replace(FAST, global_concurrency=2))
    assert all(r.ok for r in results)
    assert server.max_in_flight == 2


def test_fetch_many_keeps_input_order(server: TestServer) -> None:
    for i in range(5):
        server.route(f"/f{i}", Response(body=f"feed {i}".encode(), delay=0.05 * (5 - i)))
    requests = [FetchRequest(server.url(f"/f{i}"), politeness=Politeness(5, 0.0))
                for i in range(5)]
    results = fetch_all(requests)
    assert [r.body for r in results] == [f"feed {i}".encode() for i in range(5)]
