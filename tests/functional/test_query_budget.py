"""SQL statements per request stay constant as the data grows."""

from tests.factories import make_person, make_workforce, make_world
from tests.sql_budget import statements_for


def test_people_list_costs_the_same_statements_for_5_or_20_people_per_page(app, as_user):
    world = make_world()
    wf = make_workforce()
    client = as_user("admin-a")
    for i in range(3):
        make_person(unit=world["a1"], staff_no=f"S{i}", post_id=wf.posts[0].id, grade_id=wf.grades[0].id)
    small = statements_for(client, "/org/people")
    for i in range(3, 40):
        make_person(unit=world["a1"], staff_no=f"S{i}", post_id=wf.posts[0].id, grade_id=wf.grades[0].id)
    large = statements_for(client, "/org/people")
    assert small == large
    assert large <= 13, large  # 12, and the navigation bar's unread-message count since the message centre


def test_org_tree_costs_the_same_statements_for_a_bigger_tree(app, as_user):
    from tests.factories import make_unit

    world = make_world()
    client = as_user("admin-a")
    small = statements_for(client, "/org/units")
    for i in range(15):
        make_unit(f"新中队{i}", parent=world["a"])
    assert statements_for(client, "/org/units") == small
