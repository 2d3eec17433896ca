"""Measure the needs-verification models on ../shared/data/misinfo and the flags on the demo.

    python bench/flags.py [--skip-demo]

Misinformation sets (third-party, read in place, never copied): VFND (226 items, article text,
labels real/fake, outlet domains) and Vietnamese News Dataset v2 (2,001 items: fake ones are
mostly social-media posts, real ones mostly headlines; lower-cased, no punctuation). Both
confound source and label, so besides the text model the script prints, in the same process:

* a format-only baseline (length, punctuation, capitals, digits: no words);
* a domain-only baseline on VFND (which outlet published it) and the text model under
  domain-grouped cross-validation (outlets never seen in training);
* the raw text model (punctuation and case kept) next to the format-neutral one we use;
* the product's own signals (lexicons, headline model, initial combiner weights: no training
  on these sets) and a model stacking text and signals;
* within-set 5-fold AUC and cross-set AUC (train on one set, test on the other), and what the
  text model leans on (its heaviest n-grams).

Then it runs the demo archive and reports precision and recall of the flags against the cases
planted for the flags demo, and the assessment speed.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.preprocessing import OneHotEncoder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.verification import (  # noqa: E402
    FEATURES,
    FlagCombiner,
    TextRiskModel,
    format_features,
)
from monitor.flags_match import RebuttalMatcher  # noqa: E402
from monitor.flags_score import score_lines  # noqa: E402

MISINFO = ROOT.parent / "shared" / "data" / "misinfo"
Data = tuple[list[str], np.ndarray]
Factory = Callable[[], object]


def read_vfnd() -> tuple[list[str], np.ndarray, list[str]]:
    """VFND texts (title line first), labels (1 fake) and outlet domains (aligned by text)."""
    csv.field_size_limit(10**9)
    with (MISINFO / "vfnd/CSV/vn_news_226_tlfr.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (MISINFO / "vfnd/CSV/vn_news_223_tdlfr.csv").open(encoding="utf-8") as fh:
        domains = {r["text"][:300]: r["domain"] for r in csv.DictReader(fh)}
    texts = [r["text"] for r in rows]
    return texts, np.array([int(r["label"]) for r in rows]), [
        domains.get(t[:300], "unknown") for t in texts]


def read_vnnews() -> Data:
    with (MISINFO / "vnnews-fake-v2/train_data.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["content"] for r in rows], np.array([int(r["label"]) for r in rows])


# -- models ------------------------------------------------------------------------------------

class FormatModel:
    """Logistic regression on format_features only (the confound baseline)."""

    def fit(self, X, y):
        self.m = LogisticRegression(max_iter=2000, class_weight="balanced").fit(
            np.array([format_features(t) for t in X]), y)
        return self

    def predict_proba(self, X):
        return self.m.predict_proba(np.array([format_features(t) for t in X]))


class RawTextModel(TextRiskModel):
    """The text model without format neutralisation (case and punctuation kept)."""

    def _prepare(self, text: str) -> str:
        return text


def signal_rows(texts: Sequence[str]) -> list[dict]:
    """The product's signals and text features for each text (no rebuttals, no story)."""
    lines = []
    for t in texts:
        head, _, rest = t.partition("\n")
        if not rest:  # one line (vnnews): its first 20 words stand for a headline
            words = t.split()
            head, rest = " ".join(words[:20]), " ".join(words[20:]) or t
        lines.append(_json({"title": head, "text": rest}))
    out = score_lines(lines, matcher=RebuttalMatcher([]), combiner=FlagCombiner.initial(),
                      version="bench", now=datetime.now(UTC), settings=None)
    return [r["features"] for r in out]


def _json(record: dict) -> str:
    import json

    return json.dumps(record, ensure_ascii=False)


class SignalsModel:
    """The initial combiner's score over the product's signals (nothing learned here)."""

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return FlagCombiner.initial().predict_proba(signal_rows(X))


class StackedModel:
    """Logistic regression over [text model probability, signal features]."""

    def fit(self, X, y):
        self.text = TextRiskModel(max_words=60).fit(X, y)
        oof = _oof(lambda: TextRiskModel(max_words=60), list(X), np.asarray(y), folds=3)
        self.m = LogisticRegression(max_iter=2000, class_weight="balanced").fit(
            self._features(oof, X), y)
        return self

    def _features(self, probs, X):
        rows = signal_rows(X)
        return np.column_stack([probs, [[r.get(f, 0.0) for f in FEATURES] for r in rows]])

    def predict_proba(self, X):
        return self.m.predict_proba(self._features(self.text.predict_proba(X)[:, 1], X))


def _oof(factory: Factory, X: list[str], y: np.ndarray, folds: int = 5,
         groups: Sequence[str] | None = None) -> np.ndarray:
    scores = np.zeros(len(y))
    split = GroupKFold(folds).split(X, y, groups) if groups is not None else \
        StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y)
    for train, test in split:
        model = factory().fit([X[i] for i in train], y[train])
        scores[test] = model.predict_proba([X[i] for i in test])[:, 1]
    return scores


def cv_auc(factory: Factory, data: Data, groups: Sequence[str] | None = None) -> float:
    X, y = data
    return roc_auc_score(y, _oof(factory, X, y, groups=groups))


def cross_auc(factory: Factory, train: Data, test: Data) -> float:
    model = factory().fit(*train)
    return roc_auc_score(test[1], model.predict_proba(test[0])[:, 1])


MODELS: dict[str, Factory] = {
    "format only (baseline)": FormatModel,
    "signals, initial weights": SignalsModel,
    "raw text TF-IDF": RawTextModel,
    "neutral text TF-IDF": TextRiskModel,
    "neutral text, first 60 words": lambda: TextRiskModel(max_words=60),
    "stacked text + signals": StackedModel,
}


def misinfo_report() -> None:
    vf_texts, vf_y, domains = read_vfnd()
    vfnd, vnnews = (vf_texts, vf_y), read_vnnews()
    print(f"VFND: {len(vf_y)} items ({vf_y.sum()} fake); vnnews-v2: {len(vnnews[1])} items "
          f"({vnnews[1].sum()} fake)")
    print(f"\n{'model':<32} {'VFND 5-fold':>11} {'vnnews 5-fold':>13} {'VFND->vnnews':>13} "
          f"{'vnnews->VFND':>13}")
    for name, factory in MODELS.items():
        started = time.perf_counter()
        cells = [cv_auc(factory, vfnd), cv_auc(factory, vnnews),
                 cross_auc(factory, vfnd, vnnews), cross_auc(factory, vnnews, vfnd)]
        print(f"{name:<32} " + " ".join(f"{c:>11.3f}  " for c in cells)
              + f"({time.perf_counter() - started:.1f} s)")
    domain_report(vfnd, domains)
    for label, data in (("VFND", vfnd), ("vnnews-v2", vnnews)):
        top = TextRiskModel().fit(*data).top_features(12)
        print(f"\n{label}: heaviest n-grams towards FAKE: "
              + ", ".join(f"{n} ({w:+.1f})" for n, w in top["false"]))
        print(f"{label}: heaviest n-grams towards REAL: "
              + ", ".join(f"{n} ({w:+.1f})" for n, w in top["true"]))


def domain_report(vfnd: Data, domains: list[str]) -> None:
    X, y = vfnd
    encoded = OneHotEncoder(handle_unknown="ignore").fit_transform(np.array(domains)[:, None])
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        m = LogisticRegression(max_iter=2000).fit(encoded[train], y[train])
        scores[test] = m.predict_proba(encoded[test])[:, 1]
    pure = sum(1 for d in set(domains) if len({int(v) for v, dd in zip(y, domains, strict=False)
                                                if dd == d}) == 1)
    print(f"\nVFND confound: {len(set(domains))} outlet domains, {pure} of them publish only "
          f"one label; domain-only 5-fold AUC {roc_auc_score(y, scores):.3f}")
    grouped = cv_auc(TextRiskModel, vfnd, groups=domains)
    print(f"VFND neutral text model with outlets held out (GroupKFold by domain): AUC "
          f"{grouped:.3f}")


def demo_report() -> None:
    from monitor.demo import run_demo
    from monitor.flags import compute_flags
    from monitor.flags_demo import DEMO_NOW, evaluate_demo
    from monitor.store import open_database

    with tempfile.TemporaryDirectory() as tmp:
        run_demo(Path(tmp), base_port=None)
        db = open_database(str(Path(tmp) / "diembao.db"))
        result = evaluate_demo(db)
        ids = [i for i in range(1, 200)]
        started = time.perf_counter()
        compute_flags(db, ids, DEMO_NOW, None)
        elapsed = time.perf_counter() - started
        db.dispose()
    assessed = len(result.rows)
    print(f"\nDemo archive: {assessed} articles assessed, {result.planted} planted cases, "
          f"{result.flagged} flagged: precision {result.precision:.2f}, recall "
          f"{result.recall:.2f}, precision at k={result.planted} {result.precision_at_k:.2f}")
    print(f"re-assessing the {assessed} articles (warm): {elapsed:.2f} s, "
          f"{assessed / elapsed:.0f} articles/s")
    for planted, flagged, score, source, title in result.rows[:20]:
        print(f"  {'P' if planted else ' '} {'F' if flagged else ' '} {score:.2f} {source:<16} "
              f"{title[:70]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    if not MISINFO.is_dir():
        print(f"skipped the misinformation sets: {MISINFO} is absent (third-party data)")
    else:
        misinfo_report()
    if not args.skip_demo:
        demo_report()


if __name__ == "__main__":
    main()
