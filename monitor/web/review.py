"""What the review pages read: the flag queue, one article in full, the audit log, model quality."""

from __future__ import annotations

import gzip
import logging
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.store.tables import articles, audit_log, clusters, flags, labels, metadata, sources
from monitor.store.tables_web import assignments
from monitor.web.highlight import highlighted, read_signals
from monitor.web.labels import effective, labels_of
from monitor.web.quality import Quality, measure

log = logging.getLogger(__name__)

# Where a colleague's feature records edits and takedowns found by re-fetching (read if present).
HISTORY_TABLES = ("refetch_results",)


def flag_queue(conn: Connection, status: str, *, page: int, page_size: int) -> tuple[list[dict],
                                                                                      int]:
    """Flags of ``status`` by score, highest first, with article, signals and evidence."""
    base = select(flags).where(flags.c.status == status) if status != "any" else select(flags)
    total = conn.scalar(select(func.count()).select_from(base.subquery()))
    q = (base.order_by(flags.c.score.desc(), flags.c.id).limit(page_size)
         .offset((page - 1) * page_size))
    return _decorate(conn, [dict(r._mapping) for r in conn.execute(q)]), total


def flag_card(conn: Connection, flag_id: int) -> dict | None:
    """One flag as the queue shows it."""
    rows = _decorate(conn, [dict(r._mapping) for r in
                            conn.execute(select(flags).where(flags.c.id == flag_id))])
    return rows[0] if rows else None


def _decorate(conn: Connection, rows: list[dict]) -> list[dict]:
    arts = _articles(conn, [r["article_id"] for r in rows])
    others = cluster_members(conn, [a["cluster_id"] for a in arts.values() if a["cluster_id"]])
    for row in rows:
        art = arts.get(row["article_id"], {})
        row["article"] = art
        row["signal_list"] = read_signals(row["signals"])
        row["segments"] = highlighted(art.get("title", ""), art.get("sapo", ""),
                                      art.get("body", []), row["signals"],
                                      article_id=row["article_id"])
        row["others"] = [o for o in others.get(art.get("cluster_id"), [])
                         if o["id"] != row["article_id"]]
    return rows


def _articles(conn: Connection, ids: Sequence[int]) -> dict[int, dict]:
    if not ids:
        return {}
    q = (select(articles.c.id, articles.c.title, articles.c.sapo, articles.c.body,
                articles.c.url, articles.c.source_id, articles.c.published,
                articles.c.first_seen, articles.c.cluster_id,
                sources.c.name.label("source_name"), sources.c.tier)
         .join(sources, sources.c.id == articles.c.source_id)
         .where(articles.c.id.in_(list(ids))))
    return {r.id: dict(r._mapping) for r in conn.execute(q)}


def cluster_members(conn: Connection, cluster_ids: Sequence[int], limit: int = 2000
                    ) -> dict[int, list[dict]]:
    """cluster id -> its articles (outlet, relation, time), oldest first."""
    if not cluster_ids:
        return {}
    q = (select(articles.c.id, articles.c.cluster_id, articles.c.title, articles.c.url,
                articles.c.published, articles.c.first_seen, articles.c.cluster_relation,
                articles.c.source_id, sources.c.name.label("source_name"), sources.c.tier)
         .join(sources, sources.c.id == articles.c.source_id)
         .where(articles.c.cluster_id.in_(list(set(cluster_ids))))
         .order_by(func.coalesce(articles.c.published, articles.c.first_seen)).limit(limit))
    out: dict[int, list[dict]] = defaultdict(list)
    for r in conn.execute(q):
        out[r.cluster_id].append(dict(r._mapping))
    return out


def article_detail(conn: Connection, article_id: int) -> dict | None:
    """One article with everything the detail page shows."""
    q = (select(articles, sources.c.name.label("source_name"), sources.c.tier,
                sources.c.homepage)
         .join(sources, sources.c.id == articles.c.source_id)
         .where(articles.c.id == article_id))
    row = conn.execute(q).first()
    if row is None:
        return None
    art = dict(row._mapping)
    art["has_raw"] = art.pop("raw_html_gz") is not None
    art["labels"] = labels_of(conn, [article_id]).get(article_id, [])
    art["effective"] = effective(art["labels"])
    art["flags"] = [dict(r._mapping) for r in conn.execute(
        select(flags).where(flags.c.article_id == article_id).order_by(flags.c.score.desc()))]
    for flag in art["flags"]:
        flag["signal_list"] = read_signals(flag["signals"])
        flag["segments"] = highlighted(art["title"], art["sapo"], art["body"], flag["signals"],
                                       article_id=article_id)
    art["cluster"] = _cluster(conn, art["cluster_id"])
    art["history"] = history(conn, article_id)
    art["assignments"] = [dict(r._mapping) for r in conn.execute(
        select(assignments).where(assignments.c.article_id == article_id)
        .order_by(assignments.c.assigned_at.desc()))]
    return art


def _cluster(conn: Connection, cluster_id: int | None) -> dict | None:
    if cluster_id is None:
        return None
    row = conn.execute(select(clusters).where(clusters.c.id == cluster_id)).first()
    if row is None:
        return None
    return {**row._mapping, "members": cluster_members(conn, [cluster_id]).get(cluster_id, [])}


def history(conn: Connection, article_id: int) -> list[dict]:
    """Edits and takedowns found after publication, from the tables that record them, if any."""
    out = []
    for name in HISTORY_TABLES:
        table = metadata.tables.get(name)
        if table is None or "article_id" not in table.c or not _exists(conn, name):
            continue
        order = next((table.c[c] for c in ("fetched_at", "at", "created_at") if c in table.c),
                     None)
        q = select(table).where(table.c.article_id == article_id)
        try:
            out += [dict(r._mapping) for r in conn.execute(q.order_by(order) if order is not None
                                                           else q)]
        except SQLAlchemyError as exc:  # a table of another version: show none rather than fail
            log.warning("cannot read %s: %s", name, exc)
    return out


def _exists(conn: Connection, name: str) -> bool:
    try:
        return inspect(conn).has_table(name)
    except SQLAlchemyError:
        return False


def raw_page(conn: Connection, article_id: int) -> tuple[str, str] | None:
    """(the stored page decoded as text, its content type) or None."""
    row = conn.execute(select(articles.c.raw_html_gz, articles.c.content_type)
                       .where(articles.c.id == article_id)).first()
    if row is None or row.raw_html_gz is None:
        return None
    data = gzip.decompress(row.raw_html_gz)
    charset = "utf-8"
    if row.content_type and "charset=" in row.content_type:
        charset = row.content_type.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
    try:
        return data.decode(charset, errors="replace"), row.content_type or ""
    except LookupError:
        return data.decode("utf-8", errors="replace"), row.content_type or ""


def audit_page(conn: Connection, *, page: int, page_size: int, actor: str = "",
               object_type: str = "", object_id: str = "") -> tuple[list[dict], int]:
    q = select(audit_log)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if object_type:
        q = q.where(audit_log.c.object_type == object_type)
    if object_id:
        q = q.where(audit_log.c.object_id == object_id)
    total = conn.scalar(select(func.count()).select_from(q.subquery()))
    q = q.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(page_size).offset(
        (page - 1) * page_size)
    return [dict(r._mapping) for r in conn.execute(q)], total


def model_quality(conn: Connection) -> list[Quality]:
    """Model labels measured against the analysts' labels of the same articles and kind."""
    corrected = select(labels.c.article_id).where(labels.c.origin == "analyst")
    q = (select(labels.c.article_id, labels.c.kind, labels.c.value, labels.c.origin,
                labels.c.model_version).where(labels.c.article_id.in_(corrected)))
    model: dict[tuple[int, str], set] = defaultdict(set)
    version: dict[tuple[int, str], str] = {}
    analyst: dict[tuple[int, str], set] = defaultdict(set)
    for r in conn.execute(q):
        key = (r.article_id, r.kind)
        if r.origin == "analyst":
            analyst[key].add(r.value)
        else:
            model[key].add(r.value)
            version[key] = r.model_version or "?"
    pipeline = _pipeline_relevance(conn, [aid for aid, kind in analyst if kind == "relevance"])
    for aid, value in pipeline.items():
        if (aid, "relevance") not in model and value:
            model[(aid, "relevance")].add(value)
            version[(aid, "relevance")] = "pipeline"
    return measure((kind, version[(aid, kind)], frozenset(model[(aid, kind)]), frozenset(values))
                   for (aid, kind), values in analyst.items() if (aid, kind) in model)


def _pipeline_relevance(conn: Connection, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    q = select(articles.c.id, articles.c.relevance).where(articles.c.id.in_(ids))
    return {r.id: r.relevance for r in conn.execute(q)}


