"""CSV and Excel tables in the course_content/README.md layout, and the Excel template."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from question_bank.errors import FormatError
from question_bank.formats.csv_table import export_csv, parse_csv
from question_bank.formats.table import HEADERS
from question_bank.formats.xlsx_table import export_xlsx, parse_xlsx
from question_bank.formats.xlsx_template import build_xlsx_template
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)

README_HEADER = "编号,分类,题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,难度,知识点,分值,法规依据,标签,评分要点"


def row(**cells):
    return [cells.get(name, "") for name in HEADERS]


def csv_bytes(*rows, header=HEADERS, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(*rows, header=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(list(header))
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_layout_is_exactly_the_readme_header():
    assert ",".join(HEADERS) == README_HEADER


def test_a_full_row_reads_every_column():
    cells = row(
        编号="FJ-0001", 分类="辅警/ 道路交通安全法规 ", 题型="单选", 题干="发生故障应开启？", 选项A="危险报警闪光灯",
        选项B="远光灯", 答案="a", 解析="第五十二条", 难度="3", 知识点="FJ-LAW, GEN-POL", 分值="1.5",
        法规依据="《道路交通安全法》第五十二条", 标签="故障，示警",
    )  # fmt: skip
    (question,) = parse_csv(csv_bytes(cells), "b.csv").questions
    assert question == SingleChoice(
        stem="发生故障应开启？",
        options=build_options(["危险报警闪光灯", "远光灯"], [100, 0]),
        external_id="FJ-0001",
        category=("辅警", "道路交通安全法规"),
        explanation="第五十二条",
        difficulty=3,
        competencies=("FJ-LAW", "GEN-POL"),
        points=150,
        legal_basis="《道路交通安全法》第五十二条",
        tags=("故障", "示警"),
    )


@pytest.mark.parametrize(
    ("cells", "check"),
    [
        (row(题型="多选", 题干="哪些", 选项A="甲", 选项B="乙", 选项C="丙", 答案="a, c"), lambda q: q.correct_keys() == {"A", "C"}),
        (row(题型="多选题", 题干="哪些", 选项A="甲", 选项B="乙", 选项C="丙", 答案="A C"), lambda q: isinstance(q, MultipleChoice)),
        (row(题型="判断", 题干="对吗", 答案="对"), lambda q: q.answer is True),
        (row(题型="判断", 题干="对吗", 答案="错误"), lambda q: q.answer is False),
        (row(题型="判断", 题干="对吗", 答案="√"), lambda q: q.answer is True),
        (row(题型="判断", 题干="对吗", 答案="×"), lambda q: q.answer is False),
        (row(题型="判断", 题干="对吗", 答案="T"), lambda q: q.answer is True),
        (row(题型="判断", 题干="对吗", 答案="f"), lambda q: q.answer is False),
        (row(题型="判断", 题干="对吗", 选项A="对", 选项B="错", 答案="B"), lambda q: q.answer is False),
        (row(题型="判断", 题干="对吗", 答案="A"), lambda q: q.answer is True),
        (
            row(题型="填空", 题干="首都____，简称____", 答案="北京|京;燕"),
            lambda q: q.blanks == (("北京",), ("京", "燕")) or q.blanks == ((BlankAnswer("北京"),), (BlankAnswer("京"), BlankAnswer("燕"))),
        ),
        (row(题型="填空", 题干="首都____", 答案="北京；%50%燕京"), lambda q: q.blanks == ((BlankAnswer("北京"), BlankAnswer("燕京", 50)),)),
        (row(题型="简答", 题干="谈谈", 答案="参考", 评分要点="要点"), lambda q: (q.reference_answer, q.rubric) == ("参考", "要点")),
        (row(题型="简答", 题干="谈谈"), lambda q: q.points == 500),
        (row(题型="单选", 题干="选", 选项A="甲", 选项B="乙", 答案="Ｂ", 难度="较难"), lambda q: (q.correct_response(), q.difficulty) == ("B", 4)),
        (row(题型="判断", 题干="对吗", 答案="对", 分值="2.5分"), lambda q: q.points == 250),
    ],
)  # fmt: skip
def test_answer_column_spellings(cells, check):
    result = parse_csv(csv_bytes(cells), "b.csv")
    assert result.issues == []
    assert check(result.questions[0])


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (row(题型="", 题干="x"), "题型不能为空"),
        (row(题型="匹配", 题干="x"), "未知题型：匹配"),
        (row(题型="单选", 题干="", 选项A="甲", 选项B="乙", 答案="A"), "题干不能为空"),
        (row(题型="单选", 题干="x", 选项A="甲", 选项B="乙", 答案="AB"), "单选题只能有一个正确答案"),
        (row(题型="单选", 题干="x", 选项A="甲", 选项B="乙", 答案=""), "答案不能为空"),
        (row(题型="单选", 题干="x", 选项A="甲", 选项B="乙", 答案="C"), "答案“C”不在选项中"),
        (row(题型="单选", 题干="x", 选项A="甲", 选项B="乙", 答案="甲"), "应为选项字母"),
        (row(题型="单选", 题干="x", 选项A="甲", 选项C="丙", 答案="A"), "选项B为空"),
        (row(题型="单选", 题干="x", 选项A="甲", 答案="A"), "至少需要两个选项"),
        (row(题型="多选", 题干="x", 选项A="甲", 选项B="乙", 答案=""), "答案不能为空"),
        (row(题型="判断", 题干="x", 答案="也许"), "判断题答案“也许”无法识别"),
        (row(题型="判断", 题干="x"), "答案不能为空"),
        (row(题型="填空", 题干="x____y____", 答案="甲"), "题干中有2个空，但给出了1组答案"),
        (row(题型="填空", 题干="x____", 答案=""), "答案不能为空"),
        (row(题型="填空", 题干="x____", 答案="%50%甲"), "至少要有一个满分"),
        (row(题型="判断", 题干="x", 答案="对", 难度="9"), "难度“9”不正确"),
        (row(题型="判断", 题干="x", 答案="对", 分值="1.234"), "最多保留两位小数"),
        (row(题型="判断", 题干="x", 答案="对", 分值="0"), "分值应大于0"),
        (row(编号="Q" * 61, 题型="判断", 题干="x", 答案="对"), "编号不能超过 60 个字符"),
        (row(题型="判断", 题干="x", 答案="对", 分类="辅警//法规"), ""),
    ],
)  # fmt: skip
def test_every_bad_row_is_reported_with_its_row_number(cells, message):
    good = row(题型="判断", 题干="好题", 答案="对")
    result = parse_csv(csv_bytes(good, cells, good), "b.csv")
    if not message:
        assert result.issues == []
        return
    assert [issue.line for issue in result.issues] == [3]
    assert result.issues[0].message.startswith("第3行：")
    assert message in result.issues[0].message
    assert len(result.questions) == 2


def test_the_same_rows_give_the_same_messages_from_excel():
    cells = row(题型="单选", 题干="x", 选项A="甲", 选项B="乙", 答案="AB")
    result = parse_xlsx(xlsx_bytes(row(题型="判断", 题干="好", 答案="对"), cells), "b.xlsx")
    assert [issue.message for issue in result.issues] == ["第3行：单选题只能有一个正确答案"]


def test_duplicate_ids_are_reported():
    cells = row(编号="Q1", 题型="判断", 题干="好", 答案="对")
    result = parse_csv(csv_bytes(cells, cells), "b.csv")
    assert [issue.message for issue in result.issues] == ["第3行：编号“Q1”与第2行重复"]


def test_headers_tolerate_spaces_order_and_missing_optional_columns():
    header = [
        " 题干 ",
        "题型",
        "选项 A",
        "选项Ｂ",
        "选项C",
        "选项D",
        "答案",
        "解析",
        "难度",
        "知识点",
        "分值",
        "法规依据",
    ]
    data = csv_bytes(["对吗？", "判断", "", "", "", "", "对", "", "", "", "", ""], header=header)
    (question,) = parse_csv(data, "b.csv").questions
    assert (question.stem, question.answer) == ("对吗？", True)


def test_missing_required_columns_raise_format_error_naming_them():
    with pytest.raises(FormatError, match="第1行：缺少必需的列：选项D、答案") as caught:
        parse_csv(csv_bytes(header=[h for h in HEADERS if h not in ("选项D", "答案")]), "b.csv")
    assert caught.value.issues[0].line == 1


def test_duplicate_headers_and_empty_files_raise_format_error():
    with pytest.raises(FormatError, match="表头“题干”重复"):
        parse_csv(csv_bytes(header=[*HEADERS, "题干"]), "b.csv")
    with pytest.raises(FormatError, match="文件是空的"):
        parse_csv(b"\n\n", "b.csv")


def test_blank_rows_are_skipped_but_still_counted():
    data = csv_bytes([""] * len(HEADERS), row(题型="判断", 题干="x", 答案="错误的写法"))
    assert [issue.message for issue in parse_csv(data, "b.csv").issues][0].startswith("第3行：")


def test_csv_falls_back_to_gb18030():
    data = csv_bytes(row(题型="判断", 题干="辅警可以单独执法。", 答案="错"), encoding="gb18030")
    assert parse_csv(data, "b.csv").questions[0].stem == "辅警可以单独执法。"


def test_csv_with_an_oversized_cell_raises_format_error():
    with pytest.raises(FormatError, match="CSV 格式错误"):
        parse_csv(csv_bytes(row(题型="判断", 题干="x" * 200_000, 答案="对")), "b.csv")


def test_csv_export_is_utf8_with_bom_and_guards_formulas():
    question = SingleChoice(stem="=HYPERLINK()", options=build_options(["-1", "@x"], [100, 0]))
    data = export_csv([question])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK()" in text and "'-1" in text
    assert parse_csv(data, "b.csv").questions == [question]


def test_xlsx_numbers_and_booleans_read_as_typed():
    cells = row(题型="判断", 题干="对吗", 答案="对")
    cells[HEADERS.index("难度")] = 3.0
    cells[HEADERS.index("分值")] = 1.5
    cells[HEADERS.index("编号")] = 1001
    (question,) = parse_xlsx(xlsx_bytes(cells), "b.xlsx").questions
    assert (question.difficulty, question.points, question.external_id) == (3, 150, "1001")
    cells = row(题型="判断", 题干="对吗")
    cells[HEADERS.index("答案")] = True
    assert parse_xlsx(xlsx_bytes(cells), "b.xlsx").questions[0].answer is True


def test_xlsx_text_starting_with_equals_stays_text():
    question = TrueFalse(stem="=1+1 是公式吗", answer=False)
    data = export_xlsx([question])
    assert parse_xlsx(data, "b.xlsx").questions == [question]
    assert load_workbook(io.BytesIO(data))["试题"]["D2"].data_type == "s"


@pytest.mark.parametrize("data", [b"not a zip", b"PK\x03\x04broken", "文本"])
def test_a_damaged_xlsx_raises_format_error(data):
    with pytest.raises(FormatError, match="Excel"):
        parse_xlsx(data, "b.xlsx")


@pytest.mark.parametrize(("parser", "maker"), [(parse_csv, csv_bytes), (parse_xlsx, xlsx_bytes)])
def test_table_parsers_report_progress(parser, maker):
    rows = [row(题型="判断", 题干=f"第{i}题", 答案="对") for i in range(450)]
    calls = []
    result = parser(maker(*rows), "b", progress=lambda done, total: calls.append((done, total)))
    assert len(result.questions) == 450
    assert calls[:2] == [(200, 451), (400, 451)]
    assert calls[-1] == (451, 451)


def test_table_exports_round_trip_all_types():
    questions = [
        MultipleChoice(
            stem="哪些",
            options=build_options(["甲", "乙", "丙"], [50, 50, -100]),
            category=("a", "b"),
        ),
        TrueFalse(stem="对吗", answer=True, difficulty=1, tags=("x", "y")),
        FillBlank(
            stem="____和____",
            blanks=((BlankAnswer("甲"), BlankAnswer("%9%乙")), (BlankAnswer("丙", 50), "丁")),
        ),
        Essay(stem="谈谈", reference_answer="参考", rubric="要点", points=1050, external_id="E1"),
    ]
    assert parse_csv(export_csv(questions), "b.csv").questions == questions
    assert parse_xlsx(export_xlsx(questions), "b.xlsx").questions == questions


def test_table_export_refuses_fill_answers_containing_separators():
    with pytest.raises(FormatError, match="CSV格式无法表示包含“|”或“;”的填空答案"):
        export_csv([FillBlank(stem="x", blanks=(("a|b",),))])


def test_template_has_header_examples_help_sheet_and_dropdowns():
    data = build_xlsx_template()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["试题", "填写说明"]
    sheet = workbook["试题"]
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    assert sheet.max_row == 3
    formulas = sorted(dv.formula1 for dv in sheet.data_validations.dataValidation)
    assert formulas == ['"1,2,3,4,5"', '"单选,多选,判断,填空,简答"']
    helped = {workbook["填写说明"].cell(row=r, column=1).value for r in range(2, len(HEADERS) + 2)}
    assert helped == set(HEADERS)
    result = parse_xlsx(data, "模板.xlsx")
    assert result.issues == []
    assert [q.external_id for q in result.questions] == ["示例1", "示例2"]
