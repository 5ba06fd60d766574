"""The demo's exams, relative to the moment it is loaded, through the exam services.

Per workforce (whose demo author and starter bank exist): a rule-based formal exam open from today
for 30 days to the whole workforce tree (a few generated people are already sitting it, two have
finished), a practice exam open for weeks with earlier practice runs, an upcoming exam, and last
month's finished exam with an attempt by most of the workforce, and a case-analysis exam closed a few
days ago whose essays await marking (its author marked a third of the attempts the day before, so
the queue shows both and those trainees have their message); with the practice exam, a few days of generated practice
(练习 of the workforce's bank, some answers checked) for the demo logins and about one in seven of
the others, so 练习 has a history and the 错题本 entries (formal ones come from last month's exam,
whose answers are shown once it closed). The demo
login accounts (fj001, sq001, zg001, the admins who are trainees) have not started the current
exams, so a new user can take them. Everything is seeded by the exam and the person, so two loads
on the same day give the same answers and scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app import clock
from app.exams import attempts, checks, practice, wrong_book
from app.exams.access import viewer_for
from app.exams.audience import members
from app.exams.blueprints import BlueprintData, RuleData, create_blueprint
from app.exams.editing import ExamData, create_exam, publish_exam
from app.exams.grading import claim, grader_for
from app.exams.grading_marks import save_mark
from app.exams.questions import question_of, version_text
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Exam,
    OrgUnit,
    Person,
    QuestionCategory,
    QuestionVersion,
    Workforce,
)
from app.models.exams import ExamKind, ReviewTiming
from app.models.practice import PracticeSourceKind
from question_bank import units_to_points
from question_bank.assembly import to_display_letters

# workforce code → the demo account who builds its exams
AUTHORS = {"fj": "jiaoguan", "sq": "sq-admin", "zg": "zg-admin"}
# demo logins keep the current exams untouched for the person trying the demo
LOGINS = {"admin", "fj-admin", "dd1-admin", "dd2-admin", "sq-admin", "zg-admin", "jiaoguan",
          "fj001", "sq001", "zg001"}

# (section, qtype, count, points each): 100 points without the essays, 120 with them
FORMAL_RULES = (("一、单选题", "single", 10, "4"), ("二、多选题", "multiple", 5, "6"),
                ("三、判断题", "truefalse", 10, "2"), ("四、填空题", "fill", 5, "2"),
                ("五、简答题", "essay", 2, "10"))
PRACTICE_RULES = (("一、单选题", "single", 5, "4"), ("二、判断题", "truefalse", 5, "4"))
MARKER_COMMENTS = ("", "要点基本答到，表述可以更完整。", "程序要求答得清楚。", "缺少记录和报告的要点。")
ESSAY_ANSWERS = ("先确认现场安全，再按照规定程序报告上级，并如实做好记录。",
                 "要坚持依法依规，听取群众意见，做到程序公开、结果公开。",
                 "按照职责分工处理，不越权，不推诿，遇到拿不准的情况及时请示。")


@dataclass(frozen=True)
class Plan:
    title: str
    kind: str
    opens: datetime  # local wall-clock
    closes: datetime
    minutes: int
    attempts: int
    rules: tuple
    review: dict


def _plans(name: str, today) -> list[Plan]:
    start = datetime.combine(today - timedelta(days=1), time(8, 0))  # open already, whatever the hour
    last = datetime.combine(today - timedelta(days=45), time(8, 0))
    cases = datetime.combine(today - timedelta(days=20), time(8, 0))
    on_close = {"review_timing": ReviewTiming.AFTER_CLOSE, "review_answers": True, "review_explanations": True}
    return [
        Plan(f"{today.year}年{name}应知应会考试（{today.month}月）", ExamKind.FORMAL, start,
             start + timedelta(days=31), 60, 1, FORMAL_RULES[:4], {}),
        Plan(f"{name}应知应会练习", ExamKind.PRACTICE, start - timedelta(days=30), start + timedelta(days=60),
             20, 10, PRACTICE_RULES, {"review_answers": True, "review_explanations": True}),
        Plan(f"{name}岗位规范补考", ExamKind.FORMAL, start + timedelta(days=14), start + timedelta(days=21),
             45, 1, FORMAL_RULES[:3], {}),
        Plan(f"{last.year}年{name}业务知识考试（{last.month}月）", ExamKind.FORMAL, last,
             last + timedelta(days=30), 60, 1, FORMAL_RULES[:4], on_close),
        Plan(f"{name}案例分析考试（{cases.month}月{cases.day}日）", ExamKind.FORMAL, cases,
             cases + timedelta(days=17), 90, 1, FORMAL_RULES, on_close),
    ]


def load_exams(*, now: datetime) -> list[str]:
    """Create, publish and (for the past and current ones) sit the demo exams; returns their titles.

    An exam whose title already exists is left as it is (loading twice on one day adds nothing).
    """
    made = []
    for code, staff_no in AUTHORS.items():
        author = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
        root = db.session.scalar(select(OrgUnit).join(Workforce, Workforce.id == OrgUnit.workforce_id)
                                 .where(Workforce.code == code, OrgUnit.depth == 0).order_by(OrgUnit.id))
        category = root and db.session.scalar(select(QuestionCategory).where(
            QuestionCategory.parent_id.is_(None), QuestionCategory.owner_unit_id == root.id))
        if author is None or category is None:
            continue
        for plan in _plans(root.workforce.name, clock.local_date(now)):
            if db.session.scalar(select(Exam.id).where(Exam.title == plan.title)) is None:
                exam = _publish(author, root, category, plan, now)
                _sit(exam, plan, now)
                if plan.rules == FORMAL_RULES and exam.closes_at <= now:
                    _mark_some(exam, author, now)
                if plan.kind == ExamKind.PRACTICE:
                    _practise(exam.id, category.id, now)
                made.append(plan.title)
    # The 错题本 of what was sat: the receiver's tasks did it already when they run inline; in the
    # embedded mode they run on threads, and whatever they have not applied yet is applied here.
    wrong_book.release_due(now=now, limit=1_000_000)
    return made


def _publish(author: Person, root: OrgUnit, category: QuestionCategory, plan: Plan, now: datetime) -> Exam:
    viewer = viewer_for(author.id, author.roles)
    blueprint = create_blueprint(viewer, BlueprintData(
        title=f"{plan.title}组卷规则", owner_unit_id=root.id,
        rules=[RuleData(section=section, category_id=category.id, qtype=qtype, count=count, points=points)
               for section, qtype, count, points in plan.rules]))
    exam = create_exam(viewer, ExamData(
        title=plan.title, blueprint_id=blueprint.id, opens_local=plan.opens, closes_local=plan.closes,
        duration_minutes=plan.minutes, kind=plan.kind, attempts_allowed=plan.attempts,
        unit_ids=[root.id], owner_unit_id=root.id, **plan.review))
    return publish_exam(viewer, exam.id, now=now)


def _sit(exam: Exam, plan: Plan, now: datetime) -> None:
    """Attempts by the generated people: most of a past exam, a few of a current one."""
    if exam.opens_at >= now:
        return
    people = [person for person, _unit in db.session.execute(members(exam.id).order_by(Person.staff_no))]
    for person in people:
        db.session.refresh(exam)  # the saves commit: one load per person, not one per attribute read
        rng = random.Random(f"{exam.title}/{person.staff_no}")  # noqa: S311 - demo data, not secrets
        if person.staff_no in LOGINS and exam.closes_at > now:
            continue
        if exam.closes_at <= now:
            if rng.random() < 0.12:
                continue  # did not take it
            days = (exam.closes_at - exam.opens_at).days
            started = exam.opens_at + timedelta(days=rng.randrange(days), hours=rng.randrange(1, 9))
            _take(exam, person, rng, started, minutes=rng.randrange(18, 58), timeout=rng.random() < 0.06)
        elif plan.kind == ExamKind.PRACTICE:
            first = now - timedelta(days=rng.randrange(2, 25), hours=rng.randrange(1, 9))
            for run in range(rng.choice((0, 0, 1, 2))):
                started = first + timedelta(hours=run)
                _take(exam, person, rng, started, minutes=rng.randrange(6, 18))
        else:
            draw = rng.random()
            if draw < 0.25:  # finished earlier in the window
                hours = max(int((now - exam.opens_at).total_seconds() // 3600) - 2, 1)
                started = exam.opens_at + timedelta(hours=rng.randrange(hours), minutes=rng.randrange(60))
                _take(exam, person, rng, started, minutes=rng.randrange(20, 55))
            elif draw < 0.45:  # sitting it now: the live view shows them
                started = now - timedelta(minutes=rng.randrange(5, 40))
                elapsed = int((now - started).total_seconds() // 60)
                _take(exam, person, rng, started, minutes=elapsed, finish=False)


def _mark_some(exam: Exam, author: Person, now: datetime) -> None:
    """The author marks every essay of the first third of the attempts awaiting a marker (a day before
    loading), through the grading services; the rest stay in the queue (阅卷) for the demo user."""
    at = now - timedelta(days=1)
    grader = grader_for(viewer_for(author.id, author.roles), exam.id, now=at)
    waiting = db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.pending_manual)
                                 .order_by(Attempt.id)).all()
    rng = random.Random(f"{exam.title}/marking")  # noqa: S311 - demo data, not secrets
    for attempt_id in waiting[: len(waiting) // 3]:
        items = db.session.execute(select(AttemptItem.id, AttemptItem.points).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.status == "pending").order_by(AttemptItem.slot)).all()
        for item_id, points in items:
            claim(grader, item_id, now=at)
            score = units_to_points(rng.randrange(points // 4, points + 1, 50))
            save_mark(grader, item_id, score, rng.choice(MARKER_COMMENTS), now=at)


def _take(exam: Exam, person: Person, rng: random.Random, started: datetime, *, minutes: int,
          timeout: bool = False, finish: bool = True) -> None:
    """Start, answer (each answer saved through the service) and submit one attempt."""
    person_id, duration = person.id, exam.duration_minutes  # plain values: each save commits (and expires)
    attempt, _created = attempts.start(exam.id, person_id, now=started, seed=rng.randrange(2**62))
    attempt_id, deadline = attempt.id, attempt.deadline
    ability = 0.45 + 0.5 * rng.random()
    items = db.session.execute(
        select(AttemptItem.slot, AttemptItem.option_order, version_text)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)).all()
    answered = items if finish else items[: max(1, len(items) * minutes // duration)]
    for index, (slot, order, text) in enumerate(answered):
        if rng.random() < 0.04:
            continue  # left blank
        response = response_for(question_of(text), rng.random() < ability, rng)
        at = started + timedelta(seconds=30 + index * minutes * 60 // max(len(items), 1))
        attempts.save_answer(attempt_id, person_id, slot, 1, to_display_letters(response, order), now=at)
        if rng.random() < 0.01:  # left the page for a while (切屏): the live view and the timeline show it
            attempts.record_events(attempt_id, person_id, [{"type": "hidden"}], now=at + timedelta(seconds=5))
            attempts.record_events(attempt_id, person_id, [{"type": "visible"}], now=at + timedelta(seconds=40))
    if timeout:
        attempts.submit(attempt_id, person_id, now=deadline + timedelta(seconds=1))
    elif finish:
        attempts.submit(attempt_id, person_id, now=started + timedelta(minutes=minutes))


def _practise(exam_id: int, category_id: int, now: datetime) -> None:
    """Generated practice of the workforce's bank by the practice exam's audience (seeded per person)."""
    people = [(person.id, person.staff_no) for person, _unit in
              db.session.execute(members(exam_id).order_by(Person.staff_no))]
    for person_id, staff_no in people:
        rng = random.Random(f"practice/{staff_no}")  # noqa: S311 - demo data, not secrets
        runs = 2 if staff_no in LOGINS else int(rng.random() < 0.15)
        for run in range(runs):
            started = now - timedelta(days=4 - 2 * run, hours=rng.randrange(1, 8))
            attempt = practice.start_practice(person_id, PracticeSourceKind.CATEGORY, category_id, 10, False,
                                              now=started, seed=rng.randrange(2**62))
            attempt_id = attempt.id
            items = db.session.execute(
                select(AttemptItem.slot, AttemptItem.option_order, version_text)
                .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)).all()
            for index, (slot, order, text) in enumerate(items):
                at = started + timedelta(seconds=40 * (index + 1))
                response = response_for(question_of(text), rng.random() < 0.7, rng)
                attempts.save_answer(attempt_id, person_id, slot, 1, to_display_letters(response, order), now=at)
                if rng.random() < 0.5:
                    checks.check_slot(attempt_id, person_id, slot, now=at + timedelta(seconds=5))
            attempts.submit(attempt_id, person_id, now=started + timedelta(minutes=10))


def response_for(question, right: bool, rng: random.Random) -> object:
    """The question's correct response, or a plausible wrong one, in the question's own keys."""
    correct = question.correct_response()
    code = question.code
    if code == "essay":
        return rng.choice(ESSAY_ANSWERS)
    if right:
        return list(correct) if isinstance(correct, tuple) else correct
    if code == "truefalse":
        return not correct
    if code == "single":
        return rng.choice([option.key for option in question.options if option.key != correct])
    if code == "multiple":
        keys = [option.key for option in question.options]
        wrong = [key for key in keys if key not in correct]
        chosen = list(correct[:-1]) if len(correct) > 1 and (not wrong or rng.random() < 0.5) \
            else list(correct) + [rng.choice(wrong)]
        return sorted(chosen)
    if code == "fill":
        return [correct[0]] + ["不清楚"] * (len(correct) - 1) if len(correct) > 1 else ["不清楚"]
    return None
