"""Tone benchmark: macro-F1 on the labelled articles, lexicon alone vs the trained model.

    python bench/tone.py                                 # lexicon, model CV, learning curve
    python bench/tone.py --ship monitor/data/models/tone # also write the shipped model

Reads ../shared/data/corpus/*.jsonl.gz (third-party, never copied into the repository) and the
labels of tests/fixtures/topic_tone_labels.csv; exits with a message when the corpus is absent.

All in this one process: the lexicon rule alone (the baseline; no training), then the model
(semantic space fitted on VNTC without the labelled articles, the lexicon's cue counts, the
tones of the most similar labelled texts and the out-of-fold votes of two sparse n-gram models,
combined by a logistic regression) by 5-fold stratified cross-validation over all labelled articles,
with n labelled training articles per fold. The shipped recipe is trained on our labels of
the labelled VNTC articles only and scored on the Dân Trí and baomoi articles it never saw.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from topics import CORPUS, VNTC, data_sha256, labelled_set, vntc_texts  # noqa: E402

from classifiers.evaluate import evaluate_labels  # noqa: E402
from classifiers.store import ModelCard, save_model  # noqa: E402
from classifiers.tone import ToneModel, lexicon_tone, read_lexicon  # noqa: E402
from classifiers.train import card_params  # noqa: E402

LEXICONS = ROOT / "monitor" / "data" / "lexicons"
SIZES = (100, 250, 500, 1000)


def macro(truth: list[str], predicted: list[str]) -> float:
    return evaluate_labels(truth, predicted).macro_f1


def learning_curve(base: ToneModel, rows: list[dict], sizes: tuple[int, ...], seeds: int
                   ) -> dict[int, list[float]]:
    texts = [r["text"] for r in rows]
    truth = np.array([r["tone"] for r in rows], dtype=object)
    out: dict[int, list[float]] = {}
    for seed in range(seeds):
        folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, truth))
        full = len(folds[0][0])
        for n in sorted({min(s, full) for s in sizes} | {full}):
            predicted = np.empty(len(texts), dtype=object)
            for train, test in folds:
                picked = np.random.RandomState(seed).permutation(train)[:n]
                model = base.with_labels([texts[i] for i in picked], list(truth[picked]))
                predicted[test] = model.predict([texts[i] for i in test])
            out.setdefault(n, []).append(macro(list(truth), list(predicted)))
    return out


def ship(base: ToneModel, rows: list[dict], out_dir: Path, curve: dict, lexicon_f1: float,
         unlabelled: int) -> None:
    mine = [r for r in rows if r["corpus"] == VNTC]
    held = [r for r in rows if r["corpus"] != VNTC]
    model = base.with_labels([r["text"] for r in mine], [r["tone"] for r in mine])
    held_f1 = macro([r["tone"] for r in held], list(model.predict([r["text"] for r in held])))
    held_lex = macro([r["tone"] for r in held],
                     lexicon_tone(model.lexicon, [r["text"] for r in held]))
    print(f"shipped recipe on the {len(held)} held-out Dân Trí + baomoi articles: macro-F1 "
          f"{held_f1:.4f} (lexicon alone on them {held_lex:.4f})")
    metrics = {
        "heldout_macro_f1": round(held_f1, 4), "heldout_lexicon_macro_f1": round(held_lex, 4),
        "heldout": f"{len(held)} labelled Dân Trí and baomoi articles, never used in training",
        "cv_learning_curve_macro_f1": {str(n): round(float(np.mean(v)), 4)
                                       for n, v in curve.items()},
        "lexicon_macro_f1_all": round(lexicon_f1, 4),
        "cv": f"5-fold stratified over all {len(rows)} labelled articles, n labelled training "
              "articles",
    }
    card = ModelCard(
        kind="tone", classes=[str(c) for c in model.classes_], multilabel=False,
        params=card_params(model), data_sha256=data_sha256(
            [r["text"] for r in mine], [r["tone"] for r in mine]),
        n_documents=unlabelled + len(mine), metrics=metrics,
        notes=f"semantic space: {unlabelled} VNTC articles (MIT); classifier: our tone labels "
              f"of {len(mine)} VNTC articles; lexicon monitor/data/lexicons/tone_*.txt; built "
              "by bench/tone.py --ship")
    save_model(model, out_dir, card)
    size = sum(p.stat().st_size for p in out_dir.iterdir())
    print(f"shipped model written to {out_dir} ({size / 1e6:.1f} MB)")


def main() -> int:
    args = _arguments()
    if not (CORPUS / f"{VNTC}.jsonl.gz").is_file():
        print(f"skipped: {CORPUS} is absent (third-party corpora, see shared/data)")
        return 0
    rows = labelled_set()
    texts = [r["text"] for r in rows]
    truth = [r["tone"] for r in rows]
    counts = {t: truth.count(t) for t in sorted(set(truth))}
    print(f"labelled: {len(rows)} articles, tones {counts}")
    lexicon = read_lexicon(LEXICONS)
    lexicon_f1 = macro(truth, lexicon_tone(lexicon, texts))
    print(f"baseline  lexicon alone ({len(lexicon.positive)} positive, {len(lexicon.negative)} "
          f"negative cues, {len(lexicon.shifters)} shifters): macro-F1 {lexicon_f1:.4f}")
    started = time.perf_counter()
    unlabelled = vntc_texts({r["id"] for r in rows if r["corpus"] == VNTC}, limit=args.limit)
    base = ToneModel(lexicon.positive, lexicon.negative, lexicon.shifters, C=args.C).fit(
        unlabelled, [None] * len(unlabelled))
    print(f"semantic space on {len(unlabelled)} VNTC texts: {time.perf_counter() - started:.0f} s")
    curve = learning_curve(base, rows, SIZES, args.seeds)
    print(f"learning curve (5-fold stratified CV over the {len(rows)}; mean of {args.seeds} "
          "shuffles)")
    for n, values in curve.items():
        print(f"  n={n:4d}  macro-F1 {np.mean(values):.4f}  (min {min(values):.4f}, "
              f"max {max(values):.4f})")
    if args.ship:
        ship(base, rows, Path(args.ship), curve, lexicon_f1, len(unlabelled))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ship", help="write the shipped model directory here")
    parser.add_argument("--seeds", type=int, default=3, help="shuffles of the 5-fold CV")
    parser.add_argument("--C", type=float, default=ToneModel().C)
    parser.add_argument("--limit", type=int, default=0, help="VNTC texts for the space (0: all)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
