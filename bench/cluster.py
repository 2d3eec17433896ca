"""Clustering benchmark: 50,000 synthetic Vietnamese articles through StoryClusterer on one core.

    python bench/cluster.py [--docs 50000 --days 21 --outlets 60 --seed 7 --subset 2000]

The corpus is generated here from word lists written for this benchmark (no third-party text):
events of a dozen news topics, each told in one to six wordings by different outlets (sharing
names, places, figures and key words, not sentences), copies of wordings by other outlets with
light edits, same-outlet reposts under new URLs, AMP/mobile/tracking URL variants, and daily
template series ("Giá vàng hôm nay 15/9") whose editions differ only in figures. Documents arrive
in published order plus a crawl delay of up to three hours, so some arrive late.

Printed: time and docs/s of the whole run; the time of the MinHash step alone; pairwise
precision/recall and B-cubed F1 against the planted stories; copy and duplicate detection; and,
on the first ``--subset`` documents, the same clustering against a naive all-pairs baseline
(cosine of each document with every earlier one in the window, single link), its time scaled
quadratically to the whole corpus.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.dedup import Doc, StoryClusterer  # noqa: E402
from monitor.minhash import MinHasher, syllables  # noqa: E402
from monitor.storytext import DocumentFrequencies, cosine, features  # noqa: E402
from monitor.text import fold, normalize  # noqa: E402

START = datetime(2025, 9, 1, tzinfo=UTC)
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đinh".split()
MIDDLE = "Văn Thị Đức Minh Quốc Hữu Thanh Ngọc Xuân Thu Hồng Công Đình Quang".split()
GIVEN = ("An Bình Cường Dũng Hùng Lan Mai Hòa Thủy Hương Long Nam Phong Quân Sơn Tâm Thắng Trung "
         "Tuấn Việt Yến Hạnh Khánh Linh Nga Oanh Phúc Quý Tùng Vinh Hải Hiếu Huy Lộc").split()
PLACES = ("Hiệp Hòa|Lục Nam|Lục Ngạn|Yên Thế|Tân Yên|Việt Yên|Lạng Giang|Sơn Động|Yên Dũng|"
          "Bắc Giang|Bắc Ninh|Từ Sơn|Quế Võ|Thuận Thành|Gia Bình|Hà Nội|Thái Nguyên|Lạng Sơn|"
          "Hải Dương|Quảng Ninh|Phú Thọ|Vĩnh Phúc").split("|")
ORGS = ("Công ty Minh Phát|Công ty Hòa Bình|Tập đoàn Đông Á|Ngân hàng Eximbank|Ngân hàng "
        "Vietcombank|Sở Y tế|Sở Giáo dục và Đào tạo|Sở Giao thông Vận tải|Công an tỉnh|Bệnh viện "
        "Đa khoa tỉnh|Ban Quản lý các khu công nghiệp|Hội Nông dân tỉnh|Tổng công ty Điện lực|"
        "Công ty Xây dựng Thành Công|Trường THPT Ngô Sĩ Liên|Hợp tác xã Phúc Hòa").split("|")
ACRONYMS = "HĐQT UBND CEO IPO USD TP HCM VN HĐND".split()
GENERAL = ("cho biết|tiến hành|triển khai|thực hiện|kiểm tra|xử lý|hỗ trợ|tổ chức|phát hiện|"
           "đề nghị|yêu cầu|đánh giá|tăng cường|phối hợp|chỉ đạo|khẩn trương|báo cáo|kết quả|"
           "tình hình|nhanh chóng|tiếp tục|quyết định|đồng thời|trong khi|ngay sau|thời gian|"
           "lực lượng|địa phương|người dân|cơ quan|chức năng|trách nhiệm|hiệu quả|cụ thể|"
           "chính quyền|thông qua|đặc biệt|quan trọng|mục tiêu|kế hoạch|nhiệm vụ|giải pháp|"
           "khu vực|hiện trường").split("|")
FUNCTION = ("và của là có được cho các những một trong với đã này không khi để đến từ theo về "
            "tại cũng").split()
TOPICS = {
    "giao thông": (
        "tai nạn|xe tải|xe khách|va chạm|quốc lộ|tài xế|cao tốc|ùn tắc|cảnh sát|nồng độ cồn|"
        "mũ bảo hiểm|phương tiện|vi phạm|giấy phép|đường tỉnh|cầu vượt|bị thương|tử vong|"
        "xe máy|ô tô|biển số|trạm thu phí|lái xe|hành khách"
    ),
    "y tế": (
        "bệnh viện|bác sĩ|bệnh nhân|cấp cứu|phẫu thuật|ngộ độc|tiêm chủng|dịch bệnh|"
        "sốt xuất huyết|vắc xin|thuốc|điều trị|khám bệnh|trạm y tế|xét nghiệm|ca mắc|"
        "bảo hiểm y tế|thực phẩm|an toàn|dinh dưỡng|nhập viện|hồi sức"
    ),
    "giáo dục": (
        "học sinh|giáo viên|trường học|tuyển sinh|kỳ thi|điểm chuẩn|sách giáo khoa|học phí|"
        "lớp học|sinh viên|tốt nghiệp|đề thi|khai giảng|học bổng|phòng học|mầm non|trung học|"
        "đại học|chương trình|đào tạo"
    ),
    "đầu tư": (
        "khu công nghiệp|nhà đầu tư|vốn đầu tư|dự án|doanh nghiệp|giấy chứng nhận|nhà máy|"
        "sản xuất|xuất khẩu|thu hút|hạ tầng|mặt bằng|giải phóng|quy hoạch|điện tử|linh kiện|"
        "lao động|việc làm|thuế|ngân sách|tăng trưởng"
    ),
    "nông nghiệp": (
        "vải thiều|nông dân|thu hoạch|sản lượng|giá bán|thương lái|vụ mùa|lúa|cây trồng|"
        "chăn nuôi|dịch tả|lợn|gia cầm|hợp tác xã|tiêu thụ|nông sản|vườn|mã số vùng|"
        "thời tiết|phân bón|năng suất"
    ),
    "an ninh": (
        "công an|khởi tố|bắt giữ|đối tượng|điều tra|lừa đảo|ma túy|trộm cắp|vụ án|tang vật|"
        "tạm giam|truy nã|đánh bạc|cờ bạc|tín dụng đen|vi phạm|xét xử|bị cáo|tòa án|"
        "viện kiểm sát|tội phạm|chiếm đoạt"
    ),
    "thiên tai": (
        "mưa lớn|lũ quét|sạt lở|ngập úng|bão|áp thấp|giông lốc|mực nước|sông|đê điều|di dời|"
        "hộ dân|thiệt hại|cứu hộ|sơ tán|tốc mái|nhà cửa|hoa màu|cảnh báo|dự báo"
    ),
    "văn hóa": (
        "lễ hội|di tích|quan họ|du lịch|du khách|chùa|đền|nghệ thuật|biểu diễn|văn nghệ|"
        "bảo tồn|di sản|truyền thống|làng nghề|tham quan|khai mạc|trưng bày|triển lãm"
    ),
    "thể thao": (
        "bóng đá|cầu thủ|huấn luyện viên|giải đấu|trận đấu|vô địch|huy chương|vận động viên|"
        "sân vận động|bàn thắng|đội tuyển|thi đấu|chung kết|câu lạc bộ|tỷ số|hiệp"
    ),
    "đô thị": (
        "xây dựng|công trình|chung cư|nhà ở|đất đai|cấp phép|trái phép|cưỡng chế|thi công|"
        "vỉa hè|chiếu sáng|cây xanh|thoát nước|rác thải|môi trường|khu dân cư|đấu giá|"
        "giá đất"
    ),
    "ngân hàng": (
        "lãi suất|tín dụng|khách hàng|tiền gửi|cho vay|nợ xấu|cổ đông|cổ phiếu|lợi nhuận|"
        "đại hội|thành viên|nhân sự|bầu|đề cử|tái cơ cấu|thanh khoản|chi nhánh|giao dịch"
    ),
}
SERIES = {  # daily template series: title formats (per outlet) and the words of their bodies
    "vàng": (["Giá vàng hôm nay {d}/{m}: {dir}", "Giá vàng ngày {d}/{m} {dir}",
              "Giá vàng SJC hôm nay {d}/{m}"],
             "giá vàng|SJC|mua vào|bán ra|triệu đồng|lượng|nhẫn trơn|thế giới|ounce|chênh lệch"),
    "chứng khoán": (["Top cổ phiếu đáng chú ý phiên {d}/{m}", "Chứng khoán phiên {d}/{m}: {dir}"],
                    "VN-Index|điểm|thanh khoản|khối ngoại|mua ròng|bán ròng|cổ phiếu|ngân hàng|"
                    "thép|bất động sản"),
    "thời tiết": (["Dự báo thời tiết Bắc Giang ngày {d}/{m}", "Thời tiết ngày {d}/{m}: {dir}"],
                  "nhiệt độ|độ C|mưa rào|nắng|gió|độ ẩm|vùng núi|đồng bằng|ban ngày|về đêm"),
    "lúa gạo": (["Giá lúa gạo hôm nay {d}/{m}: {dir}", "Giá nông sản ngày {d}/{m}"],
                "giá lúa|gạo|đồng/kg|thương lái|xuất khẩu|kho|nếp|lúa tươi|tấm|cám"),
}
DIRECTIONS = ["tăng mạnh", "giảm nhẹ", "đi ngang", "đảo chiều", "tăng nhẹ", "giảm sâu"]


@dataclass
class Event:
    """A planted story: what every wording of it shares."""

    topic: str
    when: datetime
    people: list[str]
    place: str
    org: str
    numbers: list[str]
    keys: list[str]
    acronym: str | None


@dataclass
class Planted:
    """A generated document with its truth: story id and how it was made."""

    doc: Doc
    story: int
    kind: str  # wording | copy | repost | variant | template


def make_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def make_event(rng: random.Random, when: datetime) -> Event:
    topic = rng.choice(list(TOPICS))
    vocab = TOPICS[topic].split("|")
    keys = rng.sample(vocab, 6)
    # figures are told with what they count: "12 xe tải", "3,5 tỷ đồng"
    numbers = [f"{rng.choice([rng.randint(2, 99), rng.randint(100, 999)])} {rng.choice(keys)}"
               for _ in range(3)]
    numbers.append(f"{rng.randint(1, 9)},{rng.randint(1, 9)} tỷ đồng")
    return Event(topic, when, [make_name(rng) for _ in range(rng.choice([1, 2, 2, 3]))],
                 rng.choice(PLACES), rng.choice(ORGS), numbers, keys,
                 rng.choice(ACRONYMS) if rng.random() < 0.3 else None)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def filler(rng: random.Random, topic: str, n: int) -> list[str]:
    """Words any article of the topic could use: topic words, general verbs, function words."""
    vocab, roll = TOPICS[topic].split("|"), rng.random
    return [rng.choice(vocab if roll() < 0.3 else GENERAL if roll() < 0.6 else FUNCTION)
            for _ in range(n)]


def sentence(rng: random.Random, facts: Sequence[str], topic: str) -> str:
    words = filler(rng, topic, rng.randint(8, 18))
    for fact in facts:
        words.insert(rng.randint(0, len(words)), fact)
    return cap(" ".join(words)) + "."


def wording(rng: random.Random, event: Event, pool: Sequence[str]) -> tuple[str, str]:
    """A title and a text telling the event in this outlet's own words: the facts first (the
    lead), then background sentences from the topic's ``pool`` with the other facts among them."""
    keys = rng.sample(event.keys, 3)
    head = [*keys, rng.choice([event.place, event.numbers[0], event.people[0]])]
    rng.shuffle(head)
    title = " ".join(head)
    if event.acronym and rng.random() < 0.5:
        title = f"{event.acronym} {title}"
    title = cap(f"{event.place}: {title}" if rng.random() < 0.3 else title)
    facts = [*event.keys, *event.people, event.place, event.org, *event.numbers,
             f"ngày {event.when.day}/{event.when.month}"]
    if event.acronym:
        facts.append(event.acronym)
    rng.shuffle(facts)
    sentences = [sentence(rng, facts[i:i + 2], event.topic) for i in range(0, len(facts), 2)]
    background = rng.sample(pool, rng.randint(3, 24))
    for sent in sentences[3:]:
        background.insert(rng.randint(0, len(background)), sent)
    return title, " ".join(sentences[:3] + background)


def light_edit(rng: random.Random, title: str, text: str, credit: str) -> tuple[str, str]:
    """What a copying outlet does: maybe a new title, a sentence dropped, a few words changed."""
    parts = text.split(". ")
    if len(parts) > 4 and rng.random() < 0.5:
        parts.pop(rng.randrange(len(parts)))
    words = ". ".join(parts).split(" ")
    for _ in range(rng.randint(0, 4)):
        words[rng.randrange(len(words))] = rng.choice(GENERAL)
    if rng.random() < 0.5:
        head = title.split(" ")
        rng.shuffle(head)
        title = cap(" ".join(head))
    return title, " ".join(words) + f" Theo {credit}."


def url_variant(rng: random.Random, url: str) -> str:
    host, _, path = url.removeprefix("https://").partition("/")
    forms = [f"https://m.{host}/{path}", f"https://{host}/amp/{path}",
             f"http://www.{host}/{path}/?utm_source=facebook&fbclid=IwAR{rng.randint(1, 99999)}",
             f"https://{host}/{path}?zarsrc=30&gidzl=x{rng.randint(1, 999)}"]
    return rng.choice(forms)


class Corpus:
    """Builds the planted corpus document by document (ids in creation order)."""

    def __init__(self, rng: random.Random, outlets: int, days: int) -> None:
        self.rng, self.days = rng, days
        self.outlets = [f"outlet-{i:02d}" for i in range(outlets)]
        self.weights = [1.0 / (1 + i / 8) for i in range(outlets)]
        self.items: list[Planted] = []
        self.stories = 0
        # background sentences recur within a topic, as explanations and boilerplate do
        self.background = {t: [sentence(rng, [], t) for _ in range(400)] for t in TOPICS}

    def emit(self, source: str, when: datetime, title: str, text: str, story: int, kind: str,
             url: str | None = None) -> Planted:
        doc_id = len(self.items) + 1
        url = url or f"https://{source}.vn/{fold(title)[:40].replace(' ', '-')}-{doc_id}.html"
        item = Planted(Doc(doc_id, source, when, title, text, url), story, kind)
        self.items.append(item)
        return item

    def outlet(self, exclude: Iterable[str] = ()) -> str:
        taken = set(exclude)
        while True:
            source = self.rng.choices(self.outlets, self.weights)[0]
            if source not in taken:
                return source

    def story(self, when: datetime) -> None:
        rng, event = self.rng, make_event(self.rng, when)
        self.stories += 1
        count = rng.choices([1, 2, 3, 4, 6], [60, 15, 10, 10, 5])[0]
        used: list[str] = []
        for _ in range(count):
            source = self.outlet(used)
            used.append(source)
            title, text = wording(rng, event, self.background[event.topic])
            at = when + timedelta(hours=rng.uniform(0, 30 if count > 1 else 1))
            item = self.emit(source, at, title, text, self.stories, "wording")
            self.follow_ups(item, used)

    def follow_ups(self, item: Planted, used: list[str]) -> None:
        rng, doc = self.rng, item.doc
        for _ in range(rng.choices([0, 1, 2, 3], [75, 15, 7, 3])[0]):
            source = self.outlet(used)
            used.append(source)
            title, text = light_edit(rng, doc.title, doc.text, doc.source_id)
            at = doc.published + timedelta(hours=rng.uniform(0.5, 24))
            self.emit(source, at, title, text, item.story, "copy")
        if rng.random() < 0.03:
            at = doc.published + timedelta(days=rng.uniform(1, 6))
            self.emit(doc.source_id, at, doc.title, doc.text, item.story, "repost")
        if rng.random() < 0.03:
            at = doc.published + timedelta(hours=rng.uniform(0, 12))
            self.emit(doc.source_id, at, doc.title, doc.text, item.story, "variant",
                      url_variant(rng, doc.url))

    def templates(self) -> None:
        rng = self.rng
        for name, (formats, words) in SERIES.items():
            outlets = rng.sample(self.outlets, 6)
            bodies = {o: [rng.choice(words.split("|")) for _ in range(40)] for o in outlets}
            fmt = {o: rng.choice(formats) for o in outlets}
            for day in range(self.days):
                self.stories += 1
                when = START + timedelta(days=day, hours=rng.uniform(0, 2))
                figures = [f"{rng.randint(10, 99)},{rng.randint(0, 9)}" for _ in range(8)]
                for source in outlets:
                    body = list(bodies[source])
                    for i, figure in enumerate(figures):
                        body.insert(5 * i, figure)
                    title = fmt[source].format(d=when.day, m=when.month, dir=rng.choice(DIRECTIONS))
                    self.emit(source, when + timedelta(minutes=rng.uniform(0, 90)), title,
                              " ".join(body), self.stories, f"template:{name}")


def build_corpus(docs: int, days: int, outlets: int, seed: int) -> list[Planted]:
    """About ``docs`` planted documents over ``days`` days, in arrival order."""
    rng = random.Random(seed)
    corpus = Corpus(rng, outlets, days)
    corpus.templates()
    span = timedelta(days=days).total_seconds()
    while len(corpus.items) < docs:
        corpus.story(START + timedelta(seconds=rng.uniform(0, span)))
    items = corpus.items[:docs]
    delays = {p.doc.id: timedelta(hours=rng.uniform(0, 3)) for p in items}
    return sorted(items, key=lambda p: p.doc.published + delays[p.doc.id])


# -- quality ------------------------------------------------------------------------------------
def pairwise(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall of same-cluster pairs (from the contingency table)."""
    both = sum(comb(n, 2) for n in Counter(zip(truth, predicted, strict=True)).values())
    pred = sum(comb(n, 2) for n in Counter(predicted).values())
    true = sum(comb(n, 2) for n in Counter(truth).values())
    return both / pred if pred else 1.0, both / true if true else 1.0


def bcubed_f1(truth: Sequence[int], predicted: Sequence[int]) -> float:
    cell = Counter(zip(truth, predicted, strict=True))
    t_size, p_size = Counter(truth), Counter(predicted)
    precision = sum(n * n / p_size[p] for (_, p), n in cell.items()) / len(truth)
    recall = sum(n * n / t_size[t] for (t, _), n in cell.items()) / len(truth)
    return 2 * precision * recall / (precision + recall)


def detection(items: Sequence[Planted], relations: dict[int, str], kinds: set[str],
              relation: str) -> tuple[float, float]:
    """Precision and recall of ``relation`` against documents planted as one of ``kinds``."""
    planted = {p.doc.id for p in items if p.kind in kinds}
    found = {d for d, r in relations.items() if r == relation}
    hit = len(planted & found)
    return hit / len(found) if found else 1.0, hit / len(planted) if planted else 1.0


def report_quality(label: str, items: Sequence[Planted], clusters: dict[int, int]) -> None:
    truth = [p.story for p in items]
    predicted = [clusters[p.doc.id] for p in items]
    precision, recall = pairwise(truth, predicted)
    print(f"{label}: pairwise precision {precision:.3f} recall {recall:.3f}; "
          f"B-cubed F1 {bcubed_f1(truth, predicted):.3f}; clusters {len(set(predicted))} "
          f"(planted {len(set(truth))})")


# -- runs ---------------------------------------------------------------------------------------
def run_clusterer(items: Sequence[Planted],
                  threshold: float) -> tuple[float, StoryClusterer, dict[int, str]]:
    # generated text is NFC with one tone placement already, as extracted Article fields are
    clusterer = StoryClusterer(normalized=True, story_threshold=threshold)
    relations = {}
    started = time.perf_counter()
    for item in items:
        relations[item.doc.id] = clusterer.add(item.doc).relation
    return time.perf_counter() - started, clusterer, relations


def run_minhash_only(items: Sequence[Planted]) -> float:
    hasher = MinHasher()
    started = time.perf_counter()
    for item in items:
        sig = hasher.signature(syllables(fold(item.doc.text[:2000])))  # as the clusterer does
        if sig is not None:
            hasher.band_keys(sig)
    return time.perf_counter() - started


def run_naive(items: Sequence[Planted], threshold: float,
              window: timedelta) -> tuple[float, dict[int, int]]:
    """All pairs: each document against every earlier one in the window, single link."""
    df = DocumentFrequencies()
    started = time.perf_counter()
    done: list[tuple[Doc, dict[str, float]]] = []
    clusters: dict[int, int] = {}
    for item in items:
        doc = item.doc
        counts = features(normalize(doc.title), normalize(doc.text))
        vector = df.weigh(counts, 80)
        df.update(counts)
        best, best_id = threshold, None
        for other, other_vector in done:
            if abs(other.published - doc.published) <= window:
                sim = cosine(vector, other_vector)
                if sim >= best:
                    best, best_id = sim, other.id
        clusters[doc.id] = clusters[best_id] if best_id is not None else doc.id
        done.append((doc, vector))
    return time.perf_counter() - started, clusters


def first_publisher_accuracy(items: Sequence[Planted], clusterer: StoryClusterer) -> float:
    """Share of planted multi-document stories whose cluster names the story's earliest doc."""
    by_story: dict[int, list[Planted]] = defaultdict(list)
    for item in items:
        by_story[item.story].append(item)
    checked = right = 0
    for members in by_story.values():
        if len(members) < 2:
            continue
        first = min(members, key=lambda p: p.doc.published)
        cluster = clusterer.assignment(first.doc.id).cluster_id
        checked += 1
        right += clusterer.cluster_summary(cluster).first_doc_id == first.doc.id
    return right / checked if checked else 1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--outlets", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--subset", type=int, default=2_000)
    parser.add_argument("--story-threshold", type=float, default=StoryClusterer().story_threshold)
    args = parser.parse_args(argv)
    threshold = args.story_threshold
    items = build_corpus(args.docs, args.days, args.outlets, args.seed)
    kinds = Counter(p.kind.split(":")[0] for p in items)
    print(f"corpus: {len(items)} docs, {len({p.story for p in items})} planted stories, "
          f"{len({p.doc.source_id for p in items})} outlets, {args.days} days; {dict(kinds)}")
    seconds, clusterer, relations = run_clusterer(items, threshold)
    print(f"StoryClusterer.add (story_threshold {threshold}): {seconds:.1f} s, "
          f"{len(items) / seconds:.0f} docs/s (one core)")
    minhash = run_minhash_only(items)
    print(f"baseline, MinHash signatures + band keys alone: {minhash:.1f} s "
          f"({minhash / seconds:.0%} of the full run)")
    clusters = {p.doc.id: clusterer.assignment(p.doc.id).cluster_id for p in items}
    report_quality("quality (all docs)", items, clusters)
    for relation, planted in (("copy", {"copy"}), ("duplicate", {"repost", "variant"})):
        precision, recall = detection(items, relations, planted, relation)
        print(f"{relation} detection: precision {precision:.3f} recall {recall:.3f}")
    print(f"first publisher right: {first_publisher_accuracy(items, clusterer):.3f}")
    compare_subset(items[:args.subset], items, threshold)
    return 0


def compare_subset(subset: Sequence[Planted], items: Sequence[Planted], threshold: float) -> None:
    seconds, clusterer, _ = run_clusterer(subset, threshold)
    report_quality(f"subset of {len(subset)}, StoryClusterer ({seconds:.2f} s)", subset,
                   {p.doc.id: clusterer.assignment(p.doc.id).cluster_id for p in subset})
    window = StoryClusterer().window
    naive_seconds, naive = run_naive(subset, threshold, window)
    scaled = naive_seconds * window_pairs(items, window) / max(1, window_pairs(subset, window))
    report_quality(f"subset of {len(subset)}, naive all-pairs ({naive_seconds:.2f} s, "
                   f"~{scaled:.0f} s scaled to all {len(items)} by pairs in the window)", subset,
                   naive)


def window_pairs(items: Sequence[Planted], window: timedelta) -> int:
    """How many document pairs lie within ``window`` of each other (what all-pairs compares)."""
    times = sorted(p.doc.published.timestamp() for p in items)
    reach = window.total_seconds()
    return sum(bisect.bisect_right(times, t + reach) - i - 1 for i, t in enumerate(times))


if __name__ == "__main__":
    sys.exit(main())
