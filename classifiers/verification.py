"""Needs-verification models: headline model, text risk model, the flag combiner, budget threshold.

Pure (no monitor imports), scikit-learn conventions: nothing happens in ``__init__``, ``fit``
returns self, learned attributes end in ``_``.

* ``HeadlineModel``: character n-gram TF-IDF + logistic regression over headlines; the shipped
  instance is trained at load time on headlines written for the project (``monitor/data/lexicons/
  headlines.yaml``), so no model file is shipped.
* ``TextRiskModel``: syllable n-gram TF-IDF + logistic regression over format-neutral text
  (lower case, no punctuation: the misinformation sets differ in format between their classes).
  Only ``bench/flags.py`` trains it; no model trained on those sets is shipped.
* ``FlagCombiner``: logistic regression over the signal strengths and a few text features
  (``FEATURES``), with documented initial weights (``INITIAL_WEIGHTS``) until analysts' decisions
  retrain it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "FEATURES", "FORMAT_FEATURES", "INITIAL_INTERCEPT", "INITIAL_WEIGHTS", "SIGNAL_KINDS",
    "FlagCombiner", "HeadlineModel", "TextRiskModel", "data_hash", "fold_vi", "format_features",
    "neutralize", "threshold_for_budget",
]

SIGNAL_KINDS: tuple[str, ...] = (
    "rebuttal_match", "official_denial", "single_source", "unattributed", "sensational",
    "takedown",
)
TEXT_FEATURES: tuple[str, ...] = ("headline_model", "hearsay", "exclamation", "title_caps",
                                  "short_text")
FEATURES: tuple[str, ...] = SIGNAL_KINDS + TEXT_FEATURES

# Initial weights (log-odds per unit of each feature, every feature in [0, 1]). Chosen by hand so
# that one strong signal of a checked falsehood (a rebutted claim, an official denial, a takedown)
# raises a flag on its own, while the weak cues (a sensational headline, hearsay, one low-tier
# source) only do so together; analysts' decisions replace them (`diembao flags retrain`).
INITIAL_INTERCEPT = -3.0
INITIAL_WEIGHTS: dict[str, float] = {
    "rebuttal_match": 4.5, "official_denial": 4.0, "single_source": 1.0, "unattributed": 2.2,
    "sensational": 1.0, "takedown": 3.5, "headline_model": 0.8, "hearsay": 1.2,
    "exclamation": 0.3, "title_caps": 0.4, "short_text": 0.3,
}

FORMAT_FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "punct_ratio", "upper_ratio", "digit_ratio", "exclamations",
    "questions", "lines", "unaccented_words", "mean_word_len",
)

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def fold_vi(text: str) -> str:
    """Lower case without diacritics, đ -> d (a pure restatement of ``monitor.text.fold``)."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def neutralize(text: str) -> str:
    """Format-neutral text: NFC, lower case, punctuation removed, whitespace collapsed. Social
    posts and headlines then look alike to a text model (the misinformation sets confound them)."""
    text = unicodedata.normalize("NFC", text or "").lower()
    return " ".join(_PUNCT.sub(" ", text).split())


def format_features(text: str) -> np.ndarray:
    """Length and format only (no words): the baseline that shows a data set's format confound."""
    text = text or ""
    words = _WORD.findall(text)
    letters = [c for c in text if c.isalpha()]
    n_chars, n_words = max(len(text), 1), max(len(words), 1)
    unaccented = sum(1 for w in words if w.isascii() and w.isalpha())
    return np.array([
        math.log1p(len(text)), math.log1p(len(words)),
        len(_PUNCT.findall(text)) / n_chars,
        sum(c.isupper() for c in letters) / max(len(letters), 1),
        sum(c.isdigit() for c in text) / n_chars,
        min(text.count("!"), 10) / 10, min(text.count("?"), 10) / 10,
        min(text.count("\n"), 50) / 50, unaccented / n_words,
        sum(len(w) for w in words) / n_words / 10,
    ], dtype=float)


def data_hash(rows: Sequence[object]) -> str:
    """sha256 of the JSON of the training rows: saved with a model to say what it learned from."""
    blob = json.dumps(list(rows), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class HeadlineModel(ClassifierMixin, BaseEstimator):
    """Sensational/clickbait headline classifier: character 2-5-gram TF-IDF (within words, on
    lower-cased NFC text) and logistic regression. ``y``: 1 clickbait, 0 neutral.

    Learned: ``vectorizer_``, ``model_``, ``classes_``."""

    def __init__(self, C: float = 4.0, ngram_range: tuple[int, int] = (2, 5)) -> None:
        self.C = C
        self.ngram_range = ngram_range

    def fit(self, X: Sequence[str], y: Sequence[int]) -> HeadlineModel:
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range,
                                           preprocessor=_lower_nfc, sublinear_tf=True)
        features = self.vectorizer_.fit_transform(list(X))
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(features, list(y))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.vectorizer_.transform(list(X)))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class TextRiskModel(ClassifierMixin, BaseEstimator):
    """Misinformation text model for benchmarks: syllable 1-2-gram TF-IDF over ``neutralize``-d
    text (optionally cut to ``max_words``) and logistic regression. ``y``: 1 false, 0 true.

    Learned: ``vectorizer_``, ``model_``, ``classes_``."""

    def __init__(self, C: float = 10.0, min_df: int = 1, max_words: int | None = None) -> None:
        self.C = C
        self.min_df = min_df
        self.max_words = max_words

    def _prepare(self, text: str) -> str:
        words = neutralize(text).split()
        return " ".join(words[: self.max_words] if self.max_words else words)

    def fit(self, X: Sequence[str], y: Sequence[int]) -> TextRiskModel:
        self.vectorizer_ = TfidfVectorizer(preprocessor=self._prepare, ngram_range=(1, 2),
                                           min_df=self.min_df, sublinear_tf=True,
                                           token_pattern=r"(?u)\b\w+\b")
        features = self.vectorizer_.fit_transform(list(X))
        self.model_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model_.fit(features, list(y))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.vectorizer_.transform(list(X)))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def top_features(self, n: int = 15) -> dict[str, list[tuple[str, float]]]:
        """The n-grams with the largest weights towards false (1) and towards true (0)."""
        check_is_fitted(self, "model_")
        names = self.vectorizer_.get_feature_names_out()
        coef = self.model_.coef_[0]
        order = np.argsort(coef)
        return {"false": [(names[i], float(coef[i])) for i in order[::-1][:n]],
                "true": [(names[i], float(coef[i])) for i in order[:n]]}


class FlagCombiner(ClassifierMixin, BaseEstimator):
    """Logistic regression over ``FEATURES`` (signal strengths and text features, each 0..1).

    ``X`` is a sequence of mappings feature -> value (missing features count 0) or an array with
    the columns of ``FEATURES``. Unfitted, ``initial()`` gives the documented initial weights.
    Learned: ``coef_`` (one row), ``intercept_``, ``classes_``, ``n_features_in_``."""

    def __init__(self, C: float = 1.0, class_weight: str | None = "balanced") -> None:
        self.C = C
        self.class_weight = class_weight

    @classmethod
    def initial(cls) -> FlagCombiner:
        return cls.from_params({"intercept": INITIAL_INTERCEPT, "weights": INITIAL_WEIGHTS})

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> FlagCombiner:
        """A combiner from ``to_params()`` output (weights by feature name)."""
        model = cls()
        weights = dict(params["weights"])  # type: ignore[arg-type]
        model.coef_ = np.array([[float(weights.get(f, 0.0)) for f in FEATURES]])
        model.intercept_ = np.array([float(params["intercept"])])  # type: ignore[arg-type]
        model.classes_ = np.array([0, 1])
        model.n_features_in_ = len(FEATURES)
        return model

    def to_params(self) -> dict[str, object]:
        check_is_fitted(self, "coef_")
        return {"intercept": float(self.intercept_[0]),
                "weights": {f: round(float(w), 6)
                            for f, w in zip(FEATURES, self.coef_[0], strict=True)}}

    def fit(self, X, y: Sequence[int]) -> FlagCombiner:
        features = as_matrix(X)
        labels = np.asarray(list(y), dtype=int)
        if len(set(labels.tolist())) < 2:
            raise ValueError("the combiner needs both confirmed and dismissed examples")
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        model.fit(features, labels)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        self.classes_ = model.classes_
        self.n_features_in_ = features.shape[1]
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return as_matrix(X) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def contributions(self, row: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds for one row (what `flags explain` prints)."""
        check_is_fitted(self, "coef_")
        return {f: round(float(w) * float(row.get(f, 0.0)), 4)
                for f, w in zip(FEATURES, self.coef_[0], strict=False) if row.get(f)}


def as_matrix(X) -> np.ndarray:
    """Rows of feature mappings (or an array already in ``FEATURES`` order) -> float matrix."""
    if isinstance(X, np.ndarray):
        return X.astype(float)
    rows = list(X)
    return np.array([[float(r.get(f, 0.0)) for f in FEATURES] for r in rows], dtype=float) \
        if rows else np.zeros((0, len(FEATURES)))


def threshold_for_budget(scores: Sequence[float], *, per_day: float, days: float,
                         floor: float = 0.5, ceiling: float = 0.99) -> float:
    """The score above which about ``per_day`` items a day were raised over the last ``days``.

    ``scores`` are the recent scores (all assessed items of the period). The threshold is the
    score of the (per_day x days)-th highest item, never below ``floor`` (a quiet period raises
    fewer flags, not weaker ones) nor above ``ceiling``."""
    ranked = sorted((float(s) for s in scores), reverse=True)
    allowed = int(round(per_day * max(days, 1e-9)))
    if allowed <= 0:
        return ceiling
    if len(ranked) <= allowed:
        return floor
    # strictly above the first item that does not fit: ties at the cut are all left out
    cut = ranked[allowed]
    return min(max(floor, math.nextafter(cut, math.inf)), ceiling)


def _lower_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()
