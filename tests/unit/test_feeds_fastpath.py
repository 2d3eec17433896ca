"""The lxml fast path for plain RSS 2.0 gives exactly what the feedparser path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import feeds
from monitor.demosite import load_demo_articles, load_demo_outlets, render_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def _both(body: bytes, url: str):
    fast = feeds._parse_plain_rss(feeds._fix_encoding(body, {})[0], url, None)
    slow = feeds._parse_syndication(body, url, {}, None, fast_path=False)
    return fast, slow


def _same(body: bytes, url: str) -> bool:
    """Asserts agreement when the fast path takes the feed; returns whether it took it."""
    fast, slow = _both(body, url)
    if fast is None:
        return False
    assert fast.items == slow.items
    assert fast.title == slow.title
    return True


def _shared_feeds(root: Path) -> list[Path]:
    folders = ("feeds/outlets-2026", "feeds/outlets-2026/older-versions", "feeds/vnexpress-archive")
    return [p for f in folders for p in sorted((root / f).iterdir())
            if p.is_file() and not p.name.endswith((".md", ".html", ".json"))]


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.iterdir()
                                        if p.suffix == ".rss"), ids=lambda p: p.name)
def test_fixture_feeds_agree(path):
    _same(path.read_bytes(), "https://example.vn/rss/feed.rss")


def test_real_outlet_feeds_agree_and_most_take_the_fast_path(shared_data):
    taken = [p.name for p in _shared_feeds(shared_data)
             if _same(p.read_bytes(), f"https://{p.stem.split('_')[0]}.vn/rss/x.rss")]
    assert len(taken) >= 15, taken


def test_demo_feeds_agree():
    outlets, articles = load_demo_outlets(), load_demo_articles()
    taken = 0
    for outlet_id, outlet in outlets.items():
        if outlet.main_feed.kind != "rss":
            continue
        body = render_feed(outlet, articles[outlet_id], "http://127.0.0.1:1")
        taken += _same(body, "http://127.0.0.1:1/rss/x.rss")
    assert taken >= 3


def test_atom_and_ill_formed_feeds_go_to_feedparser():
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
            b'<entry><title>a</title><link href="https://x.vn/a"/></entry></feed>')
    raw_amp = (b'<rss version="2.0"><channel><item><title>A & B</title>'
               b'<link>https://x.vn/a?x=1&y=2</link></item></channel></rss>')
    dc_only = (b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item>'
               b'<title>a</title><link>https://x.vn/a</link><dc:date>2026-11-25T07:00:00+07:00'
               b'</dc:date></item></channel></rss>')
    for body in (atom, raw_amp, dc_only):
        fast, slow = _both(body, "https://x.vn/rss")
        assert fast is None and slow.items
