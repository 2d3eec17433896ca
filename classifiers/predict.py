"""Classifying JSON lines with a saved model: each record comes back with its predictions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

import numpy as np

from classifiers.store import TrainedModel
from classifiers.train import text_of

__all__ = ["classify_records", "classify_stream"]


def classify_records(model: TrainedModel, records: Iterable[dict[str, Any]], *,
                     batch_size: int = 256) -> Iterator[dict[str, Any]]:
    """Each record with ``<kind>`` (the label, or the list of labels of a multi-label model)
    and ``<kind>_probabilities`` ({class: calibrated probability}) added; the text is read
    from ``text`` or else ``title``/``sapo``/``body``."""
    kind, classes = model.card.kind, model.classes
    threshold = getattr(model.estimator, "threshold", 0.5)
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        proba = model.predict_proba([text_of(record) for record in batch])
        for record, row in zip(batch, proba, strict=True):
            if model.card.multilabel:
                label: Any = [c for c, p in zip(classes, row, strict=True) if p >= threshold]
            else:
                label = classes[int(np.argmax(row))]
            yield {**record, kind: label,
                   f"{kind}_probabilities": {c: round(float(p), 4) for c, p in
                                             zip(classes, row, strict=True)}}


def classify_stream(model: TrainedModel, lines: IO[str], out: IO[str]) -> int:
    """``diembao classify``: JSON lines in, the same lines with predictions out; returns the
    count. Blank lines are skipped; a line that is not a JSON object raises ``ValueError``."""
    def records() -> Iterator[dict[str, Any]]:
        for number, line in enumerate(lines, 1):
            if line.strip():
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError(f"line {number}: expected a JSON object")
                yield record

    count = 0
    for result in classify_records(model, records()):
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        count += 1
    return count
