"""Recorded e-mail deliveries: each period is queued once, sent, and retried until it goes out."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.mail import MailSettings, send_with_retries
from monitor.store.db import Database
from monitor.store.tables_reports import deliveries

log = logging.getLogger(__name__)

STALE_SENDING = timedelta(minutes=15)  # a "sending" row older than this was left by a crash
MAX_PERMANENT_ATTEMPTS = 5  # permanent (5xx) failures tried this often before "failed"


@dataclass(frozen=True)
class Delivery:
    id: int
    kind: str
    period: str
    send_no: int
    status: str  # pending | sending | sent | failed
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def _insert(conn: Connection):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(deliveries)


def _row(conn: Connection, condition) -> Delivery | None:
    r = conn.execute(select(deliveries).where(condition)).mappings().first()
    if r is None:
        return None
    return Delivery(r["id"], r["kind"], r["period"], r["send_no"], r["status"], r["attempts"],
                    r["last_error"], r["sent_at"])


def find_delivery(conn: Connection, kind: str, period: str, send_no: int = 0) -> Delivery | None:
    return _row(conn, (deliveries.c.kind == kind) & (deliveries.c.period == period)
                & (deliveries.c.send_no == send_no))


def queue_delivery(conn: Connection, *, kind: str, period: str, subject: str, sender: str,
                   recipients: list[str], message: bytes, now: datetime,
                   resend: bool = False) -> Delivery:
    """Queue the period's message. The regular send (send_no 0) is queued at most once: when it
    exists, it is returned unchanged. ``resend`` queues a new copy on purpose."""
    send_no = 0
    if resend:
        last = conn.scalar(select(func.max(deliveries.c.send_no)).where(
            deliveries.c.kind == kind, deliveries.c.period == period))
        send_no = 0 if last is None else last + 1
    conn.execute(_insert(conn).values(
        kind=kind, period=period, send_no=send_no, subject=subject, sender=sender,
        recipients=list(recipients), message=message, status="pending", attempts=0,
        created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["kind", "period", "send_no"]))
    found = find_delivery(conn, kind, period, send_no)
    assert found is not None
    return found


def due_deliveries(conn: Connection, *, now: datetime) -> list[int]:
    """Deliveries to (re)try now: pending and due, or left "sending" by a process that died."""
    q = select(deliveries.c.id).where(or_(
        (deliveries.c.status == "pending")
        & (deliveries.c.next_try.is_(None) | (deliveries.c.next_try <= now)),
        (deliveries.c.status == "sending") & (deliveries.c.updated_at < now - STALE_SENDING),
    )).order_by(deliveries.c.id)
    return list(conn.scalars(q))


def _claim(conn: Connection, delivery_id: int, now: datetime, force: bool) -> dict | None:
    """Mark the row "sending" unless another process holds it; returns what to send."""
    claimable = or_(deliveries.c.status.in_(["pending", "failed"] if force else ["pending"]),
                    (deliveries.c.status == "sending")
                    & (deliveries.c.updated_at < now - STALE_SENDING))
    done = conn.execute(update(deliveries).where(deliveries.c.id == delivery_id, claimable)
                        .values(status="sending", updated_at=now))
    if done.rowcount != 1:
        return None
    r = conn.execute(select(deliveries.c.message, deliveries.c.recipients,
                            deliveries.c.attempts).where(deliveries.c.id == delivery_id)).one()
    return {"message": r.message, "recipients": list(r.recipients), "attempts": r.attempts}


def deliver(db: Database, delivery_id: int, settings: MailSettings, *, now: datetime,
            env: Mapping[str, str] | None = None, sleep: Callable[[float], None] | None = None,
            force: bool = False) -> Delivery:
    """Send one queued delivery (with in-process retries) and record the outcome. A failure
    stays queued ("pending" with a later ``next_try``) for the scheduler; only a permanent
    failure repeated MAX_PERMANENT_ATTEMPTS times becomes "failed" (``force`` retries those)."""
    with db.begin() as conn:
        claimed = _claim(conn, delivery_id, now, force)
    if claimed is None:
        with db.begin() as conn:
            return _row(conn, deliveries.c.id == delivery_id)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    outcome = send_with_retries(claimed["message"], recipients=claimed["recipients"],
                                settings=settings, env=os.environ if env is None else env,
                                **kwargs)
    attempts = claimed["attempts"] + outcome.attempts
    with db.begin() as conn:
        _record(conn, delivery_id, outcome, attempts, settings, now)
        return _row(conn, deliveries.c.id == delivery_id)


def _record(conn: Connection, delivery_id: int, outcome, attempts: int,
            settings: MailSettings, now: datetime) -> None:
    if outcome.sent:
        note = f"refused: {', '.join(outcome.refused)}" if outcome.refused else None
        values = {"status": "sent", "sent_at": now, "last_error": note, "next_try": None}
        log.info("delivery %d sent (%d attempts)", delivery_id, attempts)
    else:
        give_up = not outcome.temporary and attempts >= MAX_PERMANENT_ATTEMPTS
        wait = min(settings.queue_backoff_max, 60.0 * 2 ** min(attempts, 20))
        values = {"status": "failed" if give_up else "pending", "last_error": outcome.error,
                  "next_try": None if give_up else now + timedelta(seconds=wait)}
        log.error("delivery %d not sent (%s); %s", delivery_id, outcome.error,
                  "given up: resend it by hand" if give_up else f"retried in {wait:.0f} s")
    conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
        attempts=attempts, updated_at=now, **values))


def retry_due(db: Database, settings: MailSettings, *, now: datetime,
              env: Mapping[str, str] | None = None,
              sleep: Callable[[float], None] | None = None) -> list[Delivery]:
    """Send every delivery that is due again (the scheduler calls this every few minutes)."""
    if not settings.enabled:
        return []
    with db.begin() as conn:
        ids = due_deliveries(conn, now=now)
    return [deliver(db, i, settings, now=now, env=env, sleep=sleep) for i in ids]
