"""Tone: the lexicon (with its sentiment traps), the trained model and the shipped model."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from classifiers import load_default
from classifiers.errors import DataError
from classifiers.terms import tokenize
from classifiers.tone import ToneLexicon, ToneModel, lexicon_tone, read_lexicon, read_terms
from classifiers.train import default_estimator

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "monitor" / "data" / "models"
LEXICONS = ROOT / "monitor" / "data" / "lexicons"


@pytest.fixture(scope="module")
def lexicon() -> ToneLexicon:
    return read_lexicon(LEXICONS)


def test_shipped_lexicon_files_are_read(lexicon: ToneLexicon) -> None:
    assert len(lexicon.positive) > 50 and len(lexicon.negative) > 50
    assert "bác bỏ tin đồn" in lexicon.shifters and "cảnh báo lừa đảo" in lexicon.shifters
    assert not set(lexicon.positive) & set(lexicon.negative)


def test_read_terms_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text("# a comment\n\ntăng trưởng\n  khởi sắc  \n", encoding="utf-8")
    assert read_terms(path) == ("tăng trưởng", "khởi sắc")
    with pytest.raises(DataError):
        read_terms(tmp_path / "missing.txt")


def test_lexicon_reads_clear_cases(lexicon: ToneLexicon) -> None:
    texts = [
        "Tai nạn giao thông nghiêm trọng\nHai người tử vong, ba người bị thương nặng.",
        "Xuất khẩu tăng trưởng ấn tượng\nDoanh nghiệp vượt kế hoạch, người lao động phấn khởi.",
        "Lịch cắt điện tuần tới\nĐiện lực thông báo lịch làm việc của các trạm.",
    ]
    assert lexicon_tone(lexicon, texts) == ["negative", "positive", "neutral"]


def test_a_denial_and_a_routine_warning_are_not_negative_cues(lexicon: ToneLexicon) -> None:
    # QUIRKS 62: "bác bỏ tin đồn" and "cảnh báo lừa đảo" are not negative by themselves.
    denial = tokenize("Công an tỉnh bác bỏ tin đồn về vụ việc trên mạng.")
    warning = tokenize("Ngân hàng cảnh báo lừa đảo qua tin nhắn giả mạo.")
    crime = tokenize("Đối tượng lừa đảo chiếm đoạt tài sản của người dân.")
    assert lexicon.cues(denial)[1] == 0
    assert lexicon.cues(warning)[1] < lexicon.cues(crime)[1]
    assert lexicon_tone(lexicon, ["Ngân hàng cảnh báo lừa đảo qua tin nhắn"]) == ["neutral"]


def test_lexicon_matches_unaccented_text(lexicon: ToneLexicon) -> None:
    accented = lexicon.cues(tokenize("Tai nạn nghiêm trọng, hai người tử vong"))
    plain = lexicon.cues(tokenize("Tai nan nghiem trong, hai nguoi tu vong"))
    # folding is lossy ("tù", prison, folds to "tu"), so only the reading is compared
    assert accented[1] >= 3 and plain[1] >= 3 and accented[0] == plain[0] == 0


# -- the trained model -------------------------------------------------------------------------

WORDS = {
    "positive": ["thành công", "khánh thành", "vui mừng", "biểu dương", "tăng trưởng"],
    "negative": ["tai nạn", "thiệt hại", "vi phạm", "khởi tố", "ô nhiễm"],
    "neutral": ["thông báo", "lịch", "kế hoạch", "hội nghị", "quy định"],
}
SHARED = ["người dân", "tỉnh", "huyện", "ngày", "cho biết", "theo", "năm nay"]


def _corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, tones = [], []
    for i in range(n):
        tone = list(WORDS)[i % 3]
        texts.append(" ".join(rng.choice(WORDS[tone] + SHARED) for _ in range(20)))
        tones.append(tone)
    return texts, tones


@pytest.fixture(scope="module")
def model(lexicon: ToneLexicon) -> ToneModel:
    texts, tones = _corpus(150, seed=1)
    return ToneModel(lexicon.positive, lexicon.negative, lexicon.shifters,
                     n_components=8).fit(texts, tones)


def test_model_learns_tones(model: ToneModel) -> None:
    texts, tones = _corpus(30, seed=2)
    predicted = model.predict(texts)
    assert np.mean(predicted == np.array(tones, dtype=object)) >= 0.9
    proba = model.predict_proba(texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert list(model.classes_) == ["negative", "neutral", "positive"]


def test_with_labels_relearns_and_leaves_the_original(model: ToneModel) -> None:
    texts, tones = _corpus(90, seed=3)
    flipped = {"positive": "negative", "negative": "positive", "neutral": "neutral"}
    other = model.with_labels(texts, [flipped[t] for t in tones])
    test, truth = _corpus(30, seed=4)
    assert np.mean(other.predict(test) == np.array([flipped[t] for t in truth])) >= 0.9
    assert np.mean(model.predict(test) == np.array(truth)) >= 0.9
    assert other.space_ is model.space_
    # the neighbours are the new labelled texts with their (flipped) tones, one column a tone
    assert other.neighbours_.targets_.shape == (90, 3)
    assert model.neighbours_.targets_.shape == (150, 3)
    assert other.neighbours_.targets_[0].argmax() == list(other.classes_).index(
        flipped[tones[0]])


def test_unlabelled_texts_only_fit_the_space(lexicon: ToneLexicon) -> None:
    texts, tones = _corpus(60, seed=5)
    space_only = ToneModel(n_components=8).fit(texts, [None] * len(texts))
    assert not hasattr(space_only, "model_")
    with pytest.raises(DataError):
        space_only.with_labels(texts[:3], ["positive"] * 3)
    assert len(space_only.with_labels(texts, tones).predict(texts[:5])) == 5


def test_train_kinds_build_a_tone_model() -> None:
    assert isinstance(default_estimator("tone"), ToneModel)


def test_model_survives_pickling(model: ToneModel, tmp_path: Path) -> None:
    import joblib

    texts, _ = _corpus(6, seed=6)
    joblib.dump(model, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts))


# -- the shipped model -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    if not (MODELS / "tone" / "card.json").is_file():
        pytest.skip("no shipped tone model (python bench/tone.py --ship ...)")
    return load_default(MODELS, "tone")


def test_shipped_tone_model_reads_clear_sentences(shipped) -> None:
    assert shipped.card.kind == "tone" and "heldout_macro_f1" in shipped.card.metrics
    texts = ["Vụ cháy kinh hoàng khiến ba người tử vong, thiệt hại hàng tỷ đồng, nhiều hộ dân "
             "mất trắng tài sản.",
             "Tỉnh vinh danh các doanh nghiệp tiêu biểu, xuất khẩu tăng trưởng ấn tượng, người "
             "dân phấn khởi đón nhận thành quả."]
    assert list(shipped.estimator.predict(texts)) == ["negative", "positive"]


def test_shipped_tone_model_is_small() -> None:
    path = MODELS / "tone"
    if not path.is_dir():
        pytest.skip("no shipped tone model")
    # space, n-gram lists, sparse votes and the labelled neighbours: about 11 MB
    assert sum(p.stat().st_size for p in path.iterdir()) < 15_000_000


def test_sparse_votes_give_one_svm_and_one_nb_column_per_tone() -> None:
    import scipy.sparse as sp

    from classifiers.tone import SparseVotes

    # feature 0 marks positive texts, feature 1 negative ones, feature 2 is shared
    features = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], float))
    targets = np.array(["positive", "positive", "negative", "negative"], dtype=object)
    votes = SparseVotes(np.array(["negative", "neutral", "positive"], dtype=object)).fit(
        features, targets).decision_function(sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 1]],
                                                                      float)))
    assert votes.shape == (2, 6)
    svm, nb = votes[:, :3], votes[:, 3:]
    assert svm[0, 2] > 0 > svm[0, 0] and svm[1, 0] > 0 > svm[1, 2]  # two tones seen: mirrored
    assert svm[:, 1].tolist() == [0, 0] and nb[:, 1].tolist() == [0, 0]  # neutral never seen
    assert nb[0, 2] > nb[1, 2] and nb[1, 0] > nb[0, 0]
