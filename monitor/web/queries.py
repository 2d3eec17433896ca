"""What the pages read: article lists, overview figures, the flag queue, sources' health."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, or_, select

from monitor.store.tables import articles, clusters, feeds, fetches, flags, labels, sources
from monitor.web import filters as F
from monitor.web.labels import effective_of

COUNT_CAP = 10_000


@dataclass(frozen=True)
class ListPage:
    rows: list[dict]
    total: int  # capped at COUNT_CAP + 1 ("more than")
    page: int
    pages: int

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP


def source_names(conn: Connection) -> dict[str, dict]:
    q = select(sources.c.id, sources.c.name, sources.c.tier, sources.c.homepage)
    return {r.id: dict(r._mapping) for r in conn.execute(q.order_by(sources.c.name))}


def article_ids(conn: Connection, conds: Sequence, *, limit: int, offset: int = 0) -> list[int]:
    """Ids of matching articles, newest first (served from the covering time index)."""
    q = (select(articles.c.id).where(*conds)
         .order_by(F.article_time().desc(), articles.c.id.desc()).limit(limit).offset(offset))
    return list(conn.scalars(q))


def count_capped(conn: Connection, conds: Sequence, cap: int = COUNT_CAP) -> int:
    inner = select(articles.c.id).where(*conds).limit(cap + 1).subquery()
    return conn.scalar(select(func.count()).select_from(inner))


def article_page(conn: Connection, conds: Sequence, *, page: int, page_size: int,
                 zone: str) -> ListPage:
    total = count_capped(conn, conds)
    pages = max(1, -(-min(total, COUNT_CAP) // page_size))
    page = min(page, pages)
    ids = article_ids(conn, conds, limit=page_size, offset=(page - 1) * page_size)
    return ListPage(article_rows(conn, ids, zone), total, page, pages)


def article_rows(conn: Connection, ids: Sequence[int], zone: str) -> list[dict]:
    """Display rows for ``ids`` in that order: outlet, local time, effective labels, flag."""
    if not ids:
        return []
    q = (select(articles.c.id, articles.c.title, articles.c.url, articles.c.source_id,
                articles.c.published, articles.c.first_seen, articles.c.relevance,
                articles.c.cluster_id, sources.c.name.label("source_name"), sources.c.tier)
         .join(sources, sources.c.id == articles.c.source_id).where(articles.c.id.in_(ids)))
    found = {r.id: dict(r._mapping) for r in conn.execute(q)}
    labels_by = effective_of(conn, ids)
    flag_by = _top_flags(conn, ids)
    tz = ZoneInfo(zone)
    out = []
    for aid in ids:
        row = found.get(aid)
        if row is None:
            continue
        eff = labels_by.get(aid, {})
        row["when"] = (row["published"] or row["first_seen"]).astimezone(tz)
        row["topics"] = [lb.value for lb in eff.get("topic", [])]
        row["tone"] = next((lb.value for lb in eff.get("tone", [])), None)
        corrected = eff.get("relevance")
        row["relevance"] = corrected[0].value if corrected else row["relevance"]
        row["flag"] = flag_by.get(aid)
        out.append(row)
    return out


def _top_flags(conn: Connection, ids: Sequence[int]) -> dict[int, dict]:
    q = (select(flags.c.id, flags.c.article_id, flags.c.status, flags.c.score)
         .where(flags.c.article_id.in_(list(ids))).order_by(flags.c.score))
    return {r.article_id: dict(r._mapping) for r in conn.execute(q)}


# -- CSV export --------------------------------------------------------------------------------

CSV_HEADER = ["id", "thoi_gian", "co_quan_bao", "cap", "tieu_de", "url", "lien_quan", "chu_de",
              "sac_thai", "canh_bao"]


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(conn: Connection, conds: Sequence, *, zone: str, max_rows: int,
               batch: int = 1000) -> Iterator[str]:
    """The matching articles as CSV text chunks (UTF-8 with BOM for spreadsheets), newest first."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow(CSV_HEADER)
    ids = article_ids(conn, conds, limit=max_rows)
    for start in range(0, len(ids), batch):
        for r in article_rows(conn, ids[start:start + batch], zone):
            writer.writerow([_cell(v) for v in (
                r["id"], r["when"].strftime("%Y-%m-%d %H:%M"), r["source_name"], r["tier"],
                r["title"], r["url"], r["relevance"], "|".join(r["topics"]), r["tone"],
                (r["flag"] or {}).get("status"))])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


# -- overview ----------------------------------------------------------------------------------

def volume_by_day(conn: Connection, lower: datetime, upper: datetime, zone: str
                  ) -> list[tuple[str, int]]:
    """(local day dd/mm, articles) for every day of [lower, upper)."""
    tz = ZoneInfo(zone)
    when = F.article_time()
    if conn.dialect.name == "sqlite":  # grouped in SQL at the zone's offset at the period start
        minutes = int(lower.astimezone(tz).utcoffset().total_seconds() // 60)
        day = func.date(when, f"{minutes:+d} minutes")
        q = select(day, func.count()).where(F.period_condition(lower, upper)).group_by(day)
        counts = {date.fromisoformat(d): n for d, n in conn.execute(q)}
    else:
        q = select(when).where(F.period_condition(lower, upper))
        counts = Counter(t.astimezone(tz).date() for t in conn.scalars(q))
    day, out = lower.astimezone(tz).date(), []
    last = (upper - timedelta(seconds=1)).astimezone(tz).date()
    while day <= last:
        out.append((day.strftime("%d/%m"), counts.get(day, 0)))
        day += timedelta(days=1)
    return out


def label_counts(conn: Connection, lower: datetime, upper: datetime) -> dict[str, Counter]:
    """kind -> Counter of the effective topic and tone values of the period's articles (an
    analyst's labels of a kind replace the model's)."""
    in_period = select(articles.c.id).where(F.period_condition(lower, upper))
    # A short period: look its articles' labels up by article id (+kind hides the kind index);
    # a long one: one pass over the kind's index is cheaper than that many lookups.
    by_article = conn.dialect.name == "sqlite" and upper - lower <= timedelta(days=31)
    out = {}
    for kind in ("topic", "tone"):
        corrected = select(labels.c.article_id).where(labels.c.kind == kind,
                                                      labels.c.origin == "analyst")
        q = (select(labels.c.value, func.count())
             .where(F.plain(labels.c.kind, by_article) == kind,
                    labels.c.article_id.in_(in_period),
                    or_(labels.c.origin == "analyst", labels.c.article_id.not_in(corrected)))
             .group_by(labels.c.value))
        out[kind] = Counter(dict(conn.execute(q).all()))
    return out


def top_stories(conn: Connection, lower: datetime, upper: datetime, limit: int = 10
                ) -> list[dict]:
    q = (select(clusters, sources.c.name.label("source_name"))
         .join(sources, sources.c.id == clusters.c.first_source_id, isouter=True)
         .where(clusters.c.first_published >= lower, clusters.c.first_published < upper,
                clusters.c.size > 1)
         .order_by(clusters.c.independent_outlets.desc(), clusters.c.size.desc())
         .limit(limit))
    return [dict(r._mapping) for r in conn.execute(q)]


def period_total(conn: Connection, lower: datetime, upper: datetime) -> dict[str, int]:
    cond = F.period_condition(lower, upper)
    total = conn.scalar(select(func.count()).select_from(articles).where(cond))
    relevance = F.plain(articles.c.relevance, conn.dialect.name == "sqlite")
    relevant = conn.scalar(select(func.count()).select_from(articles)
                           .where(cond, relevance.in_(["about", "mention"])))
    open_flags = conn.scalar(select(func.count()).select_from(flags)
                             .where(flags.c.status == "open"))
    return {"articles": total, "relevant": relevant, "open_flags": open_flags}


# -- sources -----------------------------------------------------------------------------------

def sources_health(conn: Connection, *, now: datetime, days: int = 7) -> list[dict]:
    """Each outlet: feeds by state, last success, failures, last error, silent since, and the
    share of its last ``days`` days' articles with each field extracted."""
    rows = {sid: {**info, "feeds": 0, "active": 0, "backoff": 0, "disabled": 0,
                  "last_success": None, "failures": 0, "last_error": None, "silent_since": None,
                  "recent": 0, "complete": {}, "failed_24h": 0}
            for sid, info in source_names(conn).items()}
    for f in conn.execute(select(feeds.c.source_id, feeds.c.status, feeds.c.last_success,
                                 feeds.c.consecutive_failures, feeds.c.last_error)):
        row = rows.get(f.source_id)
        if row is None:
            continue
        row["feeds"] += 1
        row[f.status if f.status in ("active", "backoff", "disabled") else "active"] += 1
        if f.last_success and (row["last_success"] is None or f.last_success > row["last_success"]):
            row["last_success"] = f.last_success
        if f.consecutive_failures > row["failures"]:
            row["failures"], row["last_error"] = f.consecutive_failures, f.last_error
    for sid, row in rows.items():  # one index lookup per outlet
        row["silent_since"] = conn.scalar(select(func.max(articles.c.first_seen))
                                          .where(articles.c.source_id == sid))
    _completeness(conn, rows, now - timedelta(days=days))
    failed = (select(fetches.c.source_id, func.count())
              .where(fetches.c.started_at >= now - timedelta(hours=24),
                     fetches.c.outcome == "failed").group_by(fetches.c.source_id))
    for sid, n in conn.execute(failed):
        if sid in rows:
            rows[sid]["failed_24h"] = n
    return sorted(rows.values(), key=lambda r: (-r["failures"], r["name"]))


FIELDS = ("sapo", "body", "author", "published", "section")


def _completeness(conn: Connection, rows: dict[str, dict], since: datetime) -> None:
    q = (select(articles.c.source_id, func.length(articles.c.sapo) > 0,
                func.length(articles.c.body) > 2,
                func.coalesce(articles.c.author, "") != "",
                func.coalesce(articles.c.published_origin, "") != "first_seen",
                func.coalesce(articles.c.section, "") != "")
         .where(articles.c.first_seen >= since))
    found: dict[str, list[int]] = {}
    for sid, *flags_ in conn.execute(q):
        counts = found.setdefault(sid, [0] * (len(FIELDS) + 1))
        counts[0] += 1
        for i, present in enumerate(flags_, start=1):
            counts[i] += bool(present)
    for sid, counts in found.items():
        if sid in rows:
            rows[sid]["recent"] = counts[0]
            rows[sid]["complete"] = {k: counts[i] / counts[0] for i, k in enumerate(FIELDS, 1)}
