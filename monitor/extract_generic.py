"""The generic extractor (pure): finds the article in any page by text density and page cues.

Readability-style scoring over the blocks of ``extract_blocks.walk``: each paragraph-sized block
scores its parent and grandparent by length and commas; a candidate's score is scaled down by its
link density and moved by its class/id words; the best candidate (with siblings that score nearly as
well) holds the body. Inside it, furniture, captions, link lists, datelines and closing bylines are
set apart. Vietnamese cues: class/id words (sapo, tinlienquan, binhluan...) and phrases such as
"Xem thêm", "Tin liên quan", "Bình luận", "Chia sẻ".
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from lxml.html import HtmlElement

from monitor.extract_blocks import (
    AFTER_IMAGE,
    AUTHOR,
    CAPTION,
    CENTER,
    HEADING,
    JUNK,
    RIGHT,
    SAPO,
    TIME,
    Block,
    headline,
    headline_path,
    walk,
)
from monitor.extract_meta import Fields
from monitor.extract_time import parse_time, prints_time
from monitor.text import normalize

_POSITIVE = re.compile(r"article|body|content|conent|entry|main|post|text|story|detail|noidung|"
                       r"baiviet|chitiet|fck|singular", re.IGNORECASE)
# a block opening with one of these is a pointer to other pages, not body text
_POINTER = re.compile(r"^\s*(?:>>|»|xem thêm|xem tiếp|đọc thêm|tin liên quan|bài liên quan|"
                      r"tin cùng chuyên mục|chia sẻ|bình luận|có thể bạn quan tâm|mời (?:quý )?"
                      r"(?:độc giả|bạn đọc)|từ khóa|tags?\s*:|video\s*:|clip\s*:)", re.IGNORECASE)
# a short block saying one of these closes the article: what follows is page furniture
_CLOSERS = re.compile(r"^\s*(?:tin liên quan|bài liên quan|tin cùng chuyên mục|các tin khác|"
                      r"tin khác|có thể bạn quan tâm|bình luận|ý kiến bạn đọc|gửi bình luận|"
                      r"đọc nhiều nhất|tin mới nhất|xem nhiều nhất)\s*:?\s*$", re.IGNORECASE)
_SCRIPT_TEXT = re.compile(r"innerHTML\s*=\s*[\"']([^\"'<>]{6,120})[\"']")
_LETTER = re.compile(r"[^\W\d_]")
# what surrounds a name in a byline: "Theo ...", "Tin, ảnh: ...", "... (tổng hợp)", ".../Vcamp.vn",
# "... Ảnh: photographer"
AUTHOR_NOISE = re.compile(
    r"^\s*(?:theo|tin,?\s*ảnh|ảnh|bài,?\s*ảnh|bài và ảnh|tin|bài|nguồn|tác giả|thực hiện)"
    r"\s*:?\s+|\s*\((?:tổng hợp|TH|[^()]*/[^()]*)\)\s*$|\s*/\s*\S+\.\S+$|"
    r"\s+(?:ảnh|đồ họa|video|clip)\s*:.*$", re.IGNORECASE)


def from_page(tree: HtmlElement, script_times: list[str] | None = None,
              described_title: str | None = None) -> Fields:
    """What the page itself shows: headline, sapo, body, captions, byline, printed time.
    ``described_title`` (the metadata's title) helps find the headline among h1s."""
    found = Fields()
    body = tree.find("body")
    title_el = headline(tree, described_title)
    blocks = walk(body if body is not None else tree, headline_path(title_el))
    title = normalize(" ".join(title_el.itertext())) if title_el is not None else None
    found.put("title", title or _title_tag(tree), "generic")
    chosen = _container(blocks)
    inside = [i for i, b in enumerate(blocks) if chosen.intersection(b.stack)]
    read_body(found, blocks, inside, title or "", "generic")
    start = next((i for i, b in enumerate(blocks) if title_el in b.stack), 0)
    end = inside[-1] + 10 if inside else len(blocks)
    found.bylines += [normalize(b.text) for b in blocks[max(0, start - 12):end]
                      if b.flags & AUTHOR and len(b.text) <= 80]
    sapo, found.sapo_marked = _sapo(blocks, inside, start, title or "")
    found.put("sapo", sapo, "generic")
    found.put("published", _printed_time(tree, blocks, start, script_times or []), "generic")
    found.put("section", _breadcrumb(tree), "generic")
    return found


def _title_tag(tree: HtmlElement) -> str | None:
    title = tree.find(".//title")
    if title is None or not (text := normalize(title.text_content())):
        return None
    return re.split(r"\s+[|–-]\s+(?=[^|–-]+$)", text)[0] or text  # drop " - Outlet" suffix


# ----------------------------------------------------------------------------- the container


def _container(blocks: list[Block]) -> set[HtmlElement]:
    """The best-scoring element and its siblings that score nearly as well."""
    scores: dict[HtmlElement, float] = defaultdict(float)
    for block in blocks:
        size = len(block.text)
        if block.flags & (JUNK | CAPTION) or size < 25 or block.link_density > 0.5:
            continue
        points = 1 + block.text.count(",") + min(size / 100, 3)
        for depth, share in ((2, 1.0), (3, 0.5)):
            if len(block.stack) >= depth:
                scores[block.stack[-depth]] += points * share
    if not scores:
        return set()
    density = _link_density(blocks)
    final = {el: (s + _class_weight(el)) * (1 - density.get(el, 0)) for el, s in scores.items()}
    top = max(final, key=final.__getitem__)
    chosen = {top}
    parent = top.getparent()
    if parent is not None:
        floor = max(10.0, final[top] * 0.2)
        chosen.update(el for el in parent if el in final and final[el] >= floor)
    return chosen


def _link_density(blocks: list[Block]) -> dict[HtmlElement, float]:
    text: dict[HtmlElement, int] = defaultdict(int)
    links: dict[HtmlElement, int] = defaultdict(int)
    for block in blocks:
        if block.flags & JUNK:
            continue
        for el in block.stack[-4:]:
            text[el] += len(block.text)
            links[el] += block.links
    return {el: links[el] / n for el, n in text.items() if n}


def _class_weight(el: HtmlElement) -> float:
    marks = f"{el.get('class') or ''} {el.get('id') or ''}"
    weight = 25.0 if _POSITIVE.search(marks) else 0.0
    if el.get("itemprop") == "articleBody" or el.tag == "article":
        weight += 25
    return weight


# ----------------------------------------------------------------------------- body


def read_body(found: Fields, blocks: list[Block], inside: list[int], title: str,
              origin: str) -> None:
    """Body paragraphs, captions and the byline of the blocks at the indexes ``inside``."""
    body: list[tuple[str, int]] = []
    for i in inside:
        block = blocks[i]
        text = block.text
        if _is_caption(block, blocks[i - 1] if i else None):
            found.captions.append(normalize(text))
            continue
        if block.flags & (JUNK | SAPO | TIME):
            continue
        if block.flags & AUTHOR:
            if len(text) <= 80:
                found.put("author", normalize(text), origin)
            continue
        if body and block.flags & HEADING and _CLOSERS.match(text):
            break
        if _is_furniture(block) or (len(text) <= 80 and prints_time(text)):
            continue
        body.append((normalize(text), block.flags))
    while body and _closes(*body[-1]):
        found.bylines.insert(0, body.pop()[0])
    after = inside[-1] + 1 if inside else len(blocks)
    found.bylines += [normalize(b.text) for b in blocks[after:after + 2]
                      if b.flags & RIGHT and _closes(b.text, b.flags)]
    found.put("body", [p for p, _ in body if p != title], origin)
    if found.captions:
        found.origin["captions"] = origin


def _closes(text: str, flags: int) -> bool:
    """A closing line that signs the article: a right-aligned short line or a byline."""
    return len(text) <= 60 and (bool(flags & RIGHT) and not text.endswith(".")
                                or looks_like_byline(text))


def looks_like_byline(paragraph: str) -> bool:
    """A short line of capitalised words: 'Hà Thu (tổng hợp)', 'NHẬT XUÂN - NGHI VŨ'."""
    words = [w for w in AUTHOR_NOISE.sub("", paragraph).split() if w not in ("-", "–", "và")]
    return 0 < len(words) <= 6 and all(w[:1].isupper() for w in words) \
        and not paragraph.endswith((".", "!", "?", ":", "…"))


def _is_caption(block: Block, previous: Block | None) -> bool:
    if block.flags & CAPTION:
        return len(block.text) <= 400
    return bool(block.flags & AFTER_IMAGE and block.flags & CENTER) and len(block.text) <= 300


def _is_furniture(block: Block) -> bool:
    text = block.text
    if not _LETTER.search(text) or _POINTER.match(text) or _CLOSERS.match(text):
        return True
    return block.link_density > 0.5 and len(text) < 300


# ----------------------------------------------------------------------------- sapo, time, section


def _sapo(blocks: list[Block], inside: list[int], start: int,
          title: str) -> tuple[str | None, bool]:
    """A block marked as lead before the body's end (and whether it was marked); else the first
    heading-like block between the headline and the body's first paragraphs."""
    end = inside[-1] if inside else len(blocks) - 1
    for block in blocks[max(0, start - 3):end + 1]:  # not the teasers of boxes above the article
        if block.flags & SAPO and 30 <= len(block.text) <= 1500 and block.link_density < 0.5:
            return cut_pointer(block.text), True
    first = inside[0] if inside else start
    for block in blocks[start + 1:first + 2]:
        if block.flags & HEADING and len(block.text) >= 60 and block.link_density < 0.5 \
                and normalize(block.text) != title:
            return cut_pointer(block.text), False
    return None, False


def cut_pointer(text: str) -> str:
    """A lead without the '>> Related headline' some pages append to it."""
    return normalize(re.split(r"\s*(?:>>|»)\s*", text)[0]) or normalize(text)


def _printed_time(tree: HtmlElement, blocks: list[Block], start: int,
                  scripts: list[str]) -> datetime | None:
    """A <time> element; else the short text printing a date and time nearest the headline
    (marked as a time first), not inside a link; else a time an inline script writes."""
    for el in tree.iter("time"):
        for value in (el.get("datetime"), el.get("content"), el.text_content()):
            if value and (when := parse_time(value)):
                return when
    near = sorted((b.link_density > 0.5, not b.flags & TIME, abs(i - start) + (i < start) * 4,
                   b.text) for i, b in enumerate(blocks[:start + 60])
                  if i >= start - 12 and len(b.text) <= 100)
    candidates = [text for *_, text in near] + scripts
    for text in candidates:
        if prints_time(text) and (when := parse_time(text)):
            return when
    return None


def script_time_texts(tree: HtmlElement) -> list[str]:
    """Printed times that inline scripts write into the page (``el.innerHTML = "..."``)."""
    out = []
    for script in tree.iter("script"):
        for match in _SCRIPT_TEXT.finditer(script.text or ""):
            if prints_time(text := normalize(match.group(1))):
                out.append(text)
    return out


def _breadcrumb(tree: HtmlElement) -> str | None:
    for el in tree.xpath("//*[contains(@class,'breadcrumb') or contains(@id,'breadcrumb')]"):
        names = [normalize(a.text_content()) for a in el.iter("a")]
        names = [n for n in names if n and len(n) <= 60]
        if names:
            return names[-1]
    return None
