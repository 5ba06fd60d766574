"""Real Chromium on the study clock: a lesson studied to completion, a second tab, a hidden page.

A live server of its own runs with a short heartbeat (STUDY_HEARTBEAT_SECONDS=5) and a short idle
limit, so the tests keep each page "in use" with mouse moves as a learner would. Credit is real
time on the server, so the completion test takes a bit over one real minute (the lesson needs 1).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app import clock
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Assignment, Course, CreditEntry, Lesson, LessonProgress, Person
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in
from tests.factories import make_person

pytestmark = pytest.mark.browser

HEARTBEAT = 5
IDLE = 12
CAP = 20
TIMING = {"STUDY_HEARTBEAT_SECONDS": HEARTBEAT, "STUDY_IDLE_SECONDS": IDLE,
          "STUDY_HEARTBEAT_CAP_SECONDS": CAP}
STUDY_COURSE = "浏览器学习演示课程"
DONE = "本课时已完成"
STOPPED = "此页面已停止计时"
PAUSED = "已暂停"


@dataclass
class StudyServer:
    url: str
    app: Flask
    people: dict[str, int]
    lessons: dict[str, int]


def _course(slug: str, title: str, credit_tenths: int, min_minutes: int) -> Course:
    course = Course(slug=slug, title=title, credit_tenths=credit_tenths, kind="required",
                    summary="用于浏览器测试的课程。")
    course.lessons = [Lesson(position=1, file="01.md", title=f"{title}·第一课", min_minutes=min_minutes,
                             body="## 要点\n\n按规定着装，文明执勤。\n\n## 练习\n\n复述三条要点。")]
    db.session.add(course)
    return course


def _seed() -> tuple[dict[str, int], dict[str, int]]:
    """A one-minute lesson for a fresh trainee beside fj001 (whose demo year is full), and a long
    lesson for three more fresh trainees, all assigned."""
    fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
    short = _course("browser-study", STUDY_COURSE, 5, 1)
    long = _course("browser-clock", "计时规则测试课程", 10, 30)
    first = make_person(unit=fj001.unit, staff_no="study-first", name="首学学员", password=DEMO_PASSWORD)
    tab = make_person(unit=fj001.unit, staff_no="study-tab", name="多开学员", password=DEMO_PASSWORD)
    hidden = make_person(unit=fj001.unit, staff_no="study-hidden", name="后台学员", password=DEMO_PASSWORD)
    back = make_person(unit=fj001.unit, staff_no="study-back", name="回来学员", password=DEMO_PASSWORD)
    today = clock.today()
    for person, course in ((first, short), (tab, long), (hidden, long), (back, long)):
        db.session.add(Assignment(person_id=person.id, course_id=course.id, year=today.year,
                                  due_on=today + timedelta(days=30), origin="admin"))
    db.session.commit()
    people = {p.staff_no: p.id for p in (first, tab, hidden, back)}
    return people, {"short": short.lessons[0].id, "long": long.lessons[0].id}


@pytest.fixture(scope="module")
def study_server(tmp_path_factory) -> Iterator[StudyServer]:
    app = live_app(tmp_path_factory.mktemp("study-server") / "study.sqlite3", **TIMING)
    with app.app_context():
        people, lessons = _seed()
        db.session.remove()
    with serving(app) as url:
        yield StudyServer(url, app, people, lessons)


@pytest.fixture
def learner(browser: Browser, study_server: StudyServer) -> Iterator[Callable[[str], BrowserContext]]:
    """Return a function that logs a trainee in (real form) and returns their browser context."""
    with contexts_on(browser, study_server.url) as open_new:
        def _log_in(staff_no: str) -> BrowserContext:
            context = open_new()
            page = context.new_page()
            log_in(page, staff_no, DEMO_PASSWORD)
            page.wait_for_url(HOME)
            return context

        yield _log_in


def progress(server: StudyServer, staff_no: str, lesson: str) -> tuple[int, object]:
    """(credited seconds, completed_at) of the server-side LessonProgress row."""
    with server.app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.person_id == server.people[staff_no],
            LessonProgress.lesson_id == server.lessons[lesson]))
        result = (row.seconds, row.completed_at) if row else (0, None)
        db.session.remove()
    return result


def stay_active(pages: list[Page], seconds: float, until: Callable[[], bool] | None = None) -> bool:
    """Move the mouse on every page about once a second for `seconds` or until `until()` holds."""
    deadline, step = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        for page in pages:
            page.mouse.move(200 + step % 40 * 7, 300 + step % 9 * 11)
        if until is not None and until():
            return True
        pages[0].wait_for_timeout(1000)
        step += 1
    return until is None


def open_lesson(page: Page, lesson_id: int) -> None:
    page.goto(f"/study/lessons/{lesson_id}")
    expect(page.locator("#study-state")).to_have_text("计时中。")


def test_trainee_studies_a_lesson_and_sees_progress_and_hours_move(learner, study_server, results_dir):
    page = learner("study-first").pages[0]
    page.get_by_role("link", name="学员").click()
    page.get_by_role("link", name="我的学习").click()
    card = page.locator(".card", has=page.get_by_role("link", name=STUDY_COURSE))
    expect(card).to_contain_text("已完成 0/1 课时")
    expect(card.locator(".badge").last).to_have_text("未开始")
    total = page.locator(".card-body .fs-4").first
    expect(total).to_have_text("0.0")
    page.screenshot(path=results_dir / "1-my-learning-before.png", full_page=True)

    page.get_by_role("link", name=STUDY_COURSE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(STUDY_COURSE)
    page.screenshot(path=results_dir / "2-course.png", full_page=True)
    page.get_by_role("link", name=f"{STUDY_COURSE}·第一课").click()
    expect(page.locator("#study-state")).to_have_text("计时中。")
    state = page.locator("#study-state")
    started = time.monotonic()
    stay_active([page], 30)
    page.screenshot(path=results_dir / "3-lesson-halfway.png", full_page=True)
    assert 0 < progress(study_server, "study-first", "short")[0] < 60
    assert stay_active([page], 90, until=lambda: DONE in state.inner_text()), state.inner_text()
    elapsed = time.monotonic() - started
    expect(page.locator("#study-seconds")).to_contain_text("1 分")
    expect(page.locator("#study-bar .progress-bar")).to_have_attribute("style", "width: 100%;")
    page.screenshot(path=results_dir / "4-lesson-complete.png", full_page=True)

    seconds, completed_at = progress(study_server, "study-first", "short")
    assert 60 <= seconds <= elapsed + 1 and completed_at is not None
    with study_server.app.app_context():
        entries = db.session.scalars(select(CreditEntry).where(
            CreditEntry.person_id == study_server.people["study-first"], CreditEntry.source_type == "course")).all()
        assert [(e.tenths, e.note) for e in entries] == [(5, STUDY_COURSE)]
        assignment = db.session.scalar(select(Assignment).where(
            Assignment.person_id == study_server.people["study-first"]))
        assert assignment.started_at is not None and assignment.completed_at is not None
        db.session.remove()

    page.locator(".breadcrumb").get_by_role("link", name="我的学习").click()
    expect(card).to_contain_text("已完成 1/1 课时")
    expect(card.locator(".badge").last).to_have_text("已完成")
    expect(card.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "100")
    expect(total).to_have_text("0.5")
    ledger = page.locator("table tbody tr")
    expect(ledger).to_have_count(1)
    expect(ledger).to_contain_text(re.compile(rf"课程学习\s*\S+\s*0\.5\s*{STUDY_COURSE}"))
    page.screenshot(path=results_dir / "5-my-learning-after.png", full_page=True)


def test_a_second_tab_earns_nothing_in_parallel(learner, study_server, results_dir):
    context = learner("study-tab")
    first = context.pages[0]
    started = time.monotonic()
    open_lesson(first, study_server.lessons["long"])
    stay_active([first], HEARTBEAT + 2)
    second = context.new_page()
    open_lesson(second, study_server.lessons["long"])
    stay_active([first, second], 20)

    expect(first.locator("#study-state")).to_contain_text(STOPPED)
    expect(first.get_by_role("button", name="在此页面继续计时")).to_be_visible()
    expect(second.locator("#study-state")).to_have_text("计时中。")
    first.screenshot(path=results_dir / "first-tab-stopped.png", full_page=True)
    second.screenshot(path=results_dir / "second-tab-counting.png", full_page=True)
    seconds, _ = progress(study_server, "study-tab", "long")
    elapsed = time.monotonic() - started
    # Both tabs beat for ~20 s: double counting would credit ~40 s more than the real time.
    assert 2 * HEARTBEAT <= seconds <= elapsed + 1, (seconds, elapsed)


def _hide(page: Page, hidden: bool) -> None:
    """Make the page report itself hidden (or visible again) and fire visibilitychange."""
    page.evaluate("""(hidden) => {
        Object.defineProperty(document, 'visibilityState',
                              {configurable: true, get: () => hidden ? 'hidden' : 'visible'});
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
        document.dispatchEvent(new Event('visibilitychange'));
    }""", hidden)


def _beats(page: Page) -> list[float]:
    """Record the time of every heartbeat request the page sends from now on."""
    sent: list[float] = []
    page.on("request", lambda r: sent.append(time.monotonic()) if r.url.endswith("/beat") else None)
    return sent


def _study_then_hide(page: Page, server: StudyServer, staff_no: str) -> tuple[int, list[float]]:
    """Study until a heartbeat is answered, then hide the page and keep using it for two beats."""
    open_lesson(page, server.lessons["long"])
    with page.expect_response(re.compile(r"/beat$"), timeout=(HEARTBEAT + 5) * 1000):
        stay_active([page], HEARTBEAT + 2)
    before, _ = progress(server, staff_no, "long")
    assert before > 0
    sent = _beats(page)
    _hide(page, True)
    stay_active([page], 2 * HEARTBEAT + 1)
    return before, sent


def test_hidden_page_earns_nothing(learner, study_server, results_dir):
    page = learner("study-hidden").pages[0]
    before, sent = _study_then_hide(page, study_server, "study-hidden")

    expect(page.locator("#study-state")).to_contain_text(PAUSED)
    page.screenshot(path=results_dir / "hidden-paused.png", full_page=True)
    assert sent == [], "a hidden page must not send heartbeats"
    assert progress(study_server, "study-hidden", "long")[0] == before


def test_time_spent_hidden_is_not_credited_when_the_page_returns(learner, study_server, results_dir):
    page = learner("study-back").pages[0]
    before, _ = _study_then_hide(page, study_server, "study-back")
    _hide(page, False)
    shown = time.monotonic()
    with page.expect_response(re.compile(r"/beat$"), timeout=(HEARTBEAT + 5) * 1000):
        stay_active([page], HEARTBEAT + 2)
    expect(page.locator("#study-state")).to_have_text("计时中。")
    page.screenshot(path=results_dir / "visible-again.png", full_page=True)
    earned = progress(study_server, "study-back", "long")[0] - before
    assert earned <= time.monotonic() - shown + 1, f"earned {earned} s, visible again for only " \
        f"{time.monotonic() - shown:.1f} s"
