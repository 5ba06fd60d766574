"""Forms of the needs area (field shape only)."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.formkit import optional_int


class RequirementForm(FlaskForm):
    # Scope and existence are the service's checks (out of scope → 404), not the form's.
    unit_id = SelectField("单位（含下级单位）", coerce=optional_int, validate_choice=False)
    post_id = SelectField("岗位", coerce=optional_int, validate_choice=False)
    due_on = DateField("完成期限", validators=[DataRequired("请填写完成期限。")])
    note = StringField("说明", validators=[Optional(), Length(max=200)])
