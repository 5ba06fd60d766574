"""The diagnostic offered by message (消息) to new people and to people given a new post.

Only people whose post has an active syllabus with targets are offered it (there is nothing to ask
the others). At most once per person and occasion: the dedupe key names joining, or the new post.
Runs in the receiver after the announcing commit and commits its own messages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.messages.services import send_many
from app.models import Person, Syllabus, SyllabusTarget

KIND = "diagnostic"
LINK = "/needs/diagnostic"
TITLE = "请完成摸底测试"
BODY = ("摸底测试按您岗位培训大纲要求的能力出题，一次一题，通常几分钟即可完成。"
        "完成后可以看到每项能力的等级和与岗位要求的差距，据此安排学习。")


def _posts_with_targets(post_ids) -> set[int]:
    return set(db.session.scalars(select(Syllabus.post_id).where(
        Syllabus.post_id.in_(list(post_ids)), Syllabus.active,
        select(SyllabusTarget.competency_id).where(SyllabusTarget.syllabus_id == Syllabus.id).exists())))


def offer_to_new_people(person_ids: list[int], *, now: datetime) -> int:
    """Message each new person whose post has targets (once); returns how many were sent (commits)."""
    people = db.session.execute(select(Person.id, Person.post_id).where(Person.id.in_(list(person_ids)))).all()
    posts = _posts_with_targets({post_id for _id, post_id in people if post_id is not None})
    sent = send_many([pid for pid, post_id in people if post_id in posts], KIND, TITLE, BODY, LINK,
                     "diagnostic-offer:joined", now=now)
    db.session.commit()
    return sent


def offer_on_new_post(person_id: int, post_id: int, *, now: datetime) -> int:
    """Message a person given a new post with targets (once per post); commits."""
    if post_id not in _posts_with_targets({post_id}):
        return 0
    sent = send_many([person_id], KIND, "岗位已调整，请完成摸底测试", BODY, LINK, f"diagnostic-offer:post:{post_id}",
                     now=now)
    db.session.commit()
    return sent
