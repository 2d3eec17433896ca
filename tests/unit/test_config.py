"""sources.yaml validation: each rejection names file, path, expected, found; the shipped file."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from monitor.config import load_sources, parse_interval, parse_sources, sources_table
from monitor.errors import ConfigError
from monitor.models import TIERS, Politeness

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "sources.yaml"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _reject(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    return info.value


def _write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def _one_source(**feed: object) -> dict:
    return {"sources": [{"id": "alpha", "name": "Alpha", "homepage": "https://alpha.example/",
                         "tier": "national", "feeds": [{"url": "https://alpha.example/rss",
                                                        **feed}]}]}


# ------------------------------------------------------------------ rejections from fixture files

REJECTIONS = [
    # file, path, part of expected, found (as repr'd in the message)
    ("unknown_key.yaml", "sources[1].feedz", "one of: enabled, feeds, homepage", "'feedz'"),
    ("missing_name.yaml", "sources[0].name", "a non-empty string", "missing"),
    ("wrong_type.yaml", "sources[0].feeds", "a non-empty list of feeds", "{'url':"),
    ("bad_tier.yaml", "sources[0].tier", ", ".join(TIERS), "'local'"),
    ("bad_id.yaml", "sources[0].id", "^[a-z0-9][a-z0-9-]*$", "'Bao Alpha'"),
    ("duplicate_id.yaml", "sources[2].id", "sources[0] already has it", "'alpha'"),
    ("bad_url.yaml", "sources[0].feeds[1].url", "an absolute http(s) URL", "'htp:/x'"),
    ("duplicate_url.yaml", "sources[1].feeds[0].url", "sources[0].feeds[1].url already has it",
     "'https://SHARED.example/rss/home.rss'"),
    ("section_without_selector.yaml", "sources[0].feeds[0].item_selector",
     "required when kind is section", "missing"),
    ("selector_on_rss.yaml", "sources[0].feeds[0].item_selector",
     "no item_selector on a rss feed", "'h3 a'"),
    ("bad_selector.yaml", "sources[0].rules.body", "a valid CSS selector", "'div..p'"),
    ("yaml_syntax.yaml", "line 7, column 4", "valid YAML", "block"),
    ("empty.yaml", "(top level)", "a mapping with a 'sources' list", "an empty file"),
]


@pytest.mark.parametrize(("name", "path", "expected", "found"), REJECTIONS,
                         ids=[r[0].removesuffix(".yaml") for r in REJECTIONS])
def test_rejected_file_names_file_path_expected_found(name, path, expected, found) -> None:
    err = _reject(FIXTURES / name)
    assert err.file.endswith(name)
    assert err.path == path
    assert expected in err.expected
    message = str(err)
    assert message.startswith(f"{err.file}: {path}: expected ")
    assert expected in message and found in message.split(", found ", 1)[1]


def test_missing_file(tmp_path: Path) -> None:
    err = _reject(tmp_path / "nowhere.yaml")
    assert err.file.endswith("nowhere.yaml")
    assert err.path == "(file)"
    assert "existing sources file" in err.expected and err.found == "no such file"


@pytest.mark.parametrize(("value", "reason"), [
    ("0s", "too small"), (0, "too small"), (8 * 86400, "too large"), ("8d", "too large"),
    ("soon", "unparseable"), ("15 minutes", "unparseable"), ("-5m", "unparseable"),
    (True, "a bool"), (1.5, "a float"),
])
def test_bad_interval_in_a_feed(tmp_path: Path, value: object, reason: str) -> None:
    data = _one_source(interval=value)
    err = _reject(_write(tmp_path, yaml.safe_dump(data)))
    assert err.file.endswith("sources.yaml")
    assert err.path == "sources[0].feeds[0].interval"
    assert "between 1 s and 7 days" in err.expected
    assert err.found == value


def test_bad_interval_in_defaults(tmp_path: Path) -> None:
    data = {"defaults": {"interval": "2w"}, **_one_source()}
    err = _reject(_write(tmp_path, yaml.safe_dump(data)))
    assert (err.path, err.found) == ("defaults.interval", "2w")


def test_duplicate_yaml_key_names_its_line(tmp_path: Path) -> None:
    text = ("sources:\n  - id: alpha\n    name: A\n    name: B\n    homepage: https://a.example/\n"
            "    tier: other\n    feeds: [{url: https://a.example/rss}]\n")
    err = _reject(_write(tmp_path, text))
    assert err.path.startswith("line 4,")
    assert "duplicate key 'name'" in str(err.found) and "line 3" in str(err.found)


# ------------------------------------------------------------------ rejections from data (pure)


def _problem(data: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_sources(data, file="memory.yaml")
    assert info.value.file == "memory.yaml"
    return info.value


def test_unknown_keys_at_every_level() -> None:
    assert _problem({"source": [], **_one_source()}).path == "source"
    data = _one_source(kindd="rss")
    assert _problem(data).path == "sources[0].feeds[0].kindd"
    data = {"defaults": {"politeness": {"concurency": 2}}, **_one_source()}
    err = _problem(data)
    assert err.path == "defaults.politeness.concurency" and "concurrency" in err.expected
    data = _one_source()
    data["sources"][0]["rules"] = {"headline": "h1"}
    assert _problem(data).path == "sources[0].rules.headline"


def test_top_level_must_be_a_mapping_with_sources() -> None:
    assert _problem([1, 2]).path == "(top level)"
    err = _problem({"defaults": {"interval": 60}})
    assert err.path == "sources" and "non-empty list" in err.expected


@pytest.mark.parametrize(("politeness", "path"), [
    ({"concurrency": 0}, "concurrency"), ({"concurrency": 17}, "concurrency"),
    ({"concurrency": 1.5}, "concurrency"), ({"min_interval": 601}, "min_interval"),
    ({"min_interval": -1}, "min_interval"), ({"min_interval": "2"}, "min_interval"),
])
def test_politeness_bounds(politeness: dict, path: str) -> None:
    data = _one_source()
    data["sources"][0]["politeness"] = politeness
    err = _problem(data)
    assert err.path == f"sources[0].politeness.{path}"
    assert err.found == next(iter(politeness.values()))


def test_wrong_types_of_scalars() -> None:
    assert _problem(_one_source(enabled="yes please")).path == "sources[0].feeds[0].enabled"
    assert _problem(_one_source(kind="json")).path == "sources[0].feeds[0].kind"
    data = _one_source()
    data["sources"][0]["name"] = 42
    assert (_problem(data).path, _problem(data).found) == ("sources[0].name", 42)


def test_a_port_out_of_range_is_a_bad_url() -> None:
    data = _one_source()
    data["sources"][0]["feeds"][0]["url"] = "http://alpha.example:99999/rss"
    problem = _problem(data)
    assert problem.path == "sources[0].feeds[0].url" and "absolute http(s) URL" in str(problem)


def test_time_selector_only_on_section_and_must_compile() -> None:
    err = _problem(_one_source(time_selector="time"))
    assert err.path == "sources[0].feeds[0].time_selector" and "rss feed" in err.expected
    err = _problem(_one_source(kind="section", item_selector="h3 a", time_selector="time["))
    assert err.path == "sources[0].feeds[0].time_selector" and err.found == "time["


def test_all_problems_are_collected_first_one_leads() -> None:
    data = {"sources": [
        {"id": "Bad", "name": "", "homepage": "ftp://x", "tier": "none", "feeds": []},
    ]}
    err = _problem(data)
    assert err.path == "sources[0].id"
    paths = [p.path for p in err.problems]
    assert paths == ["sources[0].id", "sources[0].name", "sources[0].homepage",
                     "sources[0].tier", "sources[0].feeds"]
    assert "4 more problem(s)" in str(err) and "sources[0].feeds" in str(err)


# ------------------------------------------------------------------ accepted values


@pytest.mark.parametrize(("text", "seconds"), [
    (60, 60), ("60", 60), ("90s", 90), ("15m", 15 * 60), ("2h", 2 * 3600), ("1h30m", 5400),
    ("1d", 86400), ("7d", 7 * 86400), ("1s", 1), (" 5M ", 300),
])
def test_parse_interval_accepts(text: object, seconds: int) -> None:
    assert parse_interval(text, file="f.yaml", path="x") == seconds


def test_valid_fixture_applies_defaults_and_overrides(fixtures_dir: Path) -> None:
    alpha, beta = load_sources(fixtures_dir / "sources" / "valid.yaml")
    assert [f.kind for f in alpha.feeds] == ["rss", "atom", "sitemap"]
    assert [f.interval for f in alpha.feeds] == [600, 90, 5400]
    assert [f.enabled for f in alpha.feeds] == [True, True, False]
    assert alpha.politeness == Politeness(concurrency=2, min_interval=5.0)
    assert beta.politeness == Politeness(concurrency=2, min_interval=1.5)
    assert alpha.rules is not None and alpha.rules.body == "div.body > p"
    assert alpha.province == "bac-giang" and beta.province is None
    assert beta.enabled is False and beta.feeds[0].item_selector == "h3 a"
    assert {f.source_id for f in alpha.feeds} == {"alpha"}


def test_text_is_nfc() -> None:
    data = _one_source()
    data["sources"][0]["name"] = unicodedata.normalize("NFD", "Báo Bắc Giang")
    (source,) = parse_sources(data, file="memory.yaml")
    assert source.name == unicodedata.normalize("NFC", "Báo Bắc Giang")
    assert source.name != data["sources"][0]["name"]


def test_sources_table_lists_each_source(fixtures_dir: Path) -> None:
    sources = load_sources(fixtures_dir / "sources" / "valid.yaml")
    lines = sources_table(sources).splitlines()
    assert lines[0].split() == ["id", "name", "tier", "enabled", "feeds", "kinds", "host"]
    assert len(lines) == 2 + len(sources)
    alpha = next(line for line in lines if line.startswith("alpha "))
    assert "2/3" in alpha and "atom,rss,sitemap" in alpha and "alpha.example" in alpha
    beta = next(line for line in lines if line.startswith("beta "))
    assert " no " in beta and "1/1" in beta and "section" in beta


# ------------------------------------------------------------------ the shipped sources.yaml


@pytest.fixture(scope="module")
def shipped() -> tuple:
    return load_sources(SHIPPED)


def test_shipped_file_has_enough_enabled_feeds_and_outlets(shipped) -> None:
    live = [s for s in shipped if s.enabled]
    feeds = [f for s in live for f in s.feeds if f.enabled]
    assert len(feeds) >= 40
    assert len({f.source_id for f in feeds}) >= 15


def test_shipped_ids_sorted_unique_and_tiers_valid(shipped) -> None:
    ids = [s.id for s in shipped]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {s.tier for s in shipped} <= set(TIERS)
    assert {s.tier for s in shipped if s.enabled} == set(TIERS)


def test_shipped_covers_the_monitored_province(shipped) -> None:
    bac_giang = [s for s in shipped if s.province == "bac-giang"]
    assert bac_giang and all(s.tier == "provincial" for s in bac_giang)
    assert any(f.enabled for s in bac_giang if s.enabled for f in s.feeds)
    assert all(s.province for s in shipped if s.tier == "provincial")
    assert len({s.province for s in shipped if s.province}) >= 3


def test_shipped_disabled_feeds_say_why() -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for source in raw["sources"]:
        for feed in source["feeds"]:
            if feed.get("enabled") is False or source.get("enabled") is False:
                assert feed.get("note"), f"{source['id']}: {feed['url']} disabled without a note"


@pytest.mark.parametrize("url", [
    "https://vneconomy.vn/rss/home.rss",            # empty, "No Content"
    "http://vtv.vn/kinh-te.rss",                     # 404
    "https://vietnamnet.vn/kinh-doanh.rss",          # frozen
    "https://tienphong.vn/rss/kinh-te-108.rss",      # mixed look-alike
    "https://nhandan.vn/rss/kinhte-1041.rss",        # mixed look-alike
    "https://www.sggp.org.vn/rss/kinhte-3.rss",      # the urban section
    "https://nld.com.vn/rss/kinh-te.rss",            # outlet merged into Tuổi Trẻ
    "https://vov.vn/rss",                            # WAF blocks bots
])
def test_shipped_known_bad_feeds_are_not_crawled(shipped, url: str) -> None:
    matches = [(s, f) for s in shipped for f in s.feeds if f.url == url]
    assert matches, f"{url} should stay in sources.yaml, disabled with a note"
    assert not any(s.enabled and f.enabled for s, f in matches)


def test_shipped_feeds_match_the_survey(shared_data: Path, shipped) -> None:
    """Every enabled rss feed whose outlet is in the survey of feed URLs uses a surveyed host."""
    survey = yaml.safe_load((shared_data / "feed-urls.yaml").read_text(encoding="utf-8"))
    surveyed_hosts = {_host(item["url"]) for item in survey["feeds"]}
    shipped_hosts = {_host(f.url) for s in shipped for f in s.feeds if f.kind == "rss"}
    assert len(shipped_hosts & surveyed_hosts) >= 15


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def test_an_unknown_province_profile_is_rejected() -> None:
    data = _one_source()
    data["sources"][0]["province"] = "bac-giang-cu"
    problem = _problem(data)
    assert problem.path == "sources[0].province" and problem.found == "bac-giang-cu"
