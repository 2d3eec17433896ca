"""Settings of the web UI (settings section ``web``) and the values the pages choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

DEFAULT_DEPARTMENTS = (
    "Văn phòng UBND tỉnh",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Công an tỉnh",
    "UBND xã, phường liên quan",
)


@dataclass(frozen=True)
class WebSettings:
    """The review UI (`diembao serve`)."""

    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS  # where an item can be assigned
    session_lifetime: float = 12 * 3600.0  # seconds a login lasts
    secure_cookies: str = "auto"  # auto (Secure when served over HTTPS) | always | never
    login_max_failures: int = 5  # failed logins per user name (or 4x per address) in the window
    login_window: float = 900.0  # seconds
    page_size: int = 50  # rows per page of lists
    export_max_rows: int = 100_000  # CSV export cap
    search_index_batch: int = 2000  # articles indexed per search request before it answers


def web_settings(settings) -> WebSettings:
    """The ``web`` section of the monitor's settings, or the defaults until it exists."""
    found = getattr(settings, "web", None)
    if isinstance(found, WebSettings):
        return found
    if found is None:
        return WebSettings()
    known = WebSettings.__dataclass_fields__
    values = {k: getattr(found, k) for k in known if hasattr(found, k)}
    if "departments" in values:
        values["departments"] = tuple(values["departments"])
    return WebSettings(**values)


TONES = {"positive": "Tích cực", "neutral": "Trung tính", "negative": "Tiêu cực"}
RELEVANCE = {"about": "Về địa bàn", "mention": "Có nhắc đến", "none": "Không liên quan"}
FLAG_STATUSES = {"open": "Chờ xử lý", "confirmed": "Đã xác nhận", "dismissed": "Đã bác bỏ",
                 "needs-info": "Cần thêm thông tin"}
TIERS = {"central": "Trung ương", "national": "Toàn quốc", "provincial": "Địa phương",
         "sector": "Ngành", "other": "Khác"}
RELATIONS = {"new": "đăng đầu tiên", "duplicate": "trùng lặp", "copy": "sao chép",
             "story": "cùng sự kiện"}
ROLES = ("viewer", "analyst", "admin")
ROLE_NAMES = {"viewer": "Người xem", "analyst": "Chuyên viên", "admin": "Quản trị"}
OTHER_TOPIC = ("khac", "Khác")


@lru_cache(maxsize=1)
def topics() -> dict[str, str]:
    """Topic id -> Vietnamese name, from monitor/data/topics.yaml (plus ``khac``)."""
    text = resources.files("monitor").joinpath("data/topics.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    out = {t["id"]: t["name"] for t in data.get("topics", []) if "id" in t}
    out.setdefault(*OTHER_TOPIC)
    return out


@dataclass(frozen=True)
class Choices:
    """Everything a filter or correction form offers."""

    topics: dict[str, str] = field(default_factory=topics)
    tones: dict[str, str] = field(default_factory=lambda: dict(TONES))
    relevance: dict[str, str] = field(default_factory=lambda: dict(RELEVANCE))
    flag_statuses: dict[str, str] = field(default_factory=lambda: dict(FLAG_STATUSES))
    tiers: dict[str, str] = field(default_factory=lambda: dict(TIERS))
