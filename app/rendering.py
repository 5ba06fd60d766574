"""Markdown rendering (markdown-it-py js-default + nh3) and display filters.

Written HTML is never rendered (js-default escapes it); plugins add what Markdown cannot say:
heading anchors for a lesson's contents, and task lists (`- [ ] 检查反光背心`) as disabled check
boxes. The nh3 allow-list then keeps only the tags, attributes and classes listed here.
"""

import re
from collections.abc import Callable

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from app.hours import format_hours

ANCHOR_PREFIX = "sec-"  # a heading's id never equals an id of the page around it
ImageUrl = Callable[[str], str | None]  # an image's src -> the URL to load it from (None: keep it)


def _slug(title: str) -> str:
    """Return a heading's anchor: its words (any script, Chinese too) joined by dashes."""
    words = re.sub(r"[^\w\s-]", "", title.lower()).split()
    return ANCHOR_PREFIX + ("-".join(words) or "0")


def _blank_run(state: StateInline, silent: bool) -> bool:
    """Keep a run of three or more underscores as text: it is a fill-in blank (question_bank's
    "____"), never emphasis — `____和____` would otherwise lose both blanks and bold the word."""
    start = end = state.pos
    while end < state.posMax and state.src[end] == "_":
        end += 1
    if end - start < 3:
        return False
    if not silent:
        state.pending += state.src[start:end]
    state.pos = end
    return True


def _markdown() -> MarkdownIt:
    md = MarkdownIt("js-default").enable("table").use(tasklists_plugin)
    md.inline.ruler.before("emphasis", "blank_run", _blank_run)
    return md


_md = _markdown()
_md_anchored = _markdown().use(anchors_plugin, min_level=2, max_level=3, slug_func=_slug)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "h2": {"id"},  # the anchors of a lesson's table of contents
    "h3": {"id"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"style"},
    "th": {"style"},
    "code": {"class"},
}
# Task lists: an <input> keeps only `checked`, and is always a disabled check box whatever was written.
INPUT_VALUES = {"input": {"checked": {"checked", ""}}}
INPUT_FORCED = {"input": {"type": "checkbox", "disabled": ""}}
ALLOWED_CLASSES = {
    "ul": {"contains-task-list"}, "ol": {"contains-task-list"}, "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}


# One line in which Markdown gives no character a meaning renders as one paragraph, as it is: the
# parser and the sanitiser are skipped (question texts are mostly such lines; an exam page shows a
# hundred of them). tests/integration/test_rendering.py checks the shortcut against the full path.
_PLAIN_LINE = re.compile(r"[^\\`*_\[\]!<>&~\"|]*")
_SPECIAL_START = tuple("0123456789-+#=")


def _is_plain_line(text: str) -> bool:
    return (text.isprintable() and not text[0].isspace() and not text[-1].isspace()
            and not text.startswith(_SPECIAL_START) and _PLAIN_LINE.fullmatch(text) is not None)


def render_markdown(text: str | None, *, image_url: ImageUrl | None = None) -> Markup:
    """Render untrusted Markdown to sanitised HTML."""
    if text and _is_plain_line(text):
        return Markup(f"<p>{text}</p>\n")  # noqa: S704 - no character in it has a meaning in HTML
    return _render(_md, _md.parse(text or ""), image_url)


def render_with_contents(text: str | None, *,
                         image_url: ImageUrl | None = None) -> tuple[Markup, list[tuple[str, str, str]]]:
    """Render Markdown whose h2/h3 headings get anchors; also return them as (level, anchor, text)."""
    tokens = _md_anchored.parse(text or "")
    contents = [(token.tag, token.attrGet("id"), _plain_text(tokens[i + 1]))
                for i, token in enumerate(tokens) if token.type == "heading_open" and token.attrGet("id")]
    return _render(_md_anchored, tokens, image_url), contents


def _plain_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline")).strip()


def _render(md: MarkdownIt, tokens: list[Token], image_url: ImageUrl | None) -> Markup:
    if image_url is not None:
        for image in (c for t in tokens if t.type == "inline" for c in t.children or () if c.type == "image"):
            url = image_url(str(image.attrGet("src") or ""))
            if url is not None:
                image.attrSet("src", url)
    return Markup(sanitise(md.renderer.render(tokens, md.options, {})))  # noqa: S704 - sanitised


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and classes of rendered HTML."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=INPUT_VALUES,
        set_tag_attribute_values=INPUT_FORCED,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def init_app(app: Flask) -> None:
    """Register the Jinja filters."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(format_hours, "hours")
