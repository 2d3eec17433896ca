"""Is an article about the monitored province? A simple province-name matcher (pure)."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

from monitor.errors import ConfigError
from monitor.models import Mention, Relevance
from monitor.text import fold, normalize

log = logging.getLogger(__name__)

Where = Literal["title", "sapo", "body"]
UNITS = ("province", "city", "district", "town", "commune", "ward")
# Unit words that may precede a name, folded; district-level units share theirs.
_DISTRICT_WORDS = ("huyen", "thi xa", "thanh pho", "tp")
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "province": ("tinh",), "city": _DISTRICT_WORDS, "district": _DISTRICT_WORDS,
    "town": _DISTRICT_WORDS, "commune": ("xa",), "ward": ("phuong",),
}
_RANK = {unit: i for i, unit in enumerate(UNITS)}  # on equal spans the larger unit wins
_WHERE_WEIGHT: dict[str, float] = {"title": 3.0, "sapo": 2.0, "body": 1.0}
STRONG, WEAK = 1.0, 0.3
BODY_REPEATS_FOR_ABOUT = 3
# Province and centrally-run city names (the 63 before and the new names after 1 July 2025), used
# to notice a name that only stands in a list of provinces.
_PROVINCES = (
    "An Giang", "Bà Rịa", "Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai",
    "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên",
    "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang",
    "TP.HCM", "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
_OTHER_PROVINCE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(fold(p)) for p in _PROVINCES) + r")(?!\w)")
_LIST_WINDOW = 60
_LIST_MIN_OTHERS = 2


@dataclass(frozen=True)
class ProvinceProfile:
    """A province (or former province) as matched in articles.

    ``names`` are the province's own names; ``places`` are (name, unit, era) of its units;
    ``ambiguous`` names are weak evidence when they appear without a unit word.
    """

    id: str
    name: str
    names: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]
    ambiguous: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class _Term:
    pattern: re.Pattern[str]
    name: str
    unit: str
    era: Literal["old", "new"]
    with_unit_word: bool


@dataclass(frozen=True)
class _Hit:
    mention: Mention
    strength: float
    listed: bool


def load_profile(profile_id: str = "bac-giang") -> ProvinceProfile:
    """Read ``monitor/data/provinces/<profile_id>.yaml`` (package data)."""
    if not re.fullmatch(r"[a-z0-9-]+", profile_id):
        raise ConfigError("monitor/data/provinces", "(profile id)", "a-z, 0-9 and -", profile_id)
    resource = resources.files("monitor") / "data" / "provinces" / f"{profile_id}.yaml"
    where = f"monitor/data/provinces/{profile_id}.yaml"
    try:
        raw = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(where, "(file)", "a province profile", "no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(where, "(file)", "valid YAML", str(exc).splitlines()[0]) from None
    return _profile_from(raw, where)


def assess(title: str, sapo: str, text: str, profile: ProvinceProfile) -> Relevance:
    """Label an article about | mention | none for ``profile``, with the places found as evidence.

    "about": a name of the province or one of its places (with its unit word, or a distinctive
    district name) in the title or sapo, or repeated in the body; "mention": a passing mention, a
    name inside a list of provinces, or several weak names; "none" otherwise. Mention spans are
    offsets into ``text.normalize`` of the field.
    """
    hits = [hit for where, field in (("title", title), ("sapo", sapo), ("body", text))
            for hit in _find(normalize(field or ""), where, profile)]
    raw = sum(_WHERE_WEIGHT[h.mention.where] * h.strength * (0.5 if h.listed else 1.0)
              for h in hits)
    return Relevance(label=_label(hits), score=round(1.0 - math.exp(-raw / 3.0), 4),
                     places=tuple(h.mention for h in hits))


# ----------------------------------------------------------------------------- profile


def _profile_from(raw: object, where: str) -> ProvinceProfile:
    if not isinstance(raw, dict):
        raise ConfigError(where, "(top level)", "a mapping", type(raw).__name__)
    for key in ("id", "name", "names", "places"):
        if key not in raw:
            raise ConfigError(where, key, "a value", "nothing")
    places = []
    for i, place in enumerate(raw["places"] or []):
        if not (isinstance(place, list) and len(place) == 3 and place[1] in UNITS
                and place[2] in ("old", "new")):
            raise ConfigError(where, f"places[{i}]", "[name, unit, old|new]", place)
        places.append((normalize(str(place[0])), str(place[1]), str(place[2])))
    return ProvinceProfile(
        id=str(raw["id"]), name=normalize(str(raw["name"])),
        names=tuple(normalize(str(n)) for n in raw["names"]),
        places=tuple(places),
        ambiguous=tuple(normalize(str(n)) for n in raw.get("ambiguous") or ()),
        note=str(raw.get("note") or ""),
    )


@lru_cache(maxsize=16)
def _terms(profile: ProvinceProfile) -> tuple[_Term, ...]:
    """Every pattern to look for: each place with its unit words, and bare."""
    terms: dict[tuple[str, str], _Term] = {}
    entries = [(n, "province", "old") for n in profile.names] + list(profile.places)
    for name, unit, era in entries:
        folded = fold(name)
        for word in UNIT_WORDS[unit]:
            if folded.startswith(word + " "):
                continue  # "tỉnh Bắc Giang" already carries its unit word
            pattern = rf"{re.escape(word)}\.?\s*{re.escape(folded)}"
            terms.setdefault((pattern, unit), _term(pattern, name, unit, era, True))
        bare_has_unit = any(folded.startswith(w + " ") for w in UNIT_WORDS[unit])
        pattern = re.escape(folded)
        terms.setdefault((pattern, unit), _term(pattern, _bare(name), unit, era, bare_has_unit))
    return tuple(terms.values())


def _term(pattern: str, name: str, unit: str, era: str, with_unit_word: bool) -> _Term:
    compiled = re.compile(rf"(?<!\w){pattern}(?!\w)")
    return _Term(compiled, name, unit, era, with_unit_word)  # type: ignore[arg-type]


def _bare(name: str) -> str:
    """The name without a leading unit word ('tỉnh Bắc Giang' -> 'Bắc Giang')."""
    folded = fold(name)
    for words in UNIT_WORDS.values():
        for word in words:
            if folded.startswith(word + " "):
                return name[len(word) + 1:]
    return name


# ----------------------------------------------------------------------------- matching


def _find(field: str, where: Where, profile: ProvinceProfile) -> list[_Hit]:
    folded = fold(field)
    found = []
    for term in _terms(profile):
        for m in term.pattern.finditer(folded):
            if term.with_unit_word or _capitalised(field[m.start():m.end()]):
                found.append((m.start(), m.end(), term))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), not f[2].with_unit_word, _RANK[f[2].unit]))
    hits, last_end = [], -1
    for start, end, term in found:
        if start >= last_end:  # longest match first; no overlaps
            hits.append(_hit(folded, start, end, term, where, profile))
            last_end = end
    return hits


def _capitalised(surface: str) -> bool:
    """A bare name counts only as a proper noun: every syllable starts with a capital."""
    return all(word[:1].isupper() for word in surface.split())


def _hit(folded: str, start: int, end: int, term: _Term, where: Where,
         profile: ProvinceProfile) -> _Hit:
    mention = Mention(name=term.name, unit=term.unit, era=term.era, where=where,
                      start=start, end=end)
    own = frozenset(fold(n) for n in profile.names)
    return _Hit(mention, _strength(term, profile), _listed(folded, start, end, own))


def _strength(term: _Term, profile: ProvinceProfile) -> float:
    if term.with_unit_word:
        return STRONG
    if term.name in profile.ambiguous or term.unit in ("commune", "ward"):
        return WEAK  # a bare commune name, or a name shared with places elsewhere
    return STRONG


def _listed(folded: str, start: int, end: int, own: frozenset[str]) -> bool:
    """The name stands among several other province names (a list of provinces)."""
    window = folded[max(0, start - _LIST_WINDOW):start] + " | " + folded[end:end + _LIST_WINDOW]
    others = {m for m in _OTHER_PROVINCE.findall(window) if m not in own}
    return len(others) >= _LIST_MIN_OTHERS


def _label(hits: list[_Hit]) -> Literal["about", "mention", "none"]:
    strong = [h for h in hits if h.strength >= STRONG and not h.listed]
    if any(h.mention.where in ("title", "sapo") for h in strong):
        return "about"
    if sum(1 for h in strong if h.mention.where == "body") >= BODY_REPEATS_FOR_ABOUT:
        return "about"
    weak_places = {h.mention.name for h in hits if h.strength < STRONG}
    if any(h.strength >= STRONG for h in hits) or len(weak_places) >= 2:
        return "mention"
    return "none"
