"""Article URL canonicalisation: tracking parameters, mobile and AMP variants (pure)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_key", "canonical_url"]

# Query parameters that only say where a click came from (social networks, ads, Zalo, e-mail).
_TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "zarsrc", "gidzl", "_ga", "_gl", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
    "ocid", "cmpid", "srsltid", "ref_src",
})
_TRACKING_PREFIXES = ("utm_", "zarsrc")
# Parameters that ask for the AMP rendering of the same article.
_AMP_PARAMS = frozenset({"amp", "amp_js_v", "amp_gsa", "usqp", "outputtype", "amp_r"})
_MOBILE_HOST = re.compile(r"^(?:m|mobile|amp|amp-[a-z0-9]+)\.(?=[^.]+\.)")
_WWW = re.compile(r"^www\d?\.")
_AMP_SEGMENT = re.compile(r"/amp(?=/|$)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"\.amp(?=\.[a-z]{2,5}$|$)", re.IGNORECASE)
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def canonical_url(url: str) -> str:
    """A fetchable URL for the article: scheme and host lower-case, the desktop host instead of
    ``m.``/``amp.`` hosts, AMP paths and parameters removed, tracking parameters and the fragment
    dropped, the remaining parameters sorted. ``www.`` and a trailing slash are kept (servers
    differ on them); use :func:`canonical_key` to compare URLs.
    """
    scheme, host, path, query = _parts(url)
    return urlunsplit((scheme, host, path or "/", query, ""))


def canonical_key(url: str) -> str:
    """An identity key for an article URL: :func:`canonical_url` without scheme, ``www.`` and
    trailing slash, so ``http://m.example.vn/a.html/?utm_source=x`` and
    ``https://www.example.vn/a.html`` give the same key ``example.vn/a.html``.
    """
    _, host, path, query = _parts(url)
    host = _WWW.sub("", host)
    path = path.rstrip("/")
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def _parts(url: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) with every variant removed; no scheme is taken as https."""
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "https://" + text
    parts = urlsplit(text)
    scheme = (parts.scheme or "https").lower()
    return scheme, _host(parts.netloc, scheme), _path(parts.path), _query(parts.query)


def _host(netloc: str, scheme: str) -> str:
    host = netloc.rsplit("@", 1)[-1].lower().rstrip(".")
    name, _, port = host.partition(":")
    if port == _DEFAULT_PORTS.get(scheme):
        host = name
    return _MOBILE_HOST.sub("", host)


def _path(path: str) -> str:
    path = _PERCENT.sub(lambda m: m.group(0).upper(), path)
    path = _AMP_SEGMENT.sub("", path)
    path = _AMP_SUFFIX.sub("", path)
    return re.sub(r"/{2,}", "/", path)


def _query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if _kept(k)]
    return urlencode(sorted(pairs))


def _kept(name: str) -> bool:
    low = name.lower()
    return not (low in _TRACKING or low in _AMP_PARAMS or low.startswith(_TRACKING_PREFIXES))
