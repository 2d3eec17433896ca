"""Load and validate sources.yaml; every problem names the file, the path, expected and found."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from cssselect import HTMLTranslator, SelectorError

from monitor.errors import ConfigError
from monitor.gazetteer import profile_ids
from monitor.models import (
    FEED_KINDS,
    TIERS,
    ExtractionRules,
    Feed,
    Politeness,
    Source,
)

log = logging.getLogger(__name__)

MIN_INTERVAL = 1  # seconds; the demo and tests use short intervals, production should use >= 300
MAX_INTERVAL = 7 * 24 * 3600
DEFAULT_INTERVAL = 900
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TOP_KEYS = ("defaults", "sources")
DEFAULTS_KEYS = ("interval", "politeness")
SOURCE_KEYS = ("enabled", "feeds", "homepage", "id", "name", "politeness", "province", "rules",
               "tier")
FEED_KEYS = ("enabled", "interval", "item_selector", "kind", "note", "time_selector", "url")
POLITENESS_KEYS = ("concurrency", "min_interval")
RULE_KEYS = ("author", "body", "sapo", "section", "time", "title")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL_PART = re.compile(r"(\d+)\s*([smhd])")
_INTERVAL_TEXT = re.compile(r"^\s*(?:\d+\s*[smhd]\s*)+$")
_INTERVAL_EXPECTED = (
    f"an interval between {MIN_INTERVAL} s and 7 days: whole seconds or text like "
    "'90s', '15m', '2h', '1h30m', '1d'"
)
_CSS = HTMLTranslator()


@dataclass(frozen=True)
class _Shown:
    """A description shown as is in an error message (no quotes), e.g. ``nothing (missing)``."""

    text: str

    def __repr__(self) -> str:
        return self.text


MISSING = _Shown("nothing (the key is missing)")


@dataclass
class _Checker:
    """Collects the problems of one file so that all are reported, the first one leading."""

    file: str
    problems: list[ConfigError] = field(default_factory=list)

    def fail(self, path: str, expected: str, found: object) -> None:
        self.problems.append(ConfigError(self.file, path, expected, found))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        first = self.problems[0]
        if len(self.problems) > 1:
            more = "\n".join(f"  - {p}" for p in self.problems[1:])
            first.args = (f"{first}\n{len(self.problems) - 1} more problem(s):\n{more}",)
        first.problems = tuple(self.problems)  # type: ignore[attr-defined]
        raise first


# ----------------------------------------------------------------------------- public


def load_sources(path: str | Path) -> tuple[Source, ...]:
    """Read and validate a sources file; raises ConfigError naming the file and the path inside."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(file, "(file)", "an existing sources file", "no such file") from None
    except IsADirectoryError:
        raise ConfigError(file, "(file)", "a sources file", "a directory") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(file, "(file)", "UTF-8 text", f"byte {exc.start}: {exc.reason}") from None
    return parse_sources(_load_yaml(text, file), file=file)


def parse_sources(data: object, *, file: str) -> tuple[Source, ...]:
    """Validate already-loaded YAML (pure).

    All problems are collected; the first is raised, its message lists the others and its
    ``problems`` attribute holds them all (each a ConfigError).
    """
    check = _Checker(file)
    sources: tuple[Source, ...] = ()
    if data is None:
        check.fail("(top level)", "a mapping with a 'sources' list", _Shown("an empty file"))
    elif not isinstance(data, dict):
        check.fail("(top level)", "a mapping with a 'sources' list", data)
    else:
        sources = _parse_top(data, check)
    check.raise_if_any()
    log.debug("%s: %d sources, %d feeds", file, len(sources), sum(len(s.feeds) for s in sources))
    return sources


def parse_interval(value: object, *, file: str, path: str) -> int:
    """Seconds from an int or a text like '90s', '15m', '2h', '1h30m', '1d'; 1 s to 7 days."""
    if isinstance(value, bool):
        raise ConfigError(file, path, _INTERVAL_EXPECTED, value)
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and value.strip().isdigit():
        seconds = int(value.strip())
    elif isinstance(value, str) and _INTERVAL_TEXT.match(value.lower()):
        seconds = sum(int(n) * _UNITS[u] for n, u in _INTERVAL_PART.findall(value.lower()))
    else:
        raise ConfigError(file, path, _INTERVAL_EXPECTED, value)
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ConfigError(file, path, _INTERVAL_EXPECTED, value)
    return seconds


def sources_table(sources: Sequence[Source]) -> str:
    """A plain-text table: id, name, tier, enabled, feeds (enabled/total), kinds, homepage host."""
    header = ("id", "name", "tier", "enabled", "feeds", "kinds", "host")
    rows = [header] + [_table_row(s) for s in sources]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _table_row(source: Source) -> tuple[str, ...]:
    enabled = sum(1 for f in source.feeds if f.enabled)
    kinds = ",".join(sorted({f.kind for f in source.feeds}))
    return (source.id, source.name, source.tier, "yes" if source.enabled else "no",
            f"{enabled}/{len(source.feeds)}", kinds, urlsplit(source.homepage).hostname or "")


# ----------------------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(text: str, file: str) -> object:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError(file, where, "valid YAML", exc.problem or str(exc)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(file, "(file)", "valid YAML", str(exc).splitlines()[0]) from None


# ----------------------------------------------------------------------------- structure


def _parse_top(data: dict[Any, Any], check: _Checker) -> tuple[Source, ...]:
    _unknown_keys(data, TOP_KEYS, "", check)
    interval, politeness = _parse_defaults(data.get("defaults"), check)
    raw = data.get("sources", MISSING)
    if not isinstance(raw, list) or not raw:
        check.fail("sources", "a non-empty list of sources", raw)
        return ()
    parsed = [_parse_source(item, f"sources[{i}]", interval, politeness, check)
              for i, item in enumerate(raw)]
    _check_unique_ids(raw, check)
    _check_unique_urls(raw, check)
    return tuple(s for s in parsed if s is not None)


def _parse_defaults(raw: object, check: _Checker) -> tuple[int, Politeness | None]:
    if raw is None:
        return DEFAULT_INTERVAL, None
    if not isinstance(raw, dict):
        check.fail("defaults", "a mapping", raw)
        return DEFAULT_INTERVAL, None
    _unknown_keys(raw, DEFAULTS_KEYS, "defaults", check)
    interval = DEFAULT_INTERVAL
    if "interval" in raw:
        interval = _attempt(check, DEFAULT_INTERVAL, lambda: parse_interval(
            raw["interval"], file=check.file, path="defaults.interval"))
    politeness = None
    if "politeness" in raw:
        politeness = _parse_politeness(raw["politeness"], "defaults.politeness", None, check)
    return interval, politeness


def _parse_source(raw: object, path: str, interval: int, politeness: Politeness | None,
                  check: _Checker) -> Source | None:
    if not isinstance(raw, dict):
        check.fail(path, "a mapping describing one source", raw)
        return None
    before = len(check.problems)
    _unknown_keys(raw, SOURCE_KEYS, path, check)
    source_id = _ident(raw, "id", path, check, required=True)
    name = _text(raw, "name", path, check, required=True)
    homepage = _url(raw.get("homepage", MISSING), f"{path}.homepage", check)
    tier = _choice(raw, "tier", TIERS, path, check)
    province = _ident(raw, "province", path, check, required=False)
    if province is not None and province not in profile_ids():
        check.fail(f"{path}.province", "a province profile id (monitor/data/provinces/, e.g. "
                   "bac-giang, bac-ninh, ha-noi)", province)
    enabled = _flag(raw, "enabled", path, check)
    if "politeness" in raw:
        politeness = _parse_politeness(raw["politeness"], f"{path}.politeness", politeness, check)
    rules = _parse_rules(raw["rules"], f"{path}.rules", check) if "rules" in raw else None
    feeds = _parse_feeds(raw.get("feeds", MISSING), path, source_id or "", interval, check)
    if len(check.problems) > before:
        return None
    return Source(id=source_id, name=name, homepage=homepage, tier=tier, feeds=feeds,
                  rules=rules, politeness=politeness, enabled=enabled, province=province)


def _parse_feeds(raw: object, source_path: str, source_id: str, interval: int,
                 check: _Checker) -> tuple[Feed, ...]:
    path = f"{source_path}.feeds"
    if not isinstance(raw, list) or not raw:
        check.fail(path, "a non-empty list of feeds", raw)
        return ()
    feeds = [_parse_feed(item, f"{path}[{i}]", source_id, interval, check)
             for i, item in enumerate(raw)]
    return tuple(f for f in feeds if f is not None)


def _parse_feed(raw: object, path: str, source_id: str, interval: int,
                check: _Checker) -> Feed | None:
    if not isinstance(raw, dict):
        check.fail(path, "a mapping describing one feed", raw)
        return None
    before = len(check.problems)
    _unknown_keys(raw, FEED_KEYS, path, check)
    url = _url(raw.get("url", MISSING), f"{path}.url", check)
    kind = _choice(raw, "kind", FEED_KINDS, path, check, default="rss")
    if "interval" in raw:
        interval = _attempt(check, interval, lambda: parse_interval(
            raw["interval"], file=check.file, path=f"{path}.interval"))
    item_selector, time_selector = _feed_selectors(raw, kind, path, check)
    enabled = _flag(raw, "enabled", path, check)
    _text(raw, "note", path, check, required=False)
    if len(check.problems) > before:
        return None
    return Feed(source_id=source_id, url=url, kind=kind, interval=interval,
                item_selector=item_selector, time_selector=time_selector, enabled=enabled)


def _feed_selectors(raw: dict[Any, Any], kind: str | None, path: str,
                    check: _Checker) -> tuple[str | None, str | None]:
    if kind == "section" and "item_selector" not in raw:
        check.fail(f"{path}.item_selector", "a CSS selector for the article links of a section "
                   "page (required when kind is section)", MISSING)
    for key in ("item_selector", "time_selector"):
        if key in raw and kind is not None and kind != "section":
            check.fail(f"{path}.{key}", f"no {key} on a {kind} feed (only section feeds "
                       "take one)", raw[key])
    item = _selector(raw, "item_selector", path, check)
    return item, _selector(raw, "time_selector", path, check)


def _parse_politeness(raw: object, path: str, base: Politeness | None,
                      check: _Checker) -> Politeness | None:
    if not isinstance(raw, dict):
        check.fail(path, "a mapping with concurrency and/or min_interval", raw)
        return base
    _unknown_keys(raw, POLITENESS_KEYS, path, check)
    base = base or Politeness()
    concurrency, min_interval = base.concurrency, base.min_interval
    if "concurrency" in raw:
        value = raw["concurrency"]
        if _is_int(value) and 1 <= value <= 16:
            concurrency = value
        else:
            check.fail(f"{path}.concurrency", "a whole number from 1 to 16", value)
    if "min_interval" in raw:
        value = raw["min_interval"]
        if _is_number(value) and 0 <= value <= 600:
            min_interval = float(value)
        else:
            check.fail(f"{path}.min_interval", "a number of seconds from 0 to 600", value)
    return Politeness(concurrency=concurrency, min_interval=min_interval)


def _parse_rules(raw: object, path: str, check: _Checker) -> ExtractionRules | None:
    if not isinstance(raw, dict):
        check.fail(path, f"a mapping of CSS selectors ({', '.join(RULE_KEYS)})", raw)
        return None
    _unknown_keys(raw, RULE_KEYS, path, check)
    values = {key: _selector(raw, key, path, check) for key in RULE_KEYS}
    return ExtractionRules(**values)


# ----------------------------------------------------------------------------- cross checks


def _check_unique_ids(raw: list[Any], check: _Checker) -> None:
    first: dict[str, int] = {}
    for i, item in enumerate(raw):
        source_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(source_id, str):
            continue
        if source_id in first:
            check.fail(f"sources[{i}].id",
                       f"a unique id (sources[{first[source_id]}] already has it)", source_id)
        else:
            first[source_id] = i


def _check_unique_urls(raw: list[Any], check: _Checker) -> None:
    first: dict[str, str] = {}
    for path, url in _feed_urls(raw):
        key = _url_key(url)
        if key in first:
            check.fail(path, f"a URL no other feed uses ({first[key]} already has it)", url)
        else:
            first[key] = path


def _feed_urls(raw: list[Any]) -> list[tuple[str, str]]:
    found = []
    for i, item in enumerate(raw):
        feeds = item.get("feeds") if isinstance(item, dict) else None
        for j, feed in enumerate(feeds if isinstance(feeds, list) else []):
            url = feed.get("url") if isinstance(feed, dict) else None
            if isinstance(url, str):
                found.append((f"sources[{i}].feeds[{j}].url", url))
    return found


def _url_key(url: str) -> str:
    """Scheme and host are case-insensitive; the rest of the URL is compared as written."""
    parts = urlsplit(url.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


# ----------------------------------------------------------------------------- fields


def _unknown_keys(raw: dict[Any, Any], allowed: tuple[str, ...], path: str,
                  check: _Checker) -> None:
    for key in raw:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            check.fail(where, f"one of: {', '.join(allowed)}", key)


def _text(raw: dict[Any, Any], key: str, path: str, check: _Checker, *,
          required: bool) -> str | None:
    value = raw.get(key, MISSING if required else None)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        check.fail(f"{path}.{key}", "a non-empty string", value)
        return None
    return unicodedata.normalize("NFC", value.strip())


def _ident(raw: dict[Any, Any], key: str, path: str, check: _Checker, *,
           required: bool) -> str | None:
    value = raw.get(key, MISSING if required else None)
    if value is None:
        return None
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        check.fail(f"{path}.{key}", "an id of lower-case letters, digits and '-' "
                   "(^[a-z0-9][a-z0-9-]*$)", value)
        return None
    return value


def _choice(raw: dict[Any, Any], key: str, allowed: tuple[str, ...], path: str,
            check: _Checker, *, default: str | None = None) -> Any:
    value = raw.get(key, MISSING if default is None else default)
    if value not in allowed:
        check.fail(f"{path}.{key}", f"one of: {', '.join(allowed)}", value)
        return None
    return value


def _flag(raw: dict[Any, Any], key: str, path: str, check: _Checker) -> bool:
    value = raw.get(key, True)
    if not isinstance(value, bool):
        check.fail(f"{path}.{key}", "true or false", value)
        return True
    return value


def _url(value: object, path: str, check: _Checker) -> str:
    text = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else None
    if text is None or not _is_http_url(text):
        check.fail(path, "an absolute http(s) URL", value)
        return ""
    return text


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and not re.search(r"\s", text)


def _selector(raw: dict[Any, Any], key: str, path: str, check: _Checker) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        check.fail(f"{path}.{key}", "a CSS selector", value)
        return None
    value = unicodedata.normalize("NFC", value.strip())
    try:
        _CSS.css_to_xpath(value)
    except SelectorError as exc:
        check.fail(f"{path}.{key}", f"a valid CSS selector ({exc})", value)
        return None
    return value


def _attempt(check: _Checker, fallback: Any, parse: Callable[[], Any]) -> Any:
    try:
        return parse()
    except ConfigError as exc:
        check.problems.append(exc)
        return fallback


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
