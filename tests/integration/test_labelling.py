"""Model labels in a real database: section, topics and tone rows, re-labelling, retraining."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from classifiers.errors import DataError
from classifiers.linear import TextClassifier
from classifiers.store import ModelCard, load_model, save_model
from classifiers.tone import ToneModel
from classifiers.topics import TopicModel
from monitor.labelling import MODELS_DIR, label_articles, model_version, train_from_db
from monitor.store import open_database
from monitor.store.tables import articles, labels, sources

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
# Vocabulary written for this test: topic -> (section, tone, words).
KINDS = {
    "y-te": ("Suc khoe", "positive", ["bệnh viện", "bác sĩ", "bệnh nhân", "điều trị",
                                      "khỏi bệnh", "thành công", "phẫu thuật"]),
    "an-ninh": ("Phap luat", "negative", ["công an", "bắt giữ", "đối tượng", "khởi tố",
                                          "vi phạm", "trộm cắp", "tai nạn"]),
    "giao-duc": ("Giao duc", "neutral", ["học sinh", "giáo viên", "lịch thi", "thông báo",
                                         "kế hoạch", "nhà trường", "tuyển sinh"]),
}
TOPICS = [("y-te", ("bệnh viện", "bác sĩ")), ("an-ninh", ("công an", "bắt giữ")),
          ("giao-duc", ("học sinh", "giáo viên"))]


def _texts(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = list(KINDS)[i % 3]
        words = KINDS[kind][2] + ["người dân", "tỉnh", "cho biết", "năm nay"]
        out.append((kind, " ".join(rng.choice(words) for _ in range(30))))
    return out


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    """Tiny section, topic and tone models trained on the test's own texts."""
    root = tmp_path_factory.mktemp("models")
    data = _texts(150, seed=1)
    texts = [t for _, t in data]
    fitted = {
        "sections": TextClassifier(min_df=1).fit(texts, [KINDS[k][0] for k, _ in data]),
        "topics": TopicModel(topics=TOPICS, n_components=8, base_features=2000, prior=0).fit(
            texts, [None] * len(texts)),
        "tone": ToneModel(["thành công", "khỏi bệnh"], ["vi phạm", "tai nạn"],
                          n_components=8).fit(texts, [KINDS[k][1] for k, _ in data]),
    }
    for kind, model in fitted.items():
        card = ModelCard(kind=kind, classes=[str(c) for c in model.classes_],
                         multilabel=kind == "topics", params={}, data_sha256="0" * 64,
                         n_documents=len(texts))
        save_model(model, root / kind, card, now=NOW)
    return root


@pytest.fixture()
def db(tmp_path: Path):
    database = open_database(str(tmp_path / "diembao.db"))
    with database.begin() as conn:
        conn.execute(insert(sources).values(id="bg", name="Báo Bắc Giang", tier="provincial",
                                            homepage="https://bg.vn/", updated_at=NOW))
        for aid, (_, text) in enumerate(_texts(12, seed=2), 1):
            title, _, body = text.partition(" người dân ")
            conn.execute(insert(articles).values(
                id=aid, canonical_url=f"https://bg.vn/{aid}", url=f"https://bg.vn/{aid}",
                source_id="bg", title=title[:80], sapo="", body=[body or text], tags=[],
                images=[], captions=[], first_seen=NOW, fetched_at=NOW, updated_at=NOW,
                content_hash=str(aid)))
    yield database
    database.dispose()


def _rows(db, **where) -> list:
    query = select(labels)
    for column, value in where.items():
        query = query.where(labels.c[column] == value)
    with db.begin() as conn:
        return conn.execute(query.order_by(labels.c.article_id, labels.c.kind)).all()


def test_every_article_gets_section_topics_and_tone(db, models_dir: Path) -> None:
    assert label_articles(db, None, models_dir, NOW) == 12
    rows = _rows(db)
    by_kind = {kind: [r for r in rows if r.kind == kind] for kind in ("section", "topic", "tone")}
    assert len(by_kind["section"]) == len(by_kind["tone"]) == 12
    assert {r.article_id for r in by_kind["topic"]} == set(range(1, 13))
    truth = {aid: kind for aid, (kind, _) in enumerate(_texts(12, seed=2), 1)}
    right = sum(r.value == truth[r.article_id] for r in by_kind["topic"])
    assert right >= 10
    assert sum(r.value == KINDS[truth[r.article_id]][0] for r in by_kind["section"]) >= 10
    assert all(r.origin == "model" and 0 <= r.score <= 1 and r.created_at == NOW for r in rows)
    card = load_model(models_dir / "topics").card
    assert {r.model_version for r in by_kind["topic"]} == {model_version(card)}
    assert model_version(card).startswith("topics-") and card.created[:10] in model_version(card)


def test_relabelling_replaces_model_rows_and_keeps_analysts(db, models_dir: Path) -> None:
    label_articles(db, None, models_dir, NOW)
    before = len(_rows(db))
    with db.begin() as conn:
        conn.execute(insert(labels).values(article_id=1, kind="tone", value="negative",
                                           score=1.0, origin="analyst", created_by="an",
                                           created_at=NOW))
    later = NOW + timedelta(days=1)
    assert label_articles(db, [1, 2], models_dir, later) == 2
    rows = _rows(db)
    assert len(rows) == before + 1
    assert {r.article_id for r in rows if r.created_at == later} == {1, 2}
    analyst = _rows(db, origin="analyst")
    assert [(a.article_id, a.value, a.created_at) for a in analyst] == [(1, "negative", NOW)]


def test_missing_models_and_articles_are_skipped(db, tmp_path: Path, models_dir: Path) -> None:
    assert label_articles(db, None, tmp_path / "empty", NOW) == 0
    assert label_articles(db, [999], models_dir, NOW) == 0
    assert _rows(db) == []
    with pytest.raises(ValueError):
        label_articles(db, None, models_dir, None)


def test_train_from_db_learns_the_analysts_labels(db, models_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="at least"):
        train_from_db(db, "topics", tmp_path / "t", models_dir=models_dir, min_labels=5)
    # Analysts file every security story under "y-te" too: the retrained model must.
    truth = {aid: kind for aid, (kind, _) in enumerate(_texts(12, seed=2), 1)}
    with db.begin() as conn:
        for aid, kind in truth.items():
            for value in [kind, "y-te"] if kind == "an-ninh" else [kind]:
                conn.execute(insert(labels).values(
                    article_id=aid, kind="topic", value=value, score=1.0, origin="analyst",
                    created_by="an", created_at=NOW))
            conn.execute(insert(labels).values(
                article_id=aid, kind="topic", value="giao-duc", score=0.9, origin="model",
                created_at=NOW))
    out = tmp_path / "retrained"
    card = train_from_db(db, "topics", out, models_dir=models_dir, min_labels=5, now=NOW)
    assert card.kind == "topics" and card.n_documents == 12 and card.metrics["folds"] == 5
    retrained = load_model(out).estimator
    fresh = [(k, t) for k, t in _texts(12, seed=5)]
    labelled = retrained.predict_labels([t for _, t in fresh])
    assert all(("y-te" in topics) == (k in ("an-ninh", "y-te"))
               for (k, _), topics in zip(fresh, labelled, strict=True))
    assert not any("y-te" in topics for (k, _), topics in zip(
        fresh, load_model(models_dir / "topics").estimator.predict_labels(
            [t for _, t in fresh]), strict=True) if k == "an-ninh")


def test_shipped_models_label_an_article(db) -> None:
    if not all((MODELS_DIR / kind / "card.json").is_file() for kind in ("topics", "tone")):
        pytest.skip("the topic and tone models are not shipped yet")
    assert label_articles(db, [1], MODELS_DIR, NOW) == 1
    kinds = {r.kind for r in _rows(db, article_id=1)}
    assert kinds == {"section", "topic", "tone"}
