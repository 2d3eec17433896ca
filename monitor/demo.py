"""`diembao demo`: serve the sample press day on 127.0.0.1 and run the real pipeline against it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.config import load_sources
from monitor.demosite import DemoSite, load_demo_outlets
from monitor.errors import ConfigError
from monitor.flags_demo import DEMO_REBUTTALS
from monitor.flags_rebuttals import read_rebuttals, save_rebuttals
from monitor.pipeline import Pipeline, RunStats
from monitor.relevance import load_profile
from monitor.reports_job import write_demo_outputs
from monitor.settings import Settings
from monitor.store import open_database

DEMO_DAY = date(2026, 11, 25)
# The demo runs on the sample day's clock (late evening, local time), so that what it writes
# (first-seen times, flags, the digest of that day) does not depend on the day it is run.
DEMO_NOW = datetime(2026, 11, 25, 22, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


@dataclass(frozen=True)
class DemoResult:
    stats: RunStats
    paths: tuple[tuple[str, Path], ...]

    @property
    def summary(self) -> str:
        s = self.stats
        return (f"demo: feeds={s.feeds} fetched={s.pages} new={s.new} unchanged={s.unchanged} "
                f"relevant={s.relevant} flagged={s.flagged} failed={s.failed}")


def run_demo(out_dir: Path, *, base_port: int | None = 18400,
             settings: Settings | None = None, strict: bool = False) -> DemoResult:
    """Crawl the sample outlets into ``out_dir/diembao.db`` and write the day's digest there.

    The outlets listen on fixed ports from ``base_port`` so a second run sees the same URLs and
    finds the feeds unchanged (conditional GET) and adds no rows."""
    settings = settings or Settings()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "diembao.db"
    settings = replace(settings, database_url=f"sqlite:///{db_path.resolve()}",
                       sources_file=str(out_dir / "sources.demo.yaml"))
    try:
        site = DemoSite(base_port=base_port).__enter__()
    except OSError as exc:
        raise ConfigError("diembao demo", "--port", f"{len(load_demo_outlets())} free ports "
                          f"from {base_port} on 127.0.0.1", str(exc)) from None
    try:
        sources_path = Path(settings.sources_file)
        sources_path.write_text(site.sources_yaml(), encoding="utf-8")
        profile = load_profile(settings.province)
        db = open_database(settings.database_url)
        with db.begin() as conn:  # the office's registry of rebutted claims (samples too)
            save_rebuttals(conn, read_rebuttals(DEMO_REBUTTALS), source=str(DEMO_REBUTTALS),
                           now=DEMO_NOW)
        pipeline = Pipeline(db, load_sources(sources_path), settings, profile, strict=strict,
                            clock=lambda: DEMO_NOW)
        stats = asyncio.run(pipeline.crawl())
    finally:
        site.__exit__(None, None, None)
    outputs = write_demo_outputs(db, out_dir, DEMO_DAY, settings, area=profile.name,
                                 now=DEMO_NOW)
    db.dispose()
    return DemoResult(stats, (("database", db_path), ("sources", sources_path), *outputs))
