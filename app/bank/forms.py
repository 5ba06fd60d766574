"""Forms of the bank area (field shape only); the question editor reads its fields directly."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.formkit import choices
from question_bank.formats import FORMATS

EXPORT_FORMATS = {name: spec.label for name, spec in FORMATS.items()}


class CategoryForm(FlaskForm):
    name = StringField("分类名称", validators=[DataRequired("请填写分类名称。"), Length(max=100)])


class ImportForm(FlaskForm):
    file = FileField("试题文件", validators=[FileRequired("请选择文件。")],
                     description="支持 GIFT（.gift/.txt）、Aiken（.txt）、Moodle XML（.xml）、Excel（.xlsx）、CSV（.csv）。")
    category_id = SelectField("导入到分类", coerce=int)
    use_file_categories = BooleanField("按文件中的分类在所选分类下建立下级分类")
    skip_invalid = BooleanField("导入有效题目，跳过有问题的")


class ConfirmImportForm(FlaskForm):
    skip_invalid = BooleanField("导入有效题目，跳过有问题的")
    use_file_categories = BooleanField("按文件中的分类在所选分类下建立下级分类")
    duplicates = RadioField("与题库中已有试题重复的题目", default="skip", choices=choices([
        ("skip", "合并：跳过重复题，保留题库中的原题"), ("import", "仍然导入（会出现重复试题）"),
    ]))


class ReviewForm(FlaskForm):
    basis = StringField("法规名称或条款", validators=[DataRequired("请填写法规名称或条款。"), Length(max=200)],
                        description="与试题“法规依据”部分匹配，如“道路交通安全法》第四十七条”。")
    reason = StringField("复核原因", validators=[DataRequired("请说明复核原因。"), Length(max=200)])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET download

    fmt = SelectField("格式", choices=choices(EXPORT_FORMATS.items()))
