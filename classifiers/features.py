"""Text preprocessing and feature extraction for Vietnamese classifiers (pure; no monitor imports).

``normalize_text`` is a small equivalent of ``monitor.text.normalize`` followed by lower-casing:
entities decoded, NFC, zero-width characters removed, one tone-mark placement for the rhymes
``oa``/``oe``/``uy`` ("hoà" -> "hòa", "thuý" -> "thúy", "hòang" -> "hoàng"), lower case,
whitespace collapsed. The classifiers package may not import ``monitor``, so the rule is restated
here; a test checks that both agree. Text already normalised by ``monitor.text.normalize`` is
unchanged by it except for case.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = ["TOKEN_PATTERN", "canonical_token", "normalize_text", "prepare_text", "syllables"]

# A syllable: a run of letters/digits (single letters count: "ở", "y" are words in Vietnamese).
TOKEN_PATTERN = r"(?u)\b\w+\b"

_TOKEN = re.compile(TOKEN_PATTERN)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS), None)
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_INITIAL = "[bcdđghklmnpqrstvx]*"
_OPEN = re.compile(rf"({_INITIAL})(oa|oe|uy)")
_CLOSED = re.compile(rf"({_INITIAL})(oa|oe|uy)(c|ch|m|n|ng|nh|p|t)")


def _variants(letters: str) -> str:
    """Character-class body: the lower-case letters with and without each tone mark."""
    out = set(letters)
    for letter in letters:
        out.update(unicodedata.normalize("NFC", letter + tone) for tone in _TONES)
    return "".join(sorted(out))


# Only words holding o+a/e or u+y can need moving; the regex finds them without splitting text.
_CANDIDATE = re.compile(
    rf"[^\W\d_]*(?:[{_variants('o')}][{_variants('ae')}]|[{_variants('u')}][{_variants('y')}])"
    rf"[^\W\d_]*"
)


def normalize_text(text: str) -> str:
    """Entities decoded, NFC, lower case, one tone-mark placement, zero-width characters removed,
    whitespace collapsed."""
    text = _CANDIDATE.sub(_retone_match, prepare_text(text))
    return " ".join(text.split())


def prepare_text(text: str) -> str:
    """The cheap part of ``normalize_text``: entities, NFC, zero-width characters, lower case.

    Tone marks are left as written: the vectorizers canonicalise each token instead
    (``canonical_token``, cached), which is much faster than rewriting whole texts.
    """
    if not text:
        return ""
    for _ in range(3):  # double-encoded feeds need two passes
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    if any(char in text for char in _ZERO_WIDTH_CHARS):
        text = text.translate(_ZERO_WIDTH)
    return text.lower()


@lru_cache(maxsize=65536)
def canonical_token(token: str) -> str:
    """One lower-case token with the tone mark of ``oa``/``oe``/``uy`` at the one placement."""
    return _CANDIDATE.sub(_retone_match, token)


def syllables(text: str) -> list[str]:
    """The syllable tokens of already-normalised text (what the vectorizers count)."""
    return _TOKEN.findall(text)


def _retone_match(match: re.Match[str]) -> str:
    word = match.group(0)
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    bare = unicodedata.normalize("NFC", decomposed.replace(tones[0], ""))
    target = _tone_position(bare)
    if target is None:
        return word
    chars = list(bare)
    chars[target] = unicodedata.normalize("NFC", chars[target] + tones[0])
    return "".join(chars)


def _tone_position(bare: str) -> int | None:
    """Index of the vowel carrying the tone in a toneless lower-case syllable, or None."""
    for pattern, offset in ((_OPEN, 0), (_CLOSED, 1)):
        match = pattern.fullmatch(bare)
        if match:
            initial, rhyme = match.group(1), match.group(2)
            if rhyme == "uy" and initial.endswith("q"):
                return None
            return len(initial) + offset
    return None

