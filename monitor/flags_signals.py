"""Needs-verification signals (pure): each with strength, evidence spans and a Vietnamese reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from monitor.flags_lexicon import Hit, finder, phrase_list, sentences
from monitor.models import TIER_NAMES_VI

MAX_EVIDENCE = 3
QUOTE_CHARS = 160


@dataclass(frozen=True)
class Evidence:
    """A quoted span: ``text`` is ``field``'s text [start, end) (of another article when
    ``article_id`` is set). Fields: title, sapo, body[i], diff."""

    text: str
    field: str
    start: int
    end: int
    article_id: int | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Signal:
    """One reason to verify an article: ``strength`` in [0, 1] (the combiner weighs it)."""

    kind: str
    strength: float
    reason: str
    evidence: tuple[Evidence, ...] = ()
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    def to_json(self, weight: float | None = None) -> dict:
        out = {"kind": self.kind, "strength": round(self.strength, 3), "reason": self.reason,
               "evidence": [e.to_json() for e in self.evidence]}
        if weight is not None:
            out["weight"] = round(weight, 3)
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class ArticleText:
    """What the text signals read of an article (stored or given on the command line)."""

    id: int | None
    source_id: str
    title: str
    sapo: str = ""
    body: tuple[str, ...] = ()
    source_name: str = ""
    tier: str = "other"
    published: datetime | None = None

    def fields(self) -> list[tuple[str, str]]:
        out = [("title", self.title), ("sapo", self.sapo)]
        out.extend((f"body[{i}]", p) for i, p in enumerate(self.body))
        return [(name, text) for name, text in out if text]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in (self.sapo, *self.body))


def quote(text: str, start: int, end: int, field_name: str, article_id: int | None = None
          ) -> Evidence:
    """Evidence for text[start:end], cut to QUOTE_CHARS (the offsets stay exact)."""
    end = min(end, start + QUOTE_CHARS)
    return Evidence(text[start:end], field_name, start, end, article_id)


# -- sensational headline ----------------------------------------------------------------------

def sensational_signal(article: ArticleText, headline_prob: float) -> Signal | None:
    """Sensational or clickbait headline: lexicon cues (prefixes such as "Sốc:" count more) and
    the headline model; raised when either is confident."""
    title = article.title
    hits = finder("sensational", "phrases").find(title)
    prefix = _prefix_hit(title)
    lexicon = max([h.weight for h in hits] + ([prefix.weight + 0.1] if prefix else []),
                  default=0.0)
    if title.rstrip().endswith(("!!", "?!", "!?")):
        lexicon = max(lexicon, 0.6)
    strength = min(1.0, max(lexicon, headline_prob if headline_prob >= 0.7 else 0.0))
    if strength < 0.5:
        return None
    spans = sorted({(h.start, h.end) for h in ([prefix] if prefix else []) + hits})
    evidence = tuple(quote(title, s, e, "title") for s, e in spans[:MAX_EVIDENCE]) or (
        quote(title, 0, len(title), "title"),)
    cues = ", ".join(f"“{e.text}”" for e in evidence if e.end - e.start < len(title))
    how = f"có từ ngữ giật gân ({cues})" if cues else "có văn phong câu khách"
    return Signal("sensational", strength,
                  f"Tiêu đề {how}, mô hình đánh giá tiêu đề cho {headline_prob:.0%} khả năng "
                  "là tiêu đề giật gân.", evidence,
                  {"lexicon": round(lexicon, 3), "model": round(headline_prob, 3)})


def _prefix_hit(title: str) -> Hit | None:
    head = re.match(r"\s*([^:!]{1,20})\s*[:!]", title)
    if head is None:
        return None
    hits = finder("sensational", "prefixes").find(head.group(1))
    if not hits or hits[0].end - hits[0].start != len(head.group(1).strip()):
        return None
    start = head.start(1)
    return Hit(start, start + len(head.group(1).strip()), hits[0].phrase, hits[0].weight)


# -- unattributed figures and claims -----------------------------------------------------------

def _units_pattern() -> re.Pattern:
    units = sorted((p for p, _ in phrase_list("attribution", "units")), key=len, reverse=True)
    body = "|".join(re.escape(u) for u in units)
    return re.compile(rf"(?<![\w/.,])\d+(?:[.,]\d+)*\s*(?:{body})(?!\w)")


_FIGURE: re.Pattern | None = None


def figures(text: str) -> list[tuple[int, int]]:
    """Spans of figures (a number with a unit: "10.000 đồng", "300 triệu", "15%"); dates and
    clock times are not figures."""
    global _FIGURE
    if _FIGURE is None:
        _FIGURE = _units_pattern()
    return [(m.start(), m.end()) for m in _FIGURE.finditer(text.lower())]


@dataclass(frozen=True)
class ClaimSentence:
    field: str
    text: str  # the whole field's text
    start: int
    end: int
    kinds: tuple[str, ...]  # figure | superlative | accusation
    attributed: bool
    hearsay: bool


def claim_sentences(article: ArticleText) -> list[ClaimSentence]:
    """Sentences of sapo and body that carry a figure, a superlative or an accusation, with
    whether they are attributed and whether they lean on hearsay. A cue ("cho biết", "theo"...)
    attributes its sentence and the rest of its paragraph, as journalists name a source once
    per paragraph; a sentence after one ending in ':' is attributed; hearsay attributes nothing."""
    out = []
    for name, text in article.fields():
        if name == "title":
            continue
        sourced, previous = False, ""
        for sent in sentences(text):
            hearsay = bool(finder("attribution", "hearsay").find(sent.text))
            cue = bool(finder("attribution", "attribution").find(sent.text)) and not hearsay
            sourced = sourced or cue
            kinds = _claim_kinds(sent.text)
            if kinds:
                attributed = (sourced or previous.rstrip().endswith(":")
                              or _quoted(sent.text)) and not hearsay
                out.append(ClaimSentence(name, text, sent.start, sent.end, kinds, attributed,
                                         hearsay))
            previous = sent.text
    return out


def _claim_kinds(sentence: str) -> tuple[str, ...]:
    kinds = []
    if figures(sentence):
        kinds.append("figure")
    if finder("attribution", "superlative").find(sentence):
        kinds.append("superlative")
    if finder("attribution", "accusation").find(sentence):
        kinds.append("accusation")
    return tuple(kinds)


def _quoted(sentence: str) -> bool:
    return bool(re.search(r"[“\"][^”\"]{12,}[”\"]\s*,?\s*(?:ông|bà|anh|chị)\s+\w+", sentence))


def unattributed_signal(article: ArticleText) -> Signal | None:
    """Figures, superlatives or accusations with no attribution ("cho biết", "theo", "thông tin
    từ"...); strength is the share of such claims (at least three counted)."""
    claims = claim_sentences(article)
    loose = [c for c in claims if not c.attributed]
    if len(loose) < 2:
        return None
    # an accusation or a claim resting on hearsay weighs more than a bare figure
    weight = sum(1 + ("accusation" in c.kinds) + 0.5 * c.hearsay for c in loose)
    strength = min(1.0, weight / max(len(claims), 4))
    if strength < 0.4:
        return None
    evidence = tuple(quote(c.text, c.start, c.end, c.field) for c in loose[:MAX_EVIDENCE])
    kinds = sorted({k for c in loose for k in c.kinds})
    what = ", ".join({"figure": "số liệu", "superlative": "khẳng định tuyệt đối",
                      "accusation": "cáo buộc"}[k] for k in kinds)
    return Signal("unattributed", strength,
                  f"{len(loose)} trên {len(claims)} câu nêu {what} mà không dẫn nguồn, "
                  f"ví dụ: “{evidence[0].text}”.", evidence,
                  {"claims": len(claims), "unattributed": len(loose),
                   "hearsay": sum(c.hearsay for c in loose)})


def hearsay_share(article: ArticleText) -> float:
    """Share of sentences leaning on hearsay ("cư dân mạng", "lan truyền"...), scaled x3, <= 1."""
    total = hits = 0
    for _, text in article.fields():
        for sent in sentences(text):
            total += 1
            hits += bool(finder("attribution", "hearsay").find(sent.text))
    return min(1.0, 3 * hits / total) if total else 0.0


# -- official denial in the same story ---------------------------------------------------------

def denial_evidence(article: ArticleText) -> list[Evidence]:
    """Sentences of ``article`` that deny a claim or report a fine for false information."""
    out = []
    for name, text in article.fields():
        for sent in sentences(text):
            if finder("denial", "denial").find(sent.text):
                out.append(quote(text, sent.start, sent.end, name, article.id))
    return out


def official_denial_signal(article: ArticleText, members: Iterable[ArticleText],
                           official_tiers: Sequence[str]) -> Signal | None:
    """An official-tier outlet (another one) in the same story reports a denial. An article
    that itself carries a denial reports it and raises nothing."""
    if denial_evidence(article):
        return None
    for other in members:
        if other.id == article.id or other.source_id == article.source_id \
                or other.tier not in official_tiers:
            continue
        evidence = denial_evidence(other)
        if evidence:
            enforcement = any(finder("denial", "enforcement").find(e.text) for e in evidence)
            tier = TIER_NAMES_VI.get(other.tier, other.tier).lower()
            return Signal("official_denial", 1.0 if enforcement else 0.9,
                          f"{other.source_name or other.source_id} ({tier}) trong cùng câu "
                          f"chuyện đưa tin bác bỏ: “{evidence[0].text}”.",
                          tuple(evidence[:MAX_EVIDENCE]),
                          {"article_id": other.id, "source_id": other.source_id})
    return None


# -- single source -----------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryInfo:
    """What the single-source signal needs of the article's story cluster."""

    cluster_id: int | None
    first_published: datetime | None
    outlets: int
    independent_outlets: int


def single_source_signal(article: ArticleText, story: StoryInfo | None, *, now: datetime,
                         hours: float, low_tiers: Sequence[str]) -> Signal | None:
    """A low-tier outlet's story that no independent outlet has reported after ``hours``."""
    if article.tier not in low_tiers or story is None:
        return None  # without its story cluster, corroboration is unknown
    start = story.first_published or article.published
    independent = story.independent_outlets
    if start is None or independent > 1:
        return None
    waited = (now - start).total_seconds() / 3600
    if waited < hours:
        return None
    tier = TIER_NAMES_VI.get(article.tier, article.tier).lower()
    return Signal("single_source", 1.0,
                  f"Chỉ một nguồn tin ({article.source_name or article.source_id}, {tier}) "
                  f"đưa tin; sau {waited:.0f} giờ chưa có cơ quan báo chí độc lập nào xác nhận.",
                  (quote(article.title, 0, len(article.title), "title"),),
                  {"hours": round(waited, 1), "independent_outlets": independent})


# -- takedown or silent edit -------------------------------------------------------------------

@dataclass(frozen=True)
class RefetchFinding:
    """The latest re-fetch of an article (a row of refetch_results)."""

    outcome: str  # unchanged | edited | gone | redirect_home | failed
    step: str
    status: int | None = None
    change_ratio: float | None = None
    diff: tuple[dict, ...] = ()
    final_url: str | None = None


_STEP_VI = {"2h": "2 giờ", "24h": "24 giờ", "72h": "72 giờ"}


def takedown_signal(finding: RefetchFinding | None, edit_threshold: float) -> Signal | None:
    """The article was taken down (404/410, or a redirect to the home page) or silently edited
    beyond ``edit_threshold`` (share of words changed) when re-fetched."""
    if finding is None:
        return None
    when = _STEP_VI.get(finding.step, finding.step)
    evidence = tuple(Evidence(d["text"][:QUOTE_CHARS], "diff", 0, min(len(d["text"]),
                                                                       QUOTE_CHARS))
                     for d in finding.diff[:MAX_EVIDENCE])
    detail = {"outcome": finding.outcome, "step": finding.step, "status": finding.status,
              "diff": list(finding.diff[:20])}
    if finding.outcome == "gone":
        return Signal("takedown", 1.0, f"Bài viết đã bị gỡ (HTTP {finding.status}) khi kiểm tra "
                      f"lại sau {when}.", evidence, detail)
    if finding.outcome == "redirect_home":
        return Signal("takedown", 1.0, f"Đường dẫn bài viết chuyển hướng về trang chủ khi kiểm "
                      f"tra lại sau {when}: bài có thể đã bị gỡ.", evidence,
                      {**detail, "final_url": finding.final_url})
    ratio = finding.change_ratio or 0.0
    if finding.outcome != "edited" or ratio < edit_threshold:
        return None
    strength = 0.6 + 0.4 * min(1.0, (ratio - edit_threshold) / max(edit_threshold, 1e-9))
    return Signal("takedown", strength, f"Nội dung bài viết đã bị sửa {ratio:.0%} mà không có "
                  f"ghi chú khi kiểm tra lại sau {when}.", evidence,
                  {**detail, "change_ratio": round(ratio, 3)})


# -- text features for the combiner ------------------------------------------------------------

def text_features(article: ArticleText, headline_prob: float) -> dict[str, float]:
    """The combiner's text features (each in [0, 1])."""
    title = article.title.strip()
    words = re.findall(r"\w+", title)
    caps = sum(1 for w in words if len(w) > 1 and w.isupper() and not w.isdigit())
    exclaim = 1.0 if "!" in title else (0.5 if title.endswith("?") else 0.0)
    return {
        "headline_model": round(headline_prob, 4),
        "hearsay": round(hearsay_share(article), 4),
        "exclamation": exclaim,
        "title_caps": round(min(1.0, caps / max(len(words), 1) * 3), 4),
        "short_text": 1.0 if article.words < 120 else 0.0,
    }
