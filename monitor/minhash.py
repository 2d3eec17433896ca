"""MinHash signatures over syllable shingles, LSH band keys, and a time-bucketed multimap (pure)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import numpy as np

__all__ = ["BucketedIndex", "MinHasher", "Signature", "shingle_jaccard", "shingles", "syllables"]

_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def syllables(folded: str) -> list[str]:
    """The syllables (and numbers) of folded text, punctuation dropped: Vietnamese words are
    syllables separated by spaces, so a syllable is the unit of shingling."""
    return _SYLLABLE.findall(folded)


def shingles(tokens: Sequence[str], k: int) -> set[tuple[str, ...]]:
    """The set of k-syllable windows; a text shorter than k is one shingle (none when empty)."""
    if len(tokens) < k:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}


def shingle_jaccard(a: Sequence[str], b: Sequence[str], k: int) -> tuple[float, float]:
    """Exact (Jaccard, containment of the smaller set) of two syllable lists' k-shingles."""
    sa, sb = shingles(a, k), shingles(b, k)
    if not sa or not sb:
        return 0.0, 0.0
    inter = len(sa & sb)
    return inter / len(sa | sb), inter / min(len(sa), len(sb))


_HASHES: dict[str, int] = {}
_HASHES_MAX = 1 << 20


def _syllable_hash(token: str) -> int:
    """A stable 64-bit hash of one syllable (Python's str hash changes between processes),
    memoised: news text reuses a few thousand syllables."""
    value = _HASHES.get(token)
    if value is None:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        value = _HASHES[token] = int.from_bytes(
            hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
    return value


@lru_cache(maxsize=8)
def _random_words(count: int, seed: int) -> np.ndarray:
    """``count`` odd random 64-bit words, fixed by ``seed``."""
    words = np.random.default_rng(seed).integers(0, 1 << 63, size=count, dtype=np.uint64)
    return (words << np.uint64(1)) | np.uint64(1)


@dataclass(frozen=True)
class Signature:
    """A MinHash signature (uint32 per permutation) and the size of the shingle set it sums up."""

    values: np.ndarray
    size: int

    def similarity(self, other: Signature) -> tuple[float, float]:
        """Estimated (Jaccard, containment of the smaller set in the larger)."""
        jaccard = float(np.count_nonzero(self.values == other.values)) / len(self.values)
        inter = jaccard * (self.size + other.size) / (1.0 + jaccard)
        return jaccard, min(1.0, inter / max(1, min(self.size, other.size)))


@dataclass(frozen=True)
class MinHasher:
    """MinHash of syllable k-shingles with ``bands`` x ``rows`` LSH banding.

    Each shingle is hashed from its syllables' stable hashes; the permutations are
    multiply-shift hashes ``(a * x + b) >> 32`` with odd random 64-bit ``a`` (numpy, vectorised).
    Two texts with Jaccard ``j`` share at least one band with probability
    ``1 - (1 - j**rows) ** bands`` (about 0.99 at 0.5 for the defaults 42 x 3).
    """

    k: int = 4
    bands: int = 42
    rows: int = 3
    seed: int = 20250701

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def signature(self, tokens: Sequence[str]) -> Signature | None:
        """The signature of a syllable list, or None for an empty text."""
        hashes = self._shingle_hashes(tokens)
        if hashes.size == 0:
            return None
        a = _random_words(self.num_perm, self.seed)
        b = _random_words(self.num_perm, self.seed + 1)
        mixed = (hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)
        return Signature(mixed.min(axis=0).astype(np.uint32), int(hashes.size))

    def band_keys(self, signature: Signature) -> list[int]:
        """One integer key per band; equal keys mean equal band values (up to 2**-64)."""
        rows = signature.values.reshape(self.bands, self.rows).astype(np.uint64)
        mult = _random_words(self.rows + self.bands, self.seed + 2)
        keys = (rows * mult[None, : self.rows]).sum(axis=1, dtype=np.uint64)
        return (keys ^ mult[self.rows:]).tolist()

    def _shingle_hashes(self, tokens: Sequence[str]) -> np.ndarray:
        get = _HASHES.get
        ids = np.fromiter((get(t) or _syllable_hash(t) for t in tokens), dtype=np.uint64,
                          count=len(tokens))
        if ids.size == 0:
            return ids
        k = min(self.k, ids.size)
        mult = _random_words(k, self.seed + 3)
        width = ids.size - k + 1
        acc = np.zeros(width, dtype=np.uint64)
        for j in range(k):
            acc = (acc ^ (ids[j:j + width] * mult[j])) * np.uint64(0x9E3779B97F4A7C15)
        return np.unique(acc)


class BucketedIndex(Generic[K, V]):
    """A multimap key -> values, bucketed by the day of each value's time, so that a query reads
    only the days near a time and old days are dropped in one step (``evict_before``)."""

    def __init__(self, bucket_seconds: int = 86_400) -> None:
        self.bucket_seconds = bucket_seconds
        self._buckets: dict[int, dict[K, list[V]]] = {}

    def bucket(self, timestamp: float) -> int:
        return int(timestamp // self.bucket_seconds)

    def add(self, keys: Iterable[K], value: V, timestamp: float) -> None:
        table = self._buckets.setdefault(self.bucket(timestamp), {})
        for key in keys:
            table.setdefault(key, []).append(value)

    def add_items(self, items: Iterable[tuple[K, V]], timestamp: float) -> None:
        """Add a different value under each key, all at ``timestamp``."""
        table = self._buckets.setdefault(self.bucket(timestamp), {})
        for key, value in items:
            table.setdefault(key, []).append(value)

    def tables(self, timestamp: float, reach: float) -> list[dict[K, list[V]]]:
        """The key -> values tables of the buckets within ``reach`` seconds of ``timestamp``
        (callers check exact times: a bucket is a whole day)."""
        first, last = self.bucket(timestamp - reach), self.bucket(timestamp + reach)
        return [t for day in range(first, last + 1) if (t := self._buckets.get(day)) is not None]

    def query(self, key: K, timestamp: float, reach: float) -> Iterator[V]:
        """Values under ``key`` near ``timestamp`` (see ``tables``)."""
        for table in self.tables(timestamp, reach):
            yield from table.get(key, ())

    def evict_before(self, timestamp: float) -> int:
        """Drop the buckets that end before ``timestamp``; returns how many were dropped."""
        limit = self.bucket(timestamp)
        old = [day for day in self._buckets if day < limit]
        for day in old:
            del self._buckets[day]
        return len(old)
