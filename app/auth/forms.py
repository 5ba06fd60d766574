"""Login and password forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField("工号", validators=[DataRequired("请输入工号。"), Length(max=40)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=200)])
    confirm = PasswordField(
        "确认新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new_password", "两次输入的新密码不一致。")],
    )
