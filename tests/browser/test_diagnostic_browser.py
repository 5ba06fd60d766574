"""摸底测试 in Chromium at phone width on the demo: fj001 (who has not taken it) starts it from the
home page's card, answers one question at a time (radio, check box or blanks, whatever comes) with
the progress shown and nothing sticking out at 390 px, never sees a correct answer, and reaches the
result with a level per competency and the link to 我的能力画像."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _answer(form) -> None:
    """The first option, or 不清楚 in every blank."""
    for kind in ("radio", "checkbox"):
        boxes = form.locator(f'input[type="{kind}"]')
        if boxes.count():
            boxes.first.check()
            return
    for blank in form.locator('input[type="text"], textarea').all():
        blank.fill("不清楚")


def test_fj001_takes_a_short_diagnostic_on_a_phone(browser, live_server, results_dir):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        page.set_viewport_size(PHONE)
        log_in(page, "fj001", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.locator("#home-diagnostic").get_by_role("link", name="开始摸底测试").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("摸底测试")
        page.get_by_role("button", name="开始摸底测试").click()
        progress = page.locator("#diagnostic-progress")
        expect(progress).to_contain_text("已完成 0 / 预计最多")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(results_dir / "diagnostic-question-390.png"), full_page=True)
        answered = 0
        while page.locator("#diagnostic-form").count():
            expect(progress).to_contain_text(f"已完成 {answered} /")
            assert "正确答案" not in page.locator("main").inner_text().replace("不显示正确答案", "")
            _answer(page.locator("#diagnostic-form"))
            page.get_by_role("button", name="提交，下一题").click()
            page.wait_for_load_state()
            answered += 1
            assert answered <= 60
        expect(page.get_by_role("heading", level=1)).to_have_text("摸底测试结果")
        rows = page.locator("#diagnostic-levels tbody tr")
        assert rows.count() >= 3
        expect(page.get_by_role("link", name="查看我的能力画像")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(results_dir / "diagnostic-result-390.png"), full_page=True)
        page.get_by_role("link", name="查看我的能力画像").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("我的能力画像")
        assert re.search(r"/needs/me$", page.url)
