"""Tests of monitor.text: entities, NFC, tone-mark placement, folding, whitespace."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.text import collapse_whitespace, fold, normalize, retone


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Hiệp Hoà", "Hiệp Hòa"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Thuỷ", "Thủy"),
        ("xoá đói", "xóa đói"),
        ("hoạ sĩ", "họa sĩ"),
        ("loè loẹt", "lòe loẹt"),
        ("Toà án tỉnh", "Tòa án tỉnh"),
        # closed syllables: the mark belongs on the second vowel, misplaced ones move there
        ("hoàng", "hoàng"),
        ("hòang", "hoàng"),
        ("Hùynh", "Huỳnh"),
        ("khoắn", "khoắn"),
        # qu + y is not the uy rhyme; other rhymes are left alone
        ("quý", "quý"),
        ("Quỳnh", "Quỳnh"),
        ("nguyễn", "nguyễn"),
        ("thuyền", "thuyền"),
        ("ngoài", "ngoài"),
        ("xoáy", "xoáy"),
        ("mùa", "mùa"),
        ("khuya", "khuya"),
        # already in the chosen placement
        ("hòa", "hòa"),
        ("thúy", "thúy"),
    ],
)
def test_normalize_tone_marks(given: str, expected: str) -> None:
    assert normalize(given) == expected


def test_both_placements_normalize_to_the_same_string() -> None:
    assert normalize("Hiệp Hoà, Bắc Giang") == normalize("Hiệp Hòa, Bắc Giang")
    assert normalize("sức khoẻ") == normalize("sức khỏe")


def test_retone_leaves_words_without_tone_and_english_alone() -> None:
    text = "Toy boat, Joe, hoa, thuy"
    assert retone(text) == text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (unicodedata.normalize("NFD", "xung đột"), "xung đột"),
        (unicodedata.normalize("NFD", "Bắc Giang"), "Bắc Giang"),
        ("hoa\u0300", "hòa"),  # NFD in the old placement: NFC, then retoned
        ("n&agrave;y", "này"),
        ("gi&#225;", "giá"),
        ("T&#x1EAD;p trung", "Tập trung"),
        ("&amp;agrave; la", "à la"),  # double-encoded: two passes
        ("&quot;cho vay đúng&quot;", '"cho vay đúng"'),
        ("a\u00a0b\u202fc", "a b c"),
        ("Bắc\u200bGiang\ufeff", "BắcGiang"),
        ("  Giá dầu thô   tăng  ", "Giá dầu thô tăng"),
        ("dòng 1\n\tdòng 2\r\n", "dòng 1 dòng 2"),
        ("", ""),
        ("Lãi suất < 5% & phí", "Lãi suất < 5% & phí"),
    ],
)
def test_normalize(given: str, expected: str) -> None:
    assert normalize(given) == expected


def test_normalize_output_is_nfc() -> None:
    result = normalize(unicodedata.normalize("NFD", "Lục Ngạn, Sơn Động, Yên Thế"))
    assert unicodedata.is_normalized("NFC", result)
    assert "Động" in result


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Bắc Giang", "bac giang"),
        ("Đà Nẵng", "da nang"),
        ("ĐỒNG ĐĂNG", "dong dang"),
        ("Hiệp Hòa", "hiep hoa"),
        ("Hiệp Hoà", "hiep hoa"),
        (unicodedata.normalize("NFD", "Lục Ngạn"), "luc ngan"),
        ("Việt Yên 2026", "viet yen 2026"),
    ],
)
def test_fold(given: str, expected: str) -> None:
    assert fold(given) == expected


def test_fold_matches_with_and_without_diacritics() -> None:
    assert fold("Bắc Giang") == fold("bac giang") == fold("BAC GIANG")
    assert fold("Bắc Giang") != fold("Bắc Ninh")


def test_fold_keeps_offsets_of_nfc_text() -> None:
    text = "Tỉnh Bắc Giang và Đà Nẵng"
    folded = fold(text)
    assert len(folded) == len(text)
    start = folded.index("da nang")
    assert text[start:start + 7] == "Đà Nẵng"


def test_collapse_whitespace() -> None:
    assert collapse_whitespace(" a \u00a0\u202f b\n\nc ") == "a b c"
    assert collapse_whitespace("") == ""
