"""`diembao run`: crawls on schedule, refuses a second scheduler, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.demosite import DemoSite

DIEMBAO = str(Path(sys.executable).parent / "diembao")


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _query(db: Path, sql: str):
    if not db.exists():
        return None
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql).fetchone()
    except sqlite3.OperationalError:  # table not created yet
        return None


@pytest.fixture()
def site():
    with DemoSite(broken_feed=False) as demo:
        yield demo


@pytest.mark.parametrize("grace", [60, 0.2], ids=["jobs-finish", "jobs-cancelled"])
def test_scheduler_crawls_refuses_a_second_and_stops_on_sigterm(site, tmp_path, grace):
    # slower politeness than the demo's, so that pages are still in flight at SIGTERM
    slow = site.sources_yaml().replace("min_interval: 0.05", "min_interval: 0.3")
    assert slow != site.sources_yaml()
    (tmp_path / "sources.yaml").write_text(slow, encoding="utf-8")
    (tmp_path / "diembao.yaml").write_text(
        f"scheduler:\n  jitter: 0.5\n  stop_grace: {grace}\n", encoding="utf-8")
    db = tmp_path / "diembao.db"
    env = {**os.environ, "DIEMBAO_SETTINGS": str(tmp_path / "diembao.yaml")}
    cmd = [DIEMBAO, "--db", str(db), "--sources", str(tmp_path / "sources.yaml"), "run"]
    first = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (_query(db, "SELECT count(*) FROM locks") or (0,))[0] == 1, 30,
                  "the scheduler lock")
        second = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=60)
        assert second.returncode == 4, second.stderr
        assert "another scheduler" in second.stderr
        _wait_for(lambda: (_query(db, "SELECT count(*) FROM articles") or (0,))[0] >= 5, 60,
                  "articles crawled by the scheduler")
        in_flight = _query(db, "SELECT count(*) FROM feed_items WHERE status = 'fetching'")[0]
        assert in_flight > 0  # SIGTERM comes while pages are being fetched
    finally:
        first.send_signal(signal.SIGTERM)
        try:
            _, stderr = first.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            first.kill()
            raise
    assert first.returncode == 0, stderr
    assert _query(db, "SELECT count(*) FROM locks")[0] == 0
    # nothing left claimed: what was in flight finished or was given back
    assert _query(db, "SELECT count(*) FROM feed_items WHERE status = 'fetching'")[0] == 0
    given_back = _query(db, "SELECT count(*) FROM feed_items WHERE status = 'new'")[0]
    assert (given_back > 0) == (grace < 1)  # cancelled runs gave their pages back
    # every item marked fetched points at a stored article: no half-written rows
    orphans = _query(db, "SELECT count(*) FROM feed_items WHERE status = 'fetched' AND "
                         "article_id NOT IN (SELECT id FROM articles)")
    assert orphans[0] == 0
    dup = _query(db, "SELECT count(*) - count(DISTINCT canonical_url) FROM articles")
    assert dup[0] == 0
