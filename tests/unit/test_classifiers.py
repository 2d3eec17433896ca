"""The classifiers package: estimator conventions, training, calibration, saving and loading."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifiers import (
    ModelError,
    ModelVersionError,
    TextClassifier,
    load_default,
    load_model,
)
from classifiers.store import CARD_FILE, MODEL_FILE, ModelCard, save_model

# A tiny corpus written for these tests: four sections, eight short texts each.
CORPUS = {
    "The thao": [
        "Đội tuyển giành chiến thắng 2-0 trong trận đấu tối qua trên sân Mỹ Đình",
        "Tiền đạo ghi bàn ở phút cuối, đội bóng vào chung kết",
        "Huấn luyện viên công bố danh sách cầu thủ dự giải vô địch",
        "Câu lạc bộ thua trận thứ ba liên tiếp tại vòng đấu",
        "Vận động viên điền kinh giành huy chương vàng tại đại hội",
        "Thủ môn cản phá quả phạt đền, trận đấu kết thúc hòa",
        "Giải bóng đá vô địch quốc gia khởi tranh vòng mới",
        "Cầu thủ bị chấn thương và vắng mặt ở trận đấu tới",
    ],
    "Kinh doanh": [
        "Giá vàng trong nước tăng mạnh, thị trường chứng khoán giảm điểm",
        "Ngân hàng hạ lãi suất cho vay với doanh nghiệp nhỏ",
        "Doanh thu của công ty tăng 20% trong quý ba",
        "Cổ phiếu ngân hàng dẫn dắt thị trường tăng điểm",
        "Xuất khẩu nông sản đạt kim ngạch kỷ lục",
        "Doanh nghiệp bất động sản phát hành trái phiếu",
        "Giá xăng dầu điều chỉnh tăng từ chiều nay",
        "Lạm phát và tỷ giá ảnh hưởng tới lợi nhuận doanh nghiệp",
    ],
    "Suc khoe": [
        "Bác sĩ khuyến cáo tiêm vắc xin phòng cúm cho trẻ nhỏ",
        "Bệnh viện tiếp nhận bệnh nhân sốt xuất huyết tăng cao",
        "Ăn nhiều rau xanh giúp giảm nguy cơ bệnh tim mạch",
        "Các bác sĩ phẫu thuật thành công cho bệnh nhân ung thư",
        "Bộ Y tế cảnh báo dịch bệnh tay chân miệng",
        "Ngủ đủ giấc giúp cơ thể khỏe mạnh và giảm căng thẳng",
        "Thuốc kháng sinh cần dùng theo chỉ định của bác sĩ",
        "Bệnh nhân được điều trị tích cực tại khoa hồi sức",
    ],
    "Phap luat": [
        "Công an bắt giữ nghi phạm trộm cắp tài sản",
        "Tòa án tuyên phạt bị cáo 5 năm tù về tội lừa đảo",
        "Cơ quan điều tra khởi tố vụ án buôn lậu",
        "Viện kiểm sát truy tố các bị can trong đường dây ma túy",
        "Nghi phạm cướp tiệm vàng bị công an bắt giữ",
        "Bị cáo kháng cáo sau phiên tòa sơ thẩm",
        "Công an phường điều tra vụ trộm xe máy",
        "Tòa xét xử vụ án tham ô tài sản nhà nước",
    ],
}
TEXTS = [text for texts in CORPUS.values() for text in texts]
LABELS = [label for label, texts in CORPUS.items() for _ in texts]
NEW_TEXTS = {
    "The thao": "Đội bóng giành chiến thắng nhờ bàn thắng của tiền đạo",
    "Kinh doanh": "Lãi suất ngân hàng và giá vàng tác động tới thị trường",
    "Suc khoe": "Bác sĩ điều trị cho bệnh nhân tại bệnh viện",
    "Phap luat": "Công an khởi tố bị can, tòa án sẽ xét xử vụ án",
}
SMALL = {"min_df": 1, "calibration_cv": 2}


@pytest.fixture(scope="module")
def fitted() -> TextClassifier:
    return TextClassifier(**SMALL).fit(TEXTS, LABELS)


def test_estimator_follows_scikit_learn_conventions() -> None:
    estimator = TextClassifier(C=0.5, ngram_range=(1, 3))
    assert estimator.get_params()["C"] == 0.5
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params() and copy is not estimator
    assert estimator.set_params(C=2.0) is estimator and estimator.C == 2.0
    assert not [name for name in vars(estimator) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        estimator.predict(["một câu"])
    assert estimator.fit(TEXTS, LABELS) is estimator
    assert {"vectorizer_", "model_", "classes_", "multilabel_"} <= set(vars(estimator))
    assert not [name for name in vars(clone(estimator)) if name.endswith("_")]


def test_predicts_the_sections_of_unseen_texts(fitted: TextClassifier) -> None:
    predicted = fitted.predict(list(NEW_TEXTS.values()))
    assert list(predicted) == list(NEW_TEXTS)
    assert sorted(fitted.classes_) == sorted(CORPUS)


def test_probabilities_are_calibrated_distributions(fitted: TextClassifier) -> None:
    proba = fitted.predict_proba(list(NEW_TEXTS.values()) + ["", "một văn bản không liên quan"])
    assert proba.shape == (6, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert ((proba >= 0) & (proba <= 1)).all()
    best = proba[:4].argmax(axis=1)
    assert list(fitted.classes_[best]) == list(NEW_TEXTS)


def test_tone_mark_placement_and_case_do_not_change_predictions(fitted: TextClassifier) -> None:
    variants = ["Bác sĩ khuyên ăn uống lành mạnh để khoẻ mạnh",
                "BÁC SĨ KHUYÊN ĂN UỐNG LÀNH MẠNH ĐỂ KHỎE MẠNH"]
    proba = fitted.predict_proba(variants)
    np.testing.assert_allclose(proba[0], proba[1], atol=1e-6)


def test_multilabel_training_and_prediction() -> None:
    targets = [[label] for label in LABELS]
    # texts about money in sport carry both labels
    extra = ["Câu lạc bộ bóng đá niêm yết cổ phiếu, doanh thu tăng",
             "Cầu thủ ký hợp đồng tài trợ với doanh nghiệp, giá trị kỷ lục"] * 2
    model = TextClassifier(**SMALL).fit(TEXTS + extra, targets + [["The thao", "Kinh doanh"]] * 4)
    assert model.multilabel_
    proba = model.predict_proba([NEW_TEXTS["Suc khoe"]])
    assert proba.shape == (1, 4) and ((proba >= 0) & (proba <= 1)).all()
    indicator = model.predict([NEW_TEXTS["Phap luat"]])
    assert indicator.shape == (1, 4) and set(indicator.ravel()) <= {0, 1}
    labels = model.predict_labels([NEW_TEXTS["Suc khoe"], NEW_TEXTS["The thao"]])
    assert "Suc khoe" in labels[0] and "The thao" in labels[1]
    assert "Phap luat" not in labels[1]


def test_training_rejects_a_class_with_one_text() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        TextClassifier(min_df=1).fit(TEXTS + ["một văn bản lẻ"], LABELS + ["Khac"])


def test_save_and_load_round_trip_with_card(fitted: TextClassifier, tmp_path: Path) -> None:
    card = ModelCard(kind="sections", classes=list(fitted.classes_), multilabel=False,
                     params={"C": 1.0}, data_sha256="ab" * 32, n_documents=len(TEXTS),
                     metrics={"accuracy": 0.5})
    written = save_model(fitted, tmp_path / "m", card)
    on_disk = json.loads((tmp_path / "m" / CARD_FILE).read_text(encoding="utf-8"))
    assert on_disk["kind"] == "sections" and on_disk["data_sha256"] == "ab" * 32
    assert on_disk["versions"]["scikit-learn"] and on_disk["created"] and on_disk["model_sha256"]
    loaded = load_model(tmp_path / "m")
    assert loaded.card == written and loaded.classes == list(fitted.classes_)
    texts = list(NEW_TEXTS.values())
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def _saved(fitted: TextClassifier, directory: Path) -> Path:
    card = ModelCard(kind="sections", classes=list(fitted.classes_), multilabel=False,
                     params={}, data_sha256="", n_documents=len(TEXTS))
    save_model(fitted, directory, card)
    return directory


def _edit_card(directory: Path, **changes: object) -> None:
    path = directory / CARD_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "sklearn":
            data["versions"]["scikit-learn"] = value
        else:
            data[key] = value
    path.write_text(json.dumps(data), encoding="utf-8")


def test_model_from_another_scikit_learn_minor_version_is_refused(
        fitted: TextClassifier, tmp_path: Path) -> None:
    directory = _saved(fitted, tmp_path / "old")
    _edit_card(directory, sklearn="0.24.2")
    with pytest.raises(ModelVersionError) as info:
        load_model(directory)
    message = str(info.value)
    assert str(directory) in message and "0.24.2" in message and "scikit-learn" in message
    assert info.value.installed in message


def test_model_of_another_format_version_is_refused(fitted: TextClassifier, tmp_path: Path) -> None:
    directory = _saved(fitted, tmp_path / "future")
    _edit_card(directory, format_version=99)
    with pytest.raises(ModelVersionError, match="model format 99"):
        load_model(directory)


def test_damaged_or_missing_model_files_are_clear_errors(
        fitted: TextClassifier, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="card.json is missing"):
        load_model(tmp_path / "nothing")
    directory = _saved(fitted, tmp_path / "damaged")
    (directory / MODEL_FILE).write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(directory)
    with pytest.raises(ModelError, match="no topics model"):
        load_default(tmp_path, "topics")


def test_classifiers_never_import_monitor() -> None:
    package = Path(__file__).resolve().parents[2] / "classifiers"
    for path in package.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import monitor" not in source and "from monitor" not in source, path.name
