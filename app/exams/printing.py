"""Printing (打印): an exam's paper and its answer key for an offline sitting, and a finished attempt
for the person's file, as PDF (`app/pdf.py`).

A printed paper is drawn with the exam's own machinery (`question_bank.assembly.draw` over the
frozen pools of a published exam, or over the bank as it is now for a draft), from a seed fixed by
the exam, its version and pool, and the paper's letter: paper A is the same paper (and its key the
same key) every time it is printed, paper B another one. The copy number only goes on the copy.

Only whoever may change the exam prints its paper or key (a watching admin gets 404 like anyone
else: the key is the exam's answers). An attempt prints for whoever may read it on 答卷详情, with the
same correct answers shown or withheld. Every print is audited, the key under its own action
(`exam_print_key`): who printed which paper, or which attempt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template
from markupsafe import Markup

from app.audit import record
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.exams import pools
from app.exams.access import EXAM_NOT_FOUND, Viewer, exam_to_change
from app.exams.attempt_detail import attempt_detail
from app.exams.overview import paper_questions
from app.exams.publishing import BlueprintShort
from app.extensions import db
from app.formkit import as_id
from app.models import Exam, OrgUnit
from app.models.exams import AttemptState, ExamStatus
from app.pdf import html_to_pdf
from app.rendering import render_markdown
from app.trees import full_names
from question_bank import assembly, units_to_points

PAPERS = ("A", "B")
MAX_COPY = 9999
BAD_PAPER = "试卷只有 A 卷和 B 卷，请选择 A 或 B。"
BAD_NUMBER = f"份号应为 1 到 {MAX_COPY} 之间的整数。"
BAD_KEY = "请选择打印试卷或答案。"
NOT_FINISHED = "这份答卷还没有交卷，交卷后才能打印。"
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')
_BLANK = re.compile(r"_{3,}")
_TEXT = re.compile(r"(?<=>)[^<]+|^[^<]+")


@dataclass(frozen=True)
class PrintChoice:
    """Which paper to print: its letter, the copy number, and the key or the paper."""

    paper: str = "A"
    number: int = 1
    key: bool = False


@dataclass(frozen=True)
class PrintedFile:
    name: str  # the download's file name
    data: bytes


@dataclass
class PrintSection:
    name: str
    questions: list[dict] = field(default_factory=list)
    points: int = 0  # units

    @property
    def each(self) -> str | None:
        """The points of every question when they are all equal (每题 n 分)."""
        values = {q["points"] for q in self.questions}
        return units_to_points(values.pop()) if len(values) == 1 else None

    @property
    def total(self) -> str:
        return units_to_points(self.points)


def print_choice(paper: str | None, number: str | None, key: str | None) -> PrintChoice:
    """Read the query's paper letter, copy number and key flag; a Chinese 400 for anything else."""
    letter = (paper or "A").strip().upper()
    if letter not in PAPERS:
        raise DomainError(BAD_PAPER)
    copy = 1 if number is None or not number.strip() else _copy_number(number)
    if (key or "0").strip() not in ("0", "1"):
        raise DomainError(BAD_KEY)
    return PrintChoice(letter, copy, (key or "0").strip() == "1")


def _copy_number(text: str) -> int:
    value = as_id(text)
    if value is None or value > MAX_COPY:
        raise DomainError(BAD_NUMBER)
    return value


def paper_seed(exam: Exam, paper: str) -> int:
    """The draw's seed of a paper: fixed by the exam, its version and frozen pool, and the letter."""
    digest = hashlib.sha256(f"print:{exam.id}:{exam.version}:{exam.pool_key}:{paper}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2  # 62 bits, as the attempts' seeds


def draw_paper(exam: Exam, paper: str) -> assembly.Paper:
    """The printed paper `paper` of the exam: the frozen pools once published, the bank before."""
    if exam.status != ExamStatus.DRAFT and exam.pool_key:
        blueprint = pools.frozen_blueprint(exam)
    else:
        blueprint = pools.resolve(exam)
        problems = assembly.dry_run(blueprint)
        if problems:
            raise BlueprintShort(problems)
    return assembly.draw(blueprint, paper_seed(exam, paper))


def blanks_as_lines(html: Markup) -> Markup:
    """A 填空 stem's blanks (runs of three or more underscores in the text) as lines to write on,
    numbered when there are several."""
    count = sum(len(_BLANK.findall(text.group(0))) for text in _TEXT.finditer(str(html)))
    numbers = iter(range(1, count + 1))

    def line(_match: re.Match) -> str:
        number = next(numbers)
        return f'<span class="blank">{f"（{number}）" if count > 1 else ""}</span>'

    # The input is sanitised HTML; only runs of underscores in its text become spans.
    return Markup(_TEXT.sub(lambda text: _BLANK.sub(line, text.group(0)), str(html)))  # noqa: S704


def sections_of(questions: list[dict]) -> list[PrintSection]:
    """The paper's questions by section, in paper order, each with its stem as print HTML."""
    found: dict[str, PrintSection] = {}
    for question in questions:
        section = found.setdefault(question["section"], PrintSection(question["section"]))
        section.questions.append(question | {"stem_html": blanks_as_lines(render_markdown(question["data"]["stem"]))})
        section.points += question["points"]
    return list(found.values())


def _exam_to_print(viewer: Viewer, exam_id: int) -> Exam:
    try:
        return exam_to_change(viewer, exam_id)
    except Forbidden:  # a watcher: the paper and its key are for those who make the exam
        raise NotFound(EXAM_NOT_FOUND) from None


def download_name(*parts: str) -> str:
    return "-".join(UNSAFE_IN_NAMES.sub("_", part).strip("_") for part in parts if part) + ".pdf"


def _pdf(template: str, **context) -> bytes:
    return html_to_pdf(render_template(template, **context), base_dir=current_app.static_folder)


def paper_pdf(viewer: Viewer, exam_id: int, choice: PrintChoice, *, now: datetime) -> PrintedFile:
    """The paper (or its answer key) as PDF; audited and committed once the PDF is made."""
    exam = _exam_to_print(viewer, exam_id)
    paper = draw_paper(exam, choice.paper)
    sections = sections_of(paper_questions(paper))
    data = _pdf("print/paper.html", exam=exam, choice=choice, sections=sections, now=now,
                total=units_to_points(paper.max_points), questions=len(paper.items),
                pass_points=units_to_points(paper.max_points * exam.pass_percent // 100))
    record("exam_print_key" if choice.key else "exam_print_paper", exam, actor_id=viewer.person_id,
           paper=choice.paper, number=None if choice.key else choice.number, version=exam.version,
           questions=len(paper.items))
    db.session.commit()
    what = f"{choice.paper}卷答案" if choice.key else f"{choice.paper}卷-第{choice.number}份"
    return PrintedFile(download_name(exam.title, what), data)


def attempt_pdf(viewer: Viewer, attempt_id: int, *, now: datetime) -> PrintedFile:
    """A finished attempt as PDF for the person's file (what 答卷详情 shows but the page events);
    audited and committed once the PDF is made."""
    detail = attempt_detail(viewer, attempt_id, now=now)
    if detail.attempt.state != AttemptState.FINISHED:
        raise Conflict(NOT_FINISHED)
    unit_path = full_names(OrgUnit, [detail.unit])[detail.unit.id] if detail.unit else ""
    data = _pdf("print/attempt.html", d=detail, unit_path=unit_path, now=now)
    record("attempt_print", detail.attempt, actor_id=viewer.person_id, exam_id=detail.exam.id,
           person_id=detail.person.id)
    db.session.commit()
    return PrintedFile(download_name("答卷", detail.exam.title, detail.person.name,
                                     f"第{detail.attempt.number}次"), data)
