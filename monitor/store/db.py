"""Opening the database: URL handling, SQLite checks and pragmas, Alembic migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from monitor.errors import NotADatabaseError, SchemaTooNewError, StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    """An engine plus the URL it was opened with; ``begin()`` gives a transaction."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def database_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as an SQLite file)."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open (and by default migrate to the newest schema) the database at ``url``.

    Raises NotADatabaseError for a file that is not SQLite, SchemaTooNewError for a schema written
    by a newer version of the code, StoreError for an unusable URL.
    """
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url}: not a database URL ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed.database)
    try:
        engine = _create_engine(url, parsed.get_backend_name())
    except ImportError as exc:
        raise StoreError(f"{url}: the database driver is not installed ({exc.name}); for "
                         "PostgreSQL install the extra: pip install 'diembao[postgres]'") from None
    db = Database(engine, url)
    try:
        _check_revision(db)
        if migrate:
            upgrade(db)
    except DatabaseError as exc:
        engine.dispose()
        raise StoreError(f"{url}: cannot use this database: {exc.orig}") from None
    return db


def _check_sqlite_file(path: str | None) -> None:
    if not path or path == ":memory:":
        return
    file = Path(path)
    if file.is_dir():
        raise NotADatabaseError(f"{file}: is a directory, not an SQLite database file")
    if file.exists() and file.stat().st_size > 0:
        with file.open("rb") as fh:
            head = fh.read(16)
        if head != SQLITE_MAGIC:
            raise NotADatabaseError(
                f"{file}: not an SQLite database (it starts with {head[:16]!r}); "
                "give another --db path or move this file away"
            )
    elif not file.parent.exists():
        file.parent.mkdir(parents=True, exist_ok=True)


def _create_engine(url: str, backend: str) -> Engine:
    if backend != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def _alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def current_revision(db: Database) -> str | None:
    """The schema revision(s) of the database, comma-joined (branches may have several heads)."""
    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str:
    """The newest revision(s) this code knows, comma-joined like ``current_revision``."""
    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def _check_revision(db: Database) -> None:
    current = current_revision(db)
    if current is None:
        return
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    unknown = [rev for rev in current.split(",") if rev not in known]
    if unknown:
        raise SchemaTooNewError(
            f"{db.url}: the database schema is at revision {unknown[0]!r}, which this version "
            f"of diembao does not know (newest known: {head_revision()!r}); upgrade diembao"
        )


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    cfg = _alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
