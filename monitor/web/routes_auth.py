"""Login and logout: rate-limited, CSRF-protected, no open redirects."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from monitor.web import accounts
from monitor.web.actions import audit
from monitor.web.app import render
from monitor.web.security import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_origin,
    client_address,
    current_session,
    new_token,
    now,
    require_action,
    safe_next,
    secure_cookie,
)

router = APIRouter()


def _login_form(request: Request, *, error: str = "", status_code: int = 200,
                next_path: str = "/") -> Response:
    token = new_token()
    response = render(request, "login.html", {"login_csrf": token, "error": error,
                                              "next": next_path}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure_cookie(request, request.app.state.web.secure_cookies),
                        path="/login", max_age=3600)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_path=safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    web = request.app.state.web
    next_path = safe_next(str(form.get("next") or "/"))
    check_origin(request)
    if not accounts.tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE),
                                 str(form.get(CSRF_FIELD) or "")):
        return _login_form(request, error="Phiên đăng nhập đã hết hạn, hãy thử lại.",
                           status_code=403, next_path=next_path)
    username = str(form.get("username") or "").strip()[:100]
    password = str(form.get("password") or "")[:1000]
    address, moment = client_address(request), now()
    with request.app.state.db.begin() as conn:
        if accounts.login_blocked(conn, username, address, now=moment,
                                  max_failures=web.login_max_failures, window=web.login_window):
            minutes = max(1, round(web.login_window / 60))
            return _login_form(
                request, status_code=429, next_path=next_path,
                error=f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.")
        user = accounts.authenticate(conn, username, password)
        accounts.record_login(conn, username, address, success=user is not None, now=moment,
                              keep=max(web.login_window, 86400.0))
        if user is None:
            return _login_form(request, error="Tên đăng nhập hoặc mật khẩu không đúng.",
                               status_code=401, next_path=next_path)
        token = accounts.open_session(conn, user, now=moment, lifetime=web.session_lifetime,
                                      address=address)
        audit(conn, actor=user.username, action="session.login", object_type="user",
              object_id=user.username, after={"address": address}, now=moment)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=secure_cookie(request, web.secure_cookies),
                        max_age=int(web.session_lifetime))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session, _ = await require_action(request, role="viewer")
    with request.app.state.db.begin() as conn:
        accounts.close_session(conn, request.cookies.get(SESSION_COOKIE))
        audit(conn, actor=session.user.username, action="session.logout", object_type="user",
              object_id=session.user.username, now=now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
