"""What study does when other areas announce events: keep syllabus assignments in step."""

from flask import Flask

from app.celery_app import run_in_background
from app.events import person_joined, person_post_changed, person_updated, subscribe
from app.study.tasks import sync_assignments_task

# Edits that change which syllabus rules apply or their due dates (a post change has its own event).
_RESYNC_FIELDS = frozenset({"status", "joined_on"})


def assign_new_people(_app: Flask, *, person_ids: list[int]) -> None:
    """New people get their post syllabus's required courses."""
    run_in_background(sync_assignments_task, list(person_ids))


def assign_new_post(_app: Flask, *, person_id: int, old_post_id: int | None, new_post_id: int | None) -> None:
    """A new post brings its syllabus's required courses (assignments already made stay)."""
    if new_post_id is not None:
        run_in_background(sync_assignments_task, [person_id])


def resync_edited_person(_app: Flask, *, person_id: int, fields: list[str]) -> None:
    """Coming back to post or a corrected join date may add assignments or change the first due date."""
    if "post_id" not in fields and _RESYNC_FIELDS.intersection(fields):
        run_in_background(sync_assignments_task, [person_id])


def init_app(app: Flask) -> None:
    subscribe(app, person_joined, assign_new_people)
    subscribe(app, person_post_changed, assign_new_post)
    subscribe(app, person_updated, resync_edited_person)
