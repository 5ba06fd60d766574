"""Tasks the demo's admins hand out and generate, placed around the day of loading.

- 支队: 群众工作方法 for everyone, due a few days ago (some finished in time, the rest overdue);
- 一大队: 事故现场先期处置 due in three weeks (some done, some studying, some not started);
- 一大队/一中队: 窗口服务规范 due at the end of the year (hardly begun);
- the 民政局 and the 组织部 each hand out a course due in a few weeks;
- a few hours ago every admin pressed 按培训大纲生成培训任务 (after this year's deadlines passed,
  that brings next year's yearly tasks).

So 培训完成情况 shows every state this year on any day but New Year's Day (nothing of a year can be
overdue on its first day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.auth.scope import scope_of
from app.extensions import db
from app.models import Person
from app.study import assignments, generate

# (admin, course, unit path (workforce, path), days before today it is handed out, due, chance, fj001)
# due: ("ago", n) = n days before today (at most the days since New Year), ("in", n) = n days from
# today (at most the year's end), ("year_end",) = 31 December.
HANDOUTS = (
    ("fj-admin", "gen-mass-work", ("fj", ()), ("ago", 10), 0.55, "skip"),
    ("dd1-admin", "fj-accident-scene", ("fj", ("一大队",)), ("in", 20), 0.5, "start"),
    ("dd1-admin", "fj-window-service", ("fj", ("一大队", "一中队")), ("year_end",), 0.15, "none"),
    ("sq-admin", "sq-mediation", ("sq", ("东城街道",)), ("in", 25), 0.45, "none"),
    ("zg-admin", "zg-grassroots-org", ("zg", ()), ("in", 30), 0.5, "none"),
)
HANDED_OUT_BEFORE = {("ago",): 30, ("in",): 7, ("year_end",): 3}


def _due(tl, rule: tuple) -> date | None:
    today, year_end = tl.today, date(tl.year, 12, 31)
    if rule[0] == "ago":
        days = min(rule[1], (today - tl.year_start).days)
        return today - timedelta(days=days) if days >= 1 else None  # New Year's Day: nothing is overdue yet
    if rule[0] == "in":
        return min(today + timedelta(days=rule[1]), year_end)
    return year_end


def plan_handouts(tl, study, org) -> None:
    """Put the admins' hand-outs and the generation run on the timeline."""
    for admin, slug, (code, path), due_rule, chance, showcase in HANDOUTS:
        due = _due(tl, due_rule)
        if due is None or slug not in study.courses:
            continue
        before = HANDED_OUT_BEFORE[due_rule[:1]]
        day = (due if due_rule[0] == "ago" else tl.today) - timedelta(days=before)
        unit = org.unit(code, *path)
        tl.at(tl.local(day, 10), lambda at, a=admin, c=study.courses[slug], u=unit, d=due, p=chance, s=showcase:
              _hand_out(tl, study, org, a, c, u, d, p, s, at))
    tl.at(tl.now - timedelta(hours=3), lambda at: _generate(tl, at))


def _admin(staff_no: str) -> Person:
    return db.session.scalar(select(Person).where(Person.staff_no == staff_no))


def _hand_out(tl, study, org, admin_no, course_id, unit, due, chance, showcase, at: datetime) -> None:
    admin = _admin(admin_no)
    assignments.assign_course(admin.id, scope_of(admin.roles, "admin"), course_id=course_id, due_on=due,
                              today=tl.day_of(at), unit_id=unit.id)
    within = {u.id for u in org.units.values() if u.path.startswith(unit.path)}
    study.handed_out([m for m in org.members if m.unit_id in within], course_id, due, at, chance=chance,
                     showcase=showcase)


def _generate(tl, at: datetime) -> None:
    """This morning the admins pressed 按培训大纲生成培训任务 (the job runs as its task would run it)."""
    for staff_no in ("fj-admin", "sq-admin", "zg-admin"):
        admin = _admin(staff_no)
        job, _started = generate.start(admin.id, scope_of(admin.roles, "admin"), now=at)
        generate.run(job.id, today=tl.day_of(at), now=lambda: at)
