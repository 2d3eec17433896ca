"""Browser tests: `diembao serve` on a free port, driven by Playwright with Debian's Chromium.

Skips with a reason when /usr/bin/chromium or the playwright package is absent (local runs);
CI installs both with .ci/browser-setup.sh. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "mat-khau-trinh-duyet-1"
NOW = datetime.now(UTC).replace(microsecond=0)
SERVE = ("import sys; from monitor.cli import main\n"
         "if 'serve' not in main.commands:\n"
         "    from monitor.cli_web import register; register(main)\n"
         "main(sys.argv[1:])")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: while Playwright's sync API runs, the thread has a running event loop and
    other tests' asyncio.run() would fail, so it must stop before the next module."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (CI installs it with .ci/browser-setup.sh)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield found
        found.close()


def _seed(db_path: Path) -> dict:
    from monitor.store import open_database
    from monitor.store.tables import articles, clusters, flags, labels
    from monitor.web.accounts import add_user
    from monitor.web.sample import seed

    db = open_database(str(db_path))
    seed(db, 300, now=NOW, days=14)
    when = NOW - timedelta(hours=2)
    with db.begin() as conn:
        add_user(conn, "chuyenvien", PASSWORD, "analyst", now=NOW)
        add_user(conn, "xem", PASSWORD, "viewer", now=NOW)
        for aid, title, body in (
                (800001, "<script>alert('xss')</script> Tin đồn thu phí cầu Đông Xuyên",
                 ["Có tin xã Đông Xuyên thu phí qua cầu 50.000 đồng mỗi lượt."]),
                (800002, "Khánh thành cầu Bắc Giang mới brwtest", ["Cầu nối hai bờ."]),
                (800003, "Bác sĩ giảng dạy brwtest", ["Chuyện nghề y."])):
            conn.execute(insert(clusters).values(
                id=aid, title=title, first_article_id=aid, first_source_id="mau-tonghop",
                first_published=when, size=1, outlets=1, independent_outlets=1, created_at=NOW,
                updated_at=NOW))
            conn.execute(insert(articles).values(
                id=aid, canonical_url=f"https://x.example/{aid}", url=f"https://x.example/{aid}",
                source_id="mau-tonghop", title=title, sapo="", body=body, published=when,
                published_origin="json-ld", tags=[], images=[], captions=[], first_seen=when,
                fetched_at=when, updated_at=when, content_hash=str(aid), relevance="about",
                cluster_id=aid, cluster_relation="new"))
        conn.execute(insert(labels).values(article_id=800002, kind="topic", value="y-te",
                                           score=0.6, origin="model",
                                           model_version="topic-sample-1", created_at=NOW))
        conn.execute(insert(flags).values(
            id=700001, article_id=800001, score=9.5, status="open", created_at=NOW,
            updated_at=NOW, signals=[{"name": "rebutted_claim", "weight": 0.9,
                                      "reason": "Trùng tin đã bị bác bỏ",
                                      "evidence": {"field": "body", "text": "thu phí qua cầu"}}]))
    db.dispose()
    return {"script_article": 800001, "topic_article": 800002, "flag": 700001}


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (CI installs it with .ci/browser-setup.sh)")
    db_path = tmp_path_factory.mktemp("browser") / "ui.db"
    ids = _seed(db_path)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "--db", str(db_path), "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc)
        yield {"url": url, **ids}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"diembao serve exited: {proc.stdout.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("diembao serve did not answer in time")


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    found = context.new_page()
    found.set_default_timeout(10_000)
    found.csp_errors = []
    found.dialogs = []
    found.on("console", lambda m: "Content Security Policy" in m.text
             and found.csp_errors.append(m.text))
    found.on("dialog", lambda d: (found.dialogs.append(d.message), d.dismiss()))
    yield found
    context.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
