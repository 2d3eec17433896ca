"""`diembao run`: one process, APScheduler jobs for each feed and the daily digest."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import socket
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor import reports_job
from monitor.errors import SchedulerLockedError
from monitor.fetch import Fetcher
from monitor.flags_refetch import refetch_due
from monitor.mail import check_settings, recipients_for
from monitor.models import Feed
from monitor.pipeline import Pipeline
from monitor.settings import parse_clock
from monitor.store import repo

log = logging.getLogger(__name__)

LOCK = "scheduler"
HEARTBEAT = 30.0
STALE_AFTER = timedelta(seconds=120)
DIGEST_GRACE = 3600  # a digest job woken up to an hour late still runs
MAIL_RETRY = 300  # seconds between retries of queued e-mail
REFETCH = 600  # seconds between looks for flagged articles due a re-fetch


def lock_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_scheduler_lock(pipeline: Pipeline, holder: str, now: datetime) -> None:
    """Refuse to start when another live scheduler holds the lock on this database."""
    with pipeline.db.begin() as conn:
        current = repo.acquire_lock(conn, LOCK, holder, now=now, stale_after=STALE_AFTER)
        if current is None:
            return
        host, _, pid = current.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
            log.warning("taking over the scheduler lock of dead process %s", current)
            repo.release_lock(conn, LOCK, current)
            repo.acquire_lock(conn, LOCK, holder, now=now, stale_after=STALE_AFTER)
            return
    raise SchedulerLockedError(
        f"another scheduler ({current}) already runs on {pipeline.db.url}; stop it first")


def parse_local_time(value: str) -> time:
    return parse_clock(value, path="scheduler.digest_time")


class Scheduler:
    """Runs each feed at its interval (with jitter), processing after each crawl, and the daily
    digest at the configured local time. Stops cleanly on SIGINT/SIGTERM."""

    def __init__(self, pipeline: Pipeline, *, digest_dir: Path, area: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.digest_dir = digest_dir
        self.area = area
        self.clock = clock or (lambda: datetime.now(UTC))
        self.tz = ZoneInfo(self.settings.timezone)
        self.holder = lock_holder()
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task] = set()
        self._fetcher: Fetcher | None = None

    def run(self) -> None:
        self._check_mail()
        acquire_scheduler_lock(self.pipeline, self.holder, self.clock())
        try:
            asyncio.run(self._main())
        finally:
            with self.pipeline.db.begin() as conn:
                repo.release_lock(conn, LOCK, self.holder)

    def _check_mail(self) -> None:
        """With mail configured, a setting missing for a kind of mail is an error at start,
        not a failure found in the log of each day's digest job."""
        mail = self.settings.mail
        if not mail.enabled:
            return
        for kind in ("daily", "alert", "monthly"):
            if recipients_for(mail, kind):
                check_settings(mail, kind)

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop.set)
        self.pipeline.sync()
        async with Fetcher(self.settings.fetch) as fetcher:
            self._fetcher = fetcher
            sched = AsyncIOScheduler(timezone=self.tz)
            self._add_jobs(sched)
            sched.start()
            log.info("scheduler started: %d jobs", len(sched.get_jobs()))
            await self._track(self._catch_up_digest)
            await self._stop.wait()
            log.info("stopping: no new jobs; waiting for %d running job(s)", len(self._running))
            sched.pause()  # no new runs; shutting down now would cancel the running ones
            await self._finish_running()
            sched.shutdown(wait=False)
        log.info("scheduler stopped")

    async def _finish_running(self) -> None:
        """Let running jobs end (each write is its own transaction), then cancel stragglers and
        wait for them before the HTTP client closes."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=self.settings.scheduler.stop_grace)
        leftover = [t for t in self._running if not t.done()]
        for task in leftover:
            task.cancel()
        await asyncio.gather(*leftover, return_exceptions=True)

    def _add_jobs(self, sched: AsyncIOScheduler) -> None:
        jitter = self.settings.scheduler.jitter
        now = datetime.now(self.tz)
        rng = random.Random()
        # every enabled feed gets a job, disabled ones too: the due check decides each time, so
        # a disabled feed is re-checked when its next_due comes
        for feed in self.pipeline.enabled_feeds():
            first = now + timedelta(seconds=rng.uniform(0, min(jitter, feed.interval)))
            sched.add_job(self._track, IntervalTrigger(seconds=feed.interval, jitter=jitter),
                          args=[self._crawl_feed, feed], id=f"feed:{feed.url}",
                          next_run_time=first, max_instances=1, coalesce=True)
        at = parse_local_time(self.settings.scheduler.digest_time)
        daily = CronTrigger(hour=at.hour, minute=at.minute, timezone=self.tz)
        sched.add_job(self._track, daily, args=[self._digest], id="digest:daily",
                      max_instances=1, coalesce=True, misfire_grace_time=DIGEST_GRACE)
        sched.add_job(self._track, daily, args=[self._monthly], id="brief:monthly",
                      max_instances=1, coalesce=True, misfire_grace_time=DIGEST_GRACE)
        sched.add_job(self._track, IntervalTrigger(seconds=MAIL_RETRY), args=[self._retry_mail],
                      id="mail:retry", max_instances=1, coalesce=True)
        sched.add_job(self._track, IntervalTrigger(seconds=REFETCH), args=[self._refetch],
                      id="flags:refetch", max_instances=1, coalesce=True)
        sched.add_job(self._heartbeat, IntervalTrigger(seconds=HEARTBEAT), id="heartbeat")

    async def _track(self, job, *args) -> None:
        if self._stop.is_set():
            return
        task = asyncio.current_task()
        self._running.add(task)
        try:
            await job(*args)
        except Exception:
            log.exception("job failed; the scheduler goes on")
        finally:
            self._running.discard(task)

    async def _crawl_feed(self, feed: Feed) -> None:
        if not self.pipeline.is_due(feed):
            log.debug("feed %s not due (backoff or disabled)", feed.url)
            return
        stats = await self.pipeline.crawl(feeds=[feed], fetcher=self._fetcher, sync=False)
        log.info("%s: %s", feed.url, stats.summary())
        if stats.new and self.settings.alerts.enabled:  # spikes are checked after processing
            spikes = await asyncio.to_thread(reports_job.check_spikes, self.pipeline.db,
                                             settings=self.settings, now=self.clock(),
                                             area=self.area)
            for spike in spikes:
                log.warning("spike alert: %s", spike)

    async def _digest(self) -> None:
        """Yesterday's digest: written, and mailed once when mail is configured."""
        result = await asyncio.to_thread(
            reports_job.daily_digest_job, self.pipeline.db, settings=self.settings,
            now=self.clock(), out_dir=self.digest_dir, area=self.area)
        log.info("daily digest: %s", result.html)

    async def _monthly(self) -> None:
        """On the first day of a month: last month's brief (once)."""
        paths = await asyncio.to_thread(
            reports_job.monthly_brief_job, self.pipeline.db, settings=self.settings,
            now=self.clock(), out_dir=self.digest_dir, area=self.area)
        if paths:
            log.info("monthly brief: %s", ", ".join(map(str, paths)))

    async def _refetch(self) -> None:
        """Flagged and high-interest articles again at about +2 h, +24 h, +72 h: a takedown or
        a silent edit becomes a signal."""
        stats = await refetch_due(self.pipeline.db, self._fetcher, self.clock(), self.settings,
                                  sources=self.pipeline.sources)
        log.info("re-fetch: %s", stats)

    async def _retry_mail(self) -> None:
        await asyncio.to_thread(reports_job.retry_queued_sends, self.pipeline.db,
                                settings=self.settings, now=self.clock())

    async def _catch_up_digest(self) -> None:
        """At start, after the digest time: write yesterday's digest if no run wrote it (the
        process was down at that time)."""
        local = self.clock().astimezone(self.tz)
        at = parse_local_time(self.settings.scheduler.digest_time)
        yesterday = (local - timedelta(days=1)).date()
        if local.time() >= at:
            with self.pipeline.db.begin() as conn:
                done = repo.has_digest(conn, kind="daily", period=yesterday.isoformat())
            if not done:
                log.info("catching up the daily digest of %s", yesterday)
                await self._digest()

    async def _heartbeat(self) -> None:
        with self.pipeline.db.begin() as conn:
            ours = repo.heartbeat_lock(conn, LOCK, self.holder, now=self.clock())
        if not ours:
            log.error("another process took over the scheduler lock; stopping")
            self._stop.set()
