"""Column values for the curriculum rows built from content specs, with their content hash.

A hash also covers a row's links (a lesson's competencies, a syllabus's targets and
certifications), so a sync rewrites the links exactly when it rewrites the row. Levels are
hashed by their labels, as the files write them.
"""

import hashlib
import json
from dataclasses import asdict

from app.curriculum import spec


def content_hash(values: dict) -> str:
    """Return a stable SHA-256 of the values (canonical JSON)."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hashed(values: dict, **links) -> dict:
    return values | {"content_hash": content_hash(values | links)}


def _labels(levels: dict) -> dict[str, str]:
    return {code: level.label for code, level in levels.items()}


def competency_row(item: spec.CompetencySpec, position: int) -> dict:
    """Return the Competency columns for a content competency (parent resolved separately)."""
    values = {"code": item.code, "name": item.name, "workforces": list(item.workforces),
              "description": item.description, "position": position}
    hashed = values | {"parent": item.parent, "levels": {k.label: v for k, v in item.levels.items()}}
    return values | {"levels": {str(int(level)): meaning for level, meaning in item.levels.items()},
                     "content_hash": content_hash(hashed)}


def course_row(item: spec.CourseSpec) -> dict:
    """Return the Course columns for a content course (its lessons are rows of their own)."""
    return _hashed({"slug": item.slug, "title": item.title, "workforces": list(item.workforces),
                    "kind": item.kind, "credit_tenths": int(item.credit_hours * 10),
                    "summary": item.summary})


def lesson_row(item: spec.LessonSpec) -> dict:
    """Return the Lesson columns for a content lesson (its competency links set apart)."""
    return _hashed({"position": item.position, "file": item.file, "title": item.title,
                    "body": item.body, "min_minutes": item.min_minutes, "quiz": list(item.quiz)},
                   competencies=_labels(item.competencies))


def syllabus_row(item: spec.SyllabusSpec) -> dict:
    """Return the Syllabus columns (without post_id; targets and certifications set apart)."""
    return _hashed({"title": item.title, "annual_tenths": item.annual_hours * 10,
                    "annual_required_tenths": item.annual_required_hours * 10,
                    "required": [asdict(rule) for rule in item.required],
                    "electives": list(item.electives)},
                   targets=_labels(item.targets),
                   certify=[asdict(c) | {"level": c.level.label} for c in item.certify])
