"""The home page: for each role a person holds, what they should do now.

Each section comes from the services of the area that owns the data (study, classes, curriculum,
bank, org); this module only chooses which sections a person sees. The year each section is about
is the one every page about "the year" opens on (`study.cycles.default_year`): for the admin section
their scope's, for the trainee section their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app import clock
from app.auth.scope import scope_of
from app.bank.overview import BankWork, instructor_work
from app.classes.mine import upcoming_sessions
from app.curriculum.services import editable_courses
from app.models import ClassSession, Course, Person
from app.models.people import Role
from app.needs.diagnostic import DiagnosticCard, home_card
from app.needs.mentees import Mentee, mentees
from app.org.services import home_summary
from app.study import cycles
from app.study.home import AdminStudy, TraineeStudy, admin_study, trainee_study


@dataclass(frozen=True)
class AdminSection:
    study: AdminStudy
    people: int
    units: int


@dataclass(frozen=True)
class InstructorSection:
    courses: list[Course]  # the first ones they may edit
    course_count: int
    bank: BankWork


@dataclass(frozen=True)
class TraineeSection:
    study: TraineeStudy
    sessions: list[ClassSession]  # coming class sessions they are enrolled in
    diagnostic: DiagnosticCard | None = None  # 摸底测试 to take (offered while not taken, or required)


@dataclass(frozen=True)
class Home:
    today: date
    admin: AdminSection | None
    instructor: InstructorSection | None
    trainee: TraineeSection | None
    mentees: list[Mentee] = field(default_factory=list)  # the people they mentor or look after (导师, 包联)

    @property
    def empty(self) -> bool:
        return not (self.admin or self.instructor or self.trainee or self.mentees)


def home_page(person: Person, *, now: datetime) -> Home:
    """Return the sections of the home page for the person's roles."""
    today = clock.local_date(now)
    roles = person.role_names
    admin = instructor = trainee = None
    if Role.ADMIN in roles:
        counts = home_summary(person)["admin"]
        scope = scope_of(person.roles, Role.ADMIN)
        year = cycles.choose_year(None, cycles.years_with_data(scope=scope), today)
        admin = AdminSection(admin_study(scope, today=today, year=year), people=counts["people"], units=counts["units"])
    if Role.INSTRUCTOR in roles:
        scope = scope_of(person.roles, Role.INSTRUCTOR)
        courses, count = editable_courses(scope)
        instructor = InstructorSection(courses, count, instructor_work(person.id, scope))
    if Role.TRAINEE in roles:
        year = cycles.choose_year(None, cycles.years_with_data(person_id=person.id), today)
        trainee = TraineeSection(trainee_study(person, today=today, year=year), upcoming_sessions(person.id, now=now),
                                 home_card(person, now=now, today=today))
    return Home(today, admin, instructor, trainee, mentees(person.id))
