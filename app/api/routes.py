"""API v1 views: authenticate, call one exam service, shape the answer (API.md)."""

from flask import current_app, g, jsonify, request
from flask_login import current_user

from app import clock
from app.api import bp
from app.api.schemas import (
    AttemptSchema,
    CheckListSchema,
    CheckSchema,
    EventsResultSchema,
    EventsSchema,
    ExamListSchema,
    MeSchema,
    SavedSchema,
    SaveSchema,
    StartSchema,
)
from app.auth.tokens import TokenUser, bearer_token, person_for_token
from app.errors import DomainError
from app.exams import attempts, checks, views
from app.extensions import csrf, db, durable_writes, reads_first, writes_on_read
from app.models import Exam

csrf.exempt(bp)


class Unauthorized(DomainError):
    status_code = 401


@bp.before_request
def _authenticate():
    """A bearer token, when sent, is the only credential; otherwise the session, with CSRF on writes."""
    token = bearer_token()
    if token is not None:
        person = person_for_token(token, now=clock.now())
        if person is None:
            raise Unauthorized("访问令牌无效、已过期或已撤销。")
        g._login_user = TokenUser(person)
        return
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    if not current_user.is_authenticated:
        raise Unauthorized("请先登录。")


def _json(body: dict, status: int = 200):
    """An Attempt (exams/views.py) and a Saved are built to their schemas already; sending them as
    they are skips a second pass through marshmallow (for an Attempt it cost more than the rest of a
    start; a save is the most frequent request)."""
    return jsonify(body), status


def _me():
    return current_user.person


@bp.get("/me")
@bp.response(200, MeSchema)
def me():
    person = _me()
    return {"id": person.id, "staff_no": person.staff_no, "name": person.name,
            "roles": sorted({grant.role for grant in person.roles})}


@bp.get("/me/exams")
@bp.response(200, ExamListSchema)
def my_exams():
    return {"items": views.exam_summaries(_me(), now=clock.now())}


@bp.post("/exams/<int:exam_id>/attempts")
@bp.arguments(StartSchema, required=False)
@bp.response(201, AttemptSchema)
@bp.alt_response(200, schema=AttemptSchema, description="已有进行中的作答，原样返回")
@durable_writes
@reads_first
def start_attempt(body, exam_id: int):
    now = clock.now()
    attempt, created = attempts.start(exam_id, _me().id, now=now, password=(body or {}).get("password"))
    return _json(views.attempt_view(attempt, now=now), 201 if created else 200)


@bp.get("/attempts/<int:attempt_id>")
@bp.response(200, AttemptSchema)
@writes_on_read
def get_attempt(attempt_id: int):
    now = clock.now()
    attempts.own_attempt(attempt_id, _me().id)
    return _json(views.attempt_view(attempts.close_if_overdue(attempt_id, now=now), now=now))


@bp.put("/attempts/<int:attempt_id>/answers/<int:slot>")
@bp.arguments(SaveSchema)
@bp.response(200, SavedSchema)
@durable_writes
def save_answer(body, attempt_id: int, slot: int):
    now = clock.now()
    saved = attempts.save_answer(attempt_id, _me().id, slot, body["seq"], body["response"], now=now)
    return _json({"slot": slot, "seq": saved["seq"], "saved_at": views.iso(saved["saved_at"]),
                  "server_time": views.iso(now), "deadline": views.iso(saved["deadline"])})


@bp.post("/attempts/<int:attempt_id>/submit")
@bp.response(200, AttemptSchema)
@durable_writes
def submit_attempt(attempt_id: int):
    now = clock.now()
    return _json(views.attempt_view(attempts.submit(attempt_id, _me().id, now=now), now=now))


@bp.post("/attempts/<int:attempt_id>/events")
@bp.arguments(EventsSchema)
@bp.response(200, EventsResultSchema)
def attempt_events(body, attempt_id: int):
    attempt = attempts.record_events(attempt_id, _me().id, body["events"], now=clock.now())
    exam = db.session.get(Exam, attempt.exam_id)
    return {"switches": attempt.switches, "limit": exam.switch_limit, "state": attempt.state}


@bp.post("/attempts/<int:attempt_id>/slots/<int:slot>/check")
@bp.response(200, CheckSchema)
@bp.alt_response(403, description="正式考试不提供核对答案")
@bp.alt_response(409, description="作答已结束")
@bp.alt_response(422, description="本题还没有保存的答案")
@durable_writes
def check_slot(attempt_id: int, slot: int):
    """核对（仅练习）：评判本题已保存的答案，返回对错、得分、正确答案和解析；核对后本题答案不能再修改。"""
    return _json(checks.check_slot(attempt_id, _me().id, slot, now=clock.now()))


@bp.get("/attempts/<int:attempt_id>/checks")
@bp.response(200, CheckListSchema)
@bp.alt_response(403, description="正式考试不提供核对答案")
def attempt_checks(attempt_id: int):
    """本次练习已核对的题目（刷新页面后据此重新显示反馈）。"""
    return _json({"items": checks.checks(attempt_id, _me().id)})
