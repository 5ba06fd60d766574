"""Scope.allows_grant and Scope.can_manage: the one rule for grants and for managing a person."""

from app.auth.scope import Scope
from app.models import OrgUnit, Person, RoleGrant

ROOT, A, A1, B = (OrgUnit(path=p) for p in ("/1/", "/1/2/", "/1/2/4/", "/1/3/"))
EVERYWHERE, BRIGADE_A, NOBODY = Scope(None), Scope(("/1/2/",)), Scope(())


def _person(unit, *grants):
    return Person(unit=unit, roles=[RoleGrant(role=r, scope_unit=u) for r, u in grants])


def test_only_a_global_scope_allows_global_grants_except_trainee():
    assert EVERYWHERE.allows_grant("instructor", None) and EVERYWHERE.allows_grant("admin", None)
    assert not BRIGADE_A.allows_grant("instructor", None) and not BRIGADE_A.allows_grant("admin", None)
    assert BRIGADE_A.allows_grant("trainee", None) and NOBODY.allows_grant("trainee", None)


def test_scoped_grants_must_lie_inside_the_scope():
    assert BRIGADE_A.allows_grant("instructor", A) and BRIGADE_A.allows_grant("admin", A1)
    assert not BRIGADE_A.allows_grant("admin", ROOT) and not BRIGADE_A.allows_grant("instructor", B)
    assert not NOBODY.allows_grant("instructor", A1)


def test_can_manage_needs_the_person_and_every_grant_inside_the_scope():
    assert BRIGADE_A.can_manage(_person(A1, ("trainee", None), ("instructor", A1)))
    assert BRIGADE_A.can_manage(_person(A, ("admin", A)))
    assert not BRIGADE_A.can_manage(_person(A, ("trainee", None), ("admin", ROOT)))
    assert not BRIGADE_A.can_manage(_person(A1, ("instructor", None)))
    assert not BRIGADE_A.can_manage(_person(A1, ("instructor", B)))
    assert not BRIGADE_A.can_manage(_person(B, ("trainee", None)))
    assert EVERYWHERE.can_manage(_person(A, ("admin", None), ("instructor", B)))
