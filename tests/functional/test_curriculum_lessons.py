"""Instructor lesson pages: edit, preview, reorder, images, export; lesson assets and render_lesson."""

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.curriculum.assets import render_lesson
from app.curriculum.content import check_tree
from app.extensions import db
from app.models import AuditEntry, Course, Lesson
from tests.factories import make_instructor, make_synced_curriculum

REAL_ROOT = Path(__file__).resolve().parents[2] / "course_content"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def curriculum(app):
    return make_synced_curriculum()


@pytest.fixture
def client(curriculum, as_user, app, tmp_path):
    app.config["LESSON_ASSETS_DIR"] = str(tmp_path / "lesson_assets")
    make_instructor()
    return as_user("jiaoguan")


def _course(slug: str = "fj-traffic-law") -> Course:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_editing_a_lesson_saves_it_keeps_its_id_and_marks_the_course_web(client):
    lesson = _course().lessons[0]
    response = client.post(f"/curriculum/lessons/{lesson.id}",
                           data={"title": "新的标题", "min_minutes": 30, "body": "## 新正文"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Lesson, lesson.id)
    assert (saved.title, saved.min_minutes, saved.body) == ("新的标题", 30, "## 新正文")
    assert saved.course.source == "web" and "lesson_update" in _actions()


def test_a_lesson_with_bad_minutes_is_refused_and_unchanged(client):
    lesson = _course().lessons[0]
    response = client.post(f"/curriculum/lessons/{lesson.id}",
                           data={"title": "标题", "min_minutes": 0, "body": "x"})
    assert response.status_code == 400 and "1 到 600" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).title != "标题" and _course().source == "content"


def test_the_editor_page_shows_the_markdown_and_its_preview(client):
    lesson = _course().lessons[0]
    page = client.get(f"/curriculum/lessons/{lesson.id}").get_data(as_text=True)
    assert 'hx-post="/curriculum/courses/' in page and "<h" in page.split('id="preview"')[1]


def test_preview_renders_sanitised_markdown_with_asset_urls(client):
    course = _course()
    response = client.post(f"/curriculum/courses/{course.id}/preview",
                           data={"body": "# 标题\n\n![图](images/a.png)\n\n<script>alert(1)</script>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>标题</h1>" in html and "<script>" not in html
    assert 'src="/curriculum/assets/fj-traffic-law/images/a.png"' in html
    assert _course().source == "content"


def test_preview_shows_task_lists_as_disabled_check_boxes_and_no_written_inputs(client):
    course = _course()
    response = client.post(f"/curriculum/courses/{course.id}/preview",
                           data={"body": "- [ ] 检查反光背心\n- [x] 领取执法记录仪\n\n<input type=\"text\" name=\"x\">"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<ul class="contains-task-list">' in html
    boxes = re.findall(r'<li class="task-list-item"><input ([^>]*)> (\S+)</li>', html)
    assert [text for _attrs, text in boxes] == ["检查反光背心", "领取执法记录仪"]
    assert all('type="checkbox"' in attrs and "disabled" in attrs for attrs, _text in boxes)
    assert ["checked" in attrs for attrs, _text in boxes] == [False, True]
    assert '<input type="text"' not in html and html.count("<input") == 2
    assert _course().source == "content"  # a preview saves nothing


def test_adding_a_lesson_appends_it_with_a_numbered_file(client):
    course = _course()
    response = client.post(f"/curriculum/courses/{course.id}/lessons/new",
                           data={"title": "第四课", "min_minutes": 10, "body": "正文"})
    assert response.status_code == 302
    course = _course()
    assert [lesson.file for lesson in course.lessons][-1] == "04-lesson.md"
    assert course.lessons[-1].position == 4 and "lesson_create" in _actions()


def test_moving_a_lesson_up_swaps_positions_and_file_numbers(client):
    first, second, _ = _course().lessons
    ids = first.id, second.id
    response = client.post(f"/curriculum/lessons/{second.id}/move", data={"direction": "up"})
    assert response.status_code == 302
    course = _course()
    assert [lesson.id for lesson in course.lessons][:2] == [ids[1], ids[0]]
    assert [lesson.file for lesson in course.lessons][:2] == ["01-road-rights.md", "02-law-framework.md"]
    assert course.source == "web" and "lesson_move" in _actions()


def test_moving_the_first_lesson_up_changes_nothing(client):
    first = _course().lessons[0]
    client.post(f"/curriculum/lessons/{first.id}/move", data={"direction": "up"})
    assert _course().lessons[0].id == first.id and "lesson_move" not in _actions()


def test_uploading_an_image_stores_it_appends_a_reference_and_serves_it(client, app):
    lesson = _course().lessons[0]
    response = client.post(f"/curriculum/lessons/{lesson.id}/images",
                           data={"image": (io.BytesIO(PNG), "图.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    body = db.session.get(Lesson, lesson.id).body
    name = body.rsplit("](assets/", 1)[1].split(")")[0]
    assert (Path(app.config["LESSON_ASSETS_DIR"]) / "fj-traffic-law" / name).read_bytes() == PNG
    with client.get(f"/curriculum/assets/fj-traffic-law/assets/{name}") as served:
        assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert "lesson_image" in _actions()


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("a.svg", PNG, "只支持"),
    ("a.png", b"GIF89a not a png", "文件内容与图片格式不符"),
    ("a.png", PNG + b"\x00" * 3000, "不能超过"),
])
def test_a_bad_image_is_refused_and_nothing_changes(client, app, filename, data, message):
    app.config["LESSON_IMAGE_MAX_BYTES"] = 2000
    lesson = _course().lessons[0]
    response = client.post(f"/curriculum/lessons/{lesson.id}/images",
                           data={"image": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert "assets/" not in db.session.get(Lesson, lesson.id).body
    assert not (Path(app.config["LESSON_ASSETS_DIR"]) / "fj-traffic-law").exists()


def test_content_images_are_served_from_the_content_root(client, app, tmp_path):
    folder = tmp_path / "content/courses/fj-traffic-law/images"
    folder.mkdir(parents=True)
    (folder / "sign.png").write_bytes(PNG)
    app.config["CONTENT_ROOT"] = str(tmp_path / "content")
    with client.get("/curriculum/assets/fj-traffic-law/images/sign.png") as served:
        assert served.data == PNG


@pytest.mark.parametrize("url", [
    "/curriculum/assets/fj-traffic-law/../../../etc/passwd.png",
    "/curriculum/assets/fj-traffic-law/assets/..%2F..%2Fsecret.png",
    "/curriculum/assets/fj-traffic-law/course.toml",
    "/curriculum/assets/..%2Fx/images/a.png",
    "/curriculum/assets/fj-traffic-law/images/missing.png",
])
def test_asset_paths_outside_the_course_are_not_found(client, url):
    assert client.get(url).status_code == 404


def test_assets_need_a_login(curriculum, app):
    response = app.test_client().get("/curriculum/assets/fj-traffic-law/images/a.png")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_render_lesson_points_relative_images_at_the_asset_route(client, app):
    lesson = _course().lessons[0]
    lesson.body = '![a](images/a.png) ![b](https://example.org/b.png) ![c](./assets/c.gif "t")'
    with app.test_request_context():
        html = str(render_lesson(lesson))
    assert 'src="/curriculum/assets/fj-traffic-law/images/a.png"' in html
    assert 'src="https://example.org/b.png"' in html
    assert 'src="/curriculum/assets/fj-traffic-law/assets/c.gif"' in html
    db.session.rollback()


def test_an_exported_course_passes_the_content_check(client, tmp_path):
    lesson = _course().lessons[1]
    client.post(f"/curriculum/lessons/{lesson.id}/images",
                data={"image": (io.BytesIO(PNG), "x.png")}, content_type="multipart/form-data")
    client.post(f"/curriculum/lessons/{lesson.id}/move", data={"direction": "up"})
    response = client.get(f"/curriculum/courses/{_course().id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    root = tmp_path / "exported"
    root.mkdir()
    shutil.copy(REAL_ROOT / "competencies.toml", root)
    shutil.copy(REAL_ROOT / "workforces.toml", root)
    shutil.copytree(REAL_ROOT / "banks", root / "banks")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        archive.extractall(root / "courses")
        toml = archive.read("fj-traffic-law/course.toml").decode()
    assert 'kind = "必修"' in toml  # the label, as people write content files; the database has "required"
    assert "fj-traffic-law/01-road-rights.md" in names
    assert any(name.startswith("fj-traffic-law/assets/") for name in names)
    assert check_tree(root) == []


def test_lesson_rendering_drops_a_leading_heading_that_repeats_the_title():
    from app.curriculum.assets import without_title

    assert without_title("# 交接班\n\n正文", "交接班").strip() == "正文"
    assert without_title("# 别的标题\n正文", "交接班").startswith("# 别的标题")
    assert without_title(None, "交接班") == ""
