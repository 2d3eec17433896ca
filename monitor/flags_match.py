"""Sentence-level matching of articles against rebutted claims, robust to paraphrase (pure).

No embedding model is available offline, so similarity is built from what can be shipped:
normalised and folded text; a synonym list that maps common paraphrases to one form; stopwords
and negations dropped (a claim matches whether it is repeated or denied; a sentence that denies
it is told apart by the denial lexicon); syllable and syllable-pair containment; character
n-gram cosine (hashed, so misspellings and unaccented typing still meet); shared numbers
("10.000 đồng" = "10k") and shared place names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from monitor.flags_lexicon import finder, read_lexicon, sentences
from monitor.flags_signals import MAX_EVIDENCE, ArticleText, Evidence, Signal, quote
from monitor.text import fold, normalize

MATCH_THRESHOLD = 0.52
STOPWORDS = frozenset("""
la cua va cac nhung mot co duoc bi se da dang thi ma nay do voi cho tai o trong khi ve nhu de
cung rang ra len vao nua luc nao gi ai day kia ay hay hoac nen vi neu tu nhieu it rat qua lai
con chi moi hon the cai chiec viec nguoi ong ba anh chi em ho
""".split())
NEGATIONS = frozenset("khong chua chang cha dung khong he".split())
_NUMBER = re.compile(r"(?<![\w/])(\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?![\w/])"
                     r"|(?<![\w/])(\d+(?:[.,]\d+)*)(?:\s*(k|nghìn|ngàn|triệu|tỷ))?(?![\w/])",
                     re.IGNORECASE)
_SCALE = {"k": 1_000, "nghìn": 1_000, "ngàn": 1_000, "triệu": 1_000_000, "tỷ": 1_000_000_000}
_HASHER = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**18,
                            alternate_sign=False, norm="l2")


@dataclass(frozen=True)
class Rebuttal:
    """A claim the authorities have rebutted (a row of the registry)."""

    id: int | None
    claim: str
    claim_date: date
    issued_by: str
    source_url: str


@dataclass(frozen=True)
class Prepared:
    tokens: frozenset[str]
    pairs: frozenset[str]
    numbers: frozenset[str]
    places: frozenset[str]
    canon: str
    canon_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class RebuttalMatch:
    rebuttal: Rebuttal
    score: float
    evidence: tuple[Evidence, ...]
    denies: bool  # the matched sentences deny the claim (the article reports the rebuttal)


@lru_cache(maxsize=1)
def _synonyms() -> tuple[re.Pattern, dict[str, str]]:
    """One alternation of every paraphrase (longest first) and its canonical form."""
    table: dict[str, str] = {}
    for group in read_lexicon("synonyms").get("groups") or []:
        canonical = fold(normalize(str(group[0])).lower())
        for phrase in group[1:]:
            table.setdefault(fold(normalize(str(phrase)).lower()), canonical)
    ordered = sorted(table, key=len, reverse=True)
    body = "|".join(re.escape(p) for p in ordered) or "(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), table


def canonical_text(text: str) -> str:
    """Folded text with synonyms mapped to their group's first member."""
    pattern, table = _synonyms()
    return pattern.sub(lambda m: table[m.group(0)], fold(normalize(text)))


def numbers(text: str) -> frozenset[str]:
    """Numbers as values: "10.000 đồng", "10k" and "10 nghìn" all give "10000"; dates d/m."""
    out = set()
    for m in _NUMBER.finditer(normalize(text)):
        if m.group(1):
            day, month, *_ = m.group(1).split("/")
            out.add(f"{int(day)}/{int(month)}")
            continue
        value = _number_value(m.group(2)) * _SCALE.get((m.group(3) or "").lower(), 1)
        out.add(str(int(value)) if value == int(value) else f"{value:.6g}")
    return frozenset(out)


def _number_value(raw: str) -> float:
    """"10.000" and "10,000" are ten thousand; "169,3" and "169.3" are decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        return float(re.sub(r"[.,]", "", raw))
    return float(raw.replace(",", "."))


def places(text: str) -> frozenset[str]:
    """Runs of capitalised words inside sentences ("sông Thương", "Xương Giang"), folded; the
    first word of a sentence does not count."""
    found = set()
    for sent in sentences(normalize(text)):
        run: list[str] = []
        for i, word in enumerate(re.findall(r"\w+", sent.text)):
            if i > 0 and word[0].isupper() and not word.isdigit():
                run.append(word)
                continue
            _add_place(found, run)
            run = []
        _add_place(found, run)
    return frozenset(found)


def _add_place(found: set[str], run: list[str]) -> None:
    name = fold(" ".join(run))
    if len(name) > 2:
        found.add(name)


@lru_cache(maxsize=20_000)
def prepare(text: str) -> Prepared:
    canon = canonical_text(text)
    named = places(text)
    place_words = {w for name in named for w in name.split()}
    words = [w for w in re.findall(r"\w+", canon) if not w.isdigit()]
    # place names gate a match (see similarity) but are not evidence of the same claim
    content = [w for w in words if w not in STOPWORDS and w not in NEGATIONS
               and w not in place_words]
    pairs = {f"{a} {b}" for a, b in zip(content, content[1:], strict=False)}
    return Prepared(frozenset(content), frozenset(pairs), numbers(text), named,
                    " ".join(content), tuple(words))


def similarity(claim: Prepared, sentence: Prepared, char: float | None = None) -> float:
    """How much of the claim the sentence says, in [0, 1]. ``char`` is their character n-gram
    cosine when the caller computed it in bulk."""
    if not claim.tokens:
        return 0.0
    uni = _overlap(claim.tokens, sentence.tokens)
    bi = _overlap(claim.pairs, sentence.pairs) if claim.pairs else uni
    if char is None:
        vectors = _HASHER.transform([claim.canon, sentence.canon])
        char = float((vectors[0].multiply(vectors[1])).sum())
    parts = [(0.45, uni), (0.15, bi), (0.25, char)]
    if claim.numbers:
        parts.append((0.15, len(claim.numbers & sentence.numbers) / len(claim.numbers)))
    score = sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    if claim.places and not _any_place(claim.places, sentence):
        score *= 0.6  # the same words about another place are another claim
    return score


def _overlap(claim: frozenset[str], sentence: frozenset[str]) -> float:
    """Share of the claim the sentence says; a short sentence that says only the core of a long
    claim (a headline) gets credit for its precision too."""
    shared = len(claim & sentence)
    recall = shared / len(claim)
    precision = shared / len(sentence) if sentence else 0.0
    return max(recall, (recall + precision) / 2)


def _any_place(names: frozenset[str], sentence: Prepared) -> bool:
    words = f" {' '.join(sentence.canon_words)} "
    return any(f" {n} " in words or n in sentence.places for n in names)


class RebuttalMatcher:
    """Matches an article's sentences (and pairs of adjacent sentences) against the registry."""

    def __init__(self, rebuttals: Sequence[Rebuttal], threshold: float = MATCH_THRESHOLD):
        self.rebuttals = list(rebuttals)
        self.threshold = threshold
        self._claims = [prepare(r.claim) for r in self.rebuttals]
        self._vectors = _HASHER.transform([c.canon for c in self._claims]) \
            if self._claims else None

    def match(self, article: ArticleText) -> list[RebuttalMatch]:
        if self._vectors is None:
            return []
        windows = list(_windows(article))
        if not windows:
            return []
        prepared = [prepare(w[3]) for w in windows]
        chars = (self._vectors @ _HASHER.transform([p.canon for p in prepared]).T).toarray()
        out = []
        for i, (rebuttal, claim) in enumerate(zip(self.rebuttals, self._claims, strict=False)):
            if not claim.tokens or not any(claim.tokens & p.tokens for p in prepared):
                continue
            scored = sorted(((similarity(claim, p, float(chars[i, j])), w)
                             for j, (p, w) in enumerate(zip(prepared, windows, strict=False))),
                            key=lambda x: -x[0])
            hits = _disjoint([(s, w) for s, w in scored if s >= self.threshold])
            if hits:
                evidence = tuple(quote(w[0], w[1], w[2], w[4]) for _, w in hits)
                denies = all(_denies(claim, w[3]) for _, w in hits)
                out.append(RebuttalMatch(rebuttal, hits[0][0], evidence, denies))
        return out


def _disjoint(hits: list) -> list:
    """The best windows that do not overlap one another (a pair contains its sentences)."""
    chosen: list = []
    for score, w in hits:
        if not any(c[1][4] == w[4] and c[1][1] < w[2] and w[1] < c[1][2] for c in chosen):
            chosen.append((score, w))
    return chosen[:MAX_EVIDENCE]


def _denies(claim: Prepared, window: str) -> bool:
    """The window denies the claim: a denial phrase, or a negation the claim does not have."""
    if finder("denial", "denial").find(window):
        return True
    negations = NEGATIONS & set(canonical_text(window).split())
    return bool(negations) and not (NEGATIONS & set(claim.canon_words))


def _windows(article: ArticleText):
    """(field text, start, end, window text, field name) for each sentence and adjacent pair."""
    for name, text in article.fields():
        sents = sentences(text)
        for i, s in enumerate(sents):
            yield text, s.start, s.end, s.text, name
            if i + 1 < len(sents):
                nxt = sents[i + 1]
                yield text, s.start, nxt.end, text[s.start:nxt.end], name


def rebuttal_signal(matches: Sequence[RebuttalMatch], *, official: bool,
                    reports_denial: bool = False) -> Signal | None:
    """The strongest match that repeats (does not deny) a rebutted claim. An article that
    reports a denial, or an official-tier one with a denying match, raises nothing."""
    if reports_denial:
        return None  # the article reports the rebuttal (or another denial), not the claim
    repeating = [m for m in matches if not m.denies]
    if not repeating or (official and len(repeating) < len(matches)):
        return None
    best = max(repeating, key=lambda m: m.score)
    r = best.rebuttal
    strength = min(1.0, 0.5 + (best.score - MATCH_THRESHOLD) / (1 - MATCH_THRESHOLD))
    return Signal("rebuttal_match", strength,
                  f"Nội dung “{best.evidence[0].text}” trùng với thông tin đã được {r.issued_by} "
                  f"bác bỏ ngày {r.claim_date:%d/%m/%Y} (độ giống {best.score:.0%}).",
                  best.evidence, {"rebuttal_id": r.id, "claim": r.claim,
                                  "source_url": r.source_url, "similarity": round(best.score, 3)})


def vectors_cosine(a: str, b: str) -> float:
    """Character n-gram cosine of two texts (exposed for tests and the benchmark)."""
    m = _HASHER.transform([canonical_text(a), canonical_text(b)])
    return float(np.asarray(m[0].multiply(m[1]).sum()))
