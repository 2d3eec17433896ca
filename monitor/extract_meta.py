"""Structured metadata of an article page (pure): JSON-LD, Open Graph, meta tags, with origins."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from lxml.html import HtmlElement

from monitor.extract_time import parse_time
from monitor.text import normalize

log = logging.getLogger(__name__)

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "liveblogposting", "webpage"}
_META_TIME = ("article:published_time", "og:article:published_time", "pubdate", "publishdate",
              "datepublished", "dc.date.issued", "dcterms.created", "date", "publish-date",
              "article.published", "parsely-pub-date", "sailthru.date")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "lastmod",
                  "dcterms.modified", "article.updated")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


@dataclass
class Fields:
    """What one tier of the chain found; None or empty means 'ask the next tier'.

    ``origin`` names, for each field found, the step that found it (see Article.provenance).
    ``published_weak`` is a date printed without a time of day: used only when nothing better.
    """

    title: str | None = None
    sapo: str | None = None
    body: list[str] = field(default_factory=list)
    author: str | None = None
    published: datetime | None = None
    published_weak: datetime | None = None
    modified: datetime | None = None
    section: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)  # closing lines that may name the author
    sapo_marked: bool = False  # the page marks its lead (class or id), so the lead is trusted
    origin: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: object, origin: str) -> None:
        """Set a field that is still empty, remembering where the value came from."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.origin[name] = origin


def clean(value: object) -> str | None:
    """A metadata string: entities decoded (some outlets escape twice), NFC, trimmed; or None."""
    if not isinstance(value, str):
        return None
    return normalize(re.sub(r"<[^>]+>", " ", normalize(value))) or None


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def from_metadata(tree: HtmlElement, url: str) -> Fields:
    """Fields from JSON-LD first, then Open Graph / article:* properties, then other meta tags."""
    found = Fields()
    metas = _meta_map(tree)
    _apply_json_ld(found, _json_ld_objects(tree), url)
    found.put("title", clean(metas.get("og:title")), "opengraph")
    found.put("sapo", clean(metas.get("og:description")), "opengraph")
    found.put("sapo", clean(metas.get("description")), "meta")
    _apply_meta_times(found, metas)
    found.put("section", clean(metas.get("article:section")), "opengraph")
    found.put("author", person(metas.get("article:author")), "opengraph")
    found.put("author", person(metas.get("author")), "meta")
    tags = [t for v in _meta_all(tree, "article:tag") for t in v.split(",")]
    found.put("tags", [t for t in map(clean, tags) if t], "opengraph")
    found.put("tags", _keywords(metas.get("news_keywords") or metas.get("keywords")), "meta")
    found.put("images", [urljoin(url, v) for v in _meta_all(tree, "og:image") if v], "opengraph")
    found.put("url", _canonical_link(tree, url), "meta")
    found.put("url", clean(metas.get("og:url")), "opengraph")
    return found


def _apply_meta_times(found: Fields, metas: dict[str, str]) -> None:
    for names, target in ((_META_TIME, "published"), (_META_MODIFIED, "modified")):
        for key in names:
            value = metas.get(key, "")
            when = parse_time(value) if value.strip() else None
            if when is None:
                continue
            if target == "published" and not _CLOCK.search(value):
                found.put("published_weak", when, _origin_of(key))
                continue
            found.put(target, when, _origin_of(key))
            break


def _origin_of(key: str) -> str:
    return "opengraph" if key.startswith(("article:", "og:")) else "meta"


def _keywords(value: str | None) -> list[str]:
    return [t for t in map(clean, (value or "").split(",")) if t]


def _meta_map(tree: HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        content = el.get("content")
        if key and content and key.lower() not in out:
            out[key.lower()] = content
        if el.get("itemprop") and content:  # a meta may carry both property and itemprop
            out.setdefault(el.get("itemprop").lower(), content)
    return out


def _meta_all(tree: HtmlElement, key: str) -> list[str]:
    return [el.get("content", "") for el in tree.iter("meta")
            if (el.get("property") or el.get("name") or "").lower() == key]


def _canonical_link(tree: HtmlElement, url: str) -> str | None:
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            return urljoin(url, el.get("href").strip())
    return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict]:
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
            continue
        yield from _flatten_ld(data)


def _flatten_ld(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten_ld(data.get("@graph", []))


def _ld_types(obj: dict) -> set[str]:
    kind = obj.get("@type", [])
    return {str(k).lower() for k in (kind if isinstance(kind, list) else [kind])}


def _apply_json_ld(found: Fields, objects: Iterable[dict], url: str) -> None:
    for obj in objects:
        types = _ld_types(obj)
        if "breadcrumblist" in types:
            found.put("section", _breadcrumb_last(obj), "json-ld")
        elif types & _ARTICLE_TYPES and ("headline" in obj or "articleBody" in obj):
            _apply_article_ld(found, obj, url)


def _apply_article_ld(found: Fields, obj: dict, url: str) -> None:
    found.put("title", clean(obj.get("headline")), "json-ld")
    found.put("sapo", clean(obj.get("description")), "json-ld")
    published = obj.get("datePublished")
    if isinstance(published, str) and published.strip():
        weak = not _CLOCK.search(published)
        found.put("published_weak" if weak else "published", parse_time(published), "json-ld")
    modified = obj.get("dateModified")
    if isinstance(modified, str) and modified.strip():
        found.put("modified", parse_time(modified), "json-ld")
    found.put("author", person(obj.get("author")), "json-ld")
    if section := clean(_one(obj.get("articleSection"))):
        found.put("section", section.split(",")[-1].strip(), "json-ld")
    keywords = obj.get("keywords") or []
    keywords = [keywords] if isinstance(keywords, str) else keywords
    parts = [k for item in keywords if isinstance(item, str) for k in item.split(",")]
    found.put("tags", [t for t in map(clean, parts) if t], "json-ld")
    found.put("images", [urljoin(url, i) for i in _image_urls(obj.get("image"))], "json-ld")


def _one(value: object) -> object:
    return value[-1] if isinstance(value, list) and value else value


def _image_urls(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["url"]] if isinstance(value.get("url"), str) else []
    if isinstance(value, list):
        return [u for item in value for u in _image_urls(item)]
    return []


def person(value: object) -> str | None:
    """An author name from a string, a Person object or a list of them; URLs and orgs are not."""
    if isinstance(value, list):
        names = [n for n in (person(v) for v in value) if n]
        return ", ".join(unique(names)) or None
    if isinstance(value, dict):
        if "organization" in _ld_types(value):
            return None
        value = value.get("name")
    name = clean(value)
    if not name or re.match(r"https?://|www\.", name):
        return None
    return name


def _breadcrumb_last(obj: dict) -> str | None:
    items = list(_flatten_ld(obj.get("itemListElement", [])))
    items = [i for i in items if "listitem" in _ld_types(i)]
    items.sort(key=lambda i: int(i.get("position", 0) or 0))
    for item in reversed(items):
        inner = item.get("item")
        name = item.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
        if name := clean(name):
            return name
    return None
