"""我的培训计划 in Chromium on the demo at phone width: fj001 goes from 我的能力画像 to their plan, reads
the gap groups with reasons, due dates and a done item, the progress bar, the required courses,
under the CSP without errors and without sideways scrolling; the mentor opens the 谈心谈话记录."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser


def test_the_trainee_reads_their_plan_at_phone_width(browser, live_server, results_dir):
    width = 390
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "fj001", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.goto("/needs/me")
        page.locator("#plan-links").get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("我的培训计划")
        groups = page.locator("section[data-competency]")
        assert groups.count() >= 1
        expect(groups.first.locator('[data-field="reason"]').first).to_contain_text("岗位要求「")
        expect(page.locator('li[data-done="1"]').first).to_contain_text("已完成")
        expect(page.locator("#plan-progress")).to_contain_text("%")
        expect(page.locator("#required li").first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        page.screenshot(path=str(results_dir / "plan-390.png"), full_page=True)
        lesson = page.locator("section[data-competency] li a").first
        title = lesson.inner_text()
        lesson.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        assert errors == []


def test_the_mentor_reads_and_writes_a_note_at_phone_width(browser, live_server, results_dir):
    width = 390
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "jiaoguan", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        card = page.locator("#home-mentees [data-mentee]", has_text="辅警学员")  # 我带的学员 on the home page
        expect(card.locator('[data-field="plan"]')).to_contain_text("培训计划已完成")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.goto("/me/profile")
        expect(page.locator("li", has_text="我指导的学员：辅警学员")).to_be_visible()
        page.go_back()
        card.get_by_role("link", name="谈心谈话记录").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("辅警学员的谈心谈话记录")
        expect(page.locator("#notes [data-note]").first).to_contain_text("法规类题目失分较多")
        page.get_by_label("谈话内容").fill("复测前再谈一次：课时已学完一半。")
        page.get_by_role("button", name="保存记录").click()
        expect(page.locator("#notes [data-note]").first).to_contain_text("复测前再谈一次")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(results_dir / "notes-390.png"), full_page=True)
        page.get_by_role("link", name="培训计划").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("辅警学员的培训计划")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
