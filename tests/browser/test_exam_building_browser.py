"""Real Chromium through building an exam: a blueprint with a rule and a fixed paper picked from the
bank, an exam for a brigade, publishing refused by the dry run naming the rule, the rule fixed, published.

A live server of its own on the tests' factories (not the demo): the standard two brigades, an
instructor of 一大队, and twelve ready 单选 questions in 一大队's bank.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock, create_app
from app.extensions import db
from app.models import Blueprint, Exam
from tests.browser.conftest import contexts_on, serving
from tests.browser.test_admin_browser import log_in
from tests.factories import make_exam_questions, make_world

pytestmark = pytest.mark.browser

SHORT = "第1条规则：分类「一大队题库」及其子分类的单选题仅有 12 道，需要 20 道"


@dataclass
class BuildServer:
    url: str
    app: Flask
    questions: list[int]


@pytest.fixture(scope="module")
def build_server(tmp_path_factory) -> Iterator[BuildServer]:
    db_file = tmp_path_factory.mktemp("exam-build") / "build.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                      "SECRET_KEY": "browser-test-secret", "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        db.create_all()
        world = make_world(instructors=True, bank=True)
        questions = make_exam_questions(world["cat_a"], single=12, difficulty=3)
        db.session.remove()
    with serving(app) as url:
        yield BuildServer(url, app, questions)


@pytest.fixture
def new_page(browser: Browser, build_server: BuildServer) -> Iterator[Callable[[], Page]]:
    with contexts_on(browser, build_server.url) as open_new:
        yield lambda: open_new().new_page()


def _minute(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _fill_rule(page: Page, index: int, *, section: str, count: str | None, points: str) -> None:
    page.fill(f'[name="rules-{index}-section"]', section)
    if count is not None:
        page.fill(f'[name="rules-{index}-count"]', count)
    page.fill(f'[name="rules-{index}-points"]', points)


def test_an_instructor_builds_an_exam_meets_the_dry_run_fixes_the_rule_and_publishes(
        new_page, build_server: BuildServer, results_dir):
    page = new_page()
    log_in(page, "inst-a", "Passw0rd")
    page.locator("nav").get_by_role("link", name="考试管理").click()
    page.get_by_role("link", name="新建组卷规则").first.click()

    page.fill("#title", "执勤规范测验组卷")
    _fill_rule(page, 0, section="一、单选题", count="20", points="2")
    page.select_option('[name="rules-0-category_id"]', label="一大队题库")
    pool = page.locator("[data-rule]").nth(0).locator("[data-pool]")
    expect(pool).to_have_text("可用 12 道，需要 20 道")
    expect(pool).to_have_class("small fw-bold text-danger")

    # A second rule: a fixed paper of two questions picked from the bank, the second moved up.
    page.get_by_role("button", name="添加一条规则").click()
    second = page.locator("[data-rule]").nth(1)
    _fill_rule(page, 1, section="二、指定题", count=None, points="5")
    page.select_option('[name="rules-1-source_kind"]', "fixed")
    second.locator("[data-picker-q]").fill("测试题干")
    second.get_by_role("button", name="查找").click()
    found = second.locator("[data-picker-results] li")
    expect(found).to_have_count(12)
    found.nth(0).get_by_role("button", name="加入").click()
    found.nth(1).get_by_role("button", name="加入").click()
    expect(found.nth(0).get_by_role("button")).to_have_text("已加入")
    chosen = second.locator("[data-chosen] > li")
    expect(chosen).to_have_count(2)
    first_id, second_id = chosen.nth(0).get_attribute("data-id"), chosen.nth(1).get_attribute("data-id")
    chosen.nth(1).get_by_role("button", name="上移").click()
    expect(second.locator("[data-pool]")).to_have_text("可用 2 道，需要 2 道")
    expect(page.locator("[data-total]")).to_have_text("合计 22 道题，满分 50 分")
    page.screenshot(path=results_dir / "blueprint-editor.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("组卷规则已保存")

    with build_server.app.app_context():
        blueprint = db.session.scalar(select(Blueprint).where(Blueprint.title == "执勤规范测验组卷"))
        assert [(r.section, r.source_kind, r.count) for r in blueprint.rules] == \
            [("一、单选题", "category", 20), ("二、指定题", "fixed", 2)]
        assert blueprint.rules[1].question_ids == [int(second_id), int(first_id)]
        db.session.remove()

    page.get_by_role("link", name="用它新建考试").click()
    now = clock.now()
    page.fill("#title", "执勤规范测验")
    page.fill("#opens_at", _minute(now - timedelta(hours=1)))
    page.fill("#closes_at", _minute(now + timedelta(days=2)))
    page.select_option("#unit_ids", label="一大队")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("h1")).to_contain_text("草稿")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#problems")).to_contain_text(SHORT)
    page.screenshot(path=results_dir / "publish-refused.png", full_page=True)
    expect(page.locator("h1")).to_contain_text("草稿")

    page.get_by_role("link", name="执勤规范测验组卷").click()
    page.get_by_role("link", name="修改", exact=True).click()
    page.fill('[name="rules-0-count"]', "10")
    expect(page.locator("[data-rule]").nth(0).locator("[data-pool]")).to_have_text("可用 12 道，需要 10 道")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("组卷规则已保存")

    page.get_by_role("link", name="执勤规范测验").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("考试已发布（第 1 版）")
    expect(page.locator("h1")).to_contain_text("已发布")
    page.screenshot(path=results_dir / "published.png", full_page=True)
    with build_server.app.app_context():
        exam = db.session.scalar(select(Exam).where(Exam.title == "执勤规范测验"))
        assert (exam.status, exam.version, exam.pool_key != "") == ("published", 1, True)
        db.session.remove()
