"""The demo's offline classes (培训班), run by the admins through the classes services.

- Last year each workforce held a week of 集中轮训 (six days, 8 学时 a day): people checked in with
  the session codes, most evaluated it, and it was closed. With the year's courses it takes most
  people past their annual 学时, so the year turn carries the excess over (ledger.carry_over).
- 一大队 held a two-afternoon 实训班 in the last weeks: attendance and evaluations, still open.
- Another class is published for the coming days (fj001 is enrolled; their home page shows it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.auth.scope import scope_of
from app.classes import attendance, enrolment, evaluation, services
from app.classes.services import ClassData
from app.extensions import db
from app.models import ClassSession, Person
from app.models.classes import ClassStatus

# (admin, workforce, title, month, place, trainer)
TRAININGS = (
    ("fj-admin", "fj", "{year}年度辅警集中轮训", 4, "支队训练基地", "支队教官组"),
    ("sq-admin", "sq", "{year}年度社区工作者能力提升培训班", 5, "区党群服务中心", "区民政局"),
    ("zg-admin", "zg", "{year}年度组工干部业务培训班", 9, "县委党校", "县委组织部"),
)
COMMENTS = ("案例讲得很实在，回去就能用。", "实操环节时间可以再长一些。", "希望多安排分组讨论。",
            "教材内容更新及时，很有帮助。", "", "", "建议下次把课件提前发到手机上。")


def _admin(staff_no: str) -> Person:
    return db.session.scalar(select(Person).where(Person.staff_no == staff_no))


def plan_classes(tl, org) -> None:
    """Put the classes on the timeline: last year's trainings, a recent one and a coming one."""
    for admin, code, title, month, place, trainer in TRAININGS:
        first = date(tl.last_year, month, 1)
        first += timedelta(days=(7 - first.weekday()) % 7)  # the first Monday of the month
        days = [first + timedelta(days=i) for i in range(6)]
        sessions = [(tl.local(day, 9), tl.local(day, 17)) for day in days]
        plan = _Plan(tl, org, admin, code, (), title.format(year=tl.last_year), "8", "required", sessions,
                     place, trainer, close=True)
        tl.at(tl.local(first - timedelta(days=20), 10), plan.create)
    recent = [tl.today - timedelta(days=16), tl.today - timedelta(days=9)]
    plan = _Plan(tl, org, "dd1-admin", "fj", ("一大队",), "夜间路面执勤安全实训班", "3", "elective",
                 [(tl.local(day, 14), tl.local(day, 17)) for day in recent], "一大队执勤点", "李警官", close=False)
    tl.at(tl.local(tl.today - timedelta(days=30), 10), plan.create)
    coming = [tl.today + timedelta(days=3), tl.today + timedelta(days=10)]
    plan = _Plan(tl, org, "fj-admin", "fj", ("一大队",), "事故现场先期处置实训班", "3", "required",
                 [(tl.local(day, 9), tl.local(day, 12)) for day in coming], "支队训练基地", "王警官", close=False)
    tl.at(tl.now - timedelta(days=5), plan.create)


class _Plan:
    """One class: created, given its sessions, its people enrolled and published by an admin; then
    attended session by session, evaluated, and (last year's) closed."""

    def __init__(self, tl, org, admin, code, path, title, hours, kind, sessions, place, trainer, *, close):
        self.tl, self.org, self.admin, self.unit = tl, org, admin, org.unit(code, *path)
        self.title, self.hours, self.kind, self.sessions = title, hours, kind, sessions
        self.place, self.trainer, self.close = place, trainer, close
        self.class_id: int | None = None

    def create(self, at: datetime) -> None:
        admin = _admin(self.admin)
        scope = scope_of(admin.roles, "admin")
        klass = services.create_class(admin.id, scope, ClassData(
            title=self.title, unit_id=self.unit.id, kind=self.kind, credit_hours=self.hours,
            description=f"{self.place}，{len(self.sessions)} 次课，每次课 {self.hours} 学时。"))
        self.class_id = klass.id
        for starts, ends in self.sessions:
            services.add_session(admin.id, scope, klass.id, starts_local=self.tl.local_time(starts),
                                 ends_local=self.tl.local_time(ends), place=self.place, trainer=self.trainer)
        enrolment.enrol(admin.id, scope, klass.id, unit_id=self.unit.id)
        services.set_status(admin.id, scope, klass.id, ClassStatus.PUBLISHED)
        sessions = db.session.scalars(select(ClassSession).where(ClassSession.class_id == klass.id)
                                      .order_by(ClassSession.starts_at)).all()
        within = {u.id for u in self.org.units.values() if u.path.startswith(self.unit.path)}
        people = [m for m in self.org.members if m.unit_id in within and m.joined_on < self.tl.day_of(at)]
        for session in sessions:
            for member in people:
                rng = self.tl.rng("attend", session.starts_at, member.staff_no)
                if rng.random() < 0.08 and member.profile != "showcase":
                    continue  # on duty that day (fj001 never misses: their 学时 carry over)
                moment = session.starts_at + timedelta(minutes=rng.randint(-14, 20))
                self.tl.at(moment, lambda when, p=member.person_id, c=session.code: attendance.check_in(p, c, now=when))
        last = sessions[-1].ends_at
        for member in people:
            rng = self.tl.rng("evaluate", self.title, member.staff_no)
            if rng.random() < 0.75:
                self.tl.at(last + timedelta(hours=rng.randint(1, 60)), lambda when, m=member: self._evaluate(m, when))
        if self.close:
            self.tl.at(last + timedelta(days=7), lambda when: self._close())

    def _evaluate(self, member, at: datetime) -> None:
        klass = services.get_class(scope_of(_admin(self.admin).roles, "admin"), self.class_id)
        if evaluation.blocker(member.person_id, klass, now=at):
            return  # missed every session
        rng = self.tl.rng("ratings", self.title, member.staff_no)
        ratings = {name: rng.choice((5, 5, 4, 4, 4, 3)) for name in evaluation.RATINGS}
        evaluation.submit(member.person_id, self.class_id, ratings=ratings, comment=rng.choice(COMMENTS), now=at)

    def _close(self) -> None:
        admin = _admin(self.admin)
        services.set_status(admin.id, scope_of(admin.roles, "admin"), self.class_id, ClassStatus.CLOSED)
