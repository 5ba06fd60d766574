"""Fixtures for the real-browser tests: a live server on demo data and Debian's Chromium.

The server runs the app in a background thread on a temporary SQLite file, with CSRF on as
in production, so the browser submits real forms. Chromium must be the system package
(`apt-get install chromium fonts-wqy-microhei`); Playwright's own download is never used.
Screenshots go to `test-results/<test name>/` at the repository root (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.demo import load_demo
from app.extensions import db
from tests.session_caches import TEMPLATE_CODE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_ROOT = REPO_ROOT / "test-results"


_DEMO_FILE: list[Path] = []  # the demo database of this session, loaded once and copied per server


def live_app(db_file: Path, **config) -> Flask:
    """Build the app on a fresh SQLite file with demo data, CSRF on; `config` overrides settings.

    The demo takes the better part of a minute to load: the first server of the session loads it,
    the others start from a copy of its file.
    """
    if _DEMO_FILE:
        shutil.copyfile(_DEMO_FILE[0], db_file)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        "SECRET_KEY": "browser-test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        **config,
    })
    assert app.config.get("WTF_CSRF_ENABLED", True), "the browser tests must run with CSRF on"
    app.instance_path = str(db_file.parent / "instance")  # uploads and lesson images: its own folder
    os.makedirs(app.instance_path, exist_ok=True)
    if _DEMO_FILE:
        return app
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.remove()
        db.engine.dispose()
    with closing(sqlite3.connect(db_file)) as conn:  # fold the WAL in: the file alone is the copy
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _DEMO_FILE.append(db_file.with_name(db_file.stem + "-demo-copy.sqlite3"))
    shutil.copyfile(db_file, _DEMO_FILE[0])
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a background thread; yield the base URL."""
    app.jinja_env.bytecode_cache = TEMPLATE_CODE  # templates compiled once per session
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def open_context(browser: Browser, base_url: str) -> BrowserContext:
    """A fresh browser context (its own cookies) whose relative URLs resolve against `base_url`."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Serve the app with demo data on 127.0.0.1 (a free port); yield the base URL."""
    app = live_app(tmp_path_factory.mktemp("live-server") / "live.sqlite3")
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright; fails (never skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium and a CJK font. "
            "Install them with `apt-get install -y chromium fonts-wqy-microhei` "
            "(do not use `playwright install`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()


CSP_REPORT = "Content Security Policy"


def watch_csp(target: Page | BrowserContext) -> list[str]:
    """Collect the Content-Security-Policy violations the browser reports on the console."""
    reports: list[str] = []
    target.on("console", lambda message: reports.append(message.text) if CSP_REPORT in message.text else None)
    return reports


@contextmanager
def contexts_on(browser: Browser, base_url: str) -> Iterator[Callable[[], BrowserContext]]:
    """Yield a function that opens a fresh browser context (its own cookies) on `base_url`;
    every context it opened is closed on exit. A test whose pages broke the Content-Security-Policy
    fails: every browser test also checks that the policy lets the pages it drives run."""
    contexts: list[BrowserContext] = []
    watched: list[list[str]] = []

    def _open() -> BrowserContext:
        contexts.append(open_context(browser, base_url))
        watched.append(watch_csp(contexts[-1]))
        return contexts[-1]

    try:
        yield _open
    finally:
        for context in contexts:
            context.close()
    reports = [report for found in watched for report in found]
    assert reports == [], f"the pages broke the Content-Security-Policy: {reports}"


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """Return a function that opens a page in a fresh browser context (its own cookies).

    Relative URLs resolve against the live server; every context is closed after the test.
    """
    with contexts_on(browser, live_server) as open_new:
        yield lambda: open_new().new_page()


@pytest.fixture
def page(new_page) -> Page:
    """A page in a fresh browser context on the live server."""
    return new_page()


@pytest.fixture
def results_dir(request) -> Path:
    """An emptied `test-results/<test name>/` folder for this test's screenshots."""
    folder = RESULTS_ROOT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
