"""Feed health: classify failures, update a feed's state, and schedule its next fetch (pure)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.models import FailureKind, FeedState, FetchResult
from monitor.settings import HealthSettings

JITTER = 0.1  # with an rng, delays are spread by up to ±10 % so feeds do not fall due together


def classify_status(status: int) -> FailureKind | None:
    """None for a usable answer (2xx, 304); else how bad the HTTP status is.

    5xx, 408, 425 and 429 are temporary; other 4xx (404, 410, 401, 403, ...) are hard; anything
    else (1xx, a redirect that was not followed) is soft.
    """
    if 200 <= status < 300 or status == 304:
        return None
    if status >= 500 or status in (408, 425, 429):
        return "temporary"
    if 400 <= status < 500:
        return "hard"
    return "soft"


def update_state(
    state: FeedState,
    result: FetchResult,
    *,
    now: datetime,
    interval: float,
    health: HealthSettings,
    rng: random.Random | None = None,
) -> FeedState:
    """The feed's state after ``result``; ``now`` must be timezone-aware (stored as UTC).

    Success: new validators and body hash (kept on 304), score halved, active, due after
    ``interval``. Failure: score grows by the kind's weight; below ``disable_score`` the feed backs
    off ``interval * 2**failures`` (at most ``max_backoff``, at least Retry-After), at or above it
    the feed is disabled and re-checked every ``recheck_interval``. A success re-enables it.
    """
    now = _utc(now)
    if result.failure is None:
        return _succeeded(state, result, now, interval, health, rng)
    return _failed(state, result, now, interval, health, rng)


def _succeeded(
    state: FeedState,
    result: FetchResult,
    now: datetime,
    interval: float,
    health: HealthSettings,
    rng: random.Random | None,
) -> FeedState:
    etag, last_modified = state.etag, state.last_modified
    if result.status != 304:
        etag = result.headers.get("etag") or None
        last_modified = result.headers.get("last-modified") or None
    score = state.failure_score / 2
    if state.status == "disabled":
        score = min(score, health.disable_score / 2)  # re-enabled: one failure must not re-disable
    return replace(
        state,
        etag=etag,
        last_modified=last_modified,
        body_hash=result.body_hash or state.body_hash,
        status="active",
        failure_score=score,
        consecutive_failures=0,
        last_success=now,
        next_due=now + timedelta(seconds=_jitter(interval, rng)),
    )


def _failed(
    state: FeedState,
    result: FetchResult,
    now: datetime,
    interval: float,
    health: HealthSettings,
    rng: random.Random | None,
) -> FeedState:
    failure = result.failure
    assert failure is not None
    weight = {"hard": health.weight_hard, "soft": health.weight_soft,
              "temporary": health.weight_temporary}[failure.kind]
    score = state.failure_score + weight
    failures = state.consecutive_failures + 1
    if score >= health.disable_score:
        status, delay = "disabled", health.recheck_interval
    else:
        status, delay = "backoff", _backoff(interval, failures, health.max_backoff, rng)
        if failure.retry_after is not None:
            delay = max(delay, min(failure.retry_after, health.recheck_interval))
    return replace(
        state,
        status=status,
        failure_score=score,
        consecutive_failures=failures,
        last_failure=now,
        last_error=failure.reason,
        next_due=now + timedelta(seconds=delay),
    )


def _backoff(interval: float, failures: int, cap: float, rng: random.Random | None) -> float:
    return min(_jitter(interval * 2.0 ** min(failures, 62), rng), cap)


def _jitter(seconds: float, rng: random.Random | None) -> float:
    return seconds if rng is None else seconds * rng.uniform(1 - JITTER, 1 + JITTER)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now!r}: pass a timezone-aware time")
    return now.astimezone(UTC)
