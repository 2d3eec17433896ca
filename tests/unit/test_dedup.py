"""Deduplication and story clusters: URL keys, reposts, copies, stories, windows, seeding."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.dedup import Assignment, Doc, StoryClusterer, canonical_key, canonical_url
from monitor.minhash import BucketedIndex, MinHasher, shingle_jaccard, syllables
from monitor.storytext import ENTITY_BOOST, names, template_clash, terms, title_shape
from monitor.text import fold

T0 = datetime(2025, 9, 15, 1, 0, tzinfo=UTC)

FIRE_A = (
    "Sáng 15/9, tại xã Hợp Thịnh, huyện Hiệp Hòa, tỉnh Bắc Giang, một vụ cháy lớn đã xảy ra tại "
    "xưởng sản xuất gỗ ván ép của Công ty Minh Phát khiến 3 công nhân bị thương. Ông Nguyễn Văn "
    "Hùng, Chủ tịch UBND huyện Hiệp Hòa cho biết lực lượng cảnh sát phòng cháy chữa cháy đã khống "
    "chế đám cháy sau hai giờ. Thiệt hại ban đầu ước tính khoảng 5 tỷ đồng. Nguyên nhân vụ cháy "
    "xưởng gỗ đang được cơ quan chức năng điều tra làm rõ."
)
FIRE_B = (
    "Một xưởng gỗ ván ép của Công ty Minh Phát ở xã Hợp Thịnh, Hiệp Hòa (Bắc Giang) bốc cháy dữ "
    "dội vào sáng 15/9. Theo ông Nguyễn Văn Hùng, 3 công nhân bị thương đã được đưa đi cấp cứu. "
    "Cảnh sát phòng cháy chữa cháy dập tắt đám cháy sau khoảng hai giờ, thiệt hại khoảng 5 tỷ "
    "đồng; cơ quan công an đang điều tra nguyên nhân vụ cháy."
)
FIRE_C = (
    "Lực lượng chức năng huyện Hiệp Hòa vừa dập tắt đám cháy tại xưởng gỗ của Công ty Minh Phát "
    "(xã Hợp Thịnh). Ba công nhân bị thương nhẹ, thiệt hại về tài sản ước khoảng 5 tỷ đồng; ông "
    "Nguyễn Văn Hùng cho biết công an đang làm rõ nguyên nhân vụ cháy xưởng gỗ ván ép này."
)
INVEST = (
    "Ngày 15/9, UBND tỉnh Bắc Giang tổ chức hội nghị xúc tiến đầu tư vào các khu công nghiệp với "
    "sự tham gia của hơn 200 doanh nghiệp Hàn Quốc và Nhật Bản. Bà Lê Thị Lan, Giám đốc Sở Kế "
    "hoạch và Đầu tư cho biết tỉnh đã thu hút 1,2 tỷ USD vốn đầu tư nước ngoài từ đầu năm, tập "
    "trung vào linh kiện điện tử và công nghiệp chế biến."
)


def doc(doc_id: int, source: str, hours: float, title: str, text: str,
        url: str | None = None) -> Doc:
    return Doc(doc_id, source, T0 + timedelta(hours=hours), title, text,
               url or f"https://{source}.vn/bai-{doc_id}.html")


def light_copy(text: str) -> str:
    """What a copying outlet does: a word changed, a clause cut, a credit added."""
    return (text.replace("khiến 3 công nhân", "làm 3 công nhân").replace(
        "Thiệt hại ban đầu ước tính", "Thiệt hại ước tính") + " (Theo Báo Bắc Giang)")


# -- URLs ---------------------------------------------------------------------------------------
VARIANTS = [
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html",
    "http://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html",
    "https://www.baobacgiang.vn/xa-hoi/chay-xuong-go-123.html/",
    "https://m.baobacgiang.vn/xa-hoi/chay-xuong-go-123.html",
    "https://amp.baobacgiang.vn/xa-hoi/chay-xuong-go-123.html",
    "https://baobacgiang.vn/amp/xa-hoi/chay-xuong-go-123.html",
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.amp.html",
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html?amp",
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html?utm_source=facebook&utm_medium=social",
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html?fbclid=IwAR0abc&gclid=xyz",
    "https://baobacgiang.vn/xa-hoi/chay-xuong-go-123.html?zarsrc=30&utm_campaign=zalo#binh-luan",
    "  HTTPS://BAOBACGIANG.VN:443/xa-hoi/chay-xuong-go-123.html  ",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_url_variants_share_one_key(variant: str) -> None:
    assert canonical_key(variant) == canonical_key(VARIANTS[0])


def test_url_keys_keep_what_names_the_article() -> None:
    assert canonical_key("https://a.vn/x.html?id=1") != canonical_key("https://a.vn/x.html?id=2")
    assert canonical_key("https://a.vn/x-1.html") != canonical_key("https://b.vn/x-1.html")
    assert canonical_key("https://a.vn/p?b=2&a=1") == canonical_key("https://a.vn/p?a=1&b=2")
    assert canonical_key("https://m.a.vn/p") == canonical_key("https://a.vn/p")
    assert canonical_key("https://m.vn/p") == "m.vn/p"  # a bare "m." domain is no mobile prefix


def test_canonical_url_is_fetchable_without_tracking() -> None:
    url = canonical_url("http://m.dantri.com.vn/amp/xa-hoi/a-1.htm?utm_source=x&page=2#top")
    assert url == "http://dantri.com.vn/xa-hoi/a-1.htm?page=2"
    assert canonical_url("https://www.a.vn/b/") == "https://www.a.vn/b/"  # kept: servers differ


# -- same outlet, same title ----------------------------------------------------------------------
def test_same_outlet_same_title_within_seven_days_is_a_duplicate() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    again = clusterer.add(doc(2, "baobg", 24 * 6, "Cháy  xưởng gỗ ở Hiệp Hoà", INVEST))
    assert again == Assignment(2, first.cluster_id, "duplicate", 1, 1.0)
    other_outlet = clusterer.add(doc(3, "dantri", 24 * 6, "Cháy xưởng gỗ ở Hiệp Hòa", INVEST))
    assert other_outlet.relation != "duplicate"


def test_same_title_after_seven_days_is_not_a_duplicate() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    late = clusterer.add(doc(2, "baobg", 24 * 7 + 2, "Cháy xưởng gỗ ở Hiệp Hòa", INVEST))
    assert (late.relation, late.cluster_id) == ("new", 2)


def test_url_variant_is_a_duplicate() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ", FIRE_A, VARIANTS[0]))
    again = clusterer.add(doc(2, "baobg", 1, "Một tiêu đề khác", INVEST, VARIANTS[5]))
    assert (again.relation, again.related_to, again.cluster_id) == ("duplicate", 1, 1)


# -- copies -------------------------------------------------------------------------------------
def test_lightly_edited_copy_is_a_copy_and_a_different_article_is_not() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa, 3 người bị thương", FIRE_A))
    copied = clusterer.add(doc(2, "tonghop", 3, "Bắc Giang: cháy lớn tại xưởng gỗ",
                               light_copy(FIRE_A)))
    assert (copied.relation, copied.related_to, copied.cluster_id) == ("copy", 1, 1)
    assert copied.score >= clusterer.copy_threshold
    other = clusterer.add(doc(3, "tonghop", 4, "Bắc Giang xúc tiến đầu tư", INVEST))
    assert other.relation == "new"


def test_minhash_estimate_follows_exact_jaccard() -> None:
    rng = random.Random(5)
    words = syllables(fold(FIRE_A + " " + INVEST + " " + FIRE_B))
    hasher = MinHasher()
    for keep in (1.0, 0.8, 0.5, 0.2):
        edited = [w if rng.random() < keep else rng.choice(words) for w in words]
        exact, _ = shingle_jaccard(words, edited, hasher.k)
        estimate, _ = hasher.signature(words).similarity(hasher.signature(edited))
        assert abs(estimate - exact) < 0.15


def test_template_editions_are_neither_copies_nor_one_story() -> None:
    body = ("Giá vàng SJC hôm nay {d}/9 được niêm yết ở mức {a} triệu đồng mỗi lượng mua vào và "
            "{b} triệu đồng mỗi lượng bán ra, vàng nhẫn trơn giao dịch quanh {c} triệu đồng. Trên "
            "thị trường thế giới, giá vàng giao ngay ở mức {e} USD mỗi ounce, chênh lệch giữa giá "
            "vàng trong nước và thế giới vẫn ở mức cao, các chuyên gia khuyến cáo người mua cần "
            "thận trọng khi giá biến động mạnh trong ngắn hạn.")
    day15 = body.format(d=15, a="120,5", b="122,5", c="118,2", e="3.650")
    day16 = body.format(d=16, a="121,0", b="123,0", c="118,9", e="3.662")
    clusterer = StoryClusterer()
    first = clusterer.add(doc(1, "kinhte", 0, "Giá vàng hôm nay 15/9: tăng mạnh", day15))
    next_day = clusterer.add(doc(2, "kinhte", 24, "Giá vàng hôm nay 16/9: giảm nhẹ", day16))
    assert next_day.cluster_id != first.cluster_id
    # control: the same edition from another outlet is the same text, hence merged
    same_day = clusterer.add(doc(3, "tonghop", 2, "Giá vàng hôm nay 15/9 tăng mạnh", day15))
    assert same_day.cluster_id == first.cluster_id


# -- stories ------------------------------------------------------------------------------------
def test_two_wordings_of_one_event_form_a_story_and_another_event_does_not() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa, 3 người bị thương", FIRE_A))
    other = clusterer.add(doc(2, "vnexpress", 1, "Bắc Giang xúc tiến đầu tư, hút 1,2 tỷ USD",
                              INVEST))
    wording = clusterer.add(doc(3, "dantri", 3, "Bắc Giang: cháy lớn tại xưởng gỗ Minh Phát",
                                FIRE_B))
    assert other.relation == "new"
    assert (wording.relation, wording.cluster_id, wording.related_to) == ("story", 1, 1)
    assert wording.score >= clusterer.story_threshold


def test_a_shared_generic_acronym_does_not_make_a_story() -> None:
    bank = ("HĐQT Eximbank vừa đề cử ông Trần Minh Quân và bà Phạm Thu Hà vào HĐQT nhiệm kỳ "
            "2025-2030. Theo tài liệu đại hội cổ đông, HĐQT dự kiến trình phương án chia cổ tức "
            "bằng cổ phiếu và kế hoạch lợi nhuận 5.000 tỷ đồng.")
    port = ("Cựu HLV trưởng bóng đá Việt Nam vừa tham gia HĐQT một công ty khai thác cảng biển tại "
            "Hải Phòng. HĐQT công ty cho biết sẽ mở rộng bến container và nạo vét luồng tàu trong "
            "năm tới.")
    clusterer = StoryClusterer()
    a = clusterer.add(doc(1, "cafef", 0, "Eximbank đề cử nhân sự HĐQT", bank))
    b = clusterer.add(doc(2, "thanhnien", 2, "Cựu HLV trưởng tham gia HĐQT công ty cảng", port))
    assert a.cluster_id != b.cluster_id
    assert "hđqt" not in terms("HĐQT", bank) and "hdqt" not in names(bank) | names(port)


def test_names_and_template_headlines() -> None:
    found = names("Theo ông Nguyễn Văn An, Chủ tịch UBND tỉnh Bắc Giang, EVN đã họp tại TP Hồ "
                  "Chí Minh với Đỗ Hùng.")
    assert found == {"nguyen van an", "bac giang", "evn", "ho chi minh", "do hung"}
    assert template_clash(title_shape("Top cổ phiếu đáng chú ý phiên 15/09"),
                          title_shape("Top cổ phiếu đáng chú ý phiên 16/9"))
    assert not template_clash(title_shape("Giá vàng hôm nay 15/9"),
                              title_shape("Giá vàng hôm nay 15/09"))
    assert not template_clash(title_shape("Bão số 3 đổ bộ ngày 15/9"),
                              title_shape("Hội chợ nông sản Lục Ngạn khai mạc ngày 16/9"))


def test_story_window_expires() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    later = clusterer.add(doc(2, "dantri", 73, "Bắc Giang: cháy lớn tại xưởng gỗ", FIRE_B))
    assert (later.relation, later.cluster_id) == ("new", 2)
    copy_too_late = clusterer.add(doc(3, "tonghop", 24 * 7 + 1, "Cháy xưởng gỗ",
                                      light_copy(FIRE_A)))
    assert copy_too_late.relation != "copy"


# -- summaries, late documents, seeding ----------------------------------------------------------
def test_first_publisher_and_independent_outlets_with_copies_and_a_late_doc() -> None:
    clusterer = StoryClusterer()
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    clusterer.add(doc(2, "dantri", 2, "Bắc Giang: cháy lớn tại xưởng gỗ", FIRE_B))
    clusterer.add(doc(3, "tonghop", 3, "Cháy xưởng gỗ, 3 người bị thương", light_copy(FIRE_A)))
    clusterer.add(doc(4, "baomoi", 4, "Cháy ở Hiệp Hòa", light_copy(FIRE_A) + " Xem thêm."))
    late = clusterer.add(doc(5, "vtv", -1, "Hiệp Hòa: xưởng gỗ Minh Phát bốc cháy", FIRE_C))
    assert (late.cluster_id, late.relation) == (1, "story")
    summary = clusterer.cluster_summary(1)
    assert summary.doc_ids == (1, 2, 3, 4, 5)
    assert (summary.first_doc_id, summary.first_source_id) == (5, "vtv")
    assert summary.outlets == ("baobg", "baomoi", "dantri", "tonghop", "vtv")
    copies = {clusterer.assignment(i).relation for i in (3, 4)}
    assert copies == {"copy"}
    assert summary.independent_outlets == 5 - 2
    assert summary.independent_sources == ("baobg", "dantri", "vtv")


def test_seed_then_add_keeps_cluster_ids() -> None:
    docs = [doc(10, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A),
            doc(11, "vnexpress", 1, "Bắc Giang xúc tiến đầu tư", INVEST),
            doc(12, "tonghop", 2, "Cháy xưởng gỗ", light_copy(FIRE_A))]
    first_run = StoryClusterer()
    stored = [first_run.add(d) for d in docs]
    wording = doc(13, "dantri", 5, "Bắc Giang: cháy lớn tại xưởng gỗ Minh Phát", FIRE_B)
    expected = first_run.add(wording)

    second_run = StoryClusterer()
    for d, assignment in zip(docs, stored, strict=True):
        second_run.seed(d, assignment)
    assert second_run.add(wording) == expected
    assert second_run.cluster_summary(10).doc_ids == (10, 12, 13)
    assert second_run.add(wording) == expected  # adding an id again changes nothing


def test_seed_keeps_the_stored_decision() -> None:
    clusterer = StoryClusterer()
    clusterer.seed(doc(1, "baobg", 0, "Cháy xưởng gỗ", FIRE_A), Assignment(1, 1, "new"))
    clusterer.seed(doc(2, "dantri", 1, "Đầu tư", INVEST), Assignment(2, 1, "story", 1, 0.3))
    assert clusterer.cluster_summary(1).doc_ids == (1, 2)
    with pytest.raises(ValueError):
        clusterer.seed(doc(3, "x", 0, "t", "x"), Assignment(4, 4, "new"))


def test_naive_datetimes_are_refused() -> None:
    naive = Doc(1, "baobg", datetime(2025, 9, 15, 8), "Tiêu đề", FIRE_A, "https://a.vn/1")
    with pytest.raises(ValueError, match="timezone-aware"):
        StoryClusterer().add(naive)


def test_bucketed_index_reads_near_days_and_evicts_old_ones() -> None:
    index: BucketedIndex[str, int] = BucketedIndex()
    day = 86_400
    index.add(["k"], 1, 0.0)
    index.add(["k"], 2, 5 * day)
    assert list(index.query("k", 1 * day, 2 * day)) == [1]
    assert sorted(index.query("k", 3 * day, 3 * day)) == [1, 2]
    assert index.evict_before(4 * day) == 1
    assert list(index.query("k", 3 * day, 3 * day)) == [2]


# -- full-length articles on a fresh database ------------------------------------------------------
RUMOUR = (
    "Mạng xã hội lan truyền tin từ ngày 1/12 sẽ đặt trạm thu phí ở cầu Xương Giang và cầu Mỹ Độ "
    "trên sông Thương, xe máy phải trả 10.000 đồng mỗi lượt, ô tô 35.000 đồng. Nhiều người dân "
    "hoang mang, chia sẻ bài đăng kèm hình ảnh được cho là thông báo của cơ quan chức năng.")
DENIAL = (
    "Ông Nguyễn Văn Hùng, Giám đốc Sở Xây dựng, khẳng định tỉnh không có chủ trương thu phí "
    "phương tiện qua các cầu trên sông Thương. Bài đăng lan truyền trên mạng xã hội là không đúng "
    "sự thật; cơ quan công an đang xác minh, xử lý người đăng tải.")


def test_headlines_of_one_event_may_name_more_or_fewer_of_its_figures() -> None:
    fewer = title_shape("Khẩn cấp di dời 14 hộ dân do sạt lở bờ sông Thương")
    more = title_shape("Sạt lở 120 m bờ sông Thương, 14 hộ dân phải di dời")
    assert not template_clash(fewer, more) and not template_clash(more, fewer)
    # editions of a dated template still clash, even with a figure in common
    assert template_clash(title_shape("Giá vàng hôm nay 15/9: giảm 500.000 đồng"),
                          title_shape("Giá vàng hôm nay 16/9: giảm 500.000 đồng"))


def test_a_denial_joins_the_rumour_it_denies() -> None:
    clusterer = StoryClusterer()
    rumour = clusterer.add(doc(1, "tonghop", 0, "Sốc: từ 1/12 qua cầu sông Thương phải mất phí?",
                               RUMOUR))
    clusterer.add(doc(2, "vnexpress", 1, "Bắc Giang xúc tiến đầu tư", INVEST))
    clusterer.add(doc(3, "dantri", 2, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    denial = clusterer.add(doc(4, "baobg", 12, "Sở Xây dựng bác bỏ tin thu phí qua cầu", DENIAL))
    assert (denial.relation, denial.cluster_id) == ("story", rumour.cluster_id)
    # its wording is far from the rumour's: without the words of a denial it would stay apart
    assert denial.score < clusterer.story_threshold


def test_document_frequencies_count_a_story_once_and_vectors_follow_them() -> None:
    clusterer = StoryClusterer(story_reports=2)
    clusterer.add(doc(1, "baobg", 0, "Cháy xưởng gỗ ở Hiệp Hòa", FIRE_A))
    first_weights = dict(clusterer._entries[1].vector)
    wording = clusterer.add(doc(2, "dantri", 1, "Bắc Giang: cháy lớn tại xưởng gỗ", FIRE_B))
    assert wording.relation == "story"
    df = clusterer.df
    # the second report adds no document, and nothing to the names the story already had
    assert df.docs == 1 and df.counts["@minh phat"] == ENTITY_BOOST
    clusterer.add(doc(3, "vnexpress", 2, "Bắc Giang xúc tiến đầu tư", INVEST))
    assert df.docs == 2
    refreshed = clusterer._entry_vector(clusterer._entries[1])
    assert refreshed is not None and refreshed != first_weights  # weighed again with the IDF
