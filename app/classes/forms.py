"""Forms of the classes area (field shape only)."""

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.formkit import choices
from app.models.curriculum import CreditKind

TARGETS = {"unit": "单位（含下级单位）", "post": "岗位", "staff": "工号名单"}
RATING_CHOICES = choices((i, f"{i} 分") for i in range(5, 0, -1))


class ClassForm(FlaskForm):
    title = StringField("培训班名称", validators=[DataRequired("请填写培训班名称。"), Length(max=100)])
    # Scope is the service's check (out of scope → 404), not the form's.
    unit_id = SelectField("主办单位", coerce=int, validate_choice=False)
    kind = SelectField("学时类别", choices=choices(CreditKind.labels().items()))
    # Read by app.hours.parse_hours in the service (one parser of typed hours), not by a DecimalField.
    credit_hours = StringField("每次课学时", validators=[InputRequired("请填写每次课的学时。")],
                               render_kw={"inputmode": "decimal"})
    competencies = StringField("能力项编码", validators=[Optional(), Length(max=500)],
                               description="多个编码用逗号分隔，例如 FJ-LAW, FJ-SERVICE。")
    description = TextAreaField("培训内容简介", validators=[Optional(), Length(max=5000)],
                                description="支持 Markdown。")


class SessionForm(FlaskForm):
    starts_at = DateTimeLocalField("开始时间", validators=[DataRequired("请填写开始时间。")])
    ends_at = DateTimeLocalField("结束时间", validators=[DataRequired("请填写结束时间。")])
    place = StringField("地点", validators=[Optional(), Length(max=100)])
    trainer = StringField("授课人", validators=[Optional(), Length(max=50)])


class EnrolForm(FlaskForm):
    target = SelectField("报名方式", choices=choices(TARGETS.items()))
    unit_id = SelectField("单位", coerce=int, validators=[Optional()], validate_choice=False)
    post_id = SelectField("岗位", coerce=int, validators=[Optional()], validate_choice=False)
    staff_nos = TextAreaField("工号名单", validators=[Optional(), Length(max=20000)],
                              description="每行一个工号，也可以用逗号或空格分隔。")


class AttendanceForm(FlaskForm):
    session_id = IntegerField(validators=[DataRequired()])
    person_id = IntegerField(validators=[DataRequired()])
    present = HiddenField(validators=[DataRequired()])


class CheckInForm(FlaskForm):
    code = StringField("签到码", validators=[DataRequired("请输入签到码。"), Length(max=20)])


class EvaluationForm(FlaskForm):
    content_rating = SelectField("课程内容", coerce=int, choices=RATING_CHOICES)
    trainer_rating = SelectField("授课教师", coerce=int, choices=RATING_CHOICES)
    organisation_rating = SelectField("组织安排", coerce=int, choices=RATING_CHOICES)
    comment = TextAreaField("意见建议", validators=[Optional(), Length(max=1000)])
