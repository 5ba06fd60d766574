"""Committing wrappers of `ledger_tallies` for the receivers and `flask needs recount`."""

from __future__ import annotations

from app.audit import record
from app.extensions import db, writing
from app.needs import exam_outcomes, ledger_tallies


def refresh_people(person_ids) -> int:
    """Refresh the people's ledger rows and the tallies, one transaction per 2,000 people."""
    changed = 0
    for chunk in ledger_tallies.chunks(person_ids):
        with writing():
            changed += ledger_tallies.refresh(chunk)
            db.session.commit()
    return changed


def person_changed(person_id: int) -> None:
    """A person's unit, post or status changed: their ledger rows and their exam outcomes' keys."""
    with writing():
        ledger_tallies.refresh([person_id])
        exam_outcomes.move([person_id])
        db.session.commit()


def refresh_posts(post_ids) -> int:
    """Every person of these posts (their syllabus's targets changed)."""
    return refresh_people(ledger_tallies.people_of_posts(post_ids))


def recount(*, actor_id: int | None = None) -> int:
    """`flask needs recount`: rebuild the ledgers' rows and tallies and the exam outcomes; one audit entry."""
    with writing():
        people = ledger_tallies.recount()
        outcomes = exam_outcomes.recount()
        record("needs_recount", None, actor_id=actor_id, people=people, exam_outcomes=outcomes)
        db.session.commit()
    return people
