"""The guard of the 培训完成情况 counters: no write to assignments through the session behind their back.

`tallies.init_app` hooks `guard` into every session's `do_orm_execute`. It refuses, with
`UntalliedWrite`, a statement that would change assignments without `tallies` counting it: a bulk
INSERT/UPDATE/DELETE on `assignment` (ORM or Core), a text statement writing it, a bulk UPDATE of
people's units, a bulk DELETE of people or courses (their assignments go with them). Flushes of
the unit of work do not pass here (the session hooks count those), nor do reads. A statement that
carries the execution option `TALLIES` passes: `tallies` marks its own ("kept"), and a bulk load
marks itself `RECOUNT` when its caller rebuilds the counters afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql.elements import TextClause

TALLIES = "assignment_tallies"  # the execution option that lets a write to assignments pass
RECOUNT = {TALLIES: "recount"}  # "the caller rebuilds the counters with `tallies.recount` afterwards"
WRITES_ASSIGNMENTS = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+[\"`]?assignment\b(?!_)", re.I)


class UntalliedWrite(RuntimeError):
    """A write to assignments that would leave the 培训完成情况 counters wrong (a programming error)."""


def sets_columns(state: ORMExecuteState, columns: set[str]) -> bool:
    """Whether a bulk UPDATE sets any of the columns (in its VALUES or its parameters)."""
    values = getattr(state.statement, "_values", None) or {}
    keys = {getattr(key, "key", key) for key in values}
    parameters = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    return bool(columns & keys.union(*parameters))


def is_untallied(state: ORMExecuteState, option: str, writes: re.Pattern,
                 table_wrong: Callable[[str, ORMExecuteState], bool]) -> bool:
    """A statement some counters would miss: not marked with their execution `option`, and a text
    statement matching `writes` or a bulk INSERT/UPDATE/DELETE whose table `table_wrong` refuses."""
    if state.execution_options.get(option):
        return False
    statement = state.statement
    if isinstance(statement, TextClause):
        return bool(writes.search(statement.text))
    if state.is_insert or state.is_update or state.is_delete:
        return table_wrong(getattr(getattr(statement, "table", None), "name", ""), state)
    return False


def _assignments_wrong(name: str, state: ORMExecuteState) -> bool:
    return (name == "assignment" or (name in ("person", "course") and state.is_delete)
            or (name == "person" and state.is_update and sets_columns(state, {"unit_id"})))


def guard(state: ORMExecuteState) -> None:
    """Refuse a statement that would change assignments, or whose they are, behind the counters."""
    if is_untallied(state, TALLIES, WRITES_ASSIGNMENTS, _assignments_wrong):
        raise UntalliedWrite("Write assignments through the ORM session or app.study.tallies (mark_started, "
                             "mark_completed), or pass execution_options(**tallies.RECOUNT) and call "
                             "tallies.recount() afterwards: the 培训完成情况 counters would be wrong.")
