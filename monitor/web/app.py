"""The FastAPI application: state, templates, security headers, error pages, routes."""

from __future__ import annotations

import json
import logging
import threading
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from monitor.settings import Settings
from monitor.store import Database
from monitor.web import search
from monitor.web.config import (
    FLAG_STATUSES,
    RELATIONS,
    RELEVANCE,
    ROLE_NAMES,
    TIERS,
    TONES,
    WebSettings,
    topics,
    web_settings,
)
from monitor.web.security import HEADERS, Forbidden, LoginRequired, current_session

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


def create_app(db: Database, settings: Settings | None = None, *,
               index_interval: float | None = None) -> FastAPI:
    """The review UI on ``db``. ``index_interval``: seconds between background search-index
    catch-ups (None: only when searching)."""
    settings = settings or Settings()
    app = FastAPI(title="Điểm báo", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_lifespan(db, index_interval))
    app.state.db = db
    app.state.settings = settings
    app.state.web = web_settings(settings)
    app.state.templates = _templates(settings.timezone)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_handlers(app)
    from monitor.web import routes_actions, routes_auth, routes_pages

    app.include_router(routes_auth.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_actions.router)
    return app


def _templates(zone: str) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    tz = ZoneInfo(zone)
    env.filters["local"] = lambda v, fmt="%d/%m/%Y %H:%M": (
        v.astimezone(tz).strftime(fmt) if isinstance(v, datetime) else "")
    env.filters["num"] = lambda v: f"{int(v or 0):,}".replace(",", ".")
    env.filters["pct"] = lambda v: f"{100 * (v or 0):.0f}%"
    env.filters["dec"] = lambda v, n=2: f"{(v or 0):.{n}f}".replace(".", ",")
    env.filters["js"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
    env.globals.update(TOPICS=topics(), RELATIONS=RELATIONS, TONES=TONES, RELEVANCE=RELEVANCE,
                       TIERS=TIERS, FLAG_STATUSES=FLAG_STATUSES, ROLE_NAMES=ROLE_NAMES,
                       quote=quote)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A template with the session, its CSRF token and the web settings in its context."""
    session = current_session(request)
    base = {"session": session, "user": session.user if session else None,
            "csrf_token": session.csrf_token if session else "",
            "web": request.app.state.web, "path": request.url.path}
    return request.app.state.templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code)


def _install_handlers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers.setdefault("Cache-Control", "no-store")
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        if request.method == "GET" and "hx-request" not in request.headers:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return Response("Cần đăng nhập.", status_code=401, media_type="text/plain; charset=utf-8")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return render(request, "error.html", {"title": "Không được phép", "message": exc.message},
                      status_code=403)

    @app.exception_handler(404)
    async def not_found(request: Request, exc):
        return render(request, "error.html", {"title": "Không tìm thấy",
                                              "message": "Trang hoặc mục này không tồn tại."},
                      status_code=404)


def _lifespan(db: Database, interval: float | None):
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        stop = threading.Event()
        thread = None
        if interval:
            thread = threading.Thread(target=_index_loop, args=(db, interval, stop),
                                      name="search-indexer", daemon=True)
            thread.start()
        yield
        stop.set()
        if thread is not None:
            thread.join(timeout=5)

    return lifespan


def _index_loop(db: Database, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            search.index_all(db)
        except Exception:  # the scheduler may hold the write lock: try again next time
            log.warning("search index catch-up failed", exc_info=True)
        stop.wait(interval)


__all__ = ["WebSettings", "create_app", "render"]
