"""Forms of the study area (field shape only)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.formkit import choices

TARGETS = {"unit": "单位（含下级单位）", "post": "岗位", "staff": "工号名单"}


class AssignForm(FlaskForm):
    # Scope and existence are the service's checks (out of scope → 404), not the form's.
    course_id = SelectField("课程", coerce=int, validate_choice=False)
    target = SelectField("下达对象", choices=choices(TARGETS.items()))
    unit_id = SelectField("单位", coerce=int, validators=[Optional()], validate_choice=False)
    post_id = SelectField("岗位", coerce=int, validators=[Optional()], validate_choice=False)
    staff_nos = TextAreaField("工号名单", validators=[Optional(), Length(max=20000)],
                              description="每行一个工号，也可以用逗号或空格分隔。")
    due_on = DateField("截止日期", validators=[DataRequired("请填写截止日期。")])
    restudy = BooleanField("要求重新学习", description="勾选后，已学完该课程的人员也须在截止日期所在年度重新学完；"
                                                    "不勾选时，已学完的人员直接记为已完成。")


class ReverseForm(FlaskForm):
    reason = StringField("冲正原因", validators=[DataRequired("请填写冲正原因。"), Length(max=150)])
