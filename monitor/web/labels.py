"""Labels as the pages show them: effective labels (analyst over model) for a set of articles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from monitor.store.tables import labels


@dataclass(frozen=True)
class Label:
    kind: str
    value: str
    origin: str
    score: float | None
    model_version: str | None
    created_by: str | None
    created_at: object


def effective(rows: Sequence[Label]) -> dict[str, list[Label]]:
    """kind -> the labels in force: the analyst's when any for that kind, else the model's,
    highest score first (pure)."""
    by_kind: dict[str, list[Label]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    out = {}
    for kind, found in by_kind.items():
        analyst = [r for r in found if r.origin == "analyst"]
        chosen = analyst or [r for r in found if r.origin != "analyst"]
        out[kind] = sorted(chosen, key=lambda r: -(r.score if r.score is not None else 1.0))
    return out


def labels_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[Label]]:
    """All label rows of these articles, by article id."""
    out: dict[int, list[Label]] = defaultdict(list)
    if not article_ids:
        return out
    q = select(labels).where(labels.c.article_id.in_(list(article_ids)))
    for r in conn.execute(q.order_by(labels.c.kind, labels.c.origin, labels.c.value)):
        out[r.article_id].append(Label(r.kind, r.value, r.origin, r.score, r.model_version,
                                       r.created_by, r.created_at))
    return out


def effective_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, dict[str, list[Label]]]:
    return {aid: effective(rows) for aid, rows in labels_of(conn, article_ids).items()}
