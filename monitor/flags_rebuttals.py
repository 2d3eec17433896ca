"""The rebuttals registry: CSV or YAML import (errors name file, row and field), store, load."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import Connection, func, select

from monitor.errors import ConfigError
from monitor.flags_match import Rebuttal
from monitor.store.repo import upsert
from monitor.store.tables_flags import rebuttals
from monitor.text import fold, normalize

log = logging.getLogger(__name__)

# accepted column names (folded, spaces and hyphens as underscores) -> field
_ALIASES = {
    "claim": "claim", "noi_dung": "claim", "thong_tin": "claim",
    "date": "date", "ngay": "date", "claim_date": "date",
    "issuing_body": "issued_by", "issued_by": "issued_by", "body": "issued_by",
    "co_quan": "issued_by", "issuer": "issued_by",
    "source_url": "source_url", "url": "source_url", "source": "source_url", "nguon": "source_url",
}
FIELDS = ("claim", "date", "issued_by", "source_url")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int

    @property
    def total(self) -> int:
        return self.added + self.updated


def read_rebuttals(path: str | Path) -> list[Rebuttal]:
    """Read a CSV or YAML registry file; ConfigError names the file, the row and the field."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "an existing CSV or YAML file",
                          "no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "(file)", "UTF-8 text", "undecodable bytes") from None
    rows = _yaml_rows(path, raw) if path.suffix.lower() in (".yaml", ".yml") else \
        _csv_rows(path, raw)
    out = [_parse_row(path, number, row) for number, row in rows]
    if not out:
        raise ConfigError(str(path), "(file)", "at least one rebuttal", "none")
    return out


def _csv_rows(path: Path, raw: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(raw))
    header = [_field_name(h) for h in reader.fieldnames or []]
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise ConfigError(str(path), "row 1 (header)", f"columns {', '.join(FIELDS)}",
                          ", ".join(reader.fieldnames or []) or "no header")
    return [(reader.line_num, {_field_name(k): v for k, v in row.items() if k is not None})
            for row in reader if any((v or "").strip() for v in row.values() if v)]


def _yaml_rows(path: Path, raw: str) -> list[tuple[int, dict]]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "(file)", "valid YAML", str(exc).splitlines()[0]) from None
    if isinstance(data, dict) and "rebuttals" in data:
        data = data["rebuttals"]
    if not isinstance(data, list):
        raise ConfigError(str(path), "(top level)", "a list of rebuttals (or rebuttals: [...])",
                          type(data).__name__)
    rows = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ConfigError(str(path), f"row {number}", "a mapping of claim, date, "
                              "issued_by, source_url", type(item).__name__)
        rows.append((number, {_field_name(str(k)): v for k, v in item.items()}))
    return rows


def _field_name(name: str) -> str:
    key = fold(name.strip()).replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


def _parse_row(path: Path, number: int, row: dict[str, Any]) -> Rebuttal:
    where = f"row {number}"
    for name in row:
        if name not in FIELDS and name not in ("id", "note"):
            raise ConfigError(str(path), f"{where}: {name}", f"one of {', '.join(FIELDS)}", name)
    claim = normalize(str(row.get("claim") or ""))
    if len(claim.split()) < 3:
        raise ConfigError(str(path), f"{where}: claim", "the rebutted claim (3 words or more)",
                          row.get("claim"))
    issued_by = normalize(str(row.get("issued_by") or ""))
    if not issued_by:
        raise ConfigError(str(path), f"{where}: issued_by", "the body that issued the rebuttal",
                          row.get("issued_by"))
    url = str(row.get("source_url") or "").strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ConfigError(str(path), f"{where}: source_url", "an http(s) URL of the rebuttal",
                          row.get("source_url"))
    return Rebuttal(None, claim, _date(path, where, row.get("date")), issued_by[:300], url)


def _date(path: Path, where: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ConfigError(str(path), f"{where}: date", "a date YYYY-MM-DD or DD/MM/YYYY", value)


def claim_key(claim: str) -> str:
    return hashlib.sha256(fold(normalize(claim)).encode("utf-8")).hexdigest()


def save_rebuttals(conn: Connection, items: Sequence[Rebuttal], *, source: str,
                   now: datetime) -> ImportResult:
    """Upsert by claim (folded): importing a file again updates its rows, adds none."""
    keys = [claim_key(r.claim) for r in items]
    known = set(conn.scalars(select(rebuttals.c.claim_key)
                             .where(rebuttals.c.claim_key.in_(keys))))
    for key, r in zip(keys, items, strict=False):
        upsert(conn, rebuttals, {
            "claim_key": key, "claim": r.claim, "claim_date": r.claim_date,
            "issued_by": r.issued_by, "source_url": r.source_url,
            "imported_from": source[:500], "created_at": now, "updated_at": now,
        }, ["claim_key"], ["claim", "claim_date", "issued_by", "source_url", "imported_from",
                           "updated_at"])
    added = len(set(keys) - known)
    return ImportResult(added, len(set(keys)) - added)


def load_rebuttals(conn: Connection) -> list[Rebuttal]:
    rows = conn.execute(select(rebuttals).order_by(rebuttals.c.id)).mappings()
    return [Rebuttal(r["id"], r["claim"], r["claim_date"], r["issued_by"], r["source_url"])
            for r in rows]


def registry_version(conn: Connection) -> tuple[int, object]:
    """Changes whenever the registry does (cache key of the matcher)."""
    row = conn.execute(select(func.count(), func.max(rebuttals.c.updated_at))).one()
    return int(row[0]), row[1]
