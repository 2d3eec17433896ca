"""Neighbour label features (classifiers.neighbours) and their use by the topic and tone models."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from classifiers.neighbours import LabelNeighbours, title_of


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


# Two groups of labelled points: label 0 near the x axis, label 1 near the y axis.
POINTS = _unit([[1, 0.1], [1, 0.2], [0.9, 0.1], [0.1, 1], [0.2, 1], [0.1, 0.9]])
LABELS = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])


def test_title_is_the_first_short_line_or_the_first_sentence() -> None:
    assert title_of("Khánh thành cầu mới\nSáng nay, tỉnh khánh thành...") == "Khánh thành cầu mới"
    body = "Sáng 3/5, tỉnh tổ chức lễ khánh thành cầu. " + "Cầu dài 500 m. " * 40
    assert title_of(body) == "Sáng 3/5, tỉnh tổ chức lễ khánh thành cầu."
    assert len(title_of("x" * 1000)) == 300


def test_neighbours_give_the_label_distribution_of_the_most_similar_texts() -> None:
    model = LabelNeighbours(k=3).fit([POINTS], LABELS)
    out = model.transform([_unit([[1, 0.15], [0.15, 1]])])
    assert out.shape == (2, 2)
    assert out[0].tolist() == pytest.approx([1, 0])
    assert out[1].tolist() == pytest.approx([0, 1])


def test_leave_one_out_never_counts_the_text_itself() -> None:
    # a lone point labelled 1 among label-0 points: without itself, its neighbours say 0
    points = _unit([[1, 0.1], [1, 0.2], [0.9, 0.1], [1, 0.15]])
    labels = np.array([[1, 0], [1, 0], [1, 0], [0, 1]])
    model = LabelNeighbours(k=1).fit([points], labels)
    assert model.transform([points])[3].tolist() == pytest.approx([0, 1])
    assert model.transform([points], leave_one_out=True)[3].tolist() == pytest.approx([1, 0])


def test_views_are_concatenated_and_sparse_views_work() -> None:
    sparse = sp.csr_matrix(POINTS)
    model = LabelNeighbours(k=2).fit([sparse, POINTS], LABELS)
    assert model.n_features_out == 4
    out = model.transform([sp.csr_matrix(POINTS[:1]), POINTS[:1]])
    assert out.shape == (1, 4)
    assert out[0, :2].tolist() == pytest.approx(out[0, 2:].tolist())


def test_a_text_like_none_of_the_labelled_ones_gets_zeros() -> None:
    model = LabelNeighbours(k=2).fit([POINTS], LABELS)
    assert model.transform([_unit([[-1, -1]])]).tolist() == [[0, 0]]


def test_wrong_views_are_refused() -> None:
    model = LabelNeighbours().fit([POINTS], LABELS)
    with pytest.raises(ValueError, match="expected 1 views"):
        model.transform([POINTS, POINTS])
    with pytest.raises(ValueError, match="fitted rows"):
        model.transform([POINTS[:2]], leave_one_out=True)
    with pytest.raises(ValueError, match="one row per target"):
        LabelNeighbours().fit([POINTS[:3]], LABELS)
