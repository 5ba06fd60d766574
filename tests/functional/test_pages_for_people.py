"""Pages a real user understands (issue 9): on the demo data, every menu entry of every demo role
opens, and no page a role can reach by clicking shows developer words (commands, file names,
stored codes)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import clock
from app.codes import LabeledStrEnum
from app.demo import ACCOUNTS, DEMO_PASSWORD
from app.extensions import db
from app.models import BankImport, Course, Lesson, Person, Post, QuestionCategory, Workforce
from tests.factories import make_training_class

ROLES = [account[0] for account in ACCOUNTS]  # admin, fj-admin, …, jiaoguan, fj001, sq001, zg001
# Commands, our own file names and placeholders a user must never read (an upload form may name the
# file types it takes, .xlsx or .csv: those are the user's files).
DEVELOPER_WORDS = ["flask ", "flask\u00a0", ".toml", ".md", ".py", "study assign", "content sync",
                   "demo load", "course_content", "--force", "None", "Traceback", "{{", "}}", "{%",
                   "TODO", "尚未开放", "敬请期待"]
SKIPPED_PATHS = ("/auth/logout", "/static/")
DOWNLOADS = (".xlsx", ".zip", ".csv", ".png", ".svg", ".pdf")


class _Page(HTMLParser):
    """The text a person reads (text, titles, placeholders, labels, confirm prompts) and the links."""

    SHOWN = ("title", "placeholder", "aria-label", "alt", "data-confirm")

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.nav_links: list[str] = []
        self._hidden = 0
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "nav" and "navbar" in (values.get("class") or ""):
            self._nav_depth = 1
        elif tag == "nav" and self._nav_depth:
            self._nav_depth += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
            if self._nav_depth:
                self.nav_links.append(values["href"])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.text.append(values["value"])
        self.text.extend(values[name] for name in self.SHOWN if values.get(name))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _stored_codes() -> set[str]:
    """Every stored English code of a status, kind, role or source (LabeledStrEnum members)."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)
    return {member.value for enum in subclasses(LabeledStrEnum) for member in enum}


@pytest.fixture
def app(make_demo_app):
    """The app on today's demo (on SQLite loaded once per session and copied)."""
    app = make_demo_app()
    with app.app_context():
        yield app


@pytest.fixture
def demo(app, runner):
    """`flask demo load` (org, people, course content, starter banks, tasks), a class and an import."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    fj001, jiaoguan = (db.session.scalar(select(Person).where(Person.staff_no == s)) for s in ("fj001", "jiaoguan"))
    soon = clock.now() + timedelta(days=2)
    make_training_class(fj001.unit, sessions=[(soon, soon + timedelta(hours=2))], enrolled=[fj001])
    category = db.session.scalars(select(QuestionCategory).order_by(QuestionCategory.id)).first()
    db.session.add(BankImport(created_by_id=jiaoguan.id, filename="试题.xlsx", fmt="xlsx", category_id=category.id))
    db.session.commit()
    # Words that are codes in the database: workforce codes, post codes, course slugs, lesson files.
    codes = {"fj", "sq", "zg"} | _stored_codes()
    codes |= set(db.session.scalars(select(Workforce.code))) | set(db.session.scalars(select(Post.code)))
    codes |= set(db.session.scalars(select(Course.slug))) | set(db.session.scalars(select(Lesson.file)))
    staff_nos = sorted(db.session.scalars(select(Person.staff_no)), key=len, reverse=True)
    return {"codes": codes, "staff_nos": staff_nos}


def _log_in(app, staff_no: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": staff_no, "password": DEMO_PASSWORD})
    assert response.status_code == 302, staff_no
    return client


def test_every_menu_entry_of_every_demo_role_opens(app, demo):
    refused = []
    for staff_no in ROLES:
        client = _log_in(app, staff_no)
        links = [link for link in _parse(client.get("/").data.decode()).nav_links if link != "#"]
        assert "/" in links and "/auth/password" in links, (staff_no, links)  # the brand and 修改密码 at least
        refused += [(staff_no, link, status) for link in links if (status := client.get(link).status_code) != 200]
    assert refused == []


def _developer_words(text: str, codes: set[str], staff_nos: list[str]) -> list[str]:
    for staff_no in staff_nos:  # staff numbers are the people's own data (工号), not codes
        text = text.replace(staff_no, " ")
    found = [word for word in DEVELOPER_WORDS if word in text]
    words = set(re.findall(r"[A-Za-z0-9_.-]+", text))
    return found + sorted(words & codes)


def _crawl(client, codes: set[str], staff_nos: list[str]) -> tuple[dict[str, list[str]], list[tuple[str, int]], int]:
    """Follow every link from the home page, each kind of page once (ids and queries ignored)."""
    queue, seen, problems, broken = ["/"], set(), {}, []
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        kind = re.sub(r"\d+", "N", parts.path)
        if kind in seen or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED_PATHS) \
                or parts.path.endswith(DOWNLOADS):
            continue
        seen.add(kind)
        response = client.get(url)
        if response.status_code >= 400:
            broken.append((url, response.status_code))
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = _parse(response.data.decode())
        words = _developer_words(" ".join(page.text), codes, staff_nos)
        if words:
            problems[url] = words
        queue.extend(link.split("#")[0] for link in page.links if link.split("#")[0])
    return problems, broken, len(seen)


def test_no_page_a_demo_role_reaches_shows_developer_words(app, demo):
    problems, broken = {}, []
    for staff_no in ("admin", "dd1-admin", "jiaoguan", "fj001", "sq001"):
        found, refused, pages = _crawl(_log_in(app, staff_no), demo["codes"], demo["staff_nos"])
        assert pages >= 5, staff_no
        problems |= {(staff_no, url): words for url, words in found.items()}
        broken += [(staff_no, url, status) for url, status in refused]
    assert problems == {}
    assert broken == []  # no link on a page leads to an error for the person who sees it


def test_the_scan_would_notice():
    """The checks above see a command, a file name and stored codes in a page's text, not in its markup."""
    codes = _stored_codes() | {"fj", "01-intro.md"}
    page = _parse('<a href="/x/fj-road">岗位</a><p title="运行 flask study assign">01-intro.md · fj · overdue</p>'
                  '<script>var fj = "overdue";</script>')
    assert _developer_words(" ".join(page.text), codes, []) == ["flask ", ".md", "study assign", "01-intro.md",
                                                                 "fj", "overdue"]
    assert _developer_words("工号 fj-admin 辅警", codes, ["fj-admin"]) == []
    nav = _parse('<nav class="navbar"><a href="/">首页</a><nav class="x"><a href="/a">甲</a></nav>'
                 '<a href="/b">乙</a></nav><a href="/c">丙</a>')
    assert nav.nav_links == ["/", "/a", "/b"] and nav.links == ["/", "/a", "/b", "/c"]
