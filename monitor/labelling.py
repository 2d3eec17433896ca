"""Model labels of stored articles (section, topics, tone) and retraining from analysts' labels."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold
from sqlalchemy import Connection, delete, insert, select

from classifiers.errors import DataError, ModelError
from classifiers.evaluate import evaluate_labels
from classifiers.store import ModelCard, TrainedModel, find_model, load_model, save_model
from classifiers.topics import NO_TOPIC
from classifiers.train import card_params, compact
from monitor.store import Database
from monitor.store.tables import articles, labels

__all__ = ["LABEL_KINDS", "MODELS_DIR", "article_text", "label_articles", "load_models",
           "model_version", "train_from_db"]

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent / "data" / "models"
# model kind (classifiers) -> label kind (labels table)
LABEL_KINDS = {"sections": "section", "topics": "topic", "tone": "tone"}
BATCH = 200
MIN_LABELS = 30  # analyst-labelled articles needed to retrain from the database
MAX_VERSION = 100  # labels.model_version is a String(100)


def model_version(card: ModelCard) -> str:
    """``<kind>-<first 12 hex of the model's SHA-256>-<date made>``: changes with every model."""
    return f"{card.kind}-{card.model_sha256[:12]}-{card.created[:10]}"[:MAX_VERSION]


def load_models(models_dir: Path | str = MODELS_DIR) -> dict[str, TrainedModel]:
    """The section, topic and tone models found in ``models_dir`` (a missing one is logged and
    left out; a damaged one raises ``ModelError``)."""
    out = {}
    for kind in LABEL_KINDS:
        try:
            path = find_model(models_dir, kind)
        except ModelError:
            log.warning("no %s model in %s: articles get no %s labels", kind, models_dir,
                        LABEL_KINDS[kind])
            continue
        out[kind] = load_model(path)
    return out


def article_text(row: Any) -> str:
    """Title, sapo and body paragraphs, one per line (the title first, as the models expect)."""
    body = row.body if isinstance(row.body, list) else []
    return "\n".join([row.title or "", row.sapo or "", *[str(p) for p in body]])


def label_articles(db: Database, article_ids: Sequence[int] | None,
                   models_dir: Path | str = MODELS_DIR, now: datetime | None = None) -> int:
    """Label the articles (all when ``article_ids`` is None) with every model of
    ``models_dir``; each kind's previous model rows of an article are replaced, analysts' rows
    are never touched. Returns the number of articles labelled."""
    if now is None:
        raise ValueError("label_articles needs now= (stages do not read the clock)")
    models = load_models(models_dir)
    if not models:
        return 0
    done = 0
    for batch in _batches(db, article_ids):
        rows = [row for kind, model in models.items()
                for row in _label_rows(kind, model, batch, now)]
        with db.begin() as conn:
            for kind in models:
                conn.execute(delete(labels).where(
                    labels.c.article_id.in_([a.id for a in batch]),
                    labels.c.kind == LABEL_KINDS[kind], labels.c.origin == "model"))
            if rows:
                conn.execute(insert(labels), rows)
        done += len(batch)
    log.info("labelled %d articles with %s", done, ", ".join(models))
    return done


def _batches(db: Database, article_ids: Sequence[int] | None) -> Iterator[list[Any]]:
    columns = (articles.c.id, articles.c.title, articles.c.sapo, articles.c.body)
    with db.begin() as conn:
        ids = (list(dict.fromkeys(article_ids)) if article_ids is not None
               else list(conn.scalars(select(articles.c.id).order_by(articles.c.id))))
    for start in range(0, len(ids), BATCH):
        part = ids[start: start + BATCH]
        with db.begin() as conn:
            found = conn.execute(select(*columns).where(articles.c.id.in_(part))
                                 .order_by(articles.c.id)).all()
        if found:
            yield found


def _label_rows(kind: str, model: TrainedModel, batch: list[Any], now: datetime) -> list[dict]:
    proba = model.predict_proba([article_text(a) for a in batch])
    classes, version = model.classes, model_version(model.card)
    out = []
    for article, row in zip(batch, proba, strict=True):
        for value in _values(model, row):
            out.append({"article_id": article.id, "kind": LABEL_KINDS[kind], "value": value,
                        "score": round(float(row[classes.index(value)]), 4), "origin": "model",
                        "model_version": version, "created_by": None, "created_at": now})
    return out


def _values(model: TrainedModel, row: np.ndarray) -> list[str]:
    """The labels of one probability row: the best class, or a multi-label model's choice."""
    if not model.card.multilabel:
        return [model.classes[int(np.argmax(row))]]
    decide = getattr(model.estimator, "decide", None)
    if decide is not None:
        return list(decide(row))
    threshold = getattr(model.estimator, "threshold", 0.5)
    return [c for c, p in zip(model.classes, row, strict=True) if p >= threshold]


# -- retraining from the analysts' labels --------------------------------------------------

def train_from_db(db: Database, kind: str, out_dir: Path | str, *,
                  models_dir: Path | str = MODELS_DIR, now: datetime | None = None,
                  min_labels: int = MIN_LABELS) -> ModelCard:
    """``diembao train topics|tone --from-db``: the model of ``models_dir`` retrained on the
    analysts' labels in the database (they take precedence: model rows are never used as
    training targets). The weak/base part and the semantic space are kept; the part that
    learns from labels is refitted. Writes ``out_dir`` and returns its card, whose metrics are
    5-fold cross-validated scores on those labels."""
    kind = {"topic": "topics"}.get(kind, kind)
    if kind not in ("topics", "tone"):
        raise DataError(f"train from the database: kind must be topics or tone, not {kind!r}")
    start = load_model(find_model(models_dir, kind))
    with db.begin() as conn:
        texts, targets = analyst_examples(conn, LABEL_KINDS[kind])
    if len(texts) < min_labels:
        raise DataError(f"only {len(texts)} articles have analysts' {LABEL_KINDS[kind]} labels; "
                        f"at least {min_labels} are needed to retrain")
    metrics = _cross_validate(start.estimator, texts, targets, kind)
    model = compact(start.estimator.with_labels(texts, targets))
    digest = hashlib.sha256(json.dumps([texts, targets], ensure_ascii=False).encode())
    card = ModelCard(
        kind=kind, classes=[str(c) for c in model.classes_], multilabel=kind == "topics",
        params=card_params(model), data_sha256=digest.hexdigest(), n_documents=len(texts),
        metrics=metrics, notes=f"retrained from {len(texts)} analysts' labels in the database "
                               f"on top of {model_version(start.card)}")
    return save_model(model, out_dir, card, now=now)


def analyst_examples(conn: Connection, label_kind: str) -> tuple[list[str], list[Any]]:
    """Texts and targets of the articles an analyst labelled (topics: a list, ``khac`` an
    empty one; tone: one value)."""
    found: dict[int, list[str]] = {}
    query = select(labels.c.article_id, labels.c.value).where(
        labels.c.kind == label_kind, labels.c.origin == "analyst").order_by(labels.c.id)
    for article_id, value in conn.execute(query):
        found.setdefault(article_id, []).append(value)
    rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.sapo, articles.c.body)
                        .where(articles.c.id.in_(list(found))).order_by(articles.c.id)).all()
    texts = [article_text(r) for r in rows]
    if label_kind == "topic":
        return texts, [[v for v in found[r.id] if v != NO_TOPIC] for r in rows]
    return texts, [found[r.id][-1] for r in rows]


def _cross_validate(estimator: Any, texts: list[str], targets: list[Any], kind: str
                    ) -> dict[str, Any]:
    """Out-of-fold scores of refitting on the labels (the base and space stay as shipped)."""
    folds = 5
    if kind == "topics":
        splits = KFold(folds, shuffle=True, random_state=0).split(texts)
    else:
        smallest = min(targets.count(t) for t in set(targets))
        if smallest < 2 or len(set(targets)) < 2:
            return {"folds": 0, "note": "too few labels of some tone to cross-validate"}
        splits = StratifiedKFold(min(folds, smallest), shuffle=True,
                                 random_state=0).split(texts, targets)
    predicted: list[Any] = [None] * len(texts)
    for train, test in splits:
        model = estimator.with_labels([texts[i] for i in train], [targets[i] for i in train])
        for i, labels_ in zip(test, model.predict_labels([texts[i] for i in test]), strict=True):
            predicted[i] = list(labels_) if kind == "topics" else labels_[0]
    scores = evaluate_labels(targets, predicted, [str(c) for c in estimator.classes_])
    return {"folds": folds, "micro_f1": scores.micro_f1, "macro_f1": scores.macro_f1,
            "accuracy": scores.accuracy}
