"""TextClassifier: syllable n-gram TF-IDF, a linear SVM and calibrated probabilities."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classifiers.vectorize import SyllableVectorizer

__all__ = ["TextClassifier", "is_multilabel"]

log = logging.getLogger(__name__)


def is_multilabel(y: Sequence[object]) -> bool:
    """True when each target is a collection of labels (list, tuple or set), not one label."""
    return len(y) > 0 and all(isinstance(labels, list | tuple | set | frozenset) for labels in y)


class TextClassifier(ClassifierMixin, BaseEstimator):
    """Classify raw Vietnamese texts, single-label or multi-label.

    ``fit(texts, y)``: ``y`` holds one label per text (single-label), or one list of labels per
    text (multi-label; a text may have none). Text is normalised internally (NFC, lower case,
    one tone-mark placement): raw or ``monitor.text.normalize``-d text both work.

    Single-label: one multi-class ``LinearSVC`` (one-vs-rest), probabilities by temperature
    scaling of its decision values (``calibration="temperature"``) or per-class Platt scaling
    renormalised (``"sigmoid"``), fitted on ``calibration_cv``-fold out-of-fold decisions; rows
    sum to 1. Multi-label: one calibrated binary ``LinearSVC`` per label (Platt), independent
    probabilities; ``predict`` gives the labels at or above ``threshold``.

    Learned: ``vectorizer_`` (``SyllableVectorizer``), ``model_`` (the calibrated SVMs),
    ``classes_`` and ``multilabel_``. To add a kind (topics, tone), give ``train.KINDS`` its
    parameters, or subclass and override ``_svm`` for another linear model.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        C: float = 1.0,
        class_weight: str | None = None,
        calibration: str = "temperature",
        calibration_cv: int = 3,
        threshold: float = 0.5,
        punctuation: bool = False,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.threshold = threshold
        self.punctuation = punctuation

    def fit(self, X: Sequence[str], y: Sequence[object]) -> TextClassifier:
        texts = list(X)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} targets")
        self.multilabel_ = is_multilabel(y)
        self.vectorizer_ = SyllableVectorizer(
            ngram_range=tuple(self.ngram_range), min_df=self.min_df,
            max_features=self.max_features, sublinear_tf=self.sublinear_tf,
            punctuation=self.punctuation,
        )
        features = self.vectorizer_.fit_transform(texts)
        if self.multilabel_:
            self._fit_multilabel(features, y)
        else:
            self._fit_single(features, np.asarray(y, dtype=object).astype(str))
        log.debug("fitted %s on %d texts, %d features, %d classes",
                  type(self).__name__, len(texts), features.shape[1], len(self.classes_))
        return self

    def _fit_single(self, features: object, y: np.ndarray) -> None:
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("single-label training needs at least two classes")
        self.model_ = CalibratedClassifierCV(
            self._svm(), method=self.calibration, ensemble=False,
            cv=self._folds(int(counts.min())),
        ).fit(features, y)

    def _fit_multilabel(self, features: object, y: Sequence[Sequence[str]]) -> None:
        binarizer = MultiLabelBinarizer()
        indicator = binarizer.fit_transform([sorted(map(str, labels)) for labels in y])
        self.classes_ = binarizer.classes_.astype(object)
        positives = indicator.sum(axis=0)
        smallest = int(min(positives.min(), (len(indicator) - positives).min()))
        method = "sigmoid" if self.calibration == "temperature" else self.calibration
        calibrated = CalibratedClassifierCV(self._svm(), method=method, ensemble=False,
                                            cv=self._folds(smallest))
        self.model_ = OneVsRestClassifier(calibrated).fit(features, indicator)

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight=self.class_weight)

    def _folds(self, smallest: int) -> int:
        if smallest < 2:
            raise ValueError("every class (and every label's absence) needs at least 2 texts")
        return max(2, min(self.calibration_cv, smallest))

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Uncalibrated margins, one column per class."""
        features = self._features(X)
        if self.multilabel_:
            return np.column_stack([
                est.calibrated_classifiers_[0].estimator.decision_function(features)
                for est in self.model_.estimators_
            ])
        return self.model_.calibrated_classifiers_[0].estimator.decision_function(features)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one column per class in ``classes_`` order.

        Single-label rows sum to 1; multi-label columns are independent."""
        features = self._features(X)
        return self.model_.predict_proba(features)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Single-label: the most probable class of each text. Multi-label: a 0/1 indicator
        matrix in ``classes_`` order (scikit-learn's convention); see ``predict_labels``."""
        proba = self.predict_proba(X)
        if self.multilabel_:
            return (proba >= self.threshold).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_labels(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        """Labels of each text as a tuple (one label for single-label models)."""
        predicted = self.predict(X)
        if self.multilabel_:
            return [tuple(self.classes_[row.astype(bool)]) for row in predicted]
        return [(label,) for label in predicted]

    def score(self, X: Sequence[str], y: Sequence[object], sample_weight: object = None) -> float:
        """Accuracy (multi-label: the share of texts whose label set is exactly right)."""
        if not getattr(self, "multilabel_", False):
            return super().score(X, y, sample_weight)
        predicted = self.predict_labels(X)
        return float(np.mean([set(p) == set(t) for p, t in zip(predicted, y, strict=True)]))

    def _features(self, X: Sequence[str]) -> object:
        check_is_fitted(self, "model_")
        if isinstance(X, str):
            raise ValueError("expected a sequence of texts, got one string")
        return self.vectorizer_.transform(X)
