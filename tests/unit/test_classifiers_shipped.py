"""The section model shipped in monitor/data/models loads offline and classifies plausibly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers import load_default

MODELS = Path(__file__).resolve().parents[2] / "monitor" / "data" / "models"

# Sentences written for this test, one per section.
SENTENCES = {
    "The thao": "Đội tuyển Việt Nam thắng Thái Lan 2-1 trong trận chung kết, tiền đạo ghi bàn "
                "ở phút 89 khiến các cổ động viên trên sân vỡ òa.",
    "Kinh doanh": "Chỉ số VN-Index tăng 15 điểm, cổ phiếu ngân hàng dẫn dắt thị trường chứng "
                  "khoán trong phiên giao dịch sáng nay.",
    "Suc khoe": "Bác sĩ Bệnh viện Bạch Mai khuyến cáo người dân tiêm vắc xin phòng cúm, nhất là "
                "trẻ nhỏ và người cao tuổi mắc bệnh mãn tính.",
    "Phap luat": "Tòa án nhân dân tỉnh tuyên phạt bị cáo 12 năm tù về tội lừa đảo chiếm đoạt "
                 "tài sản sau khi cơ quan điều tra khởi tố vụ án.",
    "Vi tinh": "Phiên bản mới của hệ điều hành Windows vá lỗi bảo mật, người dùng máy tính "
               "được khuyên cập nhật phần mềm diệt virus.",
    "The gioi": "Tổng thống Mỹ hội đàm với Thủ tướng Nhật Bản tại Nhà Trắng về an ninh khu vực "
                "và quan hệ thương mại giữa hai nước.",
}


@pytest.fixture(scope="module")
def shipped():
    return load_default(MODELS)


def test_shipped_model_card_describes_it(shipped) -> None:
    card = shipped.card
    assert card.kind == "sections" and not card.multilabel and len(card.classes) == 10
    assert card.n_documents > 30_000 and len(card.data_sha256) == 64
    assert card.metrics["folds"] == 5 and card.metrics["accuracy"] > 0.9


def test_shipped_model_classifies_sentences_into_plausible_sections(shipped) -> None:
    texts = list(SENTENCES.values())
    proba = shipped.predict_proba(texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    predicted = [shipped.classes[i] for i in proba.argmax(axis=1)]
    assert predicted == list(SENTENCES)


def test_shipped_model_is_small() -> None:
    size = sum(path.stat().st_size for path in (MODELS / "sections").iterdir())
    assert size < 8_000_000
