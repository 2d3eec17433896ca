"""CLI of the reports: digest daily, brief monthly, report section, export, alerts, mail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import click

from monitor.cli import Context, guarded
from monitor.errors import ConfigError

DAY = click.DateTime(["%Y-%m-%d"])


def _now() -> datetime:
    return datetime.now(UTC)


@click.group()
def digest() -> None:
    """Write and send digests."""


@digest.command("daily")
@click.option("--date", "day", required=True, type=DAY,
              help="The local day (setting timezone), YYYY-MM-DD.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the .html and .txt files (and the .eml with --dry-run).")
@click.option("--send", is_flag=True, help="E-mail it (once per day; a sent day is skipped).")
@click.option("--resend", is_flag=True, help="E-mail it again even if it was sent.")
@click.option("--dry-run", is_flag=True, help="Write the e-mail as a .eml file; send nothing.")
@click.pass_obj
@guarded
def digest_daily(obj: Context, day: datetime, out_dir: str, send: bool, resend: bool,
                 dry_run: bool) -> None:
    """Write the day's digest: figures, top stories, topics, tone, flags, source health and the
    articles by outlet, as HTML and plain text; optionally e-mail it."""
    from monitor.reports_job import daily_digest

    if dry_run and (send or resend):
        raise click.UsageError("--dry-run sends nothing: leave out --send/--resend")
    result = daily_digest(obj.database(), day.date(), Path(out_dir), area=obj.profile().name,
                          settings=obj.settings, now=_now(), send=send, resend=resend,
                          dry_run=dry_run)
    click.echo(f"{result.articles} articles")
    for path in (result.html, result.text, result.eml):
        if path is not None:
            click.echo(str(path))
    _report_delivery(result.delivery, result.skipped, "daily", result.digest.period)


def _report_delivery(delivery, skipped: bool, kind: str, period: str) -> None:
    if skipped:
        click.echo(f"{kind} {period}: already sent; not sent again (use --resend)")
    elif delivery is not None:
        click.echo(f"{kind} {period}: {delivery.status} after {delivery.attempts} attempt(s)"
                   + (f" ({delivery.last_error})" if delivery.last_error else ""))
        if delivery.status != "sent":
            raise click.exceptions.Exit(1)


@click.group()
def brief() -> None:
    """Write the monthly press brief."""


@brief.command("monthly")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the .docx and .html files.")
@click.option("--send", is_flag=True, help="E-mail it with the DOCX attached (once a month).")
@click.pass_obj
@guarded
def brief_monthly(obj: Context, month: str, out_dir: str, send: bool) -> None:
    """Volumes by topic, outlet and tier against the previous month, tone, top stories, flags,
    little-covered priority topics, with charts; as DOCX and HTML."""
    from monitor.reports_job import monthly_brief

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ConfigError("--month", "--month", "a month YYYY-MM such as 2026-11", month)
    for path in monthly_brief(obj.database(), month, Path(out_dir), area=obj.profile().name,
                              settings=obj.settings, now=_now(), send=send):
        click.echo(str(path))


@click.group()
def report() -> None:
    """Write sections of the office's periodic reports."""


@report.command("section")
@click.option("--from", "first", required=True, type=DAY, help="First local day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, type=DAY, help="Last local day, YYYY-MM-DD.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The .docx file.")
@click.pass_obj
@guarded
def report_section_cmd(obj: Context, first: datetime, last: datetime, out: str) -> None:
    """The press-monitoring section (Decree 30 format), figures in footnotes, with a table."""
    from monitor.reports_job import report_section

    start, end = _range(first, last)
    click.echo(str(report_section(obj.database(), start, end, Path(out),
                                  area=obj.profile().name, settings=obj.settings)))


def _range(first: datetime, last: datetime) -> tuple[date, date]:
    if last < first:
        raise ConfigError("--to", "--to", f"a day on or after --from ({first:%Y-%m-%d})",
                          f"{last:%Y-%m-%d}")
    return first.date(), last.date()


@click.command("export")
@click.option("--from", "first", required=True, type=DAY, help="First local day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, type=DAY, help="Last local day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The output file.")
@click.option("--all", "everything", is_flag=True,
              help="Every article, not only those about or mentioning the area.")
@click.pass_obj
@guarded
def export(obj: Context, first: datetime, last: datetime, fmt: str, out: str,
           everything: bool) -> None:
    """Export articles with their labels, clusters and flags."""
    from monitor.reports_job import export_articles

    start, end = _range(first, last)
    count = export_articles(obj.database(), start, end, Path(out), fmt=fmt,
                            settings=obj.settings, relevance=None if everything else
                            ("about", "mention"))
    click.echo(f"{count} articles")
    click.echo(out)


@click.group()
def alerts() -> None:
    """Spike alerts."""


@alerts.command("check")
@click.pass_obj
@guarded
def alerts_check(obj: Context) -> None:
    """Check today's topic volumes and negative shares against their baselines now; alert (and
    e-mail, when mail is set up) each new spike once."""
    from monitor.reports_job import check_spikes

    spikes = check_spikes(obj.database(), settings=obj.settings, now=_now(),
                          area=obj.profile().name)
    for s in spikes:
        click.echo(f"{s.day} {s.topic} {s.metric}: {s.value:.3f} > {s.threshold:.3f} "
                   f"(median {s.baseline:.3f}, {s.baseline_days} days)")
    click.echo(f"{len(spikes)} new spikes")


@click.group()
def mail() -> None:
    """The e-mail queue."""


@mail.command("retry")
@click.pass_obj
@guarded
def mail_retry(obj: Context) -> None:
    """Send now every queued e-mail that is due (the scheduler does this by itself)."""
    from monitor.reports_job import retry_queued_sends

    done = retry_queued_sends(obj.database(), settings=obj.settings, now=_now())
    for d in done:
        click.echo(f"{d.kind} {d.period} #{d.send_no}: {d.status} ({d.attempts} attempts)")
    click.echo(f"{len(done)} deliveries tried")


COMMANDS = (digest, brief, report, export, alerts, mail)


def register(main: click.Group) -> None:
    """Add the reports commands to ``main`` (replacing a command of the same name)."""
    for command in COMMANDS:
        main.add_command(command)
