"""GIFT import and export edge cases."""

import pytest

from question_bank.errors import FormatError
from question_bank.formats.gift import parse_gift
from question_bank.formats.gift_write import export_gift, gift_escape
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)


def parse_one(text):
    result = parse_gift(text, "t.gift")
    assert result.issues == []
    assert len(result.questions) == 1
    return result.questions[0]


def messages(text):
    return [issue.message for issue in parse_gift(text, "t.gift").issues]


def test_single_choice_with_feedback_and_title():
    question = parse_one("::Q1::颜色？{=黄 #对了 ~红 # 错了 ~蓝}")
    assert isinstance(question, SingleChoice)
    assert question.title == "Q1"
    assert question.stem == "颜色？"
    assert [(o.key, o.text, o.weight, o.feedback) for o in question.options] == [
        ("A", "黄", 100, "对了"),
        ("B", "红", 0, "错了"),
        ("C", "蓝", 0, ""),
    ]


def test_single_choice_keeps_partial_credit_for_wrong_options():
    question = parse_one("题{=甲 ~%50%乙 ~%-25%丙}")
    assert [o.weight for o in question.options] == [100, 50, -25]


def test_tilde_only_weights_make_a_multiple_choice():
    question = parse_one("题{~%50%甲 ~%50%乙 ~%-100%丙}")
    assert isinstance(question, MultipleChoice)
    assert [o.weight for o in question.options] == [50, 50, -100]


def test_fractional_weights_are_rounded_so_correct_ones_sum_to_100():
    question = parse_one("题{~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁}")
    assert [o.weight for o in question.options] == [34, 33, 33, -100]


def test_weights_that_do_not_add_up_are_reported_not_bent():
    assert messages("题{~%25%甲 ~%25%乙 ~丙}") == [
        "第1题（行1）：多选题正确选项的得分比例之和应为100%，当前为50%"
    ]


def test_two_equals_answers_are_reported_with_advice():
    assert "单选题只能有一个“=”正确答案" in messages("题{=甲 =乙 ~丙}")[0]


@pytest.mark.parametrize(
    ("block", "answer"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{false}", False)]
)
def test_true_false_spellings(block, answer):
    question = parse_one("地球是圆的。" + block)
    assert isinstance(question, TrueFalse)
    assert question.answer is answer


def test_true_false_feedback_goes_to_the_matching_response():
    question = parse_one("42 是答案。{TRUE#答错了#答对了####彩蛋}")
    assert (question.feedback_true, question.feedback_false, question.explanation) == (
        "答对了",
        "答错了",
        "彩蛋",
    )


def test_short_answer_becomes_a_one_blank_fill_with_weights():
    question = parse_one("最好的动物？{=青蛙#好 =%50%猫 =%0%*#不对}")
    assert isinstance(question, FillBlank)
    assert question.blanks == (
        (BlankAnswer("青蛙", 100, "好"), BlankAnswer("猫", 50, ""), BlankAnswer("*", 0, "不对")),
    )


def test_text_after_the_answers_makes_a_missing_word_blank():
    question = parse_one("我国首都是{=北京}，简称京。")
    assert question.stem == "我国首都是____，简称京。"
    assert question.grade(["北京"]).status == "correct"


def test_stray_punctuation_after_the_closing_brace_is_dropped():
    question = parse_one('42 是答案。{T}";')
    assert question.stem == "42 是答案。"


def test_empty_braces_make_an_essay_and_general_feedback_an_explanation():
    question = parse_one("::E::谈谈体会。{####言之有理即可}")
    assert isinstance(question, Essay)
    assert question.explanation == "言之有理即可"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("配对{=甲 -> 1 =乙 -> 2}", "暂不支持的题型：匹配题"),
        ("数值{#3:2}", "暂不支持的题型：数值题"),
        ("只是一段说明文字", "暂不支持的题型：描述（非试题）"),
        ("少了右括号{=甲 ~乙", "缺少右花括号"),
        ("少了左括号=甲 ~乙}", "缺少左花括号"),
        ("::没有结尾 题{T}", "题目名称缺少结尾的“::”"),
        ("题{=甲 ~乙} 又一个{T}", "一道题只能有一组答案花括号"),
        ("题{甲 ~乙}", "每个选项应以“=”"),
        ("题____和____{=甲}", "题干中有2个空，但给出了1组答案"),
        ("题{=%50%甲}", "至少要有一个满分"),
    ],
)
def test_broken_or_unsupported_questions_are_reported_with_number_and_line(text, message):
    (found,) = messages(text)
    assert found.startswith("第1题（行1）：")
    assert message in found


def test_one_bad_question_does_not_stop_the_rest():
    text = "// 注释\n::一::好题{T}\n\n配对{=甲 -> 1 =乙 -> 2}\n\n\n::三::也好{F}\n"
    result = parse_gift(text, "t.gift")
    assert [q.title for q in result.questions] == ["一", "三"]
    assert [(i.line, i.message) for i in result.issues] == [
        (4, "第2题（行4）：暂不支持的题型：匹配题")
    ]
    assert result.issues[0].filename == "t.gift"
    assert not result.ok


def test_escapes_are_unescaped():
    question = parse_one(r"a\=b \~c \#d \{e\} f\:g h\\i\nj{=x\#y ~z}")
    assert question.stem == "a=b ~c #d {e} f:g h\\i\nj"
    assert question.options[0].text == "x#y"


def test_format_markers_set_the_stem_format_and_are_stripped_from_answers():
    question = parse_one("[html]<b>粗体</b>{=[plain]甲#[html]好 ~[markdown]乙}")
    assert question.stem_format == "html"
    assert question.stem == "<b>粗体</b>"
    assert [(o.text, o.feedback) for o in question.options] == [("甲", "好"), ("乙", "")]


@pytest.mark.parametrize(
    ("marker", "fmt"), [("", "markdown"), ("[moodle]", "markdown"), ("[plain]", "plain")]
)
def test_unmarked_and_moodle_formats_read_as_markdown(marker, fmt):
    assert parse_one(marker + "题{T}").stem_format == fmt


def test_category_lines_switch_the_category_of_later_questions():
    text = (
        "一{T}\n\n$CATEGORY: $course$/top/辅警/交通法规\n\n二{T}\n$CATEGORY: $system$/综合\n三{F}\n"
    )
    result = parse_gift(text, "t.gift")
    assert [q.category for q in result.questions] == [(), ("辅警", "交通法规"), ("综合",)]


def test_comments_and_metadata_comments():
    text = (
        "// question: 1 name: 忽略\n// 编号: FJ-0001\n// 分值: 1.5\n// 难度: 4\n// 知识点: FJ-LAW, GEN-POL\n"
        "// 法规依据: 第一行\\n第二行\n// 标签: 甲，乙\n// 参考答案: 不适用于判断题\n题{T}"
    )
    question = parse_one(text)
    assert (question.external_id, question.points, question.difficulty) == ("FJ-0001", 150, 4)
    assert question.competencies == ("FJ-LAW", "GEN-POL")
    assert question.legal_basis == "第一行\n第二行"
    assert question.tags == ("甲", "乙")


def test_bad_metadata_is_reported():
    assert messages("// 难度: 9\n题{T}") == ["第1题（行2）：难度“9”不正确，应为1到5之间的整数"]


def test_multi_line_questions_crlf_bom_and_gb18030_bytes():
    text = "\ufeff::标题::\r\n下列说法正确的是？{\r\n  =甲\r\n  ~乙\r\n}\r\n"
    assert parse_gift(text.encode("utf-8"), "t").questions[0].title == "标题"
    assert (
        parse_gift(text.replace("\ufeff", "").encode("gb18030"), "t").questions[0].stem
        == "下列说法正确的是？"
    )


def test_undecodable_bytes_raise_format_error():
    with pytest.raises(FormatError, match="文件编码无法识别"):
        parse_gift(b"\xff\xfe\xfa\x80\x81", "t.gift")


def test_escape_covers_every_special_character():
    assert gift_escape("a\\b~c=d#e{f}g:h\ni") == "a\\\\b\\~c\\=d\\#e\\{f\\}g\\:h\\ni"


def test_export_writes_categories_metadata_and_reads_back():
    questions = [
        TrueFalse(stem="一", answer=True, category=("甲",), difficulty=2, competencies=("FJ-LAW",)),
        SingleChoice(stem="二", options=build_options(["x", "y"], [100, 0]), category=("甲",)),
        Essay(stem="三", reference_answer="要点\n第二行", rubric="每点1分", points=1000),
    ]
    text = export_gift(questions)
    assert text.count("$CATEGORY:") == 2
    assert (
        "// 知识点: FJ-LAW" in text
        and "// 难度: 2" in text
        and "// 参考答案: 要点\\n第二行" in text
    )
    assert parse_gift(text, "t").questions == questions


def test_export_protects_texts_that_look_like_weights_or_format_markers():
    question = SingleChoice(
        stem="[html]不是标记",
        options=build_options(["%50%甲", "[plain]乙"], [100, 0], ["", "[html]反馈"]),
    )
    assert parse_gift(export_gift([question]), "t").questions == [question]


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        (FillBlank(stem="____和____", blanks=(("a",), ("b",))), "无法表示含多个空的填空题"),
        (FillBlank(stem="箭头", blanks=(("a->b",),)), "无法表示包含“->”的填空答案"),
    ],
)
def test_export_refuses_what_gift_cannot_carry(question, reason):
    with pytest.raises(FormatError, match=reason) as caught:
        export_gift([TrueFalse(stem="好", answer=True), question])
    assert caught.value.issues[0].message.startswith("第2题：GIFT格式")
