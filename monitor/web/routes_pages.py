"""The pages (GET): overview, articles (search, filters, CSV), flags, article, sources, audit."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from monitor.web import charts, queries, review, search
from monitor.web import filters as F
from monitor.web.app import render
from monitor.web.config import FLAG_STATUSES, TONES, topics
from monitor.web.security import RAW_CSP, now, require

router = APIRouter()
PERIODS = {"7": 7, "30": 30, "90": 90}


def _today(request: Request) -> date:
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo(request.app.state.settings.timezone)).date()


def _period(request: Request) -> tuple[date, date, str]:
    params = request.query_params
    start, end = F._parse_day(params.get("start")), F._parse_day(params.get("end"))
    if start and end and start <= end and (end - start).days <= 366:
        return start, end, ""
    days = PERIODS.get(params.get("days", "7"), 7)
    end = _today(request)
    return end - timedelta(days=days - 1), end, str(days)


@router.get("/")
def overview(request: Request) -> Response:
    require(request)
    zone = request.app.state.settings.timezone
    start, end, days = _period(request)
    lower, upper = F.day_bounds(start, end, zone)
    with request.app.state.db.begin() as conn:
        volume = queries.volume_by_day(conn, lower, upper, zone)
        counts = queries.label_counts(conn, lower, upper)
        stories = queries.top_stories(conn, lower, upper)
        totals = queries.period_total(conn, lower, upper)
        health = queries.sources_health(conn, now=now())
    names = topics()
    topic_chart = charts.bar_chart("Chủ đề", [(names.get(k, k), n, "topic") for k, n in
                                             counts["topic"].most_common(12)])
    tone_chart = charts.bar_chart("Sắc thái", [(TONES.get(k, k), counts["tone"].get(k, 0), k)
                                               for k in TONES])
    volume_chart = charts.column_chart("Số bài theo ngày", volume,
                                       label_every=max(1, len(volume) // 15))
    failing = [h for h in health if h["failures"] or h["disabled"]]
    return render(request, "overview.html", {
        "start": start, "end": end, "days": days, "volume": volume_chart, "topics": topic_chart,
        "tones": tone_chart, "stories": stories, "totals": totals, "health": health,
        "failing": failing})




@router.get("/articles")
def article_list(request: Request) -> Response:
    require(request)
    app = request.app
    zone, web = app.state.settings.timezone, app.state.web
    flt = F.parse_filter(request.query_params)
    with app.state.db.begin() as conn:
        if flt.q:
            search.index_pending(conn, web.search_index_batch)
        pending = search.pending_count(conn) if flt.q else 0
        fts = search.match_condition(conn, flt.q)
        conds = F.conditions(flt, zone, fts, sqlite=search.has_index(conn))
        result = queries.article_page(conn, conds, page=flt.page,
                                      page_size=web.page_size, zone=zone)
        outlets = queries.source_names(conn)
    template = "_article_results.html" if "hx-request" in request.headers else "articles.html"
    return render(request, template, {"flt": flt, "result": result, "outlets": outlets,
                                      "pending": pending})


@router.get("/articles.csv")
def article_csv(request: Request) -> Response:
    require(request)
    app = request.app
    zone, web = app.state.settings.timezone, app.state.web
    flt = F.parse_filter(request.query_params)
    with app.state.db.begin() as conn:
        fts = search.match_condition(conn, flt.q)
        conds = F.conditions(flt, zone, fts, sqlite=search.has_index(conn))
        chunks = list(queries.export_csv(conn, conds, zone=zone,
                                         max_rows=web.export_max_rows))
    name = f"diembao-bai-viet-{_today(request).isoformat()}.csv"
    return StreamingResponse(iter(chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/articles/{article_id}")
def article_page(request: Request, article_id: int) -> Response:
    require(request)
    with request.app.state.db.begin() as conn:
        art = review.article_detail(conn, article_id)
    if art is None:
        raise HTTPException(404)
    return render(request, "article.html", {"a": art})


@router.get("/articles/{article_id}/raw")
def article_raw(request: Request, article_id: int) -> Response:
    """The stored page as plain text in a CSP sandbox: never live HTML on this origin."""
    require(request)
    with request.app.state.db.begin() as conn:
        found = review.raw_page(conn, article_id)
    if found is None:
        raise HTTPException(404)
    return Response(found[0], media_type="text/plain; charset=utf-8",
                    headers={"Content-Security-Policy": RAW_CSP,
                             "X-Frame-Options": "SAMEORIGIN",
                             "Content-Disposition": "inline"})


@router.get("/flags")
def flag_page(request: Request, status: str = "open", page: int = 1) -> Response:
    require(request)
    status = status if status in FLAG_STATUSES or status == "any" else "open"
    size = request.app.state.web.page_size
    page = max(1, page)
    with request.app.state.db.begin() as conn:
        rows, total = review.flag_queue(conn, status, page=page, page_size=size)
    return render(request, "flags.html", {"flags": rows, "total": total, "status": status,
                                          "page": page, "pages": max(1, -(-total // size))})


@router.get("/sources")
def source_page(request: Request) -> Response:
    require(request)
    with request.app.state.db.begin() as conn:
        health = queries.sources_health(conn, now=now())
    return render(request, "sources.html", {"health": health, "now": now()})


@router.get("/audit")
def audit_page(request: Request, page: int = 1, actor: str = "", object_type: str = "",
               object_id: str = "") -> Response:
    require(request, "analyst")
    size = request.app.state.web.page_size
    page = max(1, page)
    with request.app.state.db.begin() as conn:
        rows, total = review.audit_page(conn, page=page, page_size=size, actor=actor[:100],
                                        object_type=object_type[:50], object_id=object_id[:100])
    return render(request, "audit.html", {"rows": rows, "total": total, "page": page,
                                          "pages": max(1, -(-total // size)), "actor": actor,
                                          "object_type": object_type, "object_id": object_id})


@router.get("/quality")
def quality_page(request: Request) -> Response:
    require(request)
    with request.app.state.db.begin() as conn:
        rows = review.model_quality(conn)
    return render(request, "quality.html", {"rows": rows})
