"""Real Chromium on a demo lesson: where the text and the study clock sit (desktop and phone),
the clock counting every second between heartbeats, and the quiz asking before it hands in
unanswered questions.

A live server of its own (demo data plus two fresh trainees) keeps these pages away from the
people the other browser tests use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.bank.starter import load_starter_banks
from app.curriculum.assets import content_root
from app.curriculum.quiz_links import link_quiz_questions
from app.curriculum.services import may_see_course
from app.curriculum.sync import sync_content
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Course, Lesson, Person, QuizAttempt
from app.study.quiz import quiz_items
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in
from tests.factories import make_person

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CONFIRM = "还有 {n} 道题未作答，确定交卷吗？"


@dataclass
class LessonServer:
    url: str
    app: Flask
    lesson_id: int
    quiz_size: int


def _seed() -> tuple[int, int]:
    """Two trainees beside fj001, and a long lesson they may read: three demo lessons' text in one,
    with the quiz of the first demo lesson fj001 may read that has two questions or more."""
    root = content_root()
    sync_content(root)  # as `flask demo load` does: the real courses and starter banks
    load_starter_banks(root / "banks")
    fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
    for staff_no in ("read-a", "quiz-a"):
        make_person(unit=fj001.unit, staff_no=staff_no, name="阅读学员", password=DEMO_PASSWORD,
                    post_id=fj001.post_id)
    lessons = [lesson for lesson in db.session.scalars(select(Lesson).join(Course).order_by(Lesson.id))
               if may_see_course(fj001, lesson.course)]
    link_quiz_questions(lessons)
    quizzed = next(lesson for lesson in lessons if len(quiz_items(lesson)) >= 2)
    course = Course(slug="browser-reading", title="浏览器阅读演示课程", workforces=quizzed.course.workforces,
                    credit_tenths=10, summary="用于浏览器测试的长课时。")
    course.lessons = [Lesson(position=1, file="01.md", title="长课时", min_minutes=30, quiz=quizzed.quiz,
                             body="\n\n".join(lesson.body for lesson in lessons[:3]))]
    db.session.add(course)
    link_quiz_questions(course.lessons)
    db.session.commit()
    return course.lessons[0].id, len(quiz_items(course.lessons[0]))


@pytest.fixture(scope="module")
def lesson_server(tmp_path_factory) -> Iterator[LessonServer]:
    app = live_app(tmp_path_factory.mktemp("lesson-server") / "lesson.sqlite3")
    with app.app_context():
        lesson_id, size = _seed()
        db.session.remove()
    with serving(app) as url:
        yield LessonServer(url, app, lesson_id, size)


@pytest.fixture
def trainee_page(browser: Browser, lesson_server: LessonServer) -> Iterator[Callable[..., Page]]:
    """Return a function that logs a trainee in (real form) at a viewport size and returns the page."""
    with contexts_on(browser, lesson_server.url) as open_new:
        def _open(staff_no: str, viewport: dict) -> Page:
            page = open_new().new_page()
            page.set_viewport_size(viewport)
            log_in(page, staff_no, DEMO_PASSWORD)
            page.wait_for_url(HOME)
            return page

        yield _open


def _in_viewport(box: dict, viewport: dict) -> bool:
    return box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def _read_lesson(page: Page, server: LessonServer, viewport: dict) -> tuple[Locator, Locator, Locator]:
    page.goto(f"/study/lessons/{server.lesson_id}")
    expect(page.locator("#study-state")).to_have_text("计时中。")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * viewport["height"], "the lesson must be long enough to scroll"
    return page.locator("article .lesson-body"), page.locator("#study-clock"), page.get_by_label("本课时目录")


def test_on_a_phone_the_text_comes_first_and_the_clock_stays_in_view(trainee_page, lesson_server, results_dir):
    page = trainee_page("read-a", PHONE)
    text, clock, contents = _read_lesson(page, lesson_server, PHONE)
    page.screenshot(path=results_dir / "phone-top.png")
    text_box, clock_box = text.bounding_box(), clock.bounding_box()
    assert text_box["y"] < PHONE["height"] / 2, "the lesson text starts on the first screen"
    assert text_box["y"] < contents.bounding_box()["y"], "the contents come after the text"
    assert _in_viewport(clock_box, PHONE) and clock_box["height"] <= 110, clock_box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways

    for fraction in (0.4, 0.8):
        page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {fraction})")
        page.wait_for_timeout(200)
        assert _in_viewport(clock.bounding_box(), PHONE), fraction
        expect(page.locator("#study-seconds")).to_be_in_viewport()
    page.screenshot(path=results_dir / "phone-scrolled.png")


def test_on_a_desktop_the_clock_stays_beside_the_text_while_reading(trainee_page, lesson_server, results_dir):
    page = trainee_page("read-a", DESKTOP)
    text, clock, contents = _read_lesson(page, lesson_server, DESKTOP)
    text_box, clock_box = text.bounding_box(), clock.bounding_box()
    assert clock_box["x"] > text_box["x"] + text_box["width"] - 1, "the clock sits right of the text"
    assert contents.bounding_box()["x"] >= clock_box["x"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight * 0.7)")
    page.wait_for_timeout(200)
    assert _in_viewport(clock.bounding_box(), DESKTOP)
    page.screenshot(path=results_dir / "desktop-scrolled.png")


def test_the_clock_counts_every_second_between_heartbeats(trainee_page, lesson_server):
    page = trainee_page("read-a", DESKTOP)
    beats: list[str] = []
    page.on("request", lambda request: beats.append(request.url) if request.url.endswith("/beat") else None)
    _read_lesson(page, lesson_server, DESKTOP)
    seconds = page.locator("#study-seconds")

    def shown() -> int:
        minutes, secs = map(int, re.fullmatch(r"(\d+) 分 (\d+) 秒", seconds.inner_text().strip()).groups())
        return minutes * 60 + secs

    first = shown()
    for step in range(3):
        page.mouse.move(300 + step * 10, 300)
        page.wait_for_timeout(1000)
    assert shown() - first >= 2, "the shown time moves every second while the page is used"
    assert beats == [], "no heartbeat is due yet (every 30 s): the counting is local"


def _answer(question: Locator) -> None:
    choice = question.locator("input[type=radio], input[type=checkbox]")
    if choice.count():
        choice.first.check()
        return
    for field in question.locator("input:not([type=hidden]), textarea").all():
        field.fill("答")


def _attempts(server: LessonServer) -> list[tuple[int, object]]:
    with server.app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.staff_no == "quiz-a"))
        rows = db.session.execute(select(QuizAttempt.id, QuizAttempt.submitted_at)
                                  .where(QuizAttempt.person_id == person_id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_the_quiz_asks_before_handing_in_unanswered_questions(trainee_page, lesson_server, results_dir):
    page = trainee_page("quiz-a", PHONE)
    page.goto(f"/study/lessons/{lesson_server.lesson_id}/quiz")
    page.get_by_role("button", name="开始小测").click()
    questions = page.locator("form fieldset")
    expect(questions).to_have_count(lesson_server.quiz_size)
    _answer(questions.first)
    page.screenshot(path=results_dir / "quiz-one-answered.png", full_page=True)

    asked: list[str] = []

    def cancel(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", cancel)
    page.get_by_role("button", name="交卷").click()
    page.wait_for_timeout(500)
    assert asked == [CONFIRM.format(n=lesson_server.quiz_size - 1)]
    expect(page.get_by_role("button", name="交卷")).to_be_visible()  # still on the quiz, nothing sent
    [(_attempt_id, submitted_at)] = _attempts(lesson_server)
    assert submitted_at is None
    page.remove_listener("dialog", cancel)

    asked_again: list[str] = []
    page.on("dialog", lambda dialog: (asked_again.append(dialog.message), dialog.accept()))
    for question in questions.all()[1:]:
        _answer(question)
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_role("button", name="交卷")).to_have_count(0)
    page.screenshot(path=results_dir / "quiz-result.png", full_page=True)
    assert asked_again == [], "with every question answered the quiz hands in without asking"
    [(_attempt_id, submitted_at)] = _attempts(lesson_server)
    assert submitted_at is not None
