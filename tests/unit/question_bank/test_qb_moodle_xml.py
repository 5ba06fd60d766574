"""Moodle XML import and export edge cases."""

import base64

import pytest

from question_bank.errors import FormatError
from question_bank.formats.moodle_xml import parse_moodle_xml
from question_bank.formats.moodle_xml_write import export_moodle_xml
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)

PNG = base64.b64encode(b"\x89PNG fake image").decode()


def quiz(*questions):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def multichoice(single="true", answers=(("100", "甲"), ("0", "乙")), extra=""):
    body = "".join(
        f'<answer fraction="{fraction}"><text>{text}</text><feedback><text>反馈{text}</text></feedback></answer>'
        for fraction, text in answers
    )
    return (
        '<question type="multichoice"><name><text>名称</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>哪个对？</p>]]></text></questiontext>'
        f"<defaultgrade>2.5000000</defaultgrade><idnumber>X-1</idnumber><single>{single}</single>{body}{extra}"
        "</question>"
    )


def parse_ok(text):
    result = parse_moodle_xml(text, "q.xml")
    assert result.issues == []
    return result.questions


def test_single_multichoice_with_cdata_html_grade_and_feedback():
    (question,) = parse_ok(quiz(multichoice()))
    assert isinstance(question, SingleChoice)
    assert (question.stem, question.stem_format, question.title) == (
        "<p>哪个对？</p>",
        "html",
        "名称",
    )
    assert (question.points, question.external_id) == (250, "X-1")
    assert [(o.text, o.weight, o.feedback) for o in question.options] == [
        ("甲", 100, "反馈甲"),
        ("乙", 0, "反馈乙"),
    ]


def test_multi_response_fractions_become_rounded_weights():
    answers = (("33.33333", "甲"), ("33.33333", "乙"), ("33.33333", "丙"), ("-100", "丁"))
    (question,) = parse_ok(quiz(multichoice("false", answers)))
    assert isinstance(question, MultipleChoice)
    assert [o.weight for o in question.options] == [34, 33, 33, -100]


def test_shortanswer_becomes_a_one_blank_fill():
    xml = (
        '<question type="shortanswer"><questiontext format="plain_text"><text>首都？</text></questiontext>'
        "<usecase>0</usecase>"
        '<answer fraction="100"><text>北京</text><feedback><text>对</text></feedback></answer>'
        '<answer fraction="50"><text>京</text></answer></question>'
    )
    (question,) = parse_ok(quiz(xml))
    assert isinstance(question, FillBlank)
    assert question.stem_format == "plain"
    assert question.blanks == ((BlankAnswer("北京", 100, "对"), BlankAnswer("京", 50)),)


def test_truefalse_reads_the_answer_from_the_true_fraction():
    xml = (
        '<question type="truefalse"><questiontext><text>错的</text></questiontext>'
        '<answer fraction="0"><text>true</text><feedback><text>不对哦</text></feedback></answer>'
        '<answer fraction="100"><text>false</text><feedback><text>对了</text></feedback></answer></question>'
    )
    (question,) = parse_ok(quiz(xml))
    assert (question.answer, question.feedback_true, question.feedback_false) == (
        False,
        "不对哦",
        "对了",
    )


def test_essay_grader_info_becomes_the_rubric():
    xml = (
        '<question type="essay"><questiontext format="moodle_auto_format"><text>谈谈</text></questiontext>'
        '<graderinfo format="html"><text>每点2分</text></graderinfo></question>'
    )
    (question,) = parse_ok(quiz(xml))
    assert isinstance(question, Essay)
    assert (question.rubric, question.stem_format) == ("每点2分", "markdown")


def test_embedded_files_are_kept_as_attachments():
    extra = f'<generalfeedback><text>见图</text><file name="b.png" encoding="base64">{PNG}</file></generalfeedback>'
    (question,) = parse_ok(quiz(multichoice(extra=extra)))
    assert question.attachments == (("b.png", PNG),)


def test_a_broken_attachment_is_reported_and_skips_only_that_question():
    extra = '<generalfeedback><file name="bad.png" encoding="base64">不是base64!</file></generalfeedback>'
    result = parse_moodle_xml(quiz(multichoice(extra=extra), multichoice()), "q.xml")
    assert [issue.message for issue in result.issues] == [
        "第1题（行3）：附件“bad.png”不是有效的 base64 数据"
    ]
    assert len(result.questions) == 1


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("matching", "匹配题"),
        ("numerical", "数值题"),
        ("multianswer", "完形填空（Cloze）题"),
        ("calculated", "计算题"),
        ("ddwtos", "拖放填空题"),
        ("description", "描述（非试题）"),
        ("mystery", "mystery"),
    ],
)
def test_unsupported_types_are_reported_per_question_with_their_line(kind, label):
    xml = quiz(
        multichoice(),
        f'<question type="{kind}"><questiontext><text>x</text></questiontext></question>',
    )
    result = parse_moodle_xml(xml, "q.xml")
    assert [issue.message for issue in result.issues] == [f"第2题（行4）：暂不支持的题型：{label}"]
    assert [issue.line for issue in result.issues] == [4]
    assert len(result.questions) == 1


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("$course$/Iota/Kappa", ("Iota", "Kappa")),
        ("$course$/top/Iota", ("Iota",)),
        ("$system$/top/综合/法规", ("综合", "法规")),
        ("top/甲", ("甲",)),
        ("$course$/a//b/c", ("a／b", "c")),
    ],
)
def test_category_paths_drop_the_context_and_top_prefix(path, category):
    xml = quiz(
        f'<question type="category"><category><text>{path}</text></category></question>',
        multichoice(),
    )
    assert parse_ok(xml)[0].category == category


def test_our_extension_element_carries_platform_fields():
    extra = (
        "<xunlian><difficulty>4</difficulty><competency>FJ-LAW</competency><competency>GEN-POL</competency>"
        "<legal_basis>第五十二条</legal_basis><reference_answer>只用于简答</reference_answer></xunlian>"
        "<tags><tag><text>故障</text></tag></tags>"
    )
    (question,) = parse_ok(quiz(multichoice(extra=extra)))
    assert (question.difficulty, question.competencies, question.legal_basis) == (
        4,
        ("FJ-LAW", "GEN-POL"),
        "第五十二条",
    )
    assert question.tags == ("故障",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<quiz><question></quiz>", "第1行：XML 格式错误"),
        ("<quiz>\n<question type='essay'>\n</quiz>", "第3行：XML 格式错误"),
        ("<root/>", "根元素应为 <quiz>"),
        ("", "XML 格式错误"),
    ],
)
def test_malformed_files_raise_format_error_with_a_line(text, message):
    with pytest.raises(FormatError, match=message):
        parse_moodle_xml(text, "q.xml")


def test_entity_bombs_and_external_entities_are_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'
    external = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>'
    for text in (bomb, external):
        with pytest.raises(FormatError, match="出于安全原因拒绝导入"):
            parse_moodle_xml(text.encode(), "q.xml")


def test_bad_numbers_are_reported():
    bad_grade = multichoice().replace("2.5000000", "lots")
    bad_fraction = multichoice(answers=(("100", "甲"), ("x", "乙")))
    result = parse_moodle_xml(quiz(bad_grade, bad_fraction), "q.xml")
    assert [issue.message.split("：", 1)[1] for issue in result.issues] == [
        "分值“lots”不是有效的数字",
        "得分比例“x”不是有效的数字",
    ]


def test_export_reimports_identically_with_everything_moodle_and_we_carry():
    questions = [
        SingleChoice(
            stem="<p>a & b < c</p>",
            stem_format="html",
            options=build_options(["甲", "乙"], [100, -50], ["好", ""]),
            points=150,
            title="名称",
            external_id="X-1",
            tags=("t",),
            category=("甲", "乙"),
            attachments=(("a.png", PNG),),
            explanation="解析",
            difficulty=2,
            competencies=("FJ-LAW",),
            legal_basis="依据",
        ),
        TrueFalse(stem="对吗", answer=False, feedback_true="错啦", category=("甲", "乙")),
        FillBlank(
            stem="填____",
            blanks=((BlankAnswer("x"), BlankAnswer("y", 50, "差一点")),),
            stem_format="plain",
        ),
        Essay(stem="谈谈", rubric="要点", reference_answer="参考"),
    ]
    text = export_moodle_xml(questions)
    assert text.count('type="category"') == 2
    assert parse_ok(text) == questions


def test_export_refuses_fill_with_several_blanks():
    with pytest.raises(FormatError, match="Moodle XML格式无法表示含多个空的填空题"):
        export_moodle_xml([FillBlank(stem="____和____", blanks=(("a",), ("b",)))])
