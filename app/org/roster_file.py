"""Read roster files (xlsx, CSV) into rows, and build the xlsx template."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from app.errors import DomainError
from app.models.people import PersonStatus
from question_bank import FormatError
from question_bank.formats.sheets import read_table

COLUMNS = ["工号", "姓名", "手机", "单位", "岗位", "岗位等级", "入职日期", "状态", "角色"]
REQUIRED = ["工号", "姓名", "单位"]
HELP = [
    ("工号", "必填。每人唯一，登录账号即工号。"),
    ("姓名", "必填。"),
    ("手机", "选填。11 位手机号，或带区号的固定电话。"),
    ("单位", "必填。填写完整路径（用 / 分隔，如“交警支队/一大队/一中队”）；名称在您的管理范围内唯一时也可只填名称。"),
    ("岗位", "选填。岗位名称或岗位代码，须是系统中已有的岗位。"),
    ("岗位等级", "选填。须属于该岗位所在队伍的等级序列；填写等级时须同时填写岗位。"),
    ("入职日期", "选填。格式 2024-03-01，也可用 2024/3/1 或 Excel 日期。"),
    ("状态", "选填。在岗 或 离岗，默认在岗。"),
    ("角色", "选填。学员、教官，多个用“、”分隔，默认学员。管理员角色请在人员详情页单独授予。"),
    ("说明", "有错误的文件不会导入任何数据：预览会逐行列出错误，请改正后重新上传。"),
]


def read_roster(filename: str, data: bytes) -> list[dict]:
    """Return the data rows as dicts with a `_row` (spreadsheet row number) key."""
    try:
        table = read_table(data, filename)
    except FormatError as error:
        raise DomainError(f"{error.issues[0].message}。") from None
    if not table:
        raise DomainError("文件是空的。")
    header = [cell.strip() for cell in table[0]]
    missing = [col for col in REQUIRED if col not in header]
    if missing:
        raise DomainError(f"第1行表头缺少列：{'、'.join(missing)}。请使用下载的模板。")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        row = {col: values[i].strip() if i < len(values) else "" for i, col in enumerate(header) if col in COLUMNS}
        row["_row"] = number
        rows.append(row)
    if not rows:
        raise DomainError("文件中没有数据行。")
    return rows


def build_template(post_names: list[str], grade_names: list[str]) -> bytes:
    """Return the roster template: a sheet to fill, with dropdowns, and a 填写说明 sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名册"
    sheet.append(COLUMNS)
    sheet.append(["FJ9001", "张三", "13800000000", "交警支队/一大队/一中队", "路面执勤", "四级辅警", "2024-03-01", "在岗", "学员"])
    for column, width in zip("ABCDEFGHI", (12, 10, 15, 30, 14, 12, 12, 8, 12), strict=True):
        sheet.column_dimensions[column].width = width
    _dropdown(sheet, "H", list(PersonStatus.labels().values()))
    _dropdown(sheet, "E", post_names)
    _dropdown(sheet, "F", grade_names)
    guide = book.create_sheet("填写说明")
    guide.append(["列", "填写要求"])
    for row in HELP:
        guide.append(list(row))
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _dropdown(sheet, column: str, values: list[str]) -> None:
    if not values:
        return
    formula = '"' + ",".join(values) + '"'
    if len(formula) > 255:  # Excel's limit for inline lists
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.add(f"{column}2:{column}5000")
    sheet.add_data_validation(validation)
