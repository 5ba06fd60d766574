"""`flask demo load`: the product in use, on any day it is loaded.

Dates are relative to the day of loading (`clock.today()`, or the day a test passes): last year's
tasks, courses, 学时 and the carry-over into this year, this year's tasks in every state, a class
held last year and one in the last weeks (attendance, evaluations), one coming up, newcomers from a
roster import with mentors, and the exams (`app/exams/demo.py`); last, the day's reminders (催学,
`app/needs/reminders.py`) as the morning job sends them. Everything goes through the
services at the moments the timeline gives (timeline.py), so the 培训完成情况 counters, the audit log
and the 学时 ledger are what the product would have written; everything random is seeded by the day.

Modules: `org` (units, demo accounts, staff), `study` (lessons, quizzes, a year's plan per person),
`handouts` (tasks admins hand out and generate), `classes`, `newcomers` (roster import, mentors).
The demo loads into a database without people, once: loading again changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app import clock
from app.audit import record
from app.bank.starter import load_starter_banks
from app.celery_app import wait_for_background
from app.curriculum.assets import content_root
from app.curriculum.sync import sync_content, sync_workforces
from app.demo.classes import plan_classes
from app.demo.handouts import plan_handouts
from app.demo.newcomers import plan_newcomers
from app.demo.org import ACCOUNTS, DEMO_PASSWORD, build_org
from app.demo.study import Study, year_turn
from app.demo.timeline import Timeline
from app.errors import Conflict
from app.extensions import db
from app.models import AuditEntry, Person
from app.needs.reminders import send_reminders
from app.study import assignments

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "DemoRefused", "Loaded", "load_demo"]


class DemoRefused(Conflict):
    """The database already holds people of its own: the demo is loaded only into an empty one."""


@dataclass
class Loaded:
    """What a load did: the demo logins and a line per part, or the day it was loaded before."""

    logins: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    loaded_on: date | None = None  # set when the demo was already there
    exams: list[str] = field(default_factory=list)


def _moment(today: date | None) -> datetime:
    """The moment of loading: now, or 10:30 local time on the day a test passes."""
    if today is None or today == clock.today():
        return clock.now()
    return clock.to_utc(datetime.combine(today, time(10, 30)))


def _earlier_load() -> Loaded | None:
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "demo_load").order_by(AuditEntry.id))
    if entry is not None:
        accounts = {a[0] for a in ACCOUNTS}
        people = db.session.scalars(select(Person).where(Person.staff_no.in_(accounts)))
        order = [a[0] for a in ACCOUNTS]
        logins = sorted(((p.staff_no, p.name, "、".join(g.label for g in p.roles)) for p in people),
                        key=lambda login: order.index(login[0]))
        return Loaded(logins=logins, loaded_on=date.fromisoformat(entry.detail["today"]))
    if db.session.scalar(select(func.count()).select_from(Person)):
        raise DemoRefused("数据库中已有人员，示例数据只能载入没有人员的数据库（请换一个新的数据库再运行）。")
    return None


def load_demo(today: date | None = None) -> Loaded:
    """Load the demo as of `today` (default: the clock's today), or report the earlier load."""
    earlier = _earlier_load()
    if earlier is not None:
        return earlier
    tl = Timeline(_moment(today))
    root = content_root()
    sync_workforces(root)  # workforces, posts and grades are content: the units and people need them
    org = build_org(tl)
    db.session.commit()
    content = sync_content(root)
    banks = load_starter_banks(root / "banks")
    study = Study(tl, org)
    _plan_last_year(tl, study)
    tl.at(tl.local(tl.year_start, 0, 10), lambda at: year_turn(tl, study, at))
    plan_handouts(tl, study, org)
    plan_classes(tl, org)
    plan_newcomers(tl, org)
    tl.run()
    from app.exams.demo import load_exams  # the exams' own demo (the exam area's lead writes it)

    exams = load_exams(now=tl.now)
    wait_for_background()  # the attempts' mastery updates (the needs lane) before anything reads them
    from app.needs.demo import load_diagnostics  # after the exams: their questions and seen counts

    diagnostics = load_diagnostics(now=tl.now)
    wait_for_background()

    from app.demo.plans import load_plans  # after the exams: their answers give fj001 gaps

    plan_items = load_plans(now=tl.now)
    reminded = send_reminders(now=tl.now)  # 催学: this morning's reminders, as the daily job sends them
    record("demo_load", None, actor_id=None, today=tl.today.isoformat(), people=len(org.members))
    db.session.commit()
    lines = [f"课程内容：{content.courses.total} 门课程、{content.lessons.total} 个课时、{content.syllabi.total} 份培训大纲。",
             "起步题库：" + "，".join(f"{code} 新增或更新 {n} 题" for code, n in banks.items()),
             f"学习记录：从 {tl.last_year} 年 1 月 1 日到今天（{tl.today}），{len(org.members)} 人的培训任务、"
             "学习、小测、学时和年度结转，3 个往年的集中轮训班、1 个近期的实训班和 1 个即将开班的培训班，"
             "名册导入的新入职人员及其导师。",
             f"考试：新建并发布 {len(exams)} 场（含已结束和即将开始的）。",
             f"催学提醒：培训任务 {reminded.assignment} 条、考试 {reminded.exam} 条、管理员汇总 {reminded.digest} 条，"
             "在各人的消息中。",
             f"个人培训计划：fj001 的培训计划共 {plan_items} 项，导师已记录一次谈心谈话。",
             f"摸底测试：{diagnostics} 人已完成。"]
    return Loaded(logins=org.logins, lines=lines, exams=exams)


def _plan_last_year(tl, study: Study) -> None:
    """Last year's New Year: the syllabus tasks of everyone in post; later joiners at their joining."""
    start = date(tl.last_year, 1, 1)
    members = [m for m in study.org.members if m.joined_on <= start]
    joiners = [m for m in study.org.members if m.joined_on > start]

    def launch(at: datetime) -> None:
        assignments.sync_all(today=start, year=tl.last_year, person_ids=[m.person_id for m in members])
        for member in members:
            study.plan_year(member, tl.last_year, at)

    tl.at(tl.local(start, 8, 30), launch)
    for member in joiners:
        tl.at(tl.local(member.joined_on, 9) + timedelta(minutes=member.person_id % 60),
              lambda at, m=member: _joined(tl, study, m, at))


def _joined(tl, study: Study, member, at: datetime) -> None:
    assignments.sync_assignments(member.person_id, today=tl.day_of(at))
    study.plan_year(member, tl.day_of(at).year, at)
