"""Small helpers shared by the areas' forms, and the one check of every submitted value.

- `refuse_control_characters` (a `before_request`, see `init_app`): a form value, a form field's name,
  a query value or an uploaded file's name holding a NUL or another control character (C0 other than
  tab, newline and carriage return, and DEL) is refused with a 400 page in Chinese before any view
  runs, so no service ever stores one (PostgreSQL refuses NUL in text; the rest are never typed).
- `ids`, `as_id`: ids typed into forms and links; never `int()` or `str.isdigit()` on typed text
  (they take "²", "٣" or "５") and never an id beyond the database's integers.
- `local_path`: the only way to follow a `next` from a form or a link.
- `NestedForm`: a form inside a Flask-WTF form (FieldList/FormField), with its messages in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, request
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from app.errors import DomainError

ID_MAX = 2**63 - 1  # the largest id any of our databases stores
_ID = re.compile(r"[0-9]{1,19}")
_INT = re.compile(r"[+-]?[0-9]{1,19}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTEXT = 8  # characters shown on either side of a refused control character


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value) -> int | None:
    """Coerce a select's value to a whole number (ASCII digits, an optional sign, within the database's
    integers), or None for an empty or bad one (the service then says why)."""
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= ID_MAX else None


def as_id(text: str | None) -> int | None:
    """Return a typed id (ASCII digits, 1 to ID_MAX, spaces around allowed), else None."""
    text = (text or "").strip()
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


def ids(values: Iterable[str]) -> list[int]:
    """Keep the valid ids of submitted values (check boxes, a comma list split by the caller), in order,
    each once; anything else ("²", "-1", "1e3", 2**63, "") is dropped."""
    kept = (as_id(value) for value in values)
    return list(dict.fromkeys(value for value in kept if value is not None))


def local_path(value: str | None, default: str | None = None) -> str | None:
    """Return `value` if it is a path on this site ("/bank/?page=2"), else `default`.

    Refused: anything not starting with exactly one "/" ("//evil.example" is another host, and a
    scheme cannot come first), any backslash (browsers read "/\\evil.example" as "//evil.example"),
    control characters and tab, newline or carriage return (browsers drop those: "/\t/evil.example").
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if _CONTROL.search(value) or any(ch in value for ch in "\t\n\r"):
        return default
    return value


class NestedForm(Form):
    """A form nested in a FlaskForm (FormField, FieldList): no CSRF field of its own (the outer form
    has one), and WTForms' own messages in the app's language, as a FlaskForm's are."""

    class Meta:
        def get_translations(self, form):
            from flask_wtf.i18n import translations

            return translations


def _visible(text: str) -> str:
    return _CONTROL.sub("□", text)


def control_character_problem(name: str, value: str, *, echo: bool = True) -> str | None:
    """Say in Chinese where a submitted value holds a control character, or None when it holds none."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    if not echo:
        return "提交的内容中含有不可见的控制字符，请删除后重新提交。"
    start, end = max(found.start() - _CONTEXT, 0), found.end() + _CONTEXT
    shown = ("…" if start else "") + _visible(value[start:end]) + ("…" if end < len(value) else "")
    return (f"提交的内容中含有不可见的控制字符（多见于从其他软件复制来的文字），在“{shown}”处（以 □ 标出），"
            "请删除后重新提交。")


def refuse_control_characters() -> None:
    """Refuse a request whose form, query or file names hold control characters (400, Chinese)."""
    for source in (request.args, request.form):
        for name, values in source.lists():
            if _CONTROL.search(name):
                raise DomainError("提交的表单有误（字段名中含有控制字符），请刷新页面后重试。")
            for value in values:
                problem = control_character_problem(name, value, echo="password" not in name)
                if problem:
                    raise DomainError(problem)
    for upload in request.files.values():
        if _CONTROL.search(upload.filename or ""):
            raise DomainError("文件名中含有不可见的控制字符，请将文件改名后重新上传。")


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
