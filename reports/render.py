"""Render digests to HTML (inline CSS) and plain text with Jinja2 templates."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reports.digest import DailyDigest

TIER_VI = {
    "central": "Trung ương", "national": "Toàn quốc", "provincial": "Địa phương",
    "sector": "Ngành", "other": "Khác",
}


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tier_vi"] = lambda t: TIER_VI.get(t, t)
    env.filters["ddmmyyyy"] = lambda d: d.strftime("%d/%m/%Y")
    return env


def render_daily_html(digest: DailyDigest) -> str:
    return _environment(True).get_template("daily.html").render(d=digest)


def render_daily_text(digest: DailyDigest) -> str:
    return _environment(False).get_template("daily.txt").render(d=digest)
