"""Domain events: delivery with the payload, one app's receivers only, nothing before a commit,
and study's assignments following people who join or change post."""

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.scope import Scope
from app.errors import Conflict, DomainError
from app.events import (
    EVENTS,
    announce,
    person_joined,
    person_post_changed,
    person_updated,
    subscribe,
)
from app.extensions import db
from app.models import Assignment, Person, RosterImport
from app.org import people, roster, roster_batches
from app.study import receivers
from tests.factories import (
    make_course,
    make_person,
    make_syllabus,
    make_world,
)

EVERYWHERE = Scope(None)
HEARD: list[tuple[object, str, dict]] = []


def _hear_joined(sender, **payload):
    HEARD.append((sender, "joined", payload))


def _hear_post(sender, **payload):
    HEARD.append((sender, "post", payload))


def _hear_updated(sender, **payload):
    HEARD.append((sender, "updated", payload))


@pytest.fixture
def heard(app):
    HEARD.clear()
    subscribe(app, person_joined, _hear_joined)
    subscribe(app, person_post_changed, _hear_post)
    subscribe(app, person_updated, _hear_updated)
    yield HEARD
    HEARD.clear()


@pytest.fixture
def world(app):
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-desk", "窗口服务"))})
    world["post"], world["other_post"] = world["posts"]
    make_course("newcomer", lessons=(1,))
    make_syllabus(world["post"], required=[{"course": "newcomer", "within_days_of_joining": 30}])
    return world


def _assigned(person_id: int) -> list[str]:
    return [a.course.slug for a in db.session.scalars(select(Assignment).filter_by(person_id=person_id))]


def test_every_event_is_named_and_documents_its_payload():
    assert [e.name for e in EVENTS] == ["person-joined", "person-post-changed", "person-updated",
                                        "attempt-finished", "attempt-graded", "attempt-regraded",
                                        "quiz-finished", "lesson-completed", "syllabi-changed"]
    assert all("Payload" in e.__doc__ for e in EVENTS)


def test_an_announced_event_reaches_a_subscriber_with_its_payload(app, heard):
    announce(person_joined, person_ids=[7, 8])
    assert heard == [(app, "joined", {"person_ids": [7, 8]})]


def test_an_event_reaches_only_the_receivers_of_the_app_that_announced_it(make_app):
    first, second = make_app(), make_app()
    HEARD.clear()
    subscribe(second, person_joined, _hear_joined)
    with first.app_context():
        announce(person_joined, person_ids=[1])
    assert HEARD == []
    with second.app_context():
        announce(person_joined, person_ids=[2])
    assert HEARD == [(second, "joined", {"person_ids": [2]})]
    HEARD.clear()


def test_each_app_connects_study_once_and_gone_apps_leave_no_receivers(make_app):
    import gc
    import weakref

    from app import create_app
    from app.needs import receivers as needs_receivers

    # study's, and needs' (the diagnostic's offer, the 三本台账's rows): each once, in no promised order
    joined = sorted([receivers.assign_new_people, needs_receivers.offer_on_joining, needs_receivers.people_joined],
                    key=id)
    apps = [make_app() for _ in range(3)]
    for app in apps:
        assert sorted(person_joined.receivers_for(app), key=id) == joined
    throwaway = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert sorted(person_joined.receivers_for(throwaway), key=id) == joined
    gone = weakref.ref(throwaway)
    del throwaway
    apps.append(make_app())  # the newest app becomes Celery's default, which held the throwaway app
    gc.collect()
    assert gone() is None  # blinker holds senders weakly and dropped the app's receivers with it
    for app in apps:
        assert sorted(person_joined.receivers_for(app), key=id) == joined


def test_announcing_before_the_commit_is_refused(app, heard, world):
    world["admin_a"].name = "改名未提交"
    with pytest.raises(RuntimeError, match="committed"):
        announce(person_joined, person_ids=[1])
    assert heard == []
    db.session.rollback()


def test_joining_a_person_creates_their_syllabus_assignments_through_the_event(app, world, heard):
    person, _ = people.create_person(1, EVERYWHERE, people.PersonData("N-1", "新人", world["a1"].id,
                                                                      post_id=world["post"].id))
    assert heard == [(app, "joined", {"person_ids": [person.id]})]
    assert _assigned(person.id) == ["newcomer"]


def test_without_study_listening_a_new_person_gets_no_assignments(app, world):
    person_joined.disconnect(receivers.assign_new_people, sender=app)
    person, _ = people.create_person(1, EVERYWHERE, people.PersonData("N-2", "新人", world["a1"].id,
                                                                      post_id=world["post"].id))
    assert _assigned(person.id) == []


def test_a_refused_or_rolled_back_change_announces_nothing(app, world, heard):
    make_person(unit=world["a1"], staff_no="TAKEN")
    with pytest.raises(Conflict):
        people.create_person(1, EVERYWHERE, people.PersonData("TAKEN", "重复", world["a1"].id))
    target = make_person(unit=world["a1"], staff_no="P-1")
    with pytest.raises(DomainError):
        people.update_person(1, EVERYWHERE, target.id, people.PersonData("P-1", "x", world["a1"].id,
                                                                         phone="12"))
    db.session.rollback()
    assert heard == []
    assert db.session.scalar(select(Person.name).filter_by(staff_no="P-1")) != "x"


def test_a_new_post_announces_the_change_and_brings_its_syllabus_courses(app, world, heard):
    person = make_person(unit=world["a1"], staff_no="P-2", post_id=world["other_post"].id)
    people.update_person(1, EVERYWHERE, person.id, people.PersonData(
        "P-2", person.name, world["a1"].id, post_id=world["post"].id, joined_on=date(2026, 5, 1)))
    assert [(kind, payload) for _, kind, payload in heard] == [
        ("post", {"person_id": person.id, "old_post_id": world["other_post"].id, "new_post_id": world["post"].id}),
        ("updated", {"person_id": person.id, "fields": ["joined_on", "post_id"]}),
    ]
    assert _assigned(person.id) == ["newcomer"]


def test_coming_back_to_post_resyncs_assignments_through_the_update_event(app, world, heard):
    person = make_person(unit=world["a1"], staff_no="P-3", post_id=world["post"].id, status="left")
    people.update_person(1, EVERYWHERE, person.id, people.PersonData(
        "P-3", person.name, world["a1"].id, post_id=world["post"].id, status="active"))
    assert [kind for _, kind, _ in heard] == ["updated"]
    assert _assigned(person.id) == ["newcomer"]


def test_a_roster_import_announces_one_event_for_the_whole_batch(app, world, heard, tmp_path):
    csv = "工号,姓名,单位,岗位\nR-1,甲,一大队,路面执勤\nR-2,乙,一大队,路面执勤\n".encode()
    batch_id = roster_batches.stage(1, "roster.csv", csv, tmp_path)  # person 1 is admin-a
    roster_batches.preview_staged(batch_id, str(tmp_path))
    assert db.session.get(RosterImport, batch_id).errors == []
    assert heard == []  # the preview announces nothing
    assert roster.confirm(1, EVERYWHERE, batch_id, initial_password="Start2026") == 2
    ids = sorted(db.session.scalars(select(Person.id).where(Person.staff_no.in_(["R-1", "R-2"]))))
    assert [(kind, sorted(payload["person_ids"])) for _, kind, payload in heard] == [("joined", ids)]
    assert [_assigned(i) for i in ids] == [["newcomer"], ["newcomer"]]
