"""Vietnamese text normalisation: entities, NFC, one tone-mark placement, folding, whitespace.

Tone-mark rule (``normalize``). Vietnamese is written with two tone-mark placements for the
rhymes ``oa``, ``oe`` and ``uy``. This module rewrites every such syllable to ONE placement, the
one used by most Vietnamese newspapers and by official place names ("Hiệp Hòa", "Thúy"):

* open syllable (nothing after the rhyme): the mark sits on the FIRST vowel:
  ``hoà -> hòa``, ``khoẻ -> khỏe``, ``thuý -> thúy``, ``xoà -> xòa``;
* closed syllable (a final consonant follows): the mark sits on the SECOND vowel, which both
  styles agree on, and misplaced marks are moved there: ``hòang -> hoàng``, ``hùynh -> huỳnh``;
* ``qu`` + ``y`` is not the ``uy`` rhyme (the ``u`` belongs to the consonant): ``quý`` is kept.

Every other syllable is left as written. Words with no or several tone marks are never touched.
(The brief calls this the "new style"; some references call the same placement "old style". What
matters is that stored text uses one placement, so ``hoà`` and ``hòa`` compare equal.)
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["collapse_whitespace", "fold", "normalize", "retone"]

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_INITIAL = "[bcdđghklmnpqrstvx]*"
_OPEN = re.compile(rf"({_INITIAL})(oa|oe|uy)")
_CLOSED = re.compile(rf"({_INITIAL})(oa|oe|uy)(c|ch|m|n|ng|nh|p|t)")


def _variants(letters: str) -> str:
    """A character class body: the letters with and without each tone mark, both cases."""
    out = set()
    for letter in letters:
        for base in (letter, letter.upper()):
            out.add(base)
            out.update(unicodedata.normalize("NFC", base + tone) for tone in _TONES)
    return "".join(sorted(out))


_CANDIDATE = re.compile(
    rf"[^\W\d_]*(?:[{_variants('o')}][{_variants('ae')}]|[{_variants('u')}][{_variants('y')}])"
    rf"[^\W\d_]*"
)


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (NBSP, U+202F, newlines included) becomes one space; strip ends."""
    return _SPACES.sub(" ", text).strip()


def unescape_entities(text: str) -> str:
    """html.unescape, only while entity patterns remain (double-encoded feeds need two passes)."""
    for _ in range(3):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def normalize(text: str) -> str:
    """Clean Vietnamese text for matching and storage: entities decoded, NFC, one tone-mark
    placement (see the module docstring), zero-width characters removed, NBSP and narrow NBSP
    turned into spaces, whitespace runs collapsed (newlines too: normalise one paragraph at a time).
    """
    if not text:
        return ""
    text = unescape_entities(text)
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    return collapse_whitespace(retone(text))


def retone(text: str) -> str:
    """Move tone marks of ``oa``/``oe``/``uy`` syllables to one placement (module docstring)."""
    return _CANDIDATE.sub(lambda m: _retone_word(m.group(0)), text)


def _retone_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    bare = unicodedata.normalize("NFC", decomposed.replace(tones[0], ""))
    target = _tone_position(bare.lower())
    if target is None:
        return word
    chars = list(bare)
    chars[target] = unicodedata.normalize("NFC", chars[target] + tones[0])
    return "".join(chars)


def _tone_position(bare: str) -> int | None:
    """Index of the vowel that carries the tone in a toneless lower-case syllable, or None."""
    match = _OPEN.fullmatch(bare)
    if match:
        initial, rhyme = match.group(1), match.group(2)
        if rhyme == "uy" and initial.endswith("q"):
            return None
        return len(initial)
    match = _CLOSED.fullmatch(bare)
    if match:
        initial, rhyme = match.group(1), match.group(2)
        if rhyme == "uy" and initial.endswith("q"):
            return None
        return len(initial) + 1
    return None


class _FoldTable(dict):
    """str.translate table built lazily: a character -> its lower-case base letter."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐ":
            folded = "d"
        elif unicodedata.combining(char):
            folded = ""
        else:
            base = unicodedata.normalize("NFD", char)[0]
            lowered = base.lower()
            folded = lowered if len(lowered) == 1 else base
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, diacritics removed, ``đ`` -> ``d``: ``fold("Đà Nẵng") == "da nang"``.

    The input is taken to NFC first; for NFC text the result has the same length, so character
    offsets found in the folded text point at the same characters in the original.
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD)
