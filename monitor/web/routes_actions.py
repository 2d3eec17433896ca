"""The analysts' actions (POST, analyst role, CSRF token): flags, labels, assignments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from monitor.web import actions, review
from monitor.web.actions import ActionError
from monitor.web.app import render
from monitor.web.security import now, require_action

router = APIRouter()


def _done(request: Request, target: str) -> Response:
    """After an action: htmx gets the fragment it swaps in; a plain form post is redirected."""
    return RedirectResponse(target, status_code=303)


def _refused(request: Request, exc: ActionError) -> Response:
    return render(request, "error.html", {"title": "Không thực hiện được", "message": str(exc)},
                  status_code=400)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@router.post("/flags/{flag_id}/status")
async def flag_status(request: Request, flag_id: int) -> Response:
    session, form = await require_action(request)
    try:
        with request.app.state.db.begin() as conn:
            actions.set_flag_status(conn, flag_id, str(form.get("status") or ""),
                                    str(form.get("note") or ""), actor=session.user.username,
                                    now=now())
            card = review.flag_card(conn, flag_id) if "hx-request" in request.headers else None
    except ActionError as exc:
        return _refused(request, exc)
    if card is not None:
        return render(request, "_flag_card.html", {"f": card, "done": True})
    return _done(request, "/flags")


@router.post("/articles/{article_id}/labels")
async def article_labels(request: Request, article_id: int) -> Response:
    session, _ = await require_action(request)
    form = await request.form()
    kind = str(form.get("kind") or "")
    values = [str(v) for v in form.getlist("value")]
    try:
        with request.app.state.db.begin() as conn:
            actions.correct_labels(conn, article_id, kind, values, actor=session.user.username,
                                   now=now(), note=str(form.get("note") or ""))
    except ActionError as exc:
        return _refused(request, exc)
    return _done(request, f"/articles/{article_id}#nhan")


@router.post("/articles/{article_id}/assign")
async def article_assign(request: Request, article_id: int) -> Response:
    session, form = await require_action(request)
    try:
        with request.app.state.db.begin() as conn:
            actions.assign(conn, article_id, str(form.get("department") or ""),
                           str(form.get("note") or ""),
                           departments=request.app.state.web.departments,
                           actor=session.user.username, now=now(),
                           flag_id=_int(form.get("flag_id")))
    except ActionError as exc:
        return _refused(request, exc)
    return _done(request, f"/articles/{article_id}#giao-viec")


@router.post("/assignments/{assignment_id}/response")
async def assignment_response(request: Request, assignment_id: int) -> Response:
    session, form = await require_action(request)
    try:
        with request.app.state.db.begin() as conn:
            article_id = actions.record_response(conn, assignment_id,
                                                 str(form.get("response") or ""),
                                                 actor=session.user.username, now=now())
    except ActionError as exc:
        return _refused(request, exc)
    return _done(request, f"/articles/{article_id}#giao-viec")
