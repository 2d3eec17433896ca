"""The review UI's pure parts: search queries, evidence, quality, filters, redirects."""

from __future__ import annotations

from datetime import date

from monitor.web.filters import parse_filter
from monitor.web.highlight import highlighted, read_signals
from monitor.web.quality import measure
from monitor.web.search import build_query
from monitor.web.security import safe_next


def test_query_with_diacritics_uses_the_exact_column_and_without_the_folded_one():
    assert build_query("Bắc Giang").expression == 'text : "bắc" AND text : "giang"'
    assert build_query("bac giang").expression == 'folded : "bac" AND folded : "giang"'
    assert build_query('"Đồng Nai" mưa').expression == 'text : "đồng nai" AND text : "mưa"'
    assert build_query("dong nai").exact is False
    assert build_query(' "" ( * ') is None


def test_evidence_is_found_by_offsets_or_by_its_text():
    body = ["Một câu mở đầu.", "Xã Tân Sơn thu phí qua cầu 50.000 đồng."]
    signals = [{"name": "rebutted", "weight": 0.9, "evidence": [
        {"field": "body", "start": 16, "end": 26, "text": "Xã Tân Sơn"},
        {"field": "body", "start": 999, "end": 1005, "text": "thu phi qua cau"}]},
        {"name": "headline", "evidence": {"field": "title", "text": "GẤP"}}]
    parts = highlighted("GẤP: thu phí", "", body, signals)
    marked = {(s.text, s.signal) for field in parts.values() for s in field if s.signal}
    assert marked == {("Xã Tân Sơn", "rebutted"), ("thu phí qua cầu", "rebutted"),
                      ("GẤP", "headline")}
    assert "".join(s.text for s in parts["body"]) == "\n".join(body)


def test_the_flags_features_format_is_read():
    body = ["Mở đầu.", "Tin đồn thu phí qua cầu Đông Xuyên."]
    signals = [{"kind": "rebutted_claim", "strength": 0.8, "weight": 1.2, "reason": "đã bác bỏ",
                "evidence": [{"text": "thu phí qua cầu", "field": "body[1]", "start": 7,
                              "end": 22},
                             {"text": "Mở đầu", "field": "body[0]", "start": 0, "end": 6,
                              "article_id": 99}]}]
    assert [(s.name, s.weight) for s in read_signals(signals)] == [("rebutted_claim", 1.2)]
    parts = highlighted("Tiêu đề", "", body, signals, article_id=5)
    assert [(s.text, s.signal) for s in parts["body"] if s.signal] == [
        ("thu phí qua cầu", "rebutted_claim")]  # the other article's quote is not located here


def test_signals_are_read_defensively():
    assert read_signals(None) == [] and read_signals("x") == []
    odd = read_signals([{"name": "a", "weight": "high"}, "junk", {"reason": "r", "weight": 2}])
    assert [(s.name, s.weight) for s in odd] == [("?", 2.0), ("a", None)]
    as_dict = read_signals({"low_tier": {"weight": 0.4, "reason": "một nguồn"}})
    assert as_dict[0].name == "low_tier" and as_dict[0].reason == "một nguồn"


def test_quality_counts_agreement_per_kind_and_version():
    rows = measure([
        ("tone", "v1", frozenset({"negative"}), frozenset({"negative"})),
        ("tone", "v1", frozenset({"negative"}), frozenset({"neutral"})),
        ("topic", "t1", frozenset({"y-te", "giao-duc"}), frozenset({"y-te"})),
    ])
    tone, topic = rows
    assert (tone.kind, tone.articles, tone.accuracy) == ("tone", 2, 0.5)
    assert tone.confusions == (("negative", "neutral", 1),)
    assert (topic.precision, topic.recall, topic.accuracy) == (0.5, 1.0, 0.0)


def test_filters_drop_malformed_values():
    flt = parse_filter({"q": " cầu ", "start": "2026-11-01", "end": "31/12", "tier": "x",
                        "topic": "y-te", "source": "../etc", "page": "-3", "flag": "open"})
    assert (flt.q, flt.start, flt.end, flt.tier, flt.topic, flt.source, flt.page, flt.flag) == (
        "cầu", date(2026, 11, 1), None, "", "y-te", "", 1, "open")
    assert flt.query_string(page=2) == "q=c%E1%BA%A7u&start=2026-11-01&topic=y-te&flag=open&page=2"


def test_only_local_paths_are_redirect_targets():
    assert safe_next("/flags?status=open") == "/flags?status=open"
    for bad in ("//evil", "https://evil", "/\\evil", "evil", "", None, "/\x00x"):
        assert safe_next(bad) == "/"
