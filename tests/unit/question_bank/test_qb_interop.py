"""Real Moodle fixture files (../shared/interop/moodle beside the repository) import as expected."""

import pytest

from question_bank.formats import detect_format, export, parse
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
)
from tests.paths import MOODLE_FIXTURES, needs_moodle_fixtures

INTEROP = MOODLE_FIXTURES
pytestmark = needs_moodle_fixtures


def read(name):
    data = (INTEROP / name).read_bytes()
    return parse(detect_format(name, data), data, name)


def gift_by_title():
    return {q.title: q for q in read("questions.gift.txt").questions}


def test_gift_fixture_imports_every_supported_question_in_order():
    titles = [q.title for q in read("questions.gift.txt").questions]
    assert titles == ["Q8", "Q2", "colours", "Shortanswer", "Q1", "2-08 TSL", "2-08 TSL"]


def test_gift_fixture_empty_braces_import_as_an_essay():
    essay = gift_by_title()["Q8"]
    assert isinstance(essay, Essay)
    assert essay.stem == "How are you?"


def test_gift_fixture_single_choice_keeps_feedback_and_drops_format_markers():
    q2 = gift_by_title()["Q2"]
    assert isinstance(q2, SingleChoice)
    assert [(o.text, o.weight, o.feedback) for o in q2.options] == [
        ("yellow", 100, "right; good!"),
        ("red", 0, "wrong, it's yellow"),
        ("blue", 0, "wrong, it's yellow"),
    ]


def test_gift_fixture_multiple_choice_keeps_its_weights():
    colours = gift_by_title()["colours"]
    assert isinstance(colours, MultipleChoice)
    assert [(o.text, o.weight) for o in colours.options] == [
        ("yellow", 50),
        ("red", -100),
        ("off-beige", 50),
        ("blue", -100),
    ]


def test_gift_fixture_short_answer_keeps_weights_and_the_wildcard_answer():
    short = gift_by_title()["Shortanswer"]
    assert isinstance(short, FillBlank)
    assert short.blanks == (
        (
            BlankAnswer("Frog", 100, "Good!"),
            BlankAnswer("Cat", 50, "What is it with Moodlers and cats?"),
            BlankAnswer("*", 0, "Completely wrong"),
        ),
    )


def test_gift_fixture_true_false_keeps_feedback_and_general_feedback():
    by_title = gift_by_title()
    q1 = by_title["Q1"]
    assert isinstance(q1, TrueFalse)
    assert (q1.answer, q1.stem) == (False, "42 is the Absolute Answer to everything.")
    assert (q1.feedback_true, q1.feedback_false) == (
        "42 is the Ultimate Answer.",
        "You gave the right answer.",
    )
    assert q1.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert by_title["2-08 TSL"].answer is True


def test_gift_fixture_reports_matching_and_numeric_questions_with_their_lines():
    result = read("questions.gift.txt")
    assert [(i.line, i.message) for i in result.issues] == [
        (5, "第2题（行5）：暂不支持的题型：匹配题"),
        (31, "第5题（行31）：暂不支持的题型：数值题"),
    ]


def test_gift_category_fixture_switches_category_and_unescapes_html_stems():
    result = read("questions_in_category.gift.txt")
    assert [i.message for i in result.issues] == ["第1题（行5）：暂不支持的题型：匹配题"]
    greeting, user, acronym = result.questions
    assert {q.category for q in result.questions} == {("Default for New Features",)}
    assert greeting.stem_format == "html"
    assert greeting.stem == (
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
        "<br /><br />What language is being spoken?"
    )
    assert greeting.correct_response() == "B"
    assert user.blanks == ((BlankAnswer("Moodler", 100),),)
    assert acronym.answer is True
    assert '<span style="font-style: italic;">' in acronym.stem


def test_aiken_fixture_imports_both_questions_with_html_like_text_as_plain():
    result = read("questions.aiken.txt")
    assert result.issues == []
    first, second = result.questions
    assert first.correct_response() == "B"
    assert first.options[1].text == "Martin Dougiamas"
    assert (
        second.stem
        == 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    )
    assert second.stem_format == "plain"
    assert second.correct_response() == "A"


def test_aiken_error_fixture_yields_its_good_questions_and_one_message_per_broken_block():
    result = read("aiken_errors.txt")
    assert [q.stem for q in result.questions] == ["A good question", "A second good question"]
    assert [o.text for o in result.questions[1].options] == [
        "Incorrect (No space)",
        "Correct (No space)",
    ]
    assert result.questions[1].correct_response() == "B"
    assert [(i.line, i.message) for i in result.issues] == [
        (1, "第1题（行1）：至少需要两个选项"),
        (5, "第5行：选项前缺少题干"),
        (7, "第7行：答案行前缺少题干和选项"),
        (14, "第3题（行14）：缺少答案行（如“ANSWER: B”或“答案：B”）"),
    ]


def test_moodle_xml_fixture_builds_the_category_tree():
    result = read("nested_categories_with_questions.xml")
    assert result.issues == []
    assert [(q.title, q.category) for q in result.questions] == [
        ("Iota Question", ("Iota",)),
        ("Kappa Essay Question", ("Iota", "Kappa")),
        ("Kappa Question", ("Iota", "Kappa")),
        ("Lambda Question", ("Iota", "Kappa", "Lambda")),
        ("Mu Question", ("Iota", "Mu")),
    ]
    assert all(q.answer is True for q in result.questions if isinstance(q, TrueFalse))
    assert result.questions[0].stem == "<p>Testing Iota Question</p>"
    assert isinstance(result.questions[1], Essay)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("questions.gift.txt", "gift"),
        ("questions_in_category.gift.txt", "gift"),
        ("questions.aiken.txt", "aiken"),
        ("aiken_errors.txt", "aiken"),
        ("nested_categories_with_questions.xml", "moodle-xml"),
    ],
)
def test_fixtures_survive_our_export_and_reimport(name, fmt):
    questions = read(name).questions
    again = parse(fmt, export(fmt, questions), name)
    assert again.issues == []
    assert [q.to_dict() for q in again.questions] == [q.to_dict() for q in questions]
