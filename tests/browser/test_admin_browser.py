"""Real Chromium against the live demo server: login, org tree, people list, scope, Chinese fonts."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

CJK_SAMPLE = "组织机构人员"
TOFU = "\u0378"  # an unassigned code point: no font has a glyph, so it always draws as .notdef
CJK_FONT = "WenQuanYi Micro Hei"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")

# Draws each character alone on a canvas in the font of `element`; returns its advance width,
# how many pixels it inked, and a hash of the pixels. Every missing glyph draws the same
# .notdef box, so real glyphs are told from tofu by their pixels. Widths alone cannot tell:
# WenQuanYi's .notdef box is 1em wide, exactly like its ideographs.
_GLYPHS_JS = """([element, chars]) => {
  const family = getComputedStyle(element).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  return [...chars].map((ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = `32px ${family}`;
    ctx.textBaseline = 'top';
    ctx.fillText(ch, 8, 8);
    const alpha = ctx.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3);
    let hash = 2166136261, ink = 0;
    for (const a of alpha) { hash = Math.imul(hash ^ a, 16777619) >>> 0; if (a) ink++; }
    return {ch, width: ctx.measureText(ch).width, ink, hash};
  });
}"""


def _people_count(page: Page) -> int:
    text = page.locator("p", has_text=re.compile(r"共 \d+ 人")).inner_text()
    return int(re.search(r"共 (\d+) 人", text).group(1))


def _platform_fonts(page: Page, selector: str) -> list[dict]:
    """The fonts Chromium actually used to draw the text of `selector` (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def assert_chinese_renders_with_a_cjk_font(page: Page, selector: str) -> None:
    """Fail if the Chinese text under `selector` would show as boxes (tofu) instead of glyphs."""
    element = page.locator(selector).first.element_handle()
    # Proves little on its own: for a family with no @font-face Chromium answers true even
    # when the font is not installed (or does not exist), so the checks below carry the weight.
    assert page.evaluate(f"document.fonts.check('16px \"{CJK_FONT}\"')")

    used = [font["familyName"] for font in _platform_fonts(page, selector)]
    assert CJK_FONT in used, f"Chinese text was drawn with {used}, not {CJK_FONT}"

    glyphs = page.evaluate(_GLYPHS_JS, [element, CJK_SAMPLE + TOFU + "\u0379"])
    *cjk, tofu, tofu2 = glyphs
    assert tofu["hash"] == tofu2["hash"], f"the tofu reference is not a stable box: {glyphs}"
    assert len({g["hash"] for g in cjk}) == len(CJK_SAMPLE), f"CJK characters drew identical shapes: {cjk}"
    for glyph in cjk:
        assert glyph["ink"] > 20, f"{glyph['ch']} drew (almost) nothing: {glyph}"
        assert glyph["hash"] != tofu["hash"], f"{glyph['ch']} drew the missing-glyph box: {glyph}"
        assert abs(glyph["width"] - 32) <= 1, f"{glyph['ch']} is not a full-width (1em) ideograph: {glyph}"


def log_in(page: Page, staff_no: str, password: str) -> None:
    """Submit the real login form (CSRF token included, as a person's browser would)."""
    page.goto("/auth/login")
    expect(page.locator('form input[name="csrf_token"]')).to_have_count(1)
    page.fill('input[name="username"]', staff_no)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="登录").click()


def log_in_and_reach_home(page: Page, staff_no: str) -> None:
    log_in(page, staff_no, DEMO_PASSWORD)
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def test_demo_admin_logs_in_and_sees_the_org_tree_and_people_list(page: Page, results_dir):
    log_in_and_reach_home(page, "admin")
    expect(page.locator("nav")).to_contain_text("管理员")
    assert_chinese_renders_with_a_cjk_font(page, "h1")

    page.goto("/org/units")
    tree = page.locator(".tree")
    expect(tree).to_contain_text("示范市公安局交通警察支队")
    expect(tree).to_contain_text("一大队")
    assert_chinese_renders_with_a_cjk_font(page, ".tree span.fw-semibold")
    page.screenshot(path=results_dir / "org-tree.png", full_page=True)

    page.goto("/org/people")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    total = _people_count(page)
    assert total >= rows.count() > 0
    if total > rows.count():
        expect(page.locator(".pagination")).to_be_visible()
    assert_chinese_renders_with_a_cjk_font(page, "table tbody tr td:nth-child(2) a")
    page.screenshot(path=results_dir / "people.png", full_page=True)


def test_scoped_admin_sees_only_their_brigade(page: Page, new_page, results_dir):
    log_in_and_reach_home(page, "dd1-admin")
    page.goto("/org/people")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    scoped_total = _people_count(page)
    scoped_units = page.locator('select[name="unit_id"] option').all_inner_texts()
    assert any("一大队" in o for o in scoped_units), scoped_units
    assert not any("二大队" in o for o in scoped_units), scoped_units
    unit_cells = set(page.locator("table tbody tr td:nth-child(3)").all_inner_texts())
    # The unit column shows the path within the admin's scope, so every row starts at 一大队.
    assert unit_cells <= {"一大队", "一大队/一中队", "一大队/二中队"}, unit_cells
    page.screenshot(path=results_dir / "people.png", full_page=True)

    page.goto("/org/units")
    tree = page.locator(".tree")
    expect(tree).to_contain_text("一大队")
    expect(tree).not_to_contain_text("二大队")
    expect(tree).not_to_contain_text("示范市公安局交通警察支队")
    page.screenshot(path=results_dir / "org-tree.png", full_page=True)

    admin_page = new_page()
    log_in_and_reach_home(admin_page, "admin")
    admin_page.goto("/org/people")
    expect(admin_page.locator("table tbody tr").first).to_be_visible()
    all_units = admin_page.locator('select[name="unit_id"] option').all_inner_texts()
    assert any("二大队" in o for o in all_units), all_units
    assert 0 < scoped_total < _people_count(admin_page)


def test_wrong_password_shows_a_generic_error(page: Page, results_dir):
    log_in(page, "jiaoguan", DEMO_PASSWORD + "-wrong")
    expect(page.get_by_role("alert")).to_contain_text("工号或密码错误")
    assert page.url.endswith("/auth/login")
    expect(page.locator("nav")).not_to_contain_text("管理员")
    page.screenshot(path=results_dir / "login-failed.png", full_page=True)


def test_the_font_check_fails_when_no_cjk_font_is_installed(browser, tmp_path):
    """Guard the guard: a Chromium whose fontconfig sees only Latin fonts must trip the check."""
    latin_dirs = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
                  if Path(d).is_dir()]
    assert latin_dirs, "need fonts-dejavu-core or fonts-liberation for the no-CJK control browser"
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        + "".join(f"<dir>{d}</dir>" for d in latin_dirs)
        + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    latin_only = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)},
    )
    try:
        page = latin_only.new_page()
        page.set_content(f'<html lang="zh-CN"><body style="font-family: \'{CJK_FONT}\', sans-serif">'
                         f"<h1>{CJK_SAMPLE}</h1></body></html>")
        with pytest.raises(AssertionError, match="not WenQuanYi Micro Hei"):
            assert_chinese_renders_with_a_cjk_font(page, "h1")
        glyphs = page.evaluate(_GLYPHS_JS, [page.locator("h1").element_handle(), CJK_SAMPLE + TOFU])
        assert len({g["hash"] for g in glyphs}) == 1, f"without a CJK font every character should be tofu: {glyphs}"
    finally:
        latin_only.close()
