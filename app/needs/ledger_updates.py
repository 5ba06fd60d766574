"""Committing wrappers of `ledger_tallies` for the receivers and `flask needs recount`."""

from __future__ import annotations

from app.audit import record
from app.extensions import db, writing
from app.needs import ledger_tallies


def refresh_people(person_ids) -> int:
    """Refresh the people's ledger rows and the tallies, one transaction per 2,000 people."""
    changed = 0
    for chunk in ledger_tallies.chunks(person_ids):
        with writing():
            changed += ledger_tallies.refresh(chunk)
            db.session.commit()
    return changed


def refresh_posts(post_ids) -> int:
    """Every person of these posts (their syllabus's targets changed)."""
    return refresh_people(ledger_tallies.people_of_posts(post_ids))


def recount(*, actor_id: int | None = None) -> int:
    """`flask needs recount`: rebuild the ledgers' rows and tallies; one audit entry."""
    with writing():
        people = ledger_tallies.recount()
        record("needs_recount", None, actor_id=actor_id, people=people)
        db.session.commit()
    return people
