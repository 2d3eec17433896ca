"""Tone toward the story's subject (positive, neutral, negative): a lexicon and a trained model."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from classifiers.errors import DataError
from classifiers.semantic import SemanticSpace
from classifiers.terms import TermMatcher, Tokens, tokenize

__all__ = ["TONES", "ToneLexicon", "ToneModel", "lexicon_tone", "read_lexicon", "read_terms"]

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
    """Tone from a semantic vector of the text plus the lexicon's cue counts (logistic
    regression, classes balanced).

    ``fit(texts, y)``: ``y`` holds a tone per text, or ``None`` for an unlabelled text, which
    only helps to fit the ``SemanticSpace`` (with no labelled text, only the space is fitted).
    ``with_labels`` refits the classifier alone, keeping the space.
    Learned: ``classes_``, ``space_``, ``model_``, ``multilabel_`` (False).
    """

    def __init__(self, positive: Sequence[str] = (), negative: Sequence[str] = (),
                 shifters: Sequence[str] = (), C: float = 1.0, n_components: int = 128) -> None:
        self.positive = positive
        self.negative = negative
        self.shifters = shifters
        self.C = C
        self.n_components = n_components

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
        self.model_ = LogisticRegression(C=self.C, max_iter=5000, class_weight="balanced")
        self.model_.fit(self._features(texts), np.asarray(targets, dtype=object))
        self.classes_ = self.model_.classes_
        log.info("tone model: %d labelled texts, classes %s", len(texts), list(self.classes_))
        return self

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        return np.hstack([2 * self.space_.transform(texts), self.lexicon.features(texts)])

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
