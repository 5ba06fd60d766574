"""Forms of the exams area (field shape only; the services check the rules)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.formkit import NestedForm, choices, optional_int
from app.models.exams import (
    BUILT_KINDS,
    CountingRule,
    ExamKind,
    MultiPolicy,
    ReviewTiming,
    SourceKind,
)
from question_bank.choice import OPTION_KEYS
from question_bank.regrade import KINDS

DIFFICULTIES = choices([("", "不限")] + [(str(d), str(d)) for d in range(1, 6)])
LAYOUTS = choices([("all", "所有题目在一页"), ("one", "每页一题，带答题卡导航")])


class RuleForm(NestedForm):
    """One rule row of a blueprint (nested: no CSRF field of its own)."""

    section = StringField("大题名称", validators=[Optional(), Length(max=100)])
    source_kind = SelectField("题目来源", choices=choices(SourceKind.labels().items()))
    category_id = SelectField("分类", coerce=optional_int, validate_choice=False)
    include_subcategories = BooleanField("含下级分类", default=True)
    competency_id = SelectField("知识点", coerce=optional_int, validate_choice=False)
    tag = StringField("标签", validators=[Optional(), Length(max=100)])
    question_ids = HiddenField("指定题目")
    qtype = SelectField("题型", validate_choice=False)
    difficulty_min = SelectField("难度从", choices=DIFFICULTIES, coerce=optional_int, validate_choice=False)
    difficulty_max = SelectField("难度到", choices=DIFFICULTIES, coerce=optional_int, validate_choice=False)
    count = IntegerField("题数", validators=[Optional()])
    points = StringField("每题分值", validators=[Optional(), Length(max=10)])


class BlueprintForm(FlaskForm):
    title = StringField("组卷规则名称", validators=[Optional(), Length(max=200)])  # the service says what is missing
    owner_unit_id = SelectField("所属单位", coerce=optional_int, validate_choice=False)
    rules = FieldList(FormField(RuleForm), min_entries=1, max_entries=51)  # one more than allowed: the service refuses


class ExamForm(FlaskForm):
    # Required values and ranges are the service's checks, so one answer lists every problem.
    title = StringField("考试名称", validators=[Optional(), Length(max=200)])
    kind = SelectField("考试类型", choices=choices((k, v) for k, v in ExamKind.labels().items() if k in BUILT_KINDS))
    owner_unit_id = SelectField("所属单位", coerce=optional_int, validate_choice=False)
    blueprint_id = SelectField("组卷规则", coerce=optional_int, validate_choice=False)
    opens_at = DateTimeLocalField("开始时间", validators=[Optional()])
    closes_at = DateTimeLocalField("结束时间", validators=[Optional()])
    duration_minutes = IntegerField("考试时长（分钟）", default=60, validators=[Optional()])
    attempts_allowed = IntegerField("可作答次数", default=1, validators=[Optional()])
    counting = SelectField("多次作答时的计分", choices=choices(CountingRule.labels().items()))
    pass_percent = IntegerField("及格线（满分的百分比）", default=60, validators=[Optional()])
    multi_policy = SelectField("多选题评分", choices=choices(MultiPolicy.labels().items()))
    shuffle_questions = BooleanField("同一大题内题目乱序", default=True)
    shuffle_options = BooleanField("选项乱序", default=True)
    layout = RadioField("答题页面", choices=LAYOUTS, default="all")
    review_timing = SelectField("何时公布", choices=choices(ReviewTiming.labels().items()))
    review_score = BooleanField("总分", default=True)
    review_correctness = BooleanField("每题对错", default=True)
    review_answers = BooleanField("正确答案")
    review_explanations = BooleanField("解析")
    password = PasswordField("考试密码", validators=[Optional(), Length(max=100)],
                             description="留空则不设密码（或保持原密码）。")
    clear_password = BooleanField("取消考试密码")
    switch_limit = IntegerField("切屏次数上限", validators=[Optional()],
                                description="超过后自动交卷并标记；留空表示不限制。")
    unit_ids = SelectMultipleField("单位（含下级单位）", coerce=int, validate_choice=False)
    post_ids = SelectMultipleField("岗位", coerce=int, validate_choice=False)
    staff_nos = TextAreaField("指定人员（工号）", validators=[Optional(), Length(max=40000)],
                              description="每行一个工号，也可以用逗号或空格分隔。")


class OverrideForm(FlaskForm):
    staff_no = StringField("工号", validators=[DataRequired("请填写工号。"), Length(max=40)])
    extra_minutes = IntegerField("延长时间（分钟）", default=0, validators=[Optional(), NumberRange(0, 1440)])
    closes_at = DateTimeLocalField("个人结束时间", validators=[Optional()],
                                   description="晚于考试结束时间才有意义；留空则不变。")
    extra_attempts = IntegerField("增加作答次数", default=0, validators=[Optional(), NumberRange(0, 20)])
    reason = StringField("原因", validators=[DataRequired("请填写原因。"), Length(max=300)])


class AddTimeForm(FlaskForm):
    minutes = IntegerField("加时（分钟）", default=10, validators=[InputRequired("请填写加时分钟数。"),
                                                            NumberRange(1, 600)])
    reason = StringField("原因", validators=[DataRequired("请填写原因。"), Length(max=300)])


class CloseForm(FlaskForm):
    reason = StringField("原因", validators=[DataRequired("请填写原因。"), Length(max=300)])


class GradeForm(FlaskForm):
    """A marker's score for one essay answer (points as typed: the engine checks them) and a comment."""

    score = StringField("得分", validators=[DataRequired("请填写得分。"), Length(max=20)])
    comment = TextAreaField("评语（选填）", validators=[Optional(), Length(max=1000)])


class RegradeForm(FlaskForm):
    # The service checks the choice and the reason (so one message tells what is missing, in Chinese).
    kind = RadioField("调整方式", choices=choices(KINDS.items()), validate_choice=False)
    keys = SelectMultipleField("另认为正确的选项", choices=choices((k, k) for k in OPTION_KEYS), validate_choice=False)
    blanks = FieldList(StringField("另认的答案", validators=[Optional(), Length(max=2000)]), max_entries=20)
    reason = TextAreaField("原因", validators=[Optional(), Length(max=300)],
                           description="必填。会记录在每份改动的答卷中，例如“第 3 题答案标错，应为 B”。")


class PracticeForm(FlaskForm):
    """练习: what to practise (`kind:id`, checked by the service), how many questions, timed or not."""

    source = SelectField("练习内容", validate_choice=False, validators=[DataRequired("请选择要练习的内容。")])
    count = RadioField("题量", choices=choices([("10", "10 题"), ("20", "20 题"), ("50", "50 题")]), default="10",
                       validators=[InputRequired("请选择题量。")])
    timed = RadioField("计时", choices=choices([("0", "不限时"), ("1", "限时（每题 1 分钟）")]), default="0",
                       validators=[InputRequired("请选择是否限时。")])
