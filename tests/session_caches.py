"""What every app the tests build computes alike, computed once per test session.

The suite builds a new app for nearly every test (and a live server per browser module). Two
costs of a new app are the same work redone each time: Werkzeug compiling a URL builder for each
of its ~135 routes (about two thirds of `create_app`), and Jinja compiling each template the test
renders (a new app has a new Jinja environment, and so an empty template cache). Both results
depend only on their input (the rule's parts; the template's name and source), so they are kept
for the session and reused; apps still are built whole, each with its own config, extensions,
receivers and database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule


class SharedTemplateCode(BytecodeCache):
    """Jinja's bytecode cache, in memory: a template compiled for one app serves the next.

    A bucket is keyed by the template's name and file and checked against its source's checksum,
    so a changed or differently loaded template (a test's own `DictLoader`) is compiled anew.
    All test apps configure Jinja alike (one factory), which is what sharing compiled code needs.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()


def _memoized_builder(compile_builder: Callable) -> Callable:
    """Wrap `Rule._compile_builder`: the generated function depends only on the rule's parts.

    The builder's code is made from the rule's trace (its static text and argument names, the
    host or subdomain part included) and whether unknown arguments go to the query string; it
    reads the rule's converters through `self` when called. Rules with defaults fold converted
    values into the code, so they are compiled as before.
    """
    built: dict[tuple, Callable] = {}

    def compile_once(self: Rule, append_unknown: bool = True) -> Callable:
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    return compile_once


@contextmanager
def url_builders_compiled_once() -> Iterator[None]:
    """Reuse Werkzeug's compiled URL builders across apps (left as is if Werkzeug changed)."""
    original = getattr(Rule, "_compile_builder", None)
    if original is None or not _has_trace():
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", _memoized_builder(original))
        yield


def _has_trace() -> bool:
    """Whether a bound rule has the `_trace` the memo key uses (Werkzeug 2.2 to 3.1 have it)."""
    from werkzeug.routing import Map

    rule = Rule("/probe/<int:n>", endpoint="probe")
    Map([rule])
    return isinstance(getattr(rule, "_trace", None), list)
