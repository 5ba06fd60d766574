"""答卷详情 for instructors and admins (the paper as graded, section scores, the integrity timeline, who
may read it), its links from the live view, and the trainee's result page: section scores and the
history of attempts, each as far as the review policy shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.exams import attempts
from app.extensions import db
from app.models import AttemptItem, Exam, QuestionVersion
from tests.factories import make_exam, make_exam_questions, make_person, make_unit, make_world
from tests.sql_budget import statements_for

EXPLANATION = "解析：只给教官看的解析"
RULES = (("一、单选题", "single", 2, 200), ("二、判断题", "truefalse", 1, 100), ("三、填空题", "fill", 1, 200))


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, people={"t1": {"unit": "a1", "staff_no": "T1", "name": "考生甲"}})
    world["a2"] = make_unit("二中队", parent=world["a"], kind="中队")
    world["t2"] = make_person(unit=world["a2"], staff_no="T2", name="考生乙")
    world["admin_a1"] = make_person(unit=world["a1"], staff_no="admin-a1", roles=(("admin", world["a1"]),))
    make_exam_questions(world["cat_a"], single=8, truefalse=2, fill=1)
    for version in db.session.scalars(select(QuestionVersion)):
        version.data = version.data | {"explanation": EXPLANATION}
    db.session.commit()
    return world


def exam(world, **fields) -> Exam:
    return make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES, owner_unit_id=world["a"].id,
                     created_by_id=world["inst_a"].id, **fields)


def sit(exam_obj, person, *, right_singles: int, now, events=()) -> int:
    """Answer the singles (the first `right_singles` right, the rest wrong), 判断 right, 填空 half right,
    with page events between the answers; hand in ten minutes after `now`."""
    attempt, _ = attempts.start(exam_obj.id, person.id, now=now)
    attempt_id = attempt.id
    items = db.session.execute(select(AttemptItem.slot, AttemptItem.option_order, AttemptItem.section)
                               .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)).all()
    singles = 0
    for slot, order, section in items:
        if section.endswith("单选题"):
            key = "A" if singles < right_singles else "B"
            answer, singles = "ABC"[order.index(key)], singles + 1
        else:
            answer = True if section.endswith("判断题") else ["甲", "丙"]
        attempts.save_answer(attempt_id, person.id, slot, 1, answer, now=now + timedelta(minutes=slot))
    for minute, kind in events:
        attempts.record_events(attempt_id, person.id, [{"type": kind, "client_time": f"T+{minute}"}],
                               now=now + timedelta(minutes=minute))
    attempts.submit(attempt_id, person.id, now=now + timedelta(minutes=10))
    return attempt_id


def detail(client, attempt_id: int):
    return client.get(f"/exams/manage/attempts/{attempt_id}")


def test_the_instructor_reads_the_graded_paper_with_answers_sections_and_the_timeline(app, as_user, world):
    start = clock.now() - timedelta(minutes=30)
    attempt_id = sit(exam(world), world["t1"], right_singles=1, now=start,
                     events=((5, "hidden"), (6, "visible"), (7, "paste")))
    html = detail(as_user("inst-a"), attempt_id).get_data(as_text=True)
    assert "考生甲" in html and "T1" in html and "交警支队/一大队/一中队" in html
    # 2 + 0 + 1 + 1 (one blank of two) = 4 of 7 points
    assert '<strong id="attempt-score">4</strong>' in html and "/ 7 分" in html and "不合格" in html
    sections = re.findall(r"<tr><td>(.*?)</td><td class=\"text-end\">(\d+)</td>\s*<td[^>]*>(.*?)</td></tr>",
                          re.search(r'id="sections">(.*?)</table>', html, re.S).group(1), re.S)
    assert [(name, count, score.strip()) for name, count, score in sections] == [
        ("一、单选题", "2", "2 / 4"), ("二、判断题", "1", "1 / 1"), ("三、填空题", "1", "1 / 2")]
    statuses = re.findall(r'data-status="(\w+)"', html)
    assert sorted(statuses) == ["correct", "correct", "partial", "wrong"]
    assert html.count("正确答案</span>") == 2  # the two singles' right options are marked
    assert html.count("考生选择</span>") == 2 and EXPLANATION in html
    assert '参考答案：<span class="text-success result-answer" data-field="correct">甲；乙</span>' in html
    assert '考生答案：<span class="result-answer" data-field="answer">甲；丙</span>' in html
    timeline = re.findall(r'<li class="(warning)?" data-what="([^"]+)"><span[^>]*>([^<]+)</span>', html)
    assert [(what, at) for _w, what, at in timeline] == [
        ("开始作答", clock.format_local_dt(start, "MM-dd HH:mm:ss")),
        ("离开考试页面（页面被隐藏）", clock.format_local_dt(start + timedelta(minutes=5), "MM-dd HH:mm:ss")),
        ("回到考试页面", clock.format_local_dt(start + timedelta(minutes=6), "MM-dd HH:mm:ss")),
        ("在答题框中粘贴", clock.format_local_dt(start + timedelta(minutes=7), "MM-dd HH:mm:ss")),
        ("交卷", clock.format_local_dt(start + timedelta(minutes=10), "MM-dd HH:mm:ss"))]
    assert [w for w, what, _at in timeline if what.startswith("离开")] == ["warning"]
    assert "考生设备时间 T+5" in html and "本人交卷" in html and "切屏</dt><dd class=\"col-8\">1 次" in html
    assert "4 / 4 题有保存的答案" in html


def test_only_people_in_reach_read_an_attempt_and_everyone_else_gets_404(app, as_user, world):
    now = clock.now() - timedelta(minutes=30)
    the_exam = exam(world)
    mine, theirs = sit(the_exam, world["t1"], right_singles=2, now=now), sit(the_exam, world["t2"], right_singles=0,
                                                                             now=now)
    assert detail(as_user("T1"), mine).status_code == 404  # the trainee's own: their page is the result page
    assert detail(as_user("admin-b"), mine).status_code == 404
    assert detail(as_user("inst-b"), mine).status_code == 404
    assert detail(as_user("admin-a1"), theirs).status_code == 404  # 二中队 is outside 一中队's admin
    assert detail(as_user("admin-a1"), mine).status_code == 200
    assert detail(as_user("admin-a"), theirs).status_code == 200
    assert detail(as_user("inst-a"), 999_999).status_code == 404
    assert "答卷不存在或不在您的管理范围内" in detail(as_user("admin-b"), mine).get_data(as_text=True)


def test_a_watching_admin_who_also_sits_the_exam_sees_no_answers_until_it_closes(app, as_user, world):
    the_exam = exam(world)
    attempt_id = sit(the_exam, world["t1"], right_singles=2, now=clock.now() - timedelta(minutes=30))
    html = detail(as_user("admin-a1"), attempt_id).get_data(as_text=True)  # admin-a1 is in the audience (一中队)
    assert "考试结束前，这里不显示正确答案和解析" in html
    assert "正确答案</span>" not in html and "参考答案" not in html and EXPLANATION not in html
    assert "考生选择</span>" in html and '<strong id="attempt-score">' in html
    owner = detail(as_user("inst-a"), attempt_id).get_data(as_text=True)  # may change it: sees the bank anyway
    assert "正确答案</span>" in owner and "考试结束前" not in owner
    db.session.get(Exam, the_exam.id).closes_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    html = detail(as_user("admin-a1"), attempt_id).get_data(as_text=True)
    assert "正确答案</span>" in html and EXPLANATION in html


def test_the_detail_costs_the_same_statements_for_a_short_or_a_long_paper(app, as_user, world):
    now, client = clock.now() - timedelta(minutes=30), as_user("inst-a")
    short = sit(exam(world), world["t1"], right_singles=1, now=now)
    long_exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], owner_unit_id=world["a"].id,
                          rules=(("一、单选题", "single", 8, 200), ("二、判断题", "truefalse", 2, 100),
                                 ("三、填空题", "fill", 1, 200)), title="长试卷")
    long = sit(long_exam, world["t1"], right_singles=5, now=now, events=((3, "blur"), (4, "focus")))
    assert statements_for(client, f"/exams/manage/attempts/{short}") == \
        statements_for(client, f"/exams/manage/attempts/{long}")


def test_the_live_view_and_the_results_table_link_to_the_attempt(app, as_user, world):
    the_exam = exam(world)
    attempt_id = sit(the_exam, world["t1"], right_singles=2, now=clock.now() - timedelta(minutes=30))
    client = as_user("inst-a")
    rows = {row["staff_no"]: row for row in client.get(f"/exams/manage/{the_exam.id}/live.json").json["rows"]}
    assert rows["T1"]["attempt_id"] == attempt_id and rows["T2"]["attempt_id"] is None
    live = client.get(f"/exams/manage/{the_exam.id}/live").get_data(as_text=True)
    assert f'data-attempt-link href="/exams/manage/attempts/{attempt_id}"' in live
    assert f'href="/exams/manage/{the_exam.id}/results"' in live
    results = client.get(f"/exams/manage/{the_exam.id}/results").get_data(as_text=True)
    assert f'href="/exams/manage/attempts/{attempt_id}"' in results
    page = client.get(f"/exams/manage/{the_exam.id}").get_data(as_text=True)
    assert f'/exams/manage/{the_exam.id}/results"' in page and f'/exams/manage/{the_exam.id}/units"' in page
    assert f'/exams/manage/{the_exam.id}/results"' in client.get("/exams/manage").get_data(as_text=True)


# --- the trainee's result page -------------------------------------------------------------------


def result(client, attempt_id: int) -> str:
    response = client.get(f"/exams/attempts/{attempt_id}/result")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def history(html: str) -> list[tuple[str, str, bool]]:
    """The history table's rows: (number, score, counts)."""
    table = re.search(r'id="result-history">(.*?)</table>', html, re.S)
    if table is None:
        return []
    found = []
    for row in re.findall(r"<tr[^>]*>\s*<td.*?</tr>", table.group(1), re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found.append((re.sub(r"\s+", "", cells[0]), cells[2], "data-counts" in row))
    return found


def test_the_result_page_shows_section_scores_only_with_the_score(app, as_user, world):
    now = clock.now() - timedelta(minutes=30)
    shown = sit(exam(world, title="公布分数"), world["t1"], right_singles=1, now=now)
    html = result(as_user("T1"), shown)
    table = re.search(r'id="result-sections">(.*?)</table>', html, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)] == [
        "一、单选题", "2", "2 / 4", "二、判断题", "1", "1 / 1", "三、填空题", "1", "1 / 2"]
    hidden = sit(exam(world, title="不公布分数", review_score=False), world["t1"], right_singles=1, now=now)
    html = result(as_user("T1"), hidden)
    assert "result-sections" not in html and "各部分得分" not in html and "2 / 4" not in html
    later = sit(exam(world, title="结束后公布", review_timing="after_close"), world["t1"], right_singles=1, now=now)
    assert "result-sections" not in result(as_user("T1"), later)
    view = as_user("T1").get(f"/api/v1/attempts/{shown}").json["result"]
    assert set(view) == {"score", "max_score", "passed", "pending_manual", "questions"}  # API.md's Result, no more


def test_the_history_lists_every_attempt_and_marks_the_one_that_counts(app, as_user, world):
    now = clock.now() - timedelta(minutes=50)
    the_exam = exam(world, attempts_allowed=3)
    first = sit(the_exam, world["t1"], right_singles=2, now=now)  # 2 + 2 + 1 + 1 = 6
    second = sit(the_exam, world["t1"], right_singles=0, now=now + timedelta(minutes=20))  # 0 + 1 + 1 = 2
    client = as_user("T1")
    assert history(result(client, second)) == [("第1次", "6 / 7", True), ("第2次", "2 / 7", False)]
    html = result(client, second)
    assert "取最高分作为成绩" in html and f'href="/exams/attempts/{first}/result"' in html
    db.session.get(Exam, the_exam.id).counting = "latest"
    db.session.commit()
    assert history(result(client, first)) == [("第1次", "6 / 7", False), ("第2次", "2 / 7", True)]
    single = sit(exam(world, title="一次"), world["t1"], right_singles=1, now=now)
    assert history(result(client, single)) == []  # one attempt: nothing to compare


def test_the_history_reveals_no_hidden_score_not_even_which_attempt_is_higher(app, as_user, world):
    now = clock.now() - timedelta(minutes=50)
    the_exam = exam(world, attempts_allowed=2, review_score=False)
    sit(the_exam, world["t1"], right_singles=2, now=now)
    second = sit(the_exam, world["t1"], right_singles=0, now=now + timedelta(minutes=20))
    client = as_user("T1")
    assert history(result(client, second)) == [("第1次", "未公布", False), ("第2次", "未公布", False)]
    db.session.get(Exam, the_exam.id).counting = "latest"  # the last one counts: that tells nothing
    db.session.commit()
    assert history(result(client, second)) == [("第1次", "未公布", False), ("第2次", "未公布", True)]
