"""Fast TF-IDF over syllable n-grams: token ids in Python, n-grams and lookups in numpy."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from classifiers.features import TOKEN_PATTERN, canonical_token, prepare_text

__all__ = ["SyllableVectorizer"]

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(TOKEN_PATTERN)
# Syllables plus each punctuation mark as a token of its own: quotes, dashes and brackets carry
# an outlet's house style (and sections are an outlet's choice).
_PUNCTUATION_RE = re.compile(r"(?u)\w+|[^\w\s]")
_KEY_LIMIT = 2**62


class SyllableVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF over syllable n-grams of Vietnamese text, like ``TfidfVectorizer`` but fast.

    Texts are prepared with ``features.prepare_text`` (entities, NFC, lower case) and split
    into syllables; each syllable is put to one tone-mark placement (``canonical_token``).
    Syllables seen in at least ``min_df`` training documents get an id; an n-gram is a key
    computed from its ids, so n-grams are counted and looked up with numpy, not with dicts.
    Unknown syllables break n-grams (an n-gram with one cannot be a feature anyway).

    Learned attributes: ``token_ids_`` (syllable -> id), ``keys_`` (sorted int64 n-gram keys,
    one per feature column), ``idf_`` (float32), ``n_features_out_``.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        use_idf: bool = True,
        norm: str | None = "l2",
        punctuation: bool = False,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.use_idf = use_idf
        self.norm = norm
        self.punctuation = punctuation

    def fit(self, X: Iterable[str], y: object = None) -> SyllableVectorizer:
        self._validate()
        vocab: dict[str, int] = {}
        pattern = self._pattern()
        docs = [_raw_ids(text, vocab, pattern) for text in X]
        n_docs = len(docs)
        self.token_ids_ = self._prune_tokens(docs, vocab)
        remap = np.full(len(vocab) + 1, -1, dtype=np.int64)
        for token, new_id in self.token_ids_.items():
            remap[vocab[token]] = new_id
        ids = [remap[doc] for doc in docs]
        keys, df = self._count_keys(ids)
        keep = self._select(keys, df, n_docs)
        self.keys_ = keys[keep]
        df = df[keep]
        self.idf_ = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
        self.n_features_out_ = len(self.keys_)
        log.debug("vectorizer: %d docs, %d syllables, %d features",
                  n_docs, len(self.token_ids_), self.n_features_out_)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        check_is_fitted(self, "keys_")
        pattern = self._pattern()
        ids = [token_ids(text, self.token_ids_, pattern) for text in X]
        return self._weigh(self._count_matrix(ids))

    def _pattern(self) -> re.Pattern[str]:
        # models pickled before the parameter existed (a section model kept inside the topic
        # model) have no attribute: they counted syllables only
        return _PUNCTUATION_RE if getattr(self, "punctuation", False) else _TOKEN_RE

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "keys_")
        tokens = np.empty(len(self.token_ids_), dtype=object)
        for token, index in self.token_ids_.items():
            tokens[index] = token
        return np.array([" ".join(tokens[i] for i in self._decode(key)) for key in self.keys_],
                        dtype=object)

    def _validate(self) -> None:
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"ngram_range must be (low, high) with 1 <= low <= high: {low, high}")

    def _prune_tokens(self, docs: list[np.ndarray], vocab: dict[str, int]) -> dict[str, int]:
        df = np.zeros(len(vocab), dtype=np.int64)
        for doc in docs:
            df[np.unique(doc)] += 1
        names = sorted(vocab, key=vocab.__getitem__)
        kept = [name for name, count in zip(names, df, strict=True) if count >= self.min_df]
        base = len(kept) + 1
        if base ** self.ngram_range[1] >= _KEY_LIMIT:
            raise ValueError(f"{len(kept)} syllables are too many for {self.ngram_range[1]}-grams")
        return {name: index for index, name in enumerate(sorted(kept))}

    def _count_keys(self, ids: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every n-gram key of the corpus with its document frequency."""
        chunks = []
        for doc in ids:
            chunks.append(np.unique(self._keys(doc, np.zeros(len(doc), np.int64))[0]))
        keys, df = np.unique(np.concatenate(chunks) if chunks else np.empty(0, np.int64),
                             return_counts=True)
        return keys, df

    def _select(self, keys: np.ndarray, df: np.ndarray, n_docs: int) -> np.ndarray:
        keep = (df >= self.min_df) & (df <= self.max_df * n_docs)
        if self.max_features is not None and keep.sum() > self.max_features:
            order = np.lexsort((keys, -df))  # most frequent first, ties by key
            order = order[keep[order]][: self.max_features]
            keep = np.zeros_like(keep)
            keep[order] = True
        return keep

    def _base(self) -> int:
        return len(self.token_ids_) + 1

    def _keys(self, ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The n-gram keys of a run of ids with the row of each (n-grams holding an unknown
        id, -1, are left out)."""
        base = self._base()
        keys, key_rows = [], []
        low, high = self.ngram_range
        shifted = ids + 1  # 0 marks an unknown syllable
        for n in range(low, high + 1):
            size = len(ids) - n + 1
            if size <= 0:
                break
            key = np.zeros(size, dtype=np.int64)
            valid = np.ones(size, dtype=bool)
            for offset in range(n):
                part = shifted[offset: offset + size]
                key = key * base + part
                valid &= part > 0
            keys.append(key[valid])
            key_rows.append(rows[:size][valid])
        if not keys:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(keys), np.concatenate(key_rows)

    def _decode(self, key: int) -> list[int]:
        base, parts = self._base(), []
        while key:
            key, part = divmod(int(key), base)
            parts.append(part - 1)
        return parts[::-1]

    def _count_matrix(self, ids: Sequence[np.ndarray]) -> sp.csr_matrix:
        """Raw n-gram counts, in batches small enough that (key, row) fits one int64."""
        batch = max(1, _KEY_LIMIT // self._base() ** self.ngram_range[1])
        parts = [self._count_batch(ids[i: i + batch]) for i in range(0, len(ids), batch)]
        if len(parts) == 1:
            return parts[0]
        return sp.vstack(parts, format="csr") if parts else self._count_batch([])

    def _count_batch(self, ids: Sequence[np.ndarray]) -> sp.csr_matrix:
        """All documents' keys are made, counted and looked up in one numpy pass."""
        lengths = np.fromiter((len(doc) + 1 for doc in ids), dtype=np.int64, count=len(ids))
        # -1 after each document stops n-grams from running across documents
        flat = np.concatenate([np.append(doc, -1) for doc in ids]) if ids else np.empty(0, int)
        keys, rows = self._keys(flat, np.repeat(np.arange(len(ids)), lengths))
        # one sort counts each (key, row) pair and leaves keys sorted for a fast search
        codes, counts = np.unique(keys * max(len(ids), 1) + rows, return_counts=True)
        keys, rows = np.divmod(codes, max(len(ids), 1))
        cols = np.searchsorted(self.keys_, keys)
        cols[cols == len(self.keys_)] = 0
        found = self.keys_[cols] == keys if len(self.keys_) else np.zeros(len(keys), bool)
        return sp.csr_matrix((counts[found].astype(np.float32), (rows[found], cols[found])),
                             shape=(len(ids), self.n_features_out_), dtype=np.float32)

    def _weigh(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        if self.sublinear_tf:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        if self.use_idf:
            matrix.data *= self.idf_[matrix.indices]
        if self.norm == "l2":
            norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
            norms[norms == 0] = 1
            matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        elif self.norm is not None:
            raise ValueError(f"norm must be 'l2' or None, not {self.norm!r}")
        return matrix


def token_ids(text: str, ids: dict[str, int], pattern: re.Pattern[str] = _TOKEN_RE
              ) -> np.ndarray:
    """Ids of the syllables of one raw text; unknown syllables are -1."""
    tokens = pattern.findall(prepare_text(text))
    out = np.fromiter(map(ids.get, tokens, repeat(-1, len(tokens))), np.int64, len(tokens))
    missing = np.flatnonzero(out < 0)
    if len(missing):  # few: unknown syllables, or ones with the other tone-mark placement
        out[missing] = [ids.get(canonical_token(tokens[i]), -1) for i in missing.tolist()]
    return out


def _raw_ids(text: str, vocab: dict[str, int], pattern: re.Pattern[str] = _TOKEN_RE
             ) -> np.ndarray:
    """Provisional ids while fitting: every new canonical syllable gets the next id."""
    setdefault = vocab.setdefault
    tokens = pattern.findall(prepare_text(text))
    return np.fromiter((setdefault(canonical_token(t), len(vocab)) for t in tokens),
                       dtype=np.int64, count=len(tokens))
