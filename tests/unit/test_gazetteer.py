"""Tests for monitor.gazetteer: the generated province profiles, their ids, merging and caching."""

from __future__ import annotations

import json
import time
from importlib import resources

import pytest

from monitor import gazetteer
from monitor.errors import ConfigError
from monitor.gazetteer import ProvinceProfile, load_profile, profile_ids
from monitor.text import fold, normalize

BAC_GIANG_DISTRICTS = {"Bắc Giang", "Yên Thế", "Tân Yên", "Lạng Giang", "Lục Nam", "Lục Ngạn",
                       "Sơn Động", "Yên Dũng", "Việt Yên", "Hiệp Hòa"}
DISTRICT_LEVEL = ("city", "district", "town")


@pytest.fixture(scope="module")
def bac_giang() -> ProvinceProfile:
    return load_profile("bac-giang")


def _index() -> dict:
    text = (resources.files("monitor") / "data" / "provinces" / "_index.json").read_text("utf-8")
    return json.loads(text)


def test_all_34_current_provinces_load() -> None:
    current = [p["id"] for p in _index()["profiles"] if p["kind"] == "current"]
    assert len(current) == 34
    assert {"ha-noi", "ho-chi-minh", "bac-ninh", "hue", "thai-nguyen"} <= set(current)
    for pid in current:
        profile = load_profile(pid)
        assert profile.kind == "current" and profile.valid_from == "2025-07-01"
        assert any(p.era == "new" and p.unit in ("commune", "ward", "special-zone")
                   for p in profile.places), pid
        assert profile.names and all(n == normalize(n) for n in profile.names)


def test_ids_are_ascii_slugs_and_legacy_names_get_pre2025() -> None:
    ids = profile_ids()
    assert all(i.isascii() and i == i.lower() and " " not in i for i in ids)
    # A former province whose name a current province kept: the old area gets -pre2025.
    old_bn = load_profile("bac-ninh-pre2025")
    assert (old_bn.kind, old_bn.successor, old_bn.covering) == ("former", "bac-ninh", ())
    new_bn = load_profile("bac-ninh")
    assert new_bn.areas == {"bac-giang", "bac-ninh-pre2025"}
    assert "bac-giang-pre2025" not in ids  # no current province is called Bắc Giang


def test_bac_giang_has_its_old_districts_and_the_new_units_covering_it(bac_giang) -> None:
    assert (bac_giang.kind, bac_giang.valid_to, bac_giang.successor) == (
        "former", "2025-06-30", "bac-ninh")
    old_district_level = {p.name for p in bac_giang.places
                          if p.era == "old" and p.unit in DISTRICT_LEVEL}
    assert BAC_GIANG_DISTRICTS <= old_district_level
    new = {(p.name, p.unit) for p in bac_giang.places if p.era == "new"}
    assert {("Bắc Giang", "ward"), ("Kép", "commune"), ("Lục Ngạn", "commune"),
            ("Chũ", "ward")} <= new
    # Only units formed from the former Bắc Giang: the old Bắc Ninh's wards are not there.
    assert ("Kinh Bắc", "ward") not in new and ("Từ Sơn", "ward") not in new
    assert bac_giang.covering == ("Bắc Ninh",)
    assert "Bắc Giang" in bac_giang.note


def test_old_to_new_mapping(bac_giang) -> None:
    by_name = {(p.name, p.unit, p.era): p for p in bac_giang.places}
    assert by_name[("Kép", "township", "old")].successor == "xã Kép"
    assert by_name[("Trần Phú", "ward", "old")].successor == "phường Bắc Giang"
    assert by_name[("Trần Phú", "ward", "old")].parent == "Bắc Giang"
    old_communes = [p for p in bac_giang.places if p.era == "old" and p.unit in (
        "commune", "ward", "township")]
    mapped = [p for p in old_communes if p.successor]
    assert len(mapped) >= 180 and len(old_communes) > len(mapped)  # 2020-only names unmapped
    new_names = {f"{'phường' if p.unit == 'ward' else 'xã'} {p.name}"
                 for p in bac_giang.places if p.era == "new"}
    assert all(s in new_names for p in mapped for s in p.successor.split("; "))


def test_unaccented_aliases(bac_giang) -> None:
    aliases = dict(bac_giang.aliases)
    assert aliases["Luc Ngan"] == "Lục Ngạn"
    assert aliases["Bac Giang"] == "Bắc Giang"
    assert all(fold(a) == fold(n) for a, n in bac_giang.aliases)
    assert dict(load_profile("ho-chi-minh").aliases)["TP.HCM"] == "Hồ Chí Minh"


def test_shared_names_are_computed_across_all_provinces(bac_giang) -> None:
    quang_trung = bac_giang.ambiguous["Quang Trung"]
    assert {"shared", "shared-commune", "word"} <= quang_trung.reasons
    assert len(quang_trung.elsewhere) >= 5 and "bac-giang" not in quang_trung.elsewhere
    assert {"word", "short"} <= bac_giang.ambiguous["Kép"].reasons
    assert "shared" not in bac_giang.ambiguous["Kép"].reasons
    assert "Lục Ngạn" not in bac_giang.ambiguous  # a distinctive name
    # Hiệp Hòa names communes elsewhere but no other district.
    hiep_hoa = bac_giang.ambiguous["Hiệp Hòa"].reasons
    assert "shared-commune" in hiep_hoa and "shared-district" not in hiep_hoa
    # Every shared name does name a unit in another area, in that area's own profile.
    name, amb = next((n, a) for n, a in bac_giang.ambiguous.items()
                     if "shared-commune" in a.reasons and len(a.elsewhere) == 1)
    (area,) = amb.elsewhere
    assert name in {p.name for p in load_profile(area).places}


def test_comma_list_merges_profiles(bac_giang) -> None:
    thai = load_profile("thai-nguyen")
    merged = load_profile("bac-giang, thai-nguyen")
    assert merged.id == "bac-giang,thai-nguyen" and merged.kind == "merged"
    assert merged.areas == bac_giang.areas | thai.areas
    assert set(bac_giang.places) | set(thai.places) == set(merged.places)
    # A name shared only by the two merged areas is no longer ambiguous for the merged area.
    only_between = [n for n, a in bac_giang.ambiguous.items()
                    if a.reasons <= {"shared", "shared-commune"} and a.elsewhere <= thai.areas]
    assert only_between
    assert all(n not in merged.ambiguous for n in only_between)
    assert "Thái Nguyên" not in merged.others and "Thái Nguyên" in bac_giang.others
    assert load_profile("bac-giang,bac-giang") is bac_giang


def test_unknown_id_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError) as err:
        load_profile("khong-co-tinh-nay")
    message = str(err.value)
    assert "khong-co-tinh-nay" in message
    assert "bac-giang" in message and "ha-noi" in message
    for bad in ("../settings", "bac-giang,nowhere", "", " , "):
        with pytest.raises(ConfigError):
            load_profile(bad)


def test_profile_files_say_they_are_generated() -> None:
    for pid in ("bac-giang", "ha-noi", "_index"):
        raw = json.loads((resources.files("monitor") / "data" / "provinces" / f"{pid}.json")
                         .read_text("utf-8"))
        assert raw["generated"].startswith("GENERATED by scripts/build_profiles.py")
        assert "vietnamadminunits" in raw["generated"] and "pip install" in raw["generated"]


def test_profiles_load_fast_and_are_cached() -> None:
    gazetteer.load_profile.cache_clear()
    gazetteer._load_one.cache_clear()
    start = time.perf_counter()
    first = load_profile("ha-noi")  # among the largest profiles
    assert time.perf_counter() - start < 0.1
    assert load_profile("ha-noi") is first
