"""HTML article page -> Article (pure): per-source CSS rules, then metadata, then generic."""

from __future__ import annotations

import codecs
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
from cssselect import SelectorError
from lxml.html import HtmlElement

from monitor.errors import ExtractError
from monitor.extract_blocks import prepare, walk
from monitor.extract_generic import (
    AUTHOR_NOISE,
    cut_pointer,
    from_page,
    read_body,
    script_time_texts,
)
from monitor.extract_meta import Fields, from_metadata, unique
from monitor.extract_time import parse_time, prints_time
from monitor.models import Article, ExtractionRules, FeedItem, PublishedOrigin
from monitor.text import fold, normalize

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_FIELDS = ("title", "sapo", "body", "author", "section", "tags", "images", "captions")


# ----------------------------------------------------------------------------- public API


def extract_article(html: bytes | str, *, url: str, source_id: str,
                    rules: ExtractionRules | None = None, feed_item: FeedItem | None = None,
                    now: datetime | None = None) -> Article:
    """Turn one article page into an Article; raise ExtractError when it has no title and no body.

    Each field comes from the first step that has it: ``rules`` (CSS), structured metadata
    (JSON-LD, Open Graph, meta tags), the generic extractor, then ``feed_item``; the headline and
    the lead as printed on the page outrank the metadata copies that agree with them. With no
    time anywhere, ``published`` is ``now`` and ``published_origin`` is "first_seen".
    ``provenance`` names the step of each field that has a value.
    """
    text = decode_html(html) if isinstance(html, bytes) else html
    tree = _parse(text, url)
    meta = from_metadata(tree, url)
    scripts = script_time_texts(tree)
    prepare(tree)
    by_rules = _from_rules(tree, rules) if rules else Fields()
    page = from_page(tree, scripts, meta.title)
    if not (by_rules.body or page.body or page.captions):
        page.put("body", _fallback_body(text), "generic")
    chosen = _choose(by_rules, meta, page, feed_item, url)
    if not chosen.title and not chosen.body:
        raise ExtractError(url, "no title and no body text found")
    return _article(chosen, url=url, source_id=source_id, feed_item=feed_item, now=now)


def article_json(article: Article) -> dict[str, Any]:
    """A JSON-ready dict of the article: times in ISO 8601 with the +07:00 offset of
    Asia/Ho_Chi_Minh, ``body`` a list of paragraphs, and the provenance of each field."""
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source_id": article.source_id,
        "title": article.title,
        "sapo": article.sapo,
        "body": list(article.body),
        "author": article.author,
        "published": _local_iso(article.published),
        "published_origin": article.published_origin,
        "modified": _local_iso(article.modified),
        "section": article.section,
        "tags": list(article.tags),
        "images": list(article.images),
        "captions": list(article.captions),
        "provenance": dict(article.provenance),
    }


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes -> str. Tries the BOM, then valid UTF-8 (declarations often lie about it), then the
    charset of the Content-Type header and of ``<meta charset>``, then UTF-8 with replacement."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace")
    declared = [c for c in (_header_charset(content_type), _meta_charset(body)) if c]
    try:  # text in another charset is almost never valid UTF-8 by chance
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in declared:
        codec = _codec(name)
        if codec and codec != "utf-8":
            try:
                return body.decode(codec)
            except UnicodeDecodeError:
                log.debug("bytes are not valid %s as declared", codec)
    return body.decode("utf-8", errors="replace")


def canonical_url(url: str) -> str:
    """The URL without its fragment and without utm_* (and similar tracking) query parameters."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in ("fbclid", "gclid")]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       urlencode(query), ""))


# ----------------------------------------------------------------------------- decoding, parsing


def _header_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _meta_charset(body: bytes) -> str | None:
    head = body[:4096]
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", head, re.IGNORECASE)
    return match.group(1).decode("ascii", "replace") if match else None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name.replace("_", "-")
    except LookupError:
        return None


def _parse(text: str, url: str) -> HtmlElement:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding declaration
    if not text.strip():
        raise ExtractError(url, "empty page")
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractError(url, f"unparsable HTML: {exc}") from None


def _local_iso(when: datetime | None) -> str | None:
    return when.astimezone(LOCAL_ZONE).isoformat() if when else None


# ----------------------------------------------------------------------------- rules


def _select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    if not selector:
        return []
    try:
        return tree.cssselect(selector)
    except (SelectorError, lxml.etree.XPathError) as exc:
        log.warning("bad CSS selector %r: %s", selector, exc)
        return []


def _from_rules(tree: HtmlElement, rules: ExtractionRules) -> Fields:
    """The fields the outlet's CSS selectors find; a selector that matches nothing is skipped."""
    found = Fields()
    picked = {name: _select(tree, getattr(rules, name))
              for name in ("title", "sapo", "body", "author", "time", "section")}
    found.put("title", _joined(picked["title"][:1]), "rules")
    found.put("sapo", _joined(picked["sapo"][:1]), "rules")
    found.put("author", _joined(picked["author"][:1]), "rules")
    found.put("section", _joined(picked["section"][-1:]), "rules")
    for el in picked["time"][:1]:
        found.put("published", _element_time(el), "rules")
    blocks = [b for el in picked["body"] for b in walk(el)]
    read_body(found, blocks, list(range(len(blocks))), found.title or "", "rules")
    return found


def _joined(elements: list[HtmlElement]) -> str | None:
    text = " ".join(normalize(" ".join(el.itertext())) for el in elements)
    return normalize(re.split(r"\s*(?:>>|»)\s*", text)[0]) or None


def _element_time(el: HtmlElement) -> datetime | None:
    for value in (el.get("datetime"), el.get("content"), el.get("title"), el.text_content()):
        if value and value.strip() and (when := parse_time(value)):
            return when
    return None


# ----------------------------------------------------------------------------- the chain


def _choose(rules: Fields, meta: Fields, page: Fields, item: FeedItem | None, url: str) -> Fields:
    """One Fields with each field from the first step that has it, and its origin."""
    out = Fields()
    tiers = (rules, meta, page)
    _take(out, "title", rules, _printed_over_meta(page, meta, "title"), meta, page)
    if meta.sapo and out.title and _key(meta.sapo) == _key(out.title):
        meta.sapo = None  # a description that repeats the headline is no lead
    _take(out, "sapo", rules, page if page.sapo_marked else Fields(),
          _printed_over_meta(page, meta, "sapo"), meta, page)
    out.sapo = cut_pointer(out.sapo) if out.sapo else out.sapo
    for name in ("section", "tags", "images", "modified", "url"):
        _take(out, name, *tiers)
    for name in ("body", "captions"):
        _take(out, name, rules if rules.body else page)
    if item is not None:
        out.put("title", normalize(item.title), "feed")
        out.put("sapo", normalize(re.sub(r"<[^>]+>", " ", item.summary)), "feed")
    _take_published(out, tiers)
    _take_author(out, tiers, url)
    out.body = _clean_body(out.body, title=out.title or "", sapo=out.sapo or "",
                           captions=out.captions, author=out.author)
    return out


def _take(out: Fields, name: str, *tiers: Fields) -> None:
    for tier in tiers:
        out.put(name, getattr(tier, name), tier.origin.get(name, "generic"))


def _printed_over_meta(page: Fields, meta: Fields, name: str) -> Fields:
    """The page's printed headline or lead when the metadata has none or the same text (the
    metadata copy is often cut short, suffixed with the outlet or stripped of its dateline)."""
    printed, described = getattr(page, name), getattr(meta, name)
    if printed and (not described or _overlaps(printed, described)):
        return page
    return Fields()


def _overlaps(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    short = min(len(ka), len(kb))
    return bool(short) and (ka in kb or kb in ka or ka[:60] == kb[:60]) and short >= 10


def _take_published(out: Fields, tiers: tuple[Fields, ...]) -> None:
    for tier in tiers:
        out.put("published", tier.published, tier.origin.get("published", "generic"))
    for tier in tiers:
        out.put("published", tier.published_weak, tier.origin.get("published_weak", "generic"))


def _take_author(out: Fields, tiers: tuple[Fields, ...], url: str) -> None:
    """Rules, then the page's printed byline when it names the same people as the metadata (as
    printed: order, case and separators), then metadata, then the page's byline or closing line."""
    rules, meta, page = tiers
    printed = [(a, page.origin.get("author", "generic")) for a in (page.author,) if a]
    printed += [(line, out.origin.get("body", "generic")) for line in page.bylines + rules.bylines]
    cleaned = [(name, origin) for line, origin in printed if (name := _clean_author(line, url))]
    out.put("author", _clean_author(rules.author, url), "rules")
    described = _clean_author(meta.author, url)
    for name, origin in cleaned:
        if described and _names(name) == _names(described):
            out.put("author", name, origin)
    out.put("author", described, meta.origin.get("author", "meta"))
    for name, origin in cleaned:
        out.put("author", name, origin)


def _names(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text))) - {"va"}


def _clean_author(author: str | None, url: str) -> str | None:
    if not author:
        return None
    lone_source = bool(re.match(r"\s*theo\s+\S+\s*$", author, re.IGNORECASE))
    author = normalize(AUTHOR_NOISE.sub("", normalize(author))).strip(" -–,:;")
    author = normalize(AUTHOR_NOISE.sub("", author)).strip(" -–,:;")
    host = urlsplit(url).hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "com", "vn", "net", "org")]
    squashed = fold(author).replace(" ", "")
    if not author or lone_source or len(author) > 80 \
            or any(label and label in squashed for label in labels) \
            or re.search(r"\.(?:vn|com|net)\b|channelvn|vccorp", squashed):
        return None  # an outlet or a company ("Theo Ngoisao"), not a person
    return author


def _clean_body(body: list[str], *, title: str, sapo: str, captions: list[str],
                author: str | None) -> list[str]:
    skip = {_key(title), _key(sapo), _key(author or "")} | {_key(c) for c in captions}
    out = [p for p in body if _key(p) not in skip]
    while out and sapo and _same_lead(out[0], sapo):
        out = out[1:]
    return unique(out)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def _same_lead(paragraph: str, sapo: str) -> bool:
    """The first paragraph repeats the sapo (maybe without its dateline or with it cut short)."""
    a, b = _key(paragraph), _key(sapo)
    return bool(a) and (a == b or (len(a) > 40 and (a in b or b in a)))


def _fallback_body(html: str) -> list[str]:
    """trafilatura's paragraphs, for the rare page where the generic extractor finds nothing."""
    import trafilatura  # imported here: slow to import and seldom needed

    found = trafilatura.extract(html, output_format="txt", include_comments=False,
                                include_tables=False, with_metadata=False)
    lines = [normalize(line) for line in (found or "").split("\n")]
    return [p for p in lines if p and not (len(p) <= 80 and prints_time(p))]


def _article(chosen: Fields, *, url: str, source_id: str, feed_item: FeedItem | None,
             now: datetime | None) -> Article:
    published, origin = chosen.published, "page"
    if published is None and feed_item is not None and feed_item.published is not None:
        published, origin = feed_item.published, "feed"
        chosen.origin["published"] = "feed"
    if published is None and now is not None:
        published, origin = now, "first_seen"
        chosen.origin["published"] = "first_seen"
    canonical = canonical_url(chosen.url or url)
    provenance = {name: chosen.origin[name] for name in _FIELDS if getattr(chosen, name)}
    provenance.update({name: chosen.origin[name] for name in ("published", "modified")
                       if getattr(chosen, name) or name == "published" and published})
    provenance["canonical_url"] = chosen.origin.get("url", "generic")
    return Article(
        url=url, canonical_url=canonical, source_id=source_id, title=chosen.title or "",
        sapo=chosen.sapo or "", body=tuple(chosen.body), author=chosen.author,
        published=published, published_origin=_origin(published, origin),
        modified=chosen.modified, section=chosen.section, tags=tuple(unique(chosen.tags)),
        images=tuple(unique(chosen.images)), captions=tuple(unique(chosen.captions)),
        provenance=provenance,
    )


def _origin(published: datetime | None, origin: str) -> PublishedOrigin | None:
    if published is None:
        return None
    return origin  # type: ignore[return-value]
