"""E-mail against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, once, retries, queue."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select

from monitor.alerts import AlertSettings
from monitor.cli import Context
from monitor.cli_reports import digest
from monitor.mail import MailError, MailSettings, send_once
from monitor.mail_queue import MAX_PERMANENT_ATTEMPTS, deliver
from monitor.reports_job import (
    check_spikes,
    daily_digest,
    daily_digest_job,
    retry_queued_sends,
)
from monitor.settings import Settings
from monitor.store import open_database
from monitor.store.tables import articles, digests, labels
from monitor.store.tables_reports import alerts, deliveries
from tests.integration.test_reports_store import seed
from tests.support.ports import free_port_range

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # 07:30 on the 26th in Vietnam


@dataclass(frozen=True)
class MailedSettings(Settings):
    """Settings with the sections the reports read (until settings.py has them)."""

    mail: MailSettings = field(default_factory=MailSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)


class Inbox:
    """An aiosmtpd handler keeping what arrives; answers 4xx/5xx to the first ``reject`` DATA."""

    def __init__(self, reject: int = 0, code: str = "451 4.3.0 Try again later") -> None:
        self.reject, self.code = reject, code
        self.envelopes: list = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.reject:
            self.reject -= 1
            return self.code
        self.envelopes.append(envelope)
        return "250 2.0.0 OK"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.original_content, policy=policy.default)
                for e in self.envelopes]


@pytest.fixture()
def smtp():
    servers = []

    def start(inbox: Inbox, port: int | None = None) -> int:
        port = port or free_port_range(1)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return port

    yield start
    for controller in servers:
        controller.stop()


def _settings(db, port: int, **mail) -> MailedSettings:
    cfg = MailSettings(host="127.0.0.1", port=port, security="none",
                       sender="Điểm báo <diembao@stttt.example.vn>",
                       recipients_daily=("lanhdao@example.vn", "vanphong@example.vn"),
                       recipients_alert=("trucban@example.vn",), timeout=5, **mail)
    return MailedSettings(database_url=db.url, mail=cfg)


@pytest.fixture()
def db(tmp_path):
    database = open_database(str(tmp_path / "m.db"))
    seed(database, DAY - timedelta(days=20), DAY, per_day=(0, 2))
    yield database
    database.dispose()


def _no_sleep(waits: list):
    return waits.append


def test_the_digest_arrives_as_multipart_alternative_with_a_vietnamese_subject(db, smtp,
                                                                               tmp_path):
    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    result = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          send=True)
    assert result.delivery.status == "sent" and result.delivery.attempts == 1
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "diembao@stttt.example.vn"
    assert envelope.rcpt_tos == ["lanhdao@example.vn", "vanphong@example.vn"]
    raw_subject = next(line for line in envelope.original_content.split(b"\r\n")
                       if line.startswith(b"Subject:"))
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject  # RFC 2047 encoded words
    [msg] = inbox.messages()
    assert msg["Subject"] == result.digest.subject
    assert msg["Subject"].startswith("Điểm báo ngày 25/11/2026: ")
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = (part for part in msg.iter_parts())
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert "ĐIỂM BÁO NGÀY 25/11/2026" in plain.get_content()
    body = html.get_content()
    assert 'style="' in body and "<style" not in body and 'name="viewport"' in body
    assert "Tin nổi bật" in body and "Tình trạng nguồn tin" in body
    with db.begin() as conn:
        assert conn.scalar(select(digests.c.sent_at).where(digests.c.period == "2026-11-25"))


def test_each_day_is_sent_once_and_resend_sends_again(db, smtp, tmp_path):
    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW, send=True)
    again = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                         send=True)
    assert again.skipped and len(inbox.envelopes) == 1
    resent = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          resend=True)
    assert resent.delivery.status == "sent" and len(inbox.envelopes) == 2
    with db.begin() as conn:
        rows = conn.execute(select(deliveries.c.send_no, deliveries.c.status)
                            .order_by(deliveries.c.send_no)).all()
    assert [tuple(r) for r in rows] == [(0, "sent"), (1, "sent")]


def test_a_4xx_on_the_first_attempt_is_retried_with_backoff(db, smtp, tmp_path):
    inbox = Inbox(reject=1)
    settings = _settings(db, smtp(inbox), retries=2, backoff_base=3.0)
    waits: list[float] = []
    result = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          send=True, sleep=_no_sleep(waits))
    assert result.delivery.status == "sent" and result.delivery.attempts == 2
    assert inbox.attempts == 2 and len(inbox.envelopes) == 1 and waits == [3.0]


def test_a_send_that_keeps_failing_stays_queued_and_goes_out_later(db, smtp, tmp_path):
    port = free_port_range(1)  # nobody listens yet
    settings = _settings(db, port, retries=1, backoff_base=1.0)
    waits: list[float] = []
    result = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          send=True, sleep=_no_sleep(waits))
    queued = result.delivery
    assert queued.status == "pending" and queued.attempts == 2 and queued.last_error
    assert waits == [1.0]
    inbox = Inbox()
    smtp(inbox, port)
    assert retry_queued_sends(db, settings=settings, now=NOW) == []  # not due yet
    later = NOW + timedelta(hours=2)
    [done] = retry_queued_sends(db, settings=settings, now=later, sleep=_no_sleep(waits))
    assert done.status == "sent" and done.attempts == 3 and done.sent_at == later
    [msg] = inbox.messages()
    with db.begin() as conn:
        stored = conn.scalar(select(deliveries.c.message))
    assert msg["Message-ID"] == email.message_from_bytes(stored)["Message-ID"]
    assert retry_queued_sends(db, settings=settings, now=later + timedelta(days=1)) == []


def test_a_permanent_rejection_is_not_retried_in_process_and_ends_failed(db, smtp, tmp_path):
    inbox = Inbox(reject=99, code="550 5.1.1 No such user")
    settings = _settings(db, smtp(inbox), retries=3)
    waits: list[float] = []
    result = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          send=True, sleep=_no_sleep(waits))
    assert result.delivery.status == "pending" and "550" in result.delivery.last_error
    assert waits == [] and inbox.attempts == 1
    for _ in range(MAX_PERMANENT_ATTEMPTS):
        last = deliver(db, result.delivery.id, settings.mail, now=NOW, sleep=_no_sleep(waits))
    assert last.status == "failed" and last.attempts == MAX_PERMANENT_ATTEMPTS
    inbox.reject = 0
    forced = daily_digest(db, DAY, tmp_path, area="Bắc Giang", settings=settings, now=NOW,
                          resend=True)
    assert forced.delivery.status == "sent" and len(inbox.envelopes) == 1


def test_dry_run_writes_the_eml_and_sends_nothing(db, smtp, tmp_path):
    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    result = CliRunner().invoke(digest, ["daily", "--date", "2026-11-25", "--out",
                                         str(tmp_path), "--dry-run"],
                                obj=Context(settings, False))
    assert result.exit_code == 0, result.output
    eml = tmp_path / "diem-bao-2026-11-25.eml"
    assert str(eml) in result.output and inbox.envelopes == []
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["To"] == "lanhdao@example.vn, vanphong@example.vn"
    with db.begin() as conn:
        assert conn.scalar(select(deliveries.c.id)) is None


def test_the_scheduled_daily_job_sends_yesterday_once(db, smtp, tmp_path):
    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    first = daily_digest_job(db, settings=settings, now=NOW, out_dir=tmp_path, area="Bắc Giang")
    second = daily_digest_job(db, settings=settings, now=NOW + timedelta(minutes=5),
                              out_dir=tmp_path, area="Bắc Giang")
    assert first.digest.day == DAY and first.delivery.status == "sent" and second.skipped
    assert len(inbox.envelopes) == 1


def test_a_spike_sends_one_alert_at_once(db, smtp):
    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)  # 16:00 in Vietnam
    with db.begin() as conn:  # a burst of health news today
        for k in range(25):
            when = now - timedelta(minutes=10 * k)
            aid = conn.execute(articles.insert().values(
                canonical_url=f"https://bg.vn/dich-{k}", url=f"https://bg.vn/dich-{k}",
                source_id="bg", title=f"Ổ dịch sốt xuất huyết số {k}", sapo="", body=[],
                tags=[], images=[], captions=[], published=when, published_origin="json-ld",
                first_seen=when, fetched_at=now, updated_at=now, content_hash=str(k),
                relevance="about")).inserted_primary_key[0]
            conn.execute(labels.insert().values(article_id=aid, kind="topic", value="y-te",
                                                origin="model", score=0.9, created_at=now))
    spikes = check_spikes(db, settings=settings, now=now, area="Bắc Giang")
    found = {(s.topic, s.metric) for s in spikes}
    assert ("y-te", "volume") in found and ("all", "volume") in found
    subjects = [m["Subject"] for m in inbox.messages()]
    assert len(subjects) == len(spikes)
    assert "Cảnh báo: chủ đề “Y tế” tăng đột biến ngày 25/11/2026" in subjects
    health = next(m for m in inbox.messages() if "Y tế" in m["Subject"])
    assert "Ổ dịch sốt xuất huyết" in health.get_body(("plain",)).get_content()
    assert check_spikes(db, settings=settings, now=now + timedelta(hours=1),
                        area="Bắc Giang") == []
    assert len(inbox.envelopes) == len(spikes)
    with db.begin() as conn:
        assert conn.scalar(select(alerts.c.delivery_id).where(alerts.c.topic == "y-te"))


def test_a_user_without_a_password_in_the_environment_is_a_permanent_error():
    cfg = MailSettings(host="127.0.0.1", port=9, user="diembao", sender="a@b.vn",
                       password_env="DIEMBAO_TEST_NO_SUCH_VAR")
    with pytest.raises(MailError, match="DIEMBAO_TEST_NO_SUCH_VAR") as info:
        send_once(b"x", recipients=["c@d.vn"], settings=cfg, env={})
    assert not info.value.temporary


@pytest.mark.parametrize("subject", [
    "Điểm báo ngày 25/11/2026: 2 tin, bài về Bắc Giang",
    "Cảnh báo: tin, bài tiêu cực về chủ đề “Đất đai, khoáng sản, môi trường” tăng đột biến "
    "ngày 25/11/2026 " * 2,
])
def test_long_vietnamese_subjects_survive_folding(subject):
    from monitor.mail import build_message, message_bytes

    data = message_bytes(build_message(subject=subject, text="t", html="<p>h</p>",
                                       sender="Điểm báo <a@b.vn>", recipients=["c@d.vn"],
                                       now=NOW))
    head = data.split(b"\r\n\r\n")[0]
    assert head.isascii() and all(len(line) <= 78 for line in head.split(b"\r\n"))
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == subject and msg["From"] == "Điểm báo <a@b.vn>"


def test_the_monthly_brief_goes_out_with_the_docx_attached(db, smtp, tmp_path):
    from monitor.reports_job import monthly_brief

    inbox = Inbox()
    settings = _settings(db, smtp(inbox))
    settings = MailedSettings(database_url=db.url, mail=MailSettings(
        **{**settings.mail.__dict__, "recipients_monthly": ("giamdoc@example.vn",)}))
    monthly_brief(db, "2026-11", tmp_path, area="Bắc Giang", settings=settings,
                  now=datetime(2026, 12, 1, tzinfo=UTC), send=True)
    [msg] = inbox.messages()
    assert msg.get_content_type() == "multipart/mixed"
    assert msg["Subject"] == "Báo cáo điểm báo tháng 11/2026"
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "ban-tin-thang-2026-11.docx"
    assert attachment.get_content() == (tmp_path / "ban-tin-thang-2026-11.docx").read_bytes()
    assert msg.get_body(("html",)).get_content().count("data:image/png;base64,") == 2
