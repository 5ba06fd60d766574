"""三本台账 in Chromium on the demo: the 支队's admin reaches the organisation ledger from the menu; at
desktop and phone width the table shows the competencies with their numbers, nothing sticks out of
the page, and a number opens the person ledger of the people behind it (screenshots of each)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admin_reads_the_organisation_ledger(browser, live_server, results_dir, width):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "fj-admin", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        if width < 992:
            page.get_by_label("菜单").click()
        page.get_by_role("link", name="管理员", exact=True).click()
        page.get_by_role("link", name="三本台账").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("三本台账")
        rows = page.locator("#organisation-ledger tbody tr")
        expect(rows.first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        page.screenshot(path=str(results_dir / f"ledger-organisation-{width}.png"), full_page=True)
        page.locator("#organisation-ledger tbody td a").first.click()  # a number: its people
        expect(page.locator("#person-ledger tbody tr").first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(results_dir / f"ledger-people-{width}.png"), full_page=True)
        assert errors == []
