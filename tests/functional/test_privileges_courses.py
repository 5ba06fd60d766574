"""Issue 9, privileges: an instructor edits only courses wholly inside their scope.

A course shared by 辅警、社区、组工 stays readable to a 辅警-only instructor, but its editors
(course form, lesson editor, new lesson, reorder, images, preview) answer 403 and change nothing.
"""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Course, Lesson
from tests.factories import make_course, make_curriculum_posts, make_instructor

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REFUSAL = "管理范围以外的队伍"
ALL = ["fj", "sq", "zg"]


@pytest.fixture
def world(app, tmp_path):
    app.config["LESSON_ASSETS_DIR"] = str(tmp_path / "lesson_assets")
    workforces = make_curriculum_posts()
    shared = make_course("gen-shared", title="共同课程", lessons=(15, 20))
    shared.workforces = list(ALL)
    own = make_course("fj-own", title="辅警课程", lessons=(15, 20))
    own.workforces = ["fj"]
    db.session.commit()
    make_instructor(staff_no="inst-fj", workforce=workforces["fj"])
    make_instructor(staff_no="inst-all")
    return {"shared": shared.id, "own": own.id, "tmp": tmp_path}


def _course(course_id: int) -> Course:
    db.session.expire_all()
    return db.session.get(Course, course_id)


def _snapshot(course_id: int):
    course = _course(course_id)
    return (course.title, list(course.workforces), course.source, course.credit_tenths,
            [(lesson.id, lesson.position, lesson.file, lesson.title, lesson.body) for lesson in course.lessons])


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _course_form(workforces) -> dict:
    return {"title": "改过的课程", "workforces": workforces, "kind": "required",
            "credit_hours": "3", "summary": "改过的简介。"}


def _lesson_form() -> dict:
    return {"title": "改过的课时", "min_minutes": 5, "body": "只剩辅警的内容"}


def test_a_narrow_instructor_cannot_strip_workforces_from_a_shared_course(world, as_user):
    client = as_user("inst-fj")
    before, audits = _snapshot(world["shared"]), _audit_count()
    response = client.post(f"/curriculum/courses/{world['shared']}/edit", data=_course_form(["fj"]))
    assert response.status_code == 403 and REFUSAL in response.get_data(as_text=True)
    assert _snapshot(world["shared"]) == before and _course(world["shared"]).workforces == ALL
    assert _audit_count() == audits


def test_a_narrow_instructor_cannot_open_the_editors_of_a_shared_course(world, as_user):
    client = as_user("inst-fj")
    lesson_id = _course(world["shared"]).lessons[0].id
    for url in (f"/curriculum/courses/{world['shared']}/edit", f"/curriculum/lessons/{lesson_id}",
                f"/curriculum/courses/{world['shared']}/lessons/new"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert REFUSAL in response.get_data(as_text=True)


def test_a_narrow_instructor_cannot_change_the_lessons_of_a_shared_course(world, as_user):
    client = as_user("inst-fj")
    before, audits = _snapshot(world["shared"]), _audit_count()
    lessons = [lesson.id for lesson in _course(world["shared"]).lessons]
    attempts = [
        (f"/curriculum/lessons/{lessons[0]}", _lesson_form()),
        (f"/curriculum/courses/{world['shared']}/lessons/new", _lesson_form()),
        (f"/curriculum/lessons/{lessons[1]}/move", {"direction": "up"}),
        (f"/curriculum/lessons/{lessons[0]}/images", {"image": (io.BytesIO(PNG), "a.png")}),
        (f"/curriculum/courses/{world['shared']}/preview", {"body": "# 预览"}),
    ]
    for url, data in attempts:
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 403, url
    assert _snapshot(world["shared"]) == before
    assert db.session.scalar(select(func.count()).select_from(Lesson)
                             .where(Lesson.course_id == world["shared"])) == 2
    assert _audit_count() == audits
    assert not (world["tmp"] / "lesson_assets").exists() or not any((world["tmp"] / "lesson_assets").rglob("*.png"))


def test_a_narrow_instructor_still_reads_and_exports_a_shared_course_without_edit_buttons(world, as_user):
    client = as_user("inst-fj")
    course = _course(world["shared"])
    page = client.get(f"/curriculum/courses/{world['shared']}").get_data(as_text=True)
    assert course.title in page and "第1课" in page and REFUSAL in page
    assert f"/curriculum/courses/{world['shared']}/edit" not in page
    assert f"/curriculum/lessons/{course.lessons[0].id}" not in page  # neither editor nor reorder
    assert f"/curriculum/courses/{world['shared']}/lessons/new" not in page
    assert client.get(f"/curriculum/courses/{world['shared']}/export.zip").status_code == 200
    listing = client.get("/curriculum/courses").get_data(as_text=True)
    assert "共同课程" in listing and "仅可查看" in listing


def test_a_narrow_instructor_edits_a_course_wholly_in_their_scope(world, as_user):
    client = as_user("inst-fj")
    page = client.get(f"/curriculum/courses/{world['own']}").get_data(as_text=True)
    assert f"/curriculum/courses/{world['own']}/edit" in page and REFUSAL not in page
    response = client.post(f"/curriculum/courses/{world['own']}/edit", data=_course_form(["fj"]))
    assert response.status_code == 302
    course = _course(world["own"])
    assert course.title == "改过的课程" and course.workforces == ["fj"] and course.source == "web"
    lesson_id = course.lessons[0].id
    assert client.get(f"/curriculum/lessons/{lesson_id}").status_code == 200
    assert client.post(f"/curriculum/lessons/{lesson_id}", data=_lesson_form()).status_code == 302
    assert _course(world["own"]).lessons[0].body == "只剩辅警的内容"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"course_update", "lesson_update"} <= actions


def test_a_global_instructor_edits_a_shared_course_and_may_narrow_it(world, as_user):
    client = as_user("inst-all")
    page = client.get(f"/curriculum/courses/{world['shared']}").get_data(as_text=True)
    assert f"/curriculum/courses/{world['shared']}/edit" in page and REFUSAL not in page
    response = client.post(f"/curriculum/courses/{world['shared']}/edit", data=_course_form(["fj", "sq"]))
    assert response.status_code == 302
    assert _course(world["shared"]).workforces == ["fj", "sq"]
    lessons = [lesson.id for lesson in _course(world["shared"]).lessons]
    assert client.post(f"/curriculum/lessons/{lessons[1]}/move", data={"direction": "up"}).status_code == 302
    assert [lesson.id for lesson in _course(world["shared"]).lessons] == lessons[::-1]
