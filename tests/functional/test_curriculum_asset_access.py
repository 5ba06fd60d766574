"""Lesson images are served privately, with nosniff, only to people who may see the course (issue 9)."""

import pytest

from app.extensions import db
from app.models import Course
from tests.factories import make_instructor, make_person, make_synced_curriculum, make_unit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FJ_IMAGE = "/curriculum/assets/fj-traffic-law/assets/a.png"  # a 辅警 course
SHARED_IMAGE = "/curriculum/assets/gen-mass-work/assets/a.png"  # for 辅警, 社区工作者 and 组工干部


@pytest.fixture
def world(app, tmp_path):
    app.config["LESSON_ASSETS_DIR"] = str(tmp_path / "lesson_assets")
    for slug in ("fj-traffic-law", "gen-mass-work"):
        (tmp_path / "lesson_assets" / slug).mkdir(parents=True)
        (tmp_path / "lesson_assets" / slug / "a.png").write_bytes(PNG)
    workforces = make_synced_curriculum()
    unit = make_unit("一中队")
    fj_unit = make_unit("辅警大队")
    fj_unit.workforce_id = workforces["fj"].id
    db.session.commit()
    make_person(unit=unit, staff_no="fj-post", post_id=workforces["fj"].posts[0].id)
    make_person(unit=fj_unit, staff_no="fj-unit")
    make_person(unit=unit, staff_no="sq-post", post_id=workforces["sq"].posts[0].id)
    make_person(unit=unit, staff_no="no-workforce")
    make_instructor(staff_no="inst-sq", workforce=workforces["sq"])
    make_instructor(staff_no="inst-fj", workforce=workforces["fj"])
    make_instructor(staff_no="inst-all")
    return workforces


@pytest.mark.parametrize(("staff_no", "url", "status"), [
    ("fj-post", FJ_IMAGE, 200),          # a trainee whose post is in the course's workforce
    ("fj-unit", FJ_IMAGE, 200),          # ... or whose unit belongs to it
    ("sq-post", FJ_IMAGE, 404),          # another workforce's course
    ("sq-post", SHARED_IMAGE, 200),      # a course shared with their workforce
    ("no-workforce", FJ_IMAGE, 404),
    ("inst-fj", FJ_IMAGE, 200),          # an instructor whose scope covers the course
    ("inst-sq", FJ_IMAGE, 404),          # an instructor of another workforce
    ("inst-all", FJ_IMAGE, 200),
])
def test_a_lesson_image_is_served_only_to_people_who_may_see_the_course(world, as_user, staff_no, url, status):
    with as_user(staff_no).get(url) as response:
        assert response.status_code == status
        assert (response.data == PNG) is (status == 200)


def test_a_lesson_image_is_private_and_not_sniffed(world, as_user):
    with as_user("fj-post").get(FJ_IMAGE) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.cache_control.private and not response.cache_control.public
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_inactive_course_hides_its_images_from_trainees_but_not_from_its_instructor(world, as_user):
    course = db.session.scalar(db.select(Course).where(Course.slug == "fj-traffic-law"))
    course.active = False
    db.session.commit()
    with as_user("fj-post").get(FJ_IMAGE) as response:
        assert response.status_code == 404
    with as_user("inst-fj").get(FJ_IMAGE) as response:
        assert response.status_code == 200


def test_an_image_of_a_course_that_does_not_exist_is_not_found(world, as_user, tmp_path):
    (tmp_path / "lesson_assets" / "no-such-course").mkdir()
    (tmp_path / "lesson_assets" / "no-such-course" / "a.png").write_bytes(PNG)
    with as_user("inst-all").get("/curriculum/assets/no-such-course/assets/a.png") as response:
        assert response.status_code == 404
