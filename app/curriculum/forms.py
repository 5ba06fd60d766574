"""Forms of the curriculum area (field shape only)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.formkit import choices
from app.models.curriculum import CreditKind


class CourseForm(FlaskForm):
    slug = StringField("课程代码（可不填）", validators=[Optional(), Length(max=80, message="课程代码不超过 80 个字符。")],
                       description="导出课程时用作文件名和目录名，创建后不能修改。不填时系统按年份加序号自动生成"
                                   "（如 c-2026-1）；自己填写时只能用小写字母、数字和连字符，如 fj-night-duty")
    title = StringField("课程名称", validators=[DataRequired("请填写课程名称。"), Length(max=200)])
    workforces = SelectMultipleField("适用队伍", validate_choice=False,  # the service checks the scope
                                     validators=[DataRequired("请至少选择一个队伍。")])
    kind = SelectField("课程类型", choices=choices(CreditKind.labels().items()))
    credit_hours = StringField("学时", validators=[DataRequired("请填写学时。"), Length(max=10)],
                               description="完成课程可得学时，最多一位小数", render_kw={"inputmode": "decimal"})
    summary = TextAreaField("课程简介", validators=[DataRequired("请填写课程简介。")])


class LessonForm(FlaskForm):
    title = StringField("课时标题", validators=[DataRequired("请填写课时标题。"), Length(max=200)])
    min_minutes = IntegerField("最少学习分钟数", default=15, validators=[
        InputRequired("请填写最少学习分钟数。"), NumberRange(1, 600, "须为 1 到 600 之间的整数。")])
    body = TextAreaField("正文（Markdown）")


class ImageForm(FlaskForm):
    image = FileField("图片", validators=[FileRequired("请选择图片文件。")])
