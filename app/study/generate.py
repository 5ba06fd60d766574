"""Generating the training tasks of the people in an admin's scope from their post syllabi.

The button 按培训大纲生成培训任务 on the admin pages; the same work as `flask study assign`, limited
to the admin's units. Idempotent: a person's missing syllabus assignments are created, existing ones
are left alone, so pressing it twice creates nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.audit import record
from app.auth.scope import Scope
from app.extensions import db
from app.models import OrgUnit, Person
from app.study.assignments import sync_assignments


@dataclass(frozen=True)
class Generated:
    people: int  # active people with a post in scope, whose syllabi were checked
    created: int  # assignments created


def generate_in_scope(actor_id: int, scope: Scope, *, today: date) -> Generated:
    """Create the missing syllabus assignments of every active person with a post in the scope.

    Commits once per person (as `sync_all` does, so a large scope never holds SQLite's write lock
    for long); each person who got tasks has an `assignment_sync` audit entry naming the admin,
    and the whole run one `assignment_generate` entry.
    """
    ids = list(db.session.scalars(
        select(Person.id).join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(scope.clause(OrgUnit.path), Person.status == "active", Person.post_id.is_not(None))
        .order_by(Person.id)))
    created = sum(sync_assignments(person_id, today=today, actor_id=actor_id) for person_id in ids)
    record("assignment_generate", None, actor_id=actor_id, people=len(ids), created=created,
           scope=list(scope.paths) if scope.paths is not None else "all")
    db.session.commit()
    return Generated(people=len(ids), created=created)
