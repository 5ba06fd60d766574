"""重新评分: every fix on every type through the pages, the preview's numbers equal what apply writes,
idempotence, audit entries, pass/fail changes listed and announced, the background run with its
progress, late attempts graded with the fix, scope, bad input, and a statement budget per batch."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.scope import Scope
from app.bank.questions import update_question
from app.events import attempt_regraded, subscribe
from app.exams import attempts, regrade_jobs
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    AuditEntry,
    ExamAnalysis,
    ExamQuestionAdjustment,
    ExamRegradeJob,
    Question,
)
from question_bank.assembly import to_display_letters
from tests.factories import make_exam, make_exam_questions, make_person, make_world
from tests.sql_budget import count_statements

ANNOUNCED: list[int] = []


def _on_regraded(_app, *, attempt_id: int) -> None:
    ANNOUNCED.append(attempt_id)


@pytest.fixture
def world(app):
    ANNOUNCED.clear()
    subscribe(app, attempt_regraded, _on_regraded)
    world = make_world(instructors=True, bank=True)
    ids = make_exam_questions(world["cat_a"], single=1, multiple=1, truefalse=1, fill=1)
    world["q"] = dict(zip(("single", "truefalse", "multiple", "fill"), ids, strict=True))  # the factory's order
    # 单选 100 + 多选 200 + 判断 100 + 填空 200 = 600 units; pass at 60 % = 360
    world["exam"] = make_exam(category=world["cat_a"], audience_units=[world["a"]], owner_unit_id=world["a"].id,
                              created_by_id=world["inst_a"].id,
                              rules=(("一、单选题", "single", 1, 100), ("二、多选题", "multiple", 1, 200),
                                     ("三、判断题", "truefalse", 1, 100), ("四、填空题", "fill", 1, 200)))
    return world


def sit(exam_id: int, person_id: int, responses: dict[int, object]) -> int:
    """Start, answer (in the letters shown) and hand in one attempt through the services."""
    now = clock.now()
    attempt, _created = attempts.start(exam_id, person_id, now=now)
    attempt_id = attempt.id
    for slot, order, question_id in db.session.execute(
            select(AttemptItem.slot, AttemptItem.option_order, AttemptItem.question_id)
            .where(AttemptItem.attempt_id == attempt_id)).all():
        if responses.get(question_id) is not None:
            attempts.save_answer(attempt_id, person_id, slot, 1, to_display_letters(responses[question_id], order),
                                 now=now)
    attempts.submit(attempt_id, person_id, now=now)
    return attempt_id


def seat(world, plans: list[dict[str, object]], prefix: str = "P") -> list[int]:
    """One trainee per plan ({type: response}), each sitting the exam."""
    ids = []
    for number, plan in enumerate(plans):
        person = make_person(unit=world["a1"], staff_no=f"{prefix}{number:03d}", name=f"考生{number}")
        ids.append(sit(world["exam"].id, person.id, {world["q"][kind]: r for kind, r in plan.items()}))
    return ids


RIGHT = {"single": "A", "multiple": ["A", "B"], "truefalse": True, "fill": ["甲", "乙"]}


def scores(ids: list[int]) -> list[tuple]:
    db.session.expire_all()
    return [tuple(db.session.execute(select(Attempt.score, Attempt.max_score, Attempt.passed)
                               .where(Attempt.id == i)).one()) for i in ids]


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def url(world, question: str, step: str = "") -> str:
    base = f"/exams/manage/{world['exam'].id}/regrade/{world['q'][question]}"
    return f"{base}/{step}" if step else base


def post(client, world, question: str, step: str, **fields):
    data = {"reason": "答案标错"} | fields
    return client.post(url(world, question, step), data=data)


def test_accepting_another_single_option_preview_then_apply(world, as_user):
    ids = seat(world, [RIGHT | {"single": "B"},  # 500 → 600
                       RIGHT | {"single": "B", "fill": ["甲", "丙"], "truefalse": False},  # 300 → 400: passes
                       RIGHT,  # unchanged
                       RIGHT | {"single": "C"}])  # unchanged
    before = scores(ids)
    client = as_user("inst-a")
    page = client.get(url(world, "single"))
    assert page.status_code == 200 and "正确选项" in page.text and "4 份已交答卷含这道题" in page.text

    shown = post(client, world, "single", "preview", kind="accept", keys=["B"])
    assert shown.status_code == 200, shown.text
    assert "2 份答卷分数将改变，其中 1 人由不及格变为及格" in shown.text
    assert scores(ids) == before and not audits("attempt_regrade")  # the preview wrote nothing
    assert db.session.scalar(select(func.count()).select_from(ExamQuestionAdjustment)) == 0

    done = post(client, world, "single", "apply", kind="accept", keys=["B"])
    assert done.status_code == 302
    result = client.get(done.headers["Location"])
    assert "4 份答卷中，2 份分数改变" in result.text and "考生1" in result.text
    assert scores(ids) == [(600, 600, True), (400, 600, True), before[2], before[3]]
    assert sorted(ANNOUNCED) == sorted(ids[:2])  # every changed attempt, once
    entries = audits("attempt_regrade")
    assert [(e.object_id, e.detail["score_before"], e.detail["score_after"], e.actor_id, e.detail["reason"])
            for e in entries] == [(ids[0], 500, 600, world["inst_a"].id, "答案标错"),
                                  (ids[1], 300, 400, world["inst_a"].id, "答案标错")]
    assert entries[1].detail["passed_before"] is False and entries[1].detail["passed_after"] is True
    fix = db.session.scalar(select(ExamQuestionAdjustment))
    assert (fix.kind, fix.data, fix.reason) == ("accept", {"keys": ["B"]}, "答案标错")
    assert len(audits("exam_question_adjust")) == 1
    item = db.session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == ids[0],
                                                       AttemptItem.question_id == world["q"]["single"]))
    assert (item.score, item.status) == (100, "correct")
    assert db.session.get(ExamAnalysis, world["exam"].id) is not None  # item statistics stored again

    # the same fix again: nothing changes, no new audit entry, no event
    ANNOUNCED.clear()
    again = post(client, world, "single", "apply", kind="accept", keys=["B"])
    assert again.status_code == 302
    assert "分数都没有改变" in client.get(again.headers["Location"]).text
    assert scores(ids) == [(600, 600, True), (400, 600, True), before[2], before[3]]
    assert len(audits("attempt_regrade")) == 2 and len(audits("exam_question_adjust")) == 1
    assert ANNOUNCED == []


def test_multiple_accept_fill_accept_truefalse_accept(world, as_user):
    ids = seat(world, [RIGHT | {"multiple": ["A", "B", "C"]}, RIGHT | {"fill": ["甲", "丁"]},
                       RIGHT | {"truefalse": False}])
    client = as_user("inst-a")
    assert post(client, world, "multiple", "apply", kind="accept", keys=["C"]).status_code == 302
    assert post(client, world, "fill", "apply", kind="accept", **{"blanks-0": "", "blanks-1": "丁|戊"}).status_code == 302
    assert post(client, world, "truefalse", "apply", kind="accept").status_code == 302
    assert scores(ids) == [(600, 600, True)] * 3
    fixes = {f.question_id: f.data for f in db.session.scalars(select(ExamQuestionAdjustment))}
    assert fixes == {world["q"]["multiple"]: {"keys": ["C"]}, world["q"]["fill"]: {"blanks": [[], ["丁", "戊"]]},
                     world["q"]["truefalse"]: {"answer": False}}


def test_full_marks_and_drop_and_replacing_a_fix(world, as_user):
    ids = seat(world, [RIGHT | {"fill": None}, RIGHT | {"fill": ["甲", "丙"]}, RIGHT])
    client = as_user("inst-a")
    assert post(client, world, "fill", "apply", kind="full_marks").status_code == 302
    assert scores(ids) == [(600, 600, True)] * 3
    # a new fix replaces the old one (audited with what it replaced)
    assert post(client, world, "fill", "apply", kind="drop", reason="题目超纲").status_code == 302
    assert scores(ids) == [(400, 400, True)] * 3
    dropped = db.session.scalars(select(AttemptItem.status).where(AttemptItem.question_id == world["q"]["fill"])).all()
    assert set(dropped) == {"dropped"}
    fixes = db.session.scalars(select(ExamQuestionAdjustment)).all()
    assert [(f.kind, f.reason) for f in fixes] == [("drop", "题目超纲")]
    replaced = audits("exam_question_adjust")[-1].detail
    assert (replaced["kind_before"], replaced["kind"], replaced["reason"]) == ("full_marks", "drop", "题目超纲")
    # the attempt page shows the dropped slot as 不计分 and the total out of 4 points
    page = client.get(f"/exams/manage/attempts/{ids[0]}")
    assert "不计分" in page.text and "/ 4 分" in page.text


def test_drop_can_turn_a_fail_into_a_pass_and_a_pass_into_a_fail(world, as_user):
    ids = seat(world, [RIGHT | {"multiple": [], "fill": None},  # 200/600 fail → 200/400 fail
                       RIGHT | {"fill": None, "single": "B"},  # 300/600 fail → dropping 多选: 100/400 fail
                       {"single": "A", "truefalse": True, "fill": ["甲", "乙"], "multiple": ["C"]},  # 400/600 pass → 400/400
                       {"multiple": ["A", "B"], "fill": ["甲", "乙"]}])  # 400/600 pass → 200/400 fail
    client = as_user("inst-a")
    shown = post(client, world, "multiple", "preview", kind="drop")
    assert "1 人由及格变为不及格" in shown.text and "4 份答卷分数将改变" in shown.text
    done = post(client, world, "multiple", "apply", kind="drop")
    page = client.get(done.headers["Location"])
    assert "考生3" in page.text and "及格情况改变的答卷" in page.text
    assert scores(ids)[3] == (200, 400, False)
    job = db.session.scalar(select(ExamRegradeJob))
    assert [row[0] for row in job.pass_changes] == [ids[3]]


def test_new_version_grades_against_the_corrected_key(world, as_user):
    ids = seat(world, [RIGHT | {"single": "B"}, RIGHT])
    client = as_user("inst-a")
    refused = post(client, world, "single", "preview", kind="new_version")
    assert refused.status_code == 400 and "没有比考试所用更新的版本" in refused.text
    question = db.session.get(Question, world["q"]["single"])
    data = dict(question.data)
    data["options"] = [o | {"weight": 100 if o["key"] == "B" else 0} for o in data["options"]]
    update_question(world["inst_a"].id, Scope(None), question.id, data, note="答案改为B")
    assert post(client, world, "single", "apply", kind="new_version").status_code == 302
    assert scores(ids) == [(600, 600, True), (500, 600, True)]
    shown = db.session.scalars(select(AttemptItem.question_version_id)
                               .where(AttemptItem.question_id == question.id)).all()
    assert set(shown) == {question.versions[0].id}  # the attempts still show the version they showed
    fix = db.session.scalar(select(ExamQuestionAdjustment))
    assert fix.data == {"version_id": question.versions[-1].id}


def test_an_attempt_finished_after_a_fix_is_graded_with_it(world, as_user):
    seat(world, [RIGHT])
    assert post(as_user("inst-a"), world, "single", "apply", kind="full_marks").status_code == 302
    late = make_person(unit=world["a1"], staff_no="LATE", name="补考人员")
    ANNOUNCED.clear()
    attempt_id = sit(world["exam"].id, late.id, {world["q"]["single"]: "C"})
    assert scores([attempt_id]) == [(100, 600, False)]
    assert ANNOUNCED == [attempt_id]
    assert audits("attempt_regrade")[-1].actor_id is None


def test_a_marked_essay_keeps_its_mark(app, as_user):
    world = make_world(instructors=True, bank=True)
    ids = make_exam_questions(world["cat_a"], single=1, essay=1)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], owner_unit_id=world["a"].id,
                     rules=(("一", "single", 1, 100), ("二", "essay", 1, 500)))
    person = make_person(unit=world["a1"], staff_no="E1")
    attempt_id = sit(exam.id, person.id, {ids[0]: "B", ids[1]: "要点都写了"})
    essay = db.session.scalar(select(AttemptItem).where(AttemptItem.question_id == ids[1]))
    assert essay.status == "pending"
    essay.score, essay.status = 400, "partial"  # a marker's grade (the essay queue's work)
    attempt = db.session.get(Attempt, attempt_id)
    attempt.score, attempt.pending_manual, attempt.passed = 400, False, True
    db.session.commit()
    client = as_user("inst-a")
    done = client.post(f"/exams/manage/{exam.id}/regrade/{ids[0]}/apply", data={"kind": "accept", "keys": ["B"],
                                                                                 "reason": "B 也对"})
    assert done.status_code == 302
    assert scores([attempt_id]) == [(500, 600, True)]
    db.session.refresh(essay)
    assert (essay.score, essay.status) == (400, "partial")
    refused = client.post(f"/exams/manage/{exam.id}/regrade/{ids[1]}/preview", data={"kind": "accept", "reason": "x"})
    assert refused.status_code == 400 and "简答题不能另认答案" in refused.text


def test_large_exams_regrade_in_the_background_with_progress(world, as_user, monkeypatch):
    monkeypatch.setattr(regrade_jobs, "BACKGROUND_ABOVE", 2)
    monkeypatch.setattr(regrade_jobs, "BATCH", 2)
    ids = seat(world, [RIGHT | {"single": "B"}] * 5)
    seen = []
    real_write = regrade_jobs.regrade.write

    def spying_write(*args, **kwargs):
        seen.append(db.session.scalar(select(ExamRegradeJob.done)))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(regrade_jobs.regrade, "write", spying_write)
    client = as_user("inst-a")
    shown = post(client, world, "single", "preview", kind="accept", keys=["B"])
    assert "答卷较多，将在后台进行" in shown.text
    done = post(client, world, "single", "apply", kind="accept", keys=["B"])  # tasks run inline in tests
    assert done.status_code == 302
    assert seen == [0, 2, 4]  # committed batch by batch: each batch saw the previous one's progress
    job = db.session.scalar(select(ExamRegradeJob))
    assert (job.background, job.status, job.done, job.changed, job.running_key) == (True, "finished", 5, 5, None)
    assert scores(ids) == [(600, 600, True)] * 5
    progress = client.get(f"/exams/manage/{world['exam'].id}/regrade/runs/{job.id}/progress")
    assert progress.headers["HX-Redirect"].endswith(f"/regrade/runs/{job.id}")


def test_progress_while_running_and_one_run_per_exam(world, as_user):
    seat(world, [RIGHT])
    job = ExamRegradeJob(exam_id=world["exam"].id, question_id=world["q"]["single"], created_by_id=world["inst_a"].id,
                         running_key=str(world["exam"].id), status="running", total=10, done=4, background=True,
                         created_at=clock.now(), updated_at=clock.now())
    db.session.add(job)
    db.session.commit()
    client = as_user("inst-a")
    page = client.get(f"/exams/manage/{world['exam'].id}/regrade/runs/{job.id}")
    assert f"regrade/runs/{job.id}/progress" in page.text
    progress = client.get(f"/exams/manage/{world['exam'].id}/regrade/runs/{job.id}/progress")
    assert "4 / 10 份答卷" in progress.text and "40%" in progress.text and "HX-Redirect" not in progress.headers
    busy = post(client, world, "single", "apply", kind="full_marks")
    assert busy.status_code == 409 and "正在重新评分" in busy.text
    assert db.session.scalar(select(func.count()).select_from(ExamQuestionAdjustment)) == 0


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"kind": "accept", "keys": ["B"], "reason": "  "}, 400, "请填写重新评分的原因"),
    ({"kind": "", "reason": "原因"}, 400, "请选择调整方式"),
    ({"kind": "accept", "keys": ["A"], "reason": "原因"}, 400, "本来就是正确答案"),
    ({"kind": "accept", "keys": ["Z"], "reason": "原因"}, 400, "没有选项Z"),
    ({"kind": "accept", "reason": "x" * 301}, 400, "原因"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(world, as_user, fields, status, words):
    ids = seat(world, [RIGHT | {"single": "B"}])
    before = scores(ids)
    client = as_user("inst-a")
    for step in ("preview", "apply"):
        response = client.post(url(world, "single", step), data=fields)
        assert response.status_code == status and words in response.text
    assert scores(ids) == before
    assert db.session.scalar(select(func.count()).select_from(ExamQuestionAdjustment)) == 0
    assert db.session.scalar(select(func.count()).select_from(ExamRegradeJob)) == 0
    assert not audits("attempt_regrade")


def test_unknown_question_and_scope(world, as_user):
    seat(world, [RIGHT])
    exam_id = world["exam"].id
    other = make_exam_questions(world["cat_a"], single=1)[0]
    inst = as_user("inst-a")
    assert inst.get(f"/exams/manage/{exam_id}/regrade").status_code == 200
    unknown = inst.post(f"/exams/manage/{exam_id}/regrade/{other}/apply", data={"kind": "drop", "reason": "x"})
    assert unknown.status_code == 404 and "没有这道题" in unknown.text
    for staff_no in ("inst-b", "trainee-a"):
        client = as_user(staff_no)
        assert client.get(f"/exams/manage/{exam_id}/regrade").status_code in (403, 404)
        assert client.get(url(world, "single")).status_code in (403, 404)
        response = post(client, world, "single", "apply", kind="drop")
        assert response.status_code in (403, 404)
    assert as_user("inst-b").get(f"/exams/manage/{exam_id}/regrade").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ExamQuestionAdjustment)) == 0


def test_links_from_the_exam_page_and_the_analysis(world, as_user):
    seat(world, [RIGHT])
    client = as_user("inst-a")
    assert f"/exams/manage/{world['exam'].id}/regrade" in client.get(f"/exams/manage/{world['exam'].id}").text
    listing = client.get(f"/exams/manage/{world['exam'].id}/regrade")
    assert listing.text.count("data-question=") == 4 and url(world, "fill") in listing.text


def test_statements_per_batch_do_not_grow_with_the_exam(world, monkeypatch):
    def statements(count: int) -> int:
        plans = [RIGHT | {"single": "B"}] * count
        ids = seat(world, plans, prefix=f"S{count}-")
        fixes = regrade_jobs.regrade.fixes_of(world["exam"].id) | {
            world["q"]["single"]: regrade_jobs.regrade.Adjustment.from_data("accept", {"keys": ["B"]})}
        exam = world["exam"]
        with count_statements() as run:
            outcomes = regrade_jobs.regrade.recompute(exam, ids, fixes)
            regrade_jobs.regrade.write(exam.id, outcomes, actor_id=None, why={"reason": "测"})
        db.session.rollback()
        return len(run)

    small, large = statements(3), statements(30)
    assert small == large <= 8, (small, large)
