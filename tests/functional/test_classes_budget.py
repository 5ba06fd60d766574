"""The class list and roster cost the same number of SQL statements however many rows they show."""

from datetime import timedelta

from app import clock
from tests.factories import make_person, make_training_class, make_world
from tests.sql_budget import statements_for


def test_the_roster_costs_the_same_for_2_or_12_people(app, as_user):
    w = make_world()
    start = clock.now()
    people = [make_person(unit=w["a1"] if i % 2 else w["a"], staff_no=f"r-{i}") for i in range(12)]
    small = make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))] * 2, enrolled=people[:2])
    large = make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))] * 2, enrolled=people)
    client = as_user("admin-a")
    assert statements_for(client, f"/classes/{small.id}/roster") == statements_for(client, f"/classes/{large.id}/roster")


def test_the_class_list_costs_the_same_for_1_or_8_classes(app, as_user):
    w = make_world()
    start = clock.now()
    make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))])
    client = as_user("admin-a")
    one = statements_for(client, "/classes/")
    for _ in range(7):
        make_training_class(w["a1"], sessions=[(start, start + timedelta(hours=1))])
    assert statements_for(client, "/classes/") == one
