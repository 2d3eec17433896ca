"""Tests for monitor.relevance: the v0 province-name matcher and the bac-giang profile."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.relevance import ProvinceProfile, assess, load_profile
from monitor.text import normalize

FILLER = "Nhiều hộ dân phấn khởi vì được mùa. Chính quyền cam kết hỗ trợ tiêu thụ sản phẩm."


@pytest.fixture(scope="module")
def bac_giang() -> ProvinceProfile:
    return load_profile("bac-giang")


def test_profile_contents(bac_giang: ProvinceProfile) -> None:
    assert bac_giang.id == "bac-giang"
    assert "Bắc Giang" in bac_giang.names
    old = {name for name, unit, era in bac_giang.places if era == "old"}
    assert {"Bắc Giang", "Yên Thế", "Tân Yên", "Lạng Giang", "Lục Nam", "Lục Ngạn", "Sơn Động",
            "Yên Dũng", "Việt Yên", "Hiệp Hòa"} <= old
    new = {(name, unit) for name, unit, era in bac_giang.places if era == "new"}
    assert ("Bắc Giang", "ward") in new  # the ward of the new Bắc Ninh
    assert ("Kép", "commune") in new
    assert all(name == normalize(name) for name, _, _ in bac_giang.places)
    assert "Bắc Giang" in bac_giang.note


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        load_profile("khong-co-tinh-nay")
    with pytest.raises(ConfigError):
        load_profile("../settings")


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


def test_old_district_names_in_sapo(bac_giang) -> None:
    sapo = "Ngày 3/5, UBND huyện Yên Dũng và thị xã Việt Yên ký kết hợp tác phát triển du lịch."
    result = assess("Ký kết hợp tác du lịch", sapo, FILLER, bac_giang)
    assert result.label == "about"
    names = [(m.name, m.unit, m.era, m.where) for m in result.places]
    assert ("Yên Dũng", "district", "old", "sapo") in names
    assert ("Việt Yên", "town", "old", "sapo") in names
    assert all(m.where == "sapo" for m in result.places)


def test_province_in_title_and_unit_words(bac_giang) -> None:
    result = assess("Tỉnh Bắc Giang đón nhà đầu tư", "", "TP. Bắc Giang sáng đèn.", bac_giang)
    assert result.label == "about"
    first, second = result.places
    assert (first.name, first.unit, first.where) == ("Bắc Giang", "province", "title")
    assert (first.start, first.end) == (0, len("Tỉnh Bắc Giang"))
    assert (second.unit, second.where) == ("city", "body")


def test_new_commune_with_unit_word(bac_giang) -> None:
    result = assess("Xã Kép khánh thành trường học mới", "", FILLER, bac_giang)
    assert result.label == "about"
    assert (result.places[0].name, result.places[0].unit, result.places[0].era) == (
        "Kép", "commune", "new")


def test_provinces_list_is_a_mention(bac_giang) -> None:
    sapo = ("Mưa lớn kéo dài ở các tỉnh Hà Giang, Lào Cai, Bắc Giang, Lạng Sơn và Thái Nguyên "
            "gây ngập úng nhiều nơi.")
    result = assess("Miền Bắc mưa lớn, nhiều nơi ngập úng", sapo, FILLER, bac_giang)
    assert result.label == "mention"
    assert [m.name for m in result.places] == ["Bắc Giang"]


def test_single_passing_mention_in_body(bac_giang) -> None:
    body = "Ông Nguyễn Văn A, quê Bắc Giang, hiện làm việc tại Hà Nội. " + FILLER
    result = assess("Hà Nội khai trương tuyến buýt điện mới", "", body, bac_giang)
    assert result.label == "mention"
    assert result.places[0].where == "body"


def test_repeated_in_body_is_about(bac_giang) -> None:
    body = " ".join(["Huyện Sơn Động trồng rừng gỗ lớn.", FILLER, "Sơn Động có 20.000 ha rừng.",
                     "Người dân Sơn Động được hỗ trợ giống cây."])
    result = assess("Trồng rừng gỗ lớn ở miền núi", "", body, bac_giang)
    assert result.label == "about"
    assert len(result.places) == 3


def test_article_about_ha_noi_is_none(bac_giang) -> None:
    result = assess("Hà Nội cấm xe máy nội đô từ năm 2030",
                    "UBND TP Hà Nội vừa ban hành kế hoạch giảm ô nhiễm không khí.",
                    "Quận Hoàn Kiếm và quận Ba Đình sẽ thí điểm trước. " + FILLER, bac_giang)
    assert result.label == "none"
    assert result.places == ()
    assert result.score == 0.0


def test_bare_short_commune_name_alone_is_not_about(bac_giang) -> None:
    result = assess("Lễ hội truyền thống ở Kép thu hút du khách", "", FILLER, bac_giang)
    assert result.label != "about"
    assert [(m.name, m.unit) for m in result.places] == [("Kép", "commune")]


def test_lower_case_words_are_not_place_names(bac_giang) -> None:
    result = assess("Chương trình ca nhạc kép", "", "Người hát kép chính rất hay.", bac_giang)
    assert result.label == "none"
    assert result.places == ()


def test_ambiguous_district_name_alone_is_weak(bac_giang) -> None:
    weak = assess("Nông dân Hiệp Hòa thu hoạch lúa", "", FILLER, bac_giang)
    strong = assess("Nông dân huyện Hiệp Hòa thu hoạch lúa", "", FILLER, bac_giang)
    assert weak.label != "about"
    assert strong.label == "about"
    assert strong.score > weak.score


def test_title_weighs_more_than_sapo_more_than_body(bac_giang) -> None:
    name = "huyện Lạng Giang"
    in_title = assess(f"Tin {name}", "", FILLER, bac_giang).score
    in_sapo = assess("Tin tức", f"Tin {name}", FILLER, bac_giang).score
    in_body = assess("Tin tức", "", f"Tin {name}. {FILLER}", bac_giang).score
    assert in_title > in_sapo > in_body > 0.0
