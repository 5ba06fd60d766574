"""The Excel import template: a 试题 sheet with examples and dropdowns, and a 填写说明 sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from question_bank.formats.table import HEADERS, OPTIONAL
from question_bank.formats.xlsx_table import SHEET_NAME, set_widths
from question_bank.types import all_types

TEMPLATE_ROWS = 10_000  # rows that carry the dropdowns
EXAMPLES = (
    {
        "编号": "示例1",
        "分类": "辅警/道路交通安全法规",
        "题型": "单选",
        "题干": "机动车在道路上发生故障，需要停车排除故障时，驾驶人应当立即开启什么灯？",
        "选项A": "危险报警闪光灯",
        "选项B": "远光灯",
        "选项C": "雾灯",
        "选项D": "示廓灯",
        "答案": "A",
        "解析": "发生故障需停车排除时，应立即开启危险报警闪光灯，并将车移至不妨碍交通的地方。",
        "难度": "2",
        "知识点": "FJ-LAW",
        "分值": "1",
        "法规依据": "《中华人民共和国道路交通安全法》第五十二条",
        "标签": "故障处置",
    },
    {
        "编号": "示例2",
        "分类": "社区工作者/居民自治",
        "题型": "填空",
        "题干": "城市和农村按居民居住地区设立的居民委员会或者村民委员会是基层群众性____组织。",
        "答案": "自治",
        "难度": "1",
        "知识点": "GEN-POL",
        "分值": "1",
        "法规依据": "《中华人民共和国宪法》第一百一十一条",
    },
)
COLUMN_HELP = {
    "编号": "题目的唯一编号，如 FJ-0001；同一文件内不能重复。可不填。",
    "分类": "用“/”分隔的分类路径，如 辅警/道路交通安全法规。可不填。",
    "题型": "单选、多选、判断、填空、简答 之一（可从下拉列表选择）。",
    "题干": "题目正文，可用 Markdown。填空题的每个空写作 ____（四个下划线）。",
    "选项A": "单选、多选题的选项，从选项A起连续填写，至少两个；其他题型留空。",
    "选项E": "选项E至选项H可选；这几列可以整列删除。",
    "答案": (
        "单选填一个字母，如 B；多选填多个字母，如 ABD（大小写、逗号、空格均可）；"
        "判断填 对 或 错（也可写 正确/错误、√/×、T/F）；"
        "填空各空用 | 分隔，同一空的多个可接受答案用 ; 分隔，如 北京|长江;扬子江；"
        "简答填参考答案。"
    ),
    "解析": "答题后给学员看的解析。可不填。",
    "难度": "1（易）到 5（难）的整数（可从下拉列表选择）。可不填。",
    "知识点": "能力项代码，多个用逗号分隔，如 FJ-LAW,GEN-POL。",
    "分值": "本题分值，可带最多两位小数，如 1.5；不填则按题型默认分值。",
    "法规依据": "出题依据的法律法规条款，如《中华人民共和国道路交通安全法》第五十二条。",
    "标签": "自定义标签，多个用逗号分隔。可不填。",
    "评分要点": "简答题给阅卷人看的评分细则。可不填。",
}


def build_xlsx_template() -> bytes:
    """Return the import template workbook as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(list(HEADERS))
    for example in EXAMPLES:
        sheet.append([example.get(name) for name in HEADERS])
    _style_header(sheet)
    set_widths(sheet)
    sheet.freeze_panes = "A2"
    _add_dropdown(sheet, "题型", ",".join(cls.label for cls in all_types()))
    _add_dropdown(sheet, "难度", "1,2,3,4,5")
    _write_help(workbook.create_sheet("填写说明"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_header(sheet: Worksheet) -> None:
    """Make the header bold on a light fill so it reads as a header."""
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")


def _add_dropdown(sheet: Worksheet, column: str, choices: str) -> None:
    """Restrict a column to a list of choices, with a Chinese error message."""
    letter = get_column_letter(HEADERS.index(column) + 1)
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    validation.error = f"{column}只能是：{choices}"
    validation.errorTitle = f"{column}不正确"
    validation.showErrorMessage = True
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def _write_help(sheet: Worksheet) -> None:
    """Explain every column in Chinese."""
    sheet.append(["列名", "是否必填", "说明"])
    help_for = dict(COLUMN_HELP)
    for name in HEADERS:
        text = (
            help_for.get(name)
            or help_for["选项E" if name in ("选项F", "选项G", "选项H") else "选项A"]
        )
        required = "可选列" if name in OPTIONAL else "必需列"
        sheet.append([name, required, text])
    sheet.append([])
    sheet.append(
        ["提示", "", "第一行为表头，请勿修改；“必需列”指表头中必须有这一列，单元格是否要填见说明。"]
    )
    sheet.append(["提示", "", "编号为“示例1”“示例2”的两行是示例，导入前请删除。"])
    for letter, width in (("A", 12), ("B", 10), ("C", 90)):
        sheet.column_dimensions[letter].width = width
    _style_header(sheet)
