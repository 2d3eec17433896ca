"""Full-text search with and without diacritics: the SQLite FTS5 index and the article list.

SQLite: ``search_fts`` (migration 0003_web) holds each article's text twice, as stored (``text``,
tokenised with diacritics kept) and folded (``folded``: lower case, no diacritics, đ -> d).
Triggers on ``articles`` queue changed articles in ``search_queue``; ``index_pending`` folds and
indexes them (the fold is Python, so it cannot run inside a trigger). A query typed with
diacritics matches them exactly ("bắc" finds "Bắc" but not "bác"); a query typed without any
matches every spelling ("bac giang" finds "Bắc Giang").

PostgreSQL alternative (not used by this code, which falls back to ILIKE on title and sapo there):
``CREATE EXTENSION unaccent``, a generated ``tsvector`` column over
``unaccent(title || ' ' || sapo || ' ' || body)`` plus one without unaccent, GIN indexes on both,
and ``websearch_to_tsquery('simple', ...)`` against the column chosen like here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import Connection, and_, bindparam, func, select, text

from monitor.store.tables import articles
from monitor.store.tables_web import search_queue
from monitor.text import fold, normalize
from monitor.web.filters import plain

log = logging.getLogger(__name__)

_PHRASE = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")
MAX_TERMS = 12


@dataclass(frozen=True)
class FtsQuery:
    """An FTS5 MATCH expression and whether it uses the diacritics-kept column."""

    expression: str
    exact: bool


def build_query(raw: str) -> FtsQuery | None:
    """User input -> FTS5 expression: words are ANDed, "quoted words" are phrases; every FTS5
    operator character is dropped, so no input can raise a syntax error. None when no word."""
    cleaned = normalize(raw or "")
    exact = fold(cleaned) != cleaned.lower()
    phrases = []
    for quoted, bare in _PHRASE.findall(cleaned):
        words = _WORD.findall(quoted if quoted else bare)
        if not words:
            continue
        words = [w.lower() if exact else fold(w) for w in words]
        phrases.append('"' + " ".join(words) + '"')
    if not phrases:
        return None
    column = "text" if exact else "folded"
    return FtsQuery(" AND ".join(f"{column} : {p}" for p in phrases[:MAX_TERMS]), exact)


def document_text(title: str, sapo: str, body) -> str:
    paragraphs = body if isinstance(body, list) else []
    return "\n".join([title or "", sapo or "", *(str(p) for p in paragraphs)])


def has_index(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def pending_count(conn: Connection) -> int:
    if not has_index(conn):
        return 0
    return conn.scalar(select(func.count()).select_from(search_queue))


def index_pending(conn: Connection, limit: int = 2000) -> int:
    """Index up to ``limit`` queued articles; returns how many were indexed."""
    if not has_index(conn):
        return 0
    ids = list(conn.scalars(select(search_queue.c.article_id).limit(limit)))
    if not ids:
        return 0
    rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.sapo, articles.c.body)
                        .where(articles.c.id.in_(ids))).all()
    conn.execute(text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in ids])
    docs = []
    for row in rows:
        doc = document_text(row.title, row.sapo, row.body)
        docs.append({"id": row.id, "text": doc, "folded": fold(doc)})
    if docs:
        conn.execute(text("INSERT INTO search_fts (rowid, text, folded) "
                          "VALUES (:id, :text, :folded)"), docs)
    conn.execute(search_queue.delete().where(search_queue.c.article_id.in_(ids)))
    log.debug("indexed %d articles for search", len(docs))
    return len(ids)


def index_all(db, batch: int = 5000) -> int:
    """Drain the whole queue in batches (one transaction each); returns the number indexed."""
    total = 0
    while True:
        with db.begin() as conn:
            done = index_pending(conn, batch)
        total += done
        if done == 0:
            return total


def match_condition(conn: Connection, raw: str):
    """A condition on ``articles`` for the text query ``raw``, or None for an empty query."""
    query = build_query(raw)
    if query is None:
        return None
    if has_index(conn):
        fts = (select(text("rowid")).select_from(text("search_fts"))
               .where(text("search_fts MATCH :fts").bindparams(bindparam("fts", query.expression))))
        return plain(articles.c.id).in_(fts)
    words = _WORD.findall(normalize(raw))
    return and_(*[articles.c.title.ilike(f"%{w}%") | articles.c.sapo.ilike(f"%{w}%")
                 for w in words])
