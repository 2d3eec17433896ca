"""Deduplication and story clusters: URL keys, same-title reposts, copies, stories (pure).

``StoryClusterer.add`` decides, for each new document, in this order:

1. ``duplicate``: the same URL key (:func:`canonical_key`) as a known document, or the same
   outlet with the same folded title within ``dup_window`` (the outlet republished it under a
   new URL), or a MinHash match from the same outlet;
2. ``copy``: another outlet's document within ``dup_window`` whose syllable shingles have an
   estimated Jaccard of at least ``copy_threshold`` (or whose shorter text is contained at
   ``copy_containment``), found by MinHash with LSH banding (``monitor.minhash``), unless the
   two are editions of a template: dated titles that clash, or figures that mostly differ;
3. ``story``: the best cluster whose story members (``new`` and ``story``, not copies) would
   still span at most ``window`` with this document, scoring at least ``story_threshold``. The
   score is the mean cosine to the cluster's two closest members (the one member of a
   single-document cluster), so one similar member is not enough to chain a document into a
   larger cluster (a centroid, tried first, drifted towards the topic and merged whole
   topics); a member counts only when it shares at least ``min_shared`` terms with the
   document (short texts are otherwise too easily close).
   Vectors are TF-IDF over syllables and syllable pairs plus names and places
   (``monitor.storytext``); generic acronyms and stopwords are not terms, and a cluster holding
   another edition of a template headline ("Giá vàng hôm nay 15/9" vs "16/9") is never joined.
   A document that denies a claim ("bác bỏ thông tin", ``storytext.denies``) needs only
   ``denial_factor`` of the threshold, to its closest member: a rebuttal shares the rumour's
   subject, not its wording;
4. otherwise ``new``: the document founds a cluster whose id is its own id.

IDF on a small collection (a new deployment's first day, the demo). Document frequencies are
learnt as documents arrive, so each retained vector is weighed again once they have grown by a
quarter (both sides of a cosine then use the same IDF), a new document is weighed as if already
counted, and the later reports of a story (up to ``story_reports``) add only the terms the story
did not have: four outlets telling one story would otherwise make its own names look common and
weaken what ties the reports together. Candidates are found through postings of the heaviest
terms; a term counts as too common to probe only past ``common_share`` of the documents and 50.

Cluster ids are stable: a cluster is named after its founding document, and ``seed`` re-loads
documents with their stored assignments without deciding again.

Late documents. Documents should arrive roughly in published order. Each is compared with the
retained documents within ``window`` (stories) or ``dup_window`` (copies, same titles) of its own
published time, before or after. The clusterer keeps copy and title indexes for ``dup_window`` and
story vectors for ``window`` (plus a day) behind the newest published time seen, a clock that
moves at most one day per document so one wrongly dated document cannot flush the indexes. A late
document may join a cluster and become its first publisher (``ClusterSummary.first_doc_id``);
the cluster id does not change. A document older than what is retained founds a new cluster.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from monitor.minhash import BucketedIndex, MinHasher, Signature, syllables
from monitor.storytext import (
    DocumentFrequencies,
    TitleShape,
    cosine,
    denies,
    features,
    head,
    overlap,
    template_clash,
    title_shape,
)
from monitor.text import fold, normalize
from monitor.urlkey import canonical_key, canonical_url

__all__ = [
    "Assignment", "ClusterSummary", "Doc", "PairVerdict", "StoryClusterer", "canonical_key",
    "canonical_url",
]

log = logging.getLogger(__name__)

Relation = Literal["new", "duplicate", "copy", "story"]
_DAY = 86_400.0
_MIN_COPY_TOKENS = 20  # shorter texts are shingled with their title
_MIN_CONTAINED = 30  # shingles a text needs before containment alone can make it a copy
_LEAD_CHARS = 400  # where a denial says what it denies
_COMMON_FLOOR = 50  # documents a term may be in before it is too common to probe


@dataclass(frozen=True)
class Doc:
    """One article as the clusterer sees it; ``published`` must be timezone-aware. ``text`` is
    the sapo and body (paragraphs joined by newlines); ``places`` are names of places found by
    the relevance stage (``Mention.name``), added to the document's names."""

    id: int
    source_id: str
    published: datetime
    title: str
    text: str
    url: str
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """Where a document went: its cluster (the founding document's id), how, next to what."""

    doc_id: int
    cluster_id: int
    relation: Relation
    related_to: int | None = None
    score: float = 0.0


@dataclass(frozen=True)
class ClusterSummary:
    """A cluster's first publisher (earliest published, ties by first seen), its documents in
    the order they were seen, its outlets, and how many of them covered it independently (an
    outlet whose only documents are copies or duplicates does not count)."""

    cluster_id: int
    first_doc_id: int
    first_source_id: str
    doc_ids: tuple[int, ...]
    outlets: tuple[str, ...]
    independent_outlets: int
    independent_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairVerdict:
    """How two documents relate, time windows aside (for pair evaluation)."""

    relation: Literal["duplicate", "copy", "story", "different"]
    copy_jaccard: float
    copy_containment: float
    story_score: float


@dataclass
class _Prepared:
    """A document with the features computed so far (the expensive ones only when needed)."""

    doc: Doc
    ts: float
    url_key: str
    title_key: str
    shape: TitleShape
    title: str
    text: str
    signature: Signature | None = None
    numbers: frozenset[str] = frozenset()
    counts: dict[str, float] | None = None
    vector: dict[str, float] | None = None
    weighed: int = 0  # df.docs when ``vector`` was weighed


@dataclass
class _Member:
    doc_id: int
    source_id: str
    ts: float
    seen: int
    relation: Relation


@dataclass
class _Cluster:
    id: int
    members: list[_Member] = field(default_factory=list)
    story_first: float = math.inf  # published span of the story members (new and story)
    story_last: float = -math.inf
    story_members: int = 0
    open: bool = True  # False once the founder's vectors are dropped: no more story joins
    story_ids: list[int] = field(default_factory=list)  # its new and story members
    terms: set[str] = field(default_factory=set)  # counted in the document frequencies
    shapes: list[TitleShape] = field(default_factory=list)  # story members' titles w/ figures


@dataclass
class _Entry:
    """A retained document: what later documents are compared with."""

    doc_id: int
    source_id: str
    ts: float
    cluster_id: int
    url_key: str
    signature: Signature | None
    vector: dict[str, float] | None
    shape: TitleShape
    numbers: frozenset[str]
    counts: dict[str, float] | None = None  # term counts, to weigh the vector again
    weighed: int = 0  # df.docs when ``vector`` was weighed


def _may_copy(shape_a: TitleShape, numbers_a: frozenset[str], shape_b: TitleShape,
              numbers_b: frozenset[str]) -> bool:
    """False for two editions of a template (QUIRKS 60: a repost has the same numbers): titles
    that clash on their dates, or texts with three or more numbers each that mostly differ."""
    if template_clash(shape_a, shape_b):
        return False
    if len(numbers_a) < 3 or len(numbers_b) < 3:
        return True
    return len(numbers_a & numbers_b) * 2 >= len(numbers_a | numbers_b)


class StoryClusterer:
    """Incremental deduplication and story clustering (see the module docstring)."""

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=72),
        dup_window: timedelta = timedelta(days=7),
        copy_threshold: float = 0.5,
        copy_containment: float = 0.9,
        story_threshold: float = 0.3,
        minhasher: MinHasher | None = None,
        max_terms: int = 80,
        candidates: int = 12,
        probe_terms: int = 30,
        min_shared: int = 4,
        common_share: float = 0.05,
        text_chars: int = 2000,
        normalized: bool = False,
        df: DocumentFrequencies | None = None,
        story_reports: int = 2,
        denial_factor: float = 0.5,
    ) -> None:
        self.window = window
        self.dup_window = dup_window
        self.copy_threshold = copy_threshold
        self.copy_containment = copy_containment
        self.story_threshold = story_threshold
        self.minhasher = minhasher or MinHasher()
        self.max_terms = max_terms
        self.candidates = candidates
        self.probe_terms = probe_terms
        self.min_shared = min_shared
        self.common_share = common_share
        self.text_chars = text_chars
        self.normalized = normalized
        self.story_reports = story_reports
        self.denial_factor = denial_factor
        self.df = df if df is not None else DocumentFrequencies()
        self._assignments: dict[int, Assignment] = {}
        self._clusters: dict[int, _Cluster] = {}
        self._entries: dict[int, _Entry] = {}
        self._entry_days: dict[int, list[int]] = defaultdict(list)
        self._urls: dict[str, int] = {}
        self._titles: BucketedIndex[tuple[str, str], int] = BucketedIndex()
        self._bands: BucketedIndex[int, int] = BucketedIndex()
        self._postings: BucketedIndex[str, tuple[int, float]] = BucketedIndex()
        self._seen = 0
        self._clock = -math.inf

    # -- public API --------------------------------------------------------------------------
    def add(self, doc: Doc) -> Assignment:
        """Decide where a new document goes, remember it, and return the decision. Adding a
        document id again returns its first assignment."""
        if doc.id in self._assignments:
            return self._assignments[doc.id]
        item = self._prepare(doc)
        assignment = (self._by_url(item) or self._by_title(item) or self._by_copy(item)
                      or self._by_story(item) or Assignment(doc.id, doc.id, "new"))
        self._record(item, assignment)
        return assignment

    def seed(self, doc: Doc, assignment: Assignment) -> None:
        """Re-load a document clustered in an earlier run, keeping its stored assignment."""
        if assignment.doc_id != doc.id:
            raise ValueError(f"assignment of doc {assignment.doc_id} given for doc {doc.id}")
        if doc.id not in self._assignments:
            self._record(self._prepare(doc), assignment)

    def assignment(self, doc_id: int) -> Assignment:
        return self._assignments[doc_id]

    def cluster_ids(self) -> list[int]:
        return list(self._clusters)

    def cluster_summary(self, cluster_id: int) -> ClusterSummary:
        """The summary of a cluster known to this clusterer (KeyError otherwise)."""
        cluster = self._clusters[cluster_id]
        first = min(cluster.members, key=lambda m: (m.ts, m.seen))
        independent = sorted({m.source_id for m in cluster.members
                              if m.relation in ("new", "story")})
        return ClusterSummary(
            cluster_id=cluster.id, first_doc_id=first.doc_id, first_source_id=first.source_id,
            doc_ids=tuple(m.doc_id for m in cluster.members),
            outlets=tuple(sorted({m.source_id for m in cluster.members})),
            independent_outlets=len(independent), independent_sources=tuple(independent))

    def compare(self, a: Doc, b: Doc) -> PairVerdict:
        """How ``b`` relates to ``a`` by the rules of ``add``, ignoring time windows and using the
        current document frequencies (for pair evaluation; the clusterer is not changed)."""
        pa, pb = self._prepare(a), self._prepare(b)
        jaccard, containment = self._copy_scores(pa, pb)
        story = 0.0 if template_clash(pa.shape, pb.shape) else cosine(
            self._vector(pa), self._vector(pb))
        same_title = a.source_id == b.source_id and pa.title_key and pa.title_key == pb.title_key
        if (pa.url_key and pa.url_key == pb.url_key) or same_title:
            relation = "duplicate"
        elif self._is_copy(jaccard, containment, pa, pb) and _may_copy(
                pa.shape, pa.numbers, pb.shape, pb.numbers):
            relation = "copy"
        else:
            relation = "story" if story >= self.story_threshold else "different"
        return PairVerdict(relation, jaccard, containment, story)

    # -- features ----------------------------------------------------------------------------
    def _prepare(self, doc: Doc) -> _Prepared:
        if doc.published.tzinfo is None or doc.published.utcoffset() is None:
            raise ValueError(f"doc {doc.id}: published must be timezone-aware")
        title, text = doc.title, head(doc.text, self.text_chars)
        if not self.normalized:
            title, text = normalize(title), normalize(text)
        return _Prepared(
            doc=doc, ts=doc.published.timestamp(), url_key=canonical_key(doc.url) if doc.url
            else "", title_key=" ".join(syllables(fold(title))), shape=title_shape(title),
            title=title, text=text)

    def _signature(self, item: _Prepared) -> Signature | None:
        if item.signature is None:
            toks = syllables(fold(item.text))
            if len(toks) < _MIN_COPY_TOKENS:
                toks = syllables(fold(item.title)) + toks
            item.signature = self.minhasher.signature(toks)
            item.numbers = frozenset(t for t in toks if t[0].isdigit())
        return item.signature

    def _vector(self, item: _Prepared) -> dict[str, float]:
        if item.counts is None:
            item.counts = features(item.title, item.text, item.doc.places)
        if item.vector is None or self._stale(item.weighed):
            item.vector = self.df.weigh(item.counts, self.max_terms, counted=False)
            item.weighed = self.df.docs
        return item.vector

    def _entry_vector(self, entry: _Entry) -> dict[str, float] | None:
        """A retained document's vector under the current document frequencies: weighed again
        once they have grown by a quarter since, so both sides of a cosine use the same IDF (the
        first documents of a fresh database were weighed with almost none)."""
        if entry.vector is not None and entry.counts is not None and self._stale(entry.weighed):
            entry.vector, entry.weighed = self.df.weigh(entry.counts, self.max_terms), self.df.docs
        return entry.vector

    def _stale(self, weighed: int) -> bool:
        return self.df.docs > weighed + max(1, weighed // 4)

    # -- decisions ---------------------------------------------------------------------------
    def _by_url(self, item: _Prepared) -> Assignment | None:
        other = self._urls.get(item.url_key) if item.url_key else None
        if other is None:
            return None
        return self._related(item, other, "duplicate", 1.0)

    def _by_title(self, item: _Prepared) -> Assignment | None:
        if not item.title_key:
            return None
        reach = self.dup_window.total_seconds()
        key = (item.doc.source_id, item.title_key)
        near = [d for d in self._titles.query(key, item.ts, reach)
                if d in self._entries and abs(self._entries[d].ts - item.ts) <= reach]
        if not near:
            return None
        other = min(near, key=lambda d: abs(self._entries[d].ts - item.ts))
        return self._related(item, other, "duplicate", 1.0)

    def _by_copy(self, item: _Prepared) -> Assignment | None:
        signature = self._signature(item)
        if signature is None:
            return None
        reach = self.dup_window.total_seconds()
        tables = self._bands.tables(item.ts, reach)
        keys = self.minhasher.band_keys(signature)
        seen = {other for table in tables for key in keys for other in table.get(key, ())}
        best: tuple[float, float, int] | None = None
        for other in seen:
            entry = self._entries.get(other)
            if entry is None or entry.signature is None or abs(entry.ts - item.ts) > reach:
                continue
            if not _may_copy(item.shape, item.numbers, entry.shape, entry.numbers):
                continue
            jaccard, containment = signature.similarity(entry.signature)
            if self._is_copy_sig(jaccard, containment, signature, entry.signature):
                rank = (max(jaccard, containment), -entry.ts, other)
                best = rank if best is None or rank > best else best
        if best is None:
            return None
        other = best[2]
        relation = "duplicate" if self._entries[other].source_id == item.doc.source_id else "copy"
        return self._related(item, other, relation, round(best[0], 4))

    def _by_story(self, item: _Prepared) -> Assignment | None:
        vector = self._vector(item)
        denial = denies(item.title, item.text[:_LEAD_CHARS])
        scored = self._scored_clusters(item, vector, denial)
        if not scored:
            return None
        score, cluster_id, related = max(scored)
        if score < self.story_threshold * (self.denial_factor if denial else 1.0):
            return None
        return Assignment(item.doc.id, cluster_id, "story", related, round(score, 4))

    def _related(self, item: _Prepared, other: int, relation: Relation,
                 score: float) -> Assignment:
        cluster_id = self._assignments[other].cluster_id
        return Assignment(item.doc.id, cluster_id, relation, other, score)

    def _copy_scores(self, a: _Prepared, b: _Prepared) -> tuple[float, float]:
        sa, sb = self._signature(a), self._signature(b)
        return sa.similarity(sb) if sa is not None and sb is not None else (0.0, 0.0)

    def _is_copy(self, jaccard: float, containment: float, a: _Prepared, b: _Prepared) -> bool:
        sa, sb = self._signature(a), self._signature(b)
        return sa is not None and sb is not None and self._is_copy_sig(
            jaccard, containment, sa, sb)

    def _is_copy_sig(self, jaccard: float, containment: float, a: Signature,
                     b: Signature) -> bool:
        if jaccard >= self.copy_threshold:
            return True
        return containment >= self.copy_containment and min(a.size, b.size) >= _MIN_CONTAINED

    # -- story candidates --------------------------------------------------------------------
    def _scored_clusters(self, item: _Prepared, vector: dict[str, float],
                         denial: bool = False) -> list[tuple[float, int, int]]:
        """(score, cluster id, closest member) for each candidate cluster that may be joined. A
        denial answers the claim, not each report of it: its score is its closest member's."""
        sims: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for other, sim in self._member_similarities(item, vector):
            sims[self._entries[other].cluster_id].append((sim, other))
        scored = []
        for cluster_id, members in sims.items():
            cluster = self._clusters[cluster_id]
            if not self._joinable(cluster, item):
                continue
            if cluster.story_members > 1 and len(members) < 2 and not denial:
                members += self._other_members(item, vector, cluster, members[0][1])
            members.sort(reverse=True)
            score = members[0][0] if denial else self._cluster_score(cluster, members)
            scored.append((score, cluster_id, members[0][1]))
        return scored

    def _member_similarities(self, item: _Prepared,
                             vector: dict[str, float]) -> list[tuple[int, float]]:
        """Exact cosines with the retained story documents that share the most weight."""
        partial = self._probe(item, vector)
        best = heapq.nlargest(self.candidates, partial.items(), key=lambda kv: kv[1])
        floor = self.story_threshold / 4  # the heaviest terms alone get this close to the cosine
        found = []
        for other, part in best:
            if part < floor:
                break
            sim = self._member_similarity(item, vector, other)
            if sim is not None:
                found.append((other, sim))
        return found

    def _probe(self, item: _Prepared, vector: dict[str, float]) -> dict[int, float]:
        """The part of the cosine that each retained story document gets from the query's
        ``probe_terms`` heaviest terms (with the document's weights as posted: they rank
        candidates, the exact cosine is weighed again). Terms in more than ``common_share`` of the
        documents (and in more than ``_COMMON_FLOOR``, so that a small database keeps its story
        terms) are skipped: long postings, little evidence."""
        common = max(self.common_share * self.df.docs, _COMMON_FLOOR)
        counts = self.df.counts
        tables = self._postings.tables(item.ts, self.window.total_seconds())
        partial: dict[int, float] = defaultdict(float)
        probes = 0
        for key, weight in vector.items():  # heaviest first
            seen = counts.get(key, 0)
            if seen == 0 or seen > common:  # never seen: no postings
                continue
            for table in tables:
                for other, other_weight in table.get(key, ()):
                    partial[other] += weight * other_weight
            probes += 1
            if probes >= self.probe_terms:
                break
        return partial

    def _member_similarity(self, item: _Prepared, vector: dict[str, float],
                           other: int) -> float | None:
        """The cosine with a retained story document in reach, if they share ``min_shared``
        terms (short texts are otherwise too easily close); None when it does not count."""
        entry = self._entries.get(other)
        if entry is None or abs(entry.ts - item.ts) > self.window.total_seconds():
            return None
        other_vector = self._entry_vector(entry)
        if other_vector is None:
            return None
        sim, shared = overlap(vector, other_vector)
        return sim if shared >= self.min_shared else None

    def _other_members(self, item: _Prepared, vector: dict[str, float], cluster: _Cluster,
                       found: int) -> list[tuple[float, int]]:
        """Cosines with the cluster's other story members (the latest ``candidates``), when
        retrieval found one: the two-closest rule must not count an unretrieved member as 0."""
        others = [d for d in cluster.story_ids if d != found][-self.candidates:]
        sims = ((self._member_similarity(item, vector, d), d) for d in others)
        return [(sim, d) for sim, d in sims if sim is not None]

    def _joinable(self, cluster: _Cluster, item: _Prepared) -> bool:
        span = max(cluster.story_last, item.ts) - min(cluster.story_first, item.ts)
        if span > self.window.total_seconds() or not cluster.open:
            return False
        return not any(template_clash(item.shape, shape) for shape in cluster.shapes)

    @staticmethod
    def _cluster_score(cluster: _Cluster, members: list[tuple[float, int]]) -> float:
        """Mean cosine to the two closest story members (members sorted, best first)."""
        if cluster.story_members <= 1:
            return members[0][0]
        return (members[0][0] + (members[1][0] if len(members) > 1 else 0.0)) / 2

    # -- memory ------------------------------------------------------------------------------
    def _record(self, item: _Prepared, assignment: Assignment) -> None:
        doc = item.doc
        self._assignments[doc.id] = assignment
        cluster = self._clusters.get(assignment.cluster_id)
        if cluster is None:
            cluster = self._clusters[assignment.cluster_id] = _Cluster(assignment.cluster_id)
        self._seen += 1
        cluster.members.append(_Member(doc.id, doc.source_id, item.ts, self._seen,
                                       assignment.relation))
        story = assignment.relation in ("new", "story")
        vector = self._remember_story(item, cluster) if story else None
        self._remember(item, assignment.cluster_id, vector)
        self._advance_clock(item.ts)

    def _remember_story(self, item: _Prepared, cluster: _Cluster) -> dict[str, float]:
        vector = self._vector(item)  # weighed as if counted: it is now
        self._count_terms(item.counts or {}, cluster)
        self._postings.add_items(((k, (item.doc.id, w)) for k, w in vector.items()), item.ts)
        cluster.story_members += 1
        cluster.story_ids.append(item.doc.id)
        cluster.story_first = min(cluster.story_first, item.ts)
        cluster.story_last = max(cluster.story_last, item.ts)
        if item.shape.figures:
            cluster.shapes.append(item.shape)
        return vector

    def _count_terms(self, counts: dict[str, float], cluster: _Cluster) -> None:
        """Document frequencies count stories, not reports: the first report counts as a
        document, later ones add only the terms the story did not have. Four outlets telling
        one story would otherwise make its names look common on a small collection and weaken
        the very terms that tie the reports together."""
        if not cluster.story_members or cluster.story_members > self.story_reports:
            self.df.update(counts)
            cluster.terms.update(counts if not cluster.story_members else ())
            return
        fresh = {k: c for k, c in counts.items() if k not in cluster.terms}
        self.df.update(fresh, documents=0)
        cluster.terms.update(fresh)

    def _remember(self, item: _Prepared, cluster_id: int, vector: dict[str, float] | None) -> None:
        doc = item.doc
        signature = self._signature(item)
        self._entries[doc.id] = _Entry(
            doc.id, doc.source_id, item.ts, cluster_id, item.url_key, signature, vector,
            item.shape, item.numbers, item.counts if vector is not None else None, item.weighed)
        self._entry_days[int(item.ts // _DAY)].append(doc.id)
        if item.url_key:
            self._urls.setdefault(item.url_key, doc.id)
        if item.title_key:
            self._titles.add(((doc.source_id, item.title_key),), doc.id, item.ts)
        if signature is not None:
            self._bands.add(self.minhasher.band_keys(signature), doc.id, item.ts)

    def _advance_clock(self, ts: float) -> None:
        """Move the clock (at most a day per document) and drop what fell out of reach."""
        before = int(self._clock // _DAY) if self._clock > -math.inf else None
        self._clock = ts if self._clock == -math.inf else max(self._clock, min(ts, self._clock
                                                                                + _DAY))
        if before is None or int(self._clock // _DAY) == before:
            return
        story_limit = self._clock - self.window.total_seconds() - _DAY
        dup_limit = self._clock - max(self.dup_window, self.window).total_seconds() - _DAY
        self._postings.evict_before(story_limit)
        self._titles.evict_before(dup_limit)
        self._bands.evict_before(dup_limit)
        self._forget(story_limit, dup_limit)

    def _forget(self, story_limit: float, dup_limit: float) -> None:
        for day in [d for d in self._entry_days if d < int(story_limit // _DAY)]:
            for doc_id in self._entry_days[day]:
                entry = self._entries.get(doc_id)
                if entry is None:
                    continue
                entry.vector = entry.counts = None
                if entry.cluster_id == doc_id:  # a founder out of reach: the story is closed
                    self._clusters[doc_id].open = False
                    self._clusters[doc_id].terms = set()
                if entry.ts < dup_limit:
                    del self._entries[doc_id]
                    if self._urls.get(entry.url_key) == doc_id:
                        del self._urls[entry.url_key]
            if day < int(dup_limit // _DAY):
                del self._entry_days[day]
