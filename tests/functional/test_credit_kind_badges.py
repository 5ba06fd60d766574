"""必修/选修 look the same on every page: one badge (templates/_credit_kind.html) for courses,
classes and 学时 ledger lines, on the instructor's, the admin's and the trainee's pages."""

import re

from app import clock
from app.extensions import db
from app.models import CreditEntry
from tests.factories import make_course, make_instructor, make_training_class, make_world

BADGE = {"required": '<span class="badge credit-kind credit-kind-required">必修</span>',
         "elective": '<span class="badge credit-kind credit-kind-elective">选修</span>'}
# Any element whose whole text is 必修 or 选修: the ways a page can show a kind on its own.
KIND_SHOWN = re.compile(r"<(span|td|div|strong)\b[^>]*>\s*(?:必修|选修)\s*</\1>")


def kinds_shown(page: str) -> set[str]:
    return {match.group(0) for match in KIND_SHOWN.finditer(page)}


def test_the_instructor_course_list_and_the_trainee_course_page_show_the_same_badges(app, as_user):
    make_instructor()  # a global instructor, also a trainee
    required = make_course("duty-law", title="执勤执法规范")
    elective = make_course("service", title="窗口服务礼仪", kind="elective")
    client = as_user("jiaoguan")

    assert kinds_shown(client.get("/curriculum/courses").get_data(as_text=True)) == set(BADGE.values())
    detail = client.get(f"/curriculum/courses/{elective.id}").get_data(as_text=True)
    assert kinds_shown(detail) == {BADGE["elective"]}
    for course in (required, elective):
        page = client.get(f"/study/courses/{course.id}").get_data(as_text=True)
        assert kinds_shown(page) == {BADGE[course.kind]}, course.kind


def test_classes_and_ledger_lines_show_the_same_badges_to_admins_and_trainees(app, as_user):
    world = make_world(people={"t": {"unit": "a1", "staff_no": "T-A"}})
    trainee = world["t"]
    make_training_class(world["a"], title="路面执勤实训班", kind="required", enrolled=(trainee,))
    make_training_class(world["a"], title="礼仪讲座", kind="elective", enrolled=(trainee,))
    year = clock.today().year
    db.session.add_all([CreditEntry(person_id=trainee.id, year=year, kind=kind, tenths=10, source_type="offline",
                                    source_id=i, note=f"{kind} 线下") for i, kind in enumerate(BADGE, 1)])
    db.session.commit()
    admin, me = as_user("admin-a"), as_user("T-A")
    pages = {
        "admin classes": admin.get("/classes/"),
        "admin ledger": admin.get(f"/study/admin/people/{trainee.id}/credits?year={year}"),
        "my classes": me.get("/classes/mine"),
        "my learning": me.get("/study/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert kinds_shown(response.get_data(as_text=True)) == set(BADGE.values()), name
