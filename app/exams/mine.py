"""The trainee's exam pages: 我的考试, the shell of the exam page, and the result page.

Built on `views` (the same summaries and results the JSON API gives), with what a page needs on
top: the times as datetimes for `|local_dt`, the exams grouped, and, for each finished attempt,
what the review policy shows now or when it will.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from app.codes import LabeledStrEnum
from app.exams import attempts as taking
from app.exams import my_results, views
from app.extensions import db
from app.models import Attempt, Exam, Person, PracticeSource
from app.models.exams import AttemptState, ReviewTiming


class MyExamStatus(LabeledStrEnum):
    """An exam as the trainee stands towards it (the `status` of the API's Exam summary)."""

    UPCOMING = "upcoming", "未开始"
    OPEN = "open", "可参加"
    IN_PROGRESS = "in_progress", "作答中"
    FINISHED = "finished", "已完成"
    CLOSED = "closed", "已截止"


SUBMITTED_BY = {
    "trainee": "本人交卷",
    "timeout": "时间到，系统自动交卷",
    "sweep": "时间到，系统自动交卷",
    "switches": "切屏次数超过限制，系统自动交卷",
    "proctor": "监考人员收卷",
}


@dataclass(frozen=True)
class Outcome:
    """A finished attempt and what its review policy shows now (`result` is the API's Result)."""

    attempt: Attempt
    result: dict | None
    release_at: datetime | None  # results come after the window closes, at this time

    @property
    def submitted_by_label(self) -> str:
        return SUBMITTED_BY.get(self.attempt.submitted_by, "已交卷")


@dataclass(frozen=True)
class MyExam:
    exam: Exam
    status: MyExamStatus
    closes_at: datetime  # the person's close (a later close by override included)
    attempts_allowed: int
    attempts_used: int
    current_attempt_id: int | None
    requires_password: bool
    outcomes: list[Outcome]

    @property
    def attempts_left(self) -> int:
        return max(0, self.attempts_allowed - self.attempts_used)


GROUPS = (("available", "可以参加的考试", (MyExamStatus.IN_PROGRESS, MyExamStatus.OPEN)),
          ("upcoming", "即将开始的考试", (MyExamStatus.UPCOMING,)),
          ("past", "已完成和已截止的考试", (MyExamStatus.FINISHED, MyExamStatus.CLOSED)))


def my_exams(person_id: int, *, now: datetime) -> list[tuple[str, str, list[MyExam]]]:
    """The person's exams in groups (key, heading, exams): available, upcoming, past."""
    person = db.session.get(Person, person_id)
    items = [_my_exam(one, now=now) for one in views.person_exams(person)]
    groups = []
    for key, heading, statuses in GROUPS:
        found = [item for item in items if item.status in statuses]
        if key == "past":
            found.sort(key=lambda item: item.closes_at, reverse=True)
        else:
            found.sort(key=lambda item: (item.status != MyExamStatus.IN_PROGRESS, item.exam.opens_at
                                         if key == "upcoming" else item.closes_at))
        groups.append((key, heading, found))
    return groups


def _my_exam(one: views.PersonExam, *, now: datetime) -> MyExam:
    exam, attempts = one.exam, one.attempts
    summary = views.exam_summary(exam, attempts, one.override, now=now)
    close = taking.closes_at(exam, one.override)
    current = next((a.id for a in attempts if a.state == AttemptState.IN_PROGRESS and now <= a.deadline), None)
    return MyExam(exam=exam, status=MyExamStatus(summary["status"]), closes_at=close,
                  attempts_allowed=summary["attempts_allowed"], attempts_used=summary["attempts_used"],
                  current_attempt_id=current, requires_password=summary["requires_password"],
                  outcomes=[_outcome(exam, a, close, now=now) for a in attempts
                            if a.state == AttemptState.FINISHED])


def _outcome(exam: Exam, attempt: Attempt, close: datetime, *, now: datetime) -> Outcome:
    flags = views.review_flags(exam, attempt, now=now, close=close)
    result = None
    if flags is not None and flags["score"]:
        result = {"score": (attempt.score or 0) / 100, "max_score": attempt.max_score / 100,
                  "passed": attempt.passed, "pending_manual": attempt.pending_manual}
    elif flags is not None:
        result = {"pending_manual": attempt.pending_manual}
    return Outcome(attempt=attempt, result=result, release_at=_release_at(exam, close, flags, now=now))


def _release_at(exam: Exam, close: datetime, flags: dict | None, *, now: datetime) -> datetime | None:
    shows_something = any((exam.review_score, exam.review_correctness, exam.review_answers,
                           exam.review_explanations))
    if flags is None and shows_something and exam.review_timing == ReviewTiming.AFTER_CLOSE and now < close:
        return close
    return None


@dataclass(frozen=True)
class Shell:
    """What the exam page's HTML carries: the attempt, its exam, the deadline and the server's time."""

    attempt: Attempt
    exam: Exam
    deadline: str  # ISO 8601 with offset, as the API gives it
    server_time: str
    untimed: bool = False  # a generated practice the trainee chose not to time (no countdown shown)


def attempt_page(attempt_id: int, person_id: int, *, now: datetime) -> Shell:
    """The owner's attempt and its exam, for the exam page's shell; 404 for anyone else."""
    attempt = taking.own_attempt(attempt_id, person_id)
    exam = db.session.get(Exam, attempt.exam_id)
    untimed = exam.hidden and db.session.scalar(
        select(PracticeSource.timed).where(PracticeSource.exam_id == exam.id)) is False
    return Shell(attempt=attempt, exam=exam, deadline=views.iso(attempt.deadline), server_time=views.iso(now),
                 untimed=untimed)


@dataclass(frozen=True)
class ResultPage:
    attempt: Attempt
    exam: Exam
    outcome: Outcome
    questions: list[dict]  # only when the policy shows per-question results: slot + answer + result
    sections: list = field(default_factory=list)  # my_results.sections_for: only with the score shown
    history: list = field(default_factory=list)  # my_results.history: the person's attempts at the exam


def result_page(attempt_id: int, person_id: int, *, now: datetime) -> ResultPage:
    """What the owner may see of an attempt now (closing it first if its time ran out; commits then)."""
    taking.own_attempt(attempt_id, person_id)
    attempt = taking.close_if_overdue(attempt_id, now=now)
    exam = db.session.get(Exam, attempt.exam_id)
    view = views.attempt_view(attempt, now=now)
    close = taking.closes_at(exam, taking.override_for(exam.id, person_id))
    flags = views.review_flags(exam, attempt, now=now)
    outcome = Outcome(attempt=attempt, result=view["result"], release_at=_release_at(exam, close, flags, now=now))
    per_question = {entry["slot"]: entry for entry in (view["result"] or {}).get("questions", ())}
    questions = [_reviewed(slot, view["answers"].get(str(slot["slot"]), {}).get("response"), per_question[slot["slot"]])
                 for slot in view["questions"] if slot["slot"] in per_question]
    return ResultPage(attempt=attempt, exam=exam, outcome=outcome, questions=questions,
                      sections=my_results.sections_for(exam, attempt, now=now),
                      history=my_results.history(exam, attempt, close, now=now))


def _reviewed(slot: dict, response: object, result: dict) -> dict:
    # stem_html and text_html come from app.rendering.render_markdown (nh3-sanitised) via views.
    chosen = set(response) if isinstance(response, list) else {response}
    correct = result.get("correct_response")
    right = set(correct) if isinstance(correct, list) else {correct}
    return {"slot": slot["slot"], "section": slot["section"], "points": slot["points"],
            "stem_html": Markup(slot["stem_html"]),  # noqa: S704 - sanitised by render_markdown
            "options": [{"key": o["key"], "text_html": Markup(o["text_html"]),  # noqa: S704 - sanitised
                         "chosen": o["key"] in chosen, "correct": "correct_response" in result and o["key"] in right}
                        for o in slot.get("options", ())],
            "answer": shown(response), "correct_answer": shown(correct) if "correct_response" in result else None,
            "result": result | ({"explanation_html": Markup(result["explanation_html"])}  # noqa: S704 - sanitised
                                if "explanation_html" in result else {})}


def shown(response: object) -> str:
    """A response as words, by its shape: text, 对/错, or the items of a list (letters or blanks)."""
    if response is None or response == "" or response == []:
        return ""
    if isinstance(response, bool):
        return "对" if response else "错"
    if isinstance(response, list):
        return "；".join(str(item) if item not in (None, "") else "（空）" for item in response)
    return str(response)
