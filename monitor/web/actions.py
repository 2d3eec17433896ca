"""Analysts' actions: flag decisions, label corrections, department assignments; each one is
written to audit_log (who, what, when, before, after) in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from monitor.errors import MonitorError
from monitor.store.tables import articles, audit_log, flags, labels
from monitor.store.tables_web import assignments
from monitor.web.config import FLAG_STATUSES, RELEVANCE, TONES, topics

MAX_NOTE = 4000
MAX_TOPICS = 3


class ActionError(MonitorError):
    """An action that cannot be done as asked (unknown object, value not allowed)."""


def audit(conn: Connection, *, actor: str, action: str, object_type: str, object_id,
          before=None, after=None, note: str | None = None, now: datetime) -> None:
    conn.execute(insert(audit_log).values(
        at=now, actor=actor, action=action, object_type=object_type, object_id=str(object_id),
        before=before, after=after, note=note))


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    return note[:MAX_NOTE] or None


def set_flag_status(conn: Connection, flag_id: int, status: str, note: str | None, *,
                    actor: str, now: datetime) -> None:
    if status not in FLAG_STATUSES:
        raise ActionError(f"trạng thái không hợp lệ: {status!r}")
    row = conn.execute(select(flags.c.status, flags.c.note, flags.c.reviewer)
                       .where(flags.c.id == flag_id)).first()
    if row is None:
        raise ActionError(f"không có cảnh báo #{flag_id}")
    note = _note(note)
    conn.execute(update(flags).where(flags.c.id == flag_id).values(
        status=status, note=note, reviewer=actor, updated_at=now))
    audit(conn, actor=actor, action="flag.status", object_type="flag", object_id=flag_id,
          before=dict(row._mapping), after={"status": status, "note": note, "reviewer": actor},
          note=note, now=now)


def allowed_values(kind: str) -> dict[str, str]:
    return {"topic": topics(), "tone": TONES, "relevance": RELEVANCE}.get(kind, {})


def correct_labels(conn: Connection, article_id: int, kind: str, values: Sequence[str], *,
                   actor: str, now: datetime, note: str | None = None) -> None:
    """Replace the analyst's ``kind`` labels of the article by ``values`` (origin=analyst)."""
    allowed = allowed_values(kind)
    values = list(dict.fromkeys(v for v in values if v))
    if not allowed:
        raise ActionError(f"loại nhãn không hợp lệ: {kind!r}")
    if not values or any(v not in allowed for v in values):
        raise ActionError("giá trị nhãn không hợp lệ")
    if len(values) > (MAX_TOPICS if kind == "topic" else 1):
        raise ActionError("quá nhiều giá trị cho loại nhãn này")
    if conn.scalar(select(articles.c.id).where(articles.c.id == article_id)) is None:
        raise ActionError(f"không có bài #{article_id}")
    mine = (labels.c.article_id == article_id) & (labels.c.kind == kind)
    current = conn.execute(select(labels.c.value, labels.c.origin, labels.c.model_version)
                           .where(mine).order_by(labels.c.origin, labels.c.value)).all()
    conn.execute(delete(labels).where(mine, labels.c.origin == "analyst"))
    conn.execute(insert(labels), [{
        "article_id": article_id, "kind": kind, "value": v, "score": 1.0, "origin": "analyst",
        "model_version": None, "created_by": actor, "created_at": now} for v in values])
    audit(conn, actor=actor, action=f"label.{kind}", object_type="article",
          object_id=article_id, before=[dict(r._mapping) for r in current],
          after={"kind": kind, "values": values, "origin": "analyst"}, note=_note(note), now=now)


def assign(conn: Connection, article_id: int, department: str, note: str | None, *,
           departments: Sequence[str], actor: str, now: datetime,
           flag_id: int | None = None) -> int:
    if department not in departments:
        raise ActionError("đơn vị không có trong danh sách")
    if conn.scalar(select(articles.c.id).where(articles.c.id == article_id)) is None:
        raise ActionError(f"không có bài #{article_id}")
    if flag_id is not None and conn.scalar(select(flags.c.id).where(
            flags.c.id == flag_id, flags.c.article_id == article_id)) is None:
        flag_id = None
    note = _note(note)
    new_id = conn.execute(insert(assignments).values(
        article_id=article_id, flag_id=flag_id, department=department, note=note,
        status="assigned", assigned_by=actor, assigned_at=now)).inserted_primary_key[0]
    audit(conn, actor=actor, action="assignment.create", object_type="article",
          object_id=article_id, before=None,
          after={"assignment": new_id, "department": department, "flag": flag_id}, note=note,
          now=now)
    return new_id


def record_response(conn: Connection, assignment_id: int, response: str, *, actor: str,
                    now: datetime) -> int:
    """Record a department's response; returns the article id."""
    response = _note(response)
    if not response:
        raise ActionError("nội dung phản hồi trống")
    row = conn.execute(select(assignments).where(assignments.c.id == assignment_id)).first()
    if row is None:
        raise ActionError(f"không có giao việc #{assignment_id}")
    conn.execute(update(assignments).where(assignments.c.id == assignment_id).values(
        status="answered", response=response, responded_by=actor, responded_at=now))
    audit(conn, actor=actor, action="assignment.response", object_type="article",
          object_id=row.article_id,
          before={"assignment": assignment_id, "status": row.status, "response": row.response},
          after={"assignment": assignment_id, "status": "answered", "response": response},
          now=now)
    return row.article_id
