"""Tests of monitor.feeds.parse_feed beyond the named quirks: kinds, errors, encodings, links."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FeedError
from monitor.feeds import parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
URL = "https://example.vn/rss/tin-moi.rss"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rss(items: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (f'{prolog}<rss version="2.0"><channel><title>T</title><link>https://example.vn/'
            f"</link>{items}</channel></rss>").encode()


def test_html_given_as_rss_raises_feed_error_with_url_and_reason() -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed((FEEDS / "not_a_feed.html").read_bytes(), url=URL)
    assert caught.value.url == URL
    assert "not a feed" in caught.value.reason


def test_text_that_is_not_a_feed_raises() -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"No Content", url=URL)


@pytest.mark.parametrize("body", [b"", b"  \n\t "])
def test_empty_body_raises(body: bytes) -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(body, url=URL)


def test_raw_ampersand_keeps_items_with_a_warning() -> None:
    body = rss('<item><title>Giá vàng & USD</title><link>https://example.vn/a.html?x=1&y=2</link>'
               "<pubDate>Mon, 14 Sep 2026 08:00:00 +0700</pubDate></item>")
    parsed = parse_feed(body, url=URL)
    assert [item.title for item in parsed.items] == ["Giá vàng & USD"]
    assert parsed.items[0].published == utc(2026, 9, 14, 1, 0)
    assert any("not well-formed" in warning for warning in parsed.warnings)


def test_summary_is_plain_text_and_guid_is_kept() -> None:
    body = rss("<item><title>A</title><link>https://example.vn/a.html</link><guid>g-1</guid>"
               "<description><![CDATA[<a href='x'><img src='y.jpg'/></a></br>Tóm&nbsp;tắt"
               "<p>đoạn <b>hai</b></p><script>alert(1)</script>]]></description></item>")
    item = parse_feed(body, url=URL).items[0]
    assert item.summary == "Tóm tắt đoạn hai"
    assert item.guid == "g-1"


def test_zone_less_time_is_local_not_utc() -> None:
    # feedparser reads a zone-less ISO time as UTC; we read it as Vietnamese local time.
    body = rss("<item><title>A</title><link>https://example.vn/a.html</link>"
               "<pubDate>2026-09-15T10:00:00</pubDate></item>")
    assert parse_feed(body, url=URL).items[0].published == utc(2026, 9, 15, 3, 0)


def test_items_without_link_are_skipped_and_repeated_urls_dropped() -> None:
    body = rss("<item><title>No link</title></item>"
               "<item><title>A</title><link>https://example.vn/a.html</link></item>"
               "<item><title>A again</title><link>https://example.vn/a.html#top</link></item>"
               "<item><title>Guid link</title><guid>https://example.vn/g.html</guid></item>")
    parsed = parse_feed(body, url=URL)
    assert [item.url for item in parsed.items] == ["https://example.vn/a.html",
                                                   "https://example.vn/g.html"]
    assert any("1 entries" in warning for warning in parsed.warnings)


def test_non_utf8_feed_with_lying_header_uses_the_prolog() -> None:
    body = rss("<item><title>Café số 1</title><link>https://example.vn/c.html</link></item>",
               prolog='<?xml version="1.0" encoding="iso-8859-1"?>')
    latin1 = body.decode("utf-8").replace("số", "so").encode("iso-8859-1")
    parsed = parse_feed(latin1, url=URL, headers={"content-type": "text/xml; charset=utf-8"})
    assert parsed.items[0].title == "Café so 1"
    assert any("charset" in warning for warning in parsed.warnings)


def test_gzipped_body_is_read() -> None:
    body = gzip.compress(rss("<item><title>A</title><link>https://example.vn/a.html</link></item>"))
    assert parse_feed(body, url=URL).items[0].url == "https://example.vn/a.html"


def test_atom_feed() -> None:
    parsed = parse_feed((FEEDS / "atom_basic.atom").read_bytes(), url="https://example.vn/atom",
                        kind="atom")
    assert parsed.title == "Atom mẫu"
    assert [item.published for item in parsed.items] == [utc(2026, 9, 15, 3, 0),
                                                         utc(2026, 9, 15, 4, 0)]
    assert parsed.items[0].summary == "Đoạn một. Đoạn hai."
    assert parsed.items[1].guid == "urn:a2"


def test_news_sitemap() -> None:
    parsed = parse_feed((FEEDS / "sitemap_news.xml").read_bytes(),
                        url="https://example.vn/sitemap-news.xml", kind="sitemap")
    assert [item.url for item in parsed.items] == [
        "https://example.vn/bac-giang-don-nha-dau-tu-1.html",
        "https://example.vn/bai-2.html",
        "https://example.vn/bai-3.html",
    ]
    assert parsed.items[0].title == "Bắc Giang đón nhà đầu tư mới"
    assert [item.published for item in parsed.items] == [utc(2026, 9, 15, 0, 13, 33),
                                                         utc(2026, 9, 14, 3, 0), None]
    assert parsed.items[2].published_raw == "2026-09-13"


def test_sitemap_index_returns_child_sitemaps_with_a_warning() -> None:
    parsed = parse_feed((FEEDS / "sitemap_index.xml").read_bytes(),
                        url="https://example.vn/sitemap.xml", kind="sitemap")
    assert parsed.items == ()
    assert [child.url for child in parsed.children] == [
        "https://example.vn/sitemaps/news-2026-09-15.xml",
        "https://example.vn/sitemaps/news-2026-09-14.xml",
    ]
    assert parsed.children[0].published == utc(2026, 9, 15, 1, 0)
    assert any("sitemap index" in warning for warning in parsed.warnings)


def test_sitemap_given_as_rss_is_still_read_with_a_warning() -> None:
    parsed = parse_feed((FEEDS / "sitemap_news.xml").read_bytes(), url=URL, kind="rss")
    assert len(parsed.items) == 3
    assert any("sitemap" in warning for warning in parsed.warnings)


def test_html_given_as_sitemap_raises() -> None:
    with pytest.raises(FeedError, match="not a sitemap"):
        parse_feed((FEEDS / "not_a_feed.html").read_bytes(), url=URL, kind="sitemap")


def test_section_needs_an_item_selector() -> None:
    with pytest.raises(FeedError, match="item_selector"):
        parse_feed(b"<html><body><a href='/a'>A</a></body></html>", url=URL, kind="section")


def test_section_invalid_selector_raises_feed_error() -> None:
    with pytest.raises(FeedError, match="invalid item_selector"):
        parse_feed(b"<html><body><a href='/a'>A</a></body></html>", url=URL, kind="section",
                   item_selector="a[[")


def test_section_skips_empty_and_non_http_links_and_honours_base() -> None:
    page = ("<html><head><base href='https://cdn.example.vn/tin/'></head><body>"
            "<a class='x' href=''>Empty href</a><a class='x' href='javascript:void(0)'>JS</a>"
            "<a class='x' href='/img.html'></a><a class='x' href='bai-1.html'> Bài  một </a>"
            "<a class='x' href='mailto:a@b.vn'>Mail</a></body></html>").encode()
    parsed = parse_feed(page, url="https://example.vn/tin/", kind="section", item_selector="a.x")
    assert [(item.url, item.title) for item in parsed.items] == [
        ("https://cdn.example.vn/tin/bai-1.html", "Bài một")]


def test_section_link_title_attribute_is_used_when_text_is_empty() -> None:
    page = (b"<html><body><a class='t' href='/a.html' title='Ti&#234;u &#273;&#7873;'></a>"
            b"</body></html>")
    parsed = parse_feed(page, url="https://example.vn/", kind="section", item_selector="a.t")
    assert parsed.items[0].title == "Tiêu đề"


def test_section_page_in_windows_1258_declared_by_header() -> None:
    text = "<html><body><a class='t' href='/a.html'>Caf\u00e9 Bu\u00f4n</a></body></html>"
    page = text.encode("cp1258")
    parsed = parse_feed(page, url="https://example.vn/", kind="section", item_selector="a.t",
                        headers={"Content-Type": "text/html; charset=windows-1258"})
    assert parsed.items[0].title == "Café Buôn"


def test_featured_copy_without_time_takes_the_same_articles_later_time() -> None:
    page = """<html><body>
      <div class="noi-bat"><article class="card"><a href="/a-1.html">Tin nổi bật A</a></article>
      </div>
      <div class="list">
        <article class="card"><a href="/b-2.html">Tin B</a><span class="t">25/11/2026 08:10</span>
        </article>
        <article class="card"><a href="/a-1.html">Tin nổi bật A</a>
          <span class="t">25/11/2026 07:05</span></article>
      </div></body></html>""".encode()
    parsed = parse_feed(page, url="https://ptth.example.vn/tin-tuc/", kind="section",
                        item_selector="article.card", time_selector=".t")
    assert [i.url.rsplit("/", 1)[1] for i in parsed.items] == ["a-1.html", "b-2.html"]
    assert [i.published for i in parsed.items] == [utc(2026, 11, 25, 0, 5),
                                                   utc(2026, 11, 25, 1, 10)]


def test_a_malformed_link_skips_only_that_item() -> None:
    body = rss("<item><title>A</title><link>http://[x/b</link></item>"
               "<item><title>B</title><link>https://x.vn:99999/b</link></item>"
               "<item><title>C</title><link>https://x.vn/c</link></item>")
    assert [i.url for i in parse_feed(body, url=URL).items] == ["https://x.vn/c"]


def test_unknown_charset_on_a_section_page_is_survived() -> None:
    page = ('<html><head><meta charset="x-bogus"></head><body><article>'
            '<a href="/tin-1.html">Tin một</a></article></body></html>').encode()
    parsed = parse_feed(page, url="https://x.vn/", kind="section", item_selector="article a")
    assert [i.title for i in parsed.items] == ["Tin một"]


def test_a_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (60 * 1024 * 1024))
    with pytest.raises(FeedError, match="expands beyond"):
        parse_feed(bomb, url=URL)


def test_a_sitemap_index_given_as_rss_keeps_its_children() -> None:
    parsed = parse_feed((FEEDS / "sitemap_index.xml").read_bytes(), url=URL, kind="rss")
    assert len(parsed.children) == 2 and parsed.items == ()
