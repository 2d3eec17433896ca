"""Runtime settings: defaults, an optional YAML file, and DIEMBAO_* environment overrides.

Every setting is documented in README.md ("Settings"). A settings file is optional; unknown keys
are errors that name the file and the path, like sources.yaml.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from monitor.alerts import AlertSettings
from monitor.errors import ConfigError
from monitor.mail import MailSettings
from monitor.web.config import WebSettings
from reports.monthly import BriefSettings

DEFAULT_USER_AGENT = (
    "DiembaoBot/0.1 (+https://github.com/diembao/diembao; press monitoring for a provincial "
    "communications office)"
)


@dataclass(frozen=True)
class FetchSettings:
    """How the HTTP client behaves. Times are seconds, sizes bytes."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    concurrency_per_host: int = 1
    min_interval: float = 2.0
    global_concurrency: int = 200
    respect_robots: bool = True
    robots_ttl: float = 86400.0


@dataclass(frozen=True)
class HealthSettings:
    """How failures count against a feed. Weights add up to a score; at ``disable_score`` the feed
    is disabled and re-checked every ``recheck_interval`` seconds; below it, a failed feed waits
    ``interval * 2**failures`` (at most ``max_backoff`` seconds) before its next try."""

    weight_hard: float = 3.0
    weight_soft: float = 1.0
    weight_temporary: float = 0.5
    disable_score: float = 10.0
    max_backoff: float = 6 * 3600.0
    recheck_interval: float = 24 * 3600.0


@dataclass(frozen=True)
class SchedulerSettings:
    """The long-running scheduler (`diembao run`)."""

    jitter: float = 60.0
    digest_time: str = "07:00"  # local time, Asia/Ho_Chi_Minh
    digest_dir: str = "digests"
    stop_grace: float = 60.0  # seconds running jobs get to finish after SIGINT/SIGTERM


@dataclass(frozen=True)
class FlagSettings:
    """Settings section ``flags``. Tier lists and relevance labels are comma lists."""

    daily_budget: int = 10  # flags an analyst team can check per day
    window_days: int = 7  # the recent score distribution the threshold is taken from
    min_score: float = 0.5  # never flag below this score, however quiet the period
    single_source_hours: float = 6.0  # a low-tier story uncorroborated this long is a signal
    low_tiers: str = "other"  # tiers whose single-source stories count as a signal
    official_tiers: str = "central,provincial"  # tiers whose denials count as official
    relevance: str = "about,mention"  # relevance labels of the articles that are assessed
    edit_threshold: float = 0.15  # share of words changed that makes a silent edit a signal
    watch_score: float = 0.35  # articles scoring this much are re-fetched like flagged ones
    interest_outlets: int = 3  # ... and so are stories reported by this many outlets

    def tiers(self, name: str) -> tuple[str, ...]:
        return tuple(t.strip() for t in getattr(self, name).split(",") if t.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///diembao.db"
    sources_file: str = "sources.yaml"
    province: str = "bac-giang"
    timezone: str = "Asia/Ho_Chi_Minh"
    fetch: FetchSettings = field(default_factory=FetchSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    reports: BriefSettings = field(default_factory=BriefSettings)
    flags: FlagSettings = field(default_factory=FlagSettings)
    web: WebSettings = field(default_factory=WebSettings)


_SECTIONS = {"fetch": FetchSettings, "health": HealthSettings, "scheduler": SchedulerSettings,
             "mail": MailSettings, "alerts": AlertSettings, "reports": BriefSettings,
             "flags": FlagSettings, "web": WebSettings}
_ENV = {
    "DIEMBAO_DB": "database_url",
    "DIEMBAO_SOURCES": "sources_file",
    "DIEMBAO_PROVINCE": "province",
    "DIEMBAO_USER_AGENT": "fetch.user_agent",
}


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the file (``path``, else $DIEMBAO_SETTINGS, else ./diembao.yaml if present),
    then environment variables."""
    env = dict(os.environ) if env is None else env
    settings = Settings()
    chosen = path or env.get("DIEMBAO_SETTINGS")
    if chosen is None and Path("diembao.yaml").exists():
        chosen = "diembao.yaml"
    if chosen is not None:
        settings = _apply_file(settings, Path(chosen))
    for var, dotted in _ENV.items():
        if env.get(var):
            settings = _set(settings, dotted, env[var], source=f"${var}")
    _validate(settings, str(chosen) if chosen is not None else "settings")
    return settings


def _validate(settings: Settings, source: str) -> None:
    """Values whose type is right but whose content may not be: zone names, clock times."""
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, "timezone", "an IANA time zone such as Asia/Ho_Chi_Minh",
                          settings.timezone) from None
    parse_clock(settings.scheduler.digest_time, source=source, path="scheduler.digest_time")
    if settings.web.secure_cookies not in ("auto", "always", "never"):
        raise ConfigError(source, "web.secure_cookies", "one of auto, always, never",
                          settings.web.secure_cookies)
    if settings.mail.security not in ("none", "starttls", "ssl"):
        raise ConfigError(source, "mail.security", "one of none, starttls, ssl",
                          settings.mail.security)


def parse_clock(value: str, *, source: str = "settings", path: str = "time") -> time:
    """'HH:MM' (24-hour) -> time; ConfigError naming the file and the setting otherwise."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(source, path, "a time of day HH:MM such as 07:00", value)
    return time(int(match[1]), int(match[2]))


def _apply_file(settings: Settings, path: Path) -> Settings:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "an existing settings file",
                          "no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "(file)", "valid YAML", str(exc).splitlines()[0]) from None
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "(top level)", "a mapping", type(raw).__name__)
    for key, value in raw.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(str(path), key, "a mapping", type(value).__name__)
            for sub, subvalue in value.items():
                settings = _set(settings, f"{key}.{sub}", subvalue, source=str(path))
        else:
            settings = _set(settings, key, value, source=str(path))
    return settings


def _set(settings: Settings, dotted: str, value: Any, *, source: str) -> Settings:
    head, _, tail = dotted.partition(".")
    if tail:
        section = getattr(settings, head)
        return replace(settings, **{head: _set_field(section, tail, value, source, dotted)})
    if head in _SECTIONS:
        raise ConfigError(source, dotted, "a mapping", value)
    return _set_field(settings, head, value, source, dotted)


def _set_field(obj: Any, name: str, value: Any, source: str, dotted: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    if name not in known:
        raise ConfigError(source, dotted, f"one of {sorted(known)}", name)
    current = getattr(obj, name)
    kind = type(current)
    if kind is tuple:  # a YAML list, or a comma-separated string (handy in the environment)
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(source, dotted, "a list of strings or a comma-separated string",
                              value)
        return replace(obj, **{name: tuple(i.strip() for i in items if i.strip())})
    if kind is str and isinstance(value, int) and not isinstance(value, bool) \
            and name.endswith("_time"):
        value = f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads 10:30 as 630 (base 60)
    if kind is str and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ",".join(value)  # a YAML list where a comma list is expected
    try:
        if kind is bool:
            if isinstance(value, str):
                value = value.strip().lower() in {"1", "true", "yes", "on"}
            elif not isinstance(value, bool):
                raise TypeError
        elif kind in (int, float):
            if isinstance(value, bool):
                raise TypeError
            value = kind(value)
            if value < 0:
                raise ValueError
        elif kind is str:
            # empty is allowed where the default is empty (mail.host: "" means mail off)
            if not isinstance(value, str) or (not value and current):
                raise TypeError
    except (TypeError, ValueError):
        expected = {bool: "true or false", int: "a whole number >= 0",
                    float: "a number >= 0", str: "a non-empty string"}[kind]
        raise ConfigError(source, dotted, expected, value) from None
    return replace(obj, **{name: value})
