"""Fuzzing the query strings of the pages that read filters, pages or ids from their links: hostile
values never get a 5xx or an English framework message (the form fuzz, test_fuzz_forms.py, does the
same for every POST). Same values, same derandomized settings."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.functional.form_fuzz_routes import Route
from tests.functional.form_fuzz_world import FuzzWorld
from tests.functional.test_fuzz_forms import ENGLISH, FUZZ, MISSING, _client, _pairs, _url, _value

_ASSIGNMENTS = {"status": "open", "course_id": "1", "unit_id": "2", "year": "2026", "direct": "1", "page": "1"}
_BANK = {"category_id": "1", "qtype": "single", "status": "ready", "competency": "FJ-LAW", "tag": "执勤",
         "difficulty": "3", "needs_review": "1", "q": "题", "page": "1"}
_RULE = {"section": "一", "source_kind": "category", "category_id": "1", "include_subcategories": "y", "tag": "",
         "question_ids": "1,2", "qtype": "single", "difficulty_min": "1", "difficulty_max": "5", "count": "2",
         "points": "2", "owner": "2"}
_RESULTS = {"unit_id": "4", "post_id": "1", "status": "passed", "sort": "score", "page": "1"}
PAGES: dict[str, Route] = {
    "auth.login": Route(None, fields=lambda w: {"next": "/study/"}),
    "org.people": Route("admin-all", fields=lambda w: {"q": "学员", "unit_id": "2", "post_id": "1", "workforce_id": "1",
                                                       "status": "active", "role": "trainee", "page": "1"}),
    "bank.index": Route("inst-all", fields=lambda w: _BANK),
    "bank.export_download": Route("inst-all", fields=lambda w: {
        "fmt": "csv", "question_id": [str(w.question.id)], "category_id": str(w["cat_a"].id), "status": "ready",
        "q": "待编辑"}),
    "bank.review_page": Route("inst-all", fields=lambda w: {"basis": "道路交通安全法", "page": "1"}),
    "bank.question_new": Route("inst-all", fields=lambda w: {"type": "fill", "category_id": "1"}),
    "bank.import_start": Route("inst-all", fields=lambda w: {"category_id": "1"}),
    "bank.import_show": Route("inst-all", lambda w: {"batch_id": w.bank_batch_id},
                              lambda w: {"skip_invalid": "y", "use_file_categories": "y"}),
    "curriculum.courses": Route("inst-all", fields=lambda w: {"workforce": "fj", "kind": "required", "q": "课",
                                                              "page": "1"}),
    "classes.index": Route("admin-all", fields=lambda w: {"status": "published", "page": "1"}),
    "classes.roster": Route("admin-all", lambda w: {"class_id": w.klass.id}, lambda w: {"page": "1"}),
    "classes.mine": Route("T1", fields=lambda w: {"code": "123456"}),
    "study.admin_assignments": Route("admin-all", fields=lambda w: _ASSIGNMENTS),
    "study.admin_assignments_xlsx": Route("admin-all", fields=lambda w: _ASSIGNMENTS),
    "study.admin_compliance": Route("admin-all", fields=lambda w: {"year": "2026", "course_id": "1", "unit_id": "2"}),
    "study.admin_person_credits": Route("admin-all", lambda w: {"person_id": w["t1"].id}, lambda w: {"year": "2026"}),
    "exams.manage_list": Route("inst-a", fields=lambda w: {"page": "1"}),
    "exams.practice_page": Route("trainee-a", fields=lambda w: {"source": "category:1"}),
    "exams.wrong_book": Route("trainee-a", fields=lambda w: {"tab": "mastered"}),
    "exams.exam_new": Route("inst-a", fields=lambda w: {"blueprint_id": "1"}),
    "exams.blueprint_pool": Route("inst-a", fields=lambda w: _RULE),
    "exams.blueprint_questions": Route("inst-a", fields=lambda w: {"owner": "2", "q": "#1", "qtype": "single"}),
    "exams.exam_results": Route("inst-a", lambda w: {"exam_id": w.exam.id}, lambda w: _RESULTS),
    "exams.exam_results_xlsx": Route("inst-a", lambda w: {"exam_id": w.exam.id}, lambda w: _RESULTS),
    "needs.ledger_organisation": Route("admin-a", fields=lambda w: {"unit_id": str(w["a1"].id)}),
    "needs.ledger_posts": Route("admin-a", fields=lambda w: {"unit_id": str(w["a1"].id)}),
    "needs.ledger_people": Route("admin-a", fields=lambda w: w.ledger_row | {"which": "below", "page": "1"}),
    "needs.ledger_xlsx": Route("admin-a", lambda w: {"kind": "people"}, lambda w: w.ledger_row | {"which": "below"}),
    "needs.ledger_act": Route("admin-a", fields=lambda w: w.ledger_row | {"post_id": str(w["posts"][0].id)}),
    "needs.outcome_people": Route("admin-a", fields=lambda w: {"year": "2026", "unit_id": str(w["a1"].id), "direct": "1",
                                                               "post_id": "0", "exam_id": "1", "passed": "1", "page": "1"}),
    "study.admin_credit_people": Route("admin-a", fields=lambda w: {
        "year": "2026", "unit_id": str(w["a1"].id), "direct": "1", "post_id": "1", "met": "0", "source": "course",
        "ref": "1", "page": "1"}),
    "needs.my_evidence": Route("T1", lambda w: {"competency_id": w.competency.id}, lambda w: {"page": "1"}),
    "needs.person_evidence": Route("admin-all", lambda w: {"person_id": w["t1"].id, "competency_id": w.competency.id},
                                   lambda w: {"page": "1"}),
    "needs.notes": Route("admin-all", lambda w: {"person_id": w["t1"].id}, lambda w: {"page": "1"}),
    "exams.exam_print": Route("inst-a", lambda w: {"exam_id": w.exam.id},
                              lambda w: {"paper": "B", "number": "3", "key": "1"}),
}


@pytest.fixture
def world(app):
    return FuzzWorld(app)


@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_hostile_query_values_never_fail(app, world, endpoint):
    route = PAGES[endpoint]
    base, path = route.fields(world), route.path(world)
    client = _client(app, route)
    url = _url(app, endpoint, path)
    assert client.get(f"{url}?{urlencode(_pairs(base))}").status_code == 200

    @FUZZ
    @given(st.data())
    def get_hostile_values(data):
        args = dict(base)
        for name in data.draw(st.lists(st.sampled_from(sorted(base)), min_size=1, max_size=3, unique=True)):
            args[name] = data.draw(_value(base[name], is_id=name.endswith("id") or name == "owner"))
        response = client.get(f"{url}?{urlencode(_pairs({k: v for k, v in args.items() if v is not MISSING}))}")
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
        assert response.status_code < 500, body[:2000]
        assert not ENGLISH.search(body), ENGLISH.search(body)[0]

    get_hostile_values()
