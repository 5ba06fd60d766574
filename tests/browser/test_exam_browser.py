"""Real Chromium taking exams through the exam page (static/exam.js on /api/v1).

A live server of its own runs on demo data plus a small bank with every question type; each test
makes its own trainee and exam, so the tests do not share attempts. The database is read directly
to check that what the page says was saved really was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Attempt, AttemptItem, Person, QuestionCategory, QuestionVersion
from question_bank.assembly import to_display_letters
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in
from tests.factories import make_bank_category, make_exam, make_exam_questions, make_person

pytestmark = pytest.mark.browser

EVERY_TYPE = (("一、单选题", "single", 2, 200), ("二、多选题", "multiple", 1, 300), ("三、判断题", "truefalse", 1, 100),
              ("四、填空题", "fill", 1, 200), ("五、简答题", "essay", 1, 1000))
OFFLINE = "网络已断开，答案已保存在本机，恢复后将自动提交到服务器"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class ExamServer:
    url: str
    app: Flask
    category_id: int


@pytest.fixture(scope="module")
def exam_server(tmp_path_factory) -> Iterator[ExamServer]:
    app = live_app(tmp_path_factory.mktemp("exam-server") / "exam.sqlite3")
    with app.app_context():
        category = make_bank_category("浏览器考试题库")
        make_exam_questions(category, single=6, multiple=2, truefalse=2, fill=2, essay=1)
        category_id = category.id
        db.session.remove()
    with serving(app) as url:
        yield ExamServer(url, app, category_id)


@pytest.fixture
def trainee(browser: Browser, exam_server: ExamServer) -> Iterator[Callable[..., tuple[Page, int]]]:
    """Return a function that makes a trainee with an exam of their own, logs them in (real form)
    and returns (their page, the exam id); confirm dialogs are accepted as a person would."""
    with contexts_on(browser, exam_server.url) as open_new:
        def _make(staff_no: str, rules=EVERY_TYPE, **fields) -> tuple[Page, int]:
            with exam_server.app.app_context():
                fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
                person = make_person(unit=fj001.unit, staff_no=staff_no, name="考试学员", password=DEMO_PASSWORD)
                exam = make_exam(category=db.session.get(QuestionCategory, exam_server.category_id), rules=rules,
                                 audience_people=[person], title=fields.pop("title", "浏览器测试考试"), **fields)
                exam_id = exam.id
                db.session.remove()
            page = open_new().new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            log_in(page, staff_no, DEMO_PASSWORD)
            page.wait_for_url(HOME)
            return page, exam_id

        yield _make


def start_exam(page: Page, exam_id: int) -> int:
    page.goto("/exams/mine")
    page.locator(f'form[action="/exams/{exam_id}/start"] button').click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+$"))
    expect(page.locator(".exam-q").first).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


def stored(server: ExamServer, attempt_id: int) -> dict[int, dict]:
    """Each slot's type, seq and saved answer (in the letters the trainee saw), from the database."""
    with server.app.app_context():
        rows = db.session.execute(select(AttemptItem, QuestionVersion.data["type"].as_string())
                                  .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                                  .where(AttemptItem.attempt_id == attempt_id)).all()
        result = {item.slot: {"type": qtype, "seq": item.seq,
                              "response": to_display_letters(item.response, item.option_order),
                              "right": to_display_letters(_right(item), item.option_order)}
                  for item, qtype in rows}
        db.session.remove()
    return result


def _right(item: AttemptItem):
    data = item.version.data
    if data["type"] == "single":
        return next(o["key"] for o in data["options"] if o["weight"] == 100)
    if data["type"] == "multiple":
        return sorted(o["key"] for o in data["options"] if o["weight"] > 0)
    return None


def attempt_row(server: ExamServer, attempt_id: int) -> Attempt:
    with server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge(attempt)
        db.session.remove()
    return attempt


def slots_by_type(server: ExamServer, attempt_id: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for slot, row in sorted(stored(server, attempt_id).items()):
        found.setdefault(row["type"], []).append(slot)
    return found


def choose(page: Page, slot: int, letters) -> None:
    for letter in [letters] if isinstance(letters, str) else letters:
        page.locator(f'#q-{slot} input[value="{letter}"]').check()


def expect_saved(page: Page, slots) -> None:
    for slot in slots:
        expect(page.locator(f"#q-{slot} .exam-mark")).to_have_text("已保存", timeout=15_000)


def shoot(page: Page, folder: Path, name: str, *, phone: bool = False) -> None:
    page.set_viewport_size(PHONE if phone else DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=folder / f"{name}-{'390' if phone else '1280'}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_take_an_exam_of_every_type_reload_midway_and_submit_with_the_unanswered_listed(
        trainee, exam_server, results_dir):
    page, exam_id = trainee("exam-all", review_answers=True, review_explanations=True)
    page.get_by_role("link", name="学员").click()
    page.get_by_role("link", name="我的考试").click()
    expect(page.locator("#exams-available")).to_contain_text("浏览器测试考试")
    shoot(page, results_dir, "1-my-exams")
    shoot(page, results_dir, "1-my-exams", phone=True)
    attempt_id = start_exam(page, exam_id)
    slots = slots_by_type(exam_server, attempt_id)
    rows = stored(exam_server, attempt_id)
    assert len(rows) == 6 and all(row["seq"] == 0 for row in rows.values())
    single, skipped = slots["single"]
    multiple, truefalse, fill, essay = slots["multiple"][0], slots["truefalse"][0], slots["fill"][0], slots["essay"][0]

    choose(page, single, rows[single]["right"])
    choose(page, multiple, rows[multiple]["right"])
    page.locator(f'#q-{truefalse} input[value="true"]').check()
    expect_saved(page, [single, multiple, truefalse])
    expect(page.locator(f"#q-{skipped} .exam-mark")).to_have_text("未作答")
    saved = stored(exam_server, attempt_id)
    assert saved[single]["response"] == rows[single]["right"] and saved[single]["seq"] == 1
    assert saved[multiple]["response"] == rows[multiple]["right"] and saved[truefalse]["response"] is True

    page.reload()  # mid-way: the answers come back from the server
    expect(page.locator(f'#q-{single} input[value="{rows[single]["right"]}"]')).to_be_checked()
    for letter in rows[multiple]["right"]:
        expect(page.locator(f'#q-{multiple} input[value="{letter}"]')).to_be_checked()
    expect(page.locator(f'#q-{truefalse} input[value="true"]')).to_be_checked()
    expect_saved(page, [single, multiple, truefalse])
    expect(page.locator("#exam-count")).to_have_text("已答 3 / 6")

    blanks = page.locator(f"#q-{fill} .exam-blank")
    blanks.nth(0).fill("甲")
    blanks.nth(1).fill("乙")
    page.locator(f"#q-{essay} textarea").fill("先警示，后处置，全程记录。")
    page.locator(f"#q-{truefalse} .exam-flag").click()  # flagged: only on this machine
    expect_saved(page, [fill, essay])
    saved = stored(exam_server, attempt_id)
    assert saved[fill]["response"] == ["甲", "乙"] and saved[essay]["response"] == "先警示，后处置，全程记录。"
    assert saved[single]["seq"] == 1  # nothing re-sent after the reload
    expect(page.locator(f'.exam-nav-btn[data-slot="{truefalse}"]')).to_have_class(re.compile("flagged"))
    expect(page.locator(f'.exam-nav-btn[data-slot="{skipped}"]')).not_to_have_class(re.compile("answered"))
    shoot(page, results_dir, "2-exam-page")
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="答题卡").click()
    expect(page.locator("#exam-nav-grid")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=results_dir / "2-exam-page-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.locator("#exam-submit").click()
    expect(page.locator("#exam-confirm")).to_be_visible()
    expect(page.locator("#exam-confirm .exam-unanswered")).to_have_text(f"还有 1 题未作答：第 {skipped} 题。")
    page.get_by_role("button", name="返回检查").click()
    expect(page.locator("#exam-confirm")).to_be_hidden()
    assert attempt_row(exam_server, attempt_id).state == "in_progress"
    page.locator("#exam-submit").click()
    page.get_by_role("button", name="确认交卷").dblclick()  # a double click is harmless
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")

    attempt = attempt_row(exam_server, attempt_id)
    assert attempt.state == "finished" and attempt.submitted_by == "trainee" and attempt.pending_manual
    assert attempt.score == 800 and attempt.max_score == 2000  # 2 + 3 + 1 + 2 right; the essay awaits grading
    expect(page.locator("#result-score")).to_have_text("8")
    expect(page.locator(".exam-result")).to_contain_text("待阅卷")
    expect(page.locator(f"#q-{skipped} .card-header .badge")).to_have_text("未作答")
    expect(page.locator(f"#q-{fill}")).to_contain_text("您的答案：甲；乙")
    assert page.evaluate(f"localStorage.getItem('exam-attempt:{attempt_id}')") is None  # nothing left behind
    shoot(page, results_dir, "3-result")
    shoot(page, results_dir, "3-result", phone=True)


def test_answers_given_offline_reach_the_server_when_the_network_returns(trainee, exam_server, results_dir):
    page, exam_id = trainee("exam-offline", rules=(("一、单选题", "single", 3, 200), ("二、填空题", "fill", 1, 200)))
    attempt_id = start_exam(page, exam_id)
    slots = slots_by_type(exam_server, attempt_id)
    first, second, third = slots["single"]
    fill = slots["fill"][0]
    choose(page, first, "A")
    expect_saved(page, [first])

    page.context.set_offline(True)
    choose(page, first, "B")  # changed while offline: the newer answer must win
    choose(page, second, "C")
    choose(page, third, "A")
    page.locator(f"#q-{fill} .exam-blank").nth(0).fill("离线填写")
    expect(page.locator("#exam-notice")).to_contain_text(OFFLINE)
    for slot in (first, second, third, fill):
        expect(page.locator(f"#q-{slot} .exam-mark")).to_have_text("未保存")
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('exam-attempt:{attempt_id}')).pending")
    assert {int(slot): entry["response"] for slot, entry in queued.items()} == \
        {first: "B", second: "C", third: "A", fill: ["离线填写", ""]}
    before = stored(exam_server, attempt_id)
    assert before[first]["response"] == "A" and before[second]["seq"] == 0 and before[fill]["seq"] == 0
    shoot(page, results_dir, "1-offline")
    shoot(page, results_dir, "1-offline", phone=True)

    page.context.set_offline(False)
    expect_saved(page, [first, second, third, fill])
    expect(page.locator("#exam-notice")).to_be_hidden()
    after = stored(exam_server, attempt_id)
    assert {slot: after[slot]["response"] for slot in (first, second, third, fill)} == \
        {first: "B", second: "C", third: "A", fill: ["离线填写", ""]}
    assert after[first]["seq"] == 2
    assert page.evaluate(f"JSON.parse(localStorage.getItem('exam-attempt:{attempt_id}')).pending") == {}

    page.reload()
    expect(page.locator(f'#q-{first} input[value="B"]')).to_be_checked()
    expect(page.locator(f'#q-{second} input[value="C"]')).to_be_checked()
    expect(page.locator(f"#q-{fill} .exam-blank").nth(0)).to_have_value("离线填写")

    # A page closed while offline: the next page shows the unsent answer over the server's and sends it.
    page.context.set_offline(True)
    choose(page, second, "A")
    expect(page.locator(f"#q-{second} .exam-mark")).to_have_text("未保存")
    context = page.context
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"/exams/attempts/{attempt_id}")
    expect(again.locator(f'#q-{second} input[value="A"]')).to_be_checked()
    expect_saved(again, [second])
    final = stored(exam_server, attempt_id)
    assert final[second]["response"] == "A" and final[second]["seq"] == 2


def test_the_page_submits_itself_when_the_servers_time_runs_out(trainee, exam_server, results_dir):
    page, exam_id = trainee("exam-time", rules=(("一、单选题", "single", 2, 200),), duration_minutes=60)
    # The trainee's computer is two hours fast: the countdown must still follow the server.
    page.add_init_script("(() => { const real = Date.now.bind(Date); Date.now = () => real() + 2 * 3600 * 1000; })()")
    attempt_id = start_exam(page, exam_id)
    expect(page.locator("#exam-clock")).to_have_text(re.compile(r"^剩余 (59|60):\d\d$"))
    with exam_server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline = clock.now() + timedelta(seconds=6)
        db.session.commit()
        db.session.remove()
    choose(page, 1, "A")  # the save's answer carries the new deadline
    expect_saved(page, [1])
    expect(page.locator("#exam-clock")).to_have_text(re.compile(r"^剩余 0:0\d$"))
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result", timeout=20_000)
    attempt = attempt_row(exam_server, attempt_id)
    assert attempt.state == "finished" and attempt.score is not None
    assert stored(exam_server, attempt_id)[1]["response"] == "A"
    expect(page.locator("#result-score")).to_have_text(str(int(attempt.score / 100)))


def _switch_away_and_back(page: Page) -> None:
    # One script for both events: the switch past the limit submits and navigates, which must not
    # land between two evaluate calls (the second would find its page gone).
    page.evaluate("""() => {
        for (const hidden of [true, false]) {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
            Object.defineProperty(document, 'visibilityState', {configurable: true,
                                                                get: () => hidden ? 'hidden' : 'visible'});
            document.dispatchEvent(new Event('visibilitychange'));
        }
    }""")


def test_leaving_the_page_past_the_limit_submits_and_flags_the_attempt(trainee, exam_server, results_dir):
    page, exam_id = trainee("exam-switch", rules=(("一、单选题", "single", 2, 200),), switch_limit=2)
    attempt_id = start_exam(page, exam_id)
    expect(page.locator("#exam-switches")).to_have_text("切屏 0 / 2 次")
    _switch_away_and_back(page)
    expect(page.locator("#exam-switches")).to_have_text("切屏 1 / 2 次")
    expect(page.locator("#exam-tip")).to_contain_text("超过 2 次将自动交卷")
    _switch_away_and_back(page)
    expect(page.locator("#exam-switches")).to_have_text("切屏 2 / 2 次")
    assert attempt_row(exam_server, attempt_id).state == "in_progress"
    _switch_away_and_back(page)
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")
    attempt = attempt_row(exam_server, attempt_id)
    assert attempt.state == "finished" and attempt.flagged and attempt.submitted_by == "switches"
    assert attempt.switches == 3
    expect(page.locator(".alert-warning")).to_contain_text("离开考试页面的次数超过限制")


def test_a_newer_save_from_another_device_wins_over_an_older_local_one(trainee, exam_server):
    page, exam_id = trainee("exam-device", rules=(("一、单选题", "single", 2, 200),))
    attempt_id = start_exam(page, exam_id)
    with exam_server.app.app_context():  # another device saved slot 1 after this page loaded
        item = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt_id, slot=1))
        item.seq, item.response = 5, item.option_order[1]  # "B" as this paper shows it
        db.session.commit()
        db.session.remove()
    choose(page, 1, "A")  # sent with seq 1: refused (409, stored seq 5), so the server's B stands
    expect(page.locator('#q-1 input[value="B"]')).to_be_checked()
    expect_saved(page, [1])
    assert stored(exam_server, attempt_id)[1] | {"right": None} == \
        {"type": "single", "seq": 5, "response": "B", "right": None}
    choose(page, 1, "C")  # a later change gets a seq above the server's
    expect_saved(page, [1])
    assert stored(exam_server, attempt_id)[1]["seq"] == 6 and stored(exam_server, attempt_id)[1]["response"] == "C"
