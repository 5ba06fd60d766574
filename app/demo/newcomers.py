"""People who joined in the last weeks, brought in by the admins' roster import, with their mentors.

The import goes the way an admin's upload goes (`roster_batches.stage`, the preview, `roster.confirm`
with an initial password they must change), so the import page lists the batches; the import
announces `person_joined` and study gives the newcomers their syllabus tasks as of today. Each
newcomer then gets a 导师 (辅警) or a 包联 (社区工作者) from their unit (`people.add_mentor`).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select

from app import uploads
from app.auth.scope import scope_of
from app.extensions import db
from app.models import Person
from app.models.people import MentorKind
from app.org import people, roster, roster_batches
from app.org.roster_file import COLUMNS

# (admin, file name, mentor kind, rows: staff no, name, unit, post, grade, days since joining)
IMPORTS = (
    ("fj-admin", "新入职辅警名册.csv", MentorKind.MENTOR, (
        ("FJ2001", "邵宇航", "一大队/一中队", "路面执勤", "见习辅警", 38),
        ("FJ2002", "龚晓雯", "一大队/二中队", "窗口服务", "见习辅警", 38),
        ("FJ2003", "贺俊杰", "二大队/一中队", "路面执勤", "见习辅警", 24),
        ("FJ2004", "孔令娜", "二大队/二中队", "事故处理辅助", "见习辅警", 24),
        ("FJ2005", "季博文", "车管所", "窗口服务", "见习辅警", 9),
    )),
    ("sq-admin", "新聘社区工作者名单.csv", MentorKind.BAOLIAN, (
        ("SQ2001", "严思琪", "东城街道/春晖社区", "网格员", "一级", 30),
        ("SQ2002", "钱立新", "西城街道/新桥社区", "网格员", "一级", 30),
        ("SQ2003", "施雨桐", "西城街道/滨河社区", "综合服务岗", "二级", 12),
    )),
)


def plan_newcomers(tl, org) -> None:
    """This morning the admins imported the newcomers and named their mentors."""
    tl.at(tl.now - timedelta(hours=2), lambda at: _import_all(tl, org, at))


def _import_all(tl, org, at: datetime) -> None:
    for admin_no, filename, kind, rows in IMPORTS:
        admin = db.session.scalar(select(Person).where(Person.staff_no == admin_no))
        admin_id, scope = admin.id, scope_of(admin.roles, "admin")
        data = _roster_csv(tl, rows)
        batch_id = roster_batches.stage(admin_id, filename, data, uploads.upload_dir())
        roster_batches.preview_staged(batch_id, str(uploads.upload_dir()))
        roster.confirm(admin_id, scope, batch_id, initial_password=people.temporary_password())
        for staff_no, *_rest in rows:
            mentee = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
            mentor = _mentor(org, mentee.unit_id, "jiaoguan" if admin_no == "fj-admin" else "sq001")
            people.add_mentor(admin_id, scope, mentee.id, mentor_staff_no=mentor, kind=kind, today=tl.day_of(at))


def _roster_csv(tl, rows) -> bytes:
    """The rows as the roster template's columns, in a UTF-8 CSV as a spreadsheet saves it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for staff_no, name, unit, post, grade, days in rows:
        joined = tl.today - timedelta(days=days)
        writer.writerow([staff_no, name, "", unit, post, grade, joined.isoformat(), "在岗", "学员"])
    return out.getvalue().encode("utf-8-sig")


def _mentor(org, unit_id: int, fallback: str) -> str:
    """The colleague of the same unit who studies best and has served longest, else `fallback`."""
    rank = {"model": 0, "normal": 1, "late": 2, "lagging": 3}
    same = [m for m in org.members if m.unit_id == unit_id and m.profile in rank]
    same.sort(key=lambda m: (rank[m.profile], m.joined_on))
    return same[0].staff_no if same else fallback
