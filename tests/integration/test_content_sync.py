"""`sync_content` and `flask content sync` over the real course_content and copies of it."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.curriculum.content import ContentError
from app.curriculum.services import competency_tree
from app.curriculum.sync import sync_content
from app.extensions import db
from app.models import Assignment, AuditEntry, Competency, Course, Lesson, Post, Syllabus
from app.study.assignments import sync_assignments
from app.study.ledger import syllabus_for
from app.study.progress import required_slugs
from tests.factories import make_curriculum_posts, make_person, make_unit

REAL_ROOT = Path(__file__).resolve().parents[2] / "course_content"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def posts(app):
    make_curriculum_posts()


@pytest.fixture
def root(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(REAL_ROOT, copy)
    return copy


def test_sync_creates_the_whole_real_tree(posts):
    report = sync_content(REAL_ROOT)
    assert report.competencies.created == 26 == _count(Competency)
    assert report.syllabi.created == 9 == _count(Syllabus)
    assert report.courses.created == 15 == _count(Course)
    assert report.lessons.created == _count(Lesson) > 30
    law = db.session.scalar(select(Competency).where(Competency.code == "GEN-LAW"))
    assert law.parent.code == "GEN"
    course = db.session.scalar(select(Course).where(Course.slug == "fj-traffic-law"))
    assert course.credit_tenths == 20 and course.source == "content"
    assert [lesson.position for lesson in course.lessons] == [1, 2, 3]
    assert course.lessons[0].quiz == ["FJ-0001", "FJ-0029", "FJ-0046"]
    assert "##" in course.lessons[0].body or course.lessons[0].body
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "content_sync"))
    assert entry.detail["courses"]["created"] == 15


def test_a_second_sync_reports_everything_unchanged(posts):
    sync_content(REAL_ROOT)
    report = sync_content(REAL_ROOT)
    assert not report.changed
    assert report.competencies.unchanged == 26 and report.syllabi.unchanged == 9
    assert report.courses.unchanged == 15


def test_a_changed_lesson_is_the_one_update_and_keeps_its_id(posts, root):
    sync_content(root)
    lesson = db.session.scalar(select(Lesson).where(Lesson.file == "02-road-rights.md"))
    lesson_id = lesson.id
    path = root / "courses/fj-traffic-law/02-road-rights.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    report = sync_content(root)
    assert report.lessons.updated == 1 and report.lessons.created == 0
    assert report.courses.updated == 0
    db.session.expire_all()
    assert db.session.get(Lesson, lesson_id).body.endswith("补充一段。\n")


def _forget_course(root: Path, slug: str) -> None:
    """Delete a course folder and every syllabus reference to it."""
    shutil.rmtree(root / "courses" / slug)
    for syllabus in (root / "syllabi").glob("*.toml"):
        text = syllabus.read_text(encoding="utf-8")
        text = re.sub(rf'\[\[required\]\]\ncourse = "{slug}"\n[^\n]*\n', "", text)
        text = text.replace(f'"{slug}", ', "").replace(f', "{slug}"', "")
        syllabus.write_text(text, encoding="utf-8")


def test_a_removed_course_is_deactivated_not_deleted(posts, root):
    sync_content(root)
    _forget_course(root, "sq-mediation")
    report = sync_content(root)
    assert report.courses.removed == 1 and report.syllabi.updated == 3
    course = db.session.scalar(select(Course).where(Course.slug == "sq-mediation"))
    assert course is not None and course.active is False
    assert sync_content(root).courses.removed == 0


def _syllabus(post_code: str) -> Syllabus:
    post_id = db.session.scalar(select(Post.id).where(Post.code == post_code))
    return db.session.scalar(select(Syllabus).where(Syllabus.post_id == post_id))


def test_a_removed_syllabus_is_deactivated_and_assigns_nothing(posts, root):
    sync_content(root)
    kept = (root / "syllabi/fj-road.toml").read_bytes()
    (root / "syllabi/fj-road.toml").unlink()
    report = sync_content(root)
    assert (report.syllabi.removed, report.syllabi.unchanged) == (1, 8)
    assert "培训大纲：新增 0，更新 0，未变 8，停用 1" in report.lines()
    syllabus = _syllabus("fj-road")
    assert syllabus is not None and syllabus.active is False
    person = make_person(unit=make_unit(), post_id=syllabus.post_id, joined_on=date(2026, 5, 1))
    assert syllabus_for(person) is None and required_slugs(person) == set()
    assert sync_assignments(person.id, today=date(2026, 5, 10)) == 0
    assert _count(Assignment) == 0
    (root / "syllabi/fj-road.toml").write_bytes(kept)
    back = sync_content(root)
    assert (back.syllabi.updated, back.syllabi.removed) == (1, 0)
    assert syllabus_for(person) == syllabus and syllabus.active is True
    assert sync_assignments(person.id, today=date(2026, 5, 10)) > 0


_EXTRA_COMPETENCY = """
[[competency]]
code = "GEN-EXTRA"
parent = "GEN"
name = "临时能力项"
workforces = ["fj"]
description = "只为测试同步停用而加的能力项。"
"""


def _tree_codes(nodes) -> set[str]:
    return {code for node in nodes for code in {node.item.code} | _tree_codes(node.children)}


def test_a_removed_competency_is_deactivated_and_reactivated_when_it_returns(posts, root):
    path = root / "competencies.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + _EXTRA_COMPETENCY, encoding="utf-8")
    assert sync_content(root).competencies.created == 27
    assert "GEN-EXTRA" in _tree_codes(competency_tree())
    path.write_text(original, encoding="utf-8")
    report = sync_content(root)
    assert (report.competencies.removed, report.competencies.unchanged) == (1, 26)
    extra = db.session.scalar(select(Competency).where(Competency.code == "GEN-EXTRA"))
    assert extra.active is False
    assert "GEN-EXTRA" not in _tree_codes(competency_tree())
    path.write_text(original + _EXTRA_COMPETENCY, encoding="utf-8")
    back = sync_content(root)
    assert (back.competencies.updated, back.competencies.removed) == (1, 0)
    assert extra.active is True and extra.parent.code == "GEN"


def test_a_second_sync_after_removals_reports_everything_unchanged(posts, root):
    sync_content(root)
    (root / "syllabi/zg-org.toml").unlink()
    _forget_course(root, "sq-mediation")
    assert sync_content(root).changed
    again = sync_content(root)
    assert not again.changed
    assert (again.syllabi.unchanged, again.syllabi.removed) == (8, 0)
    assert again.competencies.unchanged == 26 and again.courses.removed == 0


def test_an_invalid_tree_deactivates_nothing(posts, root):
    sync_content(root)
    (root / "syllabi/fj-road.toml").unlink()
    (root / "courses/fj-traffic-law/course.toml").write_text('title = "坏"\n', encoding="utf-8")
    with pytest.raises(ContentError):
        sync_content(root)
    assert _syllabus("fj-road").active is True


def test_an_invalid_tree_writes_nothing(posts, root):
    (root / "courses/fj-traffic-law/course.toml").write_text('title = "坏"\n', encoding="utf-8")
    with pytest.raises(ContentError) as error:
        sync_content(root)
    assert any("course.toml" in issue.path for issue in error.value.issues)
    assert _count(Competency) == _count(Course) == _count(AuditEntry) == 0


def test_a_web_edited_course_is_skipped_unless_forced(posts, root):
    sync_content(root)
    course = db.session.scalar(select(Course).where(Course.slug == "fj-traffic-law"))
    course.source, course.title = "web", "网页上改过的标题"
    db.session.commit()
    path = root / "courses/fj-traffic-law/01-law-framework.md"
    path.write_text("# 新正文\n", encoding="utf-8")
    report = sync_content(root)
    assert report.skipped == ["fj-traffic-law"] and report.lessons.updated == 0
    assert course.title == "网页上改过的标题"
    forced = sync_content(root, force=True)
    assert forced.skipped == [] and forced.courses.updated == 1 and forced.lessons.updated == 1
    db.session.expire_all()
    assert course.source == "content" and course.title == "道路交通安全法规基础"


def test_cli_sync_prints_counts_per_kind(runner, posts):
    result = runner.invoke(args=["content", "sync", "--root", str(REAL_ROOT)])
    assert result.exit_code == 0, result.output
    assert "能力项：新增 26，更新 0，未变 0，停用 0" in result.output
    assert "培训大纲：新增 9" in result.output
    again = runner.invoke(args=["content", "sync"])
    assert again.exit_code == 0 and "课程：新增 0，更新 0，未变 15，停用 0" in again.output


def test_cli_sync_of_an_invalid_tree_lists_issues_and_fails(runner, posts, root):
    (root / "competencies.toml").write_text("not toml [", encoding="utf-8")
    result = runner.invoke(args=["content", "sync", "--root", str(root)])
    assert result.exit_code == 1
    assert "数据库未做任何修改" in result.output and "competencies.toml" in result.output
    assert _count(Course) == 0


def test_cli_sync_says_which_web_courses_were_skipped(runner, posts):
    sync_content(REAL_ROOT)
    course = db.session.scalar(select(Course).where(Course.slug == "sq-mediation"))
    course.source = "web"
    db.session.commit()
    result = runner.invoke(args=["content", "sync"])
    assert "跳过网页编辑过的课程（用 --force 覆盖）：sq-mediation" in result.output
    forced = runner.invoke(args=["content", "sync", "--force"])
    assert "跳过" not in forced.output
