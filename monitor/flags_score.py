"""Scoring JSON-line records outside the store (`diembao flags score`), for any data set."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from classifiers.verification import FlagCombiner
from monitor.dates import parse_datetime
from monitor.flags import Context, assess, current_combiner, flag_settings, rebuttal_matcher
from monitor.flags_lexicon import headline_scores
from monitor.flags_match import RebuttalMatcher
from monitor.flags_signals import ArticleText
from monitor.models import TIERS
from monitor.text import normalize

BATCH = 256


def record_article(record: dict[str, Any]) -> ArticleText:
    """A JSON record (title, text, optional source, tier, published) as an ArticleText."""
    paragraphs = [normalize(p) for p in str(record.get("text") or "").split("\n")]
    tier = str(record.get("tier") or "other")
    published = parse_datetime(str(record["published"])) if record.get("published") else None
    return ArticleText(id=None, source_id=str(record.get("source") or ""),
                       title=normalize(str(record.get("title") or "")),
                       body=tuple(p for p in paragraphs if p), source_name=str(
                           record.get("source") or ""),
                       tier=tier if tier in TIERS else "other", published=published)


def score_lines(lines: Iterable[str], *, matcher: RebuttalMatcher, combiner: FlagCombiner,
                version: str, now: datetime, settings: Any) -> Iterator[dict]:
    """Each JSON line back with ``score`` and ``signals`` (a bad line gives an ``error``)."""
    fs = flag_settings(settings)
    batch: list[tuple[dict, ArticleText]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            batch.append((record, record_article(record)))
        except ValueError as exc:  # reported in place: earlier lines are written first
            yield from _score(batch, matcher, combiner, version, now, fs)
            batch = []
            yield {"error": f"line {number}: {exc}"}
            continue
        if len(batch) >= BATCH:
            yield from _score(batch, matcher, combiner, version, now, fs)
            batch = []
    yield from _score(batch, matcher, combiner, version, now, fs)


def _score(batch, matcher, combiner, version, now, fs) -> Iterator[dict]:
    if not batch:
        return
    probs = headline_scores([a.title for _, a in batch])
    for (record, article), prob in zip(batch, probs, strict=False):
        result = assess(article, Context(), matcher=matcher, combiner=combiner,
                        headline_prob=prob, now=now, settings=fs, model_version=version)
        yield {**record, "score": round(result.score, 4), "signals": result.signals_json(),
               "features": result.features, "model_version": version}


def score_records(conn: Connection, lines: Iterable[str], *, now: datetime,
                  settings: Any) -> Iterator[dict]:
    """``score_lines`` with the store's rebuttals registry and current combiner."""
    version, combiner = current_combiner(conn)
    yield from score_lines(lines, matcher=rebuttal_matcher(conn), combiner=combiner,
                           version=version, now=now, settings=settings)
