"""The trainee's exam pages: 我的考试 (lists, statuses, results, scope), starting, the exam page's
shell (owner only, nothing secret in it) and the result page's review-policy gating."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.passwords import hash_password
from app.exams import attempts
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, QuestionVersion
from tests.factories import make_exam, make_exam_questions, make_world

EXPLANATION = "解析：此为机密解析文字"


@pytest.fixture
def world(app):
    world = make_world(bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"},
                                          "t2": {"unit": "a1", "staff_no": "T2"},
                                          "outsider": {"unit": "b1", "staff_no": "T3"}})
    make_exam_questions(world["cat_a"], single=8, truefalse=2, fill=1)
    for version in db.session.scalars(select(QuestionVersion)):
        version.data = version.data | {"explanation": EXPLANATION}
    db.session.commit()
    return world


RULES = (("一、单选题", "single", 2, 200), ("二、判断题", "truefalse", 1, 100), ("三、填空题", "fill", 1, 200))


def exam(world, **fields):
    return make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES, **fields)


def attempts_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def finished_attempt(exam_obj, person, *, correct_first: bool = True) -> Attempt:
    """An attempt with slot 1 answered (right, or wrong) and submitted through the services."""
    now = clock.now()
    attempt, _ = attempts.start(exam_obj.id, person.id, now=now)
    item = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt.id, slot=1))
    key = "A" if correct_first else "B"  # single_choice_data: A is right
    letter = "ABCDEFG"[item.option_order.index(key)]
    attempts.save_answer(attempt.id, person.id, 1, 1, letter, now=now)
    return attempts.submit(attempt.id, person.id, now=now)


def section(html: str, key: str) -> str:
    match = re.search(rf'<section class="mb-4" id="exams-{key}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def test_my_exams_groups_every_exam_with_its_status_window_and_result(app, world, as_user):
    open_exam = exam(world, title="开放中的考试", attempts_allowed=2, duration_minutes=45)
    exam(world, title="带密码的考试", password_hash=hash_password("mima"))
    exam(world, title="下周的考试", opens_at=clock.now() + timedelta(days=7), closes_at=clock.now() + timedelta(days=8))
    done = exam(world, title="考完的考试")
    finished_attempt(done, world["t1"])
    later = exam(world, title="结束后公布的考试", review_timing="after_close")
    finished_attempt(later, world["t1"])
    secret = exam(world, title="不公布的考试", review_timing="never")
    finished_attempt(secret, world["t1"])
    running = exam(world, title="作答中的考试")
    attempt, _ = attempts.start(running.id, world["t1"].id, now=clock.now())
    exam(world, title="别人的考试").audience[0].unit_id = world["b"].id
    db.session.commit()
    before = attempts_count()

    html = as_user("T1").get("/exams/mine").get_data(as_text=True)
    available, upcoming, past = (section(html, key) for key in ("available", "upcoming", "past"))
    assert "开放中的考试" in available and "带密码的考试" in available and "作答中的考试" in available
    assert available.index("作答中的考试") < available.index("开放中的考试")  # the running one first
    assert "下周的考试" in upcoming and "未开始" in upcoming
    assert all(title in past for title in ("考完的考试", "结束后公布的考试", "不公布的考试"))
    assert "别人的考试" not in html
    card = re.search(r"开放中的考试.*?</form>", available, re.S).group(0)
    assert "可参加" in card and "限时 45 分钟" in card and "剩余 2 次" in card
    assert f'action="/exams/{open_exam.id}/start"' in card and "开始考试" in card
    local_open = clock.format_local_dt(open_exam.opens_at)
    assert f"考试时间：{local_open} 至 {clock.format_local_dt(open_exam.closes_at)}" in card
    assert 'name="password"' in re.search(r"带密码的考试.*?</form>", available, re.S).group(0)
    assert 'name="password"' not in card
    assert f'href="/exams/attempts/{attempt.id}"' in available and "继续作答" in available
    done_card = re.search(r"考完的考试.*?</div></div>", past, re.S).group(0)
    assert "已完成" in done_card and "<strong>2</strong> / 7 分" in done_card and "不合格" in done_card
    assert "查看详情" in done_card
    assert f"成绩将于 {clock.format_local_dt(later.closes_at)} 考试结束后公布" in past
    assert "本场考试不向考生公布成绩" in re.search(r"不公布的考试.*?</div></div>", past, re.S).group(0)
    assert attempts_count() == before  # the list only reads


def test_an_outsider_sees_the_empty_state_that_says_what_to_do(app, world, as_user):
    exam(world, title="一大队的考试")
    html = as_user("T3").get("/exams/mine").get_data(as_text=True)
    assert "一大队的考试" not in html and "目前没有面向您的考试" in html and "开始考试" in html


def test_the_trainee_menu_leads_to_my_exams(app, world, as_user):
    assert 'href="/exams/mine">我的考试' in as_user("T1").get("/").get_data(as_text=True)


def test_starting_from_the_page_is_idempotent_and_refusals_change_nothing(app, world, as_user):
    open_exam = exam(world)
    locked = exam(world, title="带密码的考试", password_hash=hash_password("mima"))
    client = as_user("T1")
    first = client.post(f"/exams/{open_exam.id}/start")
    attempt = db.session.scalar(select(Attempt).filter_by(exam_id=open_exam.id))
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/exams/attempts/{attempt.id}")
    again = client.post(f"/exams/{open_exam.id}/start")
    assert again.headers["Location"] == first.headers["Location"] and attempts_count() == 1

    wrong = client.post(f"/exams/{locked.id}/start", data={"password": "nope"}, follow_redirects=True)
    assert "考试密码不正确" in wrong.get_data(as_text=True) and attempts_count() == 1
    assert client.post(f"/exams/{locked.id}/start", data={"password": "mima"}).status_code == 302
    assert attempts_count() == 2

    assert as_user("T3").post(f"/exams/{open_exam.id}/start").status_code == 404
    assert attempts_count() == 2


def test_the_exam_page_is_a_shell_for_its_owner_only_with_nothing_secret(app, world, as_user):
    one = exam(world, title="外壳考试", one_per_page=True, switch_limit=2)
    client = as_user("T1")
    client.post(f"/exams/{one.id}/start")
    attempt = db.session.scalar(select(Attempt))
    response = client.get(f"/exams/attempts/{attempt.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "外壳考试" in html
    assert f'data-api="/api/v1/attempts/{attempt.id}"' in html
    assert f'data-deadline="{clock.isoformat(attempt.deadline)}"' in html
    assert 'data-one-per-page="1"' in html and 'data-switch-limit="2"' in html
    assert '<script src="/static/exam.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    items = db.session.scalars(select(AttemptItem).filter_by(attempt_id=attempt.id)).all()
    versions = db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_([i.question_version_id for i in items]))).all()
    stems = [v.data["stem"] for v in versions]
    options = [o["text"] for v in versions for o in v.data.get("options", ())]
    for secret in (EXPLANATION, "weight", "正确选项", "question_id", "version", *stems, *options):
        assert secret not in html, secret
    numbers = set(map(int, re.findall(r'data-[\w-]+="(\d+)"', html)))
    assert numbers <= {attempt.id, 1, 2}  # the attempt, one-per-page, the limit; no question ids

    assert as_user("T2").get(f"/exams/attempts/{attempt.id}").status_code == 404
    assert client.get("/exams/attempts/999999").status_code == 404
    attempts.submit(attempt.id, world["t1"].id, now=clock.now())
    done = client.get(f"/exams/attempts/{attempt.id}")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/exams/attempts/{attempt.id}/result")


def test_the_result_page_shows_everything_the_policy_allows(app, world, as_user):
    full = exam(world, title="全公布的考试", review_answers=True, review_explanations=True)
    attempt = finished_attempt(full, world["t1"])
    html = as_user("T1").get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<strong id="result-score">2</strong>' in html and "/ 7 分" in html and "不合格" in html
    assert html.count('class="card mb-3 exam-review"') == 4
    assert "正确</span>" in html and html.count('ms-auto">未作答</span>') == 3  # slot 1 right, the rest unanswered
    assert "错误</span>" not in html
    assert "正确答案" in html and "您的选择" in html and EXPLANATION in html
    assert "参考答案：<span class=\"text-success\">对</span>" in html  # 判断 shows 对/错
    assert "参考答案：<span class=\"text-success\">甲；乙</span>" in html  # 填空, one per blank
    assert "本人交卷" in html


def test_the_result_page_hides_what_the_policy_hides(app, world, as_user):
    client = as_user("T1")
    score_only = exam(world, review_correctness=False)
    html = client.get(f"/exams/attempts/{finished_attempt(score_only, world['t1']).id}/result").get_data(as_text=True)
    assert '<strong id="result-score">2</strong>' in html
    assert "exam-review" not in html and "正确答案" not in html and EXPLANATION not in html

    no_answers = exam(world)  # the default: score and right/wrong, no correct answers or explanations
    wrong = finished_attempt(no_answers, world["t1"], correct_first=False)
    html = client.get(f"/exams/attempts/{wrong.id}/result").get_data(as_text=True)
    assert "错误</span>" in html and "正确答案" not in html and "参考答案" not in html and EXPLANATION not in html

    never = exam(world, review_timing="never", review_answers=True)
    html = client.get(f"/exams/attempts/{finished_attempt(never, world['t1']).id}/result").get_data(as_text=True)
    assert "不向考生公布" in html and "result-score" not in html and "exam-review" not in html

    later = exam(world, review_timing="after_close", review_answers=True)
    attempt = finished_attempt(later, world["t1"])
    html = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f"成绩将于 {clock.format_local_dt(later.closes_at)}" in html and "result-score" not in html
    db.session.get(Exam, later.id).closes_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<strong id="result-score">2</strong>' in html and "正确答案" in html

    assert as_user("T2").get(f"/exams/attempts/{attempt.id}/result").status_code == 404


def test_the_result_page_of_a_running_attempt_leads_back_and_closes_an_overdue_one(app, world, as_user):
    running = exam(world)
    client = as_user("T1")
    client.post(f"/exams/{running.id}/start")
    attempt = db.session.scalar(select(Attempt))
    back = client.get(f"/exams/attempts/{attempt.id}/result")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/exams/attempts/{attempt.id}")
    assert db.session.get(Attempt, attempt.id).state == "in_progress"

    attempt.deadline = clock.now() - timedelta(minutes=5)  # past the deadline and the grace
    db.session.commit()
    html = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt.id)
    assert closed.state == "finished" and closed.submitted_by == "timeout" and closed.score == 0
    assert "时间到，系统自动交卷" in html and '<strong id="result-score">0</strong>' in html


def test_my_exams_costs_the_same_statements_for_two_exams_or_eight(app, world, as_user):
    """Exams, attempts and overrides are read once for the whole list (not once per exam or attempt)."""
    from app.models import ExamOverride
    from tests.sql_budget import statements_for

    def add(count):
        for n in range(count):
            made = exam(world, title=f"考试{n}", review_timing="after_close")
            finished_attempt(made, world["t1"])
            db.session.add(ExamOverride(exam_id=made.id, person_id=world["t1"].id, extra_attempts=1, reason="补考"))
        db.session.commit()

    client = as_user("T1")
    add(2)
    few = statements_for(client, "/exams/mine")
    add(6)
    many = statements_for(client, "/exams/mine")
    assert many == few, (few, many)
