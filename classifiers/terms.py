"""Phrase matching for seed terms and lexicons: syllable n-grams, with and without diacritics."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from classifiers.features import canonical_token, prepare_text

__all__ = ["Tokens", "TermMatcher", "fold", "tokenize"]

_TOKEN = re.compile(r"(?u)\w+")
_MARKED_SHARE = 0.15  # below this share of syllables with diacritics a text is read unaccented
_SHORT_ASCII = 3  # ascii seeds this short ("ai", "fdi", "dao") must be written with a capital


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", token)
                       if unicodedata.category(c) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "d").lower()


def fold(text: str) -> str:
    """Lower case without diacritics, đ -> d (for matching unaccented text)."""
    return " ".join(_fold_token(t) for t in _TOKEN.findall(prepare_text(text)))


@dataclass(frozen=True)
class Tokens:
    """A text's syllables: lower case with one tone-mark placement, folded, and whether each
    was written with a capital; ``accented`` says whether the text uses diacritics."""

    lower: tuple[str, ...]
    folded: tuple[str, ...]
    capital: tuple[bool, ...]
    accented: bool


def tokenize(text: str) -> Tokens:
    """Split a raw text into syllables (see ``Tokens``)."""
    raw = _TOKEN.findall(unicodedata.normalize("NFC", text or ""))
    lower = tuple(canonical_token(t.lower()) for t in raw)
    folded = tuple(_fold_token(t) for t in lower)
    letters = [t for t in folded if not t.isdigit()]
    marked = sum(a != b for a, b in zip(lower, folded, strict=True))
    accented = bool(letters) and marked >= _MARKED_SHARE * len(letters)
    return Tokens(lower, folded, tuple(t[:1].isupper() for t in raw), accented)


def _syllables(term: str) -> tuple[str, ...]:
    return tuple(canonical_token(t) for t in _TOKEN.findall(prepare_text(term)))


class TermMatcher:
    """Counts occurrences of phrases (lists of terms, grouped) in texts.

    A term matches whole syllables ("bác sĩ" matches "các bác sĩ", never "bác sĩa"); overlapping
    matches all count. Accented texts are matched on accented syllables; texts
    written without diacritics on folded ones. Short ascii terms ("ai", "fdi") match only
    where the text writes them with a capital ("AI", "FDI"), since "ai" is also "who".
    ``groups`` maps a group name (a topic, a polarity) to its terms.
    """

    def __init__(self, groups: dict[str, Sequence[str]]) -> None:
        self.names = list(groups)
        self._accented: dict[tuple[str, ...], list[int]] = {}
        self._folded: dict[tuple[str, ...], list[int]] = {}
        self._capital: set[tuple[str, ...]] = set()
        for index, name in enumerate(self.names):
            for term in groups[name]:
                self._add(term, index)
        self._lengths = sorted({len(k) for k in self._accented} | {len(k) for k in self._folded})

    def _add(self, term: str, index: int) -> None:
        syllables = _syllables(term)
        if not syllables:
            return
        folded = tuple(_fold_token(s) for s in syllables)
        for table, key in ((self._accented, syllables), (self._folded, folded)):
            if index not in table.setdefault(key, []):
                table[key].append(index)
        if term.isascii() and len(term.replace(" ", "")) <= _SHORT_ASCII:
            self._capital.add(syllables)

    def find(self, tokens: Tokens) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, length, term syllables) of each match, overlapping matches included."""
        table = self._accented if tokens.accented else self._folded
        seq = tokens.lower if tokens.accented else tokens.folded
        out = []
        for n in self._lengths:
            for start in range(len(seq) - n + 1):
                gram = seq[start: start + n]
                if gram in table and self._allowed(gram, tokens, start):
                    out.append((start, n, gram))
        return out

    def _allowed(self, gram: tuple[str, ...], tokens: Tokens, start: int) -> bool:
        return gram not in self._capital or tokens.capital[start]

    def groups_of(self, gram: tuple[str, ...], accented: bool) -> list[int]:
        return (self._accented if accented else self._folded).get(gram, [])

    def counts(self, texts: Iterable[str]) -> np.ndarray:
        """Matches per group: one row per text, one column per group (``names`` order)."""
        rows = []
        for text in texts:
            tokens = tokenize(text)
            row = np.zeros(len(self.names), dtype=np.float32)
            for _, _, gram in self.find(tokens):
                for index in self.groups_of(gram, tokens.accented):
                    row[index] += 1
            rows.append(row)
        return np.vstack(rows) if rows else np.zeros((0, len(self.names)), np.float32)

    def distinct(self, texts: Iterable[str]) -> np.ndarray:
        """Distinct terms matched per group (a term said ten times counts once)."""
        rows = []
        for text in texts:
            tokens = tokenize(text)
            seen: set[tuple[int, tuple[str, ...]]] = set()
            for _, _, gram in self.find(tokens):
                seen.update((i, gram) for i in self.groups_of(gram, tokens.accented))
            row = np.zeros(len(self.names), dtype=np.float32)
            for index, _ in seen:
                row[index] += 1
            rows.append(row)
        return np.vstack(rows) if rows else np.zeros((0, len(self.names)), np.float32)
