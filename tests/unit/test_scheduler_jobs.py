"""Scheduler jobs: one per enabled feed at its interval with jitter, the digest at local time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.errors import ConfigError
from monitor.models import Feed, Source
from monitor.pipeline import Pipeline
from monitor.relevance import load_profile
from monitor.scheduler import Scheduler, parse_local_time
from monitor.settings import SchedulerSettings, Settings
from monitor.store import open_database


def test_jobs_follow_the_configuration(tmp_path):
    feeds = (Feed(source_id="a", url="http://127.0.0.1:9/a.rss", interval=600),
             Feed(source_id="a", url="http://127.0.0.1:9/b.rss", interval=1800),
             Feed(source_id="a", url="http://127.0.0.1:9/off.rss", interval=60, enabled=False))
    src = Source(id="a", name="A", homepage="http://127.0.0.1:9/", tier="other", feeds=feeds)
    settings = replace(Settings(), scheduler=SchedulerSettings(jitter=30, digest_time="06:45"))
    db = open_database(str(tmp_path / "t.db"))
    pipeline = Pipeline(db, [src], settings, load_profile("bac-giang"))
    pipeline.sync()
    sched = AsyncIOScheduler(timezone=ZoneInfo("Asia/Ho_Chi_Minh"))
    Scheduler(pipeline, digest_dir=tmp_path, area="Bắc Giang")._add_jobs(sched)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"feed:http://127.0.0.1:9/a.rss", "feed:http://127.0.0.1:9/b.rss",
                         "digest:daily", "brief:monthly", "mail:retry", "flags:refetch",
                         "heartbeat"}
    assert jobs["mail:retry"].trigger.interval.total_seconds() == 300
    a = jobs["feed:http://127.0.0.1:9/a.rss"].trigger
    assert a.interval.total_seconds() == 600 and a.jitter == 30
    assert jobs["feed:http://127.0.0.1:9/b.rss"].trigger.interval.total_seconds() == 1800
    digest = jobs["digest:daily"].trigger
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    fire = digest.get_next_fire_time(None, datetime(2026, 11, 25, 12, 0, tzinfo=tz))
    assert fire == datetime(2026, 11, 26, 6, 45, tzinfo=tz)
    monthly = jobs["brief:monthly"].trigger  # runs daily; the job itself acts on the 1st
    assert monthly.get_next_fire_time(None, datetime(2026, 11, 30, 12, 0, tzinfo=tz)) == \
        datetime(2026, 12, 1, 6, 45, tzinfo=tz)
    db.dispose()


@pytest.mark.parametrize("value", ["7h", "25:00", "", "06:61"])
def test_bad_digest_time_is_a_config_error(value):
    with pytest.raises(ConfigError, match="scheduler.digest_time"):
        parse_local_time(value)
