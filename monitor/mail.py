"""E-mail: build multipart messages (pure) and send them over SMTP with retries and backoff."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import encoders, policy
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from monitor.errors import ConfigError, MonitorError

log = logging.getLogger(__name__)

KINDS = ("daily", "alert", "monthly")
SECURITY = ("none", "starttls", "ssl")


class MailError(MonitorError):
    """Sending an e-mail failed; ``temporary`` when a later attempt may succeed (4xx, network)."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        self.reason = reason
        self.temporary = temporary
        super().__init__(reason)


@dataclass(frozen=True)
class MailSettings:
    """SMTP delivery (settings section ``mail``). The password is never in the file: it is read
    from the environment variable named by ``password_env``."""

    host: str = ""  # empty: e-mail is off (digests are still written to files)
    port: int = 587
    security: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password_env: str = "DIEMBAO_SMTP_PASSWORD"
    sender: str = ""  # e.g. "Điểm báo <diembao@stttt.example.gov.vn>"
    recipients_daily: tuple[str, ...] = ()
    recipients_alert: tuple[str, ...] = ()
    recipients_monthly: tuple[str, ...] = ()
    timeout: float = 30.0  # seconds per SMTP connection
    retries: int = 2  # retries within one send, after the first attempt
    backoff_base: float = 2.0  # seconds before the first retry; doubles
    queue_backoff_max: float = 3600.0  # longest wait between the scheduler's retries of a send

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def recipients_for(settings: MailSettings, kind: str) -> tuple[str, ...]:
    """The recipients of a digest kind (a YAML list or a comma-separated string)."""
    raw = getattr(settings, f"recipients_{kind}")
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(a.strip() for a in items if a and a.strip())


def check_settings(settings: MailSettings, kind: str, source: str = "settings") -> None:
    """ConfigError naming the setting when mail of ``kind`` cannot be sent with these settings."""
    if not settings.host:
        raise ConfigError(source, "mail.host", "an SMTP host to send e-mail", settings.host)
    if settings.security not in SECURITY:
        raise ConfigError(source, "mail.security", " | ".join(SECURITY), settings.security)
    if "@" not in settings.sender:
        raise ConfigError(source, "mail.sender", "a sender address", settings.sender)
    if not recipients_for(settings, kind):
        raise ConfigError(source, f"mail.recipients_{kind}", "at least one address", "none")


def build_message(*, subject: str, text: str, html: str, sender: str,
                  recipients: Sequence[str], now: datetime,
                  attachments: Sequence[tuple[str, bytes, str]] = ()) -> Message:
    """multipart/alternative (plain text, then HTML); with attachments (filename, data, MIME
    type) the alternative part goes inside multipart/mixed.

    Built with the compat32 API on purpose: Python 3.11's default policy drops the space at a
    fold between two encoded words ("bài về" arrives as "bàivề"); email.header.Header folds
    Vietnamese subjects correctly."""
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    alternative.attach(MIMEText(html, "html", "utf-8"))
    msg: Message = alternative
    if attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(alternative)
        for filename, data, mime in attachments:
            maintype, _, subtype = mime.partition("/")
            part = MIMEBase(maintype, subtype)
            part.set_payload(data)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
            msg.attach(part)
    name, address = parseaddr(sender)
    msg["Subject"] = Header(subject, "utf-8", header_name="Subject")
    msg["From"] = formataddr((name, address), charset="utf-8")
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=_domain(address))
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip()
    return domain or "localhost"


def message_bytes(msg: Message) -> bytes:
    """The message as sent: CRLF line ends, non-ASCII headers as RFC 2047 encoded words."""
    return msg.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def send_once(data: bytes, *, recipients: Sequence[str], settings: MailSettings,
              env: Mapping[str, str]) -> list[str]:
    """One SMTP session. Returns the recipients the server refused (others got the message);
    raises MailError (temporary for 4xx replies and network errors) when nobody got it."""
    password = env.get(settings.password_env, "") if settings.user else ""
    if settings.user and not password:
        raise MailError(f"mail.user is set but ${settings.password_env} is empty",
                        temporary=False)
    try:
        with _connect(settings) as smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, password)
            refused = smtp.sendmail(_envelope_sender(settings.sender), list(recipients), data)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(f"all recipients refused: {exc.recipients}",
                        temporary=all(400 <= c < 500 for c in codes)) from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailError(f"SMTP {exc.smtp_code}: {reason}",
                        temporary=400 <= exc.smtp_code < 500) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the server does not support it: {exc}", temporary=False) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}", temporary=True) from None
    return sorted(refused)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


@dataclass(frozen=True)
class SendOutcome:
    sent: bool
    attempts: int
    error: str | None = None
    temporary: bool = True
    refused: tuple[str, ...] = ()


def send_with_retries(data: bytes, *, recipients: Sequence[str], settings: MailSettings,
                      env: Mapping[str, str],
                      sleep: Callable[[float], None] = time.sleep) -> SendOutcome:
    """Up to 1 + ``settings.retries`` attempts, waiting backoff_base x 2^n between them; a
    permanent failure (5xx, bad settings) stops at once."""
    error: MailError | None = None
    for attempt in range(1, settings.retries + 2):
        try:
            refused = send_once(data, recipients=recipients, settings=settings, env=env)
        except MailError as exc:
            error = exc
            log.warning("send attempt %d failed: %s", attempt, exc.reason)
            if not exc.temporary or attempt > settings.retries:
                return SendOutcome(False, attempt, exc.reason, exc.temporary)
            sleep(settings.backoff_base * 2 ** (attempt - 1))
            continue
        return SendOutcome(True, attempt, refused=tuple(refused))
    assert error is not None  # the loop always returns; kept for type checkers
    return SendOutcome(False, settings.retries + 1, error.reason, error.temporary)
