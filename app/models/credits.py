"""培训完成情况's 学时 counters (kept by `app/study/credit_tallies.py`, rebuilt by `credit_state.recount`).

A person's 学时 of a year is summed once into `CreditStanding`; the section of the page adds up the
per-unit counters below instead of reading ledger lines, so it costs the same at any head count.
Only people 在岗 are counted in the three tallies; the post is 0 for people without one.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CreditStanding(db.Model):
    """One person's 学时 of one year (tenths): the total and its 必修 part (every person, any status)."""

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    total: Mapped[int] = mapped_column(default=0)
    required: Mapped[int] = mapped_column(default=0)


class CreditTally(db.Model):
    """The 学时 of one unit's active people of one post in one year: how many have more than 0
    (`people`), their tenths summed (`tenths`, `required`), and how many met the post's annual
    requirement (`met`: total ≥ annual_tenths and 必修 ≥ annual_required_tenths, 0 without one)."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, index=True)
    people: Mapped[int] = mapped_column(default=0)
    tenths: Mapped[int] = mapped_column(default=0)
    required: Mapped[int] = mapped_column(default=0)
    met: Mapped[int] = mapped_column(default=0)


class CreditHeadcount(db.Model):
    """How many active people one unit has in one post (the denominator of 达标率; any year)."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class CreditSourceTally(db.Model):
    """The 学时 one unit's active people earned in one year from one course (`source` "course", `ref`
    the course: course credit and the quiz credit of its lessons), or from one other kind of source
    (`source` its CreditSource, `ref` 0). A reversal counts where the line it cancels counted.
    `people`: how many have more than 0 from it; `tenths`: their sum."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[int] = mapped_column(primary_key=True)
    people: Mapped[int] = mapped_column(default=0)
    tenths: Mapped[int] = mapped_column(default=0)
