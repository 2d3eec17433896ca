"""The real outlet feeds and pages of ../shared/data/feeds parse, with times read by a person.

Every expected time below was read from the raw file by hand and converted to UTC (ICT = UTC+7).
The files are third-party material: they are read in place, never copied; the tests skip with a
reason when ../shared/data is absent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from monitor.dates import parse_datetime
from monitor.feeds import parse_feed
from monitor.models import FeedItem, ParsedFeed

pytestmark = pytest.mark.shared

NOW = datetime(2026, 10, 3, 5, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def outlets(shared_data: Path) -> Path:
    return shared_data / "feeds" / "outlets-2026"


@pytest.fixture(scope="module")
def archive(shared_data: Path) -> Path:
    return shared_data / "feeds" / "vnexpress-archive"


def item_for(parsed: ParsedFeed, fragment: str) -> FeedItem:
    matches = [item for item in parsed.items if fragment in item.url]
    assert len(matches) == 1, f"{fragment} in {[item.url for item in parsed.items]}"
    return matches[0]


# file, a fragment of one item's URL, its pubDate as printed, that instant in UTC, item count
RSS_CASES = [
    ("baochinhphu.rss", "cua-khau-so-hoa", "9/14/2026 6:44:00 PM", utc(2026, 9, 14, 11, 44), 2),
    ("cafef.rss", "gia-vang-mieng", "Mon, 14 Sep 26 07:23:00 +0700", utc(2026, 9, 14, 0, 23), 2),
    ("dantri.rss", "muon-go-global", "Thu, 10 Sep 2026 08:48:57 +0700",
     utc(2026, 9, 10, 1, 48, 57), 2),
    ("nguoiquansat.rss", "cau-day-vang", "Thu, 24 Sep 2026 08:30:01 +0700",
     utc(2026, 9, 24, 1, 30, 1), 2),
    ("nhandan.rss", "chung-khoan-ngay-149", "Mon, 14 Sep 2026 18:31:08 +07:00",
     utc(2026, 9, 14, 11, 31, 8), 2),
    ("sggp.rss", "mua-lon-nhieu-tuyen", "Wed, 23 Sep 2026 17:02:29 +07:00",
     utc(2026, 9, 23, 10, 2, 29), 2),
    ("thanhnien.rss", "nguoi-nop-thue", "Mon, 14 Sep 26 09:10:00 +0700",
     utc(2026, 9, 14, 2, 10), 2),
    ("tienphong.rss", "lap-ray-tau-dien", "Mon, 14 Sep 2026 14:21:27 +07:00",
     utc(2026, 9, 14, 7, 21, 27), 2),
    ("tuoitre.rss", "an-giang-can-gan", "9/16/2026 10:17:00 PM", utc(2026, 9, 16, 15, 17), 2),
    ("vietnambiz.rss", "abbank-cong-bo", "Mon, 14 Sep 2026 17:36:27 GMT+7",
     utc(2026, 9, 14, 10, 36, 27), 2),
    ("vietnamnet.rss", "truong-phong-luong", "Thu, 24 Sep 2026 09:06:49 +0700",
     utc(2026, 9, 24, 2, 6, 49), 2),
    ("vietnamplus.rss", "gia-dau-vuot-107", "Mon, 14 Sep 2026 19:37:48 +07:00",
     utc(2026, 9, 14, 12, 37, 48), 2),
    ("vietstock.rss", "con-trai-chu-tich-msb", "Mon, 14 Sep 2026 19:12:26 +0700",
     utc(2026, 9, 14, 12, 12, 26), 2),
    ("vneconomy.rss", "techcombank-investment-summit", "Mon, 14 Sep 2026 02:21:53 GMT",
     utc(2026, 9, 14, 2, 21, 53), 2),
    ("vnexpress.rss", "gia-vang-duoc-du-bao", "Mon, 14 Sep 2026 00:03:00 +0700",
     utc(2026, 9, 13, 17, 3), 3),
    ("vnexpress_intl.rss", "thailand-bears", "Thu, 24 Sep 2026 05:00:00 +0700",
     utc(2026, 9, 23, 22, 0), 2),
    ("vov.rss", "cuc-thue-yeu-cau", "Mon, 14 Sep 2026 18:43:55 +0700",
     utc(2026, 9, 14, 11, 43, 55), 2),
    ("vtv.rss", "cong-nghiep-duy-tri", "Mon, 14 Sep 2026 15:32:00 +07", utc(2026, 9, 14, 8, 32), 2),
    ("znews.rss", "thua-ke-doanh-nghiep", "Mon, 14 Sep 2026 14:17:58 +0700",
     utc(2026, 9, 14, 7, 17, 58), 2),
    ("older-versions/tuoitre.rss@e3add7ec", "doanh-nghiep-duoc-scic",
     "Mon, 14 Sep 2026 01:22:00 +0700", utc(2026, 9, 13, 18, 22), 2),
    ("older-versions/vietnambiz.rss@32b09fd2", "ty-gia-euro-ngay-159",
     "Tue, 15 Sep 2026 09:02:15 GMT+7", utc(2026, 9, 15, 2, 2, 15), 2),
]


@pytest.mark.parametrize(("name", "fragment", "raw", "expected", "count"), RSS_CASES,
                         ids=[case[0] for case in RSS_CASES])
def test_outlet_feed_times(outlets: Path, name: str, fragment: str, raw: str, expected: datetime,
                           count: int) -> None:
    parsed = parse_feed((outlets / name).read_bytes(), url="https://feed.example/rss")
    assert len(parsed.items) == count
    item = item_for(parsed, fragment)
    assert item.published_raw == raw
    assert item.published == expected
    assert all(i.published is not None and i.title for i in parsed.items)


def test_every_outlet_feed_is_covered(outlets: Path) -> None:
    on_disk = {p.name for p in outlets.glob("*.rss")}
    on_disk |= {f"older-versions/{p.name}" for p in (outlets / "older-versions").iterdir()}
    assert on_disk == {case[0] for case in RSS_CASES}


def test_vnexpress_title_collapsed_and_relative_link_cleaned(outlets: Path) -> None:
    parsed = parse_feed((outlets / "vnexpress.rss").read_bytes(),
                        url="https://vnexpress.net/rss/kinh-doanh.rss")
    assert parsed.items[1].title == "Giá dầu thô tăng khi Arab Saudi đóng đường ống qua Hormuz"
    assert parsed.items[2].url == (
        "https://vnexpress.net/gia-vang-duoc-du-bao-tang-tro-lai-vao-cuoi-nam-5119580.html")


def test_vietnambiz_cdata_entities_and_utf16_prolog(outlets: Path) -> None:
    current = parse_feed((outlets / "vietnambiz.rss").read_bytes(), url="https://vietnambiz.vn/")
    older = parse_feed((outlets / "older-versions/vietnambiz.rss@32b09fd2").read_bytes(),
                       url="https://vietnambiz.vn/")
    assert current.items[0].title.startswith("Tỷ giá euro ngày 15/9: Euro tiếp tục mất giá")
    assert current.items == older.items
    assert any("utf-16" in warning for warning in older.warnings)


def test_sggp_nfd_channel_text_becomes_nfc(outlets: Path) -> None:
    raw = (outlets / "sggp.rss").read_text(encoding="utf-8")
    assert "BÁO SÀI GÒN GIẢI PHÓNG" not in raw  # the copy really holds decomposed letters
    parsed = parse_feed(raw.encode("utf-8"), url="https://www.sggp.org.vn/rss/kinh-te-89.rss")
    assert parsed.title == "Kinh tế"
    assert parsed.items[0].summary.startswith("Cơn mưa lớn vào chiều 23-9")
    assert "TPHCM: Mưa lớn, có nơi ngập sâu" in parsed.items[0].summary


def test_tuoitre_narrow_nbsp_variant_parses_the_same(outlets: Path) -> None:
    text = (outlets / "tuoitre.rss").read_text(encoding="utf-8")
    variant = text.replace(":00 AM", ":00\u202fAM").replace(":00 PM", ":00\u202fPM")
    assert variant != text
    plain = parse_feed(text.encode("utf-8"), url="https://tuoitre.vn/rss/kinh-doanh.rss")
    narrow = parse_feed(variant.encode("utf-8"), url="https://tuoitre.vn/rss/kinh-doanh.rss")
    assert [i.published for i in narrow.items] == [i.published for i in plain.items] == [
        utc(2026, 9, 16, 3, 30), utc(2026, 9, 16, 15, 17)]


def test_nguoiquansat_crcrlf_variant_parses_the_same(outlets: Path) -> None:
    text = (outlets / "nguoiquansat.rss").read_text(encoding="utf-8")
    variant = text.replace("\n", "\r\r\n").encode("utf-8")
    plain = parse_feed(text.encode("utf-8"), url="https://nguoiquansat.vn/rss/trang-chu")
    crcrlf = parse_feed(variant, url="https://nguoiquansat.vn/rss/trang-chu")
    assert crcrlf.items == plain.items
    assert crcrlf.title == plain.title == (
        "Người quan sát | Tin tức tài chính, kinh doanh, bất động sản, hàng hóa")
    assert plain.items[0].summary.startswith("Theo kế hoạch, phần đường dẫn")


# --- HTML listing pages ----------------------------------------------------------------------


def section(outlets: Path, name: str, url: str, items: str, time: str | None,
            now: datetime | None = None) -> ParsedFeed:
    return parse_feed((outlets / name).read_bytes(), url=url, kind="section",
                      item_selector=items, time_selector=time, now=now)


def test_baodautu_listing_has_no_times(outlets: Path) -> None:
    parsed = section(outlets, "baodautu.html", "https://baodautu.vn/dau-tu-tai-chinh-d6/",
                     "a.fs32, a.title_thumb_square", None)
    assert [item.url.rsplit("-", 1)[-1] for item in parsed.items] == [
        "d702026.html", "d701869.html", "d701551.html"]
    assert [item.published for item in parsed.items] == [None, None, None]


def test_cafebiz_listing(outlets: Path) -> None:
    parsed = section(outlets, "cafebiz.html", "https://cafebiz.vn/cau-chuyen-kinh-doanh.chn",
                     "a.cfbiznews_title", ".time")
    assert [item.published for item in parsed.items] == [
        None, utc(2026, 9, 15, 3, 0), utc(2026, 9, 15, 2, 51)]
    assert parsed.items[0].url == "https://cafebiz.vn/cuu-hlv-bong-da-noi-tieng.chn"
    assert parsed.items[1].title == (
        "Công ty từng chuyên bán khóa học 'dạy làm giàu' chứng kiến doanh thu giảm 90%")


def test_diendandoanhnghiep_listing_dedups_image_links(outlets: Path) -> None:
    parsed = section(outlets, "diendandoanhnghiep.html", "https://diendandoanhnghiep.vn/",
                     ".b-grid a", ".b-grid__time")
    assert [item.title for item in parsed.items] == [
        "Hóa giải rủi ro dự án BT", "Tăng tính minh bạch trong hỗ trợ đầu tư"]
    assert [item.published for item in parsed.items] == [None, utc(2026, 9, 14, 4, 20)]


def test_tinnhanhchungkhoan_listing_first_occurrence(outlets: Path) -> None:
    parsed = section(outlets, "tinnhanhchungkhoan.html", "https://www.tinnhanhchungkhoan.vn/",
                     "article.story a.cms-link", "time")
    assert len(parsed.items) == 2  # 4 links, 2 articles
    assert parsed.items[0].title.startswith("Cổ phiếu AI toàn cầu lao dốc")
    assert [item.published for item in parsed.items] == [utc(2026, 9, 15, 0, 13, 33), None]


def test_fili_listing_relative_times(outlets: Path) -> None:
    parsed = section(outlets, "fili_page.html", "https://fili.vn/ngan-hang-bao-hiem.htm",
                     "article.search-card-item", "time", now=NOW)
    assert [item.published for item in parsed.items] == [
        NOW - timedelta(hours=4), NOW - timedelta(hours=11), utc(2026, 10, 2, 13, 58)]
    assert parsed.items[0].url == ("https://fili.vn/2026/10/tap-trung-tin-dung-vao-cac-linh-vuc-"
                                   "uu-tien-linh-vuc-la-dong-luc-cua-tang-truong-kinh-te-757-1498696.htm")
    assert parsed.items[1].title == (
        'Thị trường tài chính tiêu dùng: Bước ngoặt từ "giải ngân nhanh" sang "cho vay đúng"')


# --- article pages and the JSON API: the time strings in them ---------------------------------


def page(outlets: Path, name: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((outlets / name).read_bytes(),
                                parser=lxml.html.HTMLParser(encoding="utf-8"))


def test_article_page_times(outlets: Path) -> None:
    baodautu = page(outlets, "baodautu_article_with_time.html")
    assert parse_datetime(baodautu.xpath("string(//*[@class='post-time'])")) == utc(
        2026, 9, 14, 3, 30)
    dddn = page(outlets, "diendandoanhnghiep_article_with_time.html")
    meta = dddn.xpath("string(//meta[@name='article:published_time']/@content)")
    assert parse_datetime(meta) == utc(2026, 9, 15, 8, 5)
    (time,) = page(outlets, "tinnhanhchungkhoan_article_with_time.html").xpath("//time")
    assert parse_datetime(time.get("data-time")) == utc(2026, 9, 15, 12, 3, 45)
    assert parse_datetime(time.get("datetime")) == utc(2026, 9, 15, 12, 3, 45)
    assert parse_datetime(time.text_content()) == utc(2026, 9, 15, 12, 3)


def test_article_page_without_time_gives_none(outlets: Path) -> None:
    no_time = page(outlets, "baodautu_article_no_time.html")
    assert no_time.xpath("//*[@class='post-time']") == []
    assert parse_datetime(no_time.text_content()) is None


def test_fili_json_publish_times(outlets: Path) -> None:
    data = json.loads((outlets / "fili_articles.json").read_text(encoding="utf-8"))
    found = [parse_datetime(a["PublishTime"]) for a in data["LsArticles"]]
    assert found[0].replace(microsecond=0) == utc(2026, 9, 16, 11, 31, 34)
    assert found[1] == utc(2026, 9, 16, 8, 58)


# --- the VnExpress archive --------------------------------------------------------------------

ARCHIVE_CASES = [
    ("vnexpress_the-gioi_2025-02-06_1item.xml", 1, "israel-noi-got-my",
     utc(2025, 2, 6, 13, 30, 48)),
    ("vnexpress_tin-moi-nhat_2017-02-18.xml", 25, "giang-kim-dat-bi-de-nghi",
     utc(2017, 2, 18, 8, 16, 55)),
    ("vnexpress_tin-moi-nhat_2017-04-19.xml", 25, "uy-ban-tai-chinh-chi-65",
     utc(2017, 4, 19, 12, 45, 55)),
    ("vnexpress_tin-moi-nhat_2017-07-26.xml", 25, "mot-tuan-ha-noi-co-1-400",
     utc(2017, 7, 26, 12, 41, 14)),
    ("vnexpress_tin-moi-nhat_2017-08-30.xml", 25, "be-boi-dat-vang", utc(2017, 8, 30, 13, 3)),
    # 25 <item>s, one of them empty (no title, no link): 24 items
    ("vnexpress_tin-moi-nhat_2017-11-14.xml", 24, "phim-tvb-4-3670446",
     utc(2017, 11, 14, 10, 42, 1)),
    ("vnexpress_tin-moi-nhat_2019-02-08_2items.xml", 2, "trai-lang-ho-het",
     utc(2019, 2, 8, 9, 9, 56)),
]


@pytest.mark.parametrize(("name", "count", "fragment", "expected"), ARCHIVE_CASES,
                         ids=[case[0] for case in ARCHIVE_CASES])
def test_vnexpress_archive(archive: Path, name: str, count: int, fragment: str,
                           expected: datetime) -> None:
    parsed = parse_feed((archive / name).read_bytes(), url="https://vnexpress.net/rss/x.rss")
    assert len(parsed.items) == count
    assert item_for(parsed, fragment).published == expected
    assert all("\n" not in item.title and item.url.startswith("http") for item in parsed.items)


def test_vnexpress_archive_raw_ampersand_is_recovered(archive: Path) -> None:
    parsed = parse_feed((archive / ARCHIVE_CASES[0][0]).read_bytes(), url="https://vnexpress.net/")
    assert parsed.items[0].title == "Israel nối gót Mỹ rời Hội đồng Nhân quyền LHQ"
    assert any("not well-formed" in warning for warning in parsed.warnings)
