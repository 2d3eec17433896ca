"""Training: read labelled JSON lines, cross-validate, fit, save a model directory with its card."""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from classifiers.errors import DataError
from classifiers.evaluate import evaluate_labels
from classifiers.linear import TextClassifier, is_multilabel
from classifiers.store import ModelCard, file_sha256, save_model
from classifiers.tone import ToneModel
from classifiers.topics import TopicModel

__all__ = [
    "KINDS", "Dataset", "calibration_error", "card_params", "compact", "cross_validate",
    "default_estimator", "iter_records", "read_examples", "text_of", "train_model",
]

log = logging.getLogger(__name__)

# Default parameters per kind; chosen for sections by 5-fold CV on VNTC (bench/classify.py),
# for topics and tone by cross-validation on the labelled set (bench/topics.py, bench/tone.py).
# "estimator" names the class (TextClassifier when absent).
KINDS: dict[str, dict[str, Any]] = {
    "sections": {"ngram_range": (1, 2), "min_df": 2, "C": 2.0, "punctuation": True},
    "topics": {"estimator": TopicModel, "C": 1.0},
    "tone": {"estimator": ToneModel, "C": 0.1},
}
TEXT_FIELDS = ("title", "sapo", "body")


@dataclass(frozen=True)
class Dataset:
    """Texts and their targets: one label each, or a list of labels each (multi-label)."""

    texts: list[str]
    targets: list[Any]
    sha256: str

    @property
    def multilabel(self) -> bool:
        return is_multilabel(self.targets)


def iter_records(path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON-lines file, gzip or not."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield number, _parse(path, number, line)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise DataError(f"{path}:{number}: not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise DataError(f"{path}:{number}: expected a JSON object, found {type(record).__name__}")
    return record


def text_of(record: dict[str, Any]) -> str:
    """``text``, or else ``title``, ``sapo`` and ``body`` joined (an Article as JSON)."""
    text = record.get("text")
    if isinstance(text, str):
        return text
    return "\n".join(str(record[f]) for f in TEXT_FIELDS if isinstance(record.get(f), str))


def read_examples(path: Path | str) -> Dataset:
    """Labelled texts from JSON lines with ``text`` and ``label`` (or ``labels``, a list)."""
    texts, targets = [], []
    for number, record in iter_records(path):
        text = text_of(record)
        if "labels" in record and isinstance(record["labels"], list):
            target: Any = [str(label) for label in record["labels"]]
        elif isinstance(record.get("label"), str | int):
            target = str(record["label"])
        else:
            raise DataError(f"{path}:{number}: needs 'label' (a string) or 'labels' (a list)")
        if not text:
            raise DataError(f"{path}:{number}: no text")
        texts.append(text)
        targets.append(target)
    if not texts:
        raise DataError(f"{path}: no examples")
    if len({isinstance(t, list) for t in targets}) > 1:
        raise DataError(f"{path}: mixes 'label' and 'labels' lines")
    return Dataset(texts, targets, file_sha256(Path(path)))


def default_estimator(kind: str, **params: Any) -> Any:
    """The estimator for a kind (sections, topics, tone) with its defaults, overridden by params."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    chosen = {**KINDS[kind], **params}
    return chosen.pop("estimator", TextClassifier)(**chosen)


def cross_validate(estimator: TextClassifier, data: Dataset, *, folds: int = 5,
                   n_jobs: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Out-of-fold scores of ``estimator`` on ``data``, with a calibration check (ECE)."""
    splitter = (KFold if data.multilabel else StratifiedKFold)(folds, shuffle=True,
                                                               random_state=seed)
    classes = np.array(sorted({x for t in data.targets for x in (t if data.multilabel else [t])}))
    started = time.perf_counter()
    splits = list(splitter.split(data.texts, np.zeros(len(data.targets)) if data.multilabel
                                 else np.asarray(data.targets)))
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_fold_proba)(clone(estimator), data, train, test, classes)
        for train, test in splits)
    proba = np.zeros((len(data.texts), len(classes)))
    for (_, test), part in zip(splits, parts, strict=True):
        proba[test] = part
    if data.multilabel:
        predicted: list[Any] = [list(classes[row >= estimator.threshold]) for row in proba]
    else:
        predicted = list(classes[np.argmax(proba, axis=1)])
    scores = evaluate_labels(data.targets, predicted, list(classes))
    return {
        "folds": folds, "seed": seed, "accuracy": scores.accuracy, "macro_f1": scores.macro_f1,
        "micro_f1": scores.micro_f1,
        "per_class": {s.label: {"precision": s.precision, "recall": s.recall, "f1": s.f1,
                                "support": s.support} for s in scores.per_class},
        "expected_calibration_error": calibration_error(proba, data.targets, classes),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _fold_proba(estimator: TextClassifier, data: Dataset, train: np.ndarray, test: np.ndarray,
                classes: np.ndarray) -> np.ndarray:
    """Probabilities of the test texts in ``classes`` order (a class unseen in training: 0)."""
    estimator.fit([data.texts[i] for i in train], [data.targets[i] for i in train])
    proba = estimator.predict_proba([data.texts[i] for i in test])
    out = np.zeros((len(test), len(classes)))
    out[:, np.searchsorted(classes, estimator.classes_.astype(str))] = proba
    return out


def calibration_error(proba: np.ndarray, targets: list[Any], classes: np.ndarray,
                      bins: int = 10) -> float:
    """Expected calibration error of the top probability (single-label) or of every
    (text, label) probability (multi-label)."""
    if is_multilabel(targets):
        sets = [set(t) for t in targets]
        truth = np.array([[c in s for c in classes] for s in sets], dtype=float).ravel()
        confidence = proba.ravel()
    else:
        confidence = proba.max(axis=1)
        truth = (classes[np.argmax(proba, axis=1)] == np.asarray(targets)).astype(float)
    edges = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = edges == b
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - truth[inside].mean())
    return float(error)


def train_model(kind: str, data_path: Path | str, out_dir: Path | str, *,
                params: dict[str, Any] | None = None, folds: int = 5, n_jobs: int | None = None,
                float32: bool = True, notes: str = "") -> ModelCard:
    """``diembao train KIND --data FILE --out DIR``: cross-validate (``folds`` >= 2; 0 skips it),
    fit on all the data, save the model directory and return its card."""
    data = read_examples(data_path)
    estimator = default_estimator(kind, **(params or {}))
    metrics = cross_validate(estimator, data, folds=folds, n_jobs=n_jobs) if folds else {}
    started = time.perf_counter()
    fitted = estimator.fit(data.texts, data.targets)
    if float32:
        compact(fitted)
    metrics["fit_seconds"] = round(time.perf_counter() - started, 1)
    card = ModelCard(
        kind=kind, classes=[str(c) for c in fitted.classes_], multilabel=fitted.multilabel_,
        params=card_params(fitted), data_sha256=data.sha256,
        n_documents=len(data.texts), metrics=metrics, notes=notes,
    )
    log.info("trained %s on %d texts: %s", kind, len(data.texts),
             {k: v for k, v in metrics.items() if k != "per_class"})
    return save_model(fitted, out_dir, card)


def compact(estimator: Any) -> Any:
    """Store the linear weights as float32 (halves the model; scores move by ~1e-7)."""
    if not isinstance(estimator, TextClassifier):
        return estimator.compact()
    calibrated = (estimator.model_.estimators_ if estimator.multilabel_ else [estimator.model_])
    for model in calibrated:
        for member in model.calibrated_classifiers_:
            svm = member.estimator
            svm.coef_ = svm.coef_.astype(np.float32)
    return estimator


def card_params(estimator: TextClassifier) -> dict[str, Any]:
    """The estimator's parameters as JSON values (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in estimator.get_params().items()}
