"""Flags workflow and views: list, explain, status changes (audited), stories, retraining."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from classifiers.verification import FEATURES, FlagCombiner, data_hash
from monitor.errors import ConfigError, MonitorError
from monitor.flags import STATUSES
from monitor.store.tables import articles, audit_log, clusters, flags, sources, users
from monitor.store.tables_flags import flag_models, refetch_results, verification_scores

log = logging.getLogger(__name__)

MIN_DECISIONS = 20  # confirmed + dismissed flags needed before the combiner is retrained
REVIEWER_ROLES = ("analyst", "admin")


class FlagError(MonitorError):
    """A flag operation cannot be done (unknown flag, user not allowed, too little data)."""


def list_flags(conn: Connection, *, status: str | None = None, limit: int = 100) -> list[dict]:
    """Flags newest first (optionally of one status), with their article and source."""
    q = (select(flags.c.id, flags.c.status, flags.c.score, flags.c.signals, flags.c.created_at,
                flags.c.reviewer, flags.c.cluster_id, articles.c.id.label("article_id"),
                articles.c.title, articles.c.canonical_url, sources.c.name.label("source"))
         .join(articles, articles.c.id == flags.c.article_id)
         .join(sources, sources.c.id == articles.c.source_id)
         .order_by(flags.c.score.desc(), flags.c.id.desc()).limit(limit))
    if status:
        q = q.where(flags.c.status == status)
    return [dict(r) for r in conn.execute(q).mappings()]


def flag_detail(conn: Connection, flag_id: int) -> dict:
    """A flag with its article, signals and evidence, features, re-fetches and history."""
    row = conn.execute(
        select(flags, articles.c.title, articles.c.canonical_url, articles.c.published,
               articles.c.first_seen, articles.c.source_id, sources.c.name.label("source"),
               sources.c.tier, verification_scores.c.features,
               verification_scores.c.model_version)
        .join(articles, articles.c.id == flags.c.article_id)
        .join(sources, sources.c.id == articles.c.source_id)
        .join(verification_scores, verification_scores.c.article_id == flags.c.article_id,
              isouter=True)
        .where(flags.c.id == flag_id)).mappings().first()
    if row is None:
        raise FlagError(f"no flag with id {flag_id}")
    out = dict(row)
    out["history"] = [dict(r) for r in conn.execute(
        select(audit_log).where(audit_log.c.object_type == "flag",
                                audit_log.c.object_id == str(flag_id))
        .order_by(audit_log.c.at, audit_log.c.id)).mappings()]
    out["refetches"] = [dict(r) for r in conn.execute(
        select(refetch_results).where(refetch_results.c.article_id == row["article_id"])
        .order_by(refetch_results.c.id)).mappings()]
    return out


def set_status(conn: Connection, flag_id: int, status: str, *, by: str, note: str | None,
               now: datetime) -> dict:
    """Change a flag's status; who, when and the note go to the flag and to audit_log.
    When the users table has users, ``by`` must be an enabled analyst or admin."""
    if status not in STATUSES:
        raise ConfigError("flags set", "STATUS", f"one of {', '.join(STATUSES)}", status)
    if not by or not by.strip():
        raise ConfigError("flags set", "--by", "the reviewer's user name", by)
    _check_reviewer(conn, by)
    before = conn.execute(select(flags.c.status, flags.c.reviewer, flags.c.note)
                          .where(flags.c.id == flag_id)).mappings().first()
    if before is None:
        raise FlagError(f"no flag with id {flag_id}")
    after = {"status": status, "reviewer": by, "note": note}
    conn.execute(flags.update().where(flags.c.id == flag_id).values(**after, updated_at=now))
    conn.execute(audit_log.insert().values(
        at=now, actor=by, action="flag.status", object_type="flag", object_id=str(flag_id),
        before=dict(before), after=after, note=note))
    return after


def _check_reviewer(conn: Connection, by: str) -> None:
    if not conn.scalar(select(func.count()).select_from(users)):
        return  # no accounts yet (no web UI): the name is recorded as given
    user = conn.execute(select(users.c.role, users.c.disabled)
                        .where(users.c.username == by)).first()
    if user is None or user.disabled or user.role not in REVIEWER_ROLES:
        raise FlagError(f"{by!r} is not an enabled analyst or admin")


def story_view(conn: Connection, cluster_id: int) -> dict:
    """A story cluster: its title, origin (first outlet and time), its outlets and its flags."""
    story = conn.execute(select(clusters).where(clusters.c.id == cluster_id)).mappings().first()
    if story is None:
        raise FlagError(f"no story cluster with id {cluster_id}")
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    members = conn.execute(
        select(articles.c.id, articles.c.title, articles.c.canonical_url,
               articles.c.cluster_relation, when.label("when"), sources.c.id.label("source_id"),
               sources.c.name.label("source"), sources.c.tier, flags.c.id.label("flag_id"),
               flags.c.status.label("flag_status"), flags.c.score.label("flag_score"),
               flags.c.signals.label("flag_signals"))
        .join(sources, sources.c.id == articles.c.source_id)
        .join(flags, flags.c.article_id == articles.c.id, isouter=True)
        .where(articles.c.cluster_id == cluster_id).order_by(when, articles.c.id)).mappings()
    members = [dict(m) for m in members]
    origin = next((m for m in members if m["id"] == story["first_article_id"]), None)
    return {**dict(story), "origin": origin, "articles": members,
            "flags": [m for m in members if m["flag_id"] is not None]}


def flagged_stories(conn: Connection, start: datetime, end: datetime) -> list[dict]:
    """Story views of the clusters with a flag raised in [start, end) (for the digest)."""
    ids = conn.scalars(select(flags.c.cluster_id).where(
        flags.c.created_at >= start, flags.c.created_at < end, flags.c.cluster_id.is_not(None),
        flags.c.status != "dismissed").distinct())
    return [story_view(conn, cid) for cid in sorted(set(ids))]


# -- retraining --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetrainResult:
    version: str
    n_samples: int
    positives: int
    params: dict
    metrics: dict


def decisions(conn: Connection) -> tuple[list[dict], list[int]]:
    """Analysts' decisions: the features of confirmed (1) and dismissed (0) flags."""
    rows = conn.execute(
        select(flags.c.status, verification_scores.c.features)
        .join(verification_scores, verification_scores.c.article_id == flags.c.article_id)
        .where(flags.c.status.in_(["confirmed", "dismissed"])).order_by(flags.c.id)).all()
    return [dict(r.features) for r in rows], [int(r.status == "confirmed") for r in rows]


def retrain(conn: Connection, *, now: datetime, by: str | None = None,
            min_decisions: int = MIN_DECISIONS) -> RetrainResult:
    """Learn the combiner from analysts' decisions and save it (the newest is used)."""
    X, y = decisions(conn)
    if len(y) < min_decisions or len(set(y)) < 2:
        raise FlagError(f"{len(y)} decisions ({sum(y)} confirmed): at least {min_decisions} "
                        "with both confirmed and dismissed flags are needed to retrain")
    model = FlagCombiner().fit(X, y)
    metrics = _metrics(X, y)
    digest = data_hash([[x.get(f, 0.0) for f in FEATURES] + [label]
                        for x, label in zip(X, y, strict=True)])
    version = f"flags-{now:%Y%m%d%H%M%S}-{digest[:8]}"
    params = model.to_params()
    conn.execute(flag_models.insert().values(
        version=version, params=params, metrics=metrics, n_samples=len(y), data_hash=digest,
        created_by=by, created_at=now, note=_versions()))
    return RetrainResult(version, len(y), sum(y), params, metrics)


def _metrics(X: list[dict], y: list[int]) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    labels = np.array(y)
    folds = min(5, int(min(labels.sum(), len(labels) - labels.sum())))
    out: dict[str, Any] = {"n": len(y), "confirmed": int(labels.sum())}
    if folds < 2:
        return out
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(X, labels):
        fitted = FlagCombiner().fit([X[i] for i in train], labels[train])
        scores[test] = fitted.predict_proba([X[i] for i in test])[:, 1]
    out["cv_auc"] = round(float(roc_auc_score(labels, scores)), 4)
    initial = FlagCombiner.initial().predict_proba(X)[:, 1]
    out["initial_auc"] = round(float(roc_auc_score(labels, initial)), 4)
    return out


def _versions() -> str:
    import sklearn

    return f"scikit-learn {sklearn.__version__}, numpy {np.__version__}"
