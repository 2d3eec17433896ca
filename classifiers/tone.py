"""Tone toward the story's subject (positive, neutral, negative): a lexicon and a trained model."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classifiers.errors import DataError
from classifiers.neighbours import LabelNeighbours, title_of
from classifiers.semantic import SemanticSpace
from classifiers.terms import TermMatcher, Tokens, tokenize
from classifiers.vectorize import SyllableVectorizer

__all__ = ["TONES", "SparseVotes", "ToneLexicon", "ToneModel", "lexicon_tone", "read_lexicon",
           "read_terms"]

log = logging.getLogger(__name__)

TONES = ("negative", "neutral", "positive")
LEXICON_MARGIN = 0.6  # log-count difference the lexicon rule needs to leave "neutral"


def read_terms(path: Path | str) -> tuple[str, ...]:
    """Terms of a lexicon file: one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read lexicon {path}: {exc}") from exc
    return tuple(t for t in (line.strip() for line in lines) if t and not t.startswith("#"))


@dataclass(frozen=True)
class ToneLexicon:
    """Positive and negative cues, and *shifters*: phrases in which a negative-looking cue is
    not negative ("bác bỏ tin đồn", a denial; "cảnh báo lừa đảo", a warning)."""

    positive: tuple[str, ...]
    negative: tuple[str, ...]
    shifters: tuple[str, ...] = ()
    _matchers: dict = field(default_factory=dict, compare=False, repr=False)

    def cues(self, tokens: Tokens) -> tuple[int, int]:
        """(positive, negative) cue counts; a negative cue overlapping a shifter phrase is not
        counted."""
        cues, shifters = self._matcher()
        covered: set[int] = set()
        for start, length, _ in shifters.find(tokens):
            covered.update(range(start, start + length))
        counts = [0, 0]
        for start, length, gram in cues.find(tokens):
            shifted = not covered.isdisjoint(range(start, start + length))
            for group in cues.groups_of(gram, tokens.accented):
                counts[group] += not (group == 1 and shifted)  # shifters cancel negatives only
        return counts[0], counts[1]

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """log(1 + count) of positive and negative cues in the text and in its first line."""
        rows = []
        for text in texts:
            whole = self.cues(tokenize(text))
            title = self.cues(tokenize(text.split("\n", 1)[0]))
            rows.append(np.log1p(np.array(whole + title, dtype=np.float64)))
        return np.vstack(rows) if rows else np.zeros((0, 4))

    def _matcher(self) -> tuple[TermMatcher, TermMatcher]:
        if "cues" not in self._matchers:
            self._matchers["cues"] = TermMatcher({"positive": self.positive,
                                                  "negative": self.negative})
            self._matchers["shifters"] = TermMatcher({"shifters": self.shifters})
        return self._matchers["cues"], self._matchers["shifters"]


def read_lexicon(directory: Path | str, prefix: str = "tone_") -> ToneLexicon:
    """``<prefix>positive.txt``, ``<prefix>negative.txt`` and ``<prefix>shifters.txt``."""
    directory = Path(directory)
    shifters = directory / f"{prefix}shifters.txt"
    return ToneLexicon(read_terms(directory / f"{prefix}positive.txt"),
                       read_terms(directory / f"{prefix}negative.txt"),
                       read_terms(shifters) if shifters.is_file() else ())


def lexicon_tone(lexicon: ToneLexicon, texts: Sequence[str], *,
                 margin: float = LEXICON_MARGIN) -> list[str]:
    """The lexicon alone: negative when negative cues (text plus first line) outweigh positive
    ones by ``margin`` in log counts, positive the other way round, else neutral."""
    features = lexicon.features(texts)
    balance = (features[:, 1] - features[:, 0]) + (features[:, 3] - features[:, 2])
    return ["negative" if b > margin else "positive" if b < -margin else "neutral"
            for b in balance]


class ToneModel(ClassifierMixin, BaseEstimator):
    """Tone from four views of a text, combined by a logistic regression (classes balanced):

    - its semantic vector (``SemanticSpace``, fitted on unlabelled texts) and the lexicon's cue
      counts (text and title);
    - the tones of its ``n_neighbors`` most similar labelled texts, by TF-IDF and by semantic
      vector (a labelled text's own tone is left out while training);
    - the votes of two sparse linear models over the labelled texts' n-grams (text, and title
      at half weight): a linear SVM and an NB-SVM (binary n-grams scaled by each tone's
      log-count ratio). While training, a labelled text gets the votes of models trained on
      the other ``stack_folds`` - 1 folds only, so the combiner learns how far to trust them on
      new texts.

    ``fit(texts, y)``: ``y`` holds a tone per text, or ``None`` for an unlabelled text, which
    only helps to fit the ``SemanticSpace`` (with no labelled text, only the space is fitted).
    ``with_labels`` refits everything but the space.
    Learned: ``classes_``, ``space_``, ``model_`` (the combiner), ``neighbours_``
    (``LabelNeighbours`` or None), ``ngram_vectorizer_`` and ``title_vectorizer_`` (TF-IDF of
    the labelled texts and of their titles, for the votes),
    ``votes_`` (``SparseVotes`` or None), ``multilabel_`` (False).
    """

    def __init__(self, positive: Sequence[str] = (), negative: Sequence[str] = (),
                 shifters: Sequence[str] = (), C: float = 0.1, n_components: int = 128,
                 n_neighbors: int = 10, stack_folds: int = 5) -> None:
        self.positive = positive
        self.negative = negative
        self.shifters = shifters
        self.C = C
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.stack_folds = stack_folds

    @property
    def lexicon(self) -> ToneLexicon:
        cached = self.__dict__.get("_lexicon")
        if cached is None:
            cached = ToneLexicon(tuple(self.positive), tuple(self.negative), tuple(self.shifters))
            self.__dict__["_lexicon"] = cached
        return cached

    def fit(self, X: Sequence[str], y: Sequence[str | None]) -> ToneModel:
        texts = list(X)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} targets")
        self.multilabel_ = False
        self.space_ = SemanticSpace(n_components=self.n_components).fit(texts)
        labelled = [i for i, t in enumerate(y) if t is not None]
        if not labelled:  # the space alone; with_labels() makes a usable model from it
            return self
        return self._fit_classifier([texts[i] for i in labelled], [str(y[i]) for i in labelled])

    def with_labels(self, X: Sequence[str], y: Sequence[str]) -> ToneModel:
        """A copy trained on ``(X, y)`` that keeps this model's semantic space."""
        check_is_fitted(self, "space_")
        return copy.copy(self)._fit_classifier(list(X), [str(t) for t in y])

    def _fit_classifier(self, texts: list[str], targets: list[str]) -> ToneModel:
        if len(set(targets)) < 2:
            raise DataError("tone training needs labelled texts of at least two tones")
        targets_ = np.asarray(targets, dtype=object)
        classes = np.unique(targets_)
        self.ngram_vectorizer_ = SyllableVectorizer(min_df=2).fit(texts)
        self.title_vectorizer_ = SyllableVectorizer(min_df=2).fit([title_of(t) for t in texts])
        ngrams = self._ngrams(texts)
        self.votes_ = self.neighbours_ = None
        votes = None
        folds = min(self.stack_folds, int(np.unique(targets_, return_counts=True)[1].min()))
        if folds >= 2:
            votes = np.zeros((len(texts), 2 * len(classes)))
            splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
            for train, test in splitter.split(texts, targets_):
                inner = SparseVotes(classes).fit(ngrams[train], targets_[train])
                votes[test] = inner.decision_function(ngrams[test])
            self.votes_ = SparseVotes(classes).fit(ngrams, targets_)
        features = self._features(texts, fit_truth=targets_[:, None] == classes[None, :],
                                  votes=votes)
        self.model_ = LogisticRegression(C=self.C, max_iter=5000, class_weight="balanced")
        self.model_.fit(features, targets_)
        self.classes_ = self.model_.classes_
        log.info("tone model: %d labelled texts, classes %s", len(texts), list(self.classes_))
        return self

    def _ngrams(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF n-grams of the text and, at half weight, of its title."""
        return sp.hstack([self.ngram_vectorizer_.transform(texts),
                          0.5 * self.title_vectorizer_.transform([title_of(t) for t in texts])],
                         format="csr")

    def _features(self, texts: Sequence[str], *, fit_truth: np.ndarray | None = None,
                  votes: np.ndarray | None = None) -> np.ndarray:
        """Semantic vector, cue counts, neighbours' tones and the sparse models' votes; with
        ``fit_truth`` (one-hot tones of ``texts``) the neighbours are fitted on these texts,
        each leaving itself out, and ``votes`` are the out-of-fold votes."""
        semantic = self.space_.transform(texts)
        parts = [2 * semantic, self.lexicon.features(texts)]
        if self.n_neighbors > 0:
            views = [self.space_.vectorizer_.transform(texts), semantic]
            if fit_truth is not None:
                self.neighbours_ = LabelNeighbours(self.n_neighbors)
                parts.append(self.neighbours_.fit_transform(views, fit_truth))
            else:
                parts.append(self.neighbours_.transform(views))
        if votes is None and fit_truth is None and self.votes_ is not None:
            votes = self.votes_.decision_function(self._ngrams(texts))
        if votes is not None:
            parts.append(votes)
        return np.hstack(parts)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "model_")
        if isinstance(X, str):
            raise ValueError("expected a sequence of texts, got one string")
        return self.model_.predict_proba(self._features(list(X)))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_labels(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        return [(str(label),) for label in self.predict(X)]

    def compact(self) -> ToneModel:
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_lexicon", None)  # rebuilt from the parameters on first use
        return state


class SparseVotes:
    """Votes of two linear models over sparse n-gram features, one column per class: a linear
    SVM (C=1, classes balanced) and one-vs-rest NB-SVMs (binary features scaled by the class's
    log-count ratio, C=0.1; Wang and Manning 2012)."""

    def __init__(self, classes: np.ndarray) -> None:
        self.classes = np.asarray(classes, dtype=object)

    def fit(self, features: sp.csr_matrix, targets: np.ndarray) -> SparseVotes:
        targets = np.asarray(targets, dtype=object)
        self.svm_ = LinearSVC(C=1.0, class_weight="balanced").fit(features, targets)
        binary = _binary(features)
        self.ratios_, self.nb_ = [], []
        for label in self.classes:
            positive = targets == label
            if positive.all() or not positive.any():
                self.ratios_.append(None)
                self.nb_.append(None)
                continue
            p = 1 + np.asarray(binary[positive].sum(axis=0)).ravel()
            q = 1 + np.asarray(binary[~positive].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            self.ratios_.append(ratio)
            self.nb_.append(LinearSVC(C=0.1, class_weight="balanced").fit(
                binary.multiply(ratio).tocsr(), positive))
        return self

    def decision_function(self, features: sp.csr_matrix) -> np.ndarray:
        n = features.shape[0]
        svm = self.svm_.decision_function(features)
        columns = np.zeros((n, len(self.classes)))
        where = {c: j for j, c in enumerate(self.classes)}
        if svm.ndim == 1:  # two classes seen: one margin for the second
            columns[:, where[self.svm_.classes_[1]]] = svm
            columns[:, where[self.svm_.classes_[0]]] = -svm
        else:
            for col, label in enumerate(self.svm_.classes_):
                columns[:, where[label]] = svm[:, col]
        binary = _binary(features)
        nb = np.zeros((n, len(self.classes)))
        for j, (ratio, model) in enumerate(zip(self.ratios_, self.nb_, strict=True)):
            if model is not None:
                nb[:, j] = model.decision_function(binary.multiply(ratio).tocsr())
        return np.hstack([columns, nb])


def _binary(features: sp.csr_matrix) -> sp.csr_matrix:
    out = sp.csr_matrix(features, copy=True)
    out.data[:] = 1
    return out
