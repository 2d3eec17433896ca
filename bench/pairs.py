"""Pair benchmark: precision and recall of story and copy decisions on human-labelled pairs.

    python bench/pairs.py [--pairs tests/fixtures/story_pairs.csv] [--df-docs 30000]

Reads the labelled pairs (columns ``corpus_a,id_a,corpus_b,id_b,label,note``; label ``copy``,
``same_story`` or ``different``), loads both texts of each pair from ../shared/data/corpus, and
asks ``StoryClusterer.compare`` how the second relates to the first (time windows do not apply:
corpus times are coarse). Document frequencies come from up to ``--df-docs`` documents of the
corpora the pairs use, so IDF is learned from real text. Printed: precision and recall of
"same story or copy" against "different", and of copy detection alone; the same for a baseline
in the same process (plain syllable-count cosine for stories, exact shingle Jaccard for copies);
and precision/recall of the story score at several thresholds, to calibrate ``story_threshold``.
Exits with a message and status 0 when the pairs file or the corpora are absent.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.dedup import Doc, StoryClusterer  # noqa: E402
from monitor.minhash import shingle_jaccard, syllables  # noqa: E402
from monitor.storytext import DocumentFrequencies, features  # noqa: E402
from monitor.text import fold, normalize  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "story_pairs.csv"
CORPUS = ROOT.parent / "shared" / "data" / "corpus"
FILES = {"dantri-2019-2021": "dantri-2019-2021.jsonl.gz",
         "baomoi-tc201805": "baomoi-tc201805.jsonl.gz", "vntc-train": "vntc-train.jsonl.gz"}
ID_FIELD = {"dantri-2019-2021": "url", "baomoi-tc201805": "id", "vntc-train": "file"}
POSITIVE = {"copy", "same_story"}
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    corpus_a: str
    id_a: str
    corpus_b: str
    id_b: str
    label: str


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [Pair(r["corpus_a"], r["id_a"], r["corpus_b"], r["id_b"], r["label"].strip())
            for r in rows if r.get("label", "").strip()]


def rows(corpus: str) -> Iterator[dict]:
    with gzip.open(CORPUS / FILES[corpus], "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def to_doc(corpus: str, row: dict, doc_id: int) -> Doc:
    """A corpus row as a Doc; the outlet is what the corpus tells of it (VNTC file names carry
    it, baomoi items do not: each is its own outlet so the same-title rule cannot fire)."""
    key = doc_key(corpus, row)
    if corpus == "dantri-2019-2021":
        title, text, source = row.get("title", ""), row.get("text", ""), "dantri"
    elif corpus == "baomoi-tc201805":
        title, _, text = row.get("text", "").partition("\n")
        source = f"baomoi:{key}"
    else:
        title, text = "", row.get("text", "")
        parts = re.split(r"[_ ]+", key)
        source = f"vntc:{parts[1] if len(parts) > 1 else key}"
    return Doc(doc_id, source, EPOCH, title, text, key if "://" in key else "")


def load_docs(pairs: Sequence[Pair], df_docs: int, seed: int) -> tuple[dict, list[Doc]]:
    """The pairs' documents by (corpus, id), and a sample of documents for IDF."""
    wanted: dict[str, set[str]] = {}
    for pair in pairs:
        wanted.setdefault(pair.corpus_a, set()).add(pair.id_a)
        wanted.setdefault(pair.corpus_b, set()).add(pair.id_b)
    found: dict[tuple[str, str], Doc] = {}
    sample: list[Doc] = []
    rng = random.Random(seed)
    per_corpus = max(1, df_docs // max(1, len(wanted)))
    for corpus, ids in wanted.items():
        reservoir: list[Doc] = []
        for seen, row in enumerate(rows(corpus), start=1):
            doc = to_doc(corpus, row, seen)
            if doc_key(corpus, row) in ids:
                found[(corpus, doc_key(corpus, row))] = doc
            if len(reservoir) < per_corpus:
                reservoir.append(doc)
            elif (slot := rng.randrange(seen)) < per_corpus:
                reservoir[slot] = doc
        sample += reservoir
    return found, sample


def doc_key(corpus: str, row: dict) -> str:
    return str(row[ID_FIELD[corpus]])


def scores(truth: Sequence[bool], predicted: Sequence[bool]) -> str:
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    return f"precision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})"


def plain_cosine(a: Doc, b: Doc) -> float:
    """Baseline: cosine of raw syllable counts, no IDF, no pairs, no names."""
    ca = Counter(syllables(fold(normalize(a.title + " " + a.text))))
    cb = Counter(syllables(fold(normalize(b.title + " " + b.text))))
    na = math.sqrt(sum(v * v for v in ca.values())) or 1.0
    nb = math.sqrt(sum(v * v for v in cb.values())) or 1.0
    return sum(v * cb.get(k, 0) for k, v in ca.items()) / (na * nb)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--df-docs", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.pairs.is_file():
        print(f"skipped: no labelled pairs at {args.pairs} (the annotators' file is not there yet)",
              file=sys.stderr)
        return 0
    if not CORPUS.is_dir():
        print(f"skipped: third-party corpora not available: {CORPUS} is absent", file=sys.stderr)
        return 0
    pairs = read_pairs(args.pairs)
    unknown = ({p.corpus_a for p in pairs} | {p.corpus_b for p in pairs}) - set(FILES)
    if unknown:
        print(f"error: unknown corpora in {args.pairs}: {sorted(unknown)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    docs, sample = load_docs(pairs, args.df_docs, args.seed)
    df = DocumentFrequencies()
    for doc in sample:
        df.update(features(normalize(doc.title), normalize(doc.text)))
    print(f"loaded {len(docs)} pair documents and IDF from {df.docs} documents "
          f"in {time.perf_counter() - started:.1f} s")
    evaluate(pairs, docs, StoryClusterer(df=df))
    return 0


def evaluate(pairs: Sequence[Pair], docs: dict, clusterer: StoryClusterer) -> None:
    usable = [p for p in pairs if (p.corpus_a, p.id_a) in docs and (p.corpus_b, p.id_b) in docs]
    print(f"pairs: {len(pairs)} labelled, {len(usable)} with both texts found; labels "
          f"{dict(Counter(p.label for p in usable))}")
    if not usable:
        return
    started = time.perf_counter()
    verdicts = [clusterer.compare(docs[(p.corpus_a, p.id_a)], docs[(p.corpus_b, p.id_b)])
                for p in usable]
    print(f"compared in {time.perf_counter() - started:.2f} s")
    related = [p.label in POSITIVE for p in usable]
    copies = [p.label == "copy" for p in usable]
    print("same story or copy:", scores(related, [v.relation != "different" for v in verdicts]))
    print("copy:              ", scores(copies, [v.relation in ("copy", "duplicate")
                                                 for v in verdicts]))
    pair_docs = [(docs[(p.corpus_a, p.id_a)], docs[(p.corpus_b, p.id_b)]) for p in usable]
    plain = [plain_cosine(a, b) for a, b in pair_docs]
    exact = [shingle_jaccard(syllables(fold(normalize(a.text))), syllables(fold(normalize(
        b.text))), clusterer.minhasher.k)[0] for a, b in pair_docs]
    print("baseline same story or copy (plain cosine >= 0.5):",
          scores(related, [s >= 0.5 for s in plain]))
    print(f"baseline copy (exact Jaccard >= {clusterer.copy_threshold}):",
          scores(copies, [j >= clusterer.copy_threshold for j in exact]))
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        guess = [v.relation in ("copy", "duplicate") or v.story_score >= threshold
                 for v in verdicts]
        print(f"  story threshold {threshold:.2f}: {scores(related, guess)}")


if __name__ == "__main__":
    sys.exit(main())
