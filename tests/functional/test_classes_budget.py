"""The class list and roster cost the same number of SQL statements however many rows they show."""

from datetime import timedelta

from app.models.base import utcnow
from tests.factories import make_person, make_training_class, two_brigades
from tests.functional.test_query_budget import count_statements


def _statements(client, url: str) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_roster_costs_the_same_for_2_or_12_people(app, as_user):
    w = two_brigades()
    start = utcnow()
    people = [make_person(unit=w["a1"] if i % 2 else w["a"], staff_no=f"r-{i}") for i in range(12)]
    small = make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))] * 2, enrolled=people[:2])
    large = make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))] * 2, enrolled=people)
    client = as_user("admin-a")
    assert _statements(client, f"/classes/{small.id}/roster") == _statements(client, f"/classes/{large.id}/roster")


def test_the_class_list_costs_the_same_for_1_or_8_classes(app, as_user):
    w = two_brigades()
    start = utcnow()
    make_training_class(w["a"], sessions=[(start, start + timedelta(hours=1))])
    client = as_user("admin-a")
    one = _statements(client, "/classes/")
    for _ in range(7):
        make_training_class(w["a1"], sessions=[(start, start + timedelta(hours=1))])
    assert _statements(client, "/classes/") == one
