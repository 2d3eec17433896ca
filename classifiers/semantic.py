"""A small latent semantic space (TF-IDF + truncated SVD) that lets few labels generalise."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.utils.validation import check_is_fitted

from classifiers.vectorize import SyllableVectorizer

__all__ = ["SemanticSpace"]

log = logging.getLogger(__name__)


class SemanticSpace(TransformerMixin, BaseEstimator):
    """Texts -> unit vectors of ``n_components`` dimensions (latent semantic analysis).

    Fitted on many unlabelled texts (VNTC for the shipped models), it places texts about the
    same things near each other although they share few words, so a classifier trained on a
    few hundred labelled articles generalises. The projection is stored as float16
    (``max_features`` x ``n_components`` x 2 bytes) to keep shipped models small.

    Learned: ``vectorizer_`` (``SyllableVectorizer``) and ``components_`` (float16).
    """

    def __init__(self, n_components: int = 128, max_features: int = 20_000, min_df: int = 3,
                 ngram_range: tuple[int, int] = (1, 2), seed: int = 0) -> None:
        self.n_components = n_components
        self.max_features = max_features
        self.min_df = min_df
        self.ngram_range = ngram_range
        self.seed = seed

    def fit(self, X: Sequence[str], y: object = None) -> SemanticSpace:
        texts = list(X)
        self.vectorizer_ = SyllableVectorizer(ngram_range=tuple(self.ngram_range),
                                              min_df=self.min_df, max_features=self.max_features)
        features = self.vectorizer_.fit_transform(texts)
        dims = max(1, min(self.n_components, features.shape[1] - 1, len(texts) - 1))
        svd = TruncatedSVD(dims, random_state=self.seed, n_iter=5).fit(features)
        self.components_ = svd.components_.T.astype(np.float16)
        log.debug("semantic space: %d texts, %d features, %d dimensions",
                  len(texts), features.shape[1], dims)
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "components_")
        if isinstance(X, str):
            raise ValueError("expected a sequence of texts, got one string")
        projection = self.components_.astype(np.float32)
        dense = np.asarray(self.vectorizer_.transform(list(X)) @ projection)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        return dense / np.where(norms == 0, 1, norms)
