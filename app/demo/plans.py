"""fj001's 个人培训计划 and their mentor's 谈心谈话记录, after the exams gave them gaps.

Through the services: the plan is made (`needs.plans.refresh`), fj001 studied one of its lessons this
morning through the study clock (`study.timing`, a lesson without a quiz), the plan took it in; the
支队 admin named 教官 jiaoguan fj001's 导师 a fortnight ago (`org.people.add_mentor`) and the mentor
recorded a talk three days ago (`needs.mentor_notes.add_note`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock
from app.auth.scope import scope_of
from app.extensions import db
from app.models import Lesson, MentorLink, Person
from app.models.people import MentorKind, Role
from app.needs import mentor_notes, plans
from app.org.people import add_mentor
from app.study import quiz, timing

NOTE = ("与 fj001 谈心：近期考试中法规类题目失分较多，已一起看了个人培训计划，"
        "约定本月先学完计划中的课时再参加复测；工作上没有困难，学习时间安排在每周二、四晚上。")


def _person(staff_no: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.staff_no == staff_no))


def _study_one(person_id: int, items, now: datetime) -> None:
    """Study the first lesson of the plan that has no quiz, two hours before the moment of loading."""
    for item in items:
        lesson = db.session.get(Lesson, item.lesson_id) if item.lesson_id else None
        if lesson is None or item.done_at is not None or quiz.quiz_items(lesson):
            continue
        at = now - timedelta(hours=2)
        seconds = lesson.min_minutes * 60 + 90
        token = timing.start_lesson(person_id, lesson.id, now=at)
        timing.heartbeat(person_id, lesson.id, token, now=at + timedelta(seconds=seconds), cap=seconds)
        return


def load_plans(*, now: datetime) -> int:
    """fj001's plan (returns its number of items), one item done, their mentor and a note."""
    trainee, admin, mentor = _person("fj001"), _person("fj-admin"), _person("jiaoguan")
    if trainee is None:
        return 0
    plan = plans.refresh(trainee.id, now=now).plan
    if not any(item.done_at for item in plan.items):
        _study_one(trainee.id, plan.items, now)
        plan = plans.refresh(trainee.id, now=now).plan
    if admin is not None and mentor is not None:
        if db.session.scalar(select(MentorLink.id).filter_by(mentor_id=mentor.id, mentee_id=trainee.id)) is None:
            add_mentor(admin.id, scope_of(admin.roles, Role.ADMIN), trainee.id, mentor_staff_no=mentor.staff_no,
                       kind=MentorKind.MENTOR, today=clock.local_date(now - timedelta(days=14)))
        mentor_notes.add_note(mentor.id, mentor.roles, trainee.id, clock.local_date(now - timedelta(days=3)), NOTE,
                              now=now - timedelta(days=3))
    return len(plan.items)
