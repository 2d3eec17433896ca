"""The demo archive: sample outlets' articles, their pages and feeds, and a loopback server."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from html.entities import codepoint2name
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from monitor.errors import ConfigError

logger = logging.getLogger(__name__)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
PRESS_DAY = date(2026, 11, 25)
PRESS_DAY_END = datetime.combine(PRESS_DAY + timedelta(days=1), time(0, 0), tzinfo=ICT)
NOTICE = "Bài viết mẫu cho bản trình diễn Điểm báo — nội dung hư cấu, không phải tin thật"
DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
TEMPLATES_DIR = DEMO_DIR / "templates"
ARTICLES_DIR = DEMO_DIR / "articles"
OUTLETS_FILE = DEMO_DIR / "outlets.yaml"

_WEEKDAYS_VI = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
_TODAY = f"{_WEEKDAYS_VI[PRESS_DAY.weekday()]}, {PRESS_DAY:%d/%m/%Y}"
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ARTICLE_KEYS = ("id", "slug", "published", "modified", "section", "author", "title", "sapo",
                 "body", "captions", "tags", "story", "about")
_REQUIRED = ("id", "slug", "published", "section", "title", "sapo", "body")
_ABOUT = ("province", "mention", "none")
_CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "sitemap": "application/xml; charset=utf-8",
    "section": "text/html; charset=utf-8",
}
_NOT_FOUND = "<!DOCTYPE html><title>404</title><p>Không tìm thấy trang.</p>".encode()
_UTM = "utm_source=rss&utm_medium=feed&utm_campaign=tin-moi"


@dataclass(frozen=True)
class DemoFeed:
    """One feed of a sample outlet, as declared in outlets.yaml."""

    path: str
    kind: str
    time_style: str
    item_selector: str | None = None
    time_selector: str | None = None
    broken: bool = False
    note: str | None = None


@dataclass(frozen=True)
class DemoOutlet:
    """One sample outlet: identity, page template, URL pattern, feeds and quirk flags."""

    id: str
    name: str
    tier: str
    homepage: str
    template: str
    url_pattern: str
    feeds: tuple[DemoFeed, ...]
    quirks: frozenset[str] = frozenset()
    rules: dict[str, str] | None = None
    province: str | None = None
    hints: str = ""
    page_meta: tuple[str, ...] = ()

    @property
    def main_feed(self) -> DemoFeed:
        return next(f for f in self.feeds if not f.broken)

    def article_path(self, article: DemoArticle) -> str:
        """The path of an article page on this outlet's server."""
        return self.url_pattern.format(section=slugify(article.section), slug=article.slug,
                                       id=article.id)


@dataclass(frozen=True)
class DemoArticle:
    """One sample article as written in articles/<outlet-id>.yaml. Times are aware UTC."""

    outlet_id: str
    id: int
    slug: str
    published: datetime
    modified: datetime | None
    section: str
    author: str | None
    title: str
    sapo: str
    body: tuple[str, ...]
    captions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    story: str | None = None
    about: str | None = None

    @property
    def last_change(self) -> datetime:
        return self.modified or self.published


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: "Văn hóa - Du lịch" -> "van-hoa-du-lich"."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def load_demo_outlets(path: Path | None = None) -> dict[str, DemoOutlet]:
    """The sample outlets of outlets.yaml, by id, in file order."""
    path = path or OUTLETS_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, list):
        raise ConfigError(str(path), "(top level)", "a list of outlets", type(raw).__name__)
    outlets = {}
    for index, entry in enumerate(raw):
        try:
            outlet = DemoOutlet(**{**entry, "feeds": tuple(DemoFeed(**f) for f in entry["feeds"]),
                                   "quirks": frozenset(entry.get("quirks") or ()),
                                   "page_meta": tuple(entry.get("page_meta") or ())})
        except (KeyError, TypeError) as exc:
            raise ConfigError(str(path), f"[{index}]", "an outlet with known fields", exc) from None
        outlets[outlet.id] = outlet
    return outlets


def load_demo_articles(root: Path | None = None) -> dict[str, list[DemoArticle]]:
    """Articles of every sample outlet from ``root/<outlet-id>.yaml`` (default: the packaged
    archive), validated; an outlet without a file has an empty list. Raises ConfigError naming the
    file and the field on bad data."""
    root = ARTICLES_DIR if root is None else Path(root)
    outlets = load_demo_outlets()
    result: dict[str, list[DemoArticle]] = {outlet_id: [] for outlet_id in outlets}
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    for path in files:
        if path.stem not in outlets:
            raise ConfigError(str(path), "(file name)",
                              f"<outlet-id>.yaml with an id of {sorted(outlets)}", path.name)
        result[path.stem] = _load_article_file(path, path.stem)
    return result


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "an existing file", "no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first_line = str(exc).splitlines()[0]
        raise ConfigError(str(path), "(file)", "valid UTF-8 YAML", first_line) from None


def _load_article_file(path: Path, outlet_id: str) -> list[DemoArticle]:
    raw = _read_yaml(path)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(str(path), "(top level)", "a list of articles", type(raw).__name__)
    articles = [_parse_article(entry, outlet_id, str(path), i) for i, entry in enumerate(raw)]
    for name in ("id", "slug"):
        seen: set[object] = set()
        for i, article in enumerate(articles):
            value = getattr(article, name)
            if value in seen:
                raise ConfigError(str(path), f"[{i}].{name}", f"a {name} unique in the file", value)
            seen.add(value)
    return articles


def _parse_article(raw: Any, outlet_id: str, file: str, index: int) -> DemoArticle:
    where = f"[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(file, where, "a mapping of article fields", type(raw).__name__)
    for key in raw:
        if key not in _ARTICLE_KEYS:
            raise ConfigError(file, f"{where}.{key}", f"one of {list(_ARTICLE_KEYS)}", key)
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise ConfigError(file, f"{where}.{key}", "a value (the field is required)", None)
    _check(raw.get("about") in (None, *_ABOUT), file, f"{where}.about", f"one of {list(_ABOUT)}",
           raw.get("about"))
    published = _local_time(raw["published"], file, f"{where}.published")
    modified = None
    if raw.get("modified") is not None:
        modified = _local_time(raw["modified"], file, f"{where}.modified")
        if modified < published:
            raise ConfigError(file, f"{where}.modified", "a time not before `published`",
                              raw["modified"])
    return DemoArticle(
        outlet_id=outlet_id, id=_article_id(raw["id"], file, f"{where}.id"),
        slug=_slug(raw["slug"], file, f"{where}.slug"), published=published, modified=modified,
        section=_text(raw["section"], file, f"{where}.section"),
        author=_text(raw["author"], file, f"{where}.author") if raw.get("author") else None,
        title=_text(raw["title"], file, f"{where}.title"),
        sapo=_text(raw["sapo"], file, f"{where}.sapo"),
        body=_texts(raw["body"], file, f"{where}.body", minimum=1),
        captions=_texts(raw.get("captions") or [], file, f"{where}.captions"),
        tags=_texts(raw.get("tags") or [], file, f"{where}.tags"),
        story=_slug(raw["story"], file, f"{where}.story") if raw.get("story") else None,
        about=raw.get("about"),
    )


def _check(ok: bool, file: str, path: str, expected: str, found: Any) -> None:
    if not ok:
        raise ConfigError(file, path, expected, found)


def _article_id(value: Any, file: str, path: str) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    _check(ok, file, path, "a positive integer", value)
    return value


def _slug(value: Any, file: str, path: str) -> str:
    ok = isinstance(value, str) and bool(_SLUG.match(value))
    _check(ok, file, path, "ascii lower-case words joined by hyphens", value)
    return value


def _text(value: Any, file: str, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, path, "non-empty text", value)
    if unicodedata.normalize("NFC", value) != value:
        raise ConfigError(file, path, "NFC-normalised Vietnamese text", value[:60])
    return value.strip()


def _texts(value: Any, file: str, path: str, minimum: int = 0) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) < minimum:
        expected = f"a list of at least {minimum} texts" if minimum else "a list of texts"
        raise ConfigError(file, path, expected, value)
    return tuple(_text(item, file, f"{path}[{i}]") for i, item in enumerate(value))


def _local_time(value: Any, file: str, path: str) -> datetime:
    """'YYYY-MM-DD HH:MM' (or with seconds) in Vietnamese local time -> aware UTC."""
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=ICT)
        return parsed.astimezone(UTC)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=ICT).astimezone(UTC)
        except ValueError:
            continue
    raise ConfigError(file, path, "local time as 'YYYY-MM-DD HH:MM'", value)


def _local(dt: datetime) -> datetime:
    return dt.astimezone(ICT)


def _rfc822(dt: datetime, offset: str) -> str:
    t = _local(dt)
    return (f"{_DAYS_EN[t.weekday()]}, {t.day:02d} {_MONTHS_EN[t.month - 1]} {t.year} "
            f"{t:%H:%M:%S} {offset}")


def _us(dt: datetime) -> str:
    t = _local(dt)
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def feed_time(dt: datetime, style: str) -> str:
    """An item time printed the way a feed of ``style`` prints it (all in ICT)."""
    styles = {
        "us": _us,
        "rfc822": lambda d: _rfc822(d, "+0700"),
        "rfc822_colon": lambda d: _rfc822(d, "+07:00"),
        "rfc822_short": lambda d: _rfc822(d, "+07"),
        "gmt7": lambda d: _rfc822(d, "GMT+7"),
        "iso": lambda d: _local(d).isoformat(timespec="seconds"),
        "dmy": lambda d: f"{_local(d):%d/%m/%Y %H:%M}",
    }
    if style not in styles:
        raise ValueError(f"unknown time style {style!r}; known: {sorted(styles)}")
    return styles[style](dt)


def _page_times(article: DemoArticle) -> dict[str, str]:
    t = _local(article.published)
    weekday = _WEEKDAYS_VI[t.weekday()]
    return {
        "published_iso": t.isoformat(timespec="seconds"),
        "modified_iso": _local(article.last_change).isoformat(timespec="seconds"),
        "published_us": _us(article.published),
        "time_dmy": f"{t:%d/%m/%Y %H:%M}",
        "time_weekday": f"{weekday}, {t:%d/%m/%Y, %H:%M} (GMT+7)",
        "time_hm_dmy": f"{t:%H:%M | %d/%m/%Y}",
        "time_hm_dash": f"{t:%H:%M - %d/%m/%Y}",
        "today": _TODAY,
    }


@lru_cache(maxsize=32)
def _template(name: str) -> Template:
    return Template((TEMPLATES_DIR / name).read_text(encoding="utf-8").rstrip("\n"))


def _esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _image_url(base_url: str, article: DemoArticle, number: int = 1) -> str:
    return f"{base_url}/images/{article.outlet_id}-{article.id}-{number}.jpg"


def _body_html(article: DemoArticle, base_url: str) -> str:
    """Paragraphs with a figure after the 1st, 3rd, ... paragraph (one per caption)."""
    figures = [_figure(article, base_url, n, caption) for n, caption
               in enumerate(article.captions or ("Ảnh minh họa.",), start=1)]
    parts: list[str] = []
    for i, paragraph in enumerate(article.body):
        parts.append(f"<p>{_esc(paragraph)}</p>")
        if i % 2 == 0 and figures:
            parts.append(figures.pop(0))
    return "\n".join(parts + figures)


def _figure(article: DemoArticle, base_url: str, number: int, caption: str) -> str:
    return (f'<figure class="image"><img src="{_image_url(base_url, article, number)}" '
            f'alt="{_esc(caption)}"><figcaption>{_esc(caption)}</figcaption></figure>')


def _jsonld(outlet: DemoOutlet, article: DemoArticle, url: str, image: str) -> str:
    times = _page_times(article)
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "headline": article.title,
        "description": article.sapo, "image": [image], "inLanguage": "vi",
        "datePublished": times["published_iso"], "dateModified": times["modified_iso"],
        "articleSection": article.section, "keywords": ", ".join(article.tags),
        "publisher": {"@type": "Organization", "name": outlet.name},
    }
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _links_html(outlet: DemoOutlet, articles: Sequence[DemoArticle]) -> str:
    return "".join(f'<li><a href="{_esc(outlet.article_path(a))}">{_esc(a.title)}</a></li>'
                   for a in articles)


def render_article_page(outlet: DemoOutlet, article: DemoArticle, *, base_url: str = "",
                        related: Sequence[DemoArticle] = ()) -> bytes:
    """The article page of ``article`` in ``outlet``'s own markup, UTF-8 (pure)."""
    url = base_url + outlet.article_path(article)
    image = _image_url(base_url, article)
    values = {
        "notice": _esc(NOTICE), "site_name": _esc(outlet.name), "home_url": _esc(base_url + "/"),
        "title": _esc(article.title), "sapo": _esc(article.sapo),
        "description": _esc(article.sapo), "author": _esc(article.author),
        "section": _esc(article.section),
        "section_url": _esc(f"{base_url}/{slugify(article.section)}"),
        "canonical_url": _esc(url), "image_url": _esc(image),
        "keywords": _esc(", ".join(article.tags)),
        "tags_html": " ".join(f'<a href="/tag/{slugify(t)}" rel="tag">{_esc(t)}</a>'
                              for t in article.tags),
        "body_html": _body_html(article, base_url), "related_html": _links_html(outlet, related),
        "jsonld": _jsonld(outlet, article, url, image),
        **_page_times(article),
    }
    return _template(outlet.template).substitute(values).encode("utf-8")


def render_home_page(outlet: DemoOutlet, articles: Sequence[DemoArticle]) -> bytes:
    """The outlet's home page: the sample notice and links to the press day's articles (pure)."""
    values = {"notice": _esc(NOTICE), "site_name": _esc(outlet.name),
              "today": _TODAY,
              "items_html": _links_html(outlet, _feed_items(articles))}
    return _template("home.html").substitute(values).encode("utf-8")


def _feed_items(articles: Sequence[DemoArticle]) -> list[DemoArticle]:
    """Articles published up to the end of the press day, newest first."""
    kept = [a for a in articles if a.published < PRESS_DAY_END]
    return sorted(kept, key=lambda a: (a.published, a.id), reverse=True)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _double_encoded(title: str) -> str:
    """The title as a CMS that HTML-escapes twice writes it: 'này' -> 'n&amp;agrave;y' in XML."""
    once = "".join(f"&{codepoint2name[ord(c)]};" if ord(c) in codepoint2name
                   else (f"&#{ord(c)};" if ord(c) > 127 else c)
                   for c in html.escape(title, quote=False))
    return html.escape(once, quote=False)


_FEED_TEMPLATES = {"rss": ("rss.xml", "rss_item.xml"), "atom": ("atom.xml", "atom_entry.xml"),
                   "sitemap": ("sitemap.xml", "sitemap_url.xml"),
                   "section": ("section.html", "card.html")}


def render_feed(outlet: DemoOutlet, articles: Sequence[DemoArticle], base_url: str,
                feed: DemoFeed | None = None) -> bytes:
    """The bytes of one of ``outlet``'s feeds (default: its working one), quirks included (pure).
    Only articles published up to the press day are listed, newest first."""
    feed = feed or outlet.main_feed
    items = _feed_items(articles)
    page, entry = _FEED_TEMPLATES[feed.kind]
    # the title quirks (double-encoded, NFD) hit one item: the newest with a non-ASCII title
    marked = next((a.id for a in items if not a.title.isascii()), None)
    values = [_entry_values(outlet, feed, a, i, base_url, a.id == marked)
              for i, a in enumerate(items)]
    featured = values[:3] if "featured_block" in outlet.quirks else []
    newest = _newest(items) if items else _press_start()
    style = feed.time_style if feed.kind == "rss" else "iso"
    return _template(page).substitute({
        "encoding": "utf-16" if "lying_utf16_prolog" in outlet.quirks else "utf-8",
        "site_name": _esc(outlet.name), "notice": _esc(NOTICE), "home_url": _esc(base_url + "/"),
        "feed_url": _esc(base_url + feed.path), "updated": feed_time(newest, style),
        "entries": "\n".join(_template(entry).substitute(v) for v in values),
        "featured_html": "\n".join(_template(entry).substitute(v, time_html="", sapo_html="")
                                   for v in featured),
    }).encode("utf-8")


def _entry_values(outlet: DemoOutlet, feed: DemoFeed, article: DemoArticle, index: int,
                  base_url: str, marked: bool) -> dict[str, str]:
    """Template values of one feed entry, with the outlet's quirks applied."""
    path, quirks = outlet.article_path(article), outlet.quirks
    stamp = feed_time(article.published, feed.time_style)
    link = _esc(path if feed.kind == "section" else base_url + path)
    values = {
        "link": link, "guid": f'<guid isPermaLink="true">{link}</guid>',
        "entry_id": f"urn:demo:{outlet.id}:{article.id}", "title": _esc(article.title),
        "site_name": _esc(outlet.name),
        "sapo": _esc(article.sapo), "section": _esc(article.section),
        "author": _esc(article.author), "published": stamp,
        "modified": feed_time(article.last_change, "iso"),
        "keywords": _esc(", ".join(article.tags)), "image_url": _image_url("", article),
        "pubdate": f"<pubDate>{stamp}</pubDate>",
        "time_html": f'<span class="card-time">{stamp}</span>',
        "sapo_html": f'<p class="card-sapo">{_esc(article.sapo)}</p>',
    }
    if "relative_links_utm" in quirks:
        values["link"] = _esc(f"{path}?{_UTM}")
        values["guid"] = f'<guid isPermaLink="false">{article.id}</guid>'
    if marked and "double_encoded_title" in quirks:
        values["title"] = _double_encoded(article.title)
    if marked and "nfd_title" in quirks:
        values["title"] = _esc(unicodedata.normalize("NFD", article.title))
    if "padded_cdata_titles" in quirks:
        values["title"] = _cdata(f"\n      {article.title}   \n    ")
    if "cdata_pubdate" in quirks:
        values["pubdate"] = f"<pubDate>{_cdata(stamp)}</pubDate>"
    if "missing_pubdate" in quirks and index % 3 == 1:
        values["pubdate"] = ""
    return values


def _newest(items: Sequence[DemoArticle]) -> datetime:
    return max(a.last_change for a in items)


def _press_start() -> datetime:
    return datetime.combine(PRESS_DAY, time(0, 0), tzinfo=ICT)


def _related(article: DemoArticle, articles: Sequence[DemoArticle]) -> list[DemoArticle]:
    others = [a for a in _feed_items(articles) if a.id != article.id]
    others.sort(key=lambda a: a.section != article.section)
    return others[:4]


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _not_modified(headers: Any, resource: _Resource) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins over If-Modified-Since."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or resource.etag in tags
    ims = headers.get("If-Modified-Since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return resource.last_modified.replace(microsecond=0) <= since


class _Handler(BaseHTTPRequestHandler):
    """Serves one outlet's prepared resources; subclassed per outlet with its routes."""

    routes: dict[str, _Resource] = {}
    outlet_id = ""
    record: Any = None
    server_version = "DemoNews/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        resource = self.routes.get(path)
        if resource is None:
            status, body, headers = 404, _NOT_FOUND, {"Content-Type": "text/html; charset=utf-8"}
        else:
            status = 304 if _not_modified(self.headers, resource) else 200
            body = b"" if status == 304 else resource.body
            headers = {"Content-Type": resource.content_type, "ETag": resource.etag,
                       "Last-Modified": _http_date(resource.last_modified)}
        if status != 304:
            headers["Content-Length"] = str(len(body))
        # logged before answering, so a client that has its answer finds it in the log
        self.record((self.outlet_id, self.command, path, status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        logger.debug("%s %s", self.outlet_id, format % args)


class DemoSite:
    """The sample outlets served on 127.0.0.1, one ThreadingHTTPServer (own port) per outlet.

    Use as a context manager; inside it ``base_urls`` maps outlet ids to "http://127.0.0.1:PORT"
    and ``requests`` logs (outlet, method, path, status) for every request answered. Ports are
    free ones chosen by the system, or ``base_port``, ``base_port + 1``, ... in outlets.yaml order
    when given (so URLs stay the same between runs).
    """

    def __init__(self, root: Path | None = None, *, broken_feed: bool = True,
                 base_port: int | None = None) -> None:
        self.root = root
        self.broken_feed = broken_feed
        self.base_port = base_port
        self.outlets: dict[str, DemoOutlet] = {}
        self.articles: dict[str, list[DemoArticle]] = {}
        self.base_urls: dict[str, str] = {}
        self.requests: list[tuple[str, str, str, int]] = []
        self._lock = threading.Lock()
        self._servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def __enter__(self) -> DemoSite:
        self.outlets = load_demo_outlets()
        self.articles = load_demo_articles(self.root)
        try:
            for index, outlet in enumerate(self.outlets.values()):
                self._start(outlet, 0 if self.base_port is None else self.base_port + index)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def _record(self, entry: tuple[str, str, str, int]) -> None:
        with self._lock:
            self.requests.append(entry)

    def _start(self, outlet: DemoOutlet, port: int) -> None:
        routes: dict[str, _Resource] = {}
        handler = type(f"Handler_{outlet.id}", (_Handler,),
                       {"routes": routes, "outlet_id": outlet.id,
                        "record": staticmethod(self._record)})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self.base_urls[outlet.id] = base_url
        routes.update(self._routes(outlet, base_url))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"demosite-{outlet.id}", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        logger.debug("demo outlet %s serving on %s", outlet.id, base_url)

    def _routes(self, outlet: DemoOutlet, base_url: str) -> dict[str, _Resource]:
        articles = self.articles.get(outlet.id, [])
        newest = _newest(articles) if articles else _press_start()
        listed = _feed_items(articles)
        newest_listed = _newest(listed) if listed else _press_start()
        html_type = "text/html; charset=utf-8"
        routes = {
            "/robots.txt": _Resource(b"User-agent: *\nDisallow: /admin/\nAllow: /\n",
                                     "text/plain; charset=utf-8", newest),
            outlet.homepage: _Resource(render_home_page(outlet, articles), html_type,
                                       newest_listed),
        }
        for feed in outlet.feeds:
            if not feed.broken:
                routes[feed.path] = _Resource(render_feed(outlet, articles, base_url, feed),
                                              _CONTENT_TYPES[feed.kind], newest_listed)
        for article in articles:
            page = render_article_page(outlet, article, base_url=base_url,
                                       related=_related(article, articles))
            routes[outlet.article_path(article)] = _Resource(page, html_type, article.last_change)
        return routes

    def url_for(self, outlet_id: str, article: DemoArticle) -> str:
        """The absolute URL of an article page on the running site."""
        return self.base_urls[outlet_id] + self.outlets[outlet_id].article_path(article)

    def sources_yaml(self) -> str:
        """A sources.yaml text for the running outlets (real ports), quick politeness."""
        if not self.base_urls:
            raise RuntimeError("DemoSite.sources_yaml() needs the site running (use `with`)")
        politeness = {"concurrency": 2, "min_interval": 0.05}
        sources = [self._source_entry(self.outlets[oid], politeness)
                   for oid in sorted(self.outlets)]
        data = {"defaults": {"interval": "15m", "politeness": dict(politeness)},
                "sources": sources}
        header = ("# sources.yaml for the Điểm báo demo: SAMPLE outlets served on 127.0.0.1.\n"
                  "# Generated by monitor.demosite.DemoSite for the ports of this run.\n")
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

    def _source_entry(self, outlet: DemoOutlet, politeness: dict[str, float]) -> dict[str, Any]:
        base_url = self.base_urls[outlet.id]
        entry: dict[str, Any] = {"id": outlet.id, "name": outlet.name,
                                 "homepage": base_url + outlet.homepage, "tier": outlet.tier}
        if outlet.province:
            entry["province"] = outlet.province
        entry.update({"enabled": True, "politeness": dict(politeness)})
        if outlet.rules:
            entry["rules"] = dict(outlet.rules)
        entry["feeds"] = [self._feed_entry(base_url, feed) for feed in outlet.feeds
                          if self.broken_feed or not feed.broken]
        return entry

    @staticmethod
    def _feed_entry(base_url: str, feed: DemoFeed) -> dict[str, Any]:
        entry = {"url": base_url + feed.path, "kind": feed.kind, "interval": "15m",
                 "item_selector": feed.item_selector, "time_selector": feed.time_selector,
                 "note": feed.note}
        return {key: value for key, value in entry.items() if value is not None}
