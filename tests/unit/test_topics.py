"""Topics: seed-term matching, weak labels, the bootstrapped model and the shipped model."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from classifiers import load_default
from classifiers.errors import DataError
from classifiers.terms import TermMatcher, fold, tokenize
from classifiers.topics import TopicModel, parse_topics, seed_counts, weak_labels
from classifiers.train import default_estimator

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "monitor" / "data" / "models"
TAXONOMY = ROOT / "monitor" / "data" / "topics.yaml"

# A tiny taxonomy and sentences written for these tests.
TOPICS = [("y-te", ("bệnh viện", "bác sĩ")), ("giao-duc", ("học sinh", "giáo viên")),
          ("an-ninh", ("công an", "bắt giữ"))]
VOCAB = {
    "y-te": ["bệnh viện", "bác sĩ", "bệnh nhân", "ca phẫu thuật", "thuốc kháng sinh",
             "phòng khám", "điều trị"],
    "giao-duc": ["học sinh", "giáo viên", "kỳ thi", "lớp học", "nhà trường", "sách giáo khoa",
                 "điểm chuẩn"],
    "an-ninh": ["công an", "bắt giữ", "đối tượng", "vụ trộm", "khởi tố", "tang vật",
                "cơ quan điều tra"],
}
FILLER = ["hôm nay", "tại xã", "theo thông tin", "người dân", "cho biết", "trong năm"]


def _text(rng: random.Random, topic: str, seeded: bool) -> str:
    words = VOCAB[topic] if seeded else VOCAB[topic][2:]
    return " ".join(rng.choice(words + FILLER) for _ in range(25)) + "."


def _corpus(n: int, seed: int, seeded: bool = True) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    texts, targets = [], []
    for i in range(n):
        topic = list(VOCAB)[i % len(VOCAB)]
        texts.append(_text(rng, topic, seeded))
        targets.append([topic])
    return texts, targets


@pytest.fixture(scope="module")
def weak_model() -> TopicModel:
    texts, _ = _corpus(240, seed=1)
    return TopicModel(topics=TOPICS, n_components=8, base_features=2000).fit(
        texts, [None] * len(texts))


def test_matcher_counts_phrases_with_and_without_diacritics() -> None:
    matcher = TermMatcher({"y-te": ["bệnh viện", "bác sĩ"], "x": ["cầu"]})
    counts = matcher.counts(["Bệnh viện tỉnh có ba bác sĩ; bệnh viện huyện thì không.",
                             "Benh vien tinh co ba bac si moi, bac si gioi."])
    assert counts.tolist() == [[3, 0], [3, 0]]
    assert fold("Đường Bắc Giang") == "duong bac giang"


def test_matcher_needs_a_capital_for_short_ascii_terms() -> None:
    matcher = TermMatcher({"so": ["ai", "fdi"]})
    assert matcher.counts(["Ai cũng biết ai là ai."])[0, 0] == 1  # only "Ai" at the start
    assert matcher.counts(["Ứng dụng AI thu hút vốn FDI và ai cũng vui"])[0, 0] == 2


def test_tokens_read_an_unaccented_text_as_folded() -> None:
    assert not tokenize("Benh vien tinh Bac Giang").accented
    assert tokenize("Bệnh viện tỉnh Bắc Giang").accented


def test_weak_labels_keep_the_best_matched_topics() -> None:
    counts = np.array([[4, 1, 0], [2, 2, 0], [0, 0, 0], [1, 3, 5]])
    labels = weak_labels(counts, ["a", "b", "c"], min_count=1, ratio=0.5, top=2)
    assert labels == [["a"], ["a", "b"], [], ["c", "b"]]


def test_parse_topics_reads_the_shipped_taxonomy_and_refuses_bad_ones() -> None:
    topics = parse_topics(yaml.safe_load(TAXONOMY.read_text(encoding="utf-8")))
    assert len(topics) == len({t.id for t in topics}) >= 10
    assert all(t.seeds for t in topics)
    with pytest.raises(DataError):
        parse_topics({"topics": [{"name": "no id"}]})
    with pytest.raises(DataError):
        parse_topics({"topics": []})


def test_seed_counts_follow_the_topic_order() -> None:
    counts = seed_counts(TOPICS, ["Công an bắt giữ hai đối tượng gần bệnh viện."])
    assert counts.tolist() == [[1, 0, 2]]


def test_weak_model_learns_beyond_its_seeds(weak_model: TopicModel) -> None:
    # Texts without any seed term: only what the base learned from the weak labels helps.
    texts, targets = _corpus(30, seed=7, seeded=False)
    assert not seed_counts(TOPICS, texts).any()
    predicted = weak_model.predict_labels(texts)
    right = sum(t[0] in p for p, t in zip(predicted, targets, strict=True))
    assert right >= 24
    assert list(weak_model.classes_) == [t for t, _ in TOPICS]


def test_labels_refine_the_weak_model(weak_model: TopicModel) -> None:
    # Analysts file every security story under health too: the stacker must learn that.
    texts, targets = _corpus(90, seed=3)
    targets = [t + ["y-te"] if t == ["an-ninh"] else t for t in targets]
    refined = weak_model.with_labels(texts, targets)
    test_texts, test_targets = _corpus(30, seed=11)
    before = weak_model.predict_labels(test_texts)
    after = refined.predict_labels(test_texts)
    security = [i for i, t in enumerate(test_targets) if t == ["an-ninh"]]
    assert sum("y-te" in after[i] for i in security) >= 0.8 * len(security)
    assert sum("y-te" in before[i] for i in security) < 0.5 * len(security)
    assert weak_model.stack_weight_ == 0 and refined.stack_weight_ > 0  # the original is intact


def test_decide_keeps_the_best_topic_above_the_floor_and_caps_the_count() -> None:
    model = TopicModel(threshold=0.5, floor=0.2, max_topics=2)
    model.classes_ = np.array(["a", "b", "c", "d"], dtype=object)
    assert model.decide(np.array([0.3, 0.1, 0.05, 0.0])) == ("a",)
    assert model.decide(np.array([0.1, 0.15, 0.05, 0.0])) == ()
    assert model.decide(np.array([0.9, 0.8, 0.7, 0.1])) == ("a", "b")


def test_with_labels_refuses_unknown_topics(weak_model: TopicModel) -> None:
    with pytest.raises(DataError, match="not in the model"):
        weak_model.with_labels(["một bài"], [["khong-co"]])


def test_train_kinds_build_a_topic_model() -> None:
    model = default_estimator("topics", topics=TOPICS)
    assert isinstance(model, TopicModel) and model.topics == TOPICS


def test_labels_alone_train_a_model_without_seeds() -> None:
    texts, targets = _corpus(60, seed=5)
    model = TopicModel(n_components=8, base_features=2000).fit(texts, targets)
    assert sorted(model.classes_) == sorted(VOCAB)
    test_texts, test_targets = _corpus(15, seed=9)
    predicted = model.predict_labels(test_texts)
    assert sum(t[0] in p for p, t in zip(predicted, test_targets, strict=True)) >= 12


# -- the shipped model -------------------------------------------------------------------------

SENTENCES = {
    "y-te": "Bệnh viện đa khoa tỉnh tiếp nhận bệnh nhân ngộ độc thực phẩm, các bác sĩ đã cấp "
            "cứu kịp thời và tiêm vắc xin cho trẻ em trong vùng dịch.",
    "giao-duc": "Sở Giáo dục công bố điểm chuẩn tuyển sinh lớp 10, học sinh và giáo viên các "
                "trường chuẩn bị cho kỳ thi tốt nghiệp trung học phổ thông.",
    "an-ninh-trat-tu": "Công an huyện bắt giữ đối tượng trộm cắp xe máy, cơ quan điều tra đã "
                       "khởi tố vụ án và tạm giam bị can.",
}


@pytest.fixture(scope="module")
def shipped():
    if not (MODELS / "topics" / "card.json").is_file():
        pytest.skip("no shipped topic model (python bench/topics.py --ship ...)")
    return load_default(MODELS, "topics")


def test_shipped_topic_model_classifies_plausibly(shipped) -> None:
    card = shipped.card
    assert card.kind == "topics" and card.multilabel and len(card.classes) == 15
    assert "heldout_micro_f1" in card.metrics
    predicted = shipped.estimator.predict_labels(list(SENTENCES.values()))
    for topic, labels in zip(SENTENCES, predicted, strict=True):
        assert labels and labels[0] == topic


def test_shipped_topic_model_is_small() -> None:
    path = MODELS / "topics"
    if not path.is_dir():
        pytest.skip("no shipped topic model")
    # base, space, the section model inside and the labelled neighbours: 12 MB shipped, 17 MB
    # when remade with the 200,000-n-gram section model inside
    assert sum(p.stat().st_size for p in path.iterdir()) < 20_000_000


def test_stacker_uses_the_neighbours_and_an_optional_section_model() -> None:
    from classifiers.linear import TextClassifier

    texts, targets = _corpus(90, seed=21)
    sections = TextClassifier(min_df=1).fit(texts, [t[0] for t in targets])
    weak = TopicModel(topics=TOPICS, n_components=8, base_features=2000).fit(
        texts, [None] * len(texts), sections=sections)
    refined = weak.with_labels(texts, targets)
    assert refined.sections_ is sections and weak.neighbours_ is None
    assert refined.neighbours_.targets_.shape == (90, 3)
    plain = TopicModel(topics=TOPICS, n_components=8, base_features=2000, n_neighbors=0).fit(
        texts, [None] * len(texts)).with_labels(texts, targets)
    # 3 section logits and 2 views x 3 topics of neighbours more than without them
    assert refined.stack_coef_.shape[1] == plain.stack_coef_.shape[1] + 3 + 6
    test_texts, test_targets = _corpus(15, seed=23)
    predicted = refined.predict_labels(test_texts)
    assert sum(t[0] in p for p, t in zip(predicted, test_targets, strict=True)) >= 12
