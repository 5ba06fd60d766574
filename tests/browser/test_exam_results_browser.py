"""成绩 in Chromium on the demo: the instructor reaches last month's graded exam from 考试管理, the score
distribution draws under the CSP beside its table at desktop and phone width, and an attempt opens
with its timeline; the admin of the 支队 reads the unit summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import contexts_on
from tests.browser.test_admin_browser import HOME, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_instructor_reads_the_results_chart_and_an_attempt(browser, live_server, results_dir, width):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, "jiaoguan", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.goto("/exams/manage")
        row = page.locator("tr", has=page.get_by_role("link", name=re.compile(r"辅警业务知识考试")))
        row.get_by_role("link", name="成绩").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("成绩")
        chart = page.locator('[data-chart="column"]')
        expect(chart.locator("canvas")).to_have_count(1)  # ECharts drew it (static/charts.js)
        counts = page.locator("#score-bands tr").nth(1).locator("td")
        expect(counts).to_have_count(10)
        sat = int(page.locator("#fig-sat").inner_text())
        assert sum(int(text) for text in counts.all_inner_texts()) <= sat and sat > 10
        box = chart.bounding_box()
        assert box is not None and box["height"] >= 200 and box["width"] <= width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        page.screenshot(path=str(results_dir / f"results-{width}.png"), full_page=True)
        page.locator("#results").get_by_role("link", name="答卷").first.click()
        expect(page.locator("#timeline li").first).to_contain_text("开始作答")
        expect(page.locator("#timeline li").last).to_contain_text("交卷")
        expect(page.locator("#sections tbody tr")).to_have_count(4)  # 单选 多选 判断 填空
        page.screenshot(path=str(results_dir / f"attempt-{width}.png"), full_page=True)


def test_the_admin_drills_down_from_the_unit_summary(browser, live_server, results_dir):
    with contexts_on(browser, live_server) as open_new:
        page = open_new().new_page()
        log_in(page, "fj-admin", DEMO_PASSWORD)
        page.wait_for_url(HOME)
        page.goto("/exams/manage")
        page.get_by_role("link", name=re.compile(r"辅警业务知识考试")).first.click()
        page.get_by_role("link", name="单位汇总").click()
        brigade = page.locator("#unit-summary tbody tr", has=page.get_by_role("link", name="一大队", exact=True))
        audience = int(brigade.locator('[data-field="audience"]').inner_text())
        brigade.get_by_role("link", name="一大队", exact=True).click()
        expect(page.locator("#f-unit option[selected]")).to_have_text("一大队")
        expect(page.locator("#fig-audience")).to_have_text(f"{audience} 人")
        page.screenshot(path=str(results_dir / "drill-down.png"), full_page=True)
