"""Forms of the needs area (field shape only; the services check the rules)."""

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length

NOTE_MAX = 2000


class MentorNoteForm(FlaskForm):
    talked_on = DateField("谈话日期", validators=[DataRequired(message="请填写谈话日期。")])
    text = TextAreaField("谈话内容", validators=[DataRequired(message="请填写谈话内容。"),
                                                 Length(max=NOTE_MAX, message=f"谈话内容不能超过 {NOTE_MAX} 字。")])
