"""Column values for the curriculum rows built from content dataclasses, with their content hash."""

import hashlib
import json
from dataclasses import asdict

from app.curriculum import model


def content_hash(values: dict) -> str:
    """Return a stable SHA-256 of the values (canonical JSON)."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hashed(values: dict) -> dict:
    return values | {"content_hash": content_hash(values)}


def competency_row(item: model.Competency, position: int) -> dict:
    """Return the Competency columns for a content competency (parent resolved separately)."""
    values = {"code": item.code, "name": item.name, "workforces": list(item.workforces),
              "description": item.description, "levels": dict(item.levels), "position": position}
    return values | {"content_hash": content_hash(values | {"parent": item.parent})}


def course_row(item: model.Course) -> dict:
    """Return the Course columns for a content course (its lessons are rows of their own)."""
    return _hashed({"slug": item.slug, "title": item.title, "workforces": list(item.workforces),
                    "kind": item.kind, "credit_tenths": int(item.credit_hours * 10),
                    "summary": item.summary})


def lesson_row(item: model.Lesson) -> dict:
    """Return the Lesson columns for a content lesson."""
    return _hashed({"position": item.position, "file": item.file, "title": item.title,
                    "body": item.body, "min_minutes": item.min_minutes,
                    "competencies": dict(item.competencies), "quiz": list(item.quiz)})


def syllabus_row(item: model.Syllabus) -> dict:
    """Return the Syllabus columns (without post_id) for a content syllabus."""
    return _hashed({"title": item.title, "annual_tenths": item.annual_hours * 10,
                    "annual_required_tenths": item.annual_required_hours * 10,
                    "targets": dict(item.targets),
                    "required": [asdict(rule) for rule in item.required],
                    "electives": list(item.electives),
                    "certify": [asdict(c) for c in item.certify]})
