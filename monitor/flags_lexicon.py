"""Lexicons of the flags (monitor/data/lexicons): loading, phrase search with spans, sentences."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from monitor.errors import ConfigError
from monitor.text import fold, normalize

log = logging.getLogger(__name__)

LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicons"
_SENTENCE_END = re.compile(r"(?<=[.!?…;])[\"”’»)]*\s+|\n+")


@dataclass(frozen=True)
class Hit:
    """A phrase found in a text: [start, end) offsets into that text, and the phrase's entry."""

    start: int
    end: int
    phrase: str
    weight: float = 1.0


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def read_lexicon(name: str, root: Path | None = None) -> dict[str, Any]:
    """One YAML file of the lexicon folder as a mapping (ConfigError names the file)."""
    path = (root or LEXICON_DIR) / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "an existing lexicon file", "no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "(file)", "valid YAML", str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", "a mapping", type(data).__name__)
    return data


@cache
def phrase_list(name: str, key: str) -> tuple[tuple[str, float], ...]:
    """Entries of ``key`` in lexicon ``name`` as (phrase, weight); plain strings weigh 1."""
    entries = read_lexicon(name).get(key) or []
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            out.append((normalize(str(entry["phrase"])).lower(), float(entry.get("weight", 1.0))))
        else:
            out.append((normalize(str(entry)).lower(), 1.0))
    return tuple(out)


def is_unaccented(text: str) -> bool:
    """True for Vietnamese typed without diacritics ("tu 1/12 qua cau song Thuong")."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 12:
        return False
    return sum(not c.isascii() for c in letters) / len(letters) < 0.02


class PhraseFinder:
    """Finds the phrases of a list at word boundaries: with diacritics in accented text, on the
    folded form in text typed without them. Longer phrases win over their own prefixes."""

    def __init__(self, phrases: Iterable[tuple[str, float]]) -> None:
        self.weights: dict[str, float] = {}
        self.folded: dict[str, str] = {}
        for phrase, weight in phrases:
            self.weights[phrase] = max(weight, self.weights.get(phrase, 0.0))
            self.folded.setdefault(fold(phrase), phrase)
        self._accented = _alternation(self.weights)
        self._plain = _alternation(self.folded)

    def find(self, text: str) -> list[Hit]:
        if not text or not self.weights:
            return []
        if is_unaccented(text):
            return [self._hit(m, self.folded[m.group(0)]) for m in self._plain.finditer(fold(text))]
        return [self._hit(m, m.group(0)) for m in self._accented.finditer(text.lower())]

    def _hit(self, match: re.Match, phrase: str) -> Hit:
        return Hit(match.start(), match.end(), phrase, self.weights.get(phrase, 1.0))


def _alternation(phrases: Iterable[str]) -> re.Pattern:
    ordered = sorted(set(phrases), key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(p) for p in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


@cache
def finder(name: str, *keys: str) -> PhraseFinder:
    """A cached PhraseFinder over the entries of ``keys`` in lexicon ``name``."""
    return PhraseFinder(entry for key in keys for entry in phrase_list(name, key))


def sentences(text: str) -> list[Sentence]:
    """Split a paragraph into sentences, keeping each one's offsets in ``text``."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        _append(out, text, start, match.start() if text[match.start()] == "\n"
                else match.end())
        start = match.end()
    _append(out, text, start, len(text))
    return out


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        out.append(Sentence(stripped, offset, offset + len(stripped)))


@lru_cache(maxsize=1)
def headline_model():
    """The shipped sensational-headline model, trained now on headlines.yaml (~0.1 s)."""
    from classifiers.verification import HeadlineModel

    data = read_lexicon("headlines")
    texts: list[str] = []
    labels: list[int] = []
    for label, key in ((1, "clickbait"), (0, "neutral")):
        items = [normalize(str(t)) for t in data.get(key) or []]
        texts.extend(items)
        labels.extend([label] * len(items))
    if len(set(labels)) < 2:
        raise ConfigError(str(LEXICON_DIR / "headlines.yaml"), "clickbait/neutral",
                          "both lists of headlines", "one list is empty")
    return HeadlineModel().fit(texts, labels)


def headline_scores(titles: Sequence[str]) -> list[float]:
    """Probability that each headline is sensational (the shipped headline model)."""
    if not titles:
        return []
    return [float(p) for p in headline_model().predict_proba(list(titles))[:, 1]]
