"""Creating and changing exams: the settings, the audience, publishing and withdrawing.

Once anyone has started an exam, what makes its paper or its scoring (the blueprint, the shuffles,
the multiple-choice policy, the pass mark, which attempt counts, the kind) may not change: such an
edit is refused with the reason, and nothing changes. Other settings may change (the title, a later
close, the review policy…), audited. Before the first attempt a published exam whose paper changed
is republished at once (a new version, its dry run must pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from app import clock
from app.audit import record
from app.auth.passwords import hash_password
from app.errors import Conflict, DomainError
from app.exams import publishing
from app.exams.access import (
    Viewer,
    blueprint_to_change,
    exam_to_change,
    owner_scope,
    owner_unit_for,
)
from app.exams.audience_rows import audience_rows, replace_audience
from app.extensions import db
from app.models import Blueprint, Exam
from app.models.exams import (
    BUILT_KINDS,
    CountingRule,
    ExamKind,
    ExamStatus,
    MultiPolicy,
    ReviewTiming,
)

# What makes the paper or its scoring, with the name a person reads.
PAPER_FIELDS = {"blueprint_id": "组卷规则", "shuffle_questions": "题目乱序", "shuffle_options": "选项乱序",
                "multi_policy": "多选题评分", "pass_percent": "及格线", "counting": "计分方式", "kind": "考试类型"}
REFREEZE = ("blueprint_id", "shuffle_questions", "shuffle_options")  # read from the frozen pools


class InvalidExam(DomainError):
    """The exam form has problems: one Chinese sentence each in `problems`."""

    def __init__(self, problems: list[str]):
        super().__init__("考试设置有误：" + "；".join(problems), problems=problems)
        self.problems = problems


@dataclass(frozen=True)
class ExamData:
    """The exam form's values; times are local wall-clock times as typed."""

    title: str
    blueprint_id: int | None
    opens_local: datetime | None
    closes_local: datetime | None
    duration_minutes: int | None
    kind: str = ExamKind.FORMAL
    attempts_allowed: int | None = 1
    counting: str = CountingRule.HIGHEST
    pass_percent: int | None = 60
    multi_policy: str = MultiPolicy.ALL_OR_NOTHING
    shuffle_questions: bool = True
    shuffle_options: bool = True
    one_per_page: bool = False
    review_timing: str = ReviewTiming.ON_SUBMIT
    review_score: bool = True
    review_correctness: bool = True
    review_answers: bool = False
    review_explanations: bool = False
    switch_limit: int | None = None
    password: str = ""  # empty: keep the current one
    clear_password: bool = False
    unit_ids: list[int] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)
    staff_nos: list[str] = field(default_factory=list)
    owner_unit_id: int | None = None  # only when creating (0: global; None: the author's first unit)


def _between(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _settings(viewer: Viewer, data: ExamData, problems: list[str], kept_blueprint: int | None = None) -> dict:
    """The exam's column values from the form; `kept_blueprint` (the exam's own) needs no access check."""
    say = problems.append
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        say("请填写考试名称（不超过 200 个字）")
    try:
        blueprint = db.session.get(Blueprint, kept_blueprint) if kept_blueprint is not None and \
            data.blueprint_id == kept_blueprint else blueprint_to_change(viewer, data.blueprint_id)
        if not blueprint.rules:
            say("所选组卷规则还没有规则")
    except DomainError:
        say("请选择组卷规则")
    times = data.opens_local is not None and data.closes_local is not None
    if not times:
        say("请填写开始和结束时间")
    elif problem := clock.typed_date_problem(data.opens_local, "开始时间") or \
            clock.typed_date_problem(data.closes_local, "结束时间"):
        say(problem)
        times = False
    elif data.closes_local <= data.opens_local:
        say("结束时间应晚于开始时间")
    checks = ((data.duration_minutes, 1, 1440, "考试时长应为 1 到 1440 分钟"),
              (data.attempts_allowed, 1, 20, "作答次数应为 1 到 20 次"),
              (data.pass_percent, 0, 100, "及格线应为 0 到 100 之间的整数（百分比）"))
    problems += [message for value, low, high, message in checks if not _between(value, low, high)]
    if data.switch_limit is not None and not _between(data.switch_limit, 0, 100):
        say("切屏次数上限应为 0 到 100 的整数，不限制请留空")
    for value, enum, message in ((data.kind, ExamKind, "请选择考试类型"), (data.counting, CountingRule, "请选择计分方式"),
                                 (data.multi_policy, MultiPolicy, "请选择多选题评分方式"),
                                 (data.review_timing, ReviewTiming, "请选择公布成绩的时间")):
        if value not in enum.labels() or (enum is ExamKind and value not in BUILT_KINDS):
            say(message)
    if len(data.password or "") > 100:
        say("考试密码不超过 100 个字符")
    values = {f.name: getattr(data, f.name) for f in fields(ExamData)
              if f.name in {"kind", "blueprint_id", "duration_minutes", "attempts_allowed", "counting", "pass_percent",
                            "multi_policy", "shuffle_questions", "shuffle_options", "one_per_page", "review_timing",
                            "review_score", "review_correctness", "review_answers", "review_explanations",
                            "switch_limit"}}
    values["title"] = title
    if times:
        values |= {"opens_at": clock.to_utc(data.opens_local), "closes_at": clock.to_utc(data.closes_local)}
    return values


def _password(exam: Exam, data: ExamData) -> bool:
    """Set or clear the exam password as asked; True when it changed."""
    if data.clear_password and exam.password_hash:
        exam.password_hash = ""
        return True
    if data.password and not data.clear_password:
        exam.password_hash = hash_password(data.password)
        return True
    return False


def _audited(values: dict) -> dict:
    return {k: (clock.format_local_dt(v) if isinstance(v, datetime) else v) for k, v in values.items()}


def create_exam(viewer: Viewer, data: ExamData) -> Exam:
    """Create a draft exam owned by the author's chosen scope unit."""
    owner = owner_unit_for(viewer, data.owner_unit_id)
    problems: list[str] = []
    values = _settings(viewer, data, problems)
    rows = audience_rows(owner_scope(owner), owner, data.unit_ids, data.post_ids, data.staff_nos, problems)
    if problems:
        raise InvalidExam(problems)
    exam = Exam(**values, owner_unit_id=owner, created_by_id=viewer.person_id, status=ExamStatus.DRAFT)
    _password(exam, data)
    db.session.add(exam)
    replace_audience(exam, rows)
    record("exam_create", exam, actor_id=viewer.person_id, **_audited(values), audience=len(rows),
           password=bool(exam.password_hash))
    db.session.commit()
    return exam


def update_exam(viewer: Viewer, exam_id: int, data: ExamData, *, now: datetime) -> tuple[Exam, bool]:
    """Change an exam's settings and audience; (exam, republished)."""
    exam = exam_to_change(viewer, exam_id)
    problems: list[str] = []
    values = _settings(viewer, data, problems, kept_blueprint=exam.blueprint_id)
    rows = audience_rows(owner_scope(exam.owner_unit_id), exam.owner_unit_id, data.unit_ids, data.post_ids,
                         data.staff_nos, problems)
    if problems:
        raise InvalidExam(problems)
    changed = {name: value for name, value in values.items() if getattr(exam, name) != value}
    if publishing.has_attempts(exam.id):
        _refuse_after_start(exam, changed)
    for name, value in changed.items():
        setattr(exam, name, value)
    if "blueprint_id" in changed:
        exam.blueprint = db.session.get(Blueprint, changed["blueprint_id"])  # the relationship follows now
    password_changed = _password(exam, data)
    audience_changed = replace_audience(exam, rows)
    republish = exam.status == ExamStatus.PUBLISHED and any(name in changed for name in REFREEZE)
    if changed or password_changed or audience_changed:
        record("exam_update", exam, actor_id=viewer.person_id, **_audited(changed),
               password_changed=password_changed or None, audience=len(rows) if audience_changed else None)
    if republish:
        try:
            publishing.freeze_and_publish(exam, actor_id=viewer.person_id, now=now)
        except DomainError:
            db.session.rollback()
            raise
    db.session.commit()
    return exam, republish


def _refuse_after_start(exam: Exam, changed: dict) -> None:
    frozen = [label for name, label in PAPER_FIELDS.items() if name in changed]
    if frozen:
        raise Conflict(f"已有人开始作答，不能再修改{'、'.join(frozen)}（会改变试卷或评分）。"
                       "如需修改，请新建一场考试。")
    if "opens_at" in changed:
        raise Conflict("已有人开始作答，不能再修改开始时间。")
    if "closes_at" in changed and changed["closes_at"] < exam.closes_at:
        raise Conflict("已有人开始作答，结束时间只能推迟，不能提前。")


def publish_exam(viewer: Viewer, exam_id: int, *, now: datetime) -> Exam:
    """Publish (dry run first), republish with the bank as it is now, or reopen a withdrawn exam."""
    exam = exam_to_change(viewer, exam_id)
    if not exam.audience:
        raise DomainError("请先在考试设置中选择考试对象，再发布。")
    if exam.status == ExamStatus.WITHDRAWN and publishing.has_attempts(exam.id):
        exam.status = ExamStatus.PUBLISHED  # its frozen pools stand: nothing of the paper changed since
        record("exam_reopen", exam, actor_id=viewer.person_id, version=exam.version)
        db.session.commit()
        return exam
    return publishing.publish(exam.id, actor_id=viewer.person_id, now=now)


def withdraw_exam(viewer: Viewer, exam_id: int, *, now: datetime) -> Exam:
    """Take a published exam back: nobody can start it any more.

    An exam that is over (its window and every person's later close have passed) and was sat stays:
    withdrawing it would take the results off its trainees' 我的考试.
    """
    exam = exam_to_change(viewer, exam_id)
    if exam.status != ExamStatus.PUBLISHED:
        raise Conflict("只有已发布的考试可以撤回。")
    if publishing.is_over(exam, now) and publishing.has_attempts(exam.id):
        raise Conflict("考试已经结束，撤回后考生将看不到自己的成绩，因此不能撤回。")
    exam.status = ExamStatus.WITHDRAWN
    record("exam_withdraw", exam, actor_id=viewer.person_id, version=exam.version)
    db.session.commit()
    return exam

