"""The flags on the demo archive: import the sample rebuttals, score, and measure against the
cases planted for the flags demo (precision and recall of flags, planted vs the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from monitor.demosite import load_demo_articles
from monitor.flags import FlagSettings, compute_flags
from monitor.flags_rebuttals import read_rebuttals, save_rebuttals
from monitor.store.tables import articles, flags, sources
from monitor.store.tables_flags import verification_scores

DEMO_REBUTTALS = Path(__file__).resolve().parent / "data" / "demo" / "rebuttals.yaml"
# the rumour of the shared story tin-sai-thu-phi-cau, and the cases planted for the flags demo
PLANTED = {"demo-tonghop": (8001, 8101, 8102, 8103, 8104, 8105, 8106),
           "demo-phapluat": (7101, 7102, 7103, 7104)}
DEMO_NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 08:00 on the day after the press day


@dataclass(frozen=True)
class DemoEvaluation:
    planted: int
    flagged: int
    true_positives: int
    precision_at_k: float  # among the k best scores, k = planted cases assessed
    rows: tuple[tuple[bool, bool, float, str, str], ...]  # planted, flagged, score, source, title

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.planted if self.planted else 0.0


def planted_slugs() -> set[str]:
    demo = load_demo_articles()
    return {a.slug for outlet, ids in PLANTED.items() for a in demo[outlet] if a.id in ids}


def evaluate_demo(db, *, now: datetime = DEMO_NOW,
                  settings: FlagSettings | None = None) -> DemoEvaluation:
    """Import the sample rebuttals, compute flags for every stored demo article, and compare
    the flags with the planted cases."""
    with db.begin() as conn:
        save_rebuttals(conn, read_rebuttals(DEMO_REBUTTALS), source=str(DEMO_REBUTTALS),
                       now=now)
        ids = list(conn.scalars(select(articles.c.id)))
    compute_flags(db, ids, now, settings or FlagSettings())
    slugs = planted_slugs()
    with db.begin() as conn:
        rows = conn.execute(
            select(articles.c.canonical_url, articles.c.title, sources.c.id.label("source"),
                   verification_scores.c.score, flags.c.id.label("flag_id"))
            .join(verification_scores, verification_scores.c.article_id == articles.c.id)
            .join(sources, sources.c.id == articles.c.source_id)
            .join(flags, flags.c.article_id == articles.c.id, isouter=True)
            .order_by(verification_scores.c.score.desc())).all()
    table = tuple((any(s in r.canonical_url for s in slugs), r.flag_id is not None,
                   float(r.score), r.source, r.title) for r in rows)
    planted = sum(t[0] for t in table)
    return DemoEvaluation(planted=planted, flagged=sum(t[1] for t in table),
                          true_positives=sum(t[0] and t[1] for t in table),
                          precision_at_k=sum(t[0] for t in table[:planted]) / max(planted, 1),
                          rows=table)
