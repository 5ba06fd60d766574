"""Sections other areas add to 培训完成情况 without study importing them (study sits below exams and
needs in the import order): an area's `init_app` calls `register(app, provider)`, and the page asks
every provider for its section of the overview shown. A provider takes (scope, overview) and returns
a `Section` (its template, included on the page, and the data that template reads as `section.data`)
or None; it must cost a fixed number of statements whatever the number of people (read counters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from app.auth.scope import Scope

_KEY = "completion_sections"


@dataclass(frozen=True)
class Section:
    template: str
    data: object


def register(app: Flask, provider: Callable[[Scope, object], Section | None]) -> None:
    app.extensions.setdefault(_KEY, []).append(provider)


def sections(scope: Scope, overview) -> list[Section]:
    return [section for provider in current_app.extensions.get(_KEY, ())
            if (section := provider(scope, overview)) is not None]
