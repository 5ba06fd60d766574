"""The Content-Security-Policy lets the main pages run: Chromium reports no violation (issue 9).

(`contexts_on` fails every browser test whose pages broke the policy; these tests walk the main
pages of each role and drive the scripts that replaced inline ones.)
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Course, Lesson
from tests.browser.conftest import contexts_on, live_app, open_context, serving, watch_csp
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "admin": ["/", "/org/units", "/org/people", "/org/workforces", "/org/import", "/org/people/new",
              "/classes/", "/classes/new", "/study/admin/assignments", "/study/admin/compliance"],
    "jiaoguan": ["/", "/curriculum/courses", "/curriculum/competencies", "/bank/", "/bank/import",
                 "/bank/review", "/bank/categories"],
    "fj001": ["/", "/study/", "/me/profile", "/exams/mine", "/classes/mine", "/auth/password"],
}


def _logged_in(page: Page, staff_no: str) -> list[str]:
    reports = watch_csp(page)
    log_in(page, staff_no, DEMO_PASSWORD)
    page.wait_for_url(HOME)
    return reports


def _visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_the_main_pages_of_every_role_run_without_a_policy_violation(new_page):
    for staff_no, urls in MAIN_PAGES.items():
        page = new_page()
        reports = _logged_in(page, staff_no)
        for url in urls:
            _visit(page, url)
        page.goto("/no/such/page")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert reports == [], (staff_no, reports)


def test_the_watcher_sees_a_violation(browser, live_server):
    """The checks would notice: an inline script is refused and reported. (Its own context, outside
    `contexts_on`, whose shared check would fail on this deliberate violation.)"""
    context = open_context(browser, live_server)
    try:
        page = context.new_page()
        reports = watch_csp(page)
        page.goto("/auth/login")
        page.evaluate("""() => { const s = document.createElement('script');
                                 s.textContent = 'window.ran = true'; document.body.append(s); }""")
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.ran === true") is False
        assert reports and "Content Security Policy" in reports[0]
    finally:
        context.close()


def test_htmx_previews_and_select_all_work_under_the_policy(new_page):
    page = new_page()
    reports = _logged_in(page, "jiaoguan")
    _visit(page, "/bank/categories")
    page.fill("#name", "内容安全策略检查")
    page.get_by_role("button", name="添加", exact=True).click()
    _visit(page, "/bank/questions/new")
    page.locator("#stem").press_sequentially("**重点**内容")  # keyup triggers the preview
    expect(page.locator("#stem-preview strong")).to_have_text("重点")  # htmx posted and swapped
    page.get_by_label("选项A", exact=True).fill("甲")
    page.get_by_label("选项B", exact=True).fill("乙")
    page.get_by_label("A 正确").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    _visit(page, "/bank/")
    boxes = page.locator('input[name="question_id"]')
    expect(boxes.first).to_be_visible()
    page.get_by_label("全选").check()  # app.js, no inline handler
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert reports == []


def _png() -> bytes:
    """A real 1×1 PNG, so the browser can decode it (naturalWidth 1)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def lesson_server(tmp_path_factory) -> Iterator[tuple[str, int]]:
    """The demo plus a 辅警 course whose lesson shows an uploaded image; yields (url, lesson id)."""
    folder = tmp_path_factory.mktemp("csp-server")
    (folder / "assets" / "csp-course").mkdir(parents=True)
    (folder / "assets" / "csp-course" / "dot.png").write_bytes(_png())
    app = live_app(folder / "csp.sqlite3", LESSON_ASSETS_DIR=str(folder / "assets"))
    with app.app_context():
        course = Course(slug="csp-course", title="安全策略检查课程", credit_tenths=5, kind="required",
                        workforces=["fj"], summary="用于浏览器测试的课程。")
        course.lessons = [Lesson(position=1, file="01.md", title="第一课", min_minutes=30,
                                 body="## 要点\n\n![示意图](assets/dot.png)\n\n按规定着装。")]
        db.session.add(course)
        db.session.commit()
        lesson_id = course.lessons[0].id
        db.session.remove()
    with serving(app) as url:
        yield url, lesson_id


def test_the_lesson_editor_preview_the_study_clock_and_lesson_images_work_under_the_policy(browser, lesson_server):
    url, lesson_id = lesson_server
    with contexts_on(browser, url) as open_new:
        instructor = open_new().new_page()
        reports = {"jiaoguan": _logged_in(instructor, "jiaoguan")}
        _visit(instructor, f"/curriculum/lessons/{lesson_id}")
        instructor.fill("#lesson-body", "## 预览标题")
        expect(instructor.locator("#preview h2")).to_contain_text("预览标题")  # htmx preview
        trainee = open_new().new_page()
        reports["fj001"] = _logged_in(trainee, "fj001")
        _visit(trainee, f"/study/lessons/{lesson_id}")
        expect(trainee.locator("#study-state")).to_have_text("计时中。")  # study-clock.js started the clock
        image = trainee.locator(".lesson-body img")
        expect(image).to_have_attribute("src", "/curriculum/assets/csp-course/assets/dot.png")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1  # served to a 辅警 trainee
        outsider = open_new().new_page()
        reports["sq001"] = _logged_in(outsider, "sq001")
        assert outsider.goto("/curriculum/assets/csp-course/assets/dot.png").status == 404  # a 社区 trainee
        assert reports == {"jiaoguan": [], "fj001": [], "sq001": []}
