"""Real Chromium at phone width: a trainee practises a 题库分类, checks an answer (核对), sees the
feedback (again after a reload), the answer locked, and finds the question in the 错题本."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import AttemptItem, Person, WrongBookEntry
from question_bank.assembly import to_display_letters
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in
from tests.factories import make_bank_category, make_exam_questions, make_person

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, object, int]]:
    app = live_app(tmp_path_factory.mktemp("practice-server") / "practice.sqlite3")
    with app.app_context():
        category = make_bank_category("浏览器练习题库")  # the shared bank: every trainee may practise it
        make_exam_questions(category, single=12)
        fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
        make_person(unit=fj001.unit, staff_no="practice-1", name="练习学员", password=DEMO_PASSWORD)
        category_id = category.id
        db.session.remove()
    with serving(app) as url:
        yield url, app, category_id


def _slot_one(app, attempt_id: int) -> tuple[str, str, int]:
    """(the right letter, a wrong letter, the question id) of slot 1 as the trainee sees it."""
    with app.app_context():
        item = db.session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                                           AttemptItem.slot == 1))
        right = to_display_letters("A", item.option_order)
        wrong = to_display_letters("B", item.option_order)
        question_id = item.question_id
        db.session.remove()
    return right, wrong, question_id


def test_a_trainee_practises_checks_an_answer_and_finds_it_in_the_wrong_book(browser: Browser, server):
    url, app, category_id = server
    with contexts_on(browser, url) as open_new:
        context = open_new()
        page = context.new_page()
        page.set_viewport_size(PHONE)
        log_in(page, "practice-1", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.goto("/exams/practice")
        expect(page.locator("#practice-history")).to_have_count(0)
        page.select_option("#source", f"category:{category_id}")
        page.get_by_label("10 题").check()
        page.get_by_label("不限时").check()
        page.get_by_role("button", name="开始练习").click()
        page.wait_for_url(re.compile(r"/exams/attempts/\d+$"))
        attempt_id = int(page.url.rsplit("/", 1)[1])
        expect(page.locator("#exam-clock")).to_have_text("不限时")
        expect(page.locator(".exam-check")).to_have_count(10)
        right, wrong, question_id = _slot_one(app, attempt_id)

        page.locator(f'#q-1 input[value="{wrong}"]').check()
        page.locator("#q-1 .exam-check").click()
        feedback = page.locator("#q-1 .exam-feedback")
        expect(feedback).to_contain_text("回答错误")
        expect(feedback).to_contain_text(f"正确答案：{right}")
        expect(page.locator(f'#q-1 input[value="{right}"]')).to_be_disabled()
        expect(page.locator("#q-1 .exam-check")).to_have_count(0)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

        page.reload()  # the checks come back from the API
        expect(page.locator("#q-1 .exam-feedback")).to_contain_text("回答错误")
        expect(page.locator(f'#q-1 input[value="{wrong}"]')).to_be_checked()
        expect(page.locator(".exam-check")).to_have_count(9)

        with app.app_context():
            entry = db.session.scalar(select(WrongBookEntry).where(WrongBookEntry.question_id == question_id))
            assert entry is not None and entry.mastered_at is None
            db.session.remove()
        page.goto("/exams/wrong-book")
        expect(page.locator(".wrong-book-entry")).to_have_count(1)
        expect(page.locator(".wrong-book-entry")).to_contain_text("正确答案")
        expect(page.get_by_role("button", name="练习我的错题")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.goto("/exams/practice")
        expect(page.locator("#practice-history")).to_contain_text("浏览器练习题库")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
