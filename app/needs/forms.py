"""Forms of the needs area (field shape only; the services check the rules): acting on a ledger
row, a mentor's note, a diagnostic requirement."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.formkit import choices, optional_int
from app.models.curriculum import CreditKind


class _RowForm(FlaskForm):
    # The row's filter; scope and existence are the service's checks (404), not the form's.
    unit_id = HiddenField()
    competency_id = HiddenField()
    post_id = HiddenField()


class RowAssignForm(_RowForm):
    course_id = SelectField("课程", coerce=optional_int, validate_choice=False)
    due_on = DateField("截止日期", validators=[DataRequired("请填写截止日期。")])


class RowClassForm(_RowForm):
    title = StringField("培训班名称", validators=[DataRequired("请填写培训班名称。"), Length(max=100)])
    class_unit_id = SelectField("主办单位", coerce=optional_int, validate_choice=False)
    kind = SelectField("学时类别", choices=choices(CreditKind.labels().items()), default=CreditKind.REQUIRED)
    credit_hours = StringField("每次课学时", default="2", validators=[Length(max=10)])


NOTE_MAX = 2000


class MentorNoteForm(FlaskForm):
    talked_on = DateField("谈话日期", validators=[DataRequired(message="请填写谈话日期。")])
    text = TextAreaField("谈话内容", validators=[DataRequired(message="请填写谈话内容。"),
                                                 Length(max=NOTE_MAX, message=f"谈话内容不能超过 {NOTE_MAX} 字。")])


class RequirementForm(FlaskForm):
    # Scope and existence are the service's checks (out of scope → 404), not the form's.
    unit_id = SelectField("单位（含下级单位）", coerce=optional_int, validate_choice=False)
    post_id = SelectField("岗位", coerce=optional_int, validate_choice=False)
    due_on = DateField("完成期限", validators=[DataRequired("请填写完成期限。")])
    note = StringField("说明", validators=[Optional(), Length(max=200)])
