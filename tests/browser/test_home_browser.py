"""The home pages in Chromium: the admin's completion chart draws under the CSP, at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def this_year_server(tmp_path_factory) -> Iterator[str]:
    """The demo as loaded today: this year's tasks done, in progress, not started and overdue."""
    app = live_app(tmp_path_factory.mktemp("home-server") / "home.sqlite3")
    with serving(app) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admin_home_draws_the_completion_chart_beside_its_table(browser, this_year_server, results_dir, width):
    with contexts_on(browser, this_year_server) as open_new:
        context = open_new()
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "fj-admin", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        chart = page.locator('[data-chart="bar"]')
        expect(chart.locator("canvas")).to_have_count(1)  # ECharts drew it (static/charts.js)
        rows = page.locator("#admin-units tbody tr")
        expect(rows).to_have_count(4)  # 支队本级, 一大队, 二大队, 车管所
        box = chart.bounding_box()
        assert box is not None and box["height"] >= 4 * 34 and box["width"] <= width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        expect(page.locator("#admin-overdue")).not_to_have_text("0 项")
        page.screenshot(path=str(results_dir / f"fj-admin-{width}.png"), full_page=True)
