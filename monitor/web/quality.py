"""The models' measured quality on analysts' corrections: model label vs analyst label (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Quality:
    kind: str
    model_version: str
    articles: int  # articles with both a model and an analyst label of this kind
    accuracy: float  # single-label: same value; multi-label: same set
    precision: float  # micro over values
    recall: float
    f1: float
    confusions: tuple[tuple[str, str, int], ...]  # (model, analyst, count), most frequent first


def measure(pairs: Iterable[tuple[str, str, frozenset[str], frozenset[str]]]) -> list[Quality]:
    """``pairs``: (kind, model_version, model values, analyst values) per article."""
    groups: dict[tuple[str, str], list[tuple[frozenset, frozenset]]] = defaultdict(list)
    for kind, version, model, analyst in pairs:
        groups[(kind, version)].append((model, analyst))
    return [_quality(kind, version, rows) for (kind, version), rows in sorted(groups.items())]


def _quality(kind: str, version: str, rows: list[tuple[frozenset, frozenset]]) -> Quality:
    tp = sum(len(m & a) for m, a in rows)
    fp = sum(len(m - a) for m, a in rows)
    fn = sum(len(a - m) for m, a in rows)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact = sum(m == a for m, a in rows)
    confusions = Counter()
    for m, a in rows:
        if m != a:
            confusions[(", ".join(sorted(m)) or "-", ", ".join(sorted(a)) or "-")] += 1
    return Quality(kind, version, len(rows), exact / len(rows), precision, recall, f1,
                   tuple((mv, av, n) for (mv, av), n in confusions.most_common(5)))
