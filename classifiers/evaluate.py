"""Evaluation: accuracy, F1, per-class scores and confusion matrix, as data and as a text table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.metrics import precision_recall_fscore_support as prfs
from sklearn.preprocessing import MultiLabelBinarizer

from classifiers.linear import is_multilabel
from classifiers.store import load_model

__all__ = ["ClassScore", "Evaluation", "evaluate_labels", "evaluate_model", "format_evaluation"]


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Scores of predictions against true labels.

    Single-label: ``accuracy`` and ``macro_f1``; ``confusion[i][j]`` counts texts of class
    ``classes[i]`` predicted as ``classes[j]``. Multi-label: ``accuracy`` is the share of texts
    whose label set is exactly right, ``micro_f1`` and ``macro_f1`` average over labels, and
    ``confusion`` is empty."""

    multilabel: bool
    n_documents: int
    classes: list[str]
    accuracy: float
    macro_f1: float
    micro_f1: float
    per_class: list[ClassScore]
    confusion: list[list[int]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_labels(y_true: Sequence[Any], y_pred: Sequence[Any],
                    classes: Sequence[str] | None = None) -> Evaluation:
    """Score predicted labels (one per text, or lists of labels per text) against true ones."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true targets but {len(y_pred)} predictions")
    if is_multilabel(y_true) or is_multilabel(y_pred):
        return _evaluate_multilabel(y_true, y_pred, classes)
    true = np.asarray(y_true, dtype=object).astype(str)
    pred = np.asarray(y_pred, dtype=object).astype(str)
    labels = sorted(set(classes or ()) | set(true) | set(pred))
    precision, recall, f1, support = prfs(true, pred, labels=labels, zero_division=0)
    return Evaluation(
        multilabel=False, n_documents=len(true), classes=labels,
        accuracy=float(accuracy_score(true, pred)),
        macro_f1=float(f1_score(true, pred, labels=labels, average="macro", zero_division=0)),
        micro_f1=float(f1_score(true, pred, labels=labels, average="micro", zero_division=0)),
        per_class=_scores(labels, precision, recall, f1, support),
        confusion=confusion_matrix(true, pred, labels=labels).tolist(),
    )


def _evaluate_multilabel(y_true: Sequence[Any], y_pred: Sequence[Any],
                         classes: Sequence[str] | None) -> Evaluation:
    true = [sorted(map(str, labels)) for labels in y_true]
    pred = [sorted(map(str, labels)) for labels in y_pred]
    labels = sorted(set(classes or ()) | {x for row in true + pred for x in row})
    binarizer = MultiLabelBinarizer(classes=labels).fit([labels])
    t, p = binarizer.transform(true), binarizer.transform(pred)
    precision, recall, f1, support = prfs(t, p, zero_division=0)
    return Evaluation(
        multilabel=True, n_documents=len(true), classes=labels,
        accuracy=float(accuracy_score(t, p)),
        macro_f1=float(f1_score(t, p, average="macro", zero_division=0)),
        micro_f1=float(f1_score(t, p, average="micro", zero_division=0)),
        per_class=_scores(labels, precision, recall, f1, support), confusion=[],
    )


def _scores(labels: Sequence[str], *columns: np.ndarray) -> list[ClassScore]:
    return [ClassScore(label, float(p), float(r), float(f), int(s))
            for label, p, r, f, s in zip(labels, *columns, strict=True)]


def evaluate_model(model_dir: Path | str, data_path: Path | str) -> Evaluation:
    """``diembao eval --model DIR --data FILE``: score a saved model on a JSON-lines file."""
    from classifiers.train import read_examples  # train imports this module

    model = load_model(model_dir)
    data = read_examples(data_path)
    predicted = model.estimator.predict_labels(data.texts)
    if not model.card.multilabel:
        predicted = [labels[0] for labels in predicted]
    return evaluate_labels(data.targets, predicted, model.classes)


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text report: headline scores, per-class table and (single-label) confusion."""
    head = (f"documents: {evaluation.n_documents}  accuracy: {evaluation.accuracy:.4f}  "
            f"macro-F1: {evaluation.macro_f1:.4f}")
    if evaluation.multilabel:
        head += f"  micro-F1: {evaluation.micro_f1:.4f}"
    width = max([len(c) for c in evaluation.classes] + [5])
    lines = [head, "", f"{'class':<{width}}  precision  recall      F1  support"]
    lines += [f"{s.label:<{width}}  {s.precision:9.4f}  {s.recall:6.4f}  {s.f1:6.4f}  "
              f"{s.support:7d}" for s in evaluation.per_class]
    if evaluation.confusion:
        lines += ["", "confusion (rows: true, columns: predicted, in the order above)"]
        lines += [" ".join(f"{n:6d}" for n in row) for row in evaluation.confusion]
    return "\n".join(lines)
