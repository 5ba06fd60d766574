"""我的能力画像 in Chromium on the demo: fj001 reaches it from the menu, the radar of mastery against
the post's targets draws under the CSP beside its table at desktop and phone width without errors,
and a competency's evidence opens from the table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_trainee_reads_their_profile_chart_and_evidence(browser, live_server, results_dir, width):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "fj001", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        if width < 992:
            page.get_by_label("菜单").click()
            expect(page.locator("#nav.show")).to_be_visible()  # the menu has finished opening
        page.get_by_role("link", name="学员").click()
        link = page.get_by_role("link", name="我的能力画像", exact=True)
        expect(link).to_be_visible()
        link.click()
        page.wait_for_url("**/needs/me")
        expect(page.get_by_role("heading", level=1)).to_have_text("我的能力画像")
        chart = page.locator('[data-chart="radar"]')
        expect(chart.locator("canvas")).to_have_count(1)  # ECharts drew it (static/charts.js)
        box = chart.bounding_box()
        assert box is not None and box["height"] >= 300 and box["width"] <= width
        rows = page.locator("#competencies tbody tr")
        assert rows.count() >= 3
        expect(page.locator('#competencies [data-field="gap"]', has_text="差").first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        page.screenshot(path=str(results_dir / f"profile-{width}.png"), full_page=True)
        page.locator("#competencies tbody td:first-child a").first.click()  # a competency's name
        expect(page.locator("#evidence tbody tr").first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(results_dir / f"evidence-{width}.png"), full_page=True)
        assert errors == []
