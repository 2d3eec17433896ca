"""Label distributions of the most similar labelled texts: features that let a stacker use
the labelled set itself (nearest neighbours), next to the linear models' views."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["LabelNeighbours", "title_of"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_TITLE_LIMIT = 300


def title_of(text: str) -> str:
    """The title of an article text: its first line when that line is short (the way the
    pipeline and the corpora store "title, newline, body"), else its first sentence, at most
    300 characters."""
    first = text.split("\n", 1)[0].strip()
    if len(first) < _TITLE_LIMIT:
        return first
    return _SENTENCE_END.split(first, maxsplit=1)[0][:_TITLE_LIMIT]


class LabelNeighbours:
    """For each text, the similarity-weighted label distribution of its ``k`` most similar
    labelled texts, in each *view* (e.g. a TF-IDF matrix and a dense semantic matrix, rows of
    unit length so that the dot product is the cosine).

    ``fit(views, targets)`` keeps the labelled rows (``targets``: 0/1 or one-hot matrix);
    ``transform(views)`` gives ``len(views) * targets.shape[1]`` columns; with
    ``leave_one_out=True`` (the labelled rows themselves, in ``fit`` order) a row never counts
    itself, so a stacker trained on these features sees what it will see on new texts.
    Weights are ``max(cosine, 0) ** power``; rows without any similar text get zeros.
    """

    def __init__(self, k: int = 10, power: float = 3.0, batch: int = 512) -> None:
        self.k = k
        self.power = power
        self.batch = batch

    def fit(self, views: Sequence[object], targets: np.ndarray) -> LabelNeighbours:
        if not views:
            raise ValueError("LabelNeighbours needs at least one view")
        self.views_ = [_compact(view) for view in views]
        self.targets_ = np.asarray(targets, dtype=np.float32)
        if any(view.shape[0] != len(self.targets_) for view in self.views_):
            raise ValueError("every view needs one row per target")
        return self

    def fit_transform(self, views: Sequence[object], targets: np.ndarray) -> np.ndarray:
        """Fit on the labelled rows and give their features, each row leaving itself out
        (what a stacker trains on)."""
        return self.fit(views, targets).transform(views, leave_one_out=True)

    @property
    def n_features_out(self) -> int:
        return len(self.views_) * self.targets_.shape[1]

    def transform(self, views: Sequence[object], *, leave_one_out: bool = False) -> np.ndarray:
        if len(views) != len(self.views_):
            raise ValueError(f"expected {len(self.views_)} views, got {len(views)}")
        n = views[0].shape[0]
        if leave_one_out and n != len(self.targets_):
            raise ValueError("leave_one_out needs the fitted rows themselves")
        parts = [self._view(query, stored, leave_one_out)
                 for query, stored in zip(views, self.views_, strict=True)]
        return np.hstack(parts) if parts else np.zeros((n, 0), np.float32)

    def _view(self, query: object, stored: object, leave_one_out: bool) -> np.ndarray:
        n, m = query.shape[0], self.targets_.shape[1]
        out = np.zeros((n, m), dtype=np.float32)
        k = min(self.k, stored.shape[0] - int(leave_one_out))
        if k <= 0:
            return out
        if not sp.issparse(stored):
            stored = stored.astype(np.float32)
        for start in range(0, n, self.batch):
            stop = min(n, start + self.batch)
            sims = query[start:stop] @ stored.T
            sims = np.asarray(sims.toarray() if sp.issparse(sims) else sims, dtype=np.float32)
            if leave_one_out:
                sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            weights = np.maximum(np.take_along_axis(sims, top, axis=1), 0) ** self.power
            total = weights.sum(axis=1, keepdims=True)
            labels = self.targets_[top]  # rows x k x m
            out[start:stop] = np.einsum("rk,rkm->rm", weights, labels) / np.where(
                total == 0, 1, total)
        return out


def _compact(view: object) -> object:
    """Sparse views as float32 CSR, dense ones as float16 (what is kept in a model file)."""
    if sp.issparse(view):
        return sp.csr_matrix(view, dtype=np.float32)
    return np.asarray(view, dtype=np.float16)
