"""Users, argon2 password hashes, login sessions and login rate limits (database side)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, or_, select, update

from monitor.errors import MonitorError
from monitor.store.tables import users
from monitor.store.tables_web import login_attempts, web_sessions
from monitor.web.config import ROLES

log = logging.getLogger(__name__)

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("diembao-dummy-password")
MIN_PASSWORD = 10
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


class AccountError(MonitorError):
    """A user cannot be added or changed as asked (unknown user, weak password, bad role)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above (viewer < analyst < admin)."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(conn: Connection, username: str, password: str, role: str, *,
             now: datetime) -> int:
    username = username.strip()
    if not username or len(username) > 100:
        raise AccountError("a user name is 1 to 100 characters")
    if role not in ROLE_RANK:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    check_password_strength(password)
    if conn.scalar(select(users.c.id).where(users.c.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    return conn.execute(insert(users).values(
        username=username, password_hash=hash_password(password), role=role, disabled=False,
        created_at=now)).inserted_primary_key[0]


def set_password(conn: Connection, username: str, password: str) -> None:
    check_password_strength(password)
    _update_user(conn, username, password_hash=hash_password(password))
    _drop_sessions(conn, username)


def set_disabled(conn: Connection, username: str, disabled: bool = True) -> None:
    _update_user(conn, username, disabled=disabled)
    if disabled:
        _drop_sessions(conn, username)


def set_role(conn: Connection, username: str, role: str) -> None:
    if role not in ROLE_RANK:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    _update_user(conn, username, role=role)


def list_users(conn: Connection) -> list[dict]:
    q = select(users.c.username, users.c.role, users.c.disabled, users.c.created_at)
    return [dict(r) for r in conn.execute(q.order_by(users.c.username)).mappings()]


def _update_user(conn: Connection, username: str, **values) -> None:
    done = conn.execute(update(users).where(users.c.username == username).values(**values))
    if done.rowcount == 0:
        raise AccountError(f"no user {username!r}")


def _drop_sessions(conn: Connection, username: str) -> None:
    user_id = select(users.c.id).where(users.c.username == username).scalar_subquery()
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The enabled user with this name and password, else None (same cost either way)."""
    row = conn.execute(select(users).where(users.c.username == username)).first()
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        conn.execute(update(users).where(users.c.id == row.id)
                     .values(password_hash=hash_password(password)))
    return User(row.id, row.username, row.role)


# -- login rate limit --------------------------------------------------------------------------

def login_blocked(conn: Connection, username: str, address: str, *, now: datetime,
                  max_failures: int, window: float) -> bool:
    """Too many failed logins lately for this user name, or (4x as many) from this address."""
    since = now - timedelta(seconds=window)
    failed = select(func.count()).select_from(login_attempts).where(
        login_attempts.c.at >= since, login_attempts.c.success == 0)
    by_name = conn.scalar(failed.where(login_attempts.c.username == username))
    by_address = conn.scalar(failed.where(login_attempts.c.address == address))
    return by_name >= max_failures or by_address >= 4 * max_failures


def record_login(conn: Connection, username: str, address: str, *, success: bool,
                 now: datetime, keep: float) -> None:
    conn.execute(insert(login_attempts).values(username=username[:100], address=address[:100],
                                               at=now, success=int(success)))
    conn.execute(delete(login_attempts).where(login_attempts.c.at < now - timedelta(seconds=keep)))


# -- sessions ----------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, user: User, *, now: datetime, lifetime: float,
                 address: str) -> str:
    """A new session for ``user``; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    conn.execute(insert(web_sessions).values(
        token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + timedelta(seconds=lifetime), last_seen=now,
        address=address[:100]))
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
    return token


def load_session(conn: Connection, token: str | None, *, now: datetime) -> Session | None:
    """The live session of this cookie value with its enabled user, else None."""
    if not token or len(token) > 200:
        return None
    q = (select(web_sessions.c.csrf_token, web_sessions.c.expires_at, users.c.id,
                users.c.username, users.c.role)
         .join(users, users.c.id == web_sessions.c.user_id)
         .where(web_sessions.c.token_hash == _token_hash(token),
                web_sessions.c.expires_at > now,
                or_(users.c.disabled.is_(None), users.c.disabled.is_(False))))
    row = conn.execute(q).first()
    if row is None or row.role not in ROLE_RANK:
        return None
    return Session(User(row.id, row.username, row.role), row.csrf_token, row.expires_at)


def close_session(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _token_hash(token)))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens; an absent one never matches."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)
