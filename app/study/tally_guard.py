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

from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql.elements import TextClause

TALLIES = "assignment_tallies"  # the execution option that lets a write to assignments pass
RECOUNT = {TALLIES: "recount"}  # "the caller rebuilds the counters with `tallies.recount` afterwards"
WRITES_ASSIGNMENTS = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+[\"`]?assignment\b(?!_)", re.I)


class UntalliedWrite(RuntimeError):
    """A write to assignments that would leave the 培训完成情况 counters wrong (a programming error)."""


def _sets_unit(state: ORMExecuteState) -> bool:
    values = getattr(state.statement, "_values", None) or {}
    keys = {getattr(key, "key", key) for key in values}
    parameters = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    return "unit_id" in keys.union(*parameters)


def guard(state: ORMExecuteState) -> None:
    """Refuse a statement that would change assignments, or whose they are, behind the counters."""
    if state.execution_options.get(TALLIES):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        wrong = bool(WRITES_ASSIGNMENTS.search(statement.text))
    elif state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(statement, "table", None), "name", "")
        wrong = (name == "assignment" or (name in ("person", "course") and state.is_delete)
                 or (name == "person" and state.is_update and _sets_unit(state)))
    else:
        return
    if wrong:
        raise UntalliedWrite("Write assignments through the ORM session or app.study.tallies (mark_started, "
                             "mark_completed), or pass execution_options(**tallies.RECOUNT) and call "
                             "tallies.recount() afterwards: the 培训完成情况 counters would be wrong.")
