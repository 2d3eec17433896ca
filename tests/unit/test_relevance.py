"""Tests for monitor.relevance: the hard cases of matching places of a watched province."""

from __future__ import annotations

import pytest

from monitor.relevance import (
    ProvinceProfile,
    assess,
    assess_lines,
    load_profile,
    relevance_json,
)
from monitor.text import normalize

FILLER = "Nhiều hộ dân phấn khởi vì được mùa. Chính quyền cam kết hỗ trợ tiêu thụ sản phẩm."


@pytest.fixture(scope="module")
def bac_giang() -> ProvinceProfile:
    return load_profile("bac-giang")


def _places(result) -> list[tuple[str, str, str, str]]:
    return [(m.name, m.unit, m.era, m.where) for m in result.places]


# ----------------------------------------------------------------------------- diacritics


@pytest.mark.parametrize("title", [
    "Vải thiều Lục Ngạn vào vụ thu hoạch",
    "Vai thieu Luc Ngan vao vu thu hoach",
    "Huyện Lục Ngạn xuất khẩu vải thiều",
    "VẢI THIỀU LỤC NGẠN VÀO VỤ",
])
def test_title_about_a_district_with_and_without_diacritics(bac_giang, title: str) -> None:
    result = assess(title, "", FILLER, bac_giang)
    assert result.label == "about"
    hit = result.places[0]
    assert (hit.name, hit.unit, hit.era, hit.where) == ("Lục Ngạn", "district", "old", "title")
    assert normalize(title)[hit.start:hit.end].lower().endswith(("lục ngạn", "luc ngan"))


def test_unaccented_spelling_inside_accented_text_is_another_word(bac_giang) -> None:
    # Folding merges "Chu" (a surname) with "Chũ", "Kep" with "Kép": only text typed without
    # diacritics may match a name written without them.
    result = assess("Trường Chu Văn An khai giảng", "Thầy Kep Luc Nam phát biểu.", FILLER,
                    bac_giang)
    assert result.places == ()
    assert result.label == "none"


def test_unaccented_text_matches_folded_names(bac_giang) -> None:
    result = assess("Tai nan giao thong o xa Nam Duong, huyen Luc Ngan", "", "", bac_giang)
    assert result.label == "about"
    assert ("Nam Dương", "commune") in [(m.name, m.unit) for m in result.places]


# ----------------------------------------------------------------------------- old and new names


def test_old_district_names_in_sapo(bac_giang) -> None:
    sapo = "Ngày 3/5, UBND huyện Yên Dũng và thị xã Việt Yên ký kết hợp tác phát triển du lịch."
    result = assess("Ký kết hợp tác du lịch", sapo, FILLER, bac_giang)
    assert result.label == "about"
    assert ("Yên Dũng", "district", "old", "sapo") in _places(result)
    assert ("Việt Yên", "town", "old", "sapo") in _places(result)


def test_unit_words_choose_the_unit_and_spans_include_them(bac_giang) -> None:
    result = assess("Tỉnh Bắc Giang đón nhà đầu tư", "", "TP. Bắc Giang sáng đèn.", bac_giang)
    assert result.label == "about"
    first, second = result.places
    assert (first.name, first.unit, first.where) == ("Bắc Giang", "province", "title")
    assert (first.start, first.end) == (0, len("Tỉnh Bắc Giang"))
    assert (second.unit, second.where, second.start) == ("city", "body", 0)


def test_new_ward_bac_giang_counts_only_for_the_area_it_lies_in(bac_giang) -> None:
    title = "Phường Bắc Giang khánh thành nhà văn hóa"
    sapo = "Sáng 2/9/2025, UBND phường Bắc Giang, tỉnh Bắc Ninh tổ chức lễ khánh thành."
    ours = assess(title, sapo, FILLER, bac_giang)
    assert ours.label == "about"
    assert ("Bắc Giang", "ward", "new", "title") in _places(ours)
    assert assess(title, sapo, FILLER, load_profile("bac-ninh")).label == "about"
    hanoi = assess(title, sapo, FILLER, load_profile("ha-noi"))
    assert (hanoi.label, hanoi.places) == ("none", ())
    # The old Bắc Ninh area: "tỉnh Bắc Ninh" (now larger) is a mention at most, the ward is not
    # one of its places.
    old_bn = assess(title, sapo, FILLER, load_profile("bac-ninh-pre2025"))
    assert old_bn.label != "about"
    assert all(m.name != "Bắc Giang" for m in old_bn.places)


def test_new_commune_with_unit_word(bac_giang) -> None:
    result = assess("Xã Kép khánh thành trường học mới", "", FILLER, bac_giang)
    assert result.label == "about"
    assert (result.places[0].name, result.places[0].unit, result.places[0].era) == (
        "Kép", "commune", "new")


def test_covering_province_alone_is_not_enough(bac_giang) -> None:
    # The new Bắc Ninh contains the former Bắc Giang but is larger; "TP Bắc Ninh" is the old city.
    assert assess("Tỉnh Bắc Ninh họp báo", "", FILLER, bac_giang).label == "none"
    result = assess("Ngập nước ở phường Phong Khê (TP Bắc Ninh)", "", FILLER, bac_giang)
    assert result.places == () and result.label == "none"


# ----------------------------------------------------------------------------- shared names


def test_commune_name_shared_by_several_provinces_is_weak_alone(bac_giang) -> None:
    alone = assess("Xã Tiền Phong làm đường nông thôn mới", "", FILLER, bac_giang)
    assert alone.label == "none"
    assert [m.name for m in alone.places] == ["Tiền Phong"]
    with_district = assess("Xã Tiền Phong, huyện Yên Dũng làm đường nông thôn mới", "",
                           FILLER, bac_giang)
    assert with_district.label == "about"
    assert with_district.score > alone.score


def test_commune_whose_address_leads_elsewhere_is_dropped(bac_giang) -> None:
    result = assess("Xã Quang Trung, huyện Mê Linh, Hà Nội làm đường", "", FILLER, bac_giang)
    assert result.places == ()
    assert result.label == "none"
    street = assess("Cháy nhà số 7 Yên Thế, Ba Đình", "", FILLER, bac_giang)
    assert street.label == "none"


def test_district_name_shared_with_communes_needs_its_unit_word(bac_giang) -> None:
    weak = assess("Nông dân Hiệp Hòa thu hoạch lúa", "", FILLER, bac_giang)
    strong = assess("Nông dân huyện Hiệp Hòa thu hoạch lúa", "", FILLER, bac_giang)
    assert weak.label != "about"
    assert strong.label == "about"
    assert strong.score > weak.score


# ----------------------------------------------------------------------------- ordinary words


def test_lower_case_words_are_not_place_names(bac_giang) -> None:
    result = assess("Mục tiêu kép của chương trình", "", "Người hát kép chính rất hay.",
                    bac_giang)
    assert result.label == "none"
    assert result.places == ()


def test_bare_short_name_alone_is_not_about(bac_giang) -> None:
    result = assess("Lễ hội truyền thống ở Kép thu hút du khách", "", FILLER, bac_giang)
    assert result.label != "about"
    assert [m.name for m in result.places] == ["Kép"]


@pytest.mark.parametrize("sapo", [
    "Ông Nguyễn Quang Trung, giám đốc công ty, cho biết doanh thu tăng.",
    "Cửa hàng trên đường Quang Trung đông khách.",
    "Báo Tiền Phong tổ chức giải chạy.",
    "Lễ kỷ niệm ngày sinh cố Tổng Bí thư Trần Phú.",
    "Nước sông Lục Nam dâng cao.",
])
def test_names_inside_people_streets_and_titles_are_not_places(bac_giang, sapo: str) -> None:
    result = assess("Tin trong ngày", sapo, FILLER, bac_giang)
    assert result.label == "none"
    assert result.places == ()


# ----------------------------------------------------------------------- lists, other provinces


def test_provinces_list_is_a_mention(bac_giang) -> None:
    sapo = ("Mưa lớn kéo dài ở các tỉnh Hà Giang, Lào Cai, Bắc Giang, Lạng Sơn và Thái Nguyên "
            "gây ngập úng nhiều nơi.")
    result = assess("Miền Bắc mưa lớn, nhiều nơi ngập úng", sapo, FILLER, bac_giang)
    assert result.label == "mention"
    assert [m.name for m in result.places] == ["Bắc Giang"]
    alone = assess("Miền Bắc mưa lớn", "Mưa lớn kéo dài ở Bắc Giang gây ngập úng.", FILLER,
                   bac_giang)
    assert alone.label == "about" and alone.score > result.score


def test_list_in_title_with_covering_province(bac_giang) -> None:
    title = "Hà Nội, Bắc Giang, Bắc Ninh, Hải Dương nắng nóng gay gắt"
    assert assess(title, "", FILLER, bac_giang).label == "mention"
    short = assess("Bắc Giang và Lạng Sơn hợp tác phát triển du lịch", "", FILLER, bac_giang)
    assert short.label == "about"


def test_other_province_leading_the_title_lowers_confidence(bac_giang) -> None:
    sapo = "Đối tượng trú tại xã Tân Dĩnh, huyện Lạng Giang, tỉnh Bắc Giang bị bắt."
    led = assess("TP.HCM: Bắt nhóm trộm xe máy", sapo, FILLER, bac_giang)
    plain = assess("Bắt nhóm trộm xe máy", sapo, FILLER, bac_giang)
    assert plain.label == "about"
    assert led.label == "mention"
    assert led.score < plain.score


def test_passing_mentions_in_body_and_origin_in_sapo(bac_giang) -> None:
    body = "Ông Nguyễn Văn A, quê Bắc Giang, hiện làm việc tại Hà Nội. " + FILLER
    passing = assess("Hà Nội khai trương tuyến buýt điện mới", "", body, bac_giang)
    assert passing.label == "mention"
    origin = assess("Hỏi đáp bảo hiểm xã hội",
                    "Bà Nguyễn Thị Hằng (tỉnh Bắc Giang) hỏi: đơn vị tôi đóng thế nào?", FILLER,
                    bac_giang)
    assert origin.label == "mention"
    event = assess("Bốn học sinh đuối nước",
                   "Vụ đuối nước xảy ra tại xã Nam Dương, huyện Lục Ngạn, tỉnh Bắc Giang.",
                   FILLER, bac_giang)
    assert event.label == "about"


def test_a_distance_from_the_place_is_a_mention(bac_giang) -> None:
    sapo = "Hồ rộng 3 ha, cách trung tâm TP Bắc Giang 35 km, nước sạch, nhiều cá chép."
    assert assess("Hồ câu mới mở cửa", sapo, "", bac_giang).label == "mention"
    assert assess("Cách Lục Ngạn khoảng 20 km có một thác nước đẹp", "", FILLER,
                  bac_giang).label == "mention"
    near = "Hồ rộng 3 ha ở TP Bắc Giang, nước sạch, nhiều cá chép."
    assert assess("Hồ câu mới mở cửa", near, "", bac_giang).label == "about"


@pytest.mark.parametrize("title", [
    "Ùn tắc kéo dài trên cao tốc Hà Nội - Bắc Giang",
    "Xe khách tuyến Bắc Giang - Lạng Sơn bị phạt vì chở quá số người",
    "Lũ cuốn trôi cầu tạm kết nối Đình Lập với Lục Ngạn",
    "Khai thác cát trái phép trên đoạn sông nằm giữa Hải Dương và Bắc Giang",
])
def test_an_end_of_a_road_or_a_border_is_a_mention(bac_giang, title: str) -> None:
    assert assess(title, "", FILLER, bac_giang).label == "mention"


def test_ordinary_road_news_in_the_province_stays_about(bac_giang) -> None:
    assert assess("Ùn tắc kéo dài ở TP Bắc Giang", "", FILLER, bac_giang).label == "about"
    assert assess("Quốc lộ 31 qua huyện Lục Ngạn sạt lở", "", FILLER, bac_giang).label == "about"


def test_goods_headed_to_the_place_when_another_province_leads(bac_giang) -> None:
    sapo = "Tài xế khai chở hàng từ cửa khẩu Tân Thanh về Bắc Giang tiêu thụ."
    caught_elsewhere = assess("Lạng Sơn: Bắt xe tải chở nầm lợn về Bắc Giang", sapo, "",
                              bac_giang)
    assert caught_elsewhere.label == "mention"
    led_by_sapo = assess("Bắt xe tải chở 2 tấn nầm lợn",
                         "Công an tỉnh Lạng Sơn bắt xe tải chở nầm lợn. " + sapo, "", bac_giang)
    assert led_by_sapo.label == "mention"
    # Without another province the destination is all we know of where it happened.
    assert assess("Bắt xe tải chở nầm lợn về Bắc Giang", sapo, "", bac_giang).label == "about"


@pytest.mark.parametrize("sapo", [
    "Cô Lan (giáo viên ở Bắc Giang) bị rụng tóc nhiều năm, nay đã khỏi nhờ bài thuốc này.",
    "Buổi giao lưu dành cho các bạn ở Hà Nội, Bắc Giang muốn học nuôi dạy con.",
    "Thầy Trần Văn Nam – Giáo viên Trường THPT Lục Nam số 2 (Bắc Giang) chia sẻ cách ôn thi.",
])
def test_where_a_person_lives_or_works_is_a_mention(bac_giang, sapo: str) -> None:
    result = assess("Chia sẻ kinh nghiệm hữu ích", sapo, "", bac_giang)
    assert result.label == "mention"
    assert any(m.name in ("Bắc Giang", "Lục Nam") for m in result.places)


def test_people_named_by_their_home_in_a_post_is_a_mention(bac_giang) -> None:
    title = "Danh sách anh em Bắc Giang tham gia giải câu cá tháng này"
    assert assess(title, "", "", bac_giang).label == "mention"
    assert assess("Giải câu cá tháng này tại Bắc Giang", "", "", bac_giang).label == "about"


def test_full_address_of_a_person_is_local_unless_another_province_leads(bac_giang) -> None:
    person = "bắt Lê Thị Hoa, SN 1985, trú tại xã Nam Dương, huyện Lục Ngạn, Bắc Giang."
    local = assess("Bắt nữ quản lý quán karaoke", "Công an " + person, "", bac_giang)
    assert local.label == "about"
    # The police of another province in the first sentence: the story happened there.
    away = assess("Bắt nữ quản lý quán karaoke", "Công an TP Hà Nội " + person, "", bac_giang)
    assert away.label == "mention"


def test_lower_case_city_name_in_a_post_is_a_mention(bac_giang) -> None:
    post = "Xin chào cả nhà, em là hot boy của Tp.bắc giang, năm nay tròn 2 tuổi."
    assert assess("Làm quen nhé", post, "", bac_giang).label == "mention"
    news = "Sáng nay, TP Bắc Giang khai trương công viên mới."
    assert assess("Làm quen nhé", news, "", bac_giang).label == "about"


def test_repeated_in_body_is_about_unless_another_province_dominates(bac_giang) -> None:
    body = " ".join(["Huyện Sơn Động trồng rừng gỗ lớn.", FILLER, "Sơn Động có 20.000 ha rừng.",
                     "Người dân Sơn Động được hỗ trợ giống cây."])
    result = assess("Trồng rừng gỗ lớn ở miền núi", "", body, bac_giang)
    assert result.label == "about"
    assert len(result.places) == 3
    hanoi = " ".join(["Hà Nội đầu tư cầu mới.", "Hà Nội có 30 quận huyện.", "Hà Nội mở rộng.",
                      "Hà Nội và tỉnh Bắc Giang nối tuyến xe buýt.", "Hà Nội, tỉnh Bắc Giang.",
                      "Xe đi tỉnh Bắc Giang mỗi giờ.", "Hà Nội cấm xe máy."])
    assert assess("Giao thông vùng thủ đô", "", hanoi, bac_giang).label == "mention"


def test_article_about_ha_noi_is_none(bac_giang) -> None:
    result = assess("Hà Nội cấm xe máy nội đô từ năm 2030",
                    "UBND TP Hà Nội vừa ban hành kế hoạch giảm ô nhiễm không khí.",
                    "Quận Hoàn Kiếm và quận Ba Đình sẽ thí điểm trước. " + FILLER, bac_giang)
    assert result.label == "none"
    assert result.places == ()
    assert result.score == 0.0


def test_lower_case_province_name_in_a_post_is_a_mention(bac_giang) -> None:
    result = assess("Bán cần câu cũ", "Em ở bắc giang, không ship ạ.", "", bac_giang)
    assert result.label == "mention"
    assert result.places[0].name == "Bắc Giang"


def test_title_weighs_more_than_sapo_more_than_body(bac_giang) -> None:
    name = "huyện Lạng Giang"
    in_title = assess(f"Tin {name}", "", FILLER, bac_giang).score
    in_sapo = assess("Tin tức", f"Tin {name}", FILLER, bac_giang).score
    in_body = assess("Tin tức", "", f"Tin {name}. {FILLER}", bac_giang).score
    assert in_title > in_sapo > in_body > 0.0


# ----------------------------------------------------------------------- other profiles, output


def test_merged_profile_matches_both_areas() -> None:
    both = load_profile("bac-giang,thai-nguyen")
    assert assess("Thái Nguyên thu hút đầu tư", "", FILLER, both).label == "about"
    assert assess("Lục Ngạn vào vụ vải", "", FILLER, both).label == "about"
    assert assess("Thái Nguyên thu hút đầu tư", "", FILLER,
                  load_profile("bac-giang")).label == "none"


def test_relevance_json_and_lines(bac_giang) -> None:
    data = relevance_json(assess("Huyện Lục Ngạn xuất khẩu vải", "", "", bac_giang))
    assert set(data) == {"label", "score", "places"}
    assert data["places"][0] == {"name": "Lục Ngạn", "unit": "district", "era": "old",
                                 "where": "title", "start": 0, "end": len("Huyện Lục Ngạn")}
    lines = [{"id": "a", "title": "Xã Kép khánh thành trường", "sapo": "", "text": ""},
             {"url": "https://x.vn/b", "title": "Hà Nội mưa lớn"},
             ["not", "an", "object"]]
    out = list(assess_lines(lines, bac_giang))
    assert [o.get("label") for o in out] == ["about", "none", None]
    assert out[0]["id"] == "a" and out[1]["url"] == "https://x.vn/b"
    assert out[0]["places"][0]["era"] == "new" and "error" in out[2]


def test_local_outlet_takes_shared_commune_names_as_ours(bac_giang) -> None:
    title = "Sạt lở bờ sông Thương tại xã Mỹ Thái"
    assert assess(title, "", FILLER, bac_giang).label != "about"
    assert assess(title, "", FILLER, bac_giang, local=True).label == "about"
    # Ordinary words still need their unit word, even in the province's own paper.
    assert assess("Lễ hội ở Kép", "", FILLER, bac_giang, local=True).label != "about"


def test_new_commune_confirmed_by_the_covering_province(bac_giang) -> None:
    result = assess("Sạt lở ở xã Mỹ Thái, tỉnh Bắc Ninh", "", FILLER, bac_giang)
    assert result.label == "about"
    assert (result.places[0].name, result.places[0].era) == ("Mỹ Thái", "new")
