"""Exception tree of the monitor.

    MonitorError
    ├── ConfigError        a configuration file (sources.yaml, settings) is invalid
    ├── FetchError         a fetch failed and the caller asked for an exception (``--strict``)
    ├── FeedError          a feed body could not be turned into items
    ├── ExtractError       an article page could not be turned into fields
    ├── StoreError         the database cannot be used
    │   ├── NotADatabaseError   the file is not an SQLite database
    │   └── SchemaTooNewError   the database was written by a newer version of the code
    └── SchedulerLockedError    another scheduler already runs on this database

Only the CLI turns these into exit codes and messages.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """A configuration file is invalid; names the file, the path inside it, expected and found."""

    def __init__(self, file: str, path: str, expected: str, found: object) -> None:
        self.file = str(file)
        self.path = path
        self.expected = expected
        self.found = found
        super().__init__(f"{self.file}: {path}: expected {expected}, found {found!r}")


class FetchError(MonitorError):
    """A fetch failed; ``kind`` is hard, soft or temporary."""

    def __init__(self, url: str, kind: str, reason: str) -> None:
        self.url = url
        self.kind = kind
        self.reason = reason
        super().__init__(f"{url}: {kind} failure: {reason}")


class FeedError(MonitorError):
    """A feed body could not be parsed into items."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class ExtractError(MonitorError):
    """An article page could not be turned into fields."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class StoreError(MonitorError):
    """The database cannot be used."""


class NotADatabaseError(StoreError):
    """The database file exists but is not an SQLite database."""


class SchemaTooNewError(StoreError):
    """The database schema is newer than this version of the code knows."""


class SchedulerLockedError(MonitorError):
    """Another scheduler already runs on this database."""
