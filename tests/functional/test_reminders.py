"""催学: the reminder job finds 培训任务 due soon or overdue (not completed ones) and exams opening (for
their audience who have not started; not drafts or hidden practice), links each to the thing to do,
sends the admins a digest of their scope, never the same reminder twice a day, by mail too when SMTP
is configured; `flask reminders send`, the periodic job and its run record."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import clock, mail, scheduler
from app.exams import attempts
from app.extensions import db
from app.models import Assignment, AuditEntry, Message, Person, ScheduledRun
from app.needs import reminders
from tests import smtp_sink
from tests.factories import (
    make_bank_category,
    make_course,
    make_exam,
    make_exam_questions,
    make_world,
)
from tests.sql_budget import count_statements

TODAY = date(2026, 12, 4)
NOW = clock.to_utc(datetime.combine(TODAY, time(8, 0)))  # the job's 8:00 run, Beijing time


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _assign(person, course, due_on: date, *, completed: bool = False) -> Assignment:
    assignment = Assignment(person_id=person.id, course_id=course.id, year=due_on.year, due_on=due_on,
                            origin="admin", completed_at=NOW - timedelta(days=1) if completed else None)
    db.session.add(assignment)
    db.session.commit()
    return assignment


@pytest.fixture
def world(app, at_now):
    """一大队: ta (in 一中队), tc, a 离岗 person; 二大队: tb; admins of each brigade and a global one."""
    world = make_world(admin_all=True, people={
        "ta": {"unit": "a1", "staff_no": "T-A", "name": "甲学员"},
        "tc": {"unit": "a", "staff_no": "T-C", "name": "丙学员"},
        "gone": {"unit": "a1", "staff_no": "T-GONE", "status": "left"},
        "tb": {"unit": "b1", "staff_no": "T-B", "name": "乙学员"}})
    hands, rules, later, done = (make_course(title=t) for t in ("交通指挥手势", "执勤执法规范", "消防常识", "急救常识"))
    world["hands"] = hands
    world["a_soon"] = _assign(world["ta"], hands, TODAY + timedelta(days=4))  # 12月8日
    world["a_late"] = _assign(world["ta"], rules, TODAY - timedelta(days=3))  # 逾期 3 天
    _assign(world["ta"], later, TODAY + timedelta(days=8))  # beyond the 7 days
    _assign(world["ta"], done, TODAY - timedelta(days=10), completed=True)
    _assign(world["tc"], hands, TODAY + timedelta(days=7))  # the last day that counts as soon
    _assign(world["gone"], hands, TODAY - timedelta(days=1))  # 离岗: no reminder, but on the counters
    _assign(world["tb"], hands, TODAY - timedelta(days=1))
    _assign(world["tb"], rules, TODAY)
    return world


def _messages(person, kind: str | None = None) -> list[Message]:
    query = select(Message).where(Message.person_id == person.id).order_by(Message.id)
    return list(db.session.scalars(query if kind is None else query.where(Message.kind == kind)))


def test_due_soon_and_overdue_assignments_are_reminded_with_a_link_to_the_course(world):
    run = reminders.send_reminders(now=NOW)
    assert (run.assignment, run.exam) == (5, 0)
    mine = {m.title: m for m in _messages(world["ta"], "remind_assignment")}
    assert set(mine) == {"培训任务《交通指挥手势》将于 12月8日 到期，请尽快完成",
                         "培训任务《执勤执法规范》已逾期 3 天，请尽快完成"}
    soon = mine["培训任务《交通指挥手势》将于 12月8日 到期，请尽快完成"]
    assert soon.link == f"/study/courses/{world['hands'].id}" and "2026-12-08" in soon.body
    assert soon.dedupe_key == f"remind:assignment:{world['a_soon'].id}:2026-12-04" and soon.read_at is None
    assert [m.title for m in _messages(world["tc"])] == ["培训任务《交通指挥手势》将于 12月11日 到期，请尽快完成"]
    assert sorted(m.title for m in _messages(world["tb"])) == [
        "培训任务《交通指挥手势》已逾期 1 天，请尽快完成", "培训任务《执勤执法规范》今天到期，请尽快完成"]
    assert _messages(world["gone"]) == []
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminders_send"))
    assert audit.detail["assignment"] == 5 and audit.detail["day"] == "2026-12-04"


def test_the_reminder_opens_the_course_for_its_trainee(world, as_user):
    reminders.send_reminders(now=NOW)
    message = _messages(world["ta"])[0]
    client = as_user("T-A")
    assert 'id="unread-count">' in client.get("/messages/").get_data(as_text=True)
    page = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert f'href="{message.link}" id="message-link"' in page
    assert client.get(message.link).status_code == 200


@pytest.fixture
def exams(world):
    category = make_bank_category("一大队题库", owner=world["a"])
    make_exam_questions(category, single=5)
    a = [world["a"]]
    made = {
        "tomorrow": make_exam(category=category, audience_units=a, title="年终考试",
                              opens_at=NOW + timedelta(hours=20), closes_at=NOW + timedelta(days=2)),
        "today": make_exam(category=category, audience_units=a, title="岗位练兵考试",
                           opens_at=NOW - timedelta(minutes=30), closes_at=NOW + timedelta(hours=10)),
        "draft": make_exam(category=category, audience_units=a, title="草稿考试", publish=False,
                           opens_at=NOW + timedelta(hours=2)),
        "practice": make_exam(category=category, audience_units=a, title="隐藏练习", kind="practice", hidden=True,
                              opens_at=NOW - timedelta(minutes=5)),
        "later": make_exam(category=category, audience_units=a, title="下周考试",
                           opens_at=NOW + timedelta(days=2), closes_at=NOW + timedelta(days=3)),
        "yesterday": make_exam(category=category, audience_units=a, title="昨天的考试",
                               opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=1)),
    }
    attempts.start(made["today"].id, world["ta"].id, now=NOW)  # ta has started today's exam
    db.session.commit()
    return made


def test_exam_reminders_go_to_the_audience_who_have_not_started_formal_published_exams(world, exams):
    run = reminders.send_reminders(now=NOW)
    by_person = {key: sorted(m.title for m in _messages(world[key], "remind_exam"))
                 for key in ("ta", "tc", "gone", "tb", "admin_a", "admin_b")}
    tomorrow = "考试《年终考试》将于 12月5日 04:00 开始，请按时参加"
    today = "考试《岗位练兵考试》已于 今天 07:30 开始，请在 今天 18:00 前参加"
    assert by_person == {"ta": [tomorrow], "tc": [today, tomorrow], "gone": [], "tb": [],
                         "admin_a": [today, tomorrow],  # 一大队's admin belongs to 一大队: the audience
                         "admin_b": []}
    assert run.exam == 5
    message = _messages(world["tc"], "remind_exam")[0]
    assert message.link == f"/exams/mine#exam-{exams['today'].id}"
    assert message.dedupe_key == f"remind:exam:{exams['today'].id}:2026-12-04"


def test_the_exam_link_lands_on_the_exam_in_my_exams(world, exams, as_user):
    reminders.send_reminders(now=NOW)
    link = _messages(world["tc"], "remind_exam")[0].link
    path, anchor = link.split("#")
    page = as_user("T-C").get(path).get_data(as_text=True)
    assert f'id="{anchor}"' in page and "岗位练兵考试" in page


def _digest(person) -> Message | None:
    found = _messages(person, "reminder_digest")
    assert len(found) <= 1
    return found[0] if found else None


def test_each_admin_gets_one_digest_of_their_own_scope(world):
    run = reminders.send_reminders(now=NOW)
    # By hand: 一大队 overdue = ta's 执勤执法规范 + the 离岗 person's task (counted as 培训完成情况 counts it),
    # due soon = ta's 交通指挥手势 (day 4) + tc's (day 7); ta's day-8 task and the completed one are out.
    # 二大队: tb's overdue one and the one due today. The global admin: both.
    a, b, everyone = _digest(world["admin_a"]), _digest(world["admin_b"]), _digest(world["admin_all"])
    assert a.title == "培训任务催办：管辖范围内 2 项已逾期、2 项 7 天内到期"
    assert "交警支队/一大队：已逾期 2 项，7 天内到期 2 项" in a.body and "二大队" not in a.body
    assert b.title == "培训任务催办：管辖范围内 1 项已逾期、1 项 7 天内到期" and "一大队" not in b.body
    assert everyone.title == "培训任务催办：管辖范围内 3 项已逾期、3 项 7 天内到期" and "全部单位" in everyone.body
    assert a.link == "/study/admin/compliance" and a.dedupe_key == f"digest:{world['admin_a'].id}:2026-12-04"
    assert _digest(world["ta"]) is None and run.digest == 3


def test_an_admin_with_nothing_due_gets_no_digest_and_a_nested_grant_counts_once(world):
    from app.models import RoleGrant

    db.session.add(RoleGrant(person_id=world["admin_a"].id, role="admin", scope_unit_id=world["a1"].id))
    for assignment in db.session.scalars(select(Assignment).join(Person, Person.id == Assignment.person_id).where(Person.unit_id == world["b1"].id)):
        assignment.completed_at = NOW
    db.session.commit()
    reminders.send_reminders(now=NOW)
    assert _digest(world["admin_b"]) is None
    assert _digest(world["admin_a"]).title == "培训任务催办：管辖范围内 2 项已逾期、2 项 7 天内到期"


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(world, exams):
    first = reminders.send_reminders(now=NOW)
    count = db.session.scalar(select(func.count()).select_from(Message))
    assert first.messages == count > 0
    second = reminders.send_reminders(now=NOW + timedelta(hours=6))
    assert (second.assignment, second.exam, second.digest) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Message)) == count
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "reminders_send")) == 1  # nothing sent, nothing audited
    tomorrow = reminders.send_reminders(now=NOW + timedelta(days=1))
    assert tomorrow.assignment == 6 and tomorrow.digest == 3  # and ta's 消防常识, now 7 days ahead
    assert "培训任务《执勤执法规范》已逾期 4 天，请尽快完成" in [m.title for m in _messages(world["ta"])]


def test_statements_grow_with_the_batches_not_with_the_people(app, at_now):
    world = make_world(people={f"p{n}": {"unit": "a1", "staff_no": f"P{n:02d}"} for n in range(12)})
    course = make_course(title="交通指挥手势")
    for person in [world["admin_a"], world["admin_b"]] + [world[f"p{n}"] for n in range(12)]:
        _assign(person, course, TODAY - timedelta(days=1))
    costs = []  # (batches, statements); 14 people with the two admins
    for day, size in ((0, 14), (1, 7), (2, 2)):
        with count_statements() as statements:
            run = reminders.send_reminders(now=NOW + timedelta(days=day), batch_size=size)
        assert run.assignment == 14 and run.people == 14
        costs.append((run.batches, len(statements)))
    (one, base), (two, more), (seven, most) = costs
    assert (one, two, seven) == (1, 2, 7)
    per_batch = more - base  # the ids, the assignments, the exams' audiences (none), the INSERT, the audit entry
    assert 0 < per_batch <= 6 and most - base == 6 * per_batch, costs


@pytest.fixture
def sink():
    received = smtp_sink.SmtpSink(refuse={"refused@example.com"})
    server = smtp_sink.start(received)
    yield received
    server.shutdown()
    server.server_close()


def _with_mail(app, port: int) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="peixun@example.com",
                      SITE_URL="https://peixun.example")


def test_reminders_go_by_mail_too_when_smtp_is_configured(app, world, sink):
    _with_mail(app, sink.port)
    world["ta"].email, world["admin_a"].email = "ta@example.com", "admin-a@example.com"
    world["tb"].email = "refused@example.com"
    db.session.commit()
    run = reminders.send_reminders(now=NOW)
    assert (run.mail_sent, run.mail_failed) == (3, 2)  # ta's two and admin_a's digest; tb's two refused
    mails = {(r.recipients[0], r.message["Subject"]) for r in sink.received}
    assert ("ta@example.com", "培训任务《执勤执法规范》已逾期 3 天，请尽快完成") in mails
    assert ("admin-a@example.com", "培训任务催办：管辖范围内 2 项已逾期、2 项 7 天内到期") in mails
    body = next(r.message for r in sink.received if r.recipients == ["ta@example.com"]).get_content()
    assert "https://peixun.example/study/courses/" in body and reminders.MAIL_FOOTER in body
    assert all(r.sender == "peixun@example.com" for r in sink.received)
    assert len(_messages(world["tb"])) == 2  # the refused mail's messages are in the message centre
    assert reminders.send_reminders(now=NOW).mail_sent == 0 and len(sink.received) == 3  # nothing twice


def test_an_unreachable_mail_server_is_logged_and_the_messages_stay(app, world, sink, caplog, monkeypatch):
    monkeypatch.setattr(mail.log, "disabled", False)  # migrations' fileConfig disables loggers made before it
    port = sink.port
    world["ta"].email = "ta@example.com"
    db.session.commit()
    _with_mail(app, port)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    run = reminders.send_reminders(now=NOW)
    assert (run.mail_sent, run.mail_failed) == (0, 2) and run.assignment == 5
    assert len(_messages(world["ta"])) == 2 and "unreachable" in caplog.text


def test_without_smtp_nothing_is_mailed(world, sink):
    world["ta"].email = "ta@example.com"
    db.session.commit()
    assert reminders.send_reminders(now=NOW).mail_sent == 0 and sink.received == []


def test_flask_reminders_send(app, runner, world):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "发出培训任务提醒 5 条、考试提醒 0 条、管理员汇总 3 条" in result.output
    assert "培训任务提醒 0 条" in runner.invoke(args=["reminders", "send"]).output
    assert runner.invoke(args=["reminders", "send", "--days", "10"]).output.count("培训任务提醒 1 条") == 1  # day 8


def test_the_reminder_job_is_registered_and_its_run_record_keeps_the_counts(app, world):
    job = scheduler.find_job("reminders")
    assert job.task == "app.needs.tasks.send_reminders_task"
    assert app.extensions["celery"].conf.beat_schedule["reminders"]["task"] == job.task
    due = clock.to_utc(datetime.combine(TODAY, time(8, 0)))
    assert scheduler.tick(jobs=(job,), now=due + timedelta(minutes=1)) == ["reminders"]
    run = db.session.scalar(select(ScheduledRun).where(ScheduledRun.job == "reminders"))
    assert run.error is None and run.due_at == due
    assert '"assignment": 5' in run.result and '"digest": 3' in run.result


def test_the_person_form_keeps_an_email_address_and_refuses_a_bad_one(world, as_user):
    client = as_user("admin-a")
    ta = world["ta"]
    form = {"staff_no": "T-A", "name": "甲学员", "unit_id": world["a1"].id, "post_id": 0, "grade_id": 0,
            "status": "active", "email": "不是邮箱"}
    page = client.post(f"/org/people/{ta.id}/edit", data=form).get_data(as_text=True)
    assert "电子邮箱“不是邮箱”格式不正确" in page
    db.session.expire_all()
    assert db.session.get(Person, ta.id).email == ""
    assert client.post(f"/org/people/{ta.id}/edit", data=form | {"email": "jia@example.com"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, ta.id).email == "jia@example.com"
