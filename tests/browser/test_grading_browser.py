"""阅卷 in Chromium on the demo: the instructor opens a waiting paper of the case exam, scores its two
essays from the keyboard (Enter saves and moves on, K goes back, J forward, Ctrl+Enter saves from
the comment), and the trainee finds the message in 消息 and follows it to the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser
ANSWER = re.compile(r"/grading/answers/(\d+)")


def test_a_marker_grades_two_essays_by_keyboard_and_the_trainee_is_told(browser, live_server, results_dir):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        log_in(page, "jiaoguan", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.goto("/exams/manage")
        row = page.locator("tr", has=page.get_by_role("link", name=re.compile(r"辅警案例分析考试")))
        row.get_by_role("link", name="成绩").click()
        page.get_by_role("link", name="阅卷", exact=True).click()
        expect(page.locator("#grading-queue tbody tr").first).to_contain_text("10 分")  # the essays of the case exam
        assert page.locator("#grading-queue tbody tr").count() >= 2
        page.screenshot(path=str(results_dir / "queue.png"), full_page=True)
        page.go_back()
        page.select_option("#f-status", "pending")
        page.get_by_role("button", name="筛选").click()
        page.locator("#results").get_by_role("link", name="答卷").first.click()
        detail = page.url
        staff_no = page.locator("h1 span").inner_text().split(" ")[0]
        expect(page.locator("[data-grade-link]")).to_have_count(2)

        # the first essay: type the score, Enter saves and opens the next waiting answer of that question
        page.locator("[data-grade-link]").first.click()
        first_url = page.url
        first = ANSWER.search(first_url).group(1)
        expect(page.locator("#grading-rubric, #grading-reference").first).to_be_visible()
        expect(page.get_by_text("姓名已隐藏")).to_be_visible()
        expect(page.locator("#score")).to_be_focused()
        page.keyboard.type("8")
        page.keyboard.press("Enter")
        expect(page.locator(".alert-success")).to_contain_text("已保存：8 分")
        assert ANSWER.search(page.url).group(1) != first
        # K goes to the previous answer of the question (by its order, marked or not), J to the next
        here = page.url
        page.wait_for_load_state("load")  # grading.js (end of the body) listens from now on
        previous = page.locator("[data-grading-previous]").get_attribute("href")
        page.keyboard.press("Escape")  # leave the score field; then the letters move
        page.keyboard.press("k")
        page.wait_for_url(re.compile(re.escape(previous) + "$"))
        page.keyboard.press("Escape")
        page.keyboard.press("j")
        page.wait_for_url(here)
        page.goto(first_url)  # the answer just marked shows its score
        expect(page.locator("#grading-current")).to_have_text("8")
        page.screenshot(path=str(results_dir / "answer.png"), full_page=True)

        # the second essay of that paper: Ctrl+Enter in the comment saves; the result is final
        page.goto(detail)
        page.locator("[data-grade-link]").first.click()
        page.wait_for_url(ANSWER)
        page.wait_for_load_state("load")  # Ctrl+Enter is grading.js's
        page.fill("#score", "7.5")
        page.locator("#comment").click()
        page.keyboard.type("要点基本答到")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".alert-success")).to_contain_text("已通知考生")
        page.goto(detail)
        expect(page.locator("[data-grade-link]")).to_have_count(0)
        expect(page.locator("#attempt-score")).not_to_have_text("")

        trainee = open_new().new_page()
        trainee.set_viewport_size({"width": 390, "height": 844})
        log_in(trainee, staff_no, DEMO_PASSWORD)
        trainee.wait_for_url(HOME)
        # the demo's reminders are unread too: the marking message is one of them
        expect(trainee.locator("#unread-count")).to_contain_text(re.compile(r"[1-9]\d* 条未读"))
        trainee.goto("/messages/")
        message = trainee.locator("#messages a", has_text="辅警案例分析考试")
        expect(message).to_contain_text("阅卷完成：得分")
        expect(message).to_contain_text("未读")
        trainee.screenshot(path=str(results_dir / "messages-390.png"), full_page=True)
        message.click()
        trainee.get_by_role("link", name="查看详情").click()
        trainee.wait_for_url(re.compile(r"/exams/attempts/\d+/result$"))
        expect(trainee.get_by_text("教官阅卷后将给出最终成绩")).to_have_count(0)
        trainee.screenshot(path=str(results_dir / "result-390.png"), full_page=True)
