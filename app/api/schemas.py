"""The JSON shapes of API v1 (../shared/API.md), for validation and the OpenAPI document."""

from marshmallow import Schema, fields, validate

from app.exams.attempts import EVENT_KINDS


class MeSchema(Schema):
    id = fields.Integer()
    staff_no = fields.String()
    name = fields.String()
    roles = fields.List(fields.String(), metadata={"description": "角色：trainee、instructor、admin"})


class ExamSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String(metadata={"description": "formal 正式考试 / practice 练习"})
    opens_at = fields.String(metadata={"description": "ISO 8601，带时区"})
    closes_at = fields.String()
    duration_minutes = fields.Integer()
    attempts_allowed = fields.Integer()
    attempts_used = fields.Integer()
    status = fields.String(metadata={"description": "upcoming / open / in_progress / finished / closed"})
    requires_password = fields.Boolean()


class ExamListSchema(Schema):
    items = fields.List(fields.Nested(ExamSummarySchema))


class OptionSchema(Schema):
    key = fields.String(metadata={"description": "本次作答中的显示字母 A、B、C……"})
    text_html = fields.String()


class SlotSchema(Schema):
    slot = fields.Integer()
    section = fields.String()
    type = fields.String(metadata={"description": "single / multiple / truefalse / fill / essay"})
    stem_html = fields.String()
    points = fields.Float()
    options = fields.List(fields.Nested(OptionSchema))
    blanks = fields.Integer()


class AnswerSchema(Schema):
    seq = fields.Integer()
    response = fields.Raw(allow_none=True)


class QuestionResultSchema(Schema):
    slot = fields.Integer()
    score = fields.Float()
    max = fields.Float()
    correct = fields.Boolean(allow_none=True)
    correct_response = fields.Raw()
    explanation_html = fields.String()


class CheckSchema(QuestionResultSchema):
    """核对: one checked slot of a practice (the QuestionResult with everything shown)."""

    status = fields.String(metadata={"description": "correct / partial / wrong / pending（待评分）"})
    response = fields.Raw(allow_none=True, metadata={"description": "核对的答案（本次作答的显示字母）"})


class CheckListSchema(Schema):
    items = fields.List(fields.Nested(CheckSchema))


class ResultSchema(Schema):
    score = fields.Float()
    max_score = fields.Float()
    passed = fields.Boolean(allow_none=True)
    pending_manual = fields.Boolean()
    questions = fields.List(fields.Nested(QuestionResultSchema))


class AttemptSchema(Schema):
    id = fields.Integer()
    exam_id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    state = fields.String(metadata={"description": "in_progress / finished / abandoned"})
    started_at = fields.String()
    deadline = fields.String()
    server_time = fields.String()
    questions = fields.List(fields.Nested(SlotSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.Nested(AnswerSchema))
    switches = fields.Integer()
    result = fields.Nested(ResultSchema, allow_none=True)


class StartSchema(Schema):
    password = fields.String(load_default=None, validate=validate.Length(max=200))


class SaveSchema(Schema):
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    response = fields.Raw(required=True, allow_none=True)


class SavedSchema(Schema):
    slot = fields.Integer()
    seq = fields.Integer()
    saved_at = fields.String()
    server_time = fields.String()
    deadline = fields.String()


class EventSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_KINDS)))
    client_time = fields.String(load_default="", validate=validate.Length(max=40))


class EventsSchema(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True, validate=validate.Length(min=1, max=100))


class EventsResultSchema(Schema):
    switches = fields.Integer()
    limit = fields.Integer(allow_none=True)
    state = fields.String()
