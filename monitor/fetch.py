"""Polite async HTTP client: per-host politeness, robots.txt, conditional GET, retries and caps."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin
from urllib.robotparser import RobotFileParser

import httpx

from monitor.health import classify_status
from monitor.models import FetchFailure, FetchResult, Politeness
from monitor.settings import FetchSettings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
ROBOTS_RETRY = 600.0  # an unreachable robots.txt (5xx, timeout) is asked again after this long
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch with what is remembered about it (validators, last body hash)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    previous_hash: str | None = None
    politeness: Politeness | None = None


@dataclass(frozen=True)
class _Reply:
    """One HTTP exchange: status, lower-case headers and (for 2xx) the body."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class _Outcome:
    """One attempt, redirects included."""

    final_url: str
    reply: _Reply | None = None
    redirects: list[str] = field(default_factory=list)
    failure: FetchFailure | None = None
    retryable: bool = True


@dataclass(frozen=True)
class _Robots:
    """A host's robots.txt verdict source: a parser, allow-all (None) or unreachable."""

    parser: RobotFileParser | None
    expires: float
    unreachable: str | None = None


class _HostGate:
    """Limits one host to ``concurrency`` requests in flight and ``min_interval`` between starts."""

    def __init__(self) -> None:
        self._cond = asyncio.Condition()
        self._in_flight = 0
        self._last_start = float("-inf")

    @contextlib.asynccontextmanager
    async def slot(
        self, politeness: Politeness, global_cap: asyncio.Semaphore
    ) -> AsyncIterator[None]:
        async with self._cond:
            await self._cond.wait_for(lambda: self._in_flight < max(1, politeness.concurrency))
            self._in_flight += 1
        try:
            await self._wait_turn(politeness.min_interval, global_cap)
            try:
                yield
            finally:
                global_cap.release()
        finally:
            async with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    async def _wait_turn(self, interval: float, global_cap: asyncio.Semaphore) -> None:
        # The start is claimed only once the global slot is held, so a wait for the global cap can
        # never squeeze two starts to this host closer than ``interval``; no global slot is held
        # while sleeping for the interval.
        loop = asyncio.get_running_loop()
        while True:
            wait = self._last_start + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await global_cap.acquire()
            if loop.time() >= self._last_start + interval:
                self._last_start = loop.time()
                return
            global_cap.release()


class Fetcher:
    """Fetches URLs politely; ``fetch`` returns a FetchResult and never raises for network trouble.

    Politeness (per ``host:port``): the per-call ``politeness``, else ``politeness[host:port]`` or
    ``politeness[host]`` given here, else ``settings.concurrency_per_host``/``min_interval``. Every
    request start counts: robots.txt, each redirect hop and each retry. Politeness waits use the
    real clock; only retry back-off uses the injected ``sleep`` (so tests can record it).

    robots.txt: fetched once per host and cached ``robots_ttl`` seconds. 2xx is parsed; 4xx means
    allow all; 5xx or a network failure means disallow for now: the fetch fails *temporary* and
    robots.txt is asked again after ``ROBOTS_RETRY`` seconds. ``total_timeout`` bounds each HTTP
    exchange (headers and streamed body), not the time spent queueing for politeness.
    ``FetchResult.redirects`` lists the URLs that answered with a redirect, in order.

    Use one Fetcher per event loop (its locks and connection pools belong to the loop that first
    uses them), inside ``async with`` so the per-host connection pools get closed.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        politeness: Mapping[str, Politeness] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._politeness = dict(politeness or {})
        self._default = Politeness(settings.concurrency_per_host, settings.min_interval)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl = httpx.create_ssl_context()  # shared: loading the CA store costs ~15 ms
        self._global = asyncio.Semaphore(max(1, settings.global_concurrency))
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, key: str) -> httpx.AsyncClient:
        # One small pool per host: httpcore scans its whole pool on every request, so a single
        # pool holding hundreds of connections costs more CPU than the requests themselves.
        client = self._clients.get(key)
        if client is None:
            settings = self.settings
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout,
                                      pool=settings.total_timeout),
                follow_redirects=False,
                verify=self._ssl,
                headers={"user-agent": settings.user_agent},
                limits=httpx.Limits(max_connections=max(1, settings.global_concurrency),
                                    max_keepalive_connections=8),
            )
            self._clients[key] = client
        return client

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        previous_hash: str | None = None,
        politeness: Politeness | None = None,
    ) -> FetchResult:
        """GET ``url`` with retries; conditional when validators are given."""
        started = time.monotonic()
        headers = _conditional_headers(etag, last_modified)
        attempts = 0
        while True:
            outcome = await self._attempt(url, headers, politeness)
            if not self._should_retry(outcome, attempts):
                break
            await self._sleep(self._retry_delay(outcome.failure, attempts))
            attempts += 1
        result = _result(url, outcome, attempts + 1, previous_hash, time.monotonic() - started)
        _log_result(result)
        return result

    def _should_retry(self, outcome: _Outcome, retries_done: int) -> bool:
        failure = outcome.failure
        if failure is not None and failure.retry_after is not None \
                and failure.retry_after > self.settings.backoff_max:
            return False  # the server asked for a longer pause: the feed's schedule honours it
        return (
            failure is not None
            and failure.kind == "temporary"
            and outcome.retryable
            and retries_done < self.settings.retries
        )

    def _retry_delay(self, failure: FetchFailure | None, retries_done: int) -> float:
        if failure is not None and failure.retry_after is not None:
            return failure.retry_after  # at most backoff_max: longer ones are not retried here
        cap = self.settings.backoff_max
        return self._rng.uniform(0, min(cap, self.settings.backoff_base * 2**retries_done))

    async def _attempt(
        self, url: str, headers: dict[str, str], politeness: Politeness | None
    ) -> _Outcome:
        outcome = await self._follow(url, headers, politeness, robots=True)
        if outcome.failure is None and outcome.reply is not None:
            outcome.failure = _reply_failure(outcome.reply)
        return outcome

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        politeness: Politeness | None,
        *,
        robots: bool,
        limit: int | None = None,
    ) -> _Outcome:
        """Fetch ``url`` following at most ``max_redirects`` redirects by hand."""
        outcome = _Outcome(final_url=url)
        seen = {url}
        while True:
            try:
                host_key(outcome.final_url)
            except (httpx.InvalidURL, ValueError) as exc:
                outcome.failure = FetchFailure("hard", f"unusable URL: {exc}")
                return outcome
            if robots:
                blocked = await self._robots_verdict(outcome.final_url, politeness)
                if blocked is not None:
                    outcome.failure, outcome.retryable = blocked
                    return outcome
            reply = await self._exchange(outcome.final_url, headers, politeness, limit)
            if isinstance(reply, FetchFailure):
                outcome.failure = reply
                return outcome
            location = reply.headers.get("location")
            if reply.status not in REDIRECT_STATUSES or not location:
                outcome.reply = reply
                return outcome
            outcome.failure = self._next_hop(outcome, location, seen, reply.status)
            if outcome.failure is not None:
                return outcome

    def _next_hop(
        self, outcome: _Outcome, location: str, seen: set[str], status: int
    ) -> FetchFailure | None:
        target = urldefrag(urljoin(outcome.final_url, location.strip())).url
        outcome.redirects.append(outcome.final_url)
        if len(outcome.redirects) > self.settings.max_redirects:
            reason = f"too many redirects (more than {self.settings.max_redirects})"
            return FetchFailure("soft", reason, status=status)
        if target in seen:
            chain = " -> ".join([*outcome.redirects, target])
            return FetchFailure("soft", f"redirect loop: {chain}", status=status)
        seen.add(target)
        outcome.final_url = target
        return None

    async def _exchange(
        self,
        url: str,
        headers: dict[str, str],
        politeness: Politeness | None,
        limit: int | None,
    ) -> _Reply | FetchFailure:
        """One request under the host gate and the global cap, bounded by ``total_timeout``."""
        key = host_key(url)
        gate = self._gates.setdefault(key, _HostGate())
        async with gate.slot(self._politeness_for(key, politeness), self._global):
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._send(self._client_for(key), url, headers, limit)
            except TimeoutError:
                return FetchFailure("temporary", f"total timeout ({self.settings.total_timeout} s)")
            except (httpx.HTTPError, httpx.InvalidURL, OSError, _Oversized) as exc:
                return classify_exception(exc)

    async def _send(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int | None
    ) -> _Reply:
        truncate = limit is not None
        limit = self.settings.max_body_bytes if limit is None else limit
        response = await client.send(client.build_request("GET", url, headers=headers), stream=True)
        try:
            reply_headers = {k.lower(): v for k, v in response.headers.items()}
            status = response.status_code
            if not 200 <= status < 300:
                return _Reply(status, reply_headers)
            oversized = _declared_too_large(reply_headers, limit)
            if oversized is not None and not truncate:
                raise _Oversized(status, oversized)
            body = await _read_capped(response, limit, truncate)
            return _Reply(status, reply_headers, body)
        finally:
            await response.aclose()

    def _politeness_for(self, key: str, override: Politeness | None) -> Politeness:
        if override is not None:
            return override
        host = key.rsplit(":", 1)[0]
        return self._politeness.get(key) or self._politeness.get(host) or self._default

    async def _robots_verdict(
        self, url: str, politeness: Politeness | None
    ) -> tuple[FetchFailure, bool] | None:
        """None when ``url`` may be fetched, else the failure and whether retrying makes sense."""
        if not self.settings.respect_robots or httpx.URL(url).path == "/robots.txt":
            return None
        robots = await self._robots_for(url, politeness)
        if robots.unreachable is not None:
            return FetchFailure("temporary", f"robots.txt unavailable: {robots.unreachable}"), False
        if robots.parser is None or robots.parser.can_fetch(self.settings.user_agent, url):
            return None
        return FetchFailure("hard", "disallowed by robots.txt"), False

    async def _robots_for(self, url: str, politeness: Politeness | None) -> _Robots:
        key = host_key(url)
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._robots.get(key)
            if cached is not None and cached.expires > time.monotonic():
                return cached
            parsed = httpx.URL(url)
            robots_url = str(parsed.copy_with(path="/robots.txt", query=None, fragment=None))
            outcome = await self._follow(
                robots_url, {}, politeness, robots=False, limit=ROBOTS_MAX_BYTES
            )
            self._robots[key] = _robots_from(outcome, self.settings.robots_ttl)
            log.debug("robots.txt for %s: %s", key, self._robots[key])
            return self._robots[key]


async def fetch_request(fetcher: Fetcher, request: FetchRequest) -> FetchResult:
    """Fetch one ``FetchRequest`` (its validators and politeness) with ``fetcher``."""
    return await fetcher.fetch(request.url, etag=request.etag,
                               last_modified=request.last_modified,
                               previous_hash=request.previous_hash,
                               politeness=request.politeness)


async def fetch_many(fetcher: Fetcher, requests: Sequence[FetchRequest]) -> list[FetchResult]:
    """Fetch all ``requests`` concurrently (the fetcher keeps it polite); results in input order."""
    return list(await asyncio.gather(*(fetch_request(fetcher, r) for r in requests)))


def host_key(url: str) -> str:
    """``host:port`` of ``url`` (default port filled in): the unit of politeness."""
    parsed = httpx.URL(url)
    if parsed.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parsed.host:
        raise ValueError(f"no host in {url!r}")
    return f"{parsed.host}:{parsed.port or _DEFAULT_PORTS[parsed.scheme]}"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify_exception(exc: BaseException) -> FetchFailure:
    """Turn a transport exception into a hard or temporary failure with a readable reason."""
    name = type(exc).__name__
    if isinstance(exc, _Oversized):
        return FetchFailure("soft", f"body larger than {exc.limit} bytes", status=exc.status)
    if isinstance(exc, httpx.TimeoutException):
        return FetchFailure("temporary", f"timeout ({name})")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FetchFailure("hard", f"unusable URL: {exc}")
    if isinstance(exc, httpx.DecodingError):
        return FetchFailure("soft", f"undecodable body: {exc}")
    dns = _dns_error(exc)
    if dns is not None and dns.errno != socket.EAI_AGAIN:
        return FetchFailure("hard", f"DNS failure: {dns.strerror or dns}")
    if isinstance(exc, httpx.ConnectError):
        return FetchFailure("temporary", f"connection failed: {exc or name}")
    return FetchFailure("temporary", f"connection dropped ({name}: {exc})")


class _Oversized(Exception):
    """A body is (or is declared) larger than the limit."""

    def __init__(self, status: int, limit: int) -> None:
        super().__init__(f"body larger than {limit} bytes")
        self.status = status
        self.limit = limit


def _dns_error(exc: BaseException) -> socket.gaierror | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _declared_too_large(headers: Mapping[str, str], limit: int) -> int | None:
    length = headers.get("content-length", "").strip()
    return limit if length.isdigit() and int(length) > limit else None


async def _read_capped(response: httpx.Response, limit: int, truncate: bool) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            if not truncate:
                raise _Oversized(response.status_code, limit)
            chunks.append(chunk[: len(chunk) - (size - limit)])
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    return headers


def _reply_failure(reply: _Reply) -> FetchFailure | None:
    kind = classify_status(reply.status)
    if kind is not None:
        retry_after = None
        if reply.status in (429, 503):
            retry_after = parse_retry_after(reply.headers.get("retry-after"))
        return FetchFailure(kind, f"HTTP {reply.status}", status=reply.status,
                            retry_after=retry_after)
    if reply.status != 304 and not reply.body:
        return FetchFailure("soft", "empty body", status=reply.status)
    return None


def _robots_from(outcome: _Outcome, ttl: float) -> _Robots:
    now = time.monotonic()
    reply = outcome.reply
    if reply is not None and 200 <= reply.status < 300:
        parser = RobotFileParser()
        parser.parse(reply.body.decode("utf-8", errors="replace").splitlines())
        return _Robots(parser, now + ttl)
    if reply is not None and 400 <= reply.status < 500:
        return _Robots(None, now + ttl)
    if reply is not None:
        why = f"HTTP {reply.status}"
    elif outcome.failure is not None and outcome.failure.kind == "soft":
        return _Robots(None, now + ttl)  # redirect loop or similar: RFC 9309 treats as unavailable
    else:
        why = outcome.failure.reason if outcome.failure else "no answer"
    return _Robots(None, now + min(ttl, ROBOTS_RETRY), unreachable=why)


def _result(
    url: str,
    outcome: _Outcome,
    attempts: int,
    previous_hash: str | None,
    elapsed: float,
) -> FetchResult:
    reply = outcome.reply
    body = reply.body if reply is not None and outcome.failure is None else b""
    body_hash = hashlib.sha256(body).hexdigest() if body else None
    if reply is not None:
        status: int | None = reply.status
    else:
        status = outcome.failure.status if outcome.failure is not None else None
    not_modified = outcome.failure is None and (
        status == 304 or (body_hash is not None and body_hash == previous_hash)
    )
    return FetchResult(
        url=url,
        final_url=outcome.final_url,
        status=status,
        headers=dict(reply.headers) if reply is not None else {},
        body=body,
        not_modified=not_modified,
        body_hash=body_hash,
        elapsed=elapsed,
        redirects=tuple(outcome.redirects),
        attempts=attempts,
        failure=outcome.failure,
    )


def _log_result(result: FetchResult) -> None:
    if result.failure is None:
        log.debug("fetched %s: %s (%d attempts)", result.url, result.status, result.attempts)
    else:
        log.info("fetch failed %s: %s %s", result.url, result.failure.kind, result.failure.reason)
