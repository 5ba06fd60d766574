"""Online exams: blueprints (组卷规则), exams with their audience and overrides, attempts.

An attempt stores its paper at start — the question *version* of every slot and its option order,
drawn from a seed kept with the attempt — so a reload, a second tab, a regrade or a printout shows
and grades the same paper, whatever happens to the bank afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.bank import QuestionVersion


class ExamKind(LabeledStrEnum):
    FORMAL = "formal", "正式考试"
    PRACTICE = "practice", "练习"
    DIAGNOSTIC = "diagnostic", "摸底测试"  # a trainee's adaptive diagnostic (exams/diagnostic.py), always hidden


BUILT_KINDS = (ExamKind.FORMAL, ExamKind.PRACTICE)  # the kinds an author may choose on the exam form


class ExamStatus(LabeledStrEnum):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class CountingRule(LabeledStrEnum):
    """Which attempt's score counts when several are allowed."""

    HIGHEST = "highest", "取最高分"
    LATEST = "latest", "取最后一次"


class MultiPolicy(LabeledStrEnum):
    """How a multiple-choice answer earns points (question_bank.scoring's policies)."""

    ALL_OR_NOTHING = "all_or_nothing", "全部选对才得分"
    PARTIAL = "partial", "漏选得部分分，错选不得分"
    WEIGHTED = "weighted", "按选项权重计分"


class ReviewTiming(LabeledStrEnum):
    """When a trainee may see what the review policy shows."""

    ON_SUBMIT = "on_submit", "交卷后立即"
    AFTER_CLOSE = "after_close", "考试结束后"
    NEVER = "never", "不公布"


class SourceKind(LabeledStrEnum):
    CATEGORY = "category", "分类"
    COMPETENCY = "competency", "知识点"
    TAG = "tag", "标签"
    FIXED = "fixed", "指定题目"


class AttemptState(LabeledStrEnum):
    IN_PROGRESS = "in_progress", "作答中"
    FINISHED = "finished", "已交卷"
    ABANDONED = "abandoned", "已作废"


class Blueprint(db.Model):
    """A paper's recipe: rules in titled sections, or a fixed list of questions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())  # the paper of a hidden practice exam

    rules: Mapped[list[BlueprintRule]] = relationship(
        back_populates="blueprint", order_by="BlueprintRule.position", cascade="all, delete-orphan")


class BlueprintRule(db.Model):
    """One row of a blueprint: `count` questions of `qtype` from one source, `points` (units) each.

    Sources: a category (with its subcategories when `include_subcategories`), a competency, a
    tag, or a fixed list of question ids in order (`question_ids`). `difficulty_min/max` (1–5)
    narrow the pool when set.
    """

    __table_args__ = (UniqueConstraint("blueprint_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprint.id", ondelete="CASCADE"))
    position: Mapped[int]
    section: Mapped[str] = mapped_column(String(100))
    source_kind: Mapped[str] = mapped_column(String(12))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("question_category.id"))
    include_subcategories: Mapped[bool] = mapped_column(default=True)
    competency_id: Mapped[int | None] = mapped_column(ForeignKey("competency.id"))
    tag: Mapped[str] = mapped_column(String(100), default="")
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    qtype: Mapped[str] = mapped_column(String(20))
    difficulty_min: Mapped[int | None]
    difficulty_max: Mapped[int | None]
    count: Mapped[int]
    points: Mapped[int]  # units per question (1 point = 100)

    blueprint: Mapped[Blueprint] = relationship(back_populates="rules")


class Exam(db.Model):
    """An exam: a blueprint, a window, the rules of taking it and who may take it.

    `version` grows when an edit changes the paper or the scoring before anyone has started;
    once an attempt exists such edits are refused (see exams/editing.py). A `hidden` exam is a
    practice generated for one trainee (exams/practice.py, its `PracticeSource`): it is in no
    exam list, result or analysis of the builders, nor in 我的考试.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default=ExamKind.FORMAL)
    status: Mapped[str] = mapped_column(String(10), default=ExamStatus.DRAFT, index=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprint.id"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    counting: Mapped[str] = mapped_column(String(10), default=CountingRule.HIGHEST)
    pass_percent: Mapped[int] = mapped_column(default=60)
    multi_policy: Mapped[str] = mapped_column(String(20), default=MultiPolicy.ALL_OR_NOTHING)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    one_per_page: Mapped[bool] = mapped_column(default=False)
    review_timing: Mapped[str] = mapped_column(String(12), default=ReviewTiming.ON_SUBMIT)
    review_score: Mapped[bool] = mapped_column(default=True)
    review_correctness: Mapped[bool] = mapped_column(default=True)
    review_answers: Mapped[bool] = mapped_column(default=False)
    review_explanations: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    switch_limit: Mapped[int | None]
    target_facility: Mapped[float | None]
    tolerance: Mapped[float] = mapped_column(default=0.05)
    grace_seconds: Mapped[int] = mapped_column(default=60)
    pool_key: Mapped[str] = mapped_column(String(32), default="")  # names the frozen pool (exams/pools.py)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    blueprint: Mapped[Blueprint] = relationship()
    audience: Mapped[list[ExamAudience]] = relationship(cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return ExamKind.label_of(self.kind)

    @property
    def status_label(self) -> str:
        return ExamStatus.label_of(self.status)

    @property
    def counting_label(self) -> str:
        return CountingRule.label_of(self.counting)

    @property
    def multi_policy_label(self) -> str:
        return MultiPolicy.label_of(self.multi_policy)

    @property
    def review_timing_label(self) -> str:
        return ReviewTiming.label_of(self.review_timing)


class ExamPoolEntry(db.Model):
    """A usable question of one blueprint rule, frozen when the exam is published.

    Every paper of the exam is drawn from these rows, so all trainees draw from the same pool and a
    start needs no search of the bank; republishing (allowed before the first attempt) rewrites them.
    """

    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[int] = mapped_column(primary_key=True)  # the rule's 1-based position
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    facility: Mapped[float]
    option_keys: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)  # order within a fixed rule


class ExamAudience(db.Model):
    """Who may take an exam: a unit with its subtree, a post, or a named person (one per row)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class ExamOverride(db.Model):
    """A per-person exception (Moodle's user override): more time, a later close, more attempts."""

    __table_args__ = (UniqueConstraint("exam_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    closes_at: Mapped[datetime | None]
    extra_attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Attempt(db.Model):
    """One sitting of an exam by one person; the unique key makes starting idempotent."""

    __tablename__ = "exam_attempt"
    __table_args__ = (UniqueConstraint("exam_id", "person_id", "number"),
                      Index("ix_exam_attempt_state_deadline", "state", "deadline"))

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    exam_version: Mapped[int] = mapped_column(default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(12), default=AttemptState.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    deadline: Mapped[datetime]
    last_saved_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[str] = mapped_column(String(12), default="")  # trainee, timeout, sweep, switches, proctor
    expected_facility: Mapped[float] = mapped_column(default=0.0)
    score: Mapped[int | None]  # units; None until graded
    max_score: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool | None]
    pending_manual: Mapped[bool] = mapped_column(default=False)
    switches: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[bool] = mapped_column(default=False)
    # Its answers have entered the trainee's 错题本 (exams/wrong_book.py): applied once.
    wrong_book_applied: Mapped[bool] = mapped_column(default=False, server_default=false())

    exam: Mapped[Exam] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.slot", cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return AttemptState.label_of(self.state)


class AttemptItem(db.Model):
    """One slot of an attempt's paper: the version shown, its option order, the saved answer."""

    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    slot: Mapped[int]
    section: Mapped[str] = mapped_column(String(100))
    rule: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    points: Mapped[int]
    seq: Mapped[int] = mapped_column(default=0)
    response: Mapped[object | None] = mapped_column(JSON)  # in the question's own keys
    saved_at: Mapped[datetime | None]
    score: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="")  # the engine's score status once graded
    # Manual grading (exams/grading.py): who holds the answer now and until when (a claim), who
    # scored it last, when, and their comment.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    claimed_until: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    checked_at: Mapped[datetime | None]  # a practice's 核对: graded and shown; the answer is final

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()


class AttemptEvent(db.Model):
    """Integrity evidence during an attempt (page hidden, focus lost, paste…), with server time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    client_time: Mapped[str] = mapped_column(String(40), default="")
    server_time: Mapped[datetime] = mapped_column(default=clock.now)
    detail: Mapped[str] = mapped_column(Text, default="")
