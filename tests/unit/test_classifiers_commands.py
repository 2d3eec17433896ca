"""The train, eval and classify functions, the evaluation metrics and the text features."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifiers import DataError, SyllableVectorizer, load_model, normalize_text
from classifiers.evaluate import evaluate_labels, evaluate_model, format_evaluation
from classifiers.predict import classify_stream
from classifiers.train import read_examples, train_model
from monitor.text import normalize
from tests.unit.test_classifiers import CORPUS, LABELS, NEW_TEXTS, TEXTS

SMALL = {"min_df": 1, "calibration_cv": 2}


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def test_evaluation_of_a_known_confusion() -> None:
    true = ["a", "a", "a", "a", "b", "b", "c", "c"]
    pred = ["a", "a", "a", "b", "b", "c", "c", "c"]
    result = evaluate_labels(true, pred)
    assert result.classes == ["a", "b", "c"]
    assert result.accuracy == pytest.approx(6 / 8)
    assert result.confusion == [[3, 1, 0], [0, 1, 1], [0, 0, 2]]
    a, b, c = result.per_class
    assert (a.precision, a.recall, a.support) == (1.0, 0.75, 4)
    assert (b.precision, b.recall) == (0.5, 0.5)
    assert c.precision == pytest.approx(2 / 3) and c.recall == 1.0
    assert c.f1 == pytest.approx(0.8)
    assert result.macro_f1 == pytest.approx((6 / 7 + 0.5 + 0.8) / 3)
    text = format_evaluation(result)
    assert "accuracy: 0.7500" in text and "     3      1      0" in text


def test_multilabel_evaluation() -> None:
    true = [["x"], ["x", "y"], ["y"], []]
    pred = [["x"], ["x"], ["y", "z"], []]
    result = evaluate_labels(true, pred)
    assert result.multilabel and result.classes == ["x", "y", "z"]
    assert result.accuracy == pytest.approx(2 / 4)  # exact label sets
    # x: tp 2; y: tp 1, fn 1; z: fp 1 -> micro P 3/4, R 3/4
    assert result.micro_f1 == pytest.approx(0.75)
    x, y, z = result.per_class
    assert (x.f1, y.recall, z.precision) == (1.0, 0.5, 0.0)
    assert result.macro_f1 == pytest.approx((1.0 + 2 / 3 + 0.0) / 3)
    assert result.confusion == []


def test_vectorizer_matches_scikit_learn_tfidf() -> None:
    reference = TfidfVectorizer(ngram_range=(1, 3), token_pattern=r"(?u)\b\w+\b", min_df=2,
                                sublinear_tf=True, lowercase=False, preprocessor=normalize_text)
    expected = reference.fit_transform(TEXTS * 2 + ["Hoà bình, KHOẺ mạnh"])
    ours = SyllableVectorizer(ngram_range=(1, 3), min_df=2)
    got = ours.fit_transform(TEXTS * 2 + ["Hoà bình, KHOẺ mạnh"])
    names = list(ours.get_feature_names_out())
    assert sorted(names) == sorted(reference.get_feature_names_out())
    order = [reference.vocabulary_[name] for name in names]
    np.testing.assert_allclose(got.toarray(), expected[:, order].toarray(), atol=1e-6)
    new = [NEW_TEXTS["Kinh doanh"], ""]
    np.testing.assert_allclose(ours.transform(new).toarray(),
                               reference.transform(new)[:, order].toarray(), atol=1e-6)


def test_vectorizer_can_count_punctuation_marks_as_tokens() -> None:
    texts = ["Ông A nói: “Sẽ làm” - (NLĐ)", "Bà B nói: “Sẽ xong” - (NLĐ)"]
    plain = set(SyllableVectorizer(min_df=2).fit(texts).get_feature_names_out())
    marked = SyllableVectorizer(min_df=2, punctuation=True).fit(texts)
    names = set(marked.get_feature_names_out())
    assert {n for n in plain if " " not in n} < names  # the same syllables, and marks
    assert {"“", "-", "( nlđ", "nói :", ": “", "“ sẽ"} <= names
    assert not any(set(name) & set("“:-(") for name in plain)
    # the same texts with another quote style share fewer features
    other = marked.transform(['Ông A nói: "Sẽ làm" - NLĐ'])
    same = marked.transform([texts[0]])
    assert other.nnz < same.nnz


def test_vectorizer_max_features_keeps_the_most_frequent() -> None:
    full = SyllableVectorizer(min_df=1).fit(TEXTS)
    small = SyllableVectorizer(min_df=1, max_features=10).fit(TEXTS)
    assert small.n_features_out_ == 10 < full.n_features_out_
    counts = full.transform(TEXTS)
    df = dict(zip(full.get_feature_names_out(), np.diff(counts.tocsc().indptr), strict=True))
    kept = set(small.get_feature_names_out())
    assert min(df[name] for name in kept) >= max(df[n] for n in df if n not in kept)


def test_normalize_text_agrees_with_monitor_normalize() -> None:
    samples = ["Hoà Bình  khoẻ thuý", "HÒANG  huỳnh Quý", "GD&amp;ĐT\u200b tỉnh Bắc Giang",
               "xoè\u00a0tay, tuỳ ý; thủy lợi", "e\u0301 Ðà Nẵng"] + TEXTS
    for text in samples:
        assert normalize_text(text) == normalize(text).lower(), text


def test_train_eval_and_classify_commands(tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "train.jsonl.gz",
                        [{"text": t, "label": y} for t, y in zip(TEXTS, LABELS, strict=True)])
    card = train_model("sections", data, tmp_path / "model", params=SMALL, folds=2)
    assert card.n_documents == len(TEXTS) and sorted(card.classes) == sorted(CORPUS)
    assert 0 <= card.metrics["accuracy"] <= 1 and card.metrics["folds"] == 2
    assert "expected_calibration_error" in card.metrics and card.params["min_df"] == 1
    assert load_model(tmp_path / "model").card == card

    test = _write_jsonl(tmp_path / "test.jsonl",
                        [{"text": t, "label": y} for y, t in NEW_TEXTS.items()])
    result = evaluate_model(tmp_path / "model", test)
    assert result.accuracy == 1.0 and result.n_documents == 4

    lines = io.StringIO("\n".join(json.dumps({"id": i, "title": t}, ensure_ascii=False)
                                  for i, t in enumerate(NEW_TEXTS.values())) + "\n\n")
    out = io.StringIO()
    assert classify_stream(load_model(tmp_path / "model"), lines, out) == 4
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["sections"] for row in rows] == list(NEW_TEXTS)
    assert [row["id"] for row in rows] == [0, 1, 2, 3]
    assert all(sum(row["sections_probabilities"].values()) == pytest.approx(1, abs=1e-3)
               for row in rows)


def test_multilabel_train_command(tmp_path: Path) -> None:
    rows = [{"text": t, "labels": [y] + (["Tin nong"] if i % 2 else [])}
            for i, (t, y) in enumerate(zip(TEXTS, LABELS, strict=True))]
    card = train_model("topics", _write_jsonl(tmp_path / "t.jsonl", rows), tmp_path / "m",
                       params=SMALL, folds=2)
    assert card.multilabel and "Tin nong" in card.classes and "micro_f1" in card.metrics
    out = io.StringIO()
    classify_stream(load_model(tmp_path / "m"), io.StringIO(json.dumps({"text": TEXTS[0]})), out)
    row = json.loads(out.getvalue())
    assert isinstance(row["topics"], list) and len(row["topics_probabilities"]) == 5


def test_bad_data_lines_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.jsonl:2: needs 'label'"):
        read_examples(path)
    path.write_text('{"text": "a", "label": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.jsonl:2: not JSON"):
        read_examples(path)
