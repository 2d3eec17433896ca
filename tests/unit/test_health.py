"""Feed health: backoff growth and cap, Retry-After, disabling, re-checks, validators on 304."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.health import classify_status, update_state
from monitor.models import FeedState, FetchFailure, FetchResult
from monitor.settings import HealthSettings

NOW = datetime(2025, 7, 1, 1, 0, tzinfo=UTC)
HEALTH = HealthSettings()
INTERVAL = 900.0
URL = "https://baobacgiang.example/rss"


def ok(status: int = 200, etag: str | None = '"a"', modified: str | None = "Mon, 30 Jun 2025 "
       "10:00:00 GMT", body_hash: str | None = "h1") -> FetchResult:
    headers = {k: v for k, v in (("etag", etag), ("last-modified", modified)) if v is not None}
    return FetchResult(URL, URL, status, headers=headers, not_modified=status == 304,
                       body_hash=None if status == 304 else body_hash)


def failed(kind: str = "temporary", reason: str = "HTTP 500", retry_after: float | None = None,
           status: int | None = 500) -> FetchResult:
    failure = FetchFailure(kind, reason, status=status, retry_after=retry_after)  # type: ignore[arg-type]
    return FetchResult(URL, URL, status, failure=failure)


def step(state: FeedState, result: FetchResult, now: datetime = NOW,
         health: HealthSettings = HEALTH, **kw: object) -> FeedState:
    return update_state(state, result, now=now, interval=INTERVAL, health=health, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "kind"), [
    (200, None), (204, None), (304, None), (404, "hard"), (410, "hard"), (401, "hard"),
    (403, "hard"), (429, "temporary"), (500, "temporary"), (503, "temporary"), (408, "temporary"),
    (302, "soft"),
])
def test_classify_status(status: int, kind: str | None) -> None:
    assert classify_status(status) == kind


def test_success_stores_validators_and_schedules_next() -> None:
    state = step(FeedState(), ok())
    assert (state.etag, state.last_modified, state.body_hash) == ('"a"', ok().headers[
        "last-modified"], "h1")
    assert state.status == "active" and state.consecutive_failures == 0
    assert state.last_success == NOW and state.next_due == NOW + timedelta(seconds=INTERVAL)


def test_304_keeps_old_validators_and_hash() -> None:
    before = FeedState(etag='"old"', last_modified="Sun, 29 Jun 2025 00:00:00 GMT", body_hash="h0")
    after = step(before, ok(status=304, etag=None, modified=None))
    assert (after.etag, after.last_modified, after.body_hash) == ('"old"', before.last_modified,
                                                                   "h0")
    assert after.status == "active"


def test_backoff_doubles_per_failure_then_caps() -> None:
    health = HealthSettings(disable_score=1000, max_backoff=4 * 3600)
    state, delays = FeedState(), []
    for _ in range(8):
        state = step(state, failed(), health=health)
        delays.append((state.next_due - NOW).total_seconds())
    assert delays[:4] == [INTERVAL * 2, INTERVAL * 4, INTERVAL * 8, INTERVAL * 16]
    assert delays[4:] == [health.max_backoff] * 4
    assert state.status == "backoff" and state.consecutive_failures == 8
    assert state.last_error == "HTTP 500" and state.last_failure == NOW


def test_retry_after_longer_than_backoff_wins() -> None:
    state = step(FeedState(), failed(reason="HTTP 429", status=429, retry_after=7200))
    assert state.next_due == NOW + timedelta(seconds=7200)
    short = step(FeedState(), failed(reason="HTTP 429", status=429, retry_after=10))
    assert short.next_due == NOW + timedelta(seconds=INTERVAL * 2)


def test_score_adds_weights_and_disables_at_threshold() -> None:
    state = FeedState()
    for expected in (3.0, 6.0, 9.0):
        state = step(state, failed("hard", "HTTP 404", status=404))
        assert state.failure_score == expected and state.status == "backoff"
    state = step(state, failed("soft", "empty body", status=200))
    assert state.failure_score == 10.0 and state.status == "disabled"
    assert state.next_due == NOW + timedelta(seconds=HEALTH.recheck_interval)


def test_disabled_feed_is_rechecked_periodically_and_reenabled_by_success() -> None:
    state = FeedState(status="disabled", failure_score=40.0, consecutive_failures=12)
    later = NOW + timedelta(days=1)
    still = step(state, failed("hard", "HTTP 410", status=410), now=later)
    assert still.status == "disabled"
    assert still.next_due == later + timedelta(seconds=HEALTH.recheck_interval)
    back = step(still, ok(), now=later)
    assert back.status == "active" and back.consecutive_failures == 0
    assert back.failure_score < HEALTH.disable_score - HEALTH.weight_hard  # one failure won't
    again = step(back, failed("hard", "HTTP 404", status=404), now=later)  # re-disable it
    assert again.status == "backoff"


def test_success_halves_the_score() -> None:
    state = step(FeedState(failure_score=6.0, consecutive_failures=2, status="backoff"), ok())
    assert state.failure_score == 3.0 and state.status == "active"


def test_times_are_stored_as_utc_and_naive_rejected() -> None:
    hanoi = timezone(timedelta(hours=7))
    state = step(FeedState(), ok(), now=datetime(2025, 7, 1, 8, 0, tzinfo=hanoi))
    assert state.last_success == NOW and state.last_success.utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        step(FeedState(), ok(), now=datetime(2025, 7, 1, 8, 0))


def test_jitter_spreads_but_stays_near_the_interval() -> None:
    rng = random.Random(7)
    dues = {step(FeedState(), ok(), rng=rng).next_due for _ in range(20)}
    assert len(dues) > 1
    for due in dues:
        assert abs((due - NOW).total_seconds() - INTERVAL) <= INTERVAL * 0.1 + 1e-6
