"""Real Chromium through an offline training class: scheduled by an admin, checked in by QR, credited 学时.

A live server of its own (demo data plus two competencies) keeps the class out of the other browser
tests' data. The admin and the trainee each have their own browser context (own cookies).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock
from app.classes.qr import checkin_qr_svg
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Attendance, ClassSession, Competency, CreditEntry, Person, TrainingClass
from tests.browser.conftest import contexts_on, live_app, serving
from tests.browser.test_admin_browser import HOME, log_in
from tests.factories import make_competency

pytestmark = pytest.mark.browser

TITLE = "浏览器测试·文明执勤专题培训班"
HOST_UNIT = "一大队"  # as the 支队 admin reads it: below the top of their tree (app/org/labels.py)
HOURS, TENTHS = "2.5", 25
PLACE, TRAINER = "一大队三楼会议室", "王教官"
COMPETENCIES = ("FJ-LAW", "FJ-SERVICE")


@dataclass
class ClassServer:
    url: str
    app: Flask
    fj001_id: int


@pytest.fixture(scope="module")
def class_server(tmp_path_factory) -> Iterator[ClassServer]:
    app = live_app(tmp_path_factory.mktemp("class-server") / "classes.sqlite3")
    with app.app_context():
        for code in COMPETENCIES:  # the demo's content has FJ-LAW; the other one is the test's own
            if db.session.scalar(select(Competency.id).where(Competency.code == code)) is None:
                make_competency(code)
        fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
        # Demo accounts are not forced to change their password; a forced change would add a page.
        assert not fj001.must_change_password
        fj001_id = fj001.id
        db.session.remove()
    with serving(app) as url:
        yield ClassServer(url, app, fj001_id)


@pytest.fixture
def new_context(browser: Browser, class_server: ClassServer) -> Iterator[Callable[[], Page]]:
    """Return a function that opens a page in a fresh context (own cookies) on the class server."""
    with contexts_on(browser, class_server.url) as open_new:
        yield lambda: open_new().new_page()


def _flash(page: Page):
    return page.locator(".alert[role=alert]")


def _local_minute(moment: datetime) -> str:
    """A local time as a datetime-local input takes it."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def create_class(page: Page) -> int:
    """Create a draft class through 管理员 → 培训班 → 新建培训班; return its id."""
    page.locator("nav").get_by_role("link", name="管理员").click()
    page.locator("nav").get_by_role("link", name="培训班", exact=True).click()
    page.get_by_role("link", name="新建培训班").click()
    page.get_by_label("培训班名称").fill(TITLE)
    page.get_by_label("主办单位").select_option(label=HOST_UNIT)
    page.get_by_label("学时类别").select_option("必修")
    page.get_by_label("每次课学时").fill(HOURS)
    page.get_by_label("能力项编码").fill("，".join(reversed(COMPETENCIES)))
    page.get_by_label("培训内容简介").fill("## 内容\n\n文明执勤与规范用语。")
    page.get_by_role("button", name="创建").click()
    expect(_flash(page)).to_contain_text("培训班已创建")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("草稿")
    # by name (the test's own competency is named by its code)
    expect(page.get_by_text(f"每次课 {HOURS} 学时")).to_contain_text("能力项 道路交通安全法规、FJ-SERVICE")
    return int(re.search(r"/classes/(\d+)$", page.url).group(1))


def add_session(page: Page, starts: datetime, ends: datetime) -> None:
    """Fill 添加课次 (local times) and check the new row."""
    form = page.locator("form", has=page.get_by_role("button", name="添加"))
    form.get_by_label("开始时间").fill(_local_minute(starts))
    form.get_by_label("结束时间").fill(_local_minute(ends))
    form.get_by_label("地点").fill(PLACE)
    form.get_by_label("授课人").fill(TRAINER)
    form.get_by_role("button", name="添加").click()
    expect(_flash(page)).to_contain_text("已添加课次，签到码已生成。")
    row = page.locator("table tbody tr")
    expect(row).to_have_count(1)
    # The page shows local times again: what was typed comes back unchanged.
    expect(row).to_contain_text(f"{starts:%Y-%m-%d %H:%M}")
    expect(row).to_contain_text(f"{ends:%Y-%m-%d %H:%M}")
    expect(row).to_contain_text(PLACE)


def enrol_by_staff_number(page: Page, staff_no: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="报名"))
    form.get_by_label("报名方式").select_option(label="工号名单")
    form.get_by_label("工号名单").fill(staff_no)
    form.get_by_role("button", name="报名").click()
    expect(_flash(page)).to_contain_text("新报名 1 人，已报名 0 人。")
    expect(page.get_by_text("已报名 1 人")).to_be_visible()


def publish(page: Page) -> None:
    """Press 发布 and accept the confirmation dialog (Playwright would dismiss it otherwise)."""
    asked: list[str] = []

    def _accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", _accept)
    page.get_by_role("button", name="发布").click()
    expect(_flash(page)).to_contain_text("培训班已发布")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已发布")
    assert asked and "确定发布" in asked[0], asked


def read_code_page(page: Page, base_url: str) -> tuple[str, str]:
    """Open the session's code page; return (the 6-digit code, the QR code's check-in URL)."""
    page.get_by_role("link", name="显示签到码").click()
    code = page.get_by_label("签到码", exact=True)
    expect(code).to_have_text(re.compile(r"^\s*\d{6}\s*$"))
    qr = page.get_by_role("img", name="签到二维码")
    expect(qr.locator("svg")).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    expect(page.get_by_text("现在可以签到，下课时关闭。")).to_be_visible()
    figure = page.locator("figure", has=qr)
    expect(figure).to_contain_text("用手机扫码签到（需先登录）")
    url = figure.locator(".text-break").inner_text().strip()
    value = code.inner_text().strip()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == base_url and parts.path == "/classes/mine", url
    assert parse_qs(parts.query) == {"code": [value]}, url
    # The QR drawn is the QR code of the URL printed under it (segno is deterministic).
    expected = re.search(r'stroke="#000" d="([^"]+)"', str(checkin_qr_svg(url))).group(1)
    assert qr.locator("svg path[stroke]").get_attribute("d") == expected
    return value, url


def check_in_from_qr(page: Page, url: str, code: str) -> None:
    """Open the QR URL logged out, log in as fj001, come back prefilled, press 签到."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(_flash(page)).to_contain_text("请先登录。")
    page.fill('input[name="username"]', "fj001")
    page.fill('input[name="password"]', DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(rf"/classes/mine\?code={code}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的培训班")
    expect(page.get_by_label("签到码")).to_have_value(code)
    expect(page.get_by_text("已填入扫码得到的签到码")).to_be_visible()
    card = page.locator(".card", has=page.get_by_role("heading", name=TITLE))
    expect(card).to_contain_text("已参加 0/1 次")
    expect(card).to_contain_text("未签到")


def test_admin_schedules_a_class_and_a_trainee_checks_in_by_qr_and_earns_hours(
        new_context, class_server: ClassServer, results_dir):
    admin = new_context()
    log_in(admin, "fj-admin", DEMO_PASSWORD)
    admin.wait_for_url(HOME)
    class_id = create_class(admin)
    admin.screenshot(path=results_dir / "1-class-created.png", full_page=True)
    now = clock.to_local(clock.now()).replace(second=0, microsecond=0)  # forms take local time
    starts = max(now - timedelta(minutes=5), now.replace(hour=0, minute=0))  # never last year
    add_session(admin, starts, now + timedelta(hours=1))
    enrol_by_staff_number(admin, "fj001")
    admin.screenshot(path=results_dir / "2-session-and-enrolment.png", full_page=True)
    publish(admin)
    admin.screenshot(path=results_dir / "3-published.png", full_page=True)
    code, url = read_code_page(admin, class_server.url)
    admin.screenshot(path=results_dir / "4-code-page.png", full_page=True)
    admin.get_by_role("img", name="签到二维码").screenshot(path=results_dir / "4-qr.png")

    trainee = new_context()
    check_in_from_qr(trainee, url, code)
    trainee.screenshot(path=results_dir / "5-prefilled.png", full_page=True)
    trainee.get_by_role("button", name="签到").click()
    expect(_flash(trainee)).to_contain_text(f"签到成功：{TITLE}。")
    card = trainee.locator(".card", has=trainee.get_by_role("heading", name=TITLE))
    expect(card).to_contain_text("已参加 1/1 次")
    expect(card).to_contain_text("已签到")
    trainee.screenshot(path=results_dir / "6-checked-in.png", full_page=True)

    assert_roster_and_ledgers(admin, trainee, class_server, class_id, results_dir)
    assert_database(class_server, class_id, code)


def assert_roster_and_ledgers(admin: Page, trainee: Page, server: ClassServer, class_id: int, results_dir) -> None:
    """The admin's roster and 学时 page, and the trainee's 我的学习, all show the attendance."""
    admin.locator(".breadcrumb").get_by_role("link", name=TITLE).click()
    expect(admin.get_by_text("签到 1 人次")).to_be_visible()
    admin.get_by_role("link", name="签到名单").click()
    row = admin.locator("table tbody tr", has=admin.get_by_role("cell", name="fj001", exact=True))
    expect(row).to_contain_text("辅警学员")
    expect(row).to_contain_text("✔ 签到码")
    expect(row.get_by_role("button", name="撤销")).to_be_visible()
    admin.screenshot(path=results_dir / "7-roster.png", full_page=True)

    year = clock.today().year
    note = re.compile(rf"培训班：{re.escape(TITLE)}（\d{{4}}-\d{{2}}-\d{{2}}）")
    admin.goto(f"/study/admin/people/{server.fj001_id}/credits")
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"辅警学员 · {year} 年学时")
    line = admin.locator("table tbody tr", has_text=note)
    expect(line).to_have_count(1)
    expect(line).to_contain_text(re.compile(rf"线下培训\s*必修\s*{re.escape(HOURS)}"))
    admin.screenshot(path=results_dir / "8-admin-credits.png", full_page=True)

    trainee.locator("nav").get_by_role("link", name="学员", exact=True).click()
    trainee.locator("nav").get_by_role("link", name="我的学习").click()
    expect(trainee.get_by_role("heading", name=f"{year} 年学时记录")).to_be_visible()
    mine = trainee.locator("table tbody tr", has_text=note)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(re.compile(rf"线下培训\s*必修\s*{re.escape(HOURS)}"))
    trainee.screenshot(path=results_dir / "9-my-learning.png", full_page=True)


def assert_database(server: ClassServer, class_id: int, code: str) -> None:
    """One Attendance (by code) for fj001 at the session, and its one offline CreditEntry of the class's 学时."""
    with server.app.app_context():
        klass = db.session.get(TrainingClass, class_id)
        assert (klass.status, klass.kind, klass.credit_tenths) == ("published", "required", TENTHS)
        assert [c.code for c in klass.competencies] == sorted(COMPETENCIES)
        session = db.session.scalar(select(ClassSession).where(ClassSession.class_id == class_id))
        assert session.code == code
        rows = db.session.scalars(select(Attendance).where(Attendance.person_id == server.fj001_id,
                                                           Attendance.session_id == session.id)).all()
        assert [(a.session_id, a.method) for a in rows] == [(session.id, "code")]
        entries = db.session.scalars(select(CreditEntry).where(  # fj001's other 学时 are the demo's
            CreditEntry.person_id == server.fj001_id, CreditEntry.source_type == "offline",
            CreditEntry.source_id == rows[0].id)).all()
        assert [(e.source_type, e.source_id, e.kind, e.tenths) for e in entries] == [
            ("offline", rows[0].id, "required", TENTHS)]
        db.session.remove()
