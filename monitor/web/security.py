"""Request-side safety: who is asking (session cookie), CSRF checks, safe redirects, headers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import Request

from monitor.web.accounts import Session, load_session, tokens_match

SESSION_COOKIE = "diembao_session"
LOGIN_CSRF_COOKIE = "diembao_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The stored page of an outlet: shown as text, in a sandbox, with nothing allowed to load.
RAW_CSP = "sandbox; default-src 'none'; frame-ancestors 'self'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send Origin: null
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, other requests get 401."""


class Forbidden(Exception):
    """A session without the role, or a request without a valid CSRF token."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def now() -> datetime:
    return datetime.now(UTC)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def current_session(request: Request) -> Session | None:
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached
    with request.app.state.db.begin() as conn:
        session = load_session(conn, request.cookies.get(SESSION_COOKIE), now=now())
    request.state.session = session
    return session


def require(request: Request, role: str = "viewer") -> Session:
    session = current_session(request)
    if session is None:
        raise LoginRequired()
    if not session.user.can(role):
        raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")
    return session


async def require_action(request: Request, role: str = "analyst") -> tuple[Session, dict]:
    """A state-changing request: a session with ``role``, a same-origin request and the
    session's CSRF token in the form or the X-CSRF-Token header. Returns the session and form."""
    session = require(request, "viewer")
    form = dict(await request.form())
    check_origin(request)
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not tokens_match(session.csrf_token, given if isinstance(given, str) else None):
        raise Forbidden("Yêu cầu bị từ chối: thiếu hoặc sai mã bảo vệ CSRF. Hãy tải lại trang.")
    if not session.user.can(role):
        raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")
    return session, form


def check_origin(request: Request) -> None:
    """Refuse a request whose Origin (when the browser sends one) is another site."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc != request.headers.get("host", ""):
            raise Forbidden("Yêu cầu bị từ chối: gửi từ một trang khác.")
    elif origin == "null":
        raise Forbidden("Yêu cầu bị từ chối: nguồn gửi không xác định.")


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go to after login; anything that could leave the site gives ``default``."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def secure_cookie(request: Request, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never":
        return False
    return request.url.scheme == "https"


def new_token() -> str:
    return secrets.token_urlsafe(32)
