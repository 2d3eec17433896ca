"""Render digests to HTML (inline CSS) and plain text with Jinja2 templates."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reports.digest import DailyDigest
from reports.numbers import percent, signed, vn_number
from reports.parts import TIER_VI

__all__ = ["environment", "percent", "render_daily_html", "render_daily_text", "signed",
           "vn_number"]


@cache
def environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tier_vi"] = lambda t: TIER_VI.get(t, t)
    env.filters["ddmmyyyy"] = lambda d: d.strftime("%d/%m/%Y")
    env.filters["vn_number"] = vn_number
    env.filters["signed"] = signed
    env.filters["percent"] = percent
    return env


def render_daily_html(digest: DailyDigest) -> str:
    return environment(True).get_template("daily.html").render(d=digest)


def render_daily_text(digest: DailyDigest) -> str:
    return environment(False).get_template("daily.txt").render(d=digest)
