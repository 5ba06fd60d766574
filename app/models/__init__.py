"""All models, imported so that Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.org import Grade, OrgUnit, Post, Workforce
from app.models.people import LoginSession, MentorLink, Person, RoleGrant, RosterImport

__all__ = [
    "AuditEntry",
    "Grade",
    "LoginSession",
    "MentorLink",
    "OrgUnit",
    "Person",
    "Post",
    "RoleGrant",
    "RosterImport",
    "Workforce",
]
