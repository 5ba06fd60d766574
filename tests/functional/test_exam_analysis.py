"""试题分析: the page's numbers are the engine's on the seeded answers, who may see it, a fixed number
of statements whatever the number of attempts, attempts awaiting marking, and the measured facility
then used by the draw of a later exam."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from app import clock
from app.exams import analysis, attempts
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    ExamAnalysis,
    ExamItemStat,
    ExamPoolEntry,
    QuestionVersion,
)
from question_bank import assembly, stats
from question_bank.assembly import to_display_letters
from question_bank.stats_flags import flags
from tests.factories import (
    make_bank_category,
    make_exam,
    make_exam_questions,
    make_person,
    make_unit,
    make_world,
)
from tests.sql_budget import statements_for

RIGHT = {"single": "A", "truefalse": True}

# Who answers each question right, by rank (0 the strongest); the others choose the wrong option given.
PLAN = {
    "s1": ({0, 1, 2, 3, 4, 5, 6, 7}, "B"),  # a good question
    "s2": ({0, 1, 2, 4, 6, 9}, "C"),
    "s3": ({8, 10, 11}, "B"),  # only the weakest get it right: negative discrimination, B beats the key
    "s4": (set(), None),  # nobody chooses the key: even ranks B, odd ranks C
    "t1": ({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, False),
    "t2": ({0, 3, 5, 7, 8, 11}, False),
}


def _wrong(name: str, rank: int):
    wrong = PLAN[name][1]
    return wrong if wrong is not None else ("B" if rank % 2 == 0 else "C")


def answer(name: str, rank: int):
    right = RIGHT["single" if name.startswith("s") else "truefalse"]
    return right if rank in PLAN[name][0] else _wrong(name, rank)


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True)
    world["a2"] = make_unit("二中队", parent=world["a"], kind="中队")
    world["watcher"] = make_person(unit=world["a1"], staff_no="admin-a1", roles=(("admin", world["a1"]),))
    singles = make_exam_questions(world["cat_a"], single=4)
    tfs = make_exam_questions(world["cat_a"], truefalse=2)
    world["questions"] = dict(zip(("s1", "s2", "s3", "s4", "t1", "t2"), singles + tfs, strict=True))
    world["exam"] = make_exam(category=world["cat_a"], audience_units=[world["a"]], owner_unit_id=world["a"].id,
                              created_by_id=world["inst_a"].id,
                              rules=(("一、单选题", "single", 4, 200), ("二、判断题", "truefalse", 2, 100)))
    return world


def sit(exam_id: int, person_id: int, responses: dict[int, object]) -> int:
    """Start, answer (in the letters shown) and hand in one attempt through the services."""
    now = clock.now()
    attempt, _created = attempts.start(exam_id, person_id, now=now)
    attempt_id = attempt.id
    items = db.session.execute(select(AttemptItem.slot, AttemptItem.option_order, AttemptItem.question_id)
                               .where(AttemptItem.attempt_id == attempt_id)).all()
    for slot, order, question_id in items:
        if responses.get(question_id) is not None:
            attempts.save_answer(attempt_id, person_id, slot, 1, to_display_letters(responses[question_id], order),
                                 now=now)
    attempts.submit(attempt_id, person_id, now=now)
    return attempt_id


def seat(world, count: int, *, first: int = 0) -> list[int]:
    """`count` trainees (ranks first…), alternately in 一中队 and 二中队, each sitting the exam by PLAN."""
    ids = []
    for rank in range(first, first + count):
        unit = world["a1"] if rank % 2 == 0 else world["a2"]
        person = make_person(unit=unit, staff_no=f"P{rank:03d}", name=f"考生{rank}")
        responses = {qid: answer(name, rank % 12) for name, qid in world["questions"].items()}
        ids.append(sit(world["exam"].id, person.id, responses))
    return ids


def expected(world, ranks) -> stats.Analysis:
    """The engine on the answers PLAN gives, built here from the plan, not read back by the service."""
    versions = dict(db.session.execute(select(QuestionVersion.question_id, QuestionVersion.id)).all())
    items, responses = [], []
    for name, qid in world["questions"].items():
        single = name.startswith("s")
        options, key = (("A", "B", "C"), "A") if single else (("对", "错"), "对")
        items.append(stats.Item(versions[qid], options, frozenset({key})))
        for rank in ranks:
            given = answer(name, rank % 12)
            chosen = given if single else {True: "对", False: "错"}[given]
            points = 200 if single else 100
            responses.append(stats.Response(rank, versions[qid], points if chosen == key else 0, points,
                                            frozenset({chosen})))
    return stats.analyse(items, responses)


class _Table(HTMLParser):
    """The analysis table's rows (data-question) → their own cells' text and their option rows."""

    def __init__(self):
        super().__init__()
        self.rows: dict[int, dict] = {}
        self.exam: dict[str, str] = {}
        self._depth, self._row, self._cells, self._text, self._th = 0, None, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._depth += 1
        elif tag == "tr" and self._depth == 1 and "data-question" in attrs:
            self._row = self.rows.setdefault(int(attrs["data-question"]), {"cells": [], "options": []})
        elif tag == "tr" and self._depth == 2 and self._row is not None:
            self._cells = []
            self._row["options"].append(self._cells)
        elif tag in ("td", "th"):
            self._text = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth -= 1
        elif tag in ("td", "th") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if self._depth == 1 and self._row is not None and tag == "td":
                self._row["cells"].append(text)
            elif self._depth == 2 and self._cells is not None:
                self._cells.append(text)
            elif self._depth == 1 and self._row is None:
                if tag == "th":
                    self._th = text
                elif self._th:
                    self.exam[self._th] = text
            self._text = None
        elif tag == "tr" and self._depth == 1:
            self._row = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def read(html: str) -> _Table:
    table = _Table()
    table.feed(html)
    return table


def _pct(figure):
    return f"{figure.value * 100:.0f}%" if figure.known else figure.note


def _dec(figure):
    return f"{round(figure.value, 2) + 0.0:.2f}" if figure.known else figure.note


def test_the_page_shows_the_engines_figures_for_the_seeded_answers(app, as_user, world):
    seat(world, 12)
    result = expected(world, range(12))
    response = as_user("inst-a").get(f"/exams/manage/{world['exam'].id}/analysis")
    assert response.status_code == 200
    html = response.data.decode()
    page = read(html)
    e = result.exam
    assert page.exam["分析的答卷"] == "12 份"
    assert page.exam["平均分"] == f"{e.mean_score.value / 100:.1f} 分（满分 10 分）"
    assert page.exam["标准差"] == f"{e.sd.value / 100:.1f} 分"
    assert page.exam["信度（α 系数）"].startswith(f"{e.alpha.value:.2f}")
    assert page.exam["测量标准误"] == f"± {e.sem.value / 100:.1f} 分"
    for name, qid in world["questions"].items():
        item = next(i for i in result.items if i.item_id == db.session.scalar(
            select(QuestionVersion.id).where(QuestionVersion.question_id == qid)))
        cells = page.rows[qid]["cells"]
        assert cells[2:6] == [str(item.answers), _pct(item.facility), _dec(item.discrimination),
                              _dec(item.point_biserial)], name
        shown = {row[0].split()[0]: row[1:] for row in page.rows[qid]["options"][1:] if row[0] != "未作答"}
        assert shown == {o.key: [_pct(o.share), _pct(o.upper_share), _pct(o.lower_share), _dec(o.point_biserial)]
                         for o in item.options}, name
    # The flags, with their reasons and a link to the question's editor for its bank's instructor.
    found = flags(result)
    assert found and all(flag.reason in html for flag in found)
    s3, s4 = world["questions"]["s3"], world["questions"]["s4"]
    assert "区分度为负" in " ".join(page.rows[s3]["cells"])
    assert "没有人选择正确答案「A」" in " ".join(page.rows[s4]["cells"])
    assert f'href="/bank/questions/{s3}/edit"' in html and f'href="/bank/questions/{s4}/edit"' in html
    assert f'href="/bank/questions/{world["questions"]["s1"]}/edit"' not in html  # s1 raises nothing


def test_who_may_see_the_analysis(app, as_user, world):
    seat(world, 12)
    url = f"/exams/manage/{world['exam'].id}/analysis"
    assert as_user("inst-b").get(url).status_code == 404
    assert as_user("admin-b").get(url).status_code == 404
    assert as_user("trainee-a").get(url).status_code == 403
    assert as_user("inst-a").get(f"/exams/manage/{world['exam'].id + 99}/analysis").status_code == 404
    # The brigade's admin may change the exam: every attempt, but no editor links (not an instructor).
    owner_page = as_user("admin-a").get(url).data.decode()
    assert read(owner_page).exam["分析的答卷"] == "12 份" and "/bank/questions/" not in owner_page
    # An admin of 一中队 only watches: the six attempts of their people, said so, hence too few.
    watcher = as_user("admin-a1").get(url)
    text = watcher.data.decode()
    assert watcher.status_code == 200 and "只统计您管理范围内人员的答卷" in text
    assert "至少需要 10 份已交答卷才能分析" in text and "现在有 6 份可以分析的答卷" in text
    # The exam page links to the analysis once someone has started.
    assert f'href="{url}"' in as_user("inst-a").get(f"/exams/manage/{world['exam'].id}").data.decode()


def test_too_few_attempts_show_what_to_do(app, as_user, world):
    assert f"/exams/manage/{world['exam'].id}/analysis" not in \
        as_user("inst-a").get(f"/exams/manage/{world['exam'].id}").data.decode()
    seat(world, 3)
    text = as_user("inst-a").get(f"/exams/manage/{world['exam'].id}/analysis").data.decode()
    assert "至少需要 10 份已交答卷才能分析" in text and "现在有 3 份可以分析的答卷" in text
    assert "考生交卷后这里会自动更新" in text and "各题情况" not in text


def test_the_statements_do_not_grow_with_the_attempts(app, as_user, world):
    seat(world, 12)
    client = as_user("inst-a")
    url = f"/exams/manage/{world['exam'].id}/analysis"
    few = statements_for(client, url)
    seat(world, 24, first=12)
    assert read(client.get(url).data.decode()).exam["分析的答卷"] == "36 份"
    assert statements_for(client, url) == few
    assert few <= 12


def test_attempts_awaiting_marking_join_once_marked(app, as_user, world):
    cases = make_bank_category("案例题库", owner=world["a"])
    make_exam_questions(cases, single=1, essay=1)
    exam = make_exam(category=cases, audience_units=[world["a"]], owner_unit_id=world["a"].id,
                     rules=(("一、单选题", "single", 1, 200), ("二、简答题", "essay", 1, 500)))
    essay_id = db.session.scalar(select(ExamPoolEntry.question_id).where(ExamPoolEntry.exam_id == exam.id,
                                                                         ExamPoolEntry.rule == 2))
    written = []
    for rank in range(12):
        person = make_person(unit=world["a1"], staff_no=f"C{rank:03d}")
        attempt_id = sit(exam.id, person.id, {essay_id: "先保护现场，再报告。"} if rank < 3 else {})
        if rank < 3:
            written.append(attempt_id)
    assert analysis.counts(exam.id) == analysis.Counts(analysed=9, pending=3, score_total=0)
    graded, _rules = analysis.answers(exam.id)
    assert len(graded) == 18  # two slots of nine attempts; the session's connection keeps its options:
    assert "yield_per" not in db.session.connection().get_execution_options()
    text = as_user("inst-a").get(f"/exams/manage/{exam.id}/analysis").data.decode()
    assert "现在有 9 份可以分析的答卷，另有 3 份含待阅卷的简答题" in text and "阅卷完成后" in text
    # A marker gives the first written answer 3 of 5 points (as the marking service will).
    db.session.execute(update(AttemptItem).where(AttemptItem.attempt_id == written[0], AttemptItem.rule == 2)
                       .values(score=300, status="partial"))
    db.session.execute(update(Attempt).where(Attempt.id == written[0])
                       .values(score=Attempt.score + 300, pending_manual=False, passed=False))
    db.session.commit()
    assert exam.id in analysis.changed_exams()
    found = analysis.counts(exam.id)
    assert (found.analysed, found.pending) == (10, 2)
    page = read(as_user("inst-a").get(f"/exams/manage/{exam.id}/analysis").data.decode())
    assert page.exam["分析的答卷"] == "10 份（另有 2 份待阅卷，阅卷后计入）"
    assert page.rows[essay_id]["cells"][2:4] == ["10", "6%"]  # 3 of 5 points once among ten answers


def test_stored_facility_is_drawn_with_by_a_later_exam(app, world):
    seat(world, 30)
    now = clock.now()
    assert analysis.changed_exams() == [world["exam"].id]
    assert analysis.refresh_changed(now=now) == [world["exam"].id]
    assert analysis.refresh_changed(now=now) == []  # nothing changed since
    stored = {row.question_version_id: row for row in db.session.scalars(select(ExamItemStat))}
    result = expected(world, range(30))
    assert {v: (row.answers, round(row.facility, 9)) for v, row in stored.items()} == \
        {item.item_id: (30, round(item.facility.value, 9)) for item in result.items}
    assert db.session.get(ExamAnalysis, world["exam"].id).attempts == 30
    # A new question nobody answered yet joins the pool with its author's difficulty.
    (fresh,) = make_exam_questions(world["cat_a"], single=1, difficulty=2)
    later = make_exam(category=world["cat_a"], title="补考", rules=(("一、单选题", "single", 4, 200),))
    pool = dict(db.session.execute(select(ExamPoolEntry.question_id, ExamPoolEntry.facility)
                                   .where(ExamPoolEntry.exam_id == later.id)).all())
    versions = dict(db.session.execute(select(QuestionVersion.question_id, QuestionVersion.id)).all())
    for name in ("s1", "s2", "s3", "s4"):
        qid = world["questions"][name]
        assert pool[qid] == pytest.approx(stored[versions[qid]].facility), name
    assert pool[fresh] == assembly.AUTHOR_FACILITY[2]
    assert pool[world["questions"]["s4"]] == 0.0  # nobody chose its key
    assert pool[world["questions"]["s1"]] == pytest.approx(22 / 30)  # ranks 0–7 of each twelve: 8 + 8 + 6
    # One more attempt changes the exam's analysed attempts: the job stores it again.
    person = make_person(unit=world["a1"], staff_no="LATE")
    sit(world["exam"].id, person.id, {})
    assert analysis.refresh_changed(now=now + timedelta(minutes=15)) == [world["exam"].id]
    assert {row.answers for row in db.session.scalars(select(ExamItemStat))} == {31}
