"""Every state-changing route outside /api/v1, as the form fuzz (test_fuzz_forms.py) posts to it.

Each entry names who logs in, the URL's ids and a valid submission with the route's real field names
(the fuzz replaces some of them with hostile values). A new POST route must be added here: the fuzz
fails on any route of `app.url_map` missing from `ROUTES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.functional.form_fuzz_world import BANK_CSV, PASSWORD, FuzzWorld

Fields = dict[str, str | list[str]]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")
ROSTER_CSV = ("工号,姓名,手机,单位,岗位,岗位等级,入职日期,状态,角色\n"
              "FZ-UP-1,上传人员,,交警支队/一大队/一中队,路面执勤,四级辅警,2024-03-01,在岗,学员\n").encode("utf-8-sig")


@dataclass(frozen=True)
class Route:
    user: str | None  # the staff number logged in; None: nobody
    path: Callable[[FuzzWorld], dict[str, int]] = lambda w: {}
    fields: Callable[[FuzzWorld], Fields] = lambda w: {}
    upload: tuple[str, bytes, str] | None = None  # multipart: (file field, content, file name)
    fresh_client: bool = False  # a new client per example (the route logs in or out)
    ids: tuple[str, ...] = field(default=())  # fields that carry ids (fuzzed with other objects' ids too)


def _day(w: FuzzWorld, days: int, time: str = "") -> str:
    day = (w.now + timedelta(days=days)).date().isoformat()
    return f"{day}T{time}" if time else day


def _person(w: FuzzWorld) -> Fields:
    return {"staff_no": "FZ-P-1", "name": "模糊测试人员", "phone": "13800000001", "unit_id": str(w["a1"].id),
            "post_id": str(w["posts"][0].id), "grade_id": str(w["workforce"].grades[0].id),
            "joined_on": "2024-03-01", "status": "active"}


def _course(w: FuzzWorld) -> Fields:
    return {"slug": "fuzz-new", "title": "新课程", "workforces": [w["workforce"].code], "kind": "required",
            "credit_hours": "1.5", "summary": "课程简介"}


def _lesson(_w: FuzzWorld) -> Fields:
    return {"title": "新课时", "min_minutes": "15", "body": "## 要点\n\n正文。"}


def _question(w: FuzzWorld) -> Fields:
    return {"qtype": "single", "category_id": str(w["cat_a"].id), "stem": "新题干", "option_A": "对的",
            "option_B": "错的", "correct": "A", "weight_A": "", "feedback_A": "", "points": "2",
            "difficulty": "3", "competencies": "", "legal_basis": "《道路交通安全法》第四十七条", "tags": "执勤",
            "external_id": "FZ-NEW-Q", "explanation": "解析", "note": "修改说明", "allow_duplicate": "1"}


def _regrade(_w: FuzzWorld) -> Fields:
    return {"kind": "accept", "keys": ["B"], "reason": "答案标错", "blanks-0": ""}


def _klass(w: FuzzWorld) -> Fields:
    return {"title": "新培训班", "unit_id": str(w["a"].id), "kind": "required", "credit_hours": "2",
            "competencies": "", "description": "简介"}


def _blueprint(w: FuzzWorld) -> Fields:
    rule = {"section": "一、单选题", "source_kind": "category", "category_id": str(w["cat_a"].id),
            "include_subcategories": "y", "competency_id": "", "tag": "", "question_ids": "", "qtype": "single",
            "difficulty_min": "", "difficulty_max": "", "count": "2", "points": "5"}
    return {"title": "新组卷规则", "owner_unit_id": str(w["a"].id)} | {f"rules-0-{k}": v for k, v in rule.items()}


def _exam(w: FuzzWorld) -> Fields:
    return {"title": "新考试", "kind": "formal", "owner_unit_id": str(w["a"].id), "blueprint_id": str(w.blueprint.id),
            "opens_at": _day(w, 1, "09:00"), "closes_at": _day(w, 2, "17:00"), "duration_minutes": "60",
            "attempts_allowed": "1", "counting": "highest", "pass_percent": "60", "multi_policy": "partial",
            "shuffle_questions": "y", "shuffle_options": "y", "layout": "all", "review_timing": "on_submit",
            "review_score": "y", "review_correctness": "y", "password": "", "switch_limit": "",
            "unit_ids": [str(w["a1"].id)], "post_ids": [], "staff_nos": "T1"}


ROUTES: dict[str, Route] = {
    # auth
    "auth.login": Route(None, fields=lambda w: {"username": "T1", "password": PASSWORD}, fresh_client=True),
    "auth.logout": Route("T1", fresh_client=True),
    "auth.change_password": Route("T1", fields=lambda w: {
        "current_password": PASSWORD, "new_password": "Neu-Passw0rt-2026", "confirm": "Neu-Passw0rt-2026"}),
    # org
    "org.unit_create": Route("admin-all", fields=lambda w: {"name": "新单位", "kind": "中队",
                                                            "parent_id": str(w["a"].id)}, ids=("parent_id",)),
    "org.unit_update": Route("admin-all", lambda w: {"unit_id": w["a1"].id},
                             lambda w: {"name": "改名中队", "kind": "中队"}),
    "org.unit_move": Route("admin-all", fields=lambda w: {"unit_id": str(w["b1"].id), "parent_id": str(w["a"].id)},
                           ids=("unit_id", "parent_id")),
    "org.unit_delete": Route("admin-all", lambda w: {"unit_id": w["b1"].id}),
    "org.import_preview": Route("admin-all", upload=("file", ROSTER_CSV, "名册.csv")),
    "org.import_confirm": Route("admin-all", lambda w: {"batch_id": w.roster_batch_id},
                                lambda w: {"initial_password": "Start-2026-x"}),
    "org.person_new": Route("admin-all", fields=_person, ids=("unit_id", "post_id", "grade_id")),
    "org.person_edit": Route("admin-all", lambda w: {"person_id": w["t1"].id},
                             lambda w: _person(w) | {"staff_no": "T1"}, ids=("unit_id", "post_id", "grade_id")),
    "org.role_grant": Route("admin-all", lambda w: {"person_id": w["t1"].id},
                            lambda w: {"role": "instructor", "scope_unit_id": str(w["a"].id)}, ids=("scope_unit_id",)),
    "org.role_revoke": Route("admin-all", lambda w: {"person_id": w["t1"].id, "grant_id": w["t1"].roles[0].id}),
    "org.mentor_add": Route("admin-all", lambda w: {"person_id": w["t1"].id},
                            lambda w: {"mentor_staff_no": "admin-a", "kind": "baolian"}),
    "org.mentor_remove": Route("admin-all", lambda w: {"person_id": w["t1"].id, "link_id": w.mentor_link.id}),
    "org.password_reset": Route("admin-all", lambda w: {"person_id": w["t1"].id}),
    # curriculum
    "curriculum.course_new": Route("inst-all", fields=_course),
    "curriculum.course_edit": Route("inst-all", lambda w: {"course_id": w.course.id}, _course),
    "curriculum.lesson_new": Route("inst-all", lambda w: {"course_id": w.course.id}, _lesson),
    "curriculum.lesson_edit": Route("inst-all", lambda w: {"lesson_id": w.lesson.id}, _lesson),
    "curriculum.lesson_preview": Route("inst-all", lambda w: {"course_id": w.course.id},
                                       lambda w: {"body": "## 预览\n\n![图](images/a.png)"}),
    "curriculum.lesson_move": Route("inst-all", lambda w: {"lesson_id": w.lesson.id}, lambda w: {"direction": "down"}),
    "curriculum.lesson_image": Route("inst-all", lambda w: {"lesson_id": w.lesson.id}, upload=("image", PNG, "图.png")),
    # study
    "study.admin_assign": Route("admin-all", fields=lambda w: {
        "course_id": str(w.course.id), "target": "staff", "unit_id": "0", "post_id": "0", "staff_nos": "T1 trainee-a",
        "due_on": _day(w, 30), "restudy": "y"}, ids=("course_id", "unit_id", "post_id")),
    "needs.ledger_assign": Route("admin-all", fields=lambda w: w.ledger_row | {
        "course_id": str(w.course.id), "post_id": "", "due_on": _day(w, 30)}, ids=("competency_id", "unit_id", "course_id")),
    "needs.ledger_class": Route("admin-all", fields=lambda w: w.ledger_row | {
        "post_id": str(w["posts"][0].id), "title": "补差班", "class_unit_id": str(w["a"].id), "kind": "required",
        "credit_hours": "2"}, ids=("competency_id", "unit_id", "post_id", "class_unit_id")),
    "study.admin_assignment_delete": Route("admin-all", lambda w: {"assignment_id": w.assignment.id}),
    "study.admin_generate": Route("admin-all", fields=lambda w: {"back": "compliance"}),
    "study.admin_credit_reverse": Route("admin-all", lambda w: {"entry_id": w.credit_entry.id},
                                        lambda w: {"reason": "录入错误"}),
    "study.lesson_start": Route("T1", lambda w: {"lesson_id": w.lesson.id}),
    "study.lesson_beat": Route("T1", lambda w: {"lesson_id": w.lesson.id}, lambda w: {"token": w.beat_token}),
    "study.lesson_quiz_start": Route("T1", lambda w: {"lesson_id": w.lesson.id}),
    "study.lesson_quiz_submit": Route("T1", lambda w: {"lesson_id": w.lesson.id}, lambda w: {
        "attempt_id": str(w.quiz_attempt_id), "q1": "A", "q2": "B"}, ids=("attempt_id",)),
    "study.sync_mine": Route("T1"),
    # bank
    "bank.bulk_status": Route("inst-all", fields=lambda w: {"question_id": [str(w.question.id)], "status": "retired",
                                                            "next": "/bank/"}, ids=("question_id",)),
    "bank.question_create": Route("inst-all", fields=_question, ids=("category_id",)),
    "bank.question_update": Route("inst-all", lambda w: {"question_id": w.question.id}, _question,
                                  ids=("category_id",)),
    "bank.question_reapprove": Route("inst-all", lambda w: {"question_id": w.flagged_question.id},
                                     lambda w: {"next": "/bank/review"}),
    "bank.preview": Route("inst-all", fields=lambda w: {"stem": "**题干** ____"}),
    "bank.category_create": Route("inst-all", fields=lambda w: {
        "name": "新分类", "parent_id": str(w["cat_a"].id), "owner_unit_id": str(w["a"].id)},
        ids=("parent_id", "owner_unit_id")),
    "bank.category_rename": Route("inst-all", lambda w: {"category_id": w["cat_a"].id}, lambda w: {"name": "改名题库"}),
    "bank.category_delete": Route("inst-all", lambda w: {"category_id": w["cat_b"].id}),
    "bank.review_flag": Route("inst-all", fields=lambda w: {"basis": "道路交通安全法", "reason": "法规修订"}),
    "bank.import_upload": Route("inst-all", fields=lambda w: {"category_id": str(w["cat_a"].id),
                                                              "skip_invalid": "y"},
                                upload=("file", BANK_CSV, "题.csv"), ids=("category_id",)),
    "bank.import_confirm": Route("inst-all", lambda w: {"batch_id": w.bank_batch_id}, lambda w: {
        "skip_invalid": "y", "use_file_categories": "", "duplicates": "skip"}),
    # classes
    "classes.create": Route("admin-all", fields=_klass, ids=("unit_id",)),
    "classes.update": Route("admin-all", lambda w: {"class_id": w.klass.id}, _klass, ids=("unit_id",)),
    "classes.session_add": Route("admin-all", lambda w: {"class_id": w.klass.id}, lambda w: {
        "starts_at": _day(w, 3, "09:00"), "ends_at": _day(w, 3, "11:00"), "place": "三楼会议室", "trainer": "张教官"}),
    "classes.session_delete": Route("admin-all", lambda w: {"session_id": w.class_session.id}),
    "classes.session_code_regenerate": Route("admin-all", lambda w: {"session_id": w.class_session.id}),
    "classes.withdraw": Route("admin-all", lambda w: {"class_id": w.klass.id, "person_id": w["t1"].id}),
    "classes.enrol": Route("admin-all", lambda w: {"class_id": w.klass.id}, lambda w: {
        "enrol-target": "staff", "enrol-unit_id": "0", "enrol-post_id": "0", "enrol-staff_nos": "trainee-a"},
        ids=("enrol-unit_id", "enrol-post_id")),
    "classes.set_status": Route("admin-all", lambda w: {"class_id": w.klass.id}, lambda w: {"status": "closed"}),
    "classes.attendance_correct": Route("admin-all", lambda w: {"class_id": w.klass.id}, lambda w: {
        "session_id": str(w.class_session.id), "person_id": str(w["t1"].id), "present": "1"},
        ids=("session_id", "person_id")),
    "classes.check_in": Route("T1", fields=lambda w: {"code": w.class_session.code}),
    "classes.evaluate": Route("T1", lambda w: {"class_id": w.attended_klass.id}, lambda w: {
        "content_rating": "5", "trainer_rating": "4", "organisation_rating": "3", "comment": "很好"}),
    # exams
    "exams.start": Route("trainee-a", lambda w: {"exam_id": w.exam.id}, lambda w: {"password": ""}),
    "exams.practice_start": Route("trainee-a", fields=lambda w: {
        "source": f"category:{w.exam.blueprint.rules[0].category_id}", "count": "10", "timed": "0"}),
    "exams.blueprint_new": Route("inst-a", fields=_blueprint, ids=("owner_unit_id", "rules-0-category_id")),
    "exams.blueprint_edit": Route("inst-a", lambda w: {"blueprint_id": w.blueprint.id}, _blueprint,
                                  ids=("owner_unit_id", "rules-0-category_id")),
    "exams.blueprint_delete": Route("inst-a", lambda w: {"blueprint_id": w.blueprint.id}),
    "exams.exam_new": Route("inst-a", fields=_exam, ids=("owner_unit_id", "blueprint_id", "unit_ids", "post_ids")),
    "exams.exam_edit": Route("inst-a", lambda w: {"exam_id": w.draft_exam.id}, _exam,
                             ids=("owner_unit_id", "blueprint_id", "unit_ids", "post_ids")),
    "exams.exam_publish": Route("inst-a", lambda w: {"exam_id": w.draft_exam.id}),
    "exams.exam_withdraw": Route("inst-a", lambda w: {"exam_id": w.exam.id}),
    "exams.override_set": Route("inst-a", lambda w: {"exam_id": w.exam.id}, lambda w: {
        "staff_no": "trainee-a", "extra_minutes": "15", "closes_at": _day(w, 8, "18:00"), "extra_attempts": "1",
        "reason": "身体不适"}),
    "exams.override_remove": Route("inst-a", lambda w: {"exam_id": w.exam.id, "override_id": w.override.id}),
    "exams.live_add_time": Route("inst-a", lambda w: {"exam_id": w.exam.id, "person_id": w["t1"].id},
                                 lambda w: {"minutes": "10", "reason": "设备故障"}),
    "exams.live_close": Route("inst-a", lambda w: {"exam_id": w.exam.id, "person_id": w["t1"].id},
                              lambda w: {"reason": "违纪"}),
    "exams.regrade_preview": Route("inst-a", lambda w: {"exam_id": w.regrade_exam.id,
                                                         "question_id": w.regrade_question_id}, _regrade),
    "exams.regrade_apply": Route("inst-a", lambda w: {"exam_id": w.regrade_exam.id,
                                                       "question_id": w.regrade_question_id}, _regrade),
    "exams.grading_answer": Route("inst-a", lambda w: dict(zip(("exam_id", "item_id"), w.essay_answer, strict=True)),
                                  lambda w: {"score": "7.5", "comment": "要点齐全"}),
    # messages
    "messages.read_all": Route("T1"),
    # needs
    "needs.diagnostic_start": Route("T1", fields=lambda w: (w.retest_competency, {})[1]),
    "needs.diagnostic_answer": Route("T1", lambda w: {"diagnostic_id": w.diagnostic_id},
                                     lambda w: {"slot": "1", "answer": "A"}),
    "needs.diagnostic_requirements": Route("admin-a", fields=lambda w: {
        "unit_id": str(w["a1"].id), "post_id": "", "due_on": _day(w, 10), "note": "新岗位人员"}, ids=("unit_id", "post_id")),
    "needs.diagnostic_requirement_withdraw": Route("admin-a", lambda w: {"requirement_id": w.diagnostic_requirement_id}),
    "needs.make_plan": Route("T1"),
    "needs.start_retest": Route("T1", lambda w: {"competency_id": w.retest_competency.id}),
    "needs.add_note": Route("admin-a", lambda w: {"person_id": w["t1"].id},
                            lambda w: {"talked_on": _day(w, -1), "text": "谈了学习安排。"}),
    # me
    "me.token_create": Route("T1", fields=lambda w: {"name": "手机考试", "days": "30"}),
    "me.token_revoke": Route("T1", lambda w: {"token_id": w.token.id}),
}
