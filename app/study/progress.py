"""Lesson and course completion, and the 学时 a completed course earns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app import clock
from app.audit import record
from app.extensions import db
from app.models import Course, CreditEntry, Lesson, LessonProgress, Person
from app.models.curriculum import CreditKind
from app.study import tallies
from app.study.cycles import counts_for
from app.study.ledger import add_entry, syllabus_for
from app.study.settings import setting


def tenths_for_minutes(minutes: int, tiers) -> int:
    """Convert studied minutes to tenths of 学时, taking the largest tiers first.

    With tiers [(30, 10), (15, 5)], 50 minutes is one 30-minute tier (10) and one 15-minute tier (5).
    """
    total = 0
    for tier_minutes, tier_tenths in sorted(tiers, reverse=True):
        count, minutes = divmod(minutes, tier_minutes)
        total += count * tier_tenths
    return total


def required_slugs(person: Person) -> set[str]:
    """Return the course slugs the person's post syllabus requires."""
    syllabus = syllabus_for(person)
    return {item.get("course") for item in syllabus.required} if syllabus else set()


def lesson_completed(person_id: int, lesson_id: int, cycle: int, *, now: datetime) -> CreditEntry | None:
    """After a lesson completes in a cycle, complete its course when every active lesson is done."""
    course_id = db.session.scalar(select(Lesson.course_id).where(Lesson.id == lesson_id))
    done = select(LessonProgress.id).where(
        LessonProgress.lesson_id == Lesson.id, LessonProgress.person_id == person_id,
        LessonProgress.cycle == cycle, LessonProgress.completed_at.is_not(None),
    ).exists()
    remaining = db.session.scalar(
        select(func.count(Lesson.id)).where(Lesson.course_id == course_id, Lesson.active, ~done)
    )
    return None if remaining else complete_course(person_id, course_id, cycle, now=now)


def _course_tenths(person_id: int, course: Course, cycle: int) -> int:
    if course.credit_tenths > 0:
        return course.credit_tenths
    seconds = db.session.scalar(
        select(func.coalesce(func.sum(LessonProgress.seconds), 0))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.person_id == person_id, LessonProgress.cycle == cycle,
               Lesson.course_id == course.id, Lesson.active)
    )
    return tenths_for_minutes(seconds // 60, setting("CREDIT_TIERS"))


def complete_course(person_id: int, course_id: int, cycle: int = 0, *, now: datetime) -> CreditEntry | None:
    """Credit a course completed in a study cycle, once per cycle, and complete the assignments
    that completion answers (the caller commits); return the new ledger entry."""
    course = db.session.get(Course, course_id)
    person = db.session.get(Person, person_id)
    kind = CreditKind.REQUIRED if course.slug in required_slugs(person) else CreditKind.ELECTIVE
    note = f"{course.title}（{cycle} 年度）" if cycle else course.title
    values = dict(person_id=person_id, year=clock.local_date(now).year, kind=kind,
                  tenths=_course_tenths(person_id, course, cycle), source_type="course", source_id=course.id,
                  cycle=cycle, note=note[:200], created_at=now)
    entry = add_entry(**values)
    tallies.mark_completed(person_id, course_id, counts_for(cycle), now=now)
    if entry is None:
        return None
    record("course_completed", entry, actor_id=person_id, course=course.slug, tenths=entry.tenths, cycle=cycle)
    return entry
