"""One attempt as an instructor or admin reads it (答卷详情): the paper as graded, slot by slot
(the options in this attempt's order, the trainee's answer, the correct one, score and status),
the scores per section, and the integrity timeline (start, page events with the server's time,
saves, hand-in and how).

For whoever may change the exam, or a watching admin whose scope holds the person; 404 for anyone
else (a trainee too, even the attempt's owner: their page is the result page). A watching admin
who is also in the exam's audience reads no correct answers or explanations until it closes for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from app.errors import NotFound
from app.exams import attempts as taking
from app.exams.access import Viewer, exam_to_watch, may_change, people_scope
from app.exams.audience import in_audience
from app.exams.mine import SUBMITTED_BY, shown
from app.exams.questions import public_of, question_of, version_text
from app.exams.sections import SectionScore, section_scores
from app.extensions import db
from app.models import Attempt, AttemptEvent, AttemptItem, Exam, OrgUnit, Person, QuestionVersion
from app.models.exams import AttemptState
from app.rendering import render_markdown
from question_bank import units_to_points
from question_bank.assembly import OPTION_LETTERS, to_display_letters

NOT_FOUND = "答卷不存在或不在您的管理范围内。"
EVENTS = {"hidden": "离开考试页面（页面被隐藏）", "visible": "回到考试页面", "blur": "考试窗口失去焦点",
          "focus": "考试窗口重新获得焦点", "fullscreen_exit": "退出全屏", "paste": "在答题框中粘贴"}
LEAVING = ("hidden", "blur", "fullscreen_exit")
ITEM_STATUS = {"correct": "正确", "partial": "部分得分", "wrong": "错误", "pending": "待阅卷", "dropped": "不计分",
               "": "未评分"}


@dataclass(frozen=True)
class Option:
    letter: str
    text_html: Markup
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class GradedSlot:
    item_id: int
    slot: int
    section: str
    stem_html: Markup
    options: list[Option]
    answer: str  # the trainee's answer as words ("" when none)
    correct_answer: str | None  # None when not shown
    explanation_html: Markup | None
    score: str
    points: str
    status: str  # the engine's status code ("" before grading)

    @property
    def status_label(self) -> str:
        if self.status == "wrong" and not self.answer:
            return "未作答"
        return ITEM_STATUS.get(self.status, "未评分")


@dataclass(frozen=True)
class Moment:
    at: datetime
    what: str
    detail: str = ""
    warning: bool = False


@dataclass(frozen=True)
class AttemptDetail:
    attempt: Attempt
    exam: Exam
    person: Person
    unit: OrgUnit
    slots: list[GradedSlot]
    sections: list[SectionScore]
    timeline: list[Moment]
    answered: int  # slots with a saved answer
    last_saved: datetime | None
    reveal: bool  # correct answers and explanations shown

    @property
    def submitted_by_label(self) -> str:
        return SUBMITTED_BY.get(self.attempt.submitted_by, "")


_ITEMS = (select(AttemptItem.id, AttemptItem.slot, AttemptItem.section, AttemptItem.points, AttemptItem.option_order,
                 AttemptItem.seq, AttemptItem.response, AttemptItem.saved_at, AttemptItem.score,
                 AttemptItem.status, version_text.label("text"))
          .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id))


def attempt_to_read(viewer: Viewer, attempt_id: int) -> tuple[Attempt, Exam, Person]:
    """The attempt, its exam and person if the viewer may read it; NotFound otherwise."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound(NOT_FOUND)
    try:
        exam = exam_to_watch(viewer, attempt.exam_id)
    except NotFound:
        raise NotFound(NOT_FOUND) from None
    person = db.session.get(Person, attempt.person_id)
    if not may_change(viewer, exam) and not people_scope(viewer).covers(person.unit):
        raise NotFound(NOT_FOUND)
    return attempt, exam, person


def may_reveal(viewer: Viewer, exam: Exam, *, now: datetime) -> bool:
    """False for a watching admin while the exam is still open to them as one of its audience (whoever
    may change the exam sees its questions and answers in the sample paper and the bank anyway)."""
    if may_change(viewer, exam):
        return True
    me = db.session.get(Person, viewer.person_id)
    if me is None or not in_audience(exam, me):
        return True
    return now >= taking.closes_at(exam, taking.override_for(exam.id, me.id))


def _html(text: str) -> Markup:
    return render_markdown(text)


def _graded(item, reveal: bool) -> GradedSlot:
    public, question = public_of(item.text), question_of(item.text)
    given = to_display_letters(item.response, item.option_order)
    correct = question.correct_response()
    correct = to_display_letters(list(correct) if isinstance(correct, tuple) else correct, item.option_order)
    chosen = set(given) if isinstance(given, list) else {given}
    right = set(correct) if isinstance(correct, list) else {correct}
    texts = {option["key"]: option["text"] for option in public.get("options", ())}
    options = [Option(OPTION_LETTERS[i], _html(texts.get(key, "")), OPTION_LETTERS[i] in chosen,
                      reveal and OPTION_LETTERS[i] in right) for i, key in enumerate(item.option_order or ())]
    explanation = _html(question.explanation) if reveal and question.explanation else None
    return GradedSlot(item.id, item.slot, item.section, _html(public["stem"]), options, shown(given),
                      shown(correct) if reveal else None, explanation,
                      units_to_points(item.score or 0), units_to_points(item.points), item.status)


def _timeline(attempt: Attempt, events: list[AttemptEvent]) -> list[Moment]:
    moments = [Moment(attempt.started_at, "开始作答", f"第 {attempt.number} 次作答")]
    moments += [Moment(e.server_time, EVENTS.get(e.kind, e.kind), f"考生设备时间 {e.client_time}" if e.client_time else "",
                       warning=e.kind in LEAVING) for e in events]
    if attempt.submitted_at:
        moments.append(Moment(attempt.submitted_at, "交卷", SUBMITTED_BY.get(attempt.submitted_by, ""),
                              warning=attempt.submitted_by in ("switches", "proctor")))
    return sorted(moments, key=lambda m: m.at)


def attempt_detail(viewer: Viewer, attempt_id: int, *, now: datetime) -> AttemptDetail:
    """Everything the 答卷详情 page shows (a fixed number of statements whatever the paper's length)."""
    attempt, exam, person = attempt_to_read(viewer, attempt_id)
    reveal = may_reveal(viewer, exam, now=now)
    items = db.session.execute(_ITEMS.where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.slot)).all()
    events = list(db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id)
                                     .order_by(AttemptEvent.server_time, AttemptEvent.id)))
    last_saved = max((item.saved_at for item in items if item.saved_at), default=None)
    graded = attempt.state == AttemptState.FINISHED
    return AttemptDetail(attempt=attempt, exam=exam, person=person, unit=person.unit,
                         slots=[_graded(item, reveal) for item in items],
                         sections=section_scores(items) if graded else [], timeline=_timeline(attempt, events),
                         answered=sum(1 for item in items if item.seq), last_saved=last_saved, reveal=reveal)
