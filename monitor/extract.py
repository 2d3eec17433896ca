"""HTML article page -> Article (pure): per-source CSS rules, then metadata, then generic."""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import trafilatura
from cssselect import SelectorError
from lxml.html import HtmlElement

from monitor.dates import parse_datetime
from monitor.errors import ExtractError
from monitor.models import Article, ExtractionRules, FeedItem, PublishedOrigin
from monitor.text import fold, normalize

log = logging.getLogger(__name__)

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "liveblogposting", "webpage"}
# Page furniture that is never body text: words found anywhere in a class/id, and whole parts
# (split on spaces, "-" and "_") that are too short to look for inside other words.
_JUNK_WORDS = ("related", "relate", "comment", "share", "caption", "banner", "advert", "social",
               "breadcrumb", "toolbar", "newsletter", "recommend", "tinlienquan",
               "lienquan", "readmore", "seealso", "xemthem")
_JUNK_PARTS = {"ad", "ads", "tag", "tags", "keyword", "keywords", "rate", "rating", "vote",
               "print", "follow", "subscribe", "popup", "modal"}
_SAPO_PARTS = {"lead", "description", "summary", "chapeau", "excerpt", "intro", "desc"}
_JUNK_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "nav", "aside", "footer",
              "figure", "figcaption", "svg", "video", "audio", "template", "select", "input")
_TIME_CLASS = re.compile(r"date|time|publish", re.IGNORECASE)
_PRINTED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\D{1,12}?(\d{1,2})[:hH](\d{2})")
# the same, time first: "08:20 - 25/11/2026"
_PRINTED_TIME_FIRST = re.compile(
    r"(\d{1,2})[:hH](\d{2})\D{1,12}?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")
_AUTHOR_NOISE = re.compile(r"^\s*(?:theo|tin,?\s*ảnh|ảnh|bài,?\s*ảnh|tin|bài|nguồn|tác giả)"
                           r"\s*:?\s+|\s*\((?:tổng hợp|TH)\)\s*$", re.IGNORECASE)
_META_TIME = ("article:published_time", "og:article:published_time", "pubdate", "publishdate",
              "datepublished", "dc.date.issued", "dcterms.created", "date", "publish-date",
              "article.published", "parsely-pub-date", "sailthru.date")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "lastmod",
                  "dcterms.modified", "article.updated")


@dataclass
class _Fields:
    """What one tier of the chain found; None or empty means 'ask the next tier'."""

    title: str | None = None
    sapo: str | None = None
    body: list[str] = field(default_factory=list)
    author: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    section: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- public API


def extract_article(html: bytes | str, *, url: str, source_id: str,
                    rules: ExtractionRules | None = None, feed_item: FeedItem | None = None,
                    now: datetime | None = None) -> Article:
    """Turn one article page into an Article; raise ExtractError when it has no title and no body.

    Each field comes from the first tier that has it: ``rules`` (CSS), structured metadata
    (JSON-LD, Open Graph, meta tags), the generic extractor, then ``feed_item``. With no time
    anywhere, ``published`` is ``now`` and ``published_origin`` is "first_seen".
    """
    text = decode_html(html) if isinstance(html, bytes) else html
    tree = _parse(text, url)
    captions = _captions(tree)
    by_rules = _from_rules(tree, rules) if rules else _Fields()
    by_meta = _from_metadata(tree, url)
    by_page = _from_page(tree)
    title = _first(by_rules.title, by_meta.title, by_page.title,
                   feed_item.title if feed_item else None)
    sapo = _first(by_rules.sapo, by_page.sapo, by_meta.sapo,
                  _clean(feed_item.summary) if feed_item else None) or ""
    body = by_rules.body or by_page.body
    author, body = _choose_author(by_rules.author or by_meta.author or by_page.author, body, url)
    body = _clean_body(body, title=title or "", sapo=sapo, captions=captions)
    if not title and not body:
        raise ExtractError(url, "no title and no body text found")
    published, origin = _choose_published(by_rules, by_meta, by_page, feed_item, now)
    return Article(
        url=url,
        canonical_url=canonical_url(_first(by_meta.url, url) or url),
        source_id=source_id,
        title=title or "",
        sapo=sapo,
        body=tuple(body),
        author=author,
        published=published,
        published_origin=origin,
        modified=by_rules.modified or by_meta.modified,
        section=_first(by_rules.section, by_meta.section),
        tags=tuple(_unique(by_meta.tags)),
        images=tuple(_unique(by_meta.images)),
        captions=tuple(captions),
    )


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


def _text(el: HtmlElement) -> str:
    return normalize(" ".join(el.itertext()))


def _clean(value: object) -> str | None:
    """A metadata string: entities decoded (some outlets escape twice), NFC, trimmed; or None."""
    if not isinstance(value, str):
        return None
    return normalize(re.sub(r"<[^>]+>", " ", normalize(value))) or None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return normalize(value)
    return None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    if not selector:
        return []
    try:
        return tree.cssselect(selector)
    except (SelectorError, lxml.etree.XPathError) as exc:
        log.warning("bad CSS selector %r: %s", selector, exc)
        return []


def _marks(el: HtmlElement) -> tuple[str, set[str]]:
    """An element's class and id, lower-cased, and their parts split on spaces, '-' and '_'."""
    marks = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return marks, set(re.split(r"[\s_-]+", marks))


def _is_junk(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str):
        return True  # comments and processing instructions
    if el.tag in _JUNK_TAGS or el.get("aria-hidden") == "true":
        return True
    marks, parts = _marks(el)
    if not (parts & _JUNK_PARTS or any(word in marks for word in _JUNK_WORDS)):
        return False
    # A layout column named "social_pin ..." may still hold the article: keep what holds the h1
    # or the main paragraphs.
    return not el.xpath(".//h1|.//article|.//*[@itemprop='articleBody']")


def _is_sapo(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str) or el.tag in ("body", "html"):
        return False
    marks, parts = _marks(el)
    return "sapo" in marks or bool(parts & _SAPO_PARTS)


def _strip_junk(root: HtmlElement) -> None:
    for el in list(root.iter()):
        if el is not root and el.getparent() is not None and _is_junk(el):
            el.drop_tree()


def _blocks(root: HtmlElement) -> list[str]:
    """Paragraph texts of an element: its block children, else its own text."""
    found = [_text(el) for el in root.iter(*_BLOCKS)
             if not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el.iterdescendants())]
    found = [t for t in found if t]
    if not found and (own := _text(root)):
        found = [own]
    return found


def _captions(tree: HtmlElement) -> list[str]:
    found = [_text(el) for el in tree.iter("figcaption")]
    found += [_text(el) for el in tree.xpath("//*[contains(translate(@class,'CAPTION','caption'),"
                                             "'caption')][not(ancestor::figcaption)]")]
    return _unique(t for t in found if t)


def _from_rules(tree: HtmlElement, rules: ExtractionRules) -> _Fields:
    found = _Fields()
    picked = {name: _select(tree, getattr(rules, name))
              for name in ("title", "sapo", "body", "author", "time", "section")}
    found.title = _joined(picked["title"][:1])
    found.sapo = _joined(picked["sapo"][:1])
    found.author = _joined(picked["author"][:1])
    found.section = _joined(picked["section"][-1:])
    for el in picked["time"][:1]:
        found.published = _element_time(el)
    for el in picked["body"]:
        el = _copy(el)
        _strip_junk(el)
        found.body.extend(_blocks(el))
    return found


def _joined(elements: list[HtmlElement]) -> str | None:
    return normalize(" ".join(_text(el) for el in elements)) or None


def _copy(el: HtmlElement) -> HtmlElement:
    return lxml.html.fromstring(lxml.html.tostring(el, encoding="unicode"))


def _element_time(el: HtmlElement) -> datetime | None:
    for value in (el.get("datetime"), el.get("content"), el.get("title"), _text(el)):
        if value and (when := _parse_time(value)):
            return when
    return None


def _parse_time(value: str) -> datetime | None:
    """dates.parse_datetime, then a 'dd/mm/yyyy ... HH:MM' found inside a longer printed string."""
    value = normalize(value)
    when = parse_datetime(value)
    if when is None and (m := _PRINTED.search(value)):
        day, month, year, hour, minute = m.groups()
        when = parse_datetime(f"{day}/{month}/{year} {hour}:{minute}")
    if when is None and (m := _PRINTED_TIME_FIRST.search(value)):
        hour, minute, day, month, year = m.groups()
        when = parse_datetime(f"{day}/{month}/{year} {hour}:{minute}")
    return when


def _prints_time(text: str) -> bool:
    return bool(_PRINTED.search(text) or _PRINTED_TIME_FIRST.search(text))


def _from_metadata(tree: HtmlElement, url: str) -> _Fields:
    found = _Fields()
    metas = _meta_map(tree)
    _apply_json_ld(found, _json_ld_objects(tree), url)
    found.title = found.title or _clean(metas.get("og:title"))
    found.sapo = found.sapo or _clean(metas.get("og:description") or metas.get("description"))
    found.published = found.published or _meta_time(metas, _META_TIME)
    found.modified = found.modified or _meta_time(metas, _META_MODIFIED)
    found.section = found.section or _clean(metas.get("article:section"))
    found.author = found.author or _person(metas.get("author") or metas.get("article:author"))
    tags = [t for v in _meta_all(tree, "article:tag") for t in v.split(",")]
    found.tags += [t for t in map(_clean, tags) if t]
    found.images += [urljoin(url, v) for v in _meta_all(tree, "og:image") if v]
    found.url = _canonical_link(tree, url) or _clean(metas.get("og:url")) or found.url
    return found


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


def _meta_time(metas: dict[str, str], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        if metas.get(key) and (when := _parse_time(metas[key])):
            return when
    return None


def _canonical_link(tree: HtmlElement, url: str) -> str | None:
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            return urljoin(url, el.get("href").strip())
    return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
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


def _apply_json_ld(found: _Fields, objects: Iterable[dict], url: str) -> None:
    for obj in objects:
        types = _ld_types(obj)
        if "breadcrumblist" in types:
            found.section = _breadcrumb_last(obj) or found.section
        elif types & _ARTICLE_TYPES and ("headline" in obj or "articleBody" in obj):
            _apply_article_ld(found, obj, url)


def _apply_article_ld(found: _Fields, obj: dict, url: str) -> None:
    found.title = found.title or _clean(obj.get("headline"))
    found.sapo = found.sapo or _clean(obj.get("description"))
    found.published = found.published or _parse_ld_time(obj.get("datePublished"))
    found.modified = found.modified or _parse_ld_time(obj.get("dateModified"))
    found.author = found.author or _person(obj.get("author"))
    if not found.section and (section := _clean(_one(obj.get("articleSection")))):
        found.section = section.split(",")[-1].strip() or None
    keywords = obj.get("keywords") or []
    keywords = [keywords] if isinstance(keywords, str) else keywords
    parts = [k for item in keywords if isinstance(item, str) for k in item.split(",")]
    found.tags += [t for t in map(_clean, parts) if t]
    found.images += [urljoin(url, i) for i in _image_urls(obj.get("image"))]


def _one(value: object) -> object:
    return value[-1] if isinstance(value, list) and value else value


def _parse_ld_time(value: object) -> datetime | None:
    return _parse_time(value) if isinstance(value, str) and value.strip() else None


def _image_urls(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["url"]] if isinstance(value.get("url"), str) else []
    if isinstance(value, list):
        return [u for item in value for u in _image_urls(item)]
    return []


def _person(value: object) -> str | None:
    """An author name from a string, a Person object or a list of them; URLs and orgs are not."""
    if isinstance(value, list):
        names = [n for n in (_person(v) for v in value) if n]
        return ", ".join(_unique(names)) or None
    if isinstance(value, dict):
        if "organization" in _ld_types(value):
            return None
        value = value.get("name")
    name = _clean(value)
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
        if name := _clean(name):
            return name
    return None


def _from_page(tree: HtmlElement) -> _Fields:
    found = _Fields()
    h1 = next((t for t in (_text(el) for el in tree.iter("h1")) if t), None)
    found.title = h1 or _title_tag(tree)
    found.sapo = _lead(tree)
    found.published = _printed_time(tree)
    found.author = _author_element(tree)
    found.body = _generic_body(tree)
    return found


def _title_tag(tree: HtmlElement) -> str | None:
    title = tree.find(".//title")
    if title is None or not (text := _text(title)):
        return None
    return re.split(r"\s+[|–-]\s+(?=[^|–-]+$)", text)[0] or text  # drop " - Outlet" suffix


def _lead(tree: HtmlElement) -> str | None:
    for el in tree.xpath("//body//*[@class]"):
        if el.tag in ("p", "h2", "div", "span", "strong", "section", "h3") and _is_sapo(el) \
                and not any(_is_junk(a) for a in (el, *el.iterancestors())) \
                and not el.xpath("ancestor::a") and 30 <= len(text := _text(el)) <= 1200:
            return text
    return None


def _printed_time(tree: HtmlElement) -> datetime | None:
    for el in tree.iter("time"):
        if when := _element_time(el):
            return when
    for el in tree.xpath("//body//*[@class or @data-role]"):
        marks = f"{el.get('class', '')} {el.get('data-role', '')}"
        text = _text(el)
        if _TIME_CLASS.search(marks) and len(text) <= 80 and _prints_time(text):
            if when := _parse_time(text):
                return when
    return _time_anywhere(tree)


def _time_anywhere(tree: HtmlElement) -> datetime | None:
    """The first short text in the page that prints 'dd/mm/yyyy HH:MM' after the headline."""
    start = next(iter(tree.iter("h1")), None)
    seen_start = start is None
    for el in tree.iter():
        seen_start = seen_start or el is start
        if not seen_start or not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        for piece in (el.text, el.tail):
            own = normalize(piece or "")
            if own and len(own) <= 80 and _prints_time(own) and (when := _parse_time(own)):
                return when
    return None


def _author_element(tree: HtmlElement) -> str | None:
    for el in tree.xpath("//body//*[contains(translate(@class,'AUTHOR','author'),'author')]"):
        text = _text(el)
        if 2 <= len(text) <= 60:
            return text
    return None


def _generic_body(tree: HtmlElement) -> list[str]:
    body = tree.find("body")
    if body is None:
        return []
    body = _copy(body)
    _strip_junk(body)
    for el in body.iter("h1"):
        el.drop_tree()
    for el in list(body.iter()):
        if el.getparent() is not None and _is_sapo(el):
            el.drop_tree()
    # a whole document: trafilatura rejects a tree whose root has a single child
    document = "<html><head><title></title></head>%s</html>"
    return _trafilatura_paragraphs(document % lxml.html.tostring(body, encoding="unicode"))


def _trafilatura_paragraphs(html: str) -> list[str]:
    """trafilatura in precision mode; its default mode only when it finds the same paragraphs and
    more (precision mode drops boxed sidebars that belong to the body)."""
    precise = _trafilatura_run(html, precision=True)
    if not precise:
        return []
    fuller = _trafilatura_run(html, precision=False)
    if len("".join(fuller)) > len("".join(precise)) and set(precise) <= set(fuller):
        return fuller
    return precise


def _trafilatura_run(html: str, *, precision: bool) -> list[str]:
    xml = trafilatura.extract(html, output_format="xml", favor_precision=precision,
                              include_comments=False, include_tables=False,
                              include_images=False, include_formatting=False,
                              include_links=False, with_metadata=False)
    if not xml:
        return []
    root = lxml.etree.fromstring(xml.encode("utf-8"))
    out = []
    for el in root.iter("p", "head", "item", "quote"):
        if el.xpath("ancestor::p|ancestor::quote|ancestor::item"):
            continue
        if text := normalize(" ".join(el.itertext())):
            out.append(text)
    return out


def _choose_published(by_rules: _Fields, by_meta: _Fields, by_page: _Fields,
                      feed_item: FeedItem | None, now: datetime | None,
                      ) -> tuple[datetime | None, PublishedOrigin | None]:
    for tier in (by_rules, by_meta, by_page):
        if tier.published is not None:
            return tier.published, "page"
    if feed_item is not None and feed_item.published is not None:
        return feed_item.published, "feed"
    if now is not None:
        return now, "first_seen"
    return None, None


def _choose_author(author: str | None, body: list[str], url: str) -> tuple[str | None, list[str]]:
    """Clean the author; drop an outlet name; take a trailing byline paragraph out of the body."""
    author = _clean_author(author, url)
    if body and _looks_like_byline(body[-1]):
        byline = _clean_author(body[-1], url)
        body = body[:-1]
        author = author or byline
    return author, body


def _clean_author(author: str | None, url: str) -> str | None:
    if not author:
        return None
    author = normalize(_AUTHOR_NOISE.sub("", normalize(author))).strip(" -–,.")
    host = urlsplit(url).hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "com", "vn", "net", "org")]
    squashed = fold(author).replace(" ", "")
    if not author or any(label and label in squashed for label in labels) \
            or re.search(r"\.(?:vn|com|net)\b|channelvn", squashed):
        return None  # an outlet or a company, not a person
    return author


def _looks_like_byline(paragraph: str) -> bool:
    """A short closing line of capitalised words: 'Hà Thu (tổng hợp)', 'NHẬT XUÂN - NGHI VŨ'."""
    words = [w for w in _AUTHOR_NOISE.sub("", paragraph).split() if w not in ("-", "–", "và")]
    return 0 < len(words) <= 6 and all(w[:1].isupper() for w in words) \
        and not paragraph.endswith((".", "!", "?", ":", "…"))


def _clean_body(body: list[str], *, title: str, sapo: str, captions: list[str]) -> list[str]:
    skip = {_key(title), _key(sapo)} | {_key(c) for c in captions}
    out = [p for p in body if _key(p) not in skip]
    while out and sapo and _same_lead(out[0], sapo):
        out = out[1:]
    return _unique(out)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def _same_lead(paragraph: str, sapo: str) -> bool:
    """The first paragraph repeats the sapo (maybe without its dateline or with it cut short)."""
    a, b = _key(paragraph), _key(sapo)
    return bool(a) and (a == b or (len(a) > 40 and (a in b or b in a)))
