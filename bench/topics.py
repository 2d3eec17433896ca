"""Topic model benchmark: micro-F1 on the labelled articles and a learning curve.

    python bench/topics.py                                   # baselines, zero point, curve
    python bench/topics.py --ship monitor/data/models/topics # also write the shipped model

Reads ../shared/data/corpus/*.jsonl.gz (third-party, never copied into the repository) and the
labels of tests/fixtures/topic_tone_labels.csv; exits with a message when the corpus is absent.

What is measured, all in this one process:
- baseline: the seed terms alone (``weak_labels`` on each article's seed counts);
- zero point: the base model trained on VNTC weak-labelled by the seeds (no human label);
- learning curve: 5-fold cross-validation over all labelled articles; in each fold the
  stacker is trained on n labelled articles of the training part and scored on the held-out
  part (the labelled VNTC articles are left out of the weak VNTC training set);
- shipped recipe (``--ship``): base on VNTC, stacker on our labels of the VNTC articles only
  (the licences allow no other text in a shipped model), scored on the labelled Dân Trí and
  baomoi articles it never saw.

The stacker also uses the shipped section model's probabilities (monitor/data/models/sections).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.evaluate import evaluate_labels  # noqa: E402
from classifiers.store import ModelCard, load_model, save_model  # noqa: E402
from classifiers.topics import NO_TOPIC, TopicModel, parse_topics, seed_counts, weak_labels  # noqa: E402
from classifiers.train import card_params, compact  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "corpus"
LABELS = ROOT / "tests" / "fixtures" / "topic_tone_labels.csv"
TOPICS = ROOT / "monitor" / "data" / "topics.yaml"
KEYS = {"dantri-2019-2021": "url", "baomoi-tc201805": "id", "vntc-train": "file"}
VNTC = "vntc-train"
SIZES = (0, 100, 250, 500, 1000)
SECTIONS = ROOT / "monitor" / "data" / "models" / "sections"


def _text(corpus: str, record: dict) -> str:
    if corpus == "dantri-2019-2021":  # the title is its own field; elsewhere the first line
        return f"{record.get('title', '')}\n{record.get('text', '')}"
    return str(record.get("text", ""))


def labelled_set(corpus_dir: Path = CORPUS, labels: Path = LABELS) -> list[dict]:
    """The labelled articles: corpus, id, text, topics (list; [] for 'khac') and tone."""
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["corpus"], set()).add(row["id"])
    texts: dict[tuple[str, str], str] = {}
    for corpus, ids in wanted.items():
        with gzip.open(corpus_dir / f"{corpus}.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record.get(KEYS[corpus]) in ids:
                    texts[(corpus, record[KEYS[corpus]])] = _text(corpus, record)
    return [{"corpus": r["corpus"], "id": r["id"], "text": texts[(r["corpus"], r["id"])],
             "topics": [] if r["topics"] == NO_TOPIC else r["topics"].split("|"),
             "tone": r["tone"]} for r in rows]


def vntc_texts(exclude: set[str], corpus_dir: Path = CORPUS, limit: int = 0) -> list[str]:
    """VNTC training texts, without the files in ``exclude`` (the labelled ones)."""
    out = []
    with gzip.open(corpus_dir / f"{VNTC}.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["file"] not in exclude:
                out.append(record["text"])
    return out[::max(1, len(out) // limit)][:limit] if limit else out


def data_sha256(texts: list[str], targets: list) -> str:
    digest = hashlib.sha256()
    for text, target in zip(texts, targets, strict=True):
        digest.update(json.dumps([text, target], ensure_ascii=False).encode())
    return digest.hexdigest()


def topic_pairs() -> list[tuple[str, tuple[str, ...]]]:
    taxonomy = parse_topics(yaml.safe_load(TOPICS.read_text(encoding="utf-8")))
    return [(t.id, t.seeds) for t in taxonomy]


def micro(truth: list[list[str]], predicted: list, classes: list[str]) -> float:
    return evaluate_labels(truth, [list(p) for p in predicted], classes).micro_f1


def learning_curve(base: TopicModel, rows: list[dict], sizes: tuple[int, ...], seeds: int
                   ) -> dict[int, list[float]]:
    """Micro-F1 of 5-fold CV for each number of labelled training articles (0: the base)."""
    texts = [r["text"] for r in rows]
    truth = [r["topics"] for r in rows]
    classes = list(base.classes_)
    proba_base = base.base_proba(texts)
    out: dict[int, list[float]] = {}
    for seed in range(seeds):
        folds = list(KFold(5, shuffle=True, random_state=seed).split(texts))
        full = len(folds[0][0])
        for n in sorted({min(s, full) for s in sizes} | {full}):
            predicted: list = [None] * len(texts)
            for train, test in folds:
                picked = np.random.RandomState(seed).permutation(train)[:n]
                model = base.with_labels([texts[i] for i in picked],
                                         [truth[i] for i in picked]) if n else base
                proba = (proba_base[test] if not n else
                         model.predict_proba([texts[i] for i in test]))
                for i, row in zip(test, proba, strict=True):
                    predicted[i] = model.decide(row)
            out.setdefault(n, []).append(micro(truth, predicted, classes))
    return out


def ship(base: TopicModel, rows: list[dict], out_dir: Path, curve: dict, unlabelled: int
         ) -> None:
    """Stacker on the VNTC labels only; scored on the other labelled articles."""
    mine = [r for r in rows if r["corpus"] == VNTC]
    held = [r for r in rows if r["corpus"] != VNTC]
    model = base.with_labels([r["text"] for r in mine], [r["topics"] for r in mine])
    held_f1 = micro([r["topics"] for r in held], model.predict_labels([r["text"] for r in held]),
                    list(model.classes_))
    zero_f1 = micro([r["topics"] for r in held],
                    base.predict_labels([r["text"] for r in held]), list(base.classes_))
    print(f"shipped recipe on the {len(held)} held-out Dân Trí + baomoi articles: micro-F1 "
          f"{held_f1:.4f} (its zero point {zero_f1:.4f})")
    metrics = {
        "heldout_micro_f1": round(held_f1, 4), "heldout_zero_point_micro_f1": round(zero_f1, 4),
        "heldout": f"{len(held)} labelled Dân Trí and baomoi articles (tests/fixtures/"
                   "topic_tone_labels.csv), never used in training",
        "cv_learning_curve_micro_f1": {str(n): round(float(np.mean(v)), 4)
                                       for n, v in curve.items()},
        "cv": f"5-fold over all {len(rows)} labelled articles, stacker trained on n of the "
              "training part",
    }
    compact(model)
    card = ModelCard(
        kind="topics", classes=[str(c) for c in model.classes_], multilabel=True,
        params=card_params(model), data_sha256=data_sha256(
            [r["text"] for r in mine], [r["topics"] for r in mine]),
        n_documents=unlabelled + len(mine), metrics=metrics,
        notes=f"base: {unlabelled} VNTC articles (MIT) weak-labelled by the seed terms; "
              f"stacker: our labels of {len(mine)} VNTC articles; built by bench/topics.py "
              "--ship")
    save_model(model, out_dir, card)
    size = sum(p.stat().st_size for p in out_dir.iterdir())
    print(f"shipped model written to {out_dir} ({size / 1e6:.1f} MB)")


def main() -> int:
    args = _arguments()
    if not (CORPUS / f"{VNTC}.jsonl.gz").is_file():
        print(f"skipped: {CORPUS} is absent (third-party corpora, see shared/data)")
        return 0
    rows = labelled_set()
    classes = [tid for tid, _ in topic_pairs()]
    truth = [r["topics"] for r in rows]
    texts = [r["text"] for r in rows]
    print(f"labelled: {len(rows)} articles, {sum(map(len, truth))} topic labels, "
          f"{sum(not t for t in truth)} 'khac'")
    started = time.perf_counter()
    seeds_only = weak_labels(seed_counts(topic_pairs(), texts), classes)
    print(f"baseline  seed terms alone: micro-F1 {micro(truth, seeds_only, classes):.4f}")
    unlabelled = vntc_texts({r["id"] for r in rows if r["corpus"] == VNTC}, limit=args.limit)
    base = TopicModel(topics=topic_pairs(), prior=args.prior)
    base.fit(unlabelled, [None] * len(unlabelled), sections=load_model(SECTIONS).estimator)
    print(f"zero point (weak VNTC base, {len(unlabelled)} texts, "
          f"{time.perf_counter() - started:.0f} s): micro-F1 "
          f"{micro(truth, base.predict_labels(texts), classes):.4f}")
    curve = learning_curve(base, rows, SIZES, args.seeds)
    print(f"learning curve (5-fold CV over the {len(rows)}; n = labelled articles trained on; "
          f"mean of {args.seeds} shuffles)")
    for n, values in curve.items():
        print(f"  n={n:4d}  micro-F1 {np.mean(values):.4f}  (min {min(values):.4f}, "
              f"max {max(values):.4f})")
    if args.ship:
        ship(base, rows, Path(args.ship), curve, len(unlabelled))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ship", help="write the shipped model directory here")
    parser.add_argument("--seeds", type=int, default=1, help="shuffles of the 5-fold CV")
    parser.add_argument("--prior", type=float, default=TopicModel().prior,
                        help="labelled-count prior of the stacker/base average")
    parser.add_argument("--limit", type=int, default=0, help="VNTC texts for the base (0: all)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
