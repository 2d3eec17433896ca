"""One test per quirk of QUIRKS.md 2.1/2.2 (and a few of 2.4/2.7), on tests/fixtures/feeds/qNN_*.

Each fixture states in its header comment what it tests and the expected values asserted here.
Quirk 21 (fonts lacking Vietnamese glyphs) is a UI concern and is deliberately left out.
Quirk 13 (FiLi's old JSON API) is a date-parser test: its JSON has no room for a header comment.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from monitor.dates import parse_datetime
from monitor.errors import FeedError
from monitor.feeds import parse_feed
from monitor.models import ParsedFeed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
NOW = datetime(2026, 10, 3, 5, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def load(name: str, url: str = "https://example.vn/rss/feed.rss", **kwargs: object) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=url, **kwargs)  # type: ignore[arg-type]


def times(parsed: ParsedFeed) -> list[datetime | None]:
    return [item.published for item in parsed.items]


def test_every_fixture_describes_itself() -> None:
    for path in FEEDS.iterdir():
        text = path.read_text(encoding="utf-8")
        body = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
        assert body.startswith("<!--") and "Expected" in body.split("-->")[0], path.name


def test_q01_baochinhphu_us_date() -> None:
    parsed = load("q01_baochinhphu_us_date.rss")
    assert times(parsed) == [utc(2026, 9, 14, 11, 44), utc(2026, 9, 2, 17, 5)]
    assert parsed.items[0].published_raw == "9/14/2026 6:44:00 PM"
    assert parsed.items[0].url.startswith("https://baochinhphu.vn/bac-giang-mo-rong-kcn")


def test_q02_tuoitre_us_date_narrow_nbsp() -> None:
    parsed = load("q02_tuoitre_us_date_narrow_nbsp.rss")
    assert times(parsed) == [utc(2026, 9, 16, 3, 30), utc(2026, 9, 16, 15, 17)]
    assert "\u202f" in parsed.items[0].published_raw
    assert "\u00a0" in parsed.items[1].published_raw


def test_q03_vtv_truncated_offset() -> None:
    assert times(load("q03_vtv_truncated_offset.rss")) == [utc(2026, 9, 14, 12, 46, 22)]


def test_q04_vietnambiz_gmt7_inside_cdata() -> None:
    parsed = load("q04_vietnambiz_gmt7_cdata.rss")
    assert times(parsed) == [utc(2026, 9, 15, 2, 2, 15)]
    assert parsed.items[0].published_raw == "Tue, 15 Sep 2026 09:02:15 GMT+7"


def test_q05_offset_with_colon() -> None:
    assert times(load("q05_colon_offset.rss")) == [utc(2026, 9, 14, 11, 48, 23)]


def test_q06_two_digit_year() -> None:
    assert times(load("q06_two_digit_year.rss")) == [utc(2026, 9, 14, 1, 0)]


def test_q07_vneconomy_gmt() -> None:
    assert times(load("q07_vneconomy_gmt.rss")) == [utc(2026, 9, 14, 3, 55, 37)]


def test_q08_tinnhanhchungkhoan_iso_offset_without_colon_and_epoch() -> None:
    parsed = load("q08_tinnhanhchungkhoan_iso_no_colon.html", kind="section",
                  item_selector="article.story", time_selector="time")
    assert times(parsed) == [utc(2026, 9, 15, 0, 13, 33), utc(2026, 9, 15, 12, 3, 45)]
    assert parsed.items[1].published_raw == "1789473825"


def test_q09_diendandoanhnghiep_text_time_and_us_meta() -> None:
    parsed = load("q09_diendandoanhnghiep_text_time.html", kind="section",
                  item_selector=".b-grid", time_selector=".b-grid__time")
    assert [item.title for item in parsed.items] == ["Tân Yên thu hút đầu tư",
                                                     "Lạng Giang mở cụm công nghiệp"]
    assert times(parsed) == [None, utc(2026, 9, 14, 4, 20)]
    page = lxml.html.fromstring((FEEDS / "q09_diendandoanhnghiep_text_time.html").read_bytes())
    meta = page.xpath("string(//meta[@name='article:published_time']/@content)")
    assert parse_datetime(meta) == utc(2026, 9, 15, 8, 5)


def test_q10_cafebiz_title_attribute_iso_without_offset() -> None:
    parsed = load("q10_cafebiz_title_iso_no_offset.html",
                  url="https://cafebiz.vn/cau-chuyen-kinh-doanh.chn", kind="section",
                  item_selector="a.cfbiznews_title", time_selector=".time")
    assert times(parsed) == [None, utc(2026, 9, 15, 3, 0), utc(2026, 9, 15, 2, 51)]
    assert parsed.items[1].published_raw == "2026-09-15T10:00:00"
    assert all(item.url.startswith("https://cafebiz.vn/") for item in parsed.items)


def test_q11_baodautu_listing_without_time() -> None:
    parsed = load("q11_baodautu_no_listing_time.html", kind="section",
                  item_selector="a.fs32, a.title_thumb_square", time_selector=".post-time")
    assert len(parsed.items) == 2
    assert times(parsed) == [None, None]  # the page's .post-time lies outside every card
    page = lxml.html.fromstring((FEEDS / "q11_baodautu_no_listing_time.html").read_bytes())
    post_time = page.xpath("string(//div[@class='post-time'])")
    assert parse_datetime(post_time) == utc(2026, 9, 14, 3, 30)


def test_q12_fili_relative_times() -> None:
    kwargs = {"url": "https://fili.vn/ngan-hang-bao-hiem.htm", "kind": "section",
              "item_selector": "article.search-card-item", "time_selector": "time"}
    parsed = load("q12_fili_relative_times.html", now=NOW, **kwargs)
    assert times(parsed) == [utc(2026, 10, 3, 1, 0), utc(2026, 10, 3, 4, 25),
                             utc(2026, 10, 2, 13, 58)]
    assert parsed.items[0].published_raw == "4 giờ trước"
    assert times(load("q12_fili_relative_times.html", **kwargs)) == [
        None, None, utc(2026, 10, 2, 13, 58)]


def test_q13_fili_aspnet_json_date() -> None:
    assert parse_datetime("/Date(1789558294227)/").replace(microsecond=0) == utc(
        2026, 9, 16, 11, 31, 34)


def test_q14_vtv_items_span_25_days_keep_their_own_dates() -> None:
    assert times(load("q14_vtv_items_span_25_days.rss")) == [utc(2026, 9, 14, 12, 46, 22),
                                                             utc(2026, 8, 20, 1, 0)]


def test_q15_never_guess_a_time() -> None:
    parsed = load("q15_no_usable_time.rss")
    assert times(parsed) == [None, None, None]
    assert [item.published_raw for item in parsed.items] == [None, "đang cập nhật", "15/09/2026"]


def test_q16_prolog_declares_utf16_but_bytes_are_utf8() -> None:
    parsed = load("q16_prolog_utf16_but_utf8.rss")
    assert [item.title for item in parsed.items] == ["Giá cà phê hôm nay"]
    assert any("utf-16" in warning for warning in parsed.warnings)


def test_q16_header_charset_contradicts_utf8_bytes() -> None:
    body = (FEEDS / "q05_colon_offset.rss").read_bytes()
    parsed = parse_feed(body, url="https://nhandan.vn/rss/kinhte-1185.rss",
                        headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"})
    assert parsed.items[0].title == "Nông sản Bắc Giang lên sàn thương mại điện tử"
    assert any("charset" in warning for warning in parsed.warnings)


def test_q17_thanhnien_double_encoded_entities() -> None:
    assert load("q17_thanhnien_double_entities.rss").items[0].title == "Giá lúa tuần này tăng"


def test_q18_vietnambiz_entities_inside_cdata() -> None:
    parsed = load("q18_vietnambiz_cdata_entities.rss")
    assert parsed.items[0].title == "Tỷ giá euro ngày 15/9 mất giá"


def test_q19_vietnamplus_decomposed_title() -> None:
    raw = (FEEDS / "q19_vietnamplus_nfd.rss").read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", raw)  # the fixture really holds NFD
    parsed = load("q19_vietnamplus_nfd.rss")
    title = parsed.items[0].title
    assert title == unicodedata.normalize("NFC", "Giải quyết xung đột đất đai ở Sơn Động")
    assert re.search("đột", title)
    assert unicodedata.is_normalized("NFC", parsed.title)


def test_q20_fili_hex_entities() -> None:
    parsed = load("q20_fili_hex_entities.html", url="https://fili.vn/ngan-hang-bao-hiem.htm",
                  kind="section", item_selector="article.search-card-item", time_selector="time")
    (item,) = parsed.items
    assert item.title == 'Tập trung tín dụng cho "nông nghiệp xanh"'
    assert item.url == "https://fili.vn/2026/10/tap-trung-tin-dung-757-1000010.htm"
    assert item.published == utc(2026, 10, 2, 13, 58)


# Quirk 21 (fonts without Vietnamese glyphs) concerns the UI, not feed parsing: left out.


def test_q22_whitespace_in_titles() -> None:
    assert [item.title for item in load("q22_whitespace_titles.rss").items] == [
        "Giá dầu thô tăng khi eo biển bị phong tỏa",
        "Lãi suất ngân hàng hôm nay 24/9/2026",
        "Vải thiều Lục Ngạn vào vụ",
    ]


def test_q33_baodautu_empty_channel_is_not_an_error() -> None:
    parsed = load("q33_baodautu_empty_channel.rss")
    assert parsed.items == ()
    assert parsed.title == "Trang chủ"
    assert any("no entries" in warning for warning in parsed.warnings)


def test_q45_repeated_links_keep_the_first_occurrence() -> None:
    parsed = load("q45_tinnhanhchungkhoan_repeated_links.html", kind="section",
                  item_selector=".story__heading a", time_selector="time")
    assert [item.url for item in parsed.items] == [
        "https://www.tinnhanhchungkhoan.vn/a-post1.html",
        "https://www.tinnhanhchungkhoan.vn/b-post2.html",
    ]
    assert times(parsed) == [utc(2026, 9, 15, 0, 13, 33), None]


def test_q46_cafebiz_never_borrows_another_cards_time() -> None:
    parsed = load("q46_cafebiz_no_borrowed_time.html", url="https://cafebiz.vn/",
                  kind="section", item_selector="a.cfbiznews_title", time_selector=".time")
    assert times(parsed) == [None, utc(2026, 9, 15, 3, 0)]


def test_q50_relative_link_with_tracking_parameters() -> None:
    parsed = load("q50_relative_link_utm.rss", url="https://vnexpress.net/rss/kinh-doanh.rss")
    assert parsed.items[0].url == "https://vnexpress.net/gia-vang-5119580.html?id=7"


def test_q51_zero_items_on_a_section_page_fail_loudly() -> None:
    with pytest.raises(FeedError) as caught:
        load("q51_markup_changed.html", url="https://example.vn/chung-khoan/", kind="section",
             item_selector="article.story")
    assert caught.value.url == "https://example.vn/chung-khoan/"
    assert "article.story" in caught.value.reason
