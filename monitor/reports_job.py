"""Where reports meet I/O: gather figures from the store, write files, queue and send e-mail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select, update

from monitor import mail_queue
from monitor import reports_queries as q
from monitor.alerts import ALL_TOPICS, AlertSettings, DayCounts, Spike, detect_spikes
from monitor.mail import MailSettings, build_message, check_settings, message_bytes, recipients_for
from monitor.store import repo
from monitor.store.db import Database
from monitor.store.tables import articles, digests
from reports.digest import DailyDigest, DigestContext, build_daily_digest, day_bounds
from reports.monthly import BriefSettings, MonthlyBrief, build_monthly_brief
from reports.monthly_render import brief_charts, render_monthly_docx, render_monthly_html
from reports.period import PeriodStats, month_bounds, period_stats, previous_month
from reports.render import render_daily_html, render_daily_text
from reports.section import build_section, render_section_docx

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mail_settings(settings) -> MailSettings:
    return getattr(settings, "mail", None) or MailSettings()


def alert_settings(settings) -> AlertSettings:
    return getattr(settings, "alerts", None) or AlertSettings()


def brief_settings(settings) -> BriefSettings:
    return getattr(settings, "reports", None) or BriefSettings()


def _tz(settings) -> ZoneInfo:
    return ZoneInfo(getattr(settings, "timezone", "Asia/Ho_Chi_Minh"))


# -- daily digest ------------------------------------------------------------------------------

def build_daily(conn: Connection, day: date, *, area: str, settings, now: datetime
                ) -> DailyDigest:
    """The day's digest with every section, from the store."""
    tz, cfg = _tz(settings), brief_settings(settings)
    start, end = day_bounds(day, tz)
    rows = q.province_rows(conn, start, end)
    ids = [r["id"] for r in rows]
    context = DigestContext(
        history=q.history(conn, day, tz), clusters=q.story_clusters(conn, rows),
        topics=q.effective_labels(conn, ids, "topic"), topic_names=q.topic_names(),
        tones=q.tones(conn, ids), flags=q.flag_rows(conn, end=end),
        silent=q.silent_sources(conn, as_of=min(now, end), hours=cfg.silent_hours,
                                min_per_day=cfg.silent_min_per_day),
        failing=q.failing_feeds(conn), top_stories=cfg.top_stories,
        has_topic_labels=q.has_labels(conn, "topic"), has_tone_labels=q.has_labels(conn, "tone"))
    return build_daily_digest(day, rows, area=area, places=repo.mention_names(conn, ids), tz=tz,
                              context=context)


@dataclass(frozen=True)
class DailyResult:
    digest: DailyDigest
    html: Path
    text: Path
    eml: Path | None = None  # --dry-run
    delivery: mail_queue.Delivery | None = None
    skipped: bool = False  # already sent and not --resend

    @property
    def articles(self) -> int:  # what pipeline.DigestFiles offered
        return self.digest.total


def write_daily(db: Database, day: date, out_dir: Path, *, area: str, settings,
                now: datetime) -> tuple[DailyDigest, str, str, Path, Path]:
    with db.begin() as conn:
        digest = build_daily(conn, day, area=area, settings=settings, now=now)
        html, text = render_daily_html(digest), render_daily_text(digest)
        repo.save_digest(conn, kind="daily", period=digest.period, html=html, text=text, now=now)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"diem-bao-{digest.period}.html"
    text_path = out_dir / f"diem-bao-{digest.period}.txt"
    html_path.write_text(html, encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    return digest, html, text, html_path, text_path


def daily_digest(db: Database, day: date, out_dir: Path, *, area: str, settings, now: datetime,
                 send: bool = False, resend: bool = False, dry_run: bool = False,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] | None = None) -> DailyResult:
    """Write the day's digest (HTML, text); ``dry_run`` also writes the .eml; ``send`` mails it
    once per day (recorded), ``resend`` once more on purpose."""
    digest, html, text, html_path, text_path = write_daily(db, day, out_dir, area=area,
                                                           settings=settings, now=now)
    cfg = mail_settings(settings)
    if dry_run:
        msg = build_message(subject=digest.subject, text=text, html=html,
                            sender=cfg.sender or "diembao@localhost",
                            recipients=recipients_for(cfg, "daily") or ("lanh-dao@localhost",),
                            now=now)
        eml = out_dir / f"diem-bao-{digest.period}.eml"
        eml.write_bytes(message_bytes(msg))
        return DailyResult(digest, html_path, text_path, eml=eml)
    if not (send or resend):
        return DailyResult(digest, html_path, text_path)
    delivery = send_mail(db, kind="daily", period=digest.period, subject=digest.subject,
                         html=html, text=text, settings=settings, now=now, resend=resend,
                         env=env, sleep=sleep)
    if delivery is not None and delivery.status == "sent":
        _mark_digest_sent(db, "daily", digest.period, delivery.sent_at or now)
    return DailyResult(digest, html_path, text_path, delivery=delivery,
                       skipped=delivery is None)


def send_mail(db: Database, *, kind: str, period: str, subject: str, html: str, text: str,
              settings, now: datetime, resend: bool = False,
              attachments: tuple[tuple[str, bytes, str], ...] = (),
              env: Mapping[str, str] | None = None,
              sleep: Callable[[float], None] | None = None) -> mail_queue.Delivery | None:
    """Queue the period's mail once and send it; None when it was already sent (no resend).
    A queued mail that failed before is sent now."""
    cfg = mail_settings(settings)
    check_settings(cfg, kind)
    with db.begin() as conn:
        existing = mail_queue.find_delivery(conn, kind, period)
        if existing is not None and existing.status == "sent" and not resend:
            log.info("%s %s was sent at %s; use --resend to send it again", kind, period,
                     existing.sent_at)
            return None
        recipients = list(recipients_for(cfg, kind))
        msg = build_message(subject=subject, text=text, html=html, sender=cfg.sender,
                            recipients=recipients, now=now, attachments=attachments)
        queued = mail_queue.queue_delivery(
            conn, kind=kind, period=period, subject=subject, sender=cfg.sender,
            recipients=recipients, message=message_bytes(msg), now=now,
            resend=resend and existing is not None)
    return mail_queue.deliver(db, queued.id, cfg, now=now, env=env, sleep=sleep,
                              force=resend)


def _mark_digest_sent(db: Database, kind: str, period: str, when: datetime) -> None:
    with db.begin() as conn:
        conn.execute(update(digests).where(digests.c.kind == kind, digests.c.period == period)
                     .values(sent_at=when))


# -- scheduled jobs ----------------------------------------------------------------------------

def daily_digest_job(db: Database, *, settings, now: datetime, out_dir: Path, area: str,
                     env: Mapping[str, str] | None = None,
                     sleep: Callable[[float], None] | None = None) -> DailyResult:
    """At ``scheduler.digest_time``: yesterday's digest, written and (mail on) sent once."""
    yesterday = (now.astimezone(_tz(settings)) - timedelta(days=1)).date()
    cfg = mail_settings(settings)
    send = cfg.enabled and bool(recipients_for(cfg, "daily"))
    return daily_digest(db, yesterday, out_dir, area=area, settings=settings, now=now,
                        send=send, env=env, sleep=sleep)


def retry_queued_sends(db: Database, *, settings, now: datetime,
                       env: Mapping[str, str] | None = None,
                       sleep: Callable[[float], None] | None = None
                       ) -> list[mail_queue.Delivery]:
    """Every few minutes: send again what failed before and is due (never lost)."""
    return mail_queue.retry_due(db, mail_settings(settings), now=now, env=env, sleep=sleep)


def monthly_brief_job(db: Database, *, settings, now: datetime, out_dir: Path, area: str,
                      env: Mapping[str, str] | None = None,
                      sleep: Callable[[float], None] | None = None) -> list[Path]:
    """Daily at digest time: from the 1st of a month, last month's brief once (files, mail)."""
    month = previous_month(now.astimezone(_tz(settings)).strftime("%Y-%m"))
    first, last = month_bounds(month)
    start, end = day_bounds(first, _tz(settings))[0], day_bounds(last, _tz(settings))[1]
    with db.begin() as conn:
        if repo.has_digest(conn, kind="monthly", period=month):
            return []
        seen = conn.scalar(select(func.count()).select_from(articles).where(
            articles.c.first_seen >= start, articles.c.first_seen < end))
    if not seen:  # a month the office did not monitor (e.g. before installation): no brief
        return []
    cfg = mail_settings(settings)
    send = cfg.enabled and bool(recipients_for(cfg, "monthly"))
    return monthly_brief(db, month, out_dir, area=area, settings=settings, now=now, send=send,
                         env=env, sleep=sleep)


# -- spike alerts ------------------------------------------------------------------------------

def topic_series(conn: Connection, start: date, end: date, tz: ZoneInfo
                 ) -> tuple[dict[str, dict[date, DayCounts]], list[dict], dict, dict]:
    """Per topic (and ALL_TOPICS) per local day: articles, negative ones, those with a tone."""
    rows = q.province_rows(conn, day_bounds(start, tz)[0], day_bounds(end, tz)[1])
    ids = [r["id"] for r in rows]
    topics, tones = q.effective_labels(conn, ids, "topic"), q.tones(conn, ids)
    raw: dict[str, dict[date, list[int]]] = {}
    for r in rows:
        day = q.local_day(r, tz)
        for topic in (ALL_TOPICS, *topics.get(r["id"], ())):
            cell = raw.setdefault(topic, {}).setdefault(day, [0, 0, 0])
            cell[0] += 1
            cell[1] += tones.get(r["id"]) == "negative"
            cell[2] += r["id"] in tones
    series = {t: {d: DayCounts(*v) for d, v in days.items()} for t, days in raw.items()}
    return series, rows, topics, tones


def check_spikes(db: Database, *, settings, now: datetime, area: str,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] | None = None) -> list[Spike]:
    """After each processing run: today's spikes; each (day, topic, metric) is alerted once,
    mailed at once when mail is on. Returns the new spikes."""
    cfg, tz = alert_settings(settings), _tz(settings)
    if not cfg.enabled:
        return []
    today = now.astimezone(tz).date()
    with db.begin() as conn:
        series, rows, topics, tones = topic_series(
            conn, today - timedelta(days=cfg.lookback), today, tz)
        spikes = detect_spikes(today, series, cfg, since=q.first_data_day(conn, tz))
        fresh = [s for s in spikes if _record_alert(conn, s, now)]
    for spike in fresh:
        log.warning("spike: %s %s on %s: %.3f > %.3f", spike.topic, spike.metric, spike.day,
                    spike.value, spike.threshold)
        _mail_alert(db, spike, area=area, settings=settings, now=now, tz=tz, env=env,
                    sleep=sleep, rows=[r for r in rows if q.local_day(r, tz) == today and (
                        spike.topic == ALL_TOPICS or spike.topic in topics.get(r["id"], ()))],
                    tones=tones)
    return fresh


def _record_alert(conn: Connection, spike: Spike, now: datetime) -> bool:
    from monitor.store.tables_reports import alerts

    dialect = conn.dialect.name
    from sqlalchemy.dialects import postgresql, sqlite

    insert = (postgresql if dialect == "postgresql" else sqlite).insert(alerts)
    done = conn.execute(insert.values(
        day=spike.day.isoformat(), topic=spike.topic, metric=spike.metric, value=spike.value,
        baseline=spike.baseline, threshold=spike.threshold, count=spike.count,
        baseline_days=spike.baseline_days, created_at=now,
    ).on_conflict_do_nothing(index_elements=["day", "topic", "metric"]))
    return done.rowcount == 1


def _mail_alert(db: Database, spike: Spike, *, area: str, settings, now: datetime,
                tz: ZoneInfo, rows: list[dict], tones: dict, env, sleep) -> None:
    from monitor.store.tables_reports import alerts
    from reports.alert import build_alert, render_alert_html, render_alert_text

    cfg = mail_settings(settings)
    if not (cfg.enabled and recipients_for(cfg, "alert")):
        return
    message = build_alert(spike, area=area, topic_names=q.topic_names(), rows=rows,
                          tones=tones, now=now, tz=tz)
    period = f"{spike.day.isoformat()}:{spike.topic}:{spike.metric}"
    delivery = send_mail(db, kind="alert", period=period, subject=message.subject,
                         html=render_alert_html(message), text=render_alert_text(message),
                         settings=settings, now=now, env=env, sleep=sleep)
    if delivery is not None:
        with db.begin() as conn:
            conn.execute(update(alerts).where(
                alerts.c.day == spike.day.isoformat(), alerts.c.topic == spike.topic,
                alerts.c.metric == spike.metric).values(delivery_id=delivery.id))


# -- monthly brief, report section, export ------------------------------------------------------

def gather_period(conn: Connection, first: date, last: date, tz: ZoneInfo) -> tuple[
        PeriodStats, list[dict], list[dict], bool]:
    """The figures of local days first..last, with the rows and the flags created in it."""
    start, end = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
    rows = q.province_rows(conn, start, end)
    ids = [r["id"] for r in rows]
    flags = q.flag_rows(conn, statuses=None, start=start, end=end)
    stats = period_stats(rows, start=first, end=last, tz=tz,
                         topics=q.effective_labels(conn, ids, "topic"), tones=q.tones(conn, ids),
                         flags=flags)
    return stats, rows, flags, q.has_labels(conn, "topic")


def build_monthly(conn: Connection, month: str, *, area: str, settings) -> MonthlyBrief:
    tz = _tz(settings)
    current, rows, flags, labelled = gather_period(conn, *month_bounds(month), tz)
    before = previous_month(month)
    previous, _, _, _ = gather_period(conn, *month_bounds(before), tz)
    return build_monthly_brief(
        month=month, previous_month=before, area=area, current=current, previous=previous,
        clusters=q.story_clusters(conn, rows), flags=flags, topic_names=q.topic_names(),
        has_topic_labels=labelled, settings=brief_settings(settings), tz=tz)


def monthly_brief(db: Database, month: str, out_dir: Path, *, area: str, settings,
                  now: datetime, send: bool = False, resend: bool = False,
                  env: Mapping[str, str] | None = None,
                  sleep: Callable[[float], None] | None = None) -> list[Path]:
    """Write the month's brief as DOCX and HTML (charts inside); ``send`` mails it once."""
    with db.begin() as conn:
        brief = build_monthly(conn, month, area=area, settings=settings)
    charts = brief_charts(brief)
    docx, html = render_monthly_docx(brief, charts), render_monthly_html(brief, charts)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path = out_dir / f"ban-tin-thang-{month}.docx"
    html_path = out_dir / f"ban-tin-thang-{month}.html"
    docx_path.write_bytes(docx)
    html_path.write_text(html, encoding="utf-8")
    text = f"{brief.title}: tin, bài về {area}. Xem tệp đính kèm {docx_path.name}."
    with db.begin() as conn:
        repo.save_digest(conn, kind="monthly", period=month, html=html, text=text, now=now)
    if send or resend:
        delivery = send_mail(db, kind="monthly", period=month, subject=brief.title, html=html,
                             text=text, settings=settings, now=now, resend=resend,
                             attachments=((docx_path.name, docx, DOCX),), env=env, sleep=sleep)
        if delivery is not None and delivery.status == "sent":
            _mark_digest_sent(db, "monthly", month, delivery.sent_at or now)
    return [docx_path, html_path]


def report_section(db: Database, first: date, last: date, out: Path, *, area: str,
                   settings) -> Path:
    """The report's monitoring section for local days first..last, as DOCX."""
    with db.begin() as conn:
        stats, _, _, labelled = gather_period(conn, first, last, _tz(settings))
    section = build_section(stats, area=area, topic_names=q.topic_names(),
                            has_topic_labels=labelled)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_section_docx(section))
    return out


def export_articles(db: Database, first: date, last: date, out: Path, *, fmt: str, settings,
                    relevance: tuple[str, ...] | None = q.PROVINCE) -> int:
    """Articles of local days first..last with labels, clusters and flags; returns the count."""
    from reports.export import export_rows, to_csv, to_xlsx

    tz = _tz(settings)
    with db.begin() as conn:
        start, end = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
        rows = repo.articles_between(conn, start, end, relevance=relevance)
        ids = [r["id"] for r in rows]
        clusters = {c["id"]: c for c in q.story_clusters(conn, rows)}
        latest = {}
        for f in q.flag_rows(conn, statuses=None):
            latest[f["article_id"]] = f  # ordered by id: the last one wins
        table = export_rows(rows, tz=tz, places=repo.mention_names(conn, ids),
                            topics=q.effective_labels(conn, ids, "topic"),
                            topic_names=q.topic_names(), tones=q.tones(conn, ids),
                            clusters=clusters, flags=latest)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_xlsx(table) if fmt == "xlsx" else to_csv(table))
    return len(table)


# -- demo --------------------------------------------------------------------------------------

def write_demo_outputs(db: Database, out_dir: Path, day: date, settings,
                       area: str | None = None, now: datetime | None = None
                       ) -> list[tuple[str, Path]]:
    """The demo's digest (.html, .txt, .eml), the month's brief and a report section."""
    if area is None:
        from monitor.relevance import load_profile

        area = load_profile(settings.province).name
    now = now or datetime.now(UTC)
    daily = daily_digest(db, day, out_dir, area=area, settings=settings, now=now, dry_run=True)
    month = day.strftime("%Y-%m")
    docx, html = monthly_brief(db, month, out_dir, area=area, settings=settings, now=now)
    first, _ = month_bounds(month)
    section = report_section(db, first, day, out_dir / f"bao-cao-bao-chi-{month}.docx",
                             area=area, settings=settings)
    return [("digest (HTML)", daily.html), ("digest (text)", daily.text),
            ("digest (e-mail)", daily.eml), ("monthly brief (DOCX)", docx),
            ("monthly brief (HTML)", html), ("report section (DOCX)", section)]
