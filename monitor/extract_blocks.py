"""An HTML tree as a flat list of text blocks (pure), each marked with page-furniture cues.

One walk over the tree cuts the text into blocks at block-level elements and at double line
breaks, and marks each block with what the class/id words, tags and styles around it say:
furniture (related boxes, share bars, ads, comments, menus...), caption, sapo, byline, time.
Furniture is skipped whole, except an element that holds the headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
from lxml.html import HtmlElement

JUNK, CAPTION, SAPO, AUTHOR, TIME, CENTER, AFTER_IMAGE, HEADING, RIGHT, LEFT = (
    1 << i for i in range(10))
_ALIGNED = CENTER | RIGHT | LEFT
MARKED = JUNK | CAPTION | SAPO | AUTHOR | TIME  # cues that make an element a block of its own

DROP_TAGS = ("script", "style", "noscript", "iframe", "svg", "video", "audio", "template",
             "select", "input", "button", "textarea", "object", "embed", "canvas", "map")
_JUNK_TAGS = frozenset({"nav", "aside", "footer", "header", "menu", "dialog"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Furniture: words looked for anywhere in a class or id, and whole parts (split on spaces, "-",
# "_") too short to look for inside other words. Vietnamese cues: liên quan (related), bình luận
# (comments), quảng cáo / qc (ads), xem thêm (read more), tin khác (other news), đọc nhiều
# (most read)
_JUNK_WORDS = re.compile(
    r"related|relate|lienquan|comment|binhluan|share|sharing|social|banner|advert|quangcao|"
    r"breadcrumb|toolbar|newsletter|recommend|readmore|xemthem|seealso|sidebar|footer|widget|"
    r"sponsor|popup|modal|subscribe|navigation|navbar|rating|tinkhac|other[-_]?news|"
    r"more[-_]?news|same[-_]?cate|docnhieu|xemnhieu|most[-_]?view|top[-_]?news|"
    r"keyword|hashtag|tag[-_]?list|list[-_]?tag|box[-_]?tag|tags|dable|outbrain|adsbygoogle|"
    r"paging|pagination|copyright|donate|download-app|login|signup|weather|thoitiet")
_JUNK_PARTS = frozenset({"ad", "ads", "qc", "tag", "nav", "menu", "vote", "follow",
                         "footer", "foot", "rate", "star", "like", "fb",
                         "facebook", "zalo", "twitter", "banner", "logo", "search", "poll"})
_CAPTION_WORDS = re.compile(r"caption|chuthich|chu-thich|chu_thich|imgdesc|img-desc|image-desc|"
                            r"photo-desc|desc-img|desc_img|figcaption|expnoedit")
# short words only as whole words: utility CSS has "leading-6", "description-color"...
_SAPO_WORDS = re.compile(r"sapo|chapeau|summary|excerpt|tomtat|init_content|head-noidung|"
                         r"(?<![a-z])(?:lead|phead|desc|description|intro)(?![a-z])")
_AUTHOR_WORDS = re.compile(r"author|byline|tacgia|tac-gia|writer|reporter|nguontin|signature|"
                           r"source")
_TIME_WORDS = re.compile(r"date|time|publish|ngay-dang|ngaydang|thoigian")
_SPLIT = re.compile(r"[\s_-]+")
_CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_LEFT = re.compile(r"text-align\s*:\s*(?:left|justify)", re.IGNORECASE)
_BREAK = "\x1e"  # stands for <br> in a text run (a newline in the source text is just a space)
_PARAGRAPH_BREAK = re.compile(r"\x1e\s*\x1e")


@dataclass(slots=True)
class Block:
    """One paragraph-sized run of text, the block elements around it and the cues met there."""

    text: str
    links: int  # characters of the text inside links
    flags: int
    stack: tuple[HtmlElement, ...]  # block-level ancestors, outermost first; [-1] owns the text

    @property
    def link_density(self) -> float:
        return self.links / len(self.text) if self.text else 0.0


def prepare(tree: HtmlElement) -> None:
    """Remove scripts, styles, forms' widgets, media and comments (after metadata was read)."""
    lxml.etree.strip_elements(tree, lxml.etree.Comment, lxml.etree.ProcessingInstruction,
                              *DROP_TAGS, with_tail=False)


def cues(el: HtmlElement) -> int:
    """The cue flags an element's tag, class, id and style give."""
    tag = el.tag
    flags = HEADING if tag in _HEADINGS else 0
    if tag in ("figure", "figcaption"):
        flags |= CAPTION
    elif tag in _JUNK_TAGS:
        flags |= JUNK
    elif tag == "time":
        flags |= TIME
    marks = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if marks.strip():
        flags |= _mark_cues(marks)
    align, style = (el.get("align") or "").lower(), el.get("style") or ""
    if tag == "center" or align == "center" or _CENTERED.search(style):
        flags |= CENTER
    elif align == "right" or _RIGHT.search(style):
        flags |= RIGHT
    elif align in ("left", "justify") or _LEFT.search(style):
        flags |= LEFT
    if tag == "table" and _is_image_table(el):
        flags |= CAPTION
    if el.get("aria-hidden") == "true" or el.get("itemprop") in ("author", "creator"):
        flags |= JUNK if el.get("aria-hidden") == "true" else AUTHOR
    return flags


def _is_image_table(table: HtmlElement) -> bool:
    """A small table that holds a photo: what text it has is captions."""
    return table.find(".//img") is not None \
        and table.xpath("string-length(normalize-space(string(.)))") < 400


def _mark_cues(marks: str) -> int:
    parts = set(_SPLIT.split(marks))
    if _CAPTION_WORDS.search(marks):
        return CAPTION
    if _JUNK_WORDS.search(marks) or parts & _JUNK_PARTS:
        return JUNK
    if _SAPO_WORDS.search(marks):
        return SAPO
    if _AUTHOR_WORDS.search(marks):
        return AUTHOR
    if _TIME_WORDS.search(marks):
        return TIME
    return 0


class _Walk:
    """The state of one walk: the open block elements, the text run being built, the blocks."""

    def __init__(self, keep: frozenset[HtmlElement]) -> None:
        self.keep = keep  # never skipped as furniture: the ancestors of the headline
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.links = 0
        self.link_depth = 0
        self.frames: list[tuple[HtmlElement, int, bool]] = []  # element, flags, is a block
        self.image_pending = False

    def stack(self) -> tuple[HtmlElement, ...]:
        return tuple(el for el, _, block in self.frames if block)

    def flags(self) -> int:
        return self.frames[-1][1] if self.frames else 0

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)
            if self.link_depth:
                self.links += len(text.strip())

    def flush(self) -> None:
        if not self.parts:
            return
        raw, self.parts, links, self.links = "".join(self.parts), [], self.links, 0
        pieces = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(raw)]
        pieces = [p for p in pieces if p]
        if not pieces:
            return
        flags, stack = self.flags(), self.stack()
        if self.image_pending:
            flags |= AFTER_IMAGE
            self.image_pending = False
        share = links / max(1, sum(map(len, pieces)))
        for text in pieces:
            self.blocks.append(Block(text, round(len(text) * share), flags, stack))


def walk(root: HtmlElement, keep: frozenset[HtmlElement] = frozenset()) -> list[Block]:
    """The text blocks under ``root`` in document order; furniture subtrees are left out."""
    state = _Walk(keep)
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            _start(state, walker, el)
        else:
            _end(state, el)
    state.flush()
    return state.blocks


def _start(state: _Walk, walker: lxml.etree.iterwalk, el: HtmlElement) -> None:
    tag = el.tag
    if tag == "br":
        state.add(_BREAK)
        state.frames.append((el, state.flags(), False))
        return
    if tag == "img":
        state.image_pending = True
    own = cues(el) if isinstance(tag, str) else JUNK
    if own & JUNK:
        if el in state.keep:
            own &= ~JUNK
        else:
            walker.skip_subtree()
    block = tag in BLOCK_TAGS or bool(own & MARKED)
    if block:
        state.flush()
    inherited = state.flags() & ~(HEADING | AFTER_IMAGE | (_ALIGNED if own & _ALIGNED else 0))
    state.frames.append((el, inherited | own, block))
    if tag == "a":
        state.link_depth += 1
    if not own & JUNK:
        state.add(el.text)


def _end(state: _Walk, el: HtmlElement) -> None:
    _, _, block = state.frames[-1]
    if block:
        state.flush()
    state.frames.pop()
    if el.tag == "a":
        state.link_depth -= 1
    state.add(el.tail)


def headline(tree: HtmlElement, described: str | None = None) -> HtmlElement | None:
    """The headline element: the h1 (else h2, h3, or an element whose class says title) that
    agrees with the metadata's title when there is one; else the first h1 outside a link."""
    key = _key(described or "")
    if key:
        for path in ("//h1", "//h2 | //h3 | //*[contains(@class, 'title')]"):
            for el in tree.xpath(path):
                text = _key(" ".join(el.itertext()))
                if len(text) >= 10 and (text in key or key in text and len(text) < len(key) + 9):
                    return el
    h1s = [el for el in tree.iter("h1") if "".join(el.itertext()).strip()]
    return next((el for el in h1s if el.find(".//a") is None), h1s[0] if h1s else None)


def headline_path(el: HtmlElement | None) -> frozenset[HtmlElement]:
    """The headline element and all its ancestors."""
    return frozenset([el, *el.iterancestors()]) if el is not None else frozenset()


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())
