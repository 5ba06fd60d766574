"""The objects the form fuzz (test_fuzz_forms.py) posts to, each built on first use.

`FuzzWorld` stands on `make_world` (two brigades, their admins, a global admin, instructors of each
brigade and a global one, the trainee trainee-a in 一大队/一中队, a bank category per brigade) plus
the trainee T1 with a post; everything else (a course with a quiz, a class, exams, batches…) is a
cached property, so a route's test builds only what its URL and form need.
"""

from __future__ import annotations

import io
from datetime import timedelta
from functools import cached_property

from sqlalchemy import select

from app import clock
from app.auth.tokens import create_token
from app.exams import attempts, grading
from app.exams.web import viewer_for
from app.extensions import db
from app.models import (
    Assignment,
    Attempt,
    AttemptItem,
    BlueprintRule,
    CompetencyMastery,
    CreditEntry,
    ExamOverride,
    LessonCompetency,
    MentorLink,
    SyllabusTarget,
)
from app.needs import ledger_updates
from app.study import quiz, timing
from tests.factories import (
    login,
    make_competency,
    make_course,
    make_exam,
    make_exam_questions,
    make_question,
    make_syllabus,
    make_training_class,
    make_world,
    roster_xlsx,
)

PASSWORD = "Passw0rd"
BANK_CSV = ("编号,分类,题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,知识点,分值,法规依据,标签\n"
            "FZ-UP-2,,单选,上传的题,对的,错的,,,A,,1,,1,,\n").encode("utf-8-sig")


class FuzzWorld:
    def __init__(self, app):
        self.app = app
        self.w = make_world(workforce=True, instructors=True, bank=True, admin_all=True,
                            people={"t1": {"unit": "a1", "staff_no": "T1", "name": "学员甲", "post": 0}})
        self.now = clock.now()

    def __getitem__(self, key):
        return self.w[key]

    def _client(self, staff_no: str):
        client = self.app.test_client()
        assert login(client, staff_no, PASSWORD).status_code == 302
        return client

    # --- curriculum and study ------------------------------------------------------------------

    @cached_property
    def competency(self):
        """A competency (the 能力画像's evidence pages name one)."""
        return make_competency("FZ-COMP", "模糊测试能力")

    @cached_property
    def course(self):
        """A 辅警 course of two lessons; the first has a quiz of two ready questions."""
        course = make_course("fuzz-course", title="模糊测试课程", lessons=(1, 1))
        course.workforces = [self.w["workforce"].code]
        for n in (1, 2):
            make_question(self.w["cat_a"], external_id=f"FZ-QUIZ-{n}", stem=f"小测题{n}", status="ready")
        course.lessons[0].quiz = ["FZ-QUIZ-1", "FZ-QUIZ-2"]
        db.session.commit()
        return course

    @cached_property
    def ledger_row(self):
        """A 三本台账 row: 路面执勤 targets the competency at 中级, T1 holds 初级, the course teaches it."""
        make_syllabus(self.w["posts"][0]).targets = [SyllabusTarget(competency_id=self.competency.id, level=2)]
        db.session.add(LessonCompetency(lesson_id=self.lesson.id, competency_id=self.competency.id, level=2))
        db.session.add(CompetencyMastery(person_id=self.w["t1"].id, competency_id=self.competency.id, state={},
                                         level=1, ceiling=2))
        db.session.commit()
        ledger_updates.recount()
        return {"competency_id": str(self.competency.id), "unit_id": str(self.w["a"].id)}

    @cached_property
    def lesson(self):
        return self.course.lessons[0]

    @cached_property
    def quiz_attempt_id(self) -> int:
        """An open quiz attempt of T1 on the first lesson."""
        return quiz.start_quiz(self.w["t1"].id, self.lesson.id, now=self.now)

    @cached_property
    def beat_token(self) -> str:
        """T1's study clock on the first lesson."""
        return timing.start_lesson(self.w["t1"].id, self.lesson.id, now=self.now)

    @cached_property
    def assignment(self):
        assignment = Assignment(person_id=self.w["t1"].id, course_id=self.course.id, year=self.now.year,
                                due_on=self.now.date() + timedelta(days=30))
        db.session.add(assignment)
        db.session.commit()
        return assignment

    @cached_property
    def credit_entry(self):
        entry = CreditEntry(person_id=self.w["t1"].id, year=self.now.year, kind="required", tenths=15,
                            source_type="course", source_id=self.course.id, note="模糊测试课程")
        db.session.add(entry)
        db.session.commit()
        return entry

    # --- org -----------------------------------------------------------------------------------

    @cached_property
    def mentor_link(self):
        link = MentorLink(mentor_id=self.w["admin_a"].id, mentee_id=self.w["t1"].id, kind="mentor")
        db.session.add(link)
        db.session.commit()
        return link

    @cached_property
    def roster_batch_id(self) -> int:
        """A previewed roster upload of one new person (global admin)."""
        from app.models import RosterImport

        data = roster_xlsx([["FZ-NEW-1", "新人员", "13800000000", "交警支队/一大队/一中队", "路面执勤", "四级辅警",
                             "2024-03-01", "在岗", "学员"]])
        response = self._client("admin-all").post("/org/import", data={"file": (io.BytesIO(data), "名册.xlsx")},
                                                  content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return db.session.scalars(db.select(RosterImport.id).order_by(RosterImport.id.desc())).first()

    # --- bank ----------------------------------------------------------------------------------

    @cached_property
    def question(self):
        return make_question(self.w["cat_a"], external_id="FZ-EDIT-1", stem="待编辑的题", status="ready")

    @cached_property
    def flagged_question(self):
        question = make_question(self.w["cat_a"], external_id="FZ-REVIEW-1", stem="待复核的题", status="ready",
                                 legal_basis="《道路交通安全法》第四十七条")
        question.needs_review = True
        db.session.commit()
        return question

    @cached_property
    def bank_batch_id(self) -> int:
        """A previewed question upload of the global instructor into 一大队题库."""
        from app.models import BankImport

        csv = BANK_CSV.replace(b"FZ-UP-2", b"FZ-IMP-1")
        response = self._client("inst-all").post(
            "/bank/import", data={"category_id": str(self.w["cat_a"].id), "file": (io.BytesIO(csv), "题.csv")},
            content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return db.session.scalars(db.select(BankImport.id).order_by(BankImport.id.desc())).first()

    # --- classes -------------------------------------------------------------------------------

    @cached_property
    def klass(self):
        """A published class of 一大队 with a session running now (code 123456); T1 is enrolled."""
        start = self.now - timedelta(minutes=10)
        return make_training_class(self.w["a"], sessions=[(start, start + timedelta(hours=2))],
                                   enrolled=[self.w["t1"]], code="123456")

    @cached_property
    def class_session(self):
        return self.klass.sessions[0]

    @cached_property
    def attended_klass(self):
        """The class, once T1 has checked in to its session."""
        from app.classes.attendance import check_in

        check_in(self.w["t1"].id, self.class_session.code, now=self.now)
        return self.klass

    # --- exams ---------------------------------------------------------------------------------

    @cached_property
    def exam(self):
        """A published exam of 一大队 for 一大队/一中队 (T1 and trainee-a); T1 has started it."""
        make_exam_questions(self.w["cat_a"], single=8, difficulty=3)
        exam = make_exam(category=self.w["cat_a"], audience_units=[self.w["a1"]], duration_minutes=30,
                         rules=(("一、单选题", "single", 3, 500),))
        exam.owner_unit_id = exam.blueprint.owner_unit_id = self.w["a"].id
        db.session.commit()
        attempts.start(exam.id, self.w["t1"].id, now=self.now)
        return exam

    @cached_property
    def regrade_exam(self):
        """A published exam of 一大队 that T1 has handed in (its questions can be regraded)."""
        self.exam  # noqa: B018 - its questions fill the category
        exam = make_exam(category=self.w["cat_a"], audience_units=[self.w["a1"]], title="重新评分考试",
                         rules=(("一、单选题", "single", 2, 500),))
        exam.owner_unit_id = exam.blueprint.owner_unit_id = self.w["a"].id
        db.session.commit()
        attempt, _created = attempts.start(exam.id, self.w["t1"].id, now=self.now)
        attempts.submit(attempt.id, self.w["t1"].id, now=self.now)
        return exam

    @cached_property
    def essay_answer(self) -> tuple[int, int]:
        """(exam id, item id) of the essay answer of an exam of 一大队 that T1 has handed in (it waits for a marker)."""
        make_exam_questions(self.w["cat_a"], essay=1)
        exam = make_exam(category=self.w["cat_a"], audience_units=[self.w["a1"]], title="阅卷考试",
                         rules=(("一、简答题", "essay", 1, 1000),))
        exam.owner_unit_id = exam.blueprint.owner_unit_id = self.w["a"].id
        db.session.commit()
        attempt, _created = attempts.start(exam.id, self.w["t1"].id, now=self.now)
        attempts.save_answer(attempt.id, self.w["t1"].id, 1, 1, "我的回答", now=self.now)
        attempts.submit(attempt.id, self.w["t1"].id, now=self.now)
        item_id = db.session.scalar(select(AttemptItem.id).where(AttemptItem.attempt_id == attempt.id))
        # the marker has opened it (a save needs the claim that opening the answer takes)
        grading.claim(grading.grader_for(viewer_for(self.w["inst_a"].id, self.w["inst_a"].roles), exam.id,
                                         now=self.now), item_id, now=self.now)
        return exam.id, item_id

    @cached_property
    def regrade_question_id(self) -> int:
        return db.session.scalar(select(AttemptItem.question_id).join(Attempt, Attempt.id == AttemptItem.attempt_id)
                                 .where(Attempt.exam_id == self.regrade_exam.id).order_by(AttemptItem.id).limit(1))

    @cached_property
    def draft_exam(self):
        self.exam  # noqa: B018 - its questions fill the category
        exam = make_exam(category=self.w["cat_a"], audience_units=[self.w["a1"]], publish=False, title="草稿考试",
                         rules=(("一、单选题", "single", 2, 500),))
        exam.owner_unit_id = exam.blueprint.owner_unit_id = self.w["a"].id
        db.session.commit()
        return exam

    @cached_property
    def blueprint(self):
        """A blueprint of 一大队 that no exam uses yet (edited and deleted by the fuzz)."""
        from app.models import Blueprint

        self.exam  # noqa: B018 - its questions fill the category
        blueprint = Blueprint(title="模糊测试组卷规则", owner_unit_id=self.w["a"].id, rules=[
            BlueprintRule(position=1, section="一、单选题", source_kind="category", category_id=self.w["cat_a"].id,
                          qtype="single", count=2, points=500)])
        db.session.add(blueprint)
        db.session.commit()
        return blueprint

    @cached_property
    def override(self):
        override = ExamOverride(exam_id=self.exam.id, person_id=self.w["trainee"].id, extra_minutes=10,
                                reason="身体不适")
        db.session.add(override)
        db.session.commit()
        return override

    # --- needs ---------------------------------------------------------------------------------

    @cached_property
    def diagnostic_id(self) -> int:
        """T1's diagnostic, started (T1's post targets the re-test's competency, which has questions)."""
        from app.needs import diagnostic

        self.retest_competency  # noqa: B018 - a target with questions
        db.session.expire_all()
        return diagnostic.start(db.session.get(type(self.w["t1"]), self.w["t1"].id), now=self.now).id

    @cached_property
    def diagnostic_requirement_id(self) -> int:
        from app.models import DiagnosticRequirement

        response = self._client("admin-a").post("/needs/diagnostic/requirements", data={
            "unit_id": str(self.w["a1"].id), "post_id": "", "due_on": (self.now + timedelta(days=10)).date().isoformat(),
            "note": "新岗位人员"})
        assert response.status_code == 302, response.status_code
        return db.session.scalar(select(DiagnosticRequirement.id).order_by(DiagnosticRequirement.id.desc()).limit(1))

    @cached_property
    def retest_competency(self):
        """A competency T1's post targets at 中级 and T1 failed in a practice (a gap with nothing to
        study): its re-test is offered at once."""
        from app.models import SyllabusTarget
        from tests.factories import make_bank_category, make_syllabus
        from tests.functional.test_needs_mastery import add_questions, sit

        competency = make_competency("FZ-RETEST", "复测能力")
        competency.workforces = [self.w["workforce"].code]
        syllabus = make_syllabus(self.w["posts"][0])
        syllabus.targets = [SyllabusTarget(competency_id=competency.id, level=2)]
        category = make_bank_category("复测题库", owner=self.w["a"])
        add_questions(category, 6, competencies=("FZ-RETEST",), difficulty=3)
        exam = make_exam(category=category, audience_units=[self.w["a1"]], kind="practice", title="复测前的练习",
                         rules=(("一、单选题", "single", 4, 100),))
        sit(exam.id, self.w["t1"].id, 0)
        return competency

    # --- me ------------------------------------------------------------------------------------

    @cached_property
    def token(self):
        token, _text = create_token(self.w["t1"].id, name="手机", actor_id=self.w["t1"].id, now=self.now)
        return token
