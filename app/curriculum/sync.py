"""`sync_content`: an idempotent, all-or-nothing upsert of course_content/ into the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.audit import record
from app.curriculum import spec
from app.curriculum.content import ContentError, ContentIssue, load_tree, load_workforces
from app.curriculum.hashing import competency_row, course_row, lesson_row, syllabus_row
from app.curriculum.quiz_links import link_quiz_questions
from app.curriculum.workforces_file import FILE as WORKFORCES_FILE
from app.events import announce, syllabi_changed
from app.extensions import db
from app.models import (
    Certification,
    Competency,
    Course,
    Lesson,
    LessonCompetency,
    Level,
    Post,
    Syllabus,
    SyllabusTarget,
)
from app.org import reference

REFERENCE_KINDS = (("workforces", "队伍"), ("posts", "岗位"), ("grades", "岗位等级"))
KINDS = REFERENCE_KINDS + (("competencies", "能力项"), ("courses", "课程"), ("lessons", "课时"),
                           ("syllabi", "培训大纲"))


Counts = reference.Changes  # what a sync did to one kind of record


@dataclass
class SyncReport:
    """Per-kind counts and the web-edited courses the sync left alone."""

    workforces: Counts = field(default_factory=Counts)
    posts: Counts = field(default_factory=Counts)
    grades: Counts = field(default_factory=Counts)
    competencies: Counts = field(default_factory=Counts)
    courses: Counts = field(default_factory=Counts)
    lessons: Counts = field(default_factory=Counts)
    syllabi: Counts = field(default_factory=Counts)
    skipped: list[str] = field(default_factory=list)
    syllabus_posts: list[int] = field(default_factory=list)  # posts whose syllabus was created, changed or deactivated

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed for c in (getattr(self, attr) for attr, _ in KINDS))

    def lines(self) -> list[str]:
        """Return the summary, one Chinese line per kind (and one for skipped courses)."""
        out = []
        for attr, label in KINDS:
            c = getattr(self, attr)
            gone = "删除" if (attr, label) in REFERENCE_KINDS else "停用"  # reference rows go; content stays
            out.append(f"{label}：新增 {c.created}，更新 {c.updated}，未变 {c.unchanged}，{gone} {c.removed}")
        if self.skipped:
            out.append(f"跳过网页编辑过的课程（用 --force 覆盖）：{'、'.join(self.skipped)}")
        return out


def _upsert(row, values: dict, counts: Counts) -> bool:
    """Apply values to an existing row when its hash differs (reactivating it), counting either way.

    Return whether it wrote: the row's links are rewritten then too (the hash covers them).
    """
    if row.content_hash == values["content_hash"] and row.active:
        counts.unchanged += 1
        return False
    for key, value in values.items():
        setattr(row, key, value)
    row.active = True
    counts.updated += 1
    return True


def _deactivate(rows, counts: Counts) -> None:
    """Deactivate the active rows the content no longer has (never delete: records refer to them)."""
    for row in rows:
        if row.active:
            row.active = False
            counts.removed += 1


def _set_levels(links: list, wanted: dict[str, Level], ids: dict[str, int],
                make: Callable[[int, Level], object]) -> None:
    """Make a row's competency links say `wanted` ({code: level}), keeping the unchanged ones."""
    wanted_ids = {ids[code]: level for code, level in wanted.items()}
    current = {link.competency_id: link for link in links}
    for competency_id, link in current.items():
        if competency_id not in wanted_ids:
            links.remove(link)
        elif link.level != wanted_ids[competency_id]:
            link.level = wanted_ids[competency_id]
    links.extend(make(competency_id, level) for competency_id, level in wanted_ids.items()
                 if competency_id not in current)


def _competencies(items: tuple[spec.CompetencySpec, ...], report: SyncReport) -> dict[str, int]:
    """Upsert the competencies; return {code: id} of them all."""
    existing = {c.code: c for c in db.session.scalars(select(Competency))}
    for position, item in enumerate(items):
        values = competency_row(item, position)
        row = existing.get(item.code)
        if row is None:
            row = existing[item.code] = Competency(**values)
            db.session.add(row)
            report.competencies.created += 1
        else:
            _upsert(row, values, report.competencies)
    db.session.flush()
    for item in items:  # parents after every code has an id
        parent = existing[item.parent] if item.parent else None
        existing[item.code].parent_id = parent.id if parent else None
    codes = {item.code for item in items}
    _deactivate([row for code, row in existing.items() if code not in codes], report.competencies)
    return {code: row.id for code, row in existing.items()}


def _lessons(course: Course, items: tuple[spec.LessonSpec, ...], report: SyncReport,
             ids: dict[str, int]) -> None:
    existing = {lesson.file: lesson for lesson in course.lessons}
    for item in items:
        values = lesson_row(item)
        row = existing.get(item.file)
        if row is None:
            row = Lesson(**values)
            course.lessons.append(row)
            report.lessons.created += 1
        elif not _upsert(row, values, report.lessons):
            continue
        _set_levels(row.competency_links, item.competencies, ids,
                    lambda competency_id, level: LessonCompetency(competency_id=competency_id, level=level))
    files = {item.file for item in items}
    _deactivate([row for name, row in existing.items() if name not in files], report.lessons)


def _courses(items: tuple[spec.CourseSpec, ...], report: SyncReport, force: bool,
             ids: dict[str, int]) -> None:
    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    for item in items:
        row = existing.get(item.slug)
        if row is not None and row.source == "web" and not force:
            report.skipped.append(item.slug)
            continue
        values = course_row(item)
        if row is None:
            row = Course(**values, source="content")
            db.session.add(row)
            report.courses.created += 1
        else:
            if row.source != "content":
                row.source, row.content_hash = "content", ""  # force: take the files again
            _upsert(row, values, report.courses)
        _lessons(row, item.lessons, report, ids)
    slugs = {item.slug for item in items}
    _deactivate([row for slug, row in existing.items() if slug not in slugs and row.source == "content"],
                report.courses)


def _certifications(row: Syllabus, items: tuple[spec.CertificationSpec, ...], ids: dict[str, int],
                    existing: dict[str, Certification]) -> None:
    """Upsert a syllabus's certification exams by their stable code."""
    for item in items:
        cert = existing.get(item.exam)
        if cert is None:
            cert = existing[item.exam] = Certification(code=item.exam)
            db.session.add(cert)
        cert.title, cert.syllabus, cert.level = item.title, row, item.level
        cert.competency_id, cert.active = ids[item.competency], True


def _syllabi(items: tuple[spec.SyllabusSpec, ...], report: SyncReport, ids: dict[str, int]) -> None:
    posts = {p.code: p for p in db.session.scalars(select(Post))}
    existing = {s.post_id: s for s in db.session.scalars(select(Syllabus))}
    exams = {c.code: c for c in db.session.scalars(select(Certification))}
    synced = set()
    for item in items:
        post = posts[item.post]
        values = syllabus_row(item)
        row = existing.get(post.id)
        synced.add(post.id)
        if row is None:
            row = Syllabus(post_id=post.id, **values)
            db.session.add(row)
            report.syllabi.created += 1
        elif not _upsert(row, values, report.syllabi):
            continue
        report.syllabus_posts.append(post.id)
        _set_levels(row.targets, item.targets, ids,
                    lambda competency_id, level: SyllabusTarget(competency_id=competency_id, level=level))
        _certifications(row, item.certify, ids, exams)
    gone = [row for post_id, row in existing.items() if post_id not in synced]
    report.syllabus_posts += [row.post_id for row in gone if row.active]
    _deactivate(gone, report.syllabi)
    named = {cert.exam for item in items for cert in item.certify}
    for code, cert in exams.items():  # never deleted: exams will refer to them
        if code not in named and cert.active:
            cert.active = False


def _quiz_links() -> None:
    """Resolve every lesson's quiz 编号 to bank questions once (kept when a question is renumbered)."""
    link_quiz_questions(db.session.scalars(select(Lesson)).all())


def _reference(workforces: tuple[spec.WorkforceSpec, ...], report: SyncReport) -> None:
    """Apply workforces.toml (org's reference data) first: the syllabi name its posts."""
    applied = reference.apply(workforces)
    for attr, _ in REFERENCE_KINDS:
        setattr(report, attr, getattr(applied, attr))


def _still_used(workforces: tuple[spec.WorkforceSpec, ...]) -> None:
    """Refuse before writing when the file drops a workforce, post or grade still in use."""
    issues = [ContentIssue(WORKFORCES_FILE, None, message) for message in reference.still_used(workforces)]
    if issues:
        raise ContentError(issues)


def sync_workforces(root: Path, *, actor_id: int | None = None) -> SyncReport:
    """Check and apply only workforces.toml, and commit (the demo builds units and people on it
    before the syllabi exist); `sync_content` does the same as its first step."""
    workforces = load_workforces(root)
    _still_used(workforces)
    report = SyncReport()
    try:
        _reference(workforces, report)
        record("content_sync", None, actor_id=actor_id, root=str(root), only=WORKFORCES_FILE,
               **{attr: getattr(report, attr).as_dict() for attr, _ in REFERENCE_KINDS})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def sync_content(root: Path, *, actor_id: int | None = None, force: bool = False) -> SyncReport:
    """Validate the content under root, then upsert it in one transaction (ContentError if invalid):
    the workforces and their posts first, then competencies, courses and the syllabi that name the posts."""
    tree = load_tree(root)
    _still_used(tree.workforces)
    report = SyncReport()
    try:
        _reference(tree.workforces, report)
        ids = _competencies(tree.competencies, report)
        _courses(tree.courses, report, force, ids)
        _quiz_links()
        _syllabi(tree.syllabi, report, ids)
        record("content_sync", None, actor_id=actor_id, root=str(root), force=force or None,
               skipped=report.skipped or None,
               **{attr: getattr(report, attr).as_dict() for attr, _ in KINDS})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if report.syllabus_posts:
        announce(syllabi_changed, post_ids=sorted(report.syllabus_posts))
    return report
