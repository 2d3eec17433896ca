"""Section classifier benchmark on VNTC: CV accuracy, training time, speed, size, vs the baseline.

    python bench/classify.py                      # baseline, chosen, compact; speed and size
    python bench/classify.py --explore            # also the table of variants that were tried
    python bench/classify.py --segmentation 3000  # also word segmentation vs syllables
    python bench/classify.py --ship monitor/data/models/sections   # write the shipped model

Reads ../shared/data/corpus/vntc-train.jsonl.gz (third-party, never copied into the repository)
and exits with a message when it is absent. Every number is measured in this one process; the
baseline (scikit-learn TfidfVectorizer over syllable 1-2-grams + LinearSVC) runs in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.features import TOKEN_PATTERN, normalize_text  # noqa: E402
from classifiers.linear import TextClassifier  # noqa: E402
from classifiers.store import MODEL_FILE, ModelCard, save_model  # noqa: E402
from classifiers.train import (  # noqa: E402
    KINDS,
    Dataset,
    card_params,
    compact,
    cross_validate,
    read_examples,
)

DATA = ROOT.parent / "shared" / "data" / "corpus" / "vntc-train.jsonl.gz"
COMPACT = {"max_features": 200_000}
# What was tried (bench --explore): vectorizer and model parameters of TextClassifier.
VARIANTS = {
    "syllable 1-2, raw tf, C=1": {"ngram_range": (1, 2), "sublinear_tf": False, "C": 1.0},
    "syllable 1-2, sublinear tf, C=0.5": {"ngram_range": (1, 2), "C": 0.5},
    "syllable 1-2, sublinear tf, C=1": {"ngram_range": (1, 2), "C": 1.0},
    "syllable 1-2, sublinear tf, C=2": {"ngram_range": (1, 2), "C": 2.0},
    "syllable 1-3, sublinear tf, C=2": {"ngram_range": (1, 3), "C": 2.0},
    "syllable+punctuation 1-2, C=1": {"ngram_range": (1, 2), "C": 1.0, "punctuation": True},
    "syllable+punctuation 1-2, C=2": {"ngram_range": (1, 2), "C": 2.0, "punctuation": True},
    "syllable+punctuation 1-3, C=2": {"ngram_range": (1, 3), "C": 2.0, "punctuation": True},
    "syllable+punctuation 1-2, C=2, 60,000 n-grams": {"ngram_range": (1, 2), "C": 2.0,
                                                      "punctuation": True,
                                                      "max_features": 60_000},
}


def main() -> int:
    args = _arguments()
    if not args.data.is_file():
        print(f"skipped: {args.data} is absent (third-party VNTC corpus, see shared/data)")
        return 0
    data = read_examples(args.data)
    if args.limit:
        data = _sample(data, args.limit)
    print(f"data: {args.data.name}, {len(data.texts)} documents, {args.folds}-fold CV, "
          f"{args.jobs} jobs")
    baseline = _baseline_cv(data, args.folds, args.jobs)
    print(f"baseline  syllable 1-2 TF-IDF + LinearSVC (scikit-learn): CV accuracy {baseline:.4f}")
    if args.explore:
        _explore(data, args.folds, args.jobs)
    chosen = TextClassifier(**KINDS["sections"])
    scores = _report_cv("chosen", chosen, data, args)
    small = TextClassifier(**{**KINDS["sections"], **COMPACT})
    small_scores = _report_cv("compact", small, data, args)
    print(f"gain over baseline: chosen {100 * (scores['accuracy'] - baseline):+.2f} points, "
          f"compact {100 * (small_scores['accuracy'] - baseline):+.2f} points")
    docs = _long_documents(data.texts, 1000, 1000)
    fitted = {name: _fit_and_size(est, data, name) for name, est in
              (("chosen", chosen), ("compact", small))}
    _speed(docs, fitted, data)
    if args.segmentation:
        _segmentation(_sample(data, args.segmentation), docs[:200], args.folds, args.jobs)
    if args.ship:
        card = ModelCard(kind="sections", classes=list(fitted["compact"].classes_),
                         multilabel=False, params=card_params(small),
                         data_sha256=data.sha256,
                         n_documents=len(data.texts), metrics=small_scores,
                         notes="VNTC (MIT), 10 sections; built by bench/classify.py --ship")
        save_model(fitted["compact"], args.ship, card)
        print(f"shipped model written to {args.ship}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="use a stratified sample")
    parser.add_argument("--explore", action="store_true", help="CV of every variant tried")
    parser.add_argument("--segmentation", type=int, default=0, metavar="N",
                        help="compare word segmentation with syllables on N documents")
    parser.add_argument("--ship", type=Path, help="write the compact model to this directory")
    return parser.parse_args()


def _sample(data: Dataset, size: int) -> Dataset:
    if size >= len(data.texts):
        return data
    splitter = StratifiedKFold(len(data.texts) // size, shuffle=True, random_state=1)
    _, keep = next(splitter.split(data.texts, data.targets))
    return Dataset([data.texts[i] for i in keep], [data.targets[i] for i in keep], data.sha256)


def _folds(data: Dataset, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(StratifiedKFold(folds, shuffle=True, random_state=0)
                .split(data.texts, data.targets))


def _baseline() -> object:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), token_pattern=TOKEN_PATTERN,
                                 lowercase=False, preprocessor=normalize_text, min_df=2)
    return make_pipeline(vectorizer, LinearSVC(C=1.0))


def _baseline_cv(data: Dataset, folds: int, jobs: int) -> float:
    return _plain_cv(_baseline(), data, folds, jobs)


def _plain_cv(estimator: object, data: Dataset, folds: int, jobs: int) -> float:
    """CV accuracy of the arg-max prediction (no calibration needed for accuracy)."""
    from joblib import Parallel, delayed

    texts, targets = np.asarray(data.texts, dtype=object), np.asarray(data.targets)
    hits = Parallel(n_jobs=jobs)(
        delayed(_fold_hits)(clone(estimator), texts, targets, train, test)
        for train, test in _folds(data, folds))
    return float(sum(hits) / len(targets))


def _fold_hits(estimator: object, texts: np.ndarray, targets: np.ndarray,
               train: np.ndarray, test: np.ndarray) -> int:
    if isinstance(estimator, TextClassifier):  # accuracy only: skip the calibration folds
        estimator.fit(texts[train], targets[train])
        margins = estimator.decision_function(list(texts[test]))
        return int((estimator.classes_[margins.argmax(axis=1)] == targets[test]).sum())
    estimator.fit(texts[train], targets[train])
    return int((estimator.predict(texts[test]) == targets[test]).sum())


def _explore(data: Dataset, folds: int, jobs: int) -> None:
    print("variants tried (CV accuracy of the uncalibrated arg-max):")
    for name, params in VARIANTS.items():
        started = time.perf_counter()
        accuracy = _plain_cv(TextClassifier(**params), data, folds, jobs)
        print(f"  {accuracy:.4f}  {name}  ({time.perf_counter() - started:.0f} s)")


def _report_cv(name: str, estimator: TextClassifier, data: Dataset,
               args: argparse.Namespace) -> dict:
    scores = cross_validate(estimator, data, folds=args.folds, n_jobs=args.jobs)
    print(f"{name:8s}  {_params(estimator)}: CV accuracy {scores['accuracy']:.4f}, macro-F1 "
          f"{scores['macro_f1']:.4f}, calibration error (ECE) "
          f"{scores['expected_calibration_error']:.4f}  ({scores['seconds']:.0f} s)")
    return scores


def _params(estimator: TextClassifier) -> dict:
    defaults = TextClassifier().get_params()
    return {k: v for k, v in estimator.get_params().items() if v != defaults[k]}


def _fit_and_size(estimator: TextClassifier, data: Dataset, name: str) -> TextClassifier:
    started, cpu = time.perf_counter(), time.process_time()
    fitted = compact(clone(estimator).fit(data.texts, data.targets))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        card = ModelCard(kind="sections", classes=list(fitted.classes_), multilabel=False,
                         params={}, data_sha256=data.sha256, n_documents=len(data.texts))
        save_model(fitted, tmp, card)
        size = (Path(tmp) / MODEL_FILE).stat().st_size
    print(f"{name:8s}  training on all {len(data.texts)} documents: {wall:.0f} s wall, "
          f"{cpu:.0f} s CPU (single process); {fitted.vectorizer_.n_features_out_} features; "
          f"model file {size / 1e6:.1f} MB (joblib, compressed)")
    return fitted


def _long_documents(texts: list[str], count: int, length: int) -> list[str]:
    """``count`` documents of exactly ``length`` whitespace tokens cut from the corpus."""
    docs, buffer = [], []
    for text in texts:
        buffer.extend(text.split())
        while len(buffer) >= length and len(docs) < count:
            docs.append(" ".join(buffer[:length]))
            buffer = buffer[length:]
        if len(docs) >= count:
            break
    return docs


def _speed(docs: list[str], fitted: dict[str, TextClassifier], data: Dataset) -> None:
    baseline = _baseline().fit(data.texts, data.targets)
    with threadpool_limits(1):
        rows = [("baseline (scikit-learn)", baseline.predict)]
        rows += [(name, model.predict_proba) for name, model in fitted.items()]
        for name, predict in rows:
            predict(docs[:50])  # warm caches
            wall, cpu = _timed(predict, docs)
            print(f"speed     {name}: {len(docs) / cpu:.0f} docs/s per core (CPU time), "
                  f"{len(docs) / wall:.0f} docs/s wall, single thread, "
                  f"{len(docs)} documents of 1,000 syllables")


def _timed(function: object, docs: list[str]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    function(docs)
    return time.perf_counter() - started, time.process_time() - cpu


def _segmentation(data: Dataset, docs: list[str], folds: int, jobs: int) -> None:
    try:
        from underthesea import word_tokenize
    except ImportError:
        print("segmentation: skipped (underthesea is not installed: pip install underthesea)")
        return
    started = time.process_time()
    for doc in docs:
        word_tokenize(doc, format="text")
    per_doc = (time.process_time() - started) / len(docs) * 1000
    segmented = Dataset([word_tokenize(t, format="text") for t in data.texts], data.targets,
                        data.sha256)
    params = KINDS["sections"]
    plain = _plain_cv(TextClassifier(**params), data, folds, jobs)
    words = _plain_cv(TextClassifier(**params), segmented, folds, jobs)
    print(f"segmentation on {len(data.texts)} documents: syllables {plain:.4f}, words "
          f"(underthesea.word_tokenize) {words:.4f} ({100 * (words - plain):+.2f} points); "
          f"word_tokenize costs {per_doc:.1f} ms CPU per 1,000-syllable document")


if __name__ == "__main__":
    raise SystemExit(main())
