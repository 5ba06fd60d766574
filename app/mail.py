"""E-mail through the configured SMTP server (Python's smtplib): off unless `MAIL_SERVER` is set.

Mail is sent after the commit of what it reports, over one connection per call; a mail the server
refuses, or a server that cannot be reached, is logged and counted, never raised: the in-app message
is already stored, and a reminder job must not fail because of a mail server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One plain-text mail to one address."""

    to: str
    subject: str
    body: str


@dataclass
class MailResult:
    sent: int = 0
    failed: int = 0


def configured(config: Mapping) -> bool:
    """Whether mail can be sent: a server and a sender address are set."""
    return bool(config.get("MAIL_SERVER")) and bool(sender(config))


def sender(config: Mapping) -> str:
    return config.get("MAIL_DEFAULT_SENDER") or config.get("MAIL_USERNAME") or ""


def absolute(config: Mapping, path: str) -> str:
    """A page's address for a mail: the site's URL before the path when `SITE_URL` is set."""
    return f"{config.get('SITE_URL', '')}{path}" if path else ""


def _message(config: Mapping, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender(config), mail.to, mail.subject
    message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid(domain="xunlian.local")
    message.set_content(mail.body)  # UTF-8, so Chinese text travels as it is
    return message


def _connect(config: Mapping) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config.get("MAIL_PORT", 25), config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            server.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    return server


def send_all(config: Mapping, mails: Iterable[Mail]) -> MailResult:
    """Send the mails over one connection; return how many went and how many failed (logged)."""
    mails = [mail for mail in mails if mail.to]
    result = MailResult()
    if not mails or not configured(config):
        return result
    try:
        server = _connect(config)
    except (OSError, smtplib.SMTPException):
        log.exception("mail server %s unreachable: %d mails not sent", config.get("MAIL_SERVER"), len(mails))
        result.failed = len(mails)
        return result
    try:
        for mail in mails:
            try:
                server.send_message(_message(config, mail))
                result.sent += 1
            except (OSError, smtplib.SMTPException):
                log.exception("mail to %s not sent", mail.to)
                result.failed += 1
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            log.warning("mail server %s: QUIT failed", config.get("MAIL_SERVER"))
    return result
