"""`diembao serve` (the review UI) and `diembao users add|passwd|disable|list`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click

from monitor.cli import Context, guarded

log = logging.getLogger(__name__)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for the office network, behind HTTPS).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--index-interval", default=30.0, show_default=True, type=float,
              help="Seconds between search-index catch-ups while serving.")
@click.pass_obj
@guarded
def serve(obj: Context, host: str, port: int, index_interval: float) -> None:
    """Serve the analysts' review UI on the same database as the pipeline."""
    import uvicorn

    from monitor.web import create_app

    app = create_app(obj.database(), obj.settings, index_interval=index_interval or None)
    click.echo(f"serving http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                server_header=False)


@click.group()
def users() -> None:
    """Manage the accounts of the review UI (roles: viewer, analyst, admin)."""


def _password(password: str | None) -> str:
    if password:
        return password
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "analyst", "admin"]), default="viewer",
              show_default=True)
@click.option("--password", envvar="DIEMBAO_PASSWORD",
              help="The password (default: $DIEMBAO_PASSWORD, else asked on the terminal).")
@click.pass_obj
@guarded
def users_add(obj: Context, username: str, role: str, password: str | None) -> None:
    """Add a user."""
    from monitor.web.accounts import add_user

    secret = _password(password)
    with obj.database().begin() as conn:
        add_user(conn, username, secret, role, now=datetime.now(UTC))
    click.echo(f"user {username} added ({role})")


@users.command("passwd")
@click.argument("username")
@click.option("--password", envvar="DIEMBAO_PASSWORD",
              help="The new password (default: $DIEMBAO_PASSWORD, else asked on the terminal).")
@click.pass_obj
@guarded
def users_passwd(obj: Context, username: str, password: str | None) -> None:
    """Set a user's password (ends the user's sessions)."""
    from monitor.web.accounts import set_password

    secret = _password(password)
    with obj.database().begin() as conn:
        set_password(conn, username, secret)
    click.echo(f"password of {username} changed")


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@click.pass_obj
@guarded
def users_disable(obj: Context, username: str, enable: bool) -> None:
    """Disable a user (ends the user's sessions), or enable again with --enable."""
    from monitor.web.accounts import set_disabled

    with obj.database().begin() as conn:
        set_disabled(conn, username, not enable)
    click.echo(f"user {username} {'enabled' if enable else 'disabled'}")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["viewer", "analyst", "admin"]))
@click.pass_obj
@guarded
def users_role(obj: Context, username: str, role: str) -> None:
    """Change a user's role."""
    from monitor.web.accounts import set_role

    with obj.database().begin() as conn:
        set_role(conn, username, role)
    click.echo(f"user {username} is now {role}")


@users.command("list")
@click.pass_obj
@guarded
def users_list(obj: Context) -> None:
    """List the users."""
    from monitor.web.accounts import list_users

    with obj.database().begin() as conn:
        rows = list_users(conn)
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        click.echo(f"{row['username']}\t{row['role']}\t{state}")


def register(main: click.Group) -> None:
    """Add these commands to the `diembao` group."""
    main.add_command(serve)
    main.add_command(users)
