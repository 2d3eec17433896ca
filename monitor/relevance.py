"""Is an article about the watched province? Gazetteer matching with weighed evidence (pure)."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from monitor.gazetteer import Place, ProvinceProfile, load_profile
from monitor.models import Mention, Relevance
from monitor.placematch import UNIT_WORDS, Found, find_places
from monitor.text import normalize

log = logging.getLogger(__name__)

__all__ = ["ProvinceProfile", "assess", "assess_lines", "load_profile", "relevance_json"]

Where = Literal["title", "sapo", "body"]
Label = Literal["about", "mention", "none"]
_WHERE_WEIGHT: dict[str, float] = {"title": 3.0, "sapo": 2.0, "body": 1.0}
# Evidence strengths. STRONG: the place is ours beyond reasonable doubt (the province, a
# distinctive district, a commune with its unit word whose name is unique in the country).
# MEDIUM: a unique commune name without unit word, an unaccented name that folds onto other
# places. WEAK: a name shared with places elsewhere, an ordinary word, the larger province that
# contains the area (the new Bắc Ninh for bac-giang).
STRONG, MEDIUM, WEAK = 1.0, 0.5, 0.2
LISTED = 0.3  # a name inside a list of provinces counts this much of its strength
BODY_EVIDENCE_FOR_ABOUT = 3.0  # three strong body mentions (or their equivalent)
BODY_STRONG_ALWAYS = 4  # ... and at five strong body mentions whatever else is named
# "xã Tiền Phong, huyện Yên Dũng", "Yên Lư (Yên Dũng, Bắc Giang)": the next unit of one address.
ADDRESS_GAP_CHARS = 24
_ADDRESS_GAP = re.compile(
    r"[\s,(\-–]*(?:khu vực\s+)?"
    r"(?:(?:tỉnh|thành phố|tp|huyện|quận|thị xã|tx|thi xa|tinh|huyen|thanh pho)\.?\s*)?",
    re.IGNORECASE)
_LEVEL = {"province": "province", "city": "district", "district": "district", "town": "district"}
_LIST_SEPARATOR = re.compile(r",|;|\.\.\.|…|\b(?:và|va|hay|hoặc)\b")
_LIST_GAP_CHARS = 30
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ])(?<!TP\.\s)|\n")
_ORIGIN_CUE = re.compile(
    r"(?i:\b(?:quê|trú|ngụ|thường trú|sinh năm|sn|tuổi|đến từ|e ở|em ở|mình ở|bạn ở)\b)|"
    r"(?i:\b(?:ông|bà|anh|chị|cô|chú|em|cháu|bé|kỳ thủ|bệnh nhân|doanh nhân))\s+"
    r"(?:[A-ZĐ]\w*\s*){1,4}[(,]\s*(?i:tỉnh|huyện|tp\.?|thành phố)?\s*$|"
    # Inside the brackets after a person's name: "cô Oanh (giáo viên ở Bắc Giang)".
    r"(?i:\b(?:ông|bà|anh|chị|cô|chú|thầy|em|cháu|bé))\s+(?:[A-ZĐ]\w*\s*){1,4}\([^()]{0,40}$|"
    # A group of people named by their home: "danh sách của ae bắc giang".
    r"(?i:\b(?:ae|anh em|các bạn))\s+$")
# A full name, then the place in brackets: "Nguyễn Thị Mai Hưng (tỉnh Bắc Giang)".
_FULL_NAME_BRACKET = re.compile(r"(?:[A-ZĐ]\w*\s+){2,3}[A-ZĐ]\w*\s*\(\s*(?:tỉnh\s*)?$")
# A person's workplace: "Cô Hải – Giáo viên Trường THPT Yên Dũng số 3 (Bắc Giang) chia sẻ".
_AFFILIATION_CUE = re.compile(
    r"(?i:\b(?:giáo viên|hiệu trưởng|hiệu phó|học sinh|sinh viên|bác sĩ|nhân viên|công nhân)"
    r"\s+(?:trường|bệnh viện|công ty)\b)[^.;()]{0,40}(?:\(\s*)?$")
# A distance is measured from the place, not set there: "cách TP Bắc Giang 40 km".
_DISTANCE_BEFORE = re.compile(
    r"(?i:\bcách\s+(?:(?:khoảng|chừng|trung tâm|tt|thị trấn)\s+)*)$")
_DISTANCE_AFTER = re.compile(r"\s*(?:khoảng|chừng|hơn|gần)?\s*\d+(?:[.,]\d+)?\s*(?:km|cây số)\b",
                             re.IGNORECASE)
# An end of a road or a border: "cao tốc Hà Nội - Bắc Giang", "đập tràn kết nối Ba Chẽ với Bắc
# Giang", "sông Cầu nằm giữa hai tỉnh Bắc Ninh và Bắc Giang".
_ROAD = r"(?:cao tốc|quốc lộ|tỉnh lộ|đường sắt|tuyến(?: đường| xe)?|xe khách|chuyến xe)"
_ROUTE_BEFORE = re.compile(
    rf"(?i:\b{_ROAD}\s+[^,.;()]{{1,30}}\s[-–]\s*$)|"
    r"(?i:\b(?:kết nối|nối liền|nằm giữa|ranh giới giữa|giáp ranh giữa)\b)[^.;:!?]{0,40}$")
_ROUTE_START = re.compile(rf"(?i:\b{_ROAD})\s+$")
_ROUTE_AFTER = re.compile(r"\s*[-–]\s*[A-ZĐ]")
# Where goods were headed: "vận chuyển từ Tràng Định về tỉnh Bắc Giang bán" (the story happened
# where they were caught; only used when another province leads the story).
_DESTINATION_CUE = re.compile(
    r"(?i:\b(?:chở|vận chuyển|chuyển|đưa|mang|buôn|tuồn)\b)[^.;:!?]{0,70}"
    r"\b(?:về|đến|tới|sang|lên)\s+$")


@dataclass(frozen=True)
class _Hit:
    found: Found
    where: Where
    strength: float
    listed: bool
    place: Place

    @property
    def evidence(self) -> float:
        return _WHERE_WEIGHT[self.where] * self.strength * (LISTED if self.listed else 1.0)


def assess(title: str, sapo: str, text: str, profile: ProvinceProfile, *,
           local: bool = False) -> Relevance:
    """Label an article about | mention | none for ``profile``, with the places found as evidence.

    ``local``: the article comes from an outlet of the watched area (a source whose
    ``province`` is in the profile). Such outlets leave the province implicit ("xã Mỹ Thái"),
    so a commune name that other provinces share counts as ours; ordinary words and one-syllable
    names still need their unit word. Mention spans are offsets into ``monitor.text.normalize``
    of the field they were found in.
    """
    fields = [(where, normalize(field or "")) for where, field in
              (("title", title), ("sapo", sapo), ("body", text))]
    found = {where: find_places(normal, profile) for where, normal in fields}
    elsewhere = _elsewhere_leads(found["title"], fields[0][1], found["sapo"], fields[1][1])
    own: list[_Hit] = []
    for where, normal in fields:
        own += _hits(found[where], where, profile, normal, local, elsewhere)
    other_in_title = _other_province_leads(found["title"], fields[0][1])
    others = Counter(f.entry.place.name for where in ("sapo", "body") for f in found[where]
                     if f.entry.kind == "other")
    label = _label(own, other_in_title, max(others.values(), default=0))
    raw = sum(h.evidence for h in own) * (0.5 if other_in_title else 1.0)
    places = tuple(_mention(h) for h in own)
    return Relevance(label=label, score=round(1.0 - math.exp(-raw / 3.0), 4), places=places)


def relevance_json(relevance: Relevance) -> dict:
    """A JSON-ready dict: label, score and places (name, unit, era, where, start, end)."""
    return {
        "label": relevance.label,
        "score": relevance.score,
        "places": [{"name": m.name, "unit": m.unit, "era": m.era, "where": m.where,
                    "start": m.start, "end": m.end} for m in relevance.places],
    }


def assess_lines(lines: Iterable[dict], profile: ProvinceProfile) -> Iterator[dict]:
    """For ``diembao relevance``: each input object (title, sapo, text; missing fields are
    empty) gives one output object, with its ``id`` or ``url`` copied when present."""
    for n, line in enumerate(lines, 1):
        if not isinstance(line, dict):
            log.warning("line %d: expected a JSON object, found %s", n, type(line).__name__)
            yield {"error": f"line {n}: expected a JSON object"}
            continue
        result = assess(*(str(line.get(k) or "") for k in ("title", "sapo", "text")), profile)
        keep = {k: line[k] for k in ("id", "url") if k in line}
        yield {**keep, **relevance_json(result)}


# ----------------------------------------------------------------------------- evidence


def _hits(found: list[Found], where: Where, profile: ProvinceProfile, text: str,
          local: bool = False, elsewhere: bool = False) -> list[_Hit]:
    hits = []
    communes = any(f.entry.kind == "own" and _LEVEL.get(f.entry.place.unit, "commune") ==
                   "commune" and (f.unit_word or _confirmed_by_address(found, i, text, profile))
                   for i, f in enumerate(found))
    for i, f in enumerate(found):
        if f.entry.kind in ("other", "elsewhere"):
            continue
        if f.entry.kind == "own" and _elsewhere_by_address(found, i, text):
            continue  # "xã Quang Trung, huyện Mê Linh, Hà Nội": another province's commune
        confirmed = _confirmed_by_address(found, i, text, profile)
        strength = _strength(f, confirmed, profile, local)
        if strength >= STRONG and _passing(text, f, communes and not elsewhere, elsewhere):
            strength = MEDIUM
        place = f.entry.place
        if confirmed and f.entry.kind == "own" and _next_kind(found, i, text) == "covering":
            place = _new_place(f, profile) or place  # "xã Mỹ Thái, tỉnh Bắc Ninh" is the new one
        hits.append(_Hit(f, where, strength, _listed(found, i, text, where), place))
    return hits


def _passing(text: str, f: Found, full_address: bool, elsewhere: bool) -> bool:
    """The place is named in passing, not as where the story happens: a distance or a road
    measured from it, a person's home or workplace (unless the address goes down to a commune:
    a story about a local person gives the full address, except when another province leads
    the story), where goods were headed when another province leads the story."""
    start = f.unit_start if f.unit_start >= 0 else f.start
    before = _SENTENCE_END.split(text[max(0, start - 80):start])[-1]
    after = text[f.end:f.end + 30]
    if _DISTANCE_BEFORE.search(before) or _DISTANCE_AFTER.match(after):
        return True
    if _ROUTE_BEFORE.search(before) or (_ROUTE_START.search(before)
                                        and _ROUTE_AFTER.match(after)):
        return True
    if elsewhere and _DESTINATION_CUE.search(before):
        return True
    return not full_address and (_origin(text, f) or bool(_AFFILIATION_CUE.search(before)))


def _strength(f: Found, confirmed: bool, profile: ProvinceProfile, local: bool = False) -> float:
    """How sure a name alone makes us; see STRONG / MEDIUM / WEAK."""
    place = f.entry.place
    if f.entry.kind == "covering":
        return WEAK  # the new Bắc Ninh is larger than the former Bắc Giang
    amb = profile.ambiguous.get(place.name)
    reasons = amb.reasons if amb else frozenset()
    if local:  # the outlet's own area: names shared with other provinces are ours here
        reasons = frozenset(r for r in reasons if not r.startswith("shared"))
    if f.folded and "folded" in reasons:
        reasons = reasons | {"shared"}  # "Cam Son" may be Cẩm Sơn as well as Cấm Sơn
    if f.lower:
        return MEDIUM  # "hot boy xóm của Tp.bắc giang": lower case is a post's aside
    if place.unit == "province":
        # Lower case ("e ở bắc giang") is a forum post's aside, not a news story's subject.
        return MEDIUM if "shared-province" in reasons else STRONG
    if confirmed:
        return STRONG
    district_level = place.unit in ("city", "district", "town")
    if f.unit_word:
        # The unit word settles ordinary words ("xã Kép" vs "mục tiêu kép") and names that
        # only other levels share ("huyện Hiệp Hòa"), not a name that several provinces give to
        # a commune ("xã Tiền Phong").
        shared = any(f"shared-{unit}" in reasons for unit in UNIT_WORDS[f.unit_word])
        return WEAK if shared else STRONG
    if reasons & {"word", "short", "shared-province", "shared-city", "shared-district",
                  "shared-town"}:
        return WEAK
    if district_level:
        # A district is better known than a commune of the same name elsewhere.
        return MEDIUM if "shared" in reasons else STRONG
    return WEAK if "shared" in reasons else MEDIUM


def _confirmed_by_address(found: list[Found], i: int, text: str,
                          profile: ProvinceProfile | None = None) -> bool:
    """The next name follows at once and is one of ours at a higher level: "xã Tiền Phong,
    huyện Yên Dũng", "Hiệp Hòa (Bắc Giang)". The covering province confirms a new unit ("xã Mỹ
    Thái, tỉnh Bắc Ninh") unless the rest of that province has a unit of the same name."""
    nxt = _next_in_address(found, i, text)
    if not nxt or _rank(nxt) >= _rank(found[i]):
        return False
    if nxt.entry.kind == "own":
        return True
    return bool(profile and nxt.entry.kind == "covering" and _new_place(found[i], profile))


def _new_place(f: Found, profile: ProvinceProfile) -> Place | None:
    """The unit of the new province with this name in our area, if no unit of the covering
    province outside our area shares the name."""
    name = f.entry.place.name
    amb = profile.ambiguous.get(name)
    if amb and amb.elsewhere & (profile.covering_areas - profile.areas):
        return None
    return next((p for p in profile.places if p.name == name and p.era == "new"), None)


def _elsewhere_by_address(found: list[Found], i: int, text: str) -> bool:
    """The next name in the address is another province's: "xã Quang Trung (Thái Bình)"."""
    nxt = _next_in_address(found, i, text)
    return bool(nxt and nxt.entry.kind in ("other", "elsewhere")
                and found[i].entry.place.unit != "province")


def _next_kind(found: list[Found], i: int, text: str) -> str:
    nxt = _next_in_address(found, i, text)
    return nxt.entry.kind if nxt else ""


def _next_in_address(found: list[Found], i: int, text: str) -> Found | None:
    if i + 1 >= len(found):
        return None
    gap = text[found[i].end:found[i + 1].start]
    return found[i + 1] if len(gap) <= ADDRESS_GAP_CHARS and _ADDRESS_GAP.fullmatch(gap) else None


def _rank(f: Found) -> int:
    order = ("province", "city", "district", "town", "ward", "township", "commune",
             "special-zone")
    return order.index(f.entry.place.unit)


def _listed(found: list[Found], i: int, text: str, where: Where = "body") -> bool:
    """A province-level name inside a list of at least three provinces ("Hà Nội, Bắc Giang,
    Bắc Ninh, Hải Dương...", "Bắc Giang, Hải Phòng, Vinh, Khánh Hòa"): the article is about
    the list, not about one of them."""
    if found[i].entry.place.unit != "province":
        return False
    provinces = [f for f in found if f.entry.place.unit == "province"
                 and f.entry.kind != "elsewhere"]
    k = provinces.index(found[i])
    neighbours = 0
    for step in (-1, 1):
        j, edge = k + step, provinces[k]
        while 0 <= j < len(provinces):
            a, b = (provinces[j], edge) if step < 0 else (edge, provinces[j])
            if not _in_one_list(text[a.end:b.start]):
                break
            neighbours += 1
            edge, j = provinces[j], j + step
    # A title naming three provinces is about each ("... cho 3 tỉnh Bắc Giang, Lào Cai, Yên
    # Bái"); a longer list is not.
    return neighbours >= (3 if where == "title" else 2)


def _in_one_list(gap: str) -> bool:
    """Two names are items of one list: a separator between them, at most a short other item
    ("Vinh") in between, no sentence end."""
    return (len(gap) <= _LIST_GAP_CHARS and bool(_LIST_SEPARATOR.search(gap))
            and not _SENTENCE_END.search(gap))


def _origin(text: str, f: Found) -> bool:
    """The name gives where a person comes from or lives ("bà Nguyễn Thị Hằng (tỉnh Bắc
    Giang) hỏi", "quê ở huyện Yên Dũng", "63 tuổi, Lục Ngạn"): a passing mention unless the
    address goes down to a commune (a story about a local person gives the full address)."""
    start = f.unit_start if f.unit_start >= 0 else f.start
    before = text[max(0, start - 60):start]
    before = _SENTENCE_END.split(before)[-1]
    return bool(_ORIGIN_CUE.search(before) or _FULL_NAME_BRACKET.search(before))


def _elsewhere_leads(title_found: list[Found], title: str, sapo_found: list[Found],
                     sapo: str) -> bool:
    """Another province is named, outside a list, in the title or the first sentence of the
    sapo: the story likely happens there ("công an Lạng Sơn phát hiện ô tô tải...")."""
    first = _SENTENCE_END.search(sapo)
    end = first.start() if first else len(sapo)
    return any(f.entry.kind == "other" and not _listed(found, i, text, where)
               for found, text, where, limit in ((title_found, title, "title", len(title)),
                                                 (sapo_found, sapo, "sapo", end))
               for i, f in enumerate(found) if f.start < limit)


def _other_province_leads(title_found: list[Found], title: str) -> bool:
    """The title names another province and none of ours first ("TP.HCM: ...")."""
    for i, f in enumerate(title_found):
        if f.entry.kind == "other" and not _listed(title_found, i, title, "title"):
            return True
        if f.entry.kind == "own":
            return False
    return False


def _label(hits: list[_Hit], other_in_title: bool, top_other: int) -> Label:
    """about: a strong name of ours in the title; in the sapo of a story no other province
    leads; or strong names piling up in the body (a dedicated paragraph) at least as often as
    the most-named other province, or four times and more whatever else is named (a story set
    in Hà Nội that names Bắc Giang twice in passing is a mention).
    mention: anything less but real. A covering province alone (the new Bắc Ninh) is not
    enough: it is larger."""
    counted = [h for h in hits if not h.listed]
    strong = [h for h in counted if h.strength >= STRONG]
    if any(h.where == "title" for h in strong):
        return "about"
    own_evidence = sum(h.evidence for h in counted if h.where == "body")
    need = BODY_EVIDENCE_FOR_ABOUT * (2 if other_in_title else 1)
    if strong and not other_in_title and any(h.where == "sapo" for h in strong):
        return "about"
    if strong and own_evidence >= need and (len(strong) >= top_other
                                            or len(strong) >= BODY_STRONG_ALWAYS):
        return "about"
    # Weak names alone (a street "Quang Trung", a covering province) are no evidence.
    if strong or any(h.strength >= MEDIUM or (h.listed and h.found.entry.kind == "own")
                     for h in hits):
        return "mention"
    return "none"


def _mention(hit: _Hit) -> Mention:
    f = hit.found
    place = hit.place
    return Mention(name=place.name, unit=place.unit, era=place.era,  # type: ignore[arg-type]
                   where=hit.where, start=f.unit_start if f.unit_start >= 0 else f.start,
                   end=f.end)
