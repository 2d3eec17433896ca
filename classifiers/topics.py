"""The office's topics (multi-label): weak labels from seed terms, then analysts' labels."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from classifiers.errors import DataError
from classifiers.linear import TextClassifier
from classifiers.neighbours import LabelNeighbours, title_of
from classifiers.semantic import SemanticSpace
from classifiers.terms import TermMatcher
from classifiers.vectorize import SyllableVectorizer

__all__ = ["NO_TOPIC", "Topic", "TopicModel", "parse_topics", "seed_counts", "weak_labels"]

log = logging.getLogger(__name__)

NO_TOPIC = "khac"  # analysts' label for "none of the office's topics" (an empty label set)
_CLIP = 1e-4


@dataclass(frozen=True)
class Topic:
    """One topic of the office's taxonomy."""

    id: str
    name: str
    seeds: tuple[str, ...]
    description: str = ""


def parse_topics(data: Mapping[str, Any]) -> list[Topic]:
    """Topics from the mapping of ``monitor/data/topics.yaml`` (``{"topics": [...]}``)."""
    items = data.get("topics") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not items:
        raise DataError("a topic taxonomy needs a non-empty 'topics' list")
    out = []
    for number, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise DataError(f"topics[{number}]: expected a mapping with an 'id'")
        seeds = item.get("seeds") or []
        if not isinstance(seeds, list) or not all(isinstance(s, str) for s in seeds):
            raise DataError(f"topics[{number}].seeds: expected a list of strings")
        out.append(Topic(item["id"], str(item.get("name", item["id"])), tuple(seeds),
                         str(item.get("description", ""))))
    return out


def seed_counts(topics: Sequence[tuple[str, Sequence[str]]], texts: Sequence[str]) -> np.ndarray:
    """Seed-term matches of each topic in each text (rows: texts, columns: topics)."""
    return TermMatcher({tid: seeds for tid, seeds in topics}).counts(texts)


def weak_labels(counts: np.ndarray, ids: Sequence[str], *, min_count: int = 1,
                ratio: float = 0.5, top: int = 2) -> list[list[str]]:
    """Weak topic labels from seed counts: the ``top`` best-matched topics that have at least
    ``min_count`` matches and at least ``ratio`` times the best topic's count."""
    out = []
    for row in np.asarray(counts):
        order = np.argsort(-row, kind="stable")[:top]
        best = row[order[0]] if len(order) else 0
        out.append([ids[j] for j in order if row[j] >= min_count and row[j] >= ratio * best])
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _CLIP, 1 - _CLIP)
    return np.log(p / (1 - p))


class TopicModel(ClassifierMixin, BaseEstimator):
    """Multi-label topics: a weak model bootstrapped from seed terms, refined by labels.

    ``fit(texts, y)``: each target is a list of topic ids (``[]`` or ``["khac"]``: none of the
    topics) or ``None`` for an unlabelled text. The *base* (a ``TextClassifier``) learns the
    seed terms' weak labels of the unlabelled texts and a ``SemanticSpace`` is fitted on them;
    with no labelled text that is the model (the zero point). Labelled texts then train one
    logistic regression per topic over the semantic vector, the base's logits and the seed
    counts, the semantic vector of the title, the topic distribution of the ``n_neighbors``
    most similar labelled texts (by TF-IDF and by semantic vector; each labelled text's own
    label left out while training) and, when ``fit`` is given a fitted ``sections`` model,
    its section logits (the *stacker*). With no unlabelled text, the base learns the labels
    themselves.

    ``with_labels(texts, y)`` refits only the stacker on new labels (analysts' corrections)
    and keeps the base and the space. ``predict_labels`` keeps the most probable topic when its
    probability is at least ``floor`` and the others at or above ``threshold``, at most
    ``max_topics``. With few labels the stacker is not trusted alone: its probabilities are
    averaged with the base's, weighted n / (n + ``prior``) for n labelled texts.

    Learned: ``classes_`` (topic ids), ``base_``, ``space_``, ``sections_`` (or None),
    ``neighbours_`` (``LabelNeighbours`` over the stacker's labelled texts, or None) and
    ``neighbour_vectorizer_`` (TF-IDF fitted on those texts),
    ``stack_coef_``, ``stack_intercept_``, ``stack_weight_``, ``stacked_`` (topics the stacker
    learned), ``multilabel_`` (True). ``min_df`` and ``calibration_cv`` are the base's.
    """

    def __init__(self, topics: Sequence[Sequence[Any]] = (), C: float = 1.0,
                 threshold: float = 0.45, floor: float = 0.3, max_topics: int = 3,
                 weak_min: int = 1, weak_ratio: float = 0.5, base_features: int = 20_000,
                 base_C: float = 1.0, n_components: int = 128, prior: float = 50.0,
                 min_df: int = 2, calibration_cv: int = 3, n_neighbors: int = 10) -> None:
        self.topics = topics
        self.C = C
        self.threshold = threshold
        self.floor = floor
        self.max_topics = max_topics
        self.weak_min = weak_min
        self.weak_ratio = weak_ratio
        self.base_features = base_features
        self.base_C = base_C
        self.n_components = n_components
        self.prior = prior
        self.min_df = min_df
        self.calibration_cv = calibration_cv
        self.n_neighbors = n_neighbors

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[Sequence[str] | None], *,
            sections: Any = None) -> TopicModel:
        """``sections``: an optional fitted single-label text classifier (the section model)
        whose probabilities join the stacker's features; it is kept in the model."""
        texts = list(X)
        self.sections_ = sections
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} targets")
        labelled = [i for i, t in enumerate(y) if t is not None]
        unlabelled = [i for i, t in enumerate(y) if t is None]
        targets = [_clean(y[i]) for i in labelled]
        self.multilabel_ = True
        self.classes_ = self._classes(targets)
        if unlabelled:
            self._fit_base([texts[i] for i in unlabelled], None)
        else:
            self._fit_base([texts[i] for i in labelled], targets)
            labelled, targets = [], []
        return self._fit_stacker([texts[i] for i in labelled], targets)

    def with_labels(self, X: Sequence[str], y: Sequence[Sequence[str]]) -> TopicModel:
        """A copy whose stacker is trained on ``(X, y)``; base and space are shared."""
        check_is_fitted(self, "base_")
        out = copy.copy(self)
        targets = [_clean(t) for t in y]
        unknown = {x for t in targets for x in t} - set(self.classes_)
        if unknown:
            raise DataError(f"labels not in the model's topics: {', '.join(sorted(unknown))}")
        return out._fit_stacker(list(X), targets)

    def _classes(self, targets: list[list[str]]) -> np.ndarray:
        ids = [str(t[0]) for t in self.topics]
        found = sorted({x for t in targets for x in t} - set(ids))
        if not ids and not found:
            raise DataError("no topics: give the taxonomy (topics=...) or labelled texts")
        return np.array(ids + found, dtype=object)

    def _fit_base(self, texts: list[str], targets: list[list[str]] | None) -> None:
        self.space_ = SemanticSpace(n_components=self.n_components).fit(texts)
        if targets is None:
            targets = weak_labels(self._seeds(texts), list(self.classes_),
                                  min_count=self.weak_min, ratio=self.weak_ratio)
        targets = _trainable(targets)
        self.base_ = TextClassifier(min_df=self.min_df, C=self.base_C, class_weight="balanced",
                                    max_features=self.base_features,
                                    calibration_cv=self.calibration_cv).fit(texts, targets)
        log.info("topic base: %d texts, %d topics learnable", len(texts), len(self.base_.classes_))

    def _fit_stacker(self, texts: list[str], targets: list[list[str]]) -> TopicModel:
        k = len(self.classes_)
        self.stacked_ = np.zeros(k, dtype=bool)
        self.stack_coef_ = np.zeros((k, 0), dtype=np.float32)
        self.stack_intercept_ = np.zeros(k, dtype=np.float32)
        self.stack_weight_ = len(texts) / (len(texts) + self.prior) if texts else 0.0
        self.neighbours_ = None
        if not texts:
            return self
        index = {c: j for j, c in enumerate(self.classes_)}
        truth = np.zeros((len(texts), k), dtype=int)
        for row, labels in enumerate(targets):
            truth[row, [index[x] for x in labels]] = 1
        features = self._stack_features(texts, fit_truth=truth)
        self.stack_coef_ = np.zeros((k, features.shape[1]), dtype=np.float32)
        for j in range(k):
            if 0 < truth[:, j].sum() < len(texts):
                model = LogisticRegression(C=self.C, max_iter=5000).fit(features, truth[:, j])
                self.stack_coef_[j] = model.coef_[0]
                self.stack_intercept_[j] = model.intercept_[0]
                self.stacked_[j] = True
        log.info("topic stacker: %d labelled texts, %d of %d topics learned",
                 len(texts), int(self.stacked_.sum()), k)
        return self

    # -- predicting ------------------------------------------------------------------------

    def base_proba(self, X: Sequence[str]) -> np.ndarray:
        """The base (weak) model's probabilities in ``classes_`` order (the zero point)."""
        check_is_fitted(self, "base_")
        proba = self.base_.predict_proba(list(X))
        out = np.zeros((proba.shape[0], len(self.classes_)))
        where = {c: j for j, c in enumerate(self.classes_)}
        for col, label in enumerate(self.base_.classes_):
            out[:, where[str(label)]] = proba[:, col]
        return out

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Probability of each topic (independent columns, ``classes_`` order)."""
        texts = _texts(X)
        base = self.base_proba(texts)
        if not self.stacked_.any():
            return base
        margins = self._stack_features(texts, base) @ self.stack_coef_.T + self.stack_intercept_
        stacked = 1 / (1 + np.exp(-margins))
        weight = self.stack_weight_
        return np.where(self.stacked_, weight * stacked + (1 - weight) * base, base)

    def predict_labels(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        return [self.decide(row) for row in self.predict_proba(X)]

    def decide(self, row: np.ndarray) -> tuple[str, ...]:
        """The topics of one row of probabilities (see the class docstring)."""
        order = np.argsort(-row, kind="stable")[: self.max_topics]
        return tuple(str(self.classes_[j]) for rank, j in enumerate(order)
                     if row[j] >= self.threshold or (rank == 0 and row[j] >= self.floor))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """A 0/1 indicator matrix in ``classes_`` order."""
        out = np.zeros((len(_texts(X)), len(self.classes_)), dtype=int)
        where = {c: j for j, c in enumerate(self.classes_)}
        for row, labels in enumerate(self.predict_labels(X)):
            out[row, [where[x] for x in labels]] = 1
        return out

    def score(self, X: Sequence[str], y: Sequence[Sequence[str]], sample_weight: object = None
              ) -> float:
        """The share of texts whose topic set is exactly right."""
        predicted = self.predict_labels(X)
        return float(np.mean([set(p) == set(_clean(t)) for p, t in zip(predicted, y,
                                                                         strict=True)]))

    def compact(self) -> TopicModel:
        """Store the base's linear weights as float32 (see ``train.compact``)."""
        from classifiers.train import compact  # train imports this module's kinds

        compact(self.base_)
        return self

    def _seeds(self, texts: Sequence[str]) -> np.ndarray:
        pairs = [(str(t[0]), tuple(t[1])) for t in self.topics if len(t) > 1]
        counts = np.zeros((len(texts), len(self.classes_)), dtype=np.float32)
        if pairs:
            found = seed_counts(pairs, texts)
            where = {c: j for j, c in enumerate(self.classes_)}
            for col, (tid, _) in enumerate(pairs):
                counts[:, where[tid]] = found[:, col]
        return counts

    def _stack_features(self, texts: Sequence[str], base: np.ndarray | None = None, *,
                        fit_truth: np.ndarray | None = None) -> np.ndarray:
        """The stacker's features; with ``fit_truth`` (the labels of ``texts``) the
        neighbours are fitted on these texts and each text's own label is left out."""
        base = self.base_proba(texts) if base is None else base
        semantic = self.space_.transform(texts)
        parts = [2 * semantic, 0.3 * _logit(base), 0.3 * np.log1p(self._seeds(texts)),
                 self.space_.transform([title_of(t) for t in texts])]
        if self.sections_ is not None:
            parts.append(0.3 * _logit(self.sections_.predict_proba(list(texts))))
        if fit_truth is not None and self.n_neighbors > 0:
            # TF-IDF of the labelled texts' own n-grams
            self.neighbour_vectorizer_ = SyllableVectorizer(min_df=2).fit(texts)
            views = [self.neighbour_vectorizer_.transform(texts), semantic]
            self.neighbours_ = LabelNeighbours(self.n_neighbors)
            parts.append(self.neighbours_.fit_transform(views, fit_truth))
        elif fit_truth is None and self.neighbours_ is not None:
            views = [self.neighbour_vectorizer_.transform(texts), semantic]
            parts.append(self.neighbours_.transform(views))
        return np.hstack(parts)


def _clean(labels: Sequence[str] | None) -> list[str]:
    """A label list without the "none of the topics" label and duplicates."""
    return list(dict.fromkeys(str(x) for x in (labels or ()) if str(x) != NO_TOPIC))


def _trainable(targets: list[list[str]]) -> list[list[str]]:
    """Labels the base can learn: at least 2 texts with and 2 without each."""
    counts: dict[str, int] = {}
    for labels in targets:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    keep = {x for x, n in counts.items() if 2 <= n <= len(targets) - 2}
    if not keep:
        raise DataError("too few labelled texts: no topic has 2 texts with and 2 without it")
    return [[x for x in labels if x in keep] for labels in targets]


def _texts(X: Sequence[str]) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got one string")
    return list(X)
