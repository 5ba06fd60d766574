"""The 错题本 page (`/exams/wrong-book`): the trainee's own entries, grouped by 知识点 and question type.

Only ever the signed-in person's entries (nobody reads another's book: there is no id in the URL).
Each entry is shown as the question pages show a graded answer (`templates/qtypes/_macros.html`
`graded_answer` with the type's adapter, `reveal`): the stem, their latest wrong answer, the correct
one and the explanation, in the question's own option letters. Newest wrong answers first,
`PER_PAGE` entries a page, grouped within the page. A fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.exams.wrong_book import UNANSWERED
from app.extensions import db
from app.models import Competency, WrongBookEntry, question_competency
from app.qtypes import adapter_for
from question_bank.registry import get_type

NO_COMPETENCY = "未关联知识点"
OPEN, MASTERED = "open", "mastered"
PER_PAGE = 20


@dataclass(frozen=True)
class BookItem:
    entry: WrongBookEntry
    adapter: object  # the type's web adapter (app/qtypes)
    data: dict  # the version's stored question dict
    given: list[str]  # the wrong answer as the adapter's form values
    score: SimpleNamespace  # status, earned, possible for `graded_answer`
    unanswered: bool


@dataclass(frozen=True)
class BookGroup:
    competency: str
    type_label: str
    items: list[BookItem]


def counts(person_id: int) -> dict[str, int]:
    """{open: entries still to learn, mastered: 已掌握} (one query)."""
    rows = db.session.execute(select(WrongBookEntry.mastered_at.is_(None), func.count())
                              .where(WrongBookEntry.person_id == person_id)
                              .group_by(WrongBookEntry.mastered_at.is_(None))).all()
    found = {bool(still_open): n for still_open, n in rows}
    return {OPEN: found.get(True, 0), MASTERED: found.get(False, 0)}


def _first_competencies(question_ids: list[int]) -> dict[int, Competency]:
    """Each question's first 知识点 (by the competencies' order)."""
    first: dict[int, Competency] = {}
    for question_id, competency in db.session.execute(
            select(question_competency.c.question_id, Competency)
            .join(Competency, Competency.id == question_competency.c.competency_id)
            .where(question_competency.c.question_id.in_(question_ids))
            .order_by(Competency.position, Competency.id)).all():
        first.setdefault(question_id, competency)
    return first


def book(person_id: int, tab: str, *, page: int = 1):
    """One page of the person's open (`tab` "open") or mastered entries: (groups by 知识点 then type,
    the pagination)."""
    query = (select(WrongBookEntry).where(WrongBookEntry.person_id == person_id)
             .options(selectinload(WrongBookEntry.version))
             .order_by(WrongBookEntry.last_wrong_at.desc(), WrongBookEntry.id.desc()))
    query = query.where(WrongBookEntry.mastered_at.is_not(None) if tab == MASTERED
                        else WrongBookEntry.mastered_at.is_(None))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    entries = list(pagination.items)
    competencies = _first_competencies([e.question_id for e in entries])
    groups: dict[tuple, list[BookItem]] = {}
    for entry in entries:
        data = entry.version.data
        adapter = adapter_for(data["type"])
        unanswered = entry.status == UNANSWERED
        score = SimpleNamespace(status="wrong" if unanswered else entry.status, earned=entry.earned,
                                possible=entry.possible)
        competency = competencies.get(entry.question_id)
        key = ((competency.position, competency.id, competency.name) if competency else (10**9, 0, NO_COMPETENCY),
               (get_type(data["type"]).order, adapter.label))
        groups.setdefault(key, []).append(BookItem(entry, adapter, data, adapter.form_values(entry.response),
                                                   score, unanswered))
    return [BookGroup(key[0][2], key[1][1] + "题", items) for key, items in sorted(groups.items())], pagination
