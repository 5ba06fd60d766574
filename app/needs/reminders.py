"""催学: the daily reminder job (`reminders` in app/scheduler.py, `flask reminders send`).

The run walks active people in batches of `REMINDER_BATCH_SIZE` ids. Per batch every finder of
`reminder_finders.FINDERS` (培训任务 due soon or overdue, exams opening) gives its messages, which
go into the message centre in one INSERT (`messages.send_each`) with one audit entry, and the batch
commits; so 100,000 people are never in memory at once and no transaction holds the write lock for
long. Then the admins' digest (`digest.py`) commits likewise. Each message has a dedupe key naming
its thing and the local date, so nobody gets the same reminder twice in a day: a second run that day
sends nothing new, and the next day's run sends again what is still to do. With SMTP configured
(`app/mail.py`), the new messages of a batch also go by mail to people with an address, after its
commit; a mail failure is logged and counted, never fatal.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app import clock, mail
from app.audit import record
from app.extensions import db
from app.messages.services import Outgoing, send_each
from app.models import Person
from app.models.people import PersonStatus
from app.needs.digest import digests
from app.needs.reminder_finders import ASSIGNMENT_KIND, EXAM_KIND, FINDERS, Day

log = logging.getLogger(__name__)
MAIL_FOOTER = "（本邮件由培训平台自动发送，请勿回复。）"


@dataclass
class ReminderRun:
    """What a run sent: new messages by kind, people walked, batches, mails sent and failed."""

    day: str = ""
    people: int = 0
    batches: int = 0
    assignment: int = 0
    exam: int = 0
    digest: int = 0
    mail_sent: int = 0
    mail_failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def messages(self) -> int:
        return self.assignment + self.exam + self.digest


def _people_batches(size: int):
    """Yield the ids of active people, `size` at a time, in id order (one statement per batch)."""
    after = 0
    while True:
        ids = list(db.session.scalars(select(Person.id).where(Person.id > after, Person.status == PersonStatus.ACTIVE)
                                      .order_by(Person.id).limit(size)))
        if not ids:
            return
        yield ids
        after = ids[-1]


def _mails(new: list[Outgoing]) -> list[mail.Mail]:
    """The new messages as mails to the people who gave an address (one statement)."""
    config = current_app.config
    if not new or not mail.configured(config):
        return []
    addresses = dict(db.session.execute(select(Person.id, Person.email).where(
        Person.id.in_({m.person_id for m in new}), Person.email != "")).all())
    return [mail.Mail(addresses[m.person_id], m.title,
                      "\n\n".join(part for part in (m.body, mail.absolute(config, m.link), MAIL_FOOTER) if part))
            for m in new if m.person_id in addresses]


def _deliver(run: ReminderRun, new: list[Outgoing]) -> None:
    """After the commit: mail what was sent (failures are logged by app/mail.py and counted)."""
    mails = _mails(new)
    db.session.commit()  # the address lookup must not keep a read transaction open during SMTP
    if mails:
        result = mail.send_all(current_app.config, mails)
        run.mail_sent += result.sent
        run.mail_failed += result.failed


def send_reminders(*, now: datetime, due_days: int | None = None, batch_size: int | None = None) -> ReminderRun:
    """Send today's reminders and the admins' digests (commits per batch); return what was sent."""
    config = current_app.config
    day = Day(now=now, today=clock.local_date(now), due_days=due_days or config["REMINDER_DUE_DAYS"])
    run = ReminderRun(day=day.today.isoformat())
    finders = [make(day) for make in FINDERS]
    for ids in _people_batches(batch_size or config["REMINDER_BATCH_SIZE"]):
        new = send_each([m for finder in finders for m in finder(ids[0], ids[-1])], now=now)
        kinds = Counter(m.kind for m in new)
        run.people, run.batches = run.people + len(ids), run.batches + 1
        run.assignment += kinds[ASSIGNMENT_KIND]
        run.exam += kinds[EXAM_KIND]
        if new:
            record("reminders_send", None, actor_id=None, day=run.day, first_person_id=ids[0],
                   last_person_id=ids[-1], assignment=kinds[ASSIGNMENT_KIND], exam=kinds[EXAM_KIND])
        db.session.commit()
        _deliver(run, new)
    new = send_each(digests(day), now=now)
    run.digest = len(new)
    if new:
        record("reminder_digest", None, actor_id=None, day=run.day, admins=len(new))
    db.session.commit()
    _deliver(run, new)
    log.info("reminders %s", run.as_dict())
    return run
