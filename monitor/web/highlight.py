"""Flag evidence in the article text: locate each signal's evidence and cut the text into
plain and highlighted segments (pure; the template escapes every segment).

Signals are read defensively: ``name`` or ``kind``; ``weight`` or ``strength``; evidence a dict or
a list of ``{field, start, end, text, article_id}`` where field is title, sapo, body or
``body[i]`` (offsets inside paragraph i); evidence from another article is quoted, not located.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.text import fold

FIELDS = ("title", "sapo", "body")


@dataclass(frozen=True)
class Evidence:
    field: str
    start: int
    end: int
    signal: str


@dataclass(frozen=True)
class Segment:
    text: str
    signal: str | None = None  # the signal name when highlighted


@dataclass(frozen=True)
class Signal:
    name: str
    weight: float | None
    reason: str
    quotes: tuple[str, ...]  # evidence texts, whether or not they were found in the article


def read_signals(raw) -> list[Signal]:
    """The flag's signals JSON, read defensively (a list of dicts or a dict of name -> dict)."""
    if isinstance(raw, Mapping):
        raw = [{"name": k, **(v if isinstance(v, Mapping) else {"reason": v})}
               for k, v in raw.items()]
    out = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        quotes = tuple(str(e.get("text")) for e in _evidence_items(item) if e.get("text"))
        out.append(Signal(_name(item),
                          _number(item.get("weight", item.get("strength", item.get("score")))),
                          str(item.get("reason") or item.get("description") or ""), quotes))
    return sorted(out, key=lambda s: -(s.weight or 0.0))


def _name(item: Mapping) -> str:
    return str(item.get("name") or item.get("kind") or item.get("signal") or "?")


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _evidence_items(signal: Mapping) -> list[Mapping]:
    found = signal.get("evidence")
    if isinstance(found, Mapping):
        found = [found]
    return [e for e in found if isinstance(e, Mapping)] if isinstance(found, list) else []


_PARAGRAPH = re.compile(r"body\[(\d+)\]")


def locate(raw, texts: Mapping[str, str], *, article_id: int | None = None,
           paragraphs: Sequence[str] = ()) -> list[Evidence]:
    """Evidence spans in ``texts`` (field -> text): the given offsets when they point at the
    evidence text, else the evidence text searched for (with and without diacritics)."""
    out = []
    raw_list = raw if isinstance(raw, list) else (
        [{"name": k, **v} for k, v in raw.items() if isinstance(v, Mapping)]
        if isinstance(raw, Mapping) else [])
    for signal in raw_list:
        if not isinstance(signal, Mapping):
            continue
        name = _name(signal)
        for ev in _evidence_items(signal):
            other = ev.get("article_id")
            if other is not None and article_id is not None and other != article_id:
                continue
            span = _span(_in_body(ev, paragraphs), texts)
            if span:
                out.append(Evidence(span[0], span[1], span[2], name))
    return out


def _in_body(ev: Mapping, paragraphs: Sequence[str]) -> Mapping:
    """Evidence in ``body[i]`` -> the same span in the paragraphs joined by newlines."""
    match = _PARAGRAPH.fullmatch(str(ev.get("field") or ""))
    if not match or int(match[1]) >= len(paragraphs):
        return ev
    shift = sum(len(p) + 1 for p in paragraphs[:int(match[1])])
    start, end = ev.get("start"), ev.get("end")
    moved = {**ev, "field": "body"}
    if isinstance(start, int) and isinstance(end, int):
        moved.update(start=start + shift, end=end + shift)
    return moved


def _span(ev: Mapping, texts: Mapping[str, str]) -> tuple[str, int, int] | None:
    quote = str(ev.get("text") or "")
    field = str(ev.get("field") or "")
    start, end = ev.get("start"), ev.get("end")
    candidates = [field] if field in texts else list(texts)
    for name in candidates:
        text = texts[name]
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            if not quote or fold(text[start:end]) == fold(quote):
                return name, start, end
        if quote:
            at = fold(text).find(fold(quote))
            if at >= 0:
                return name, at, at + len(quote)
    return None


def segments(text: str, spans: Sequence[Evidence]) -> list[Segment]:
    """``text`` cut at the spans (overlaps merged into the first), for one field."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= pos:
            continue
        start = max(span.start, pos)
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:span.end], span.signal))
        pos = span.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def body_texts(title: str, sapo: str, body) -> dict[str, str]:
    paragraphs = body if isinstance(body, list) else []
    return {"title": title or "", "sapo": sapo or "", "body": "\n".join(map(str, paragraphs))}


def highlighted(title: str, sapo: str, body, raw_signals, *, article_id: int | None = None
                ) -> dict[str, list[Segment]]:
    """field -> segments with the evidence of ``raw_signals`` highlighted."""
    texts = body_texts(title, sapo, body)
    paragraphs = [str(p) for p in body] if isinstance(body, list) else []
    spans = locate(raw_signals, texts, article_id=article_id, paragraphs=paragraphs)
    return {name: segments(texts[name], [s for s in spans if s.field == name]) for name in FIELDS}
