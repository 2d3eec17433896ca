"""Find the place names of a province profile in a text, with or without diacritics (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from monitor.gazetteer import Place, ProvinceProfile
from monitor.text import fold

__all__ = ["Entry", "Found", "Matcher", "find_places", "matcher_for"]

# own: a place of the watched area; covering: a larger province containing it; other: another
# province's name; elsewhere: another area's district (only to see addresses that lead away).
Kind = Literal["own", "covering", "other", "elsewhere"]
# Unit words, with diacritics, and the units each may introduce. "thành phố" introduces a
# province-level city (Hà Nội) as well as a district-level one (the old city of Bắc Giang).
UNIT_WORDS: dict[str, frozenset[str]] = {
    "tỉnh": frozenset({"province"}),
    "thành phố": frozenset({"province", "city"}), "tp": frozenset({"province", "city"}),
    "huyện": frozenset({"district"}), "quận": frozenset({"district"}),
    "q": frozenset({"district"}), "p": frozenset({"ward"}),
    "thị xã": frozenset({"town"}), "tx": frozenset({"town"}),
    "thị trấn": frozenset({"township"}), "tt": frozenset({"township"}),
    "xã": frozenset({"commune"}), "phường": frozenset({"ward"}),
    "đặc khu": frozenset({"special-zone"}),
}
_UNIT_ALT = "|".join(sorted(UNIT_WORDS, key=len, reverse=True))
_UNIT_BEFORE = re.compile(rf"(?:^|[^\w])({_UNIT_ALT})\.?\s*$")
_UNIT_BEFORE_FOLDED = re.compile(
    rf"(?:^|[^\w])({'|'.join(sorted({fold(w) for w in UNIT_WORDS}, key=len, reverse=True))})"
    r"\.?\s*$")
_FOLDED_UNIT = {fold(w): w for w in UNIT_WORDS}
# Between two syllables of one name: spaces, a hyphen ("Bà Rịa - Vũng Tàu"), or a dot with no
# space ("TP.HCM"); never a comma or a sentence end.
_GAP = re.compile(r"\s+|\s*-\s*|\.")
# After a commune or district: "xã Kép, huyện Lạng Giang" lists further units of one address.
_LIST_GAP = re.compile(r"\s*(?:,|;|và|va|,\s*và|,\s*va)\s*")
_PLURAL = re.compile(r"(?:các|cac|hai|ba|bốn|năm|những|nhiều|\d+)\s+$")
_RANK = {"province": 0, "city": 1, "district": 2, "town": 3, "ward": 4, "township": 5,
         "commune": 6, "special-zone": 7}


@dataclass(frozen=True)
class Entry:
    """A spelling to look for and the place it names (for ``other``, a province elsewhere)."""

    spelling: str
    place: Place
    kind: Kind


@dataclass(frozen=True)
class Found:
    """A name found in a text: offsets into the text, the entry chosen, how it was written."""

    start: int
    end: int
    entry: Entry
    unit_word: str  # the unit word before it ("xã"), inherited in lists, or ""
    folded: bool  # written without diacritics although the name has them
    surface: str
    unit_start: int = -1  # where the unit word written before the name starts, or -1
    lower: bool = False  # written in lower case ("bắc giang" in a forum post)


@dataclass(frozen=True)
class Matcher:
    """Every spelling of a profile and of the other provinces, by folded syllables."""

    keys: dict[str, tuple[Entry, ...]]
    max_len: int
    ambiguous: frozenset[str] = frozenset()


@lru_cache(maxsize=32)
def matcher_for(profile: ProvinceProfile) -> Matcher:
    """Build (once per profile) the lookup table of own, covering and other names."""
    entries: list[Entry] = [Entry(p.name, p, "own") for p in profile.places]
    by_name = {p.name: p for p in profile.places if p.unit in ("province", "city", "district",
                                                                "town")}
    # Unaccented aliases ("Bac Giang") are matched by folding; only other spellings are added.
    entries += [Entry(alias, by_name[name], "own") for alias, name in profile.aliases
                if name in by_name and _key(alias) != _key(name)]
    entries += [Entry(n, Place(n, "province", "new"), "covering") for n in profile.covering]
    own_names = {p.name for p in profile.places} | set(profile.covering)
    entries += [Entry(n, Place(n, "province", "old"), "other") for n in profile.others
                if n not in own_names]
    entries += [Entry(n, Place(n, "district", "old"), "elsewhere")
                for n in profile.other_districts if n not in own_names]
    keys: dict[str, list[Entry]] = {}
    for entry in entries:
        keys.setdefault(_key(entry.spelling), []).append(entry)
    return Matcher({k: tuple(dict.fromkeys(v)) for k, v in keys.items()},
                   max(len(k.split()) for k in keys), frozenset(profile.ambiguous))


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def find_places(text: str, profile: ProvinceProfile) -> list[Found]:
    """Every name of ``profile`` (and every other province's name) in ``text``, longest first,
    without overlaps. ``text`` should be ``monitor.text.normalize``-d; offsets point into it."""
    matcher = matcher_for(profile)
    folded = fold(text)
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+", folded)]
    unaccented = _is_unaccented(text)
    found: list[Found] = []
    i = 0
    while i < len(tokens):
        hit, used = _longest_at(text, folded, tokens, i, matcher, unaccented, found)
        if hit:
            found.append(hit)
        i += used
    return found


def _longest_at(text: str, folded: str, tokens: list[tuple[int, int]], i: int,
                matcher: Matcher, unaccented: bool, found: list[Found]) -> tuple[Found | None, int]:
    for n in range(min(matcher.max_len, len(tokens) - i), 0, -1):
        span = tokens[i:i + n]
        if any(not _GAP.fullmatch(folded[a[1]:b[0]]) for a, b in zip(span, span[1:], strict=False)):
            continue
        entries = matcher.keys.get(" ".join(folded[s:e] for s, e in span))
        if not entries:
            continue
        start, end = span[0][0], span[-1][1]
        hit = _resolve(text, (start, end), entries, unaccented, found, matcher)
        if hit:
            return hit, n
    return None, 1


def _resolve(text: str, span: tuple[int, int], entries: tuple[Entry, ...], unaccented: bool,
             found: list[Found], matcher: Matcher) -> Found | None:
    """Pick the entry the surface spells (diacritics must agree), checked against the unit
    word before it and the words around it. None when nothing fits."""
    start, end = span
    surface = text[start:end]
    letters = _letters(surface)
    spelled = [e for e in entries if _letters(e.spelling) == letters]
    if not spelled and unaccented and letters.isascii():
        # Typed without diacritics: any spelling folds to it. Inside accented text an unaccented
        # surface is another word ("Chu" is not "Chũ"), so this is only done in unaccented text.
        spelled = list(entries)
    if not spelled:
        return None
    lower = not _capitalised(surface, text)
    if lower and not _lowercase_ok(spelled, matcher):
        return None
    unit_start, unit_word = _unit_word_before(text, start, unaccented)
    unit_word = unit_word or _inherited(text, start, found)
    if unit_word:
        # A covering province only as "tỉnh Bắc Ninh": "TP Bắc Ninh" is the old city, which
        # lies outside the former Bắc Giang.
        fitting = [e for e in spelled if e.kind in ("other", "elsewhere")
                   or (e.kind == "covering" and unit_word == "tỉnh")
                   or (e.kind == "own" and e.place.unit in UNIT_WORDS[unit_word])
                   or _has_unit_word(e.place.name)]
        if not fitting:
            return None  # "huyện Bắc Sơn" (Lạng Sơn) is not our "xã Bắc Sơn"
        spelled = fitting
    entry = _best(spelled, unit_word)
    if not unit_word and not _plausible_bare(text, span, entry, matcher.ambiguous):
        return None
    folded = letters.isascii() and not _letters(entry.spelling).isascii()
    return Found(start, end, entry, unit_word, folded, surface, unit_start, lower)


def _capitalised(surface: str, text: str) -> bool:
    """A place name is a proper noun: each syllable starts with a capital ("Kép", not "kép"),
    unless the whole text is written in lower case."""
    words = re.findall(r"\w+", surface)
    return all(w[:1].isupper() or w[:1].isdigit() for w in words) or text.lower() == text


def _lowercase_ok(entries: list[Entry], matcher: Matcher) -> bool:
    """Posts and comments write "bắc giang" in lower case; a province name that names nothing
    else is still that province (a lower-case "kép" or "quang trung" is not a place)."""
    return any(e.kind == "own" and e.place.unit == "province" and len(e.spelling.split()) > 1
               and e.place.name not in matcher.ambiguous for e in entries)


def _plausible_bare(text: str, span: tuple[int, int], entry: Entry,
                    ambiguous: frozenset[str]) -> bool:
    """Without a unit word, a unit name inside a person's, a street's or an organisation's name
    is not the place: "ông Nguyễn Quang Trung", "đường Quang Trung", "số 7 Yên Thế", "báo Tiền
    Phong", "cố Tổng Bí thư Trần Phú", "Trần Hậu Yên Thế". Province names are left alone
    ("báo Bắc Giang" is local)."""
    start, end = span
    if entry.kind != "own" or entry.place.unit == "province":
        return True
    before = re.findall(r"\w+", text[max(0, start - 24):start])
    last = before[-1] if before else ""
    last2 = " ".join(before[-2:]).lower()
    if last.lower() in _NOT_PLACE_BEFORE or last2 in _NOT_PLACE_BEFORE:
        return False
    if last[:1].isdigit() and re.fullmatch(r"\s", text[start - 1:start]):
        return False  # a house number: a street of that name
    if last in _NAME_PARTS and re.fullmatch(r"\s", text[start - 1:start]):
        return False
    weak_name = entry.place.unit in ("ward", "township", "commune") or (
        entry.place.name in ambiguous)
    if weak_name and _inside_proper_noun(text, start, last):
        return False  # "ông Chu Thanh Hải": a capitalised word mid-sentence before the name
    if entry.place.unit in ("ward", "township", "commune"):
        after = re.match(r" (\w+)", text[end:end + 20])
        if after and after.group(1)[:1].isupper():
            return False  # part of a longer proper name
    return True


def _inside_proper_noun(text: str, start: int, last: str) -> bool:
    """The word before is Title-case and not capitalised merely by starting a sentence."""
    if not (last[:1].isupper() and last[1:].islower()):
        return False
    head = text[:start - len(last) - 1].rstrip()
    return bool(head) and head[-1] not in '.!?:;"“”\'(-–—|[' and not head.endswith("...")


_NOT_PLACE_BEFORE = frozenset({
    # people and titles
    "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "thầy", "vua", "tướng",
    "đồng chí", "ca sĩ", "nghệ sĩ", "cầu thủ", "nhà văn", "nhà thơ", "họa sĩ", "tên", "bé", "cố",
    "bí thư", "chủ tịch", "giám đốc", "bệnh nhân", "bị cáo", "nghi phạm", "kỳ thủ", "số",
    # streets and buildings
    "đường", "phố", "ngõ", "ngách", "hẻm", "đại lộ", "quảng trường", "khu phố",
    # rivers, lakes and hamlets named like a unit elsewhere ("sông Lục Nam", "hồ Xuân Hương",
    # "thôn Hiệp Hòa" of Gia Lai)
    "sông", "hồ", "thôn", "xóm", "ấp", "bản", "làng",
    # organisations and titles of works
    "báo", "tờ", "tạp chí", "nxb", "công ty", "tập đoàn", "ngân hàng", "nhãn hiệu",
    "thương hiệu", "clb", "đội", "giải", "chương trình", "dự án", "trường",
})
_NAME_PARTS = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Trịnh Mai "
    "Lương Tạ Lưu Triệu Vương Văn Thị Đức Ngọc Hữu Thanh".split())


def _best(entries: list[Entry], unit_word: str) -> Entry:
    """Bare, a name that is also another province's name is that province ("Thái Bình" alone);
    otherwise the largest unit wins ("Lục Ngạn": the district rather than the new commune).
    After "thành phố"/"TP" a city beats a province of the same name ("TP Bắc Giang")."""
    city_first = unit_word in ("thành phố", "tp")

    def order(e: Entry) -> tuple[int, int, bool]:
        kind = {"own": 1, "covering": 2, "other": 3 if unit_word else 0, "elsewhere": 4}[e.kind]
        rank = -1 if city_first and e.place.unit == "city" else _RANK[e.place.unit]
        return (kind, rank, e.place.era != "old")
    return min(entries, key=order)


def _unit_word_before(text: str, start: int, unaccented: bool) -> tuple[int, str]:
    """(offset, unit word) written just before ``start``, or (-1, "")."""
    offset = max(0, start - 14)
    before = text[offset:start].lower()
    m = _UNIT_BEFORE.search(before)
    if m:
        return offset + m.start(1), m.group(1)
    if unaccented:
        m = _UNIT_BEFORE_FOLDED.search(fold(before))
        if m:
            return offset + m.start(1), _FOLDED_UNIT[m.group(1)]
    return -1, ""


def _inherited(text: str, start: int, found: list[Found]) -> str:
    """In "các xã Kép, Hương Sơn và Tân Dĩnh" every name inherits "xã" from the first."""
    prev = found[-1] if found else None
    if not prev or not prev.unit_word or prev.entry.kind != "own" or prev.unit_start < 0:
        return ""
    # Only after a plural ("các xã", "hai huyện"): "xã Phúc Sơn, Tân Yên" is an address whose
    # second name is the district.
    if not _PLURAL.search(text[max(0, prev.unit_start - 12):prev.unit_start].lower()):
        return ""
    gap = text[prev.end:start].lower()
    return prev.unit_word if len(gap) <= 8 and _LIST_GAP.fullmatch(gap) else ""


def _has_unit_word(name: str) -> bool:
    """Numbered units keep their unit word in the name ("Phường 14", "Quận 3")."""
    return bool(re.match(rf"(?:{_UNIT_ALT})\s", name.lower()))


def _letters(text: str) -> str:
    return "".join(re.findall(r"\w+", text.lower()))


def _is_unaccented(text: str) -> bool:
    """Text typed without diacritics: fewer than 1 word in 20 carries any."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 3:
        return bool(words) and all(w.isascii() for w in words)
    return sum(not w.isascii() for w in words) < len(words) / 20
