"""Needs-verification flags: assess articles (pure), then score, budget and raise them in the store.

The pipeline calls ``compute_flags(db, article_ids, now, settings)`` after storing and clustering
articles; the scheduler calls ``monitor.flags_refetch.refetch_due`` for takedowns and edits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from classifiers.verification import FlagCombiner, threshold_for_budget
from monitor.flags_lexicon import headline_scores
from monitor.flags_match import Rebuttal, RebuttalMatcher, rebuttal_signal
from monitor.flags_rebuttals import load_rebuttals, registry_version
from monitor.flags_signals import (
    ArticleText,
    RefetchFinding,
    Signal,
    StoryInfo,
    denial_evidence,
    official_denial_signal,
    sensational_signal,
    single_source_signal,
    takedown_signal,
    text_features,
    unattributed_signal,
)
from monitor.settings import FlagSettings
from monitor.store.repo import upsert
from monitor.store.tables import articles, audit_log, clusters, flags, sources
from monitor.store.tables_flags import (
    flag_models,
    refetch_results,
    refetch_schedule,
    verification_scores,
)

log = logging.getLogger(__name__)

STATUSES = ("open", "confirmed", "dismissed", "needs-info")
INITIAL_VERSION = "flags-initial-1"
REFETCH_STEPS = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)),
                 ("72h", timedelta(hours=72)))
AGED_LOOKBACK = timedelta(hours=72)  # single-source candidates are re-assessed this long
DENIAL_WINDOW = timedelta(days=7)  # official denials matched against new articles


def flag_settings(settings: Any) -> FlagSettings:
    """The ``flags`` section of the settings (its defaults until the section exists)."""
    if isinstance(settings, FlagSettings):
        return settings
    return getattr(settings, "flags", None) or FlagSettings()


@dataclass(frozen=True)
class Assessment:
    """An article's score, its signals and the combiner's inputs."""

    article_id: int | None
    score: float
    signals: tuple[Signal, ...]
    features: dict[str, float]
    contributions: dict[str, float] = field(default_factory=dict)
    model_version: str = INITIAL_VERSION

    def signals_json(self) -> list[dict]:
        return [s.to_json(self.contributions.get(s.kind)) for s in self.signals]


@dataclass(frozen=True)
class Context:
    """What an assessment may know besides the article's text (all optional)."""

    members: tuple[ArticleText, ...] = ()
    story: StoryInfo | None = None
    finding: RefetchFinding | None = None


def assess(article: ArticleText, context: Context, *, matcher: RebuttalMatcher,
           combiner: FlagCombiner, headline_prob: float, now: datetime,
           settings: FlagSettings, model_version: str = INITIAL_VERSION) -> Assessment:
    """Every signal of one article, and the combiner's score (pure)."""
    official = settings.tiers("official_tiers")
    candidates = [
        rebuttal_signal(matcher.match(article), official=article.tier in official,
                        reports_denial=bool(denial_evidence(article))),
        official_denial_signal(article, context.members, official),
        single_source_signal(article, context.story, now=now,
                             hours=settings.single_source_hours,
                             low_tiers=settings.tiers("low_tiers")),
        unattributed_signal(article),
        sensational_signal(article, headline_prob),
        takedown_signal(context.finding, settings.edit_threshold),
    ]
    signals = tuple(s for s in candidates if s is not None)
    features = {s.kind: round(s.strength, 4) for s in signals}
    features.update(text_features(article, headline_prob))
    score = float(combiner.predict_proba([features])[0, 1])
    return Assessment(article.id, score, signals, features, combiner.contributions(features),
                      model_version)


# -- in the store ------------------------------------------------------------------------------

def compute_flags(db, article_ids: Iterable[int], now: datetime, settings: Any) -> int:
    """Assess the given articles (and the other articles of their stories, and low-tier stories
    whose wait for corroboration ended), store their scores, raise flags above the budget
    threshold and schedule re-fetches. Returns the number of new flags."""
    fs = flag_settings(settings)
    with db.begin() as conn:
        ids = expand_ids(conn, list(article_ids), now, fs)
        done = assess_stored(conn, ids, now, fs)
        threshold = current_threshold(conn, now, fs)
        raised = raise_flags(conn, done, threshold, now)
        schedule_refetches(conn, done, raised, now, fs)
    if done:
        log.info("flags: %d assessed, %d new flags (threshold %.2f)", len(done), len(raised),
                 threshold)
    return len(raised)


def expand_ids(conn: Connection, article_ids: Sequence[int], now: datetime,
               fs: FlagSettings) -> list[int]:
    """The ids, the other members of their clusters, and aged single-source candidates."""
    ids = set(article_ids)
    if ids:
        cluster_ids = set(conn.scalars(select(articles.c.cluster_id).where(
            articles.c.id.in_(ids), articles.c.cluster_id.is_not(None))))
        if cluster_ids:
            ids |= set(conn.scalars(select(articles.c.id).where(
                articles.c.cluster_id.in_(cluster_ids))))
    ids |= set(aged_candidates(conn, now, fs))
    return sorted(ids)


def aged_candidates(conn: Connection, now: datetime, fs: FlagSettings) -> list[int]:
    """Low-tier articles last assessed before their wait for corroboration ended."""
    wait = timedelta(hours=fs.single_source_hours)
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    rows = conn.execute(
        select(articles.c.id, when.label("when"), verification_scores.c.computed_at)
        .join(sources, sources.c.id == articles.c.source_id)
        .join(verification_scores, verification_scores.c.article_id == articles.c.id)
        .where(sources.c.tier.in_(fs.tiers("low_tiers")), when >= now - AGED_LOOKBACK - wait,
               when <= now - wait)).all()
    return [r.id for r in rows if _aware(r.computed_at) < _aware(r.when) + wait]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def assess_stored(conn: Connection, ids: Sequence[int], now: datetime,
                  fs: FlagSettings) -> list[Assessment]:
    """Assess stored articles (those with a relevance label the settings keep) and save scores."""
    views = load_views(conn, ids, relevance=fs.tiers("relevance"))
    if not views:
        return []
    clusters_of = {v.id: c for v, c in views}
    members = cluster_members(conn, set(clusters_of.values()) - {None})
    stories = story_infos(conn, set(clusters_of.values()) - {None})
    findings = latest_findings(conn, [v.id for v, _ in views])
    matcher = rebuttal_matcher(conn)
    denials, denial_articles = denial_index(conn, now, fs)
    version, combiner = current_combiner(conn)
    probs = headline_scores([v.title for v, _ in views])
    out = []
    for (view, cluster_id), prob in zip(views, probs, strict=False):
        related = {m.rebuttal.id for m in denials.match(view)} - {view.id}
        same_story = members.get(cluster_id, ())
        context = Context(same_story + tuple(denial_articles[i] for i in sorted(related)),
                          stories.get(cluster_id), findings.get(view.id))
        out.append(assess(view, context, matcher=matcher, combiner=combiner,
                          headline_prob=prob, now=now, settings=fs, model_version=version))
    save_scores(conn, out, now)
    return out


def denial_index(conn: Connection, now: datetime, fs: FlagSettings
                 ) -> tuple[RebuttalMatcher, dict[int, ArticleText]]:
    """Recent official-tier articles that carry a denial in their title or sapo, as claims to
    match: the clusterer may not put a rumour and its denial in one story (their wording
    differs), so an article that says what an official denial is about counts as the same story."""
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    q = (select(*_VIEW_COLUMNS).join(sources, sources.c.id == articles.c.source_id)
         .where(sources.c.tier.in_(fs.tiers("official_tiers")),
                when >= now - DENIAL_WINDOW, when <= now))
    found: dict[int, ArticleText] = {}
    claims = []
    for r in conn.execute(q):
        view = _view(r)
        head = ArticleText(view.id, view.source_id, view.title, view.sapo)
        if denial_evidence(head):
            found[view.id] = view
            claims += [Rebuttal(view.id, text, now.date(), view.source_name, "")
                       for text in (view.title, view.sapo) if len(text.split()) >= 3]
    return RebuttalMatcher(claims), found


_VIEW_COLUMNS = (articles.c.id, articles.c.source_id, articles.c.title, articles.c.sapo,
                 articles.c.body, articles.c.published, articles.c.first_seen,
                 articles.c.cluster_id, sources.c.name, sources.c.tier)


def load_views(conn: Connection, ids: Sequence[int], *, relevance: Sequence[str] | None = None
               ) -> list[tuple[ArticleText, int | None]]:
    """Stored articles as ArticleText, with their cluster id."""
    if not ids:
        return []
    q = (select(*_VIEW_COLUMNS).join(sources, sources.c.id == articles.c.source_id)
         .where(articles.c.id.in_(list(ids))).order_by(articles.c.id))
    if relevance:
        q = q.where(articles.c.relevance.in_(list(relevance)))
    return [(_view(r), r.cluster_id) for r in conn.execute(q)]


def _view(r) -> ArticleText:
    return ArticleText(id=r.id, source_id=r.source_id, title=r.title, sapo=r.sapo or "",
                       body=tuple(r.body or ()), source_name=r.name, tier=r.tier,
                       published=r.published or r.first_seen)


def cluster_members(conn: Connection, cluster_ids: set[int]) -> dict[int, tuple[ArticleText, ...]]:
    if not cluster_ids:
        return {}
    q = (select(*_VIEW_COLUMNS).join(sources, sources.c.id == articles.c.source_id)
         .where(articles.c.cluster_id.in_(list(cluster_ids))).order_by(articles.c.id))
    out: dict[int, list[ArticleText]] = {}
    for r in conn.execute(q):
        out.setdefault(r.cluster_id, []).append(_view(r))
    return {k: tuple(v) for k, v in out.items()}


def story_infos(conn: Connection, cluster_ids: set[int]) -> dict[int, StoryInfo]:
    if not cluster_ids:
        return {}
    rows = conn.execute(select(clusters).where(clusters.c.id.in_(list(cluster_ids)))).mappings()
    return {r["id"]: StoryInfo(r["id"], r["first_published"], r["outlets"],
                               r["independent_outlets"]) for r in rows}


def latest_findings(conn: Connection, ids: Sequence[int]) -> dict[int, RefetchFinding]:
    """The most telling re-fetch of each article: a takedown or edit wins over 'unchanged'."""
    if not ids:
        return {}
    rows = conn.execute(select(refetch_results).where(refetch_results.c.article_id.in_(
        list(ids))).order_by(refetch_results.c.id)).mappings()
    out: dict[int, RefetchFinding] = {}
    rank = {"gone": 3, "redirect_home": 3, "edited": 2}
    for r in rows:
        finding = RefetchFinding(r["outcome"], r["step"], r["status"], r["change_ratio"],
                                 tuple(r["diff"] or ()), r["final_url"])
        current = out.get(r["article_id"])
        if current is None or rank.get(r["outcome"], 0) >= rank.get(current.outcome, 0):
            out[r["article_id"]] = finding
    return out


_MATCHERS: dict[tuple, RebuttalMatcher] = {}


def rebuttal_matcher(conn: Connection) -> RebuttalMatcher:
    """The matcher over the stored registry, rebuilt only when the registry changes."""
    key = (str(conn.engine.url), *registry_version(conn))
    if key not in _MATCHERS:
        _MATCHERS.clear()
        _MATCHERS[key] = RebuttalMatcher(load_rebuttals(conn))
    return _MATCHERS[key]


def current_combiner(conn: Connection) -> tuple[str, FlagCombiner]:
    """The newest combiner learned from analysts' decisions, else the initial weights."""
    row = conn.execute(select(flag_models.c.version, flag_models.c.params)
                       .order_by(flag_models.c.id.desc()).limit(1)).first()
    if row is None:
        return INITIAL_VERSION, FlagCombiner.initial()
    return row.version, FlagCombiner.from_params(row.params)


def save_scores(conn: Connection, done: Sequence[Assessment], now: datetime) -> None:
    for a in done:
        upsert(conn, verification_scores, {
            "article_id": a.article_id, "score": a.score, "signals": a.signals_json(),
            "features": a.features, "model_version": a.model_version, "computed_at": now,
        }, ["article_id"], ["score", "signals", "features", "model_version", "computed_at"])


def current_threshold(conn: Connection, now: datetime, fs: FlagSettings) -> float:
    """The score above which about ``daily_budget`` articles a day were raised recently."""
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    rows = conn.execute(select(verification_scores.c.score, when.label("when"))
                        .join(articles, articles.c.id == verification_scores.c.article_id)
                        .where(when >= now - timedelta(days=fs.window_days))).all()
    if not rows:
        return fs.min_score
    oldest = min(_aware(r.when) for r in rows)
    days = min(float(fs.window_days), max(1.0, (now - oldest).total_seconds() / 86400))
    return threshold_for_budget([r.score for r in rows], per_day=fs.daily_budget, days=days,
                                floor=fs.min_score)


def raise_flags(conn: Connection, done: Sequence[Assessment], threshold: float,
                now: datetime) -> list[int]:
    """Open a flag for each article at or above the threshold; refresh existing flags' scores
    and signals (their status stays). Returns the article ids newly flagged."""
    existing = dict(conn.execute(select(flags.c.article_id, flags.c.id).where(
        flags.c.article_id.in_([a.article_id for a in done]))).all()) if done else {}
    cluster_of = dict(conn.execute(select(articles.c.id, articles.c.cluster_id).where(
        articles.c.id.in_([a.article_id for a in done]))).all()) if done else {}
    raised = []
    for a in done:
        signals = a.signals_json()
        if a.article_id in existing:
            conn.execute(flags.update().where(flags.c.id == existing[a.article_id]).values(
                score=a.score, signals=signals, updated_at=now))
        elif a.score >= threshold:
            flag_id = conn.execute(flags.insert().values(
                article_id=a.article_id, cluster_id=cluster_of.get(a.article_id),
                score=a.score, signals=signals, status="open", created_at=now,
                updated_at=now)).inserted_primary_key[0]
            conn.execute(audit_log.insert().values(
                at=now, actor="system", action="flag.raise", object_type="flag",
                object_id=str(flag_id), before=None,
                after={"status": "open", "score": round(a.score, 4), "threshold":
                       round(threshold, 4), "signals": [s.kind for s in a.signals]},
                note=None))
            raised.append(a.article_id)
    return raised


def schedule_refetches(conn: Connection, done: Sequence[Assessment], raised: Sequence[int],
                       now: datetime, fs: FlagSettings) -> int:
    """Re-fetch flagged and high-interest articles at +2 h, +24 h and +72 h after publication;
    steps already past collapse into one re-fetch now."""
    flagged = set(raised) | set(conn.scalars(select(flags.c.article_id).where(
        flags.c.article_id.in_([a.article_id for a in done])))) if done else set()
    watch = {a.article_id for a in done if a.score >= fs.watch_score}
    big = _big_story_articles(conn, [a.article_id for a in done], fs.interest_outlets)
    todo = flagged | watch | big
    if not todo:
        return 0
    when = func.coalesce(articles.c.published, articles.c.first_seen)
    times = dict(conn.execute(select(articles.c.id, when).where(articles.c.id.in_(todo))).all())
    added = 0
    for article_id in sorted(todo):
        reason = "flagged" if article_id in flagged else "interest"
        for step, due in _steps(_aware(times[article_id]), now):
            added += _insert_step(conn, article_id, step, due, reason)
    return added


def _big_story_articles(conn: Connection, ids: Sequence[int], outlets: int) -> set[int]:
    if not ids:
        return set()
    q = (select(articles.c.id).join(clusters, clusters.c.id == articles.c.cluster_id)
         .where(articles.c.id.in_(list(ids)), clusters.c.outlets >= outlets))
    return set(conn.scalars(q))


def _steps(base: datetime, now: datetime) -> list[tuple[str, datetime]]:
    steps = [(name, base + delta) for name, delta in REFETCH_STEPS]
    future = [(n, d) for n, d in steps if d > now]
    past = [(n, d) for n, d in steps if d <= now]
    return ([(past[-1][0], now)] if past else []) + future


def _insert_step(conn: Connection, article_id: int, step: str, due: datetime,
                 reason: str) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    done = conn.execute(dialect.insert(refetch_schedule).values(
        article_id=article_id, step=step, due_at=due, reason=reason)
        .on_conflict_do_nothing(index_elements=["article_id", "step"]))
    return done.rowcount
