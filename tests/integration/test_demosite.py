"""The demo archive served on 127.0.0.1: feeds with their quirks, pages, caching, article data."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import httpx
import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from monitor.demosite import (
    ARTICLES_DIR,
    NOTICE,
    DemoSite,
    feed_time,
    load_demo_articles,
    load_demo_outlets,
    render_article_page,
    render_feed,
)
from monitor.errors import ConfigError

OUTLETS = load_demo_outlets()
STORIES = {"kcn-viet-yen-fdi", "sat-lo-song-thuong", "tin-sai-thu-phi-cau", "chi-so-par-2026",
           "ngay-hoi-van-hoa-son-dong", "gia-vang-25-11"}
TIMES = ["2026-11-24 21:40", "2026-11-25 07:30", "2026-11-25 15:05", "2026-11-25 10:30"]
TITLES = ["Sáng nay tỉnh Bắc Ninh họp báo", "Chợ phiên vùng cao ngày cuối tuần",
          "Hội nghị về chuyển đổi số", "Giá lúa tăng nhẹ tại Lục Nam"]


def _article(outlet_index: int, n: int) -> dict:
    return {
        "id": 100 * (outlet_index + 1) + n, "slug": f"bai-mau-so-{n}",
        "published": TIMES[n], "section": ["Thời sự", "Kinh tế", "Văn hóa - Du lịch"][n % 3],
        "author": "Minh Châu" if n % 2 else None, "title": f"{TITLES[n]} ({outlet_index}-{n})",
        "sapo": f"Sapo của bài mẫu số {n}.", "body": [f"Đoạn {k} của bài {n}." for k in range(4)],
        "captions": ["Quang cảnh buổi làm việc."], "tags": ["bài mẫu", "Bac Giang"],
    }


def _write_articles(folder: Path) -> None:
    for i, outlet_id in enumerate(OUTLETS):
        articles = [_article(i, n) for n in range(4)]
        articles.append({**_article(i, 0), "id": 999 + i, "slug": "bai-ngay-mai",
                         "published": "2026-11-26 08:00", "title": "Bài đăng sau ngày báo"})
        for a in articles:
            if a["author"] is None:
                del a["author"]
        text = yaml.safe_dump(articles, allow_unicode=True, sort_keys=False)
        (folder / f"{outlet_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo-articles")
    _write_articles(folder)
    with DemoSite(folder) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx.Client(trust_env=False, timeout=5) as c:
        yield c


def _feed(site: DemoSite, client: httpx.Client, outlet_id: str) -> httpx.Response:
    return client.get(site.base_urls[outlet_id] + OUTLETS[outlet_id].main_feed.path)


def _page(site: DemoSite, client: httpx.Client, outlet_id: str, n: int = 1) -> str:
    article = next(a for a in site.articles[outlet_id] if a.slug == f"bai-mau-so-{n}")
    response = client.get(site.url_for(outlet_id, article))
    assert response.status_code == 200
    return response.text


# --------------------------------------------------------------------------- feeds


@pytest.mark.parametrize("outlet_id", sorted(OUTLETS))
def test_feed_answers_with_content_type_and_lists_press_day_items(site, client, outlet_id):
    response = _feed(site, client, outlet_id)
    kind = OUTLETS[outlet_id].main_feed.kind
    expected = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                "sitemap": "application/xml", "section": "text/html"}[kind]
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert response.headers["etag"].startswith('"')
    text = response.content.decode("utf-8")
    for article in site.articles[outlet_id]:
        path = OUTLETS[outlet_id].article_path(article)
        assert (path in text) == (article.slug != "bai-ngay-mai"), path


@pytest.mark.parametrize("outlet_id", [o for o in sorted(OUTLETS)
                                       if OUTLETS[o].main_feed.kind != "section"])
def test_xml_feeds_are_well_formed_once_the_prolog_is_honest(site, client, outlet_id):
    body = _feed(site, client, outlet_id).content.replace(b'encoding="utf-16"', b'encoding="utf-8"')
    root = etree.fromstring(body)
    entries = [e for e in root.iter() if etree.QName(e).localname in ("item", "entry", "url")]
    assert len(entries) == 4


def test_trunguong_prints_us_pubdates_without_offset(site, client):
    text = _feed(site, client, "demo-trunguong").text
    assert "<pubDate>11/25/2026 3:05:00 PM</pubDate>" in text
    assert "<pubDate>11/24/2026 9:40:00 PM</pubDate>" in text
    assert "+07" not in text


def test_quocgia_double_encodes_one_title_and_links_relatively_with_utm(site, client):
    text = _feed(site, client, "demo-quocgia").text
    titles = re.findall(r"<title>([^<]+)</title>", text)[1:]
    broken = [t for t in titles if "&amp;" in t]
    assert len(broken) == 1  # one title is escaped twice, e.g. "n&amp;agrave;y"
    once = html.unescape(broken[0])
    assert once != html.unescape(once) in {a.title for a in site.articles["demo-quocgia"]}
    links = re.findall(r"<link>([^<]+)</link>", text)[1:]
    assert links and all(link.startswith("/") and "utm_source=rss" in link for link in links)
    assert "<pubDate>Wed, 25 Nov 2026 07:30:00 +07:00</pubDate>" in text


def test_kinhte_declares_utf16_but_sends_utf8_with_cdata_dates(site, client):
    body = _feed(site, client, "demo-kinhte").content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-16"?>')
    assert b"\x00" not in body  # really not UTF-16
    text = body.decode("utf-8")
    assert "Sáng nay tỉnh Bắc Ninh" in text
    assert "<pubDate><![CDATA[Wed, 25 Nov 2026 15:05:00 GMT+7]]></pubDate>" in text


def test_bacgiang_atom_has_exactly_one_nfd_title(site, client):
    root = etree.fromstring(_feed(site, client, "demo-bacgiang").content)
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")][1:]
    decomposed = [t for t in titles if unicodedata.normalize("NFC", t) != t]
    assert len(decomposed) == 1
    assert unicodedata.normalize("NFC", decomposed[0]).startswith("Hội nghị về chuyển đổi số")
    assert b"<published>2026-11-25T07:30:00+07:00</published>" in etree.tostring(root)


def test_ptth_section_page_has_cards_with_times_and_a_featured_block(site, client):
    doc = lxml_html.fromstring(_feed(site, client, "demo-ptth").content)
    cards = doc.cssselect(OUTLETS["demo-ptth"].main_feed.item_selector)
    timed = [c for c in cards if c.cssselect(".card-time")]
    assert len(timed) == 4 and len(cards) == 7  # 3 featured cards repeat links without a time
    times = [c.cssselect(".card-time")[0].text for c in timed]
    assert "25/11/2026 15:05" in times and all(re.fullmatch(r"\d\d/\d\d/2026 \d\d:\d\d", t)
                                               for t in times)
    featured = {c.cssselect("a")[0].get("href") for c in cards if c not in timed}
    assert featured <= {c.cssselect("a")[0].get("href") for c in timed}


def test_congthuong_sitemap_has_iso_publication_dates(site, client):
    text = _feed(site, client, "demo-congthuong").text
    assert "<news:publication_date>2026-11-25T15:05:00+07:00</news:publication_date>" in text
    assert "<news:title>Sáng nay tỉnh Bắc Ninh họp báo (5-0)</news:title>" in text


def test_phapluat_truncates_the_offset_and_pads_cdata_titles(site, client):
    text = _feed(site, client, "demo-phapluat").text
    assert "<pubDate>Wed, 25 Nov 2026 15:05:00 +07</pubDate>" in text
    padded = r"<title><!\[CDATA\[\s+Hội nghị về chuyển đổi số \(6-2\)\s+\]\]></title>"
    assert re.search(padded, text)


def test_tonghop_leaves_pubdate_out_of_some_items(site, client):
    root = etree.fromstring(_feed(site, client, "demo-tonghop").content)
    items = root.findall("./channel/item")
    missing = [i for i in items if i.find("pubDate") is None]
    assert 0 < len(missing) < len(items)


def test_render_feed_is_pure(site):
    outlet = OUTLETS["demo-quocgia"]
    articles = site.articles["demo-quocgia"]
    assert render_feed(outlet, articles, "http://x") == render_feed(outlet, articles, "http://x")
    assert render_feed(outlet, articles, "http://x") != render_feed(outlet, articles, "http://y")


def test_feed_time_styles_are_the_outlets_quirks(site):
    moment = site.articles["demo-trunguong"][2].published  # 25/11/2026 15:05 ICT
    assert feed_time(moment, "us") == "11/25/2026 3:05:00 PM"
    assert feed_time(moment, "rfc822_short").endswith("15:05:00 +07")
    assert feed_time(moment, "dmy") == "25/11/2026 15:05"
    with pytest.raises(ValueError):
        feed_time(moment, "nonsense")


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("outlet_id", sorted(OUTLETS))
def test_article_page_shows_notice_title_and_noindex(site, client, outlet_id):
    text = _page(site, client, outlet_id)
    doc = lxml_html.fromstring(text)
    assert NOTICE in doc.text_content()
    assert doc.cssselect('meta[name="robots"]')[0].get("content") == "noindex"
    assert doc.cssselect("h1")[0].text_content().startswith("Chợ phiên vùng cao ngày cuối tuần")
    assert "Quang cảnh buổi làm việc." in [f.text for f in doc.cssselect("figcaption")]
    has_jsonld = bool(doc.cssselect('script[type="application/ld+json"]'))
    assert has_jsonld == ("jsonld_newsarticle" in OUTLETS[outlet_id].page_meta)


def test_jsonld_carries_iso_times(site, client):
    doc = lxml_html.fromstring(_page(site, client, "demo-trunguong", n=2))
    data = json.loads(doc.cssselect('script[type="application/ld+json"]')[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["datePublished"] == "2026-11-25T15:05:00+07:00"


def test_per_outlet_time_markup(site, client):
    phapluat = lxml_html.fromstring(_page(site, client, "demo-phapluat", n=2))
    meta = phapluat.cssselect('meta[property="article:published_time"]')[0].get("content")
    assert meta == "11/25/2026 3:05:00 PM"
    bacgiang = _page(site, client, "demo-bacgiang", n=3)
    assert '<div class="post-time">- 25/11/2026 10:30</div>' in bacgiang
    assert "published_time" not in bacgiang and "datePublished" not in bacgiang
    assert "Thứ tư, 25/11/2026, 07:30 (GMT+7)" in _page(site, client, "demo-quocgia", n=1)


def test_render_article_page_escapes_text(site):
    article = site.articles["demo-tonghop"][0]
    from dataclasses import replace
    page = render_article_page(OUTLETS["demo-tonghop"], replace(article, title="<b>Sốc</b> & lạ"))
    assert b"&lt;b&gt;S\xe1\xbb\x91c&lt;/b&gt; &amp; l\xe1\xba\xa1" in page
    assert b"<b>S" not in page


# --------------------------------------------------------------------------- serving


def test_conditional_get_answers_304(site, client):
    url = site.base_urls["demo-kinhte"] + "/rss/home.rss"
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    older = "Mon, 23 Nov 2026 00:00:00 GMT"
    again = client.get(url, headers={"If-Modified-Since": older})
    assert again.status_code == 200 and again.content == first.content
    assert last_modified == "Wed, 25 Nov 2026 08:05:00 GMT"  # newest listed item, 15:05 ICT


def test_broken_feed_answers_404_and_is_logged(site, client):
    url = site.base_urls["demo-quocgia"] + "/rss/cu.rss"
    assert url in site.sources_yaml()
    assert client.get(url).status_code == 404
    assert ("demo-quocgia", "GET", "/rss/cu.rss", 404) in site.requests


def test_robots_unknown_paths_and_query_strings(site, client):
    base = site.base_urls["demo-ptth"]
    robots = client.get(base + "/robots.txt")
    assert robots.status_code == 200 and "Disallow: /admin/" in robots.text
    assert robots.headers["content-type"].startswith("text/plain")
    assert client.get(base + "/khong-co-trang-nay.html").status_code == 404
    article = site.articles["demo-quocgia"][0]
    tracked = site.url_for("demo-quocgia", article) + "?utm_source=rss&utm_medium=feed"
    assert client.get(tracked).status_code == 200


def test_each_outlet_has_its_own_port(site):
    ports = {url.rsplit(":", 1)[1] for url in site.base_urls.values()}
    assert len(ports) == len(OUTLETS) == 8


def test_article_after_press_day_is_served_but_not_listed(site, client):
    late = next(a for a in site.articles["demo-tonghop"] if a.slug == "bai-ngay-mai")
    assert client.get(site.url_for("demo-tonghop", late)).status_code == 200
    listed = _feed(site, client, "demo-tonghop").text
    assert OUTLETS["demo-tonghop"].article_path(late) not in listed


def test_sources_yaml_matches_the_running_site(site, client, tmp_path):
    data = yaml.safe_load(site.sources_yaml())
    ids = [s["id"] for s in data["sources"]]
    assert ids == sorted(OUTLETS)
    assert sum(1 for s in data["sources"] if "rules" in s) <= 3
    for source in data["sources"]:
        assert source["homepage"] == site.base_urls[source["id"]] + "/"
        assert source["politeness"] == {"concurrency": 2, "min_interval": 0.05}
        for feed in source["feeds"]:
            assert feed["url"].startswith(site.base_urls[source["id"]])
            expected = 404 if feed["url"].endswith("/rss/cu.rss") else 200
            assert client.get(feed["url"]).status_code == expected
    section = next(s for s in data["sources"] if s["id"] == "demo-ptth")["feeds"][0]
    assert section["kind"] == "section" and section["item_selector"]


def test_sources_yaml_passes_the_config_validator(site, tmp_path):
    config = pytest.importorskip("monitor.config")
    path = tmp_path / "sources.yaml"
    path.write_text(site.sources_yaml(), encoding="utf-8")
    sources = config.load_sources(path)
    assert len(sources) == len(OUTLETS)


def test_without_broken_feed_the_old_feed_is_not_listed(tmp_path):
    with DemoSite(tmp_path, broken_feed=False) as quiet:
        text = quiet.sources_yaml()
    assert "/rss/cu.rss" not in text and "/rss/tin-moi.rss" in text


# --------------------------------------------------------------------------- article data


BAD_CASES = [
    ("title", None, "[1].title"),
    ("slug", "Bài Mẫu", "[1].slug"),
    ("published", "25/11/2026 07:30", "[1].published"),
    ("id", "mot", "[1].id"),
    ("about", "maybe", "[1].about"),
    ("body", [], "[1].body"),
    ("sapo", unicodedata.normalize("NFD", "Sáng nay"), "[1].sapo"),
    ("headline", "x", "[1].headline"),
    ("modified", "2026-11-24 06:00", "[1].modified"),
]


@pytest.mark.parametrize(("field", "value", "where"), BAD_CASES)
def test_load_demo_articles_names_file_and_field(tmp_path, field, value, where):
    good = [_article(0, 0), _article(0, 1)]
    bad = dict(good[1])
    if value is None:
        del bad[field]
    else:
        bad[field] = value
    path = tmp_path / "demo-tonghop.yaml"
    path.write_text(yaml.safe_dump([good[0], bad], allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_demo_articles(tmp_path)
    assert info.value.file == str(path) and info.value.path == where
    assert "demo-tonghop.yaml" in str(info.value) and where in str(info.value)


def test_load_demo_articles_rejects_duplicates_and_unknown_outlets(tmp_path):
    path = tmp_path / "demo-ptth.yaml"
    path.write_text(yaml.safe_dump([_article(0, 0), _article(0, 0)], allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"demo-ptth\.yaml: \[1\]\.id"):
        load_demo_articles(tmp_path)
    path.unlink()
    (tmp_path / "demo-khac.yaml").write_text("[]", encoding="utf-8")
    with pytest.raises(ConfigError, match="demo-khac.yaml"):
        load_demo_articles(tmp_path)


def test_load_demo_articles_reads_local_time_as_ict(tmp_path):
    (tmp_path / "demo-kinhte.yaml").write_text(yaml.safe_dump([_article(0, 1)]), encoding="utf-8")
    article = load_demo_articles(tmp_path)["demo-kinhte"][0]
    assert article.published.utcoffset().total_seconds() == 0
    assert (article.published.hour, article.published.minute) == (0, 30)  # 07:30 ICT
    assert article.author == "Minh Châu" and article.body[0] == "Đoạn 0 của bài 1."


def test_shipped_article_files_load_with_unique_ids_and_slugs():
    shipped = sorted(ARTICLES_DIR.glob("*.yaml")) if ARTICLES_DIR.is_dir() else []
    if not shipped:
        pytest.skip(f"no article files yet in {ARTICLES_DIR}")
    articles = load_demo_articles()
    for outlet_id, items in articles.items():
        outlet = OUTLETS[outlet_id]
        assert len({a.id for a in items}) == len(items)
        assert len({a.slug for a in items}) == len(items)
        assert len({outlet.article_path(a) for a in items}) == len(items)
        for a in items:
            assert a.story is None or a.story in STORIES, (outlet_id, a.id, a.story)
            assert 4 <= len(a.body) <= 8, (outlet_id, a.id, len(a.body))
            page = render_article_page(outlet, a).decode("utf-8")
            assert NOTICE in page and html.escape(a.title) in page
