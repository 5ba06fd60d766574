"""A small world for the training plan tests: 路面执勤's syllabus targets 道路交通安全法规 中级 and
执勤安全防护 高级 and requires one course; lessons teach the competencies at each level; questions
of 法规 alone (for re-tests) beside the world's questions of both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import Competency, LessonCompetency, LessonProgress, SyllabusTarget
from tests.factories import make_bank_category, make_course, make_exam, make_syllabus
from tests.functional.test_needs_mastery import LAW, SAFE, add_questions, sit
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture


@pytest.fixture
def plan_world(world):
    db.session.execute(update(Competency).values(workforces=["fj"]))  # practisable by the 辅警
    syllabus = make_syllabus(world["posts"][0], required=[{"course": "required-duty", "within_days_of_joining": 30}])
    syllabus.targets = [SyllabusTarget(competency_id=world["law"], level=2),
                        SyllabusTarget(competency_id=world["safe"], level=3)]
    gap_course = make_course("gap-course", title="执勤执法规范", lessons=(15, 15, 15, 15, 15))
    gap_course.workforces = ["fj"]
    other = make_course("other-workforce", title="社区网格执法", lessons=(15,))  # 社区工作者's: never a 辅警's plan
    other.workforces = ["sq"]
    lessons = [lesson.id for lesson in gap_course.lessons]
    # 第1课 法规 初级, 第2课 法规 中级, 第3课 法规 高级 (above the target), 第4课 安全 中级, 第5课 安全 高级
    links = [(lessons[0], world["law"], 1), (lessons[1], world["law"], 2), (lessons[2], world["law"], 3),
             (lessons[3], world["safe"], 2), (lessons[4], world["safe"], 3), (other.lessons[0].id, world["law"], 2)]
    db.session.add_all(LessonCompetency(lesson_id=lid, competency_id=cid, level=level) for lid, cid, level in links)
    required = make_course("required-duty", title="辅警职业道德", lessons=(15, 15))
    world["cat_law"] = make_bank_category("法规题库", owner=world["a"])
    add_questions(world["cat_law"], 6, competencies=(LAW,), difficulty=3)
    db.session.commit()
    world.update(lessons=lessons, gap_course=gap_course.id, required=required.id,
                 required_lessons=[lesson.id for lesson in required.lessons])
    return world


def fail_both(world, person) -> int:
    """A practice over the world's questions of both competencies, all wrong: 法规 差 2 级, 安全 差 3 级."""
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=(("一、单选题", "single", 4, 100),),
                     kind="practice")
    return sit(exam.id, person.id, 0)


def sit_law(world, person, right: int, count: int = 5) -> int:
    exam = make_exam(category=world["cat_law"], audience_units=[world["a"]],
                     rules=(("一、单选题", "single", count, 100),))
    return sit(exam.id, person.id, right)


def complete(person_id: int, lesson_ids, *, cycle: int = 0) -> None:
    now = clock.now() - timedelta(minutes=1)
    db.session.add_all(LessonProgress(person_id=person_id, lesson_id=lid, cycle=cycle, seconds=900, completed_at=now)
                       for lid in lesson_ids)
    db.session.commit()


def competency_id(code: str) -> int:
    return db.session.scalar(select(Competency.id).where(Competency.code == code))


__all__ = ["LAW", "SAFE", "complete", "fail_both", "plan_world", "sit_law", "competency_id"]
