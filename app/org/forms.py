"""Forms of the org area (field shape only)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.formkit import choices
from app.models.people import MentorKind, PersonStatus, Role
from app.org.fields import EMAIL_MAX, NAME_MAX, PHONE_MAX, STAFF_NO_MAX


class UnitForm(FlaskForm):
    name = StringField("单位名称", validators=[DataRequired("请填写单位名称。"), Length(max=100)])
    kind = StringField("层级类型", validators=[Optional(), Length(max=20)], description="如 支队、大队、街道、社区")


class PersonForm(FlaskForm):
    """The person fields' rules live in app/org/fields.py (shared with the roster import)."""

    staff_no = StringField("工号", validators=[DataRequired("请填写工号。"), Length(max=STAFF_NO_MAX)],
                           description="字母、数字和 . _ - ，也是登录账号")
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=NAME_MAX)])
    phone = StringField("手机", validators=[Optional(), Length(max=PHONE_MAX)])
    email = StringField("电子邮箱", validators=[Optional(), Length(max=EMAIL_MAX)],
                        description="选填；系统配置了邮件服务器时，催学提醒也发到这个邮箱")
    unit_id = SelectField("单位", coerce=int)
    post_id = SelectField("岗位", coerce=int)
    grade_id = SelectField("岗位等级", coerce=int)
    joined_on = DateField("入职日期", validators=[Optional()])
    status = SelectField("状态", choices=choices(PersonStatus.labels().items()))


class RoleForm(FlaskForm):
    role = SelectField("角色", choices=choices(Role.labels().items()))
    scope_unit_id = SelectField("管理范围", coerce=int)


class MentorForm(FlaskForm):
    mentor_staff_no = StringField("导师/包联人工号", validators=[DataRequired("请填写工号。"), Length(max=40)])
    kind = SelectField("类型", choices=choices(MentorKind.labels().items()))


class ImportForm(FlaskForm):
    file = FileField("名册文件", validators=[
        FileRequired("请选择文件。"), FileAllowed(["xlsx", "csv"], "只支持 .xlsx 或 .csv 文件。"),
    ])


class ConfirmImportForm(FlaskForm):
    initial_password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码。")],
                                     description="导入的人员首次登录时须修改此密码。")
