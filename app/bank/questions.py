"""Questions and their immutable versions: create, edit, look up, duplicates, competencies."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select

from app.audit import record
from app.auth.scope import Scope
from app.bank.categories import get_category, may_edit, names_of
from app.bank.storing import replace_tags, row_values
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import Competency, Question, QuestionCategory, QuestionVersion
from question_bank import Question as BankQuestion
from question_bank import QuestionBankError, question_from_dict


class DuplicateWarning(Conflict):
    """The question's fingerprint matches one already in the owner's bank."""

    def __init__(self, message: str, existing_id: int):
        super().__init__(message)
        self.existing_id = existing_id


def parse_question(data: dict) -> BankQuestion:
    """Build an engine question from a dict, raising DomainError with the engine's message."""
    try:
        return question_from_dict(data)
    except QuestionBankError as error:
        raise DomainError(error.message) from None


def competencies_by_code(codes: Iterable[str], *, keep: Iterable[str] = ()) -> dict[str, Competency]:
    """Return the Competency rows for the codes that are in force; a competency removed from the
    content still counts where it is in `keep` (what the question cited already)."""
    codes = set(codes)
    if not codes:
        return {}
    usable = or_(Competency.active, Competency.code.in_(set(keep))) if keep else Competency.active
    return {c.code: c for c in db.session.scalars(select(Competency).where(Competency.code.in_(codes), usable))}


def unknown_codes_message(codes: Iterable[str]) -> str:
    return "知识点编码不存在或已停用：" + "、".join(sorted(codes)) + "（请先在课程内容中定义能力项）"


def owner_fingerprints(owner_unit_id: int | None, fingerprints: Iterable[str]) -> dict[str, int]:
    """Return {fingerprint: question id} for questions with these fingerprints in the owner's bank."""
    fingerprints = list(set(fingerprints))
    found: dict[str, int] = {}
    owner = (QuestionCategory.owner_unit_id.is_(None) if owner_unit_id is None
             else QuestionCategory.owner_unit_id == owner_unit_id)
    for start in range(0, len(fingerprints), 500):
        query = (select(Question.fingerprint, Question.id).join(QuestionCategory)
                 .where(owner, Question.fingerprint.in_(fingerprints[start:start + 500])))
        found.update(db.session.execute(query).all())
    return found


def fill_fields(question: Question, q: BankQuestion, category: QuestionCategory,
                competencies: dict[str, Competency], category_names: tuple[str, ...]) -> dict:
    """Copy the engine question into the row's denormalised fields; return the stored dict."""
    data = q.to_dict() | {"category": list(category_names)}
    for name, value in row_values(data, q.fingerprint()).items():
        setattr(question, name, value)
    question.category = category
    question.competencies = [competencies[code] for code in q.competencies if code in competencies]
    replace_tags(question, data)
    return data


def check_for_save(q: BankQuestion, category: QuestionCategory, *, question_id: int | None,
                   allow_duplicate: bool, cited: Iterable[str] = ()) -> dict[str, Competency]:
    """Check competencies (in force, or `cited` already), external id and duplicates before a save."""
    found = competencies_by_code(q.competencies, keep=cited)
    unknown = set(q.competencies) - set(found)
    if unknown:
        raise DomainError(unknown_codes_message(unknown))
    if q.external_id:
        other = db.session.scalar(select(Question.id).where(Question.external_id == q.external_id))
        if other is not None and other != question_id:
            raise Conflict(f"编号“{q.external_id}”已被试题 #{other} 使用。")
    if not allow_duplicate:
        existing = owner_fingerprints(category.owner_unit_id, [q.fingerprint()]).get(q.fingerprint())
        if existing is not None and existing != question_id:
            raise DuplicateWarning(f"题库中已有内容相同的试题 #{existing}。如确需保存，请勾选“仍然保存”。", existing)
    return found


def create_question(actor_id: int, scope: Scope, category_id: int, data: dict, *,
                    allow_duplicate: bool = False, status: str = "draft") -> Question:
    """Create a question (version 1) in a category in scope."""
    category = get_category(scope, category_id)
    q = parse_question(data)
    found = check_for_save(q, category, question_id=None, allow_duplicate=allow_duplicate)
    question = Question(status=status, created_by_id=actor_id, current_number=1)
    stored = fill_fields(question, q, category, found, names_of(category))
    question.versions = [QuestionVersion(number=1, data=stored, note="新建", created_by_id=actor_id)]
    db.session.add(question)
    record("bank_question_create", question, actor_id=actor_id, category_id=category.id, qtype=q.code)
    db.session.commit()
    return question


def get_question(scope: Scope, question_id: int | None) -> Question:
    """Return a question whose category lies in the scope, else raise NotFound."""
    question = db.session.get(Question, question_id) if question_id else None
    if question is None or not may_edit(scope, question.category):
        raise NotFound("试题不存在或不在您的管理范围内。")
    return question


def add_version(question: Question, q: BankQuestion, category: QuestionCategory,
                competencies: dict[str, Competency], *, actor_id: int | None, note: str) -> QuestionVersion:
    """Append a new version with the engine question's content and update the row (no commit)."""
    number = question.current_number + 1
    stored = fill_fields(question, q, category, competencies, names_of(category))
    version = QuestionVersion(question=question, number=number, data=stored, note=note[:300],
                              created_by_id=actor_id)
    question.current_number = number
    db.session.add(version)
    return version


def update_question(actor_id: int, scope: Scope, question_id: int, data: dict, *, note: str = "",
                    category_id: int | None = None, allow_duplicate: bool = False) -> Question:
    """Save an edit as a new version; earlier versions stay as they were."""
    question = get_question(scope, question_id)
    category = get_category(scope, category_id) if category_id else question.category
    q = parse_question(data)
    if q.code != question.qtype:
        raise DomainError("不能修改已有试题的题型；请新建试题。")
    found = check_for_save(q, category, question_id=question.id, allow_duplicate=allow_duplicate,
                           cited=question.data.get("competencies", []))
    version = add_version(question, q, category, found, actor_id=actor_id, note=note or "修改")
    record("bank_question_edit", question, actor_id=actor_id, version=version.number)
    db.session.commit()
    return question


def versions(scope: Scope, question_id: int) -> tuple[Question, list[QuestionVersion]]:
    """Return a question in scope with its versions, newest first."""
    question = get_question(scope, question_id)
    return question, sorted(question.versions, key=lambda v: v.number, reverse=True)


def usable():
    """Return the SQL condition of a question usable in quizzes and exams: ready, not awaiting review."""
    return and_(Question.status == "ready", Question.needs_review.is_(False))


def usable_questions_query(category_ids: Iterable[int] | None = None):
    """Return a select of questions usable in exams (see `usable`)."""
    query = select(Question).where(usable())
    if category_ids is not None:
        query = query.where(Question.category_id.in_(list(category_ids)))
    return query
