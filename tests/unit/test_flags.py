"""Needs-verification signals, paraphrase matching, the combiner and the budget threshold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from classifiers.verification import (
    FEATURES,
    FlagCombiner,
    HeadlineModel,
    format_features,
    neutralize,
    threshold_for_budget,
)
from monitor.flags import Context, FlagSettings, assess
from monitor.flags_lexicon import PhraseFinder, headline_scores, sentences
from monitor.flags_match import Rebuttal, RebuttalMatcher, numbers, rebuttal_signal
from monitor.flags_signals import (
    ArticleText,
    RefetchFinding,
    StoryInfo,
    official_denial_signal,
    sensational_signal,
    single_source_signal,
    takedown_signal,
    unattributed_signal,
)

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
TOLL = Rebuttal(1, "Từ ngày 1/12, tỉnh sẽ thu phí tất cả các cầu qua sông Thương, xe máy "
                   "10.000 đồng mỗi lượt.", date(2026, 11, 25), "Sở Xây dựng", "https://x.example/1")
LYCHEE = Rebuttal(2, "Thương lái Trung Quốc ngừng thu mua vải thiều Lục Ngạn.",
                  date(2026, 6, 1), "Sở Công Thương", "https://x.example/2")
SCHOOLS = Rebuttal(3, "Tất cả trường học ở Bắc Ninh cho học sinh nghỉ học từ thứ Hai vì dịch "
                      "cúm.", date(2026, 11, 20), "Sở Giáo dục và Đào tạo", "https://x.example/3")
MATCHER = RebuttalMatcher([TOLL, LYCHEE, SCHOOLS])


def article(title: str, *body: str, sapo: str = "", tier: str = "other", id: int = 1,
            source: str = "tonghop") -> ArticleText:
    return ArticleText(id=id, source_id=source, title=title, sapo=sapo, body=tuple(body),
                       source_name=source, tier=tier, published=NOW - timedelta(hours=10))


# -- rebuttal matching -------------------------------------------------------------------------

# Paraphrases written for this test: other words, other order, synonyms, no diacritics.
PARAPHRASES = [
    (1, "Kể từ 1/12, mọi cây cầu bắc qua sông Thương đều bị tính phí, xe máy 10k một lượt."),
    (1, "tu 1/12 qua cau song Thuong deu phai mat phi, xe may 10k/luot"),
    (1, "Bắt đầu từ ngày 1/12, đi qua các cầu trên sông Thương phải trả phí 10 nghìn đồng mỗi "
        "lượt với xe máy."),
    (2, "Nghe nói thương lái bên Trung Quốc đã dừng thu mua vải ở Lục Ngạn."),
    (2, "Lái buôn Trung Quốc không mua vải thiều Lục Ngạn nữa, nhà vườn lo lắng."),
    (3, "Toàn bộ các trường ở Bắc Ninh sẽ cho học sinh dừng đến trường từ thứ Hai do dịch cúm."),
]
UNRELATED = [
    "Giá vải thiều Lục Ngạn năm nay tăng nhẹ so với năm ngoái.",
    "Cầu Xương Giang được sửa chữa mặt đường trong tháng 12.",
    "Trạm thu phí trên quốc lộ 1 điều chỉnh giá vé từ ngày 1/12.",
    "Học sinh trường Tiểu học Lê Lợi được nghỉ học một ngày để tổ chức hội thao.",
    "Sở Xây dựng kiểm tra chất lượng các cây cầu trên sông Cầu trước mùa mưa.",
]


@pytest.mark.parametrize(("rebuttal_id", "text"), PARAPHRASES)
def test_paraphrases_of_a_rebutted_claim_match_it(rebuttal_id, text):
    matches = MATCHER.match(article("Tin tức", text))
    assert [m.rebuttal.id for m in matches] == [rebuttal_id]
    signal = rebuttal_signal(matches, official=False)
    assert signal is not None and signal.kind == "rebuttal_match"
    e = signal.evidence[0]
    assert e.field == "body[0]" and text[e.start:e.end] == e.text


@pytest.mark.parametrize("text", UNRELATED)
def test_sentences_on_other_matters_do_not_match(text):
    assert MATCHER.match(article("Tin tức", text)) == []


def test_matching_ignores_negation_but_a_denial_raises_nothing():
    denied = article("Tin tức", "Tỉnh không thu phí các cầu qua sông Thương từ 1/12.")
    matches = MATCHER.match(denied)
    assert [m.rebuttal.id for m in matches] == [1] and matches[0].denies
    assert rebuttal_signal(matches, official=False) is None
    report = article("Sở Xây dựng bác bỏ tin thu phí cầu", "Từ ngày 1/12, tỉnh sẽ thu phí tất "
                     "cả các cầu qua sông Thương, theo một bài đăng.", tier="provincial")
    assert rebuttal_signal(MATCHER.match(report), official=True, reports_denial=True) is None


def test_numbers_are_compared_as_values():
    assert numbers("xe máy 10.000 đồng") == numbers("xe máy 10k") == numbers("10 nghìn") \
        == frozenset({"10000"})
    assert numbers("từ 1/12, giá 169,3 triệu") == frozenset({"1/12", "169300000"})


# -- text signals ------------------------------------------------------------------------------

def test_sensational_headlines_are_told_from_news_headlines():
    loud = article("SỐC: Cả xóm tá hỏa vì vết nứt lạ trên đê, đê sắp vỡ?")
    plain = article("Tỉnh khởi công tuyến đường nối hai khu công nghiệp")
    probs = headline_scores([loud.title, plain.title])
    signal = sensational_signal(loud, probs[0])
    assert signal is not None and signal.strength >= 0.8
    assert {e.text.lower() for e in signal.evidence} >= {"sốc", "tá hỏa"}
    assert sensational_signal(plain, probs[1]) is None and probs[0] > probs[1]


def test_unattributed_accusations_are_a_signal_attributed_figures_are_not():
    loose = article("Dự án bị tố", "Chủ đầu tư đã chiếm đoạt hơn 50 tỷ đồng của người mua. "
                    "Cán bộ địa phương bao che cho sai phạm suốt hai năm. Toàn bộ hồ sơ đều "
                    "làm khống.")
    sourced = article("Kết quả thu ngân sách", "Theo Sở Tài chính, thu ngân sách đạt 12.000 tỷ "
                      "đồng. Trong đó thu nội địa đạt 9.000 tỷ đồng, tăng 15%.",
                      "Ông Nguyễn Văn A cho biết tỉnh thu hút 300 triệu USD vốn FDI.")
    signal = unattributed_signal(loose)
    assert signal is not None and signal.strength == 1.0
    assert signal.evidence[0].text.startswith("Chủ đầu tư đã chiếm đoạt")
    assert unattributed_signal(sourced) is None


def test_hearsay_does_not_attribute_a_claim():
    rumour = article("Tin đồn", "Theo lời đồn, 2.000 công nhân sẽ bị cắt giảm. Cư dân mạng cho "
                     "rằng công ty cố tình ém thông tin.", "Có người nói 40% lao động nghỉ việc.")
    signal = unattributed_signal(rumour)
    assert signal is not None and signal.detail["hearsay"] >= 2


def test_single_source_needs_a_low_tier_outlet_and_the_wait_to_be_over():
    a = article("Tin một nguồn", "Nội dung.")
    story = StoryInfo(1, NOW - timedelta(hours=7), 1, 1)
    hours, tiers = 6.0, ("other",)
    assert single_source_signal(a, story, now=NOW, hours=hours, low_tiers=tiers) is not None
    early = StoryInfo(1, NOW - timedelta(hours=2), 1, 1)
    assert single_source_signal(a, early, now=NOW, hours=hours, low_tiers=tiers) is None
    covered = StoryInfo(1, NOW - timedelta(hours=7), 3, 2)
    assert single_source_signal(a, covered, now=NOW, hours=hours, low_tiers=tiers) is None
    official = article("Tin", "x", tier="provincial")
    assert single_source_signal(official, story, now=NOW, hours=hours, low_tiers=tiers) is None


def test_an_official_denial_in_the_same_story_is_a_signal_with_its_quote():
    rumour = article("Sắp thu phí cầu", "Từ 1/12 thu phí cầu.")
    denial = article("Sở Xây dựng bác bỏ thông tin thu phí cầu", "Đây là thông tin sai sự thật. "
                     "Công an đang xác minh tài khoản.", id=2, tier="provincial",
                     source="baobacgiang")
    other = article("Bác bỏ tin đồn", "Thông tin sai sự thật.", id=3, tier="other",
                    source="tonghop2")
    tiers = ("central", "provincial")
    signal = official_denial_signal(rumour, [rumour, other, denial], tiers)
    assert signal is not None and signal.detail["article_id"] == 2
    assert any(e.article_id == 2 and "sai sự thật" in e.text for e in signal.evidence)
    assert official_denial_signal(rumour, [rumour, other], tiers) is None
    assert official_denial_signal(denial, [rumour, denial], tiers) is None


def test_takedowns_and_edits_beyond_the_threshold_are_signals():
    gone = takedown_signal(RefetchFinding("gone", "24h", 404), 0.15)
    assert gone is not None and gone.strength == 1.0 and "404" in gone.reason
    diff = ({"op": "-", "text": "Đoạn cũ"}, {"op": "+", "text": "Đoạn mới"})
    edited = takedown_signal(RefetchFinding("edited", "2h", 200, 0.4, diff), 0.15)
    assert edited is not None and edited.detail["diff"] == list(diff)
    assert takedown_signal(RefetchFinding("edited", "2h", 200, 0.05, diff), 0.15) is None
    assert takedown_signal(RefetchFinding("unchanged", "2h", 200, 0.0), 0.15) is None


# -- score, combiner, budget -------------------------------------------------------------------

def test_assess_scores_a_repeated_rebutted_claim_above_a_plain_article():
    combiner, fs = FlagCombiner.initial(), FlagSettings()
    bad = article("Sốc: từ 1/12 qua cầu sông Thương phải mất phí?", PARAPHRASES[0][1])
    good = article("Tỉnh khởi công tuyến đường", "Sáng 25/11, UBND tỉnh khởi công tuyến đường.",
                   tier="provincial")
    scores = [assess(a, Context(), matcher=MATCHER, combiner=combiner, headline_prob=p,
                     now=NOW, settings=fs) for a, p in zip((bad, good), headline_scores(
                         [bad.title, good.title]), strict=False)]
    assert scores[0].score > 0.9 > 0.2 > scores[1].score
    assert {s.kind for s in scores[0].signals} >= {"rebuttal_match", "sensational"}
    assert scores[0].contributions["rebuttal_match"] > 0
    assert all(s["reason"].endswith(".") for s in scores[0].signals_json())


def test_combiner_learns_from_decisions_and_round_trips_its_params():
    rng = np.random.default_rng(0)
    rows = [{f: float(rng.random() < 0.3) for f in FEATURES} for _ in range(200)]
    labels = [int(r["official_denial"] or r["takedown"]) for r in rows]
    model = FlagCombiner().fit(rows, labels)
    weights = model.to_params()["weights"]
    assert weights["official_denial"] > 1 and weights["takedown"] > 1
    assert abs(weights["sensational"]) < weights["official_denial"]
    again = FlagCombiner.from_params(model.to_params())
    assert np.allclose(again.predict_proba(rows), model.predict_proba(rows), atol=1e-4)
    with pytest.raises(ValueError):
        FlagCombiner().fit(rows[:5], [1] * 5)


def test_budget_threshold_follows_the_score_distribution():
    scores = [i / 100 for i in range(100)]  # one day, 100 items
    t = threshold_for_budget(scores, per_day=10, days=1, floor=0.0)
    assert sum(s >= t for s in scores) == 10
    assert threshold_for_budget(scores, per_day=10, days=1, floor=0.95) == 0.95
    assert threshold_for_budget(scores[:5], per_day=10, days=1, floor=0.5) == 0.5
    assert sum(s >= threshold_for_budget(scores, per_day=5, days=2, floor=0)
               for s in scores) == 10


# -- helpers -----------------------------------------------------------------------------------

def test_phrases_match_with_or_without_diacritics_at_word_boundaries():
    finder = PhraseFinder([("sai sự thật", 1.0), ("sốc", 0.7)])
    assert [h.phrase for h in finder.find("Đây là thông tin sai sự thật về vụ sốc.")] == [
        "sai sự thật", "sốc"]
    assert [h.phrase for h in finder.find("day la thong tin sai su that, ai cung soc")] == [
        "sai sự thật", "sốc"]
    assert finder.find("Sóc Trăng có con sóc nhỏ") == []


def test_sentences_keep_offsets():
    text = "Câu một. Câu hai! Câu ba? “Câu bốn.” Hết"
    parts = sentences(text)
    assert [p.text for p in parts] == ["Câu một.", "Câu hai!", "Câu ba?", "“Câu bốn.”", "Hết"]
    assert all(text[p.start:p.end] == p.text for p in parts)


def test_format_features_and_neutral_text():
    assert neutralize("SỐC!!! Cả làng, xôn xao…") == "sốc cả làng xôn xao"
    loud, calm = format_features("SỐC!!! CẢ LÀNG?"), format_features("cả làng bình thường")
    assert loud.shape == calm.shape and loud[3] > calm[3] and loud[5] > calm[5]
    model = HeadlineModel().fit(["Sốc: cái kết đắng", "Tỉnh khởi công đường"] * 3, [1, 0] * 3)
    assert model.predict(["Cái kết sốc"])[0] == 1
