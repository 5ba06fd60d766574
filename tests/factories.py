"""Plain factory functions with keyword defaults for tests."""

from __future__ import annotations

import functools
import itertools

from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Grade, OrgUnit, Person, Post, RoleGrant, Workforce
from app.trees import place

_seq = itertools.count(1)


@functools.lru_cache
def _hash(password: str) -> str:
    return hash_password(password)


def make_workforce(*, code: str = "fj", name: str = "辅警", posts=(("fj-road", "路面执勤"),),
                   grades=("四级辅警", "三级辅警")) -> Workforce:
    workforce = Workforce(code=code, name=name)
    workforce.posts = [Post(code=c, name=n) for c, n in posts]
    workforce.grades = [Grade(name=g, rank=i + 1) for i, g in enumerate(grades)]
    db.session.add(workforce)
    db.session.commit()
    return workforce


def make_unit(name: str | None = None, *, parent: OrgUnit | None = None, kind: str = "") -> OrgUnit:
    unit = OrgUnit(name=name or f"单位{next(_seq)}", parent=parent, kind=kind)
    db.session.add(unit)
    db.session.flush()
    place(unit, parent)
    db.session.commit()
    return unit


def make_person(*, unit: OrgUnit, staff_no: str | None = None, name: str = "测试人员",
                password: str = "Passw0rd", roles=(("trainee", None),), must_change: bool = False,
                **fields) -> Person:
    person = Person(
        staff_no=staff_no or f"T{next(_seq):05d}", name=name, unit_id=unit.id,
        password_hash=_hash(password), must_change_password=must_change, **fields,
    )
    person.roles = [RoleGrant(role=r, scope_unit_id=s.id if s else None) for r, s in roles]
    db.session.add(person)
    db.session.commit()
    return person


def make_world(*, workforce: bool | dict = False, people: dict[str, dict] | None = None,
               instructors: bool = False, bank: bool = False, admin_all: bool = False) -> dict:
    """The org most tests stand on, plus what a test asks for by keyword; returns it as a dict.

    Always: 交警支队 (`root`) with brigades 一大队 (`a`) and 二大队 (`b`), a 一中队 under each
    (`a1`, `b1`), and an admin of each brigade (`admin_a`, `admin_b`, staff numbers admin-a/-b).
    - workforce: True for make_workforce(), or its keywords → `workforce`, `posts`.
    - people: key → make_person keywords, where `unit` names a unit key and `post` indexes
      `posts`, e.g. {"ta": {"unit": "a1", "staff_no": "T-A", "post": 0}}.
    - instructors: `inst_a`, `inst_b` (instructors of a brigade), `inst_all` (global), and the
      trainee `trainee` (trainee-a in a1).
    - bank: a bank category owned by each brigade (`cat_a`, `cat_b`).
    - admin_all: a global admin at the root (`admin_all`, admin-all).
    """
    root = make_unit("交警支队", kind="支队")
    a = make_unit("一大队", parent=root, kind="大队")
    b = make_unit("二大队", parent=root, kind="大队")
    world = {"root": root, "a": a, "b": b,
             "a1": make_unit("一中队", parent=a, kind="中队"), "b1": make_unit("一中队", parent=b, kind="中队"),
             "admin_a": make_person(unit=a, staff_no="admin-a", name="甲管理员", roles=(("admin", a),)),
             "admin_b": make_person(unit=b, staff_no="admin-b", name="乙管理员", roles=(("admin", b),))}
    if admin_all:
        world["admin_all"] = make_person(unit=root, staff_no="admin-all", name="总管理员", roles=(("admin", None),))
    if workforce:
        world["workforce"] = make_workforce(**(workforce if isinstance(workforce, dict) else {}))
        world["posts"] = list(world["workforce"].posts)
    if instructors:
        world["inst_a"] = make_person(unit=a, staff_no="inst-a", roles=(("instructor", a),))
        world["inst_b"] = make_person(unit=b, staff_no="inst-b", roles=(("instructor", b),))
        world["inst_all"] = make_person(unit=root, staff_no="inst-all", roles=(("instructor", None),))
        world["trainee"] = make_person(unit=world["a1"], staff_no="trainee-a")
    if bank:
        world["cat_a"] = make_bank_category("一大队题库", owner=a)
        world["cat_b"] = make_bank_category("二大队题库", owner=b)
    for key, fields in (people or {}).items():
        fields = dict(fields)
        unit = world[fields.pop("unit")]
        if "post" in fields:
            fields["post_id"] = world["posts"][fields.pop("post")].id
        world[key] = make_person(unit=unit, **fields)
    return world


def two_brigades() -> dict:
    """The bare `make_world()` (the name older tests use)."""
    return make_world()


def login(client, staff_no: str, password: str = "Passw0rd", next_url: str | None = None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": staff_no, "password": password})


CURRICULUM_POSTS = {
    "fj": ("辅警", (("fj-road", "路面执勤"), ("fj-window", "窗口服务"), ("fj-accident", "事故处理辅助"))),
    "sq": ("社区工作者", (("sq-secretary", "社区党组织书记"), ("sq-grid", "网格员"), ("sq-service", "综合服务岗"))),
    "zg": ("组工干部", (("zg-cadre", "干部选拔任用岗"), ("zg-supervision", "干部监督岗"), ("zg-org", "组织建设岗"))),
}


def make_curriculum_posts() -> dict[str, Workforce]:
    """The three workforces with the nine posts course_content/syllabi refers to."""
    return {code: make_workforce(code=code, name=name, posts=posts, grades=())
            for code, (name, posts) in CURRICULUM_POSTS.items()}


def make_competency(code: str = "FJ-LAW", name: str | None = None):
    """A competency row (the curriculum sync normally loads them)."""
    from app.models import Competency

    competency = Competency(code=code, name=name or code)
    db.session.add(competency)
    db.session.commit()
    return competency


def make_bank_category(name: str | None = None, *, owner: OrgUnit | None = None, parent=None):
    """A question category owned by a unit (or by nobody)."""
    from app.bank.categories import add_category

    category = add_category(parent, name or f"分类{next(_seq)}", owner.id if owner else None)
    db.session.commit()
    return category


def single_choice_data(stem: str | None = None, **extra) -> dict:
    """A 单选 question dict in the engine's to_dict shape (A is correct)."""
    options = [{"key": k, "text": t, "weight": w, "feedback": ""}
               for k, t, w in (("A", "正确选项", 100), ("B", "错误选项一", 0), ("C", "错误选项二", 0))]
    return {"type": "single", "stem": stem or f"测试题干{next(_seq)}", "options": options} | extra


def make_question(category, *, status: str = "draft", **data):
    """A question (version 1) in a category, stored through the bank service."""
    from app.bank.storing import prepare, store
    from app.models import Question
    from question_bank import question_from_dict

    (question_id,) = store([prepare(question_from_dict(single_choice_data(**data)))], lambda _path: category,
                           actor_id=None, status=status)
    db.session.commit()
    return db.session.get(Question, question_id)


def bank_world() -> dict:
    """`make_world(instructors=True, bank=True)` (the name older tests use)."""
    return make_world(instructors=True, bank=True)


def make_course(slug: str | None = None, *, title: str = "测试课程", lessons=(15,), credit_tenths: int = 10,
                kind: str = "required", bodies=None):
    """A course with one active lesson per entry of `lessons` (their minimum minutes)."""
    from app.models import Course, Lesson

    course = Course(slug=slug or f"course-{next(_seq)}", title=title, kind=kind, credit_tenths=credit_tenths)
    course.lessons = [
        Lesson(position=i + 1, file=f"{i + 1:02d}.md", title=f"第{i + 1}课", min_minutes=minutes,
               body=(bodies[i] if bodies else f"## 要点{i + 1}\n\n正文。"))
        for i, minutes in enumerate(lessons)
    ]
    db.session.add(course)
    db.session.commit()
    return course


def make_syllabus(post: Post, *, required=(), electives=(), annual_tenths: int = 0,
                  annual_required_tenths: int = 0):
    """A post's syllabus; `required` holds dicts like {"course": slug, "within_days_of_joining": 30}."""
    from app.models import Syllabus

    syllabus = Syllabus(post_id=post.id, title=f"{post.name}培训大纲", required=list(required),
                        electives=list(electives), annual_tenths=annual_tenths,
                        annual_required_tenths=annual_required_tenths)
    db.session.add(syllabus)
    db.session.commit()
    return syllabus


def make_synced_curriculum():
    """The nine posts and the real course_content synced into the database."""
    from pathlib import Path

    from app.curriculum.sync import sync_content

    workforces = make_curriculum_posts()
    sync_content(Path(__file__).resolve().parents[1] / "course_content")
    return workforces


def make_instructor(*, staff_no: str = "jiaoguan", workforce: Workforce | None = None) -> Person:
    """An instructor scoped to a unit of the workforce (global when workforce is None)."""
    unit = make_unit(f"{workforce.name if workforce else '培训'}中心")
    unit.workforce_id = workforce.id if workforce else None
    db.session.commit()
    return make_person(unit=unit, staff_no=staff_no, name="教官",
                       roles=(("instructor", unit if workforce else None), ("trainee", None)))


def make_training_class(unit: OrgUnit, *, title: str = "路面执勤实训班", credit_tenths: int = 20, kind: str = "required",
                        status: str = "published", sessions=(), enrolled=(), code: str | None = None):
    """A class with sessions given as (starts_at, ends_at) naive UTC pairs and enrolled people."""
    from app.models import ClassSession, Enrollment, TrainingClass

    klass = TrainingClass(title=title, unit_id=unit.id, credit_tenths=credit_tenths, kind=kind, status=status)
    klass.sessions = [ClassSession(starts_at=s, ends_at=e, code=code or f"{100000 + next(_seq):06d}")
                      for s, e in sessions]
    db.session.add(klass)
    db.session.flush()
    db.session.add_all(Enrollment(class_id=klass.id, person_id=p.id) for p in enrolled)
    db.session.commit()
    return klass


def class_running_now(*, starts_in=None, status: str = "published") -> dict:
    """Two brigades and a class of brigade A with one two-hour session that started 10 minutes ago
    (or `starts_in` from now), code 123456, and trainee t-1 enrolled."""
    from datetime import timedelta

    from app import clock

    world = make_world(people={"trainee": {"unit": "a1", "staff_no": "t-1", "name": "学员一"}})
    start = clock.now() + (timedelta(minutes=-10) if starts_in is None else starts_in)
    world["klass"] = make_training_class(world["a"], sessions=[(start, start + timedelta(hours=2))],
                                         enrolled=[world["trainee"]], code="123456", status=status)
    world["session"] = world["klass"].sessions[0]
    return world


def make_bank_competencies(banks_dir) -> None:
    """Competency rows for every code the bank CSV files in `banks_dir` cite."""
    from app.models import Competency
    from question_bank.formats import parse

    codes = set()
    for path in banks_dir.glob("*.csv"):
        codes |= {c for q in parse("csv", path.read_bytes(), path.name).questions for c in q.competencies}
    db.session.add_all(Competency(code=code, name=code) for code in sorted(codes))
    db.session.commit()


ROSTER_HEADER = ["工号", "姓名", "手机", "单位", "岗位", "岗位等级", "入职日期", "状态", "角色"]


def roster_xlsx(rows, header=ROSTER_HEADER) -> bytes:
    """Return a roster workbook with the template's header row and `rows` below it."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_exam_questions(category, *, single: int = 0, truefalse: int = 0, multiple: int = 0, essay: int = 0,
                        fill: int = 0, difficulty: int | None = None) -> list[int]:
    """Ready questions of several types in a category (stored through the bank); returns their ids."""
    from app.bank.storing import prepare, store
    from question_bank import question_from_dict

    datas = [single_choice_data(difficulty=difficulty) for _ in range(single)]
    datas += [{"type": "truefalse", "stem": f"判断题干{next(_seq)}", "answer": True, "difficulty": difficulty}
              for _ in range(truefalse)]
    datas += [{"type": "multiple", "stem": f"多选题干{next(_seq)}", "difficulty": difficulty,
               "options": [{"key": k, "text": f"选项{k}{next(_seq)}", "weight": w}
                           for k, w in (("A", 50), ("B", 50), ("C", -100), ("D", -100))]}
              for _ in range(multiple)]
    datas += [{"type": "essay", "stem": f"简答题干{next(_seq)}", "reference_answer": "要点"} for _ in range(essay)]
    datas += [{"type": "fill", "stem": f"填空题干{next(_seq)}：____和____", "difficulty": difficulty,
               "blanks": [[{"text": "甲", "weight": 100}], [{"text": "乙", "weight": 100}]]} for _ in range(fill)]
    ids = store([prepare(question_from_dict({k: v for k, v in d.items() if v is not None})) for d in datas],
                lambda _path: category, actor_id=None, status="ready")
    db.session.commit()
    return ids


def make_exam(*, category, rules=(("一、单选题", "single", 5, 200),), audience_units=(), audience_people=(),
              opens_at=None, closes_at=None, duration_minutes: int = 60, publish: bool = True, **fields):
    """An exam over `category` (rules: (section, qtype, count, points units)), published by default."""
    from datetime import timedelta

    from app import clock
    from app.exams.publishing import publish as publish_exam
    from app.models import Blueprint, BlueprintRule, Exam, ExamAudience

    now = clock.now()
    blueprint = Blueprint(title="测试组卷规则", rules=[
        BlueprintRule(position=i, section=section, source_kind="category", category_id=category.id,
                      qtype=qtype, count=count, points=points)
        for i, (section, qtype, count, points) in enumerate(rules, start=1)])
    exam = Exam(title=fields.pop("title", "测试考试"), blueprint=blueprint, duration_minutes=duration_minutes,
                opens_at=opens_at or now - timedelta(hours=1), closes_at=closes_at or now + timedelta(days=7),
                **fields)
    exam.audience = [ExamAudience(unit_id=unit.id) for unit in audience_units] + \
        [ExamAudience(person_id=person.id) for person in audience_people]
    db.session.add(exam)
    db.session.commit()
    if publish:
        publish_exam(exam.id, actor_id=None, now=now)
    return exam
