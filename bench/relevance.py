"""Measure relevance labels against human labels: precision, recall, F1, confusion, errors.

    python bench/relevance.py [--labels tests/fixtures/relevance_labels.csv] [--province bac-giang]

The labels CSV has columns corpus,id,label,annotator,note; the article texts are read from
../shared/data/corpus/<corpus>.jsonl.gz (third-party, not in this repository). A naive baseline
(the province's own name in the title or sapo -> about, anywhere -> mention) runs on the same
articles in the same process for comparison. Profile load times are printed too.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor import gazetteer  # noqa: E402
from monitor.relevance import assess, load_profile  # noqa: E402
from monitor.text import fold, normalize  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "corpus"
LABELS = ("about", "mention", "none")
ID_FIELD = {"dantri-2019-2021": "url", "baomoi-tc201805": "id", "vntc-train": "file"}
Article = tuple[str, str, str]


def read_labels(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row.get("label") in LABELS]


def read_articles(wanted: dict[str, set[str]]) -> dict[tuple[str, str], Article]:
    """(corpus, id) -> (title, sapo, body) for the labelled ids only (one pass per corpus)."""
    out: dict[tuple[str, str], Article] = {}
    for corpus, ids in wanted.items():
        path = SHARED / f"{corpus}.jsonl.gz"
        if not path.exists():
            sys.exit(f"{path} is missing: the shared corpus is needed for this benchmark")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                key = str(row.get(ID_FIELD[corpus]))
                if key in ids:
                    out[(corpus, key)] = split_article(corpus, row)
    return out


def split_article(corpus: str, row: dict) -> Article:
    """Dân Trí: title field, first paragraph = sapo. baomoi: first line title, rest the lead.
    VNTC: first line title, second line sapo, the rest body."""
    lines = [ln for ln in str(row.get("text") or "").split("\n") if ln.strip()]
    if corpus == "dantri-2019-2021":
        return str(row.get("title") or ""), lines[0] if lines else "", "\n".join(lines[1:])
    title, rest = (lines[0], lines[1:]) if lines else ("", [])
    if corpus == "baomoi-tc201805":
        return title, " ".join(rest), ""
    return title, rest[0] if rest else "", "\n".join(rest[1:])


def baseline(profile_names: tuple[str, ...]) -> Callable[[Article], str]:
    """Own province name (folded substring) in title/sapo -> about, in the body -> mention."""
    keys = [fold(n) for n in profile_names]

    def label(article: Article) -> str:
        head = fold(normalize(article[0] + " " + article[1]))
        if any(k in head for k in keys):
            return "about"
        return "mention" if any(k in fold(normalize(article[2])) for k in keys) else "none"
    return label


def scores(gold: list[str], pred: list[str]) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for lab in LABELS:
        tp = sum(g == p == lab for g, p in zip(gold, pred, strict=True))
        n_pred, n_gold = pred.count(lab), gold.count(lab)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = (prec, rec, f1, n_gold)
    return out


def report(name: str, gold: list[str], pred: list[str]) -> None:
    print(f"\n== {name}")
    print(f"{'label':8} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for lab, (p, r, f, n) in scores(gold, pred).items():
        print(f"{lab:8} {p:9.3f} {r:7.3f} {f:6.3f} {n:8d}")
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
    print(f"accuracy {acc:.3f} on {len(gold)} articles")
    matrix = Counter(zip(gold, pred, strict=True))
    print("confusion (rows gold, columns predicted):")
    print(" " * 9 + "".join(f"{lab:>9}" for lab in LABELS))
    for g in LABELS:
        print(f"{g:9}" + "".join(f"{matrix[(g, p)]:9d}" for p in LABELS))


# Annotator groups scored apart: a rule that helps one group and hurts the other is overfitting.
GROUPS = {"L1+L2": ("L1", "L2"), "L3+L4": ("L3", "L4")}


def report_groups(rows: list[dict], gold: list[str], pred: list[str], base: list[str]) -> None:
    print("\n== about per annotator group (assess | baseline)")
    print(f"{'group':6} {'n':>4} {'P':>6} {'R':>6} {'F1':>6} | {'P':>6} {'R':>6} {'F1':>6}")
    for name, members in GROUPS.items():
        keep = [i for i, r in enumerate(rows) if r.get("annotator") in members]
        g = [gold[i] for i in keep]
        a = scores(g, [pred[i] for i in keep])["about"]
        b = scores(g, [base[i] for i in keep])["about"]
        print(f"{name:6} {len(keep):4d} {a[0]:6.3f} {a[1]:6.3f} {a[2]:6.3f} | "
              f"{b[0]:6.3f} {b[1]:6.3f} {b[2]:6.3f}")


def load_times() -> None:
    ids = gazetteer.profile_ids()
    gazetteer._load_one.cache_clear()
    start = time.perf_counter()
    slowest = max((_timed_load(pid), pid) for pid in ids)
    total = time.perf_counter() - start
    print(f"\nprofiles: {len(ids)} loaded cold in {total * 1000:.0f} ms, slowest "
          f"{slowest[1]} {slowest[0] * 1000:.1f} ms")


def _timed_load(pid: str) -> float:
    start = time.perf_counter()
    gazetteer._load_one(pid)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path,
                        default=ROOT / "tests" / "fixtures" / "relevance_labels.csv")
    parser.add_argument("--province", default="bac-giang")
    parser.add_argument("--show", type=int, default=200, help="misclassified ids to list")
    args = parser.parse_args(argv)
    if not args.labels.exists():
        sys.exit(f"{args.labels} is missing (human labels: corpus,id,label,note)")
    rows = read_labels(args.labels)
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["corpus"], set()).add(row["id"])
    articles = read_articles(wanted)
    rows = [r for r in rows if (r["corpus"], r["id"]) in articles]
    print(f"{len(rows)} labelled articles found in the corpus ({len(articles)} read)")
    profile = load_profile(args.province)
    gold = [r["label"] for r in rows]
    start = time.perf_counter()
    results = [assess(*articles[(r["corpus"], r["id"])], profile) for r in rows]
    elapsed = time.perf_counter() - start
    naive = baseline(profile.names)
    start = time.perf_counter()
    base = [naive(articles[(r["corpus"], r["id"])]) for r in rows]
    base_elapsed = time.perf_counter() - start
    report(f"assess, profile {profile.id}", gold, [r.label for r in results])
    report("baseline: own province name, folded substring", gold, base)
    report_groups(rows, gold, [r.label for r in results], base)
    print(f"\ntime: assess {elapsed / len(rows) * 1000:.2f} ms/article, baseline "
          f"{base_elapsed / len(rows) * 1000:.2f} ms/article")
    load_times()
    wrong = [(r, res) for r, res in zip(rows, results, strict=True) if r["label"] != res.label]
    print(f"\nmisclassified: {len(wrong)}")
    for row, res in wrong[:args.show]:
        places = "; ".join(f"{m.name}/{m.unit}/{m.where}" for m in res.places[:6])
        print(f"  {row['corpus']} {row['id']} {row.get('annotator', '')} gold={row['label']} "
              f"got={res.label} score={res.score} [{places}] {row.get('note', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
