"""API v1 (../shared/API.md): every endpoint with its success, 401/403/404/409/422 answers, tokens,
CSRF, review-policy gating, and a crawl of a whole attempt for anything the trainee may not see."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.tokens import create_token
from app.extensions import db
from app.models import (
    ApiToken,
    Attempt,
    AttemptEvent,
    AttemptItem,
    AuditEntry,
    Person,
    QuestionVersion,
)
from tests.factories import login, make_exam, make_exam_questions, make_world

EXPLANATION = "解析：此为机密解析文字"
LEGAL = "《道路交通安全法》第四十二条机密"


@pytest.fixture
def world(app):
    world = make_world(bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"},
                                          "t2": {"unit": "a1", "staff_no": "T2"},
                                          "outsider": {"unit": "b1", "staff_no": "T3"}})
    world["singles"] = make_exam_questions(world["cat_a"], single=12)
    world["tfs"] = make_exam_questions(world["cat_a"], truefalse=4)
    for version in db.session.scalars(select(QuestionVersion)):
        version.data = version.data | {"explanation": EXPLANATION, "legal_basis": LEGAL}
    db.session.commit()
    world["exam"] = make_exam(category=world["cat_a"], audience_units=[world["a"]], attempts_allowed=2,
                              rules=(("一、单选题", "single", 6, 200), ("二、判断题", "truefalse", 2, 100)),
                              review_answers=True, review_explanations=True, switch_limit=3)
    return world


def bearer(app, person) -> dict:
    _token, text = create_token(person.id, name="测试", actor_id=person.id, now=clock.now())
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def t1(app, world):
    return app.test_client(), bearer(app, world["t1"])


def start(client, headers, exam_id, **body):
    return client.post(f"/api/v1/exams/{exam_id}/attempts", headers=headers, json=body or None)


def test_unauthenticated_and_bad_tokens_get_401_in_the_house_shape(app, world):
    client = app.test_client()
    assert client.get("/api/v1/me").get_json() == {"error": "请先登录。", "status": 401}
    for header in ("Bearer xl_nope", "Bearer ", "Basic abc"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
    token, text = create_token(world["t1"].id, name="手机", days=1, actor_id=None, now=clock.now())
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"})
    assert ok.status_code == 200 and ok.get_json()["staff_no"] == "T1"
    token.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 401
    _token2, text2 = create_token(world["t1"].id, name="电脑", actor_id=None, now=clock.now())
    db.session.get(Person, world["t1"].id).login_enabled = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {text2}"}).status_code == 401


def test_a_token_is_stored_hashed_and_works_only_under_the_api(app, world):
    _token, text = create_token(world["t1"].id, name="手机", actor_id=None, now=clock.now())
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert text not in stored and len(stored) == 64
    page = app.test_client().get("/", headers={"Authorization": f"Bearer {text}"})
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]  # pages never take a token
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="api_token_create")) == 1


def test_cli_prints_a_token_that_works(app, world, runner):
    result = runner.invoke(args=["users", "token", "T1", "--days", "7"])
    assert result.exit_code == 0, result.output
    text = re.search(r"xl_\S+", result.output).group(0)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 200
    assert runner.invoke(args=["users", "token", "NOBODY"]).exit_code != 0


def test_me_and_my_exams(app, world, t1):
    client, headers = t1
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me == {"id": world["t1"].id, "staff_no": "T1", "name": "测试人员", "roles": ["trainee"]}
    items = client.get("/api/v1/me/exams", headers=headers).get_json()["items"]
    assert [(i["id"], i["status"], i["attempts_used"], i["attempts_allowed"]) for i in items] == \
        [(world["exam"].id, "open", 0, 2)]
    assert set(items[0]) == {"id", "title", "kind", "opens_at", "closes_at", "duration_minutes",
                             "attempts_allowed", "attempts_used", "status", "requires_password"}
    assert items[0]["opens_at"].endswith("+08:00")
    outsider = bearer(app, world["outsider"])
    assert client.get("/api/v1/me/exams", headers=outsider).get_json() == {"items": []}


def test_start_is_201_then_200_with_the_same_attempt(app, world, t1):
    client, headers = t1
    first = start(client, headers, world["exam"].id)
    assert first.status_code == 201
    again = start(client, headers, world["exam"].id)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    body = first.get_json()
    assert [q["slot"] for q in body["questions"]] == list(range(1, 9))
    assert body["questions"][0]["options"][0]["key"] == "A" and body["result"] is None
    assert client.get("/api/v1/me/exams", headers=headers).get_json()["items"][0]["status"] == "in_progress"


def test_start_refusals(app, world, t1):
    client, headers = t1
    outsider = bearer(app, world["outsider"])
    assert start(client, outsider, world["exam"].id).status_code == 404
    assert start(client, headers, 9999).status_code == 404
    from app.auth.passwords import hash_password
    locked = make_exam(category=world["cat_a"], audience_units=[world["a"]], password_hash=hash_password("mima"))
    refused = start(client, headers, locked.id, password="wrong")
    assert refused.status_code == 403 and "密码" in refused.get_json()["error"]
    assert start(client, headers, locked.id, password="mima").status_code == 201
    later = make_exam(category=world["cat_a"], audience_units=[world["a"]],
                      opens_at=clock.now() + timedelta(days=1))
    assert start(client, headers, later.id).get_json() == {"error": "考试尚未开始。", "status": 403}
    assert start(client, headers, world["exam"].id, password=1).status_code == 422


def test_get_attempt_is_owner_only(app, world, t1):
    client, headers = t1
    attempt_id = start(client, headers, world["exam"].id).get_json()["id"]
    assert client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).status_code == 200
    other = bearer(app, world["t2"])
    assert client.get(f"/api/v1/attempts/{attempt_id}", headers=other).status_code == 404


def _letter_for(attempt_id, slot, own_key):
    item = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt_id, slot=slot))
    return "ABCDEFG"[item.option_order.index(own_key)] if item.option_order else own_key


def test_saving_answers(app, world, t1):
    client, headers = t1
    attempt_id = start(client, headers, world["exam"].id).get_json()["id"]
    url = f"/api/v1/attempts/{attempt_id}/answers/1"
    saved = client.put(url, headers=headers, json={"seq": 1, "response": "B"})
    assert saved.status_code == 200
    assert set(saved.get_json()) == {"slot", "seq", "saved_at", "server_time", "deadline"}
    stale = client.put(url, headers=headers, json={"seq": 1, "response": "C"})
    assert stale.status_code == 409 and stale.get_json()["seq"] == 1
    assert client.put(url, headers=headers, json={"seq": 2, "response": "Z"}).status_code == 422
    assert client.put(url, headers=headers, json={"seq": "2", "response": "A"}).status_code == 422
    assert client.put(url, headers=headers, json={"response": "A"}).status_code == 422
    assert client.put(url, headers=headers, data="not json",
                      content_type="application/json").status_code in (400, 422)
    assert client.put(f"/api/v1/attempts/{attempt_id}/answers/99", headers=headers,
                      json={"seq": 1, "response": "A"}).status_code == 404
    item = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt_id, slot=1))
    assert item.seq == 1 and item.response == item.option_order[1]  # "B" as shown, stored in own keys
    body = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).get_json()
    assert body["answers"] == {"1": {"seq": 1, "response": "B"}}


def test_session_writes_need_the_csrf_header_and_bearer_writes_do_not(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = make_world(bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"}})
        make_exam_questions(world["cat_a"], single=6)
        exam = make_exam(category=world["cat_a"], audience_units=[world["a"]])
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/auth/login", data={"username": "T1", "password": "Passw0rd",
                                                "csrf_token": token}).status_code == 302
        home = client.get("/", follow_redirects=True).get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)  # the session's, after login
        refused = client.post(f"/api/v1/exams/{exam.id}/attempts")
        assert refused.status_code == 400 and refused.is_json
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        assert client.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": token}).status_code == 201
        other = app.test_client()
        headers = bearer(app, world["admin_b"])  # admin-b is outside the audience: 404, but no CSRF error
        assert other.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers).status_code == 404


def test_submit_is_idempotent_and_the_result_follows_the_policy(app, world, t1):
    client, headers = t1
    attempt_id = start(client, headers, world["exam"].id).get_json()["id"]
    for slot in range(1, 9):
        item = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt_id, slot=slot))
        response = _letter_for(attempt_id, slot, "A") if item.option_order else True
        assert client.put(f"/api/v1/attempts/{attempt_id}/answers/{slot}", headers=headers,
                          json={"seq": 1, "response": response}).status_code == 200
    done = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers).get_json()
    assert done["state"] == "finished"
    assert done["result"]["score"] == 14.0 and done["result"]["max_score"] == 14.0 and done["result"]["passed"]
    first = done["result"]["questions"][0]
    assert first["correct"] is True and first["correct_response"] == _letter_for(attempt_id, 1, "A")
    assert EXPLANATION in first["explanation_html"]
    again = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers).get_json()
    assert again == done | {"server_time": again["server_time"]}
    closed = client.put(f"/api/v1/attempts/{attempt_id}/answers/1", headers=headers, json={"seq": 9, "response": "A"})
    assert closed.status_code == 409


def test_review_policy_never_and_after_close_hide_the_result(app, world, t1):
    client, headers = t1
    for timing in ("never", "after_close"):
        exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], review_timing=timing,
                         review_answers=True)
        attempt_id = start(client, headers, exam.id).get_json()["id"]
        done = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers).get_json()
        assert done["state"] == "finished" and done["result"] is None
    score_only = make_exam(category=world["cat_a"], audience_units=[world["a"]], review_correctness=False)
    attempt_id = start(client, headers, score_only.id).get_json()["id"]
    result = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers).get_json()["result"]
    assert set(result) == {"score", "max_score", "passed", "pending_manual"}


def test_events_count_switches_and_the_limit_submits(app, world, t1):
    client, headers = t1
    attempt_id = start(client, headers, world["exam"].id).get_json()["id"]
    url = f"/api/v1/attempts/{attempt_id}/events"
    away = {"events": [{"type": "hidden", "client_time": "2026-12-02T10:00:00+08:00"}, {"type": "visible"}]}
    assert client.post(url, headers=headers, json=away).get_json() == {"switches": 1, "limit": 3, "state": "in_progress"}
    assert client.post(url, headers=headers, json={"events": [{"type": "reboot"}]}).status_code == 422
    assert client.post(url, headers=headers, json={"events": []}).status_code == 422
    for _ in range(3):
        last = client.post(url, headers=headers, json=away)
    assert last.get_json() == {"switches": 4, "limit": 3, "state": "finished"}
    assert db.session.get(Attempt, attempt_id).flagged
    assert db.session.scalar(select(func.count()).select_from(AttemptEvent)) == 8
    assert client.post(url, headers=headers, json=away).status_code == 409


def test_nothing_secret_reaches_the_trainee_during_an_attempt(app, world, t1):
    """Crawl every response of a whole attempt (start, reads, saves, events) for secrets."""
    client, headers = t1
    exam_id = world["exam"].id
    responses = [client.get("/api/v1/me/exams", headers=headers), start(client, headers, exam_id)]
    attempt_id = responses[-1].get_json()["id"]
    responses.append(start(client, headers, exam_id))
    for slot in range(1, 9):
        responses.append(client.put(f"/api/v1/attempts/{attempt_id}/answers/{slot}", headers=headers,
                                    json={"seq": 1, "response": None}))
    responses.append(client.post(f"/api/v1/attempts/{attempt_id}/events", headers=headers,
                                 json={"events": [{"type": "blur"}]}))
    responses.append(client.get(f"/api/v1/attempts/{attempt_id}", headers=headers))
    items = db.session.scalars(select(AttemptItem).filter_by(attempt_id=attempt_id)).all()
    secret_numbers = {i.question_id for i in items} | {i.question_version_id for i in items}
    for response in responses:
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        text = response.get_data(as_text=True)
        headers_text = json.dumps(dict(response.headers), ensure_ascii=False)
        for secret in (EXPLANATION, LEGAL, "weight", "explanation", "legal_basis", "feedback", "answer\"",
                       "question_id", "version", "rubric", "reference_answer", "正确选项"):
            assert secret not in text and secret not in headers_text, (secret, response.request.path)
        body = response.get_json()
        numbers = {value for value in _walk(body) if isinstance(value, int) and not isinstance(value, bool)}
        ids_allowed = {attempt_id, exam_id, world["t1"].id}
        assert not (numbers & secret_numbers) - ids_allowed - set(range(0, 40)), response.request.path


def _walk(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("slot", "seq", "points", "number", "switches", "limit", "duration_minutes",
                           "attempts_allowed", "attempts_used", "blanks"):
                yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)
    else:
        yield value


def test_the_openapi_document_describes_every_endpoint(app, world):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert set(doc["paths"]) == {"/api/v1/me", "/api/v1/me/exams", "/api/v1/exams/{exam_id}/attempts",
                                 "/api/v1/attempts/{attempt_id}", "/api/v1/attempts/{attempt_id}/answers/{slot}",
                                 "/api/v1/attempts/{attempt_id}/submit", "/api/v1/attempts/{attempt_id}/events",
                                 "/api/v1/attempts/{attempt_id}/slots/{slot}/check",  # a practice's 核对
                                 "/api/v1/attempts/{attempt_id}/checks"}
    schemas = doc["components"]["schemas"]
    assert {"slot", "section", "type", "stem_html", "points", "options", "blanks"} <= set(schemas["Slot"]["properties"])
    assert {"seq", "response"} <= set(schemas["Save"]["properties"])


def test_a_session_login_works_for_the_exam_page(app, world):
    client = app.test_client()
    assert login(client, "T1").status_code == 302
    assert start(client, {}, world["exam"].id).status_code == 201
