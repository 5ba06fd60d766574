"""workforces.toml: workforces, posts and grade ladders are content, synced before the syllabi that
name the posts, so a fresh install (`flask db upgrade && flask content sync`) syncs completely."""

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.curriculum.content import ContentError, check_tree
from app.curriculum.sync import sync_content, sync_workforces
from app.extensions import db
from app.models import AuditEntry, Grade, Person, Post, Syllabus, Workforce
from tests.factories import make_person, make_unit

REAL_ROOT = Path(__file__).resolve().parents[2] / "course_content"


@pytest.fixture
def root(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(REAL_ROOT, copy)
    return copy


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "workforces.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_fresh_database_syncs_completely_with_the_posts_the_syllabi_name(app, runner):
    assert _count(Workforce) == _count(Post) == 0
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "队伍：新增 3" in result.output and "培训大纲：新增 9" in result.output
    named = {path.stem for path in (REAL_ROOT / "syllabi").glob("*.toml")}
    posts = {post.code: post for post in db.session.scalars(select(Post))}
    assert named <= set(posts) and len(named) == 9
    synced = set(db.session.scalars(select(Post.code).join(Syllabus, Syllabus.post_id == Post.id)))
    assert synced == named
    sq = db.session.scalar(select(Workforce).where(Workforce.code == "sq"))
    assert [g.rank for g in sq.grades] == list(range(1, 19)) and sq.grades[0].name == "一级" and sq.grades[-1].name == "十八级"
    assert posts["sq-grid"].workforce.code == "sq" and posts["sq-grid"].name == "网格员" and posts["sq-grid"].description
    fj = db.session.scalar(select(Workforce).where(Workforce.code == "fj"))
    assert fj.name == "辅警" and fj.grades[0].name == "见习辅警"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "content_sync"))
    assert entry.detail["posts"]["created"] == 9 and entry.detail["syllabi"]["created"] == 9
    again = runner.invoke(args=["content", "sync"])
    assert "岗位：新增 0，更新 0，未变 9，删除 0" in again.output


def test_the_check_reports_a_broken_workforces_file_and_what_depends_on_it(root):
    _edit(root, 'code = "fj-window"', 'code = "fj-road"')  # a post code twice
    _edit(root, 'name = "综合服务岗"', 'name = "网格员"')  # a post name twice
    _edit(root, '"三级辅警", ', '"三级辅警", "三级辅警", ')
    issues = {(issue.path, issue.message) for issue in check_tree(root)}
    assert ("workforces.toml", '岗位代码 "fj-road" 重复') in issues
    assert any("岗位名称“网格员”重复" in message for _, message in issues)
    assert ("workforces.toml", "岗位等级“三级辅警”重复") in issues
    text = (root / "workforces.toml").read_text(encoding="utf-8")
    (root / "workforces.toml").write_text(text.replace('code = "zg"', 'code = "zz"'), encoding="utf-8")
    messages = [issue.message for issue in check_tree(root) if issue.path != "workforces.toml"]
    assert any(re.fullmatch(r'未知的队伍代码 "zg".*', m) for m in messages)  # courses and competencies
    (root / "workforces.toml").unlink()
    issues = check_tree(root)
    assert [issue.message for issue in issues] == ["缺少文件 workforces.toml"]


def test_a_syllabus_for_a_post_the_file_does_not_define_is_an_issue(app, root):
    (root / "syllabi/fj-road.toml").rename(root / "syllabi/fj-bike.toml")
    text = (root / "syllabi/fj-bike.toml").read_text(encoding="utf-8").replace('"fj-road"', '"fj-bike"')
    (root / "syllabi/fj-bike.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as error:
        sync_content(root)
    assert [(i.path, i.message) for i in error.value.issues] == [
        ("syllabi/fj-bike.toml", '未知岗位代码 "fj-bike"（岗位在 workforces.toml 中定义）')]
    assert _count(Post) == 0 and _count(Syllabus) == 0


def test_a_new_ladder_order_and_a_renamed_post_are_updated_in_place(app, root):
    sync_content(root)
    fj = db.session.scalar(select(Workforce).where(Workforce.code == "fj"))
    ids = {g.name: g.id for g in fj.grades}
    _edit(root, '"见习辅警", "五级辅警"', '"五级辅警", "见习辅警"')
    _edit(root, 'name = "路面执勤"', 'name = "道路执勤"')
    report = sync_content(root)
    assert report.grades.updated == 2 and report.posts.updated == 1 and report.syllabi.unchanged == 9
    db.session.expire_all()
    assert [(g.name, g.id) for g in fj.grades][:2] == [("五级辅警", ids["五级辅警"]), ("见习辅警", ids["见习辅警"])]
    assert db.session.scalar(select(Post.name).where(Post.code == "fj-road")) == "道路执勤"


def test_a_dropped_post_or_grade_goes_unless_something_refers_to_it(app, root):
    extra = '[[workforce.post]]\ncode = "zg-archive"\nname = "干部档案岗"\n\n'
    _edit(root, '[[workforce.post]]\ncode = "zg-org"', extra + '[[workforce.post]]\ncode = "zg-org"')
    sync_content(root)
    grade = db.session.scalar(select(Grade).where(Grade.name == "一级调研员"))
    post = db.session.scalar(select(Post).where(Post.code == "zg-archive"))
    person = make_person(unit=make_unit("组织部"), post_id=post.id, grade_id=grade.id)
    _edit(root, ', "二级调研员", "一级调研员"', ', "二级调研员"')
    _edit(root, extra, "")
    _edit(root, 'code = "zg-org"', 'code = "zg-party"')  # its syllabus row still names zg-org
    (root / "syllabi/zg-org.toml").rename(root / "syllabi/zg-party.toml")
    _edit_syllabus = (root / "syllabi/zg-party.toml")
    _edit_syllabus.write_text(_edit_syllabus.read_text(encoding="utf-8").replace('"zg-org"', '"zg-party"'),
                              encoding="utf-8")
    with pytest.raises(ContentError) as error:
        sync_content(root)
    messages = [issue.message for issue in error.value.issues]
    assert len(messages) == 3, messages
    assert messages[0].startswith("岗位“干部档案岗（zg-archive）”已从文件中删去，但仍被使用（人员 1）")
    assert messages[1].startswith("岗位“组织建设岗（zg-org）”已从文件中删去，但仍被使用（培训大纲 1）")
    assert messages[2].startswith("岗位等级“一级调研员”已从文件中删去，但仍被使用（人员 1）")
    assert db.session.scalar(select(Post.code).where(Post.id == post.id)) == "zg-archive"  # nothing changed
    _edit(root, 'code = "zg-party"', 'code = "zg-org"')  # a post with a syllabus stays in the file
    (root / "syllabi/zg-party.toml").rename(root / "syllabi/zg-org.toml")
    _edit_syllabus = (root / "syllabi/zg-org.toml")
    _edit_syllabus.write_text(_edit_syllabus.read_text(encoding="utf-8").replace('"zg-party"', '"zg-org"'),
                              encoding="utf-8")
    person = db.session.get(Person, person.id)
    person.post_id = person.grade_id = None
    db.session.commit()
    report = sync_content(root)
    assert report.posts.removed == 1 and report.grades.removed == 1 and report.posts.unchanged == 9
    assert db.session.get(Post, post.id) is None and db.session.get(Grade, grade.id) is None


def test_the_workforces_alone_sync_before_anything_else(app, root):
    report = sync_workforces(root)
    assert report.posts.created == 9 and _count(Syllabus) == 0 and _count(Grade) == 34
    assert sync_content(root).posts.unchanged == 9
