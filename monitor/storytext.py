"""Features for story clustering: TF-IDF terms, names, template headlines (pure)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from monitor.text import fold, normalize

__all__ = [
    "STOP_ACRONYMS", "DocumentFrequencies", "TitleShape", "cosine", "denies", "head", "names",
    "overlap", "template_clash", "terms", "title_shape",
]

# Function words and news boilerplate: frequent, carry no story (lower-case, normalised).
_STOPWORDS_RAW = """
và của là có được cho các những một trong với đã này không khi để đến từ theo về tại cũng như ra
thì nhiều sẽ đó vào trên sau năm ngày hơn còn lại nên nhưng bị do mà vì nếu đang rất số phải hay
thể tới cùng lên chỉ hiện qua hai ba bốn năm sáu bảy tám chín mười trước đây nào gì ai đều luôn
vừa mới việc làm điều rằng cả nữa vẫn ngoài giữa dưới sự cách người ông bà anh chị em họ chúng tôi
ta mình bởi tuy vậy thế ở thêm đi có thể khác lần tháng tuần giờ sáng chiều tối trưa đêm hôm nay
qua tới nơi gần xa đầu cuối theo đó cho biết nói cho rằng thông tin báo phóng viên bài viết
ảnh video clip nguồn tin tức mục xem thêm liên quan đọc tiếp chia sẻ bình luận
""".split()
STOPWORDS: frozenset[str] = frozenset(normalize(w) for w in _STOPWORDS_RAW)
# Acronyms and place tokens that appear in unrelated stories (QUIRKS 58-59): never evidence.
_STOP_ACRONYMS_RAW = """
HĐQT HĐND UBND HĐTV ĐHĐCĐ BCH BCĐ BQL CEO CFO IPO USD VND VNĐ EUR GDP CPI FDI ODA TP TPHCM HCM
VN THPT THCS ĐH CĐ CLB HLV CSGT CAND QĐND ND NĐ QĐ TT CP CTCP TNHH MTV KCN KKT BĐS
PV CTV TTXVN VTV VOV BTC LĐ UB TW MC AI ATM GS TS PGS THS BS
""".split()
STOP_ACRONYMS: frozenset[str] = frozenset(fold(a) for a in _STOP_ACRONYMS_RAW)
# What terms() skips: stopwords and the generic acronyms, lower-case as tokens() yields them.
_STOP_TERMS: frozenset[str] = STOPWORDS | frozenset(a.lower() for a in _STOP_ACRONYMS_RAW)
_TOKEN = re.compile(r"[^\W_]+(?:[.,/:-][0-9]+)*")
_UPPER = "Đ" + "".join(
    c for c in map(chr, range(0x41, 0x1F00))
    if c.isupper() and c.isalpha() and unicodedata.normalize("NFD", c)[0].isascii())
# Runs of capitalised words separated by spaces only (punctuation ends a name).
_CAPITALISED_RUN = re.compile(rf"(?<!\w)[{_UPPER}][^\W_]*(?:[ ]+[{_UPPER}][^\W_]*)*")
# A date (day and month, any of / . _ - between them) or another number.
_FIGURE = re.compile(r"(?<![0-9])([0-3]?[0-9])[/._-]([01]?[0-9])(?:[/._-][0-9]{2,4})?(?![0-9])"
                     r"|[0-9]+(?:[.,][0-9]+)*")
# Capitalised words that open sentences or stand before names without being part of them.
_NAME_LEADERS = frozenset(normalize(w) for w in """
theo ngày sáng chiều tối trưa đêm tại trong khi sau trước ông bà anh chị em cháu bé thầy cô
đồng chí lãnh đạo các những một người đây đó này hôm nay với về từ đến cho và của là có
""".split())
# Words by which an article denies a claim (an official rebuttal of a rumour): such an article
# shares the claim's subject, not its wording, and belongs to the story it denies.
_DENIAL_CUES = tuple(normalize(w) for w in (
    "bác bỏ", "bác tin", "thông tin sai", "sai sự thật", "không đúng sự thật", "tin giả",
    "phủ nhận", "cải chính", "đính chính", "không có chuyện", "thông tin thất thiệt"))
ENTITY_BOOST = 2.0
TITLE_REPEAT = 2


def tokens(text: str) -> list[str]:
    """Lower-case tokens of normalised text: syllables, and numbers with their separators kept
    (``15/9``, ``67,5``, ``1.000``)."""
    return _TOKEN.findall(text.lower())


def terms(title: str, text: str) -> Counter[str]:
    """Term counts for TF-IDF: syllables and adjacent-syllable pairs (most Vietnamese words are two
    syllables) without stopwords or generic acronyms; the title counts ``TITLE_REPEAT`` times."""
    counts: Counter[str] = Counter()
    for part, repeat in ((title, TITLE_REPEAT), (text, 1)):
        for _ in range(repeat):
            _count_terms(tokens(part), counts)
    return counts


def _count_terms(toks: list[str], counts: Counter[str]) -> None:
    previous = None
    for tok in toks:
        if tok in _STOP_TERMS:
            previous = None
            continue
        counts[tok] += 1
        if previous is not None:
            counts[previous + " " + tok] += 1
        previous = tok


def names(text: str) -> set[str]:
    """Names in normalised text, folded: runs of two or more capitalised syllables ("Nguyễn Văn
    An", "Hiệp Hòa") without a leading sentence word ("Theo", "Ông"), and acronyms ("EVN"),
    except the generic ones of ``STOP_ACRONYMS``."""
    found: set[str] = set()
    for match in _CAPITALISED_RUN.finditer(text):
        run: list[str] = []
        for tok in match.group(0).split():
            if not _is_acronym(tok):
                run.append(tok)
                continue
            _close_run(run, found)
            run = []
            if fold(tok) not in STOP_ACRONYMS:
                found.add(fold(tok))
        _close_run(run, found)
    return found


def _is_acronym(tok: str) -> bool:
    return len(tok) >= 2 and tok.isupper() and tok.isalpha()


def _close_run(run: list[str], found: set[str]) -> None:
    start = 0
    while start < len(run) and run[start].lower() in _NAME_LEADERS:
        start += 1
    if len(run) - start >= 2:
        found.add(fold(" ".join(run[start:])))


@dataclass(frozen=True)
class TitleShape:
    """The figures a headline names (dates, numbers) and its other words, to recognise the
    editions of a template headline."""

    figures: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    prefix: tuple[str, ...] = ()  # the words before the first figure


def title_shape(title: str) -> TitleShape:
    """Figures ("15/9" for "15/09" or "15.9", "8,5", "47" for "047") and the non-numeric folded
    words of a title; empty when the title has no figure."""
    folded = fold(title)
    found = [m for m in _FIGURE.finditer(folded)]
    if not found:
        return TitleShape()
    figures = {f"{int(m.group(1))}/{int(m.group(2))}" if m.group(1) else
               (m.group(0).lstrip("0") or "0") for m in found}
    words = {w for w in re.findall(r"[a-z]+", folded) if w not in STOPWORD_FOLDS}
    prefix = tuple(re.findall(r"[a-z]+", folded[:found[0].start()]))
    return TitleShape(frozenset(figures), frozenset(words), prefix)


STOPWORD_FOLDS: frozenset[str] = frozenset(fold(w) for w in STOPWORDS)


def template_clash(a: TitleShape, b: TitleShape, overlap: float = 0.5) -> bool:
    """True for two editions of a template headline: both name figures, other ones (other dates,
    or no figure in common), and the same two or more words before the first figure or mostly
    the same words ("Giá vàng hôm nay 15/9: tăng mạnh" vs "Giá vàng hôm nay 16/9: giảm nhẹ",
    "MFB 008" vs "MFB 047": QUIRKS 60, a repost has the same numbers)."""
    if not a.figures or not b.figures or not _figures_differ(a.figures, b.figures):
        return False
    if len(a.prefix) >= 2 and a.prefix == b.prefix:
        return True
    union = a.words | b.words
    return bool(union) and len(a.words & b.words) / len(union) >= overlap


def _figures_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when two headlines name other dates (when both name one), or else when neither
    names only figures of the other: "Sạt lở 120 m bờ sông, 14 hộ di dời" and "di dời 14 hộ
    dân" report one event with more or fewer of its figures; "Giá vàng 15/9: giảm 500.000" and
    "16/9: giảm 500.000" are two editions."""
    dates_a, dates_b = {f for f in a if "/" in f}, {f for f in b if "/" in f}
    if dates_a and dates_b:
        return dates_a.isdisjoint(dates_b)
    return not (a <= b or b <= a)


@dataclass
class DocumentFrequencies:
    """Running document frequencies for IDF (``docs`` counted so far, ``counts`` per term)."""

    docs: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def update(self, keys: Iterable[str] | Mapping[str, float], *, documents: int = 1) -> None:
        """Add ``documents`` documents (0 for more terms of a unit already counted, such as
        another report of a counted story) and their keys: once each from an iterable, with
        their counts from a mapping. The clusterer gives term counts, so ``counts`` sum term
        occurrences (collection frequency: a word repeated in every article is demoted more
        than by document frequency); ``story_threshold`` was calibrated so."""
        self.docs += documents
        self.counts.update(keys)

    def idf(self, key: str) -> float:
        return math.log((1 + self.docs) / (1 + self.counts.get(key, 0))) + 1.0

    def share(self, key: str) -> float:
        """The fraction of documents containing ``key``."""
        return self.counts.get(key, 0) / self.docs if self.docs else 0.0

    def weigh(self, counts: Mapping[str, float], limit: int,
              counted: bool = True) -> dict[str, float]:
        """Unit-length TF-IDF vector (sublinear tf) of the ``limit`` heaviest keys, heaviest
        first. ``counted=False`` for a document not (yet) in the frequencies: it is counted as
        if it were, so that its own terms are not rarer than those it shares with one counted
        document (on a small collection that would outweigh what it shares)."""
        own = 0 if counted else 1
        log, get, base = math.log, self.counts.get, math.log(1 + self.docs + own) + 1.0
        weights = [((1.0 + log(c)) * (base - log(1 + own + get(k, 0))), k)
                   for k, c in counts.items() if c > 0]
        weights.sort(reverse=True)
        del weights[limit:]
        norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
        return {k: w / norm for w, k in weights}


def features(title: str, text: str, places: Iterable[str] = ()) -> Counter[str]:
    """Terms plus names ("@nguyen van an", boosted by ``ENTITY_BOOST``): a story's features."""
    counts = terms(title, text)
    entities = names(title) | names(text) | {fold(normalize(p)) for p in places if p}
    for name in entities:
        counts["@" + name] = ENTITY_BOOST
    return counts


def denies(title: str, lead: str) -> bool:
    """True when a normalised title or lead says the article denies a claim ("bác bỏ thông
    tin", "không đúng sự thật", "tin giả")."""
    text = f"{title} {lead}".lower()
    return any(cue in text for cue in _DENIAL_CUES)


def head(text: str, limit: int) -> str:
    """The start of a text, cut at a space: the lead carries the story (inverted pyramid) and
    bounds the work on long articles."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > 0 else limit]


def overlap(a: dict[str, float], b: dict[str, float]) -> tuple[float, int]:
    """Cosine of two unit vectors and how many keys they share."""
    if len(a) > len(b):
        a, b = b, a
    dot, shared = 0.0, 0
    for key, weight in a.items():
        other = b.get(key)
        if other is not None:
            dot += weight * other
            shared += 1
    return dot, shared


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit vectors (iterating the smaller)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(k, 0.0) for k, w in a.items())
