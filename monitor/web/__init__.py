"""The analysts' review web UI (FastAPI, Jinja2 templates, htmx); ``create_app`` builds it."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any):
    """Build the app (see ``monitor.web.app.create_app``). Imported on use: the settings import
    this package's config, and the app imports the settings."""
    from monitor.web.app import create_app as build

    return build(*args, **kwargs)


__all__ = ["create_app"]
