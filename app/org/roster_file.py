"""Read roster files (xlsx, CSV) into rows within the upload limits, and build the xlsx template."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from app.errors import DomainError
from app.models.people import PersonStatus
from question_bank import FormatError
from question_bank.formats.limits import NO_LIMITS, Limits
from question_bank.formats.sheets import csv_rows, table_kind, xlsx_package, xlsx_rows

EXAMPLE_MARK = "示例"  # no staff number starts so (app/org/fields.py): the template's example row
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
    ("示例", f"第 2 行是填写示例：工号以“{EXAMPLE_MARK}”开头的行导入时会被忽略，可以保留，也可以删除。"),
    ("说明", "有错误的文件不会导入任何数据：预览会逐行列出错误，请改正后重新上传。"),
]
PROGRESS_EVERY = 200


def check_roster_file(filename: str, data: bytes, limits: Limits, *, read_up_to: int) -> None:
    """Refuse a file the upload limits (or its layout) refuse, as far as that is quick: a CSV, or
    an xlsx whose sheets unzip to at most `read_up_to` bytes, is read whole; a larger xlsx has its
    package checked (no zip bombs) and meets the rest in the preview task."""
    try:
        if table_kind(filename) == "xlsx" and xlsx_package(data, filename, limits) > read_up_to:
            return
    except FormatError as error:
        raise DomainError(f"{error.issues[0].message}。") from None
    read_roster(filename, data, limits)


def read_roster(filename: str, data: bytes, limits: Limits = NO_LIMITS,
                progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Return the data rows as dicts with a `_row` (spreadsheet row number) key; the template's
    example row is left out. `progress(done, total)` follows the reading of an xlsx."""
    try:
        table = _table(filename, data, limits, progress)
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
        if row.get("工号", "").startswith(EXAMPLE_MARK):
            continue
        row["_row"] = number
        rows.append(row)
    if not rows:
        raise DomainError("文件中没有数据行。")
    return rows


def _table(filename: str, data: bytes, limits: Limits, progress) -> list[list[str]]:
    if table_kind(filename) == "csv":
        return csv_rows(data, filename, limits)
    rows, total = xlsx_rows(data, filename, None, limits)
    table = []
    for number, cells in enumerate(rows, start=1):
        table.append(cells)
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, max(total, number))
    return table


def build_template(post_names: list[str], grade_names: list[str], example: dict[str, str] | None = None) -> bytes:
    """Return the roster template: a sheet to fill, with dropdowns, and a 填写说明 sheet.

    Row 2 is an example (grey; its 工号 starts with EXAMPLE_MARK, so the import skips it) with
    the unit, post and grade of `example` when given: names that exist, to copy from.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名册"
    sheet.append(COLUMNS)
    values = {"单位": "交警支队/一大队/一中队", "岗位": "路面执勤", "岗位等级": "四级辅警"} | (example or {})
    sheet.append([f"{EXAMPLE_MARK}FJ9001", "张三", "13800000000", values["单位"], values["岗位"], values["岗位等级"],
                  "2024-03-01", "在岗", "学员"])
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
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
