"""Markdown rendering (markdown-it-py js-default + nh3) and display filters."""

from datetime import date, datetime

import nh3
from flask import Flask
from flask_babel import format_date, format_datetime
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.hours import format_hours

_md = MarkdownIt("js-default").enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"style"},
    "th": {"style"},
    "code": {"class"},
}


def render_markdown(text: str | None) -> Markup:
    """Render untrusted Markdown to sanitised HTML."""
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above


def _datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return format_datetime(value, fmt) if value else ""


def _date(value: date | None, fmt: str = "yyyy-MM-dd") -> str:
    return format_date(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    """Register the Jinja filters."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_date, "date")
    app.add_template_filter(format_hours, "hours")
