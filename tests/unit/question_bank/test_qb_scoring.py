"""Score units, scores, grading policies and answer normalisation."""

from decimal import Decimal
from fractions import Fraction

import pytest

from question_bank.errors import InvalidQuestion, QuestionBankError
from question_bank.scoring import (
    GradingPolicy,
    Score,
    answers_match,
    normalise_text,
    parse_number,
    points_to_units,
    scale_units,
    units_to_points,
)


@pytest.mark.parametrize(
    ("points", "units"),
    [
        ("1.5", 150),
        ("1", 100),
        ("0.25", 25),
        ("10.50", 1050),
        (" 2 ", 200),
        ("１．５", 150),
        (3, 300),
        (Decimal("0.01"), 1),
        ("0", 0),
    ],
)
def test_points_convert_to_hundredths(points, units):
    assert points_to_units(points) == units


@pytest.mark.parametrize("points", ["0.125", "abc", "", "1,5", "NaN", "Infinity"])
def test_points_that_are_not_a_two_decimal_number_are_refused_in_chinese(points):
    with pytest.raises(InvalidQuestion, match="分值"):
        points_to_units(points)


@pytest.mark.parametrize("points", [1.5, True])
def test_points_never_come_from_floats_or_bools(points):
    with pytest.raises(TypeError):
        points_to_units(points)


@pytest.mark.parametrize(
    ("units", "points"),
    [
        (150, "1.5"),
        (100, "1"),
        (125, "1.25"),
        (0, "0"),
        (5, "0.05"),
        (-50, "-0.5"),
        (100000, "1000"),
    ],
)
def test_units_render_as_points_without_trailing_zeros(units, points):
    assert units_to_points(units) == points


@pytest.mark.parametrize(
    ("units", "fraction", "expected"),
    [
        (100, Fraction(1, 2), 50),
        (100, Fraction(1, 3), 33),
        (200, Fraction(1, 3), 67),
        (1, Fraction(1, 2), 1),
        (100, Fraction(-1, 3), -33),
        (1, Fraction(-1, 2), -1),
        (300, Fraction(0), 0),
    ],
)
def test_scaling_rounds_half_away_from_zero(units, fraction, expected):
    assert scale_units(units, fraction) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (Fraction(1), Score(200, 200, "correct")),
        (Fraction(1, 2), Score(100, 200, "partial")),
        (Fraction(0), Score(0, 200, "wrong")),
        (Fraction(-1, 2), Score(-100, 200, "wrong")),
        (Fraction(3, 2), Score(200, 200, "correct")),
    ],
)
def test_score_status_follows_the_fraction_earned(fraction, expected):
    assert Score.of(200, fraction) == expected


def test_pending_and_wrong_scores_earn_nothing():
    assert Score.pending(500) == Score(0, 500, "pending")
    assert Score.wrong(100) == Score(0, 100, "wrong")


@pytest.mark.parametrize(
    ("earned", "possible", "status"), [(101, 100, "correct"), (0, -1, "wrong"), (0, 100, "great")]
)
def test_impossible_scores_are_refused(earned, possible, status):
    with pytest.raises(QuestionBankError):
        Score(earned, possible, status)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"multi": "most"},
        {"partial_fraction_percent": 101},
        {"partial_fraction_percent": -1},
        {"partial_fraction_percent": 0.5},
    ],
)
def test_bad_grading_policies_are_refused_in_chinese(kwargs):
    with pytest.raises(QuestionBankError, match="[\u4e00-\u9fff]"):
        GradingPolicy(**kwargs)


@pytest.mark.parametrize(
    ("allow_negative", "percent", "expected"),
    [
        (False, -50, Fraction(0)),
        (True, -50, Fraction(-1, 2)),
        (True, -250, Fraction(-1)),
        (False, 150, Fraction(1)),
    ],
)
def test_policies_clamp_summed_weights(allow_negative, percent, expected):
    assert GradingPolicy(allow_negative=allow_negative).clamp_percent(percent) == expected


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ＡＢＣ", "abc"),
        ("  Hello   World  ", "hello world"),
        ("道路 交通 安全法", "道路交通安全法"),
        ("第 38 条", "第38条"),
        ("北京。", "北京"),
        ("北京！！", "北京"),
        ("答案；", "答案"),
        ("是的、", "是的"),
        ("yes.", "yes"),
        ("Why?", "why"),
        ("a\tb\nc", "a b c"),
        ("\u3000北京\u3000", "北京"),
        ("Straße", "strasse"),
        ("１２３", "123"),
        ("。", ""),
    ],
)
def test_normalisation_folds_width_space_punctuation_and_case(raw, normalised):
    assert normalise_text(raw) == normalised


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0.5", Decimal("0.5")),
        ("0.50", Decimal("0.5")),
        (".5", Decimal("0.5")),
        ("1,000", Decimal(1000)),
        ("1,234,567.8", Decimal("1234567.8")),
        ("-3", Decimal(-3)),
        ("+7", Decimal(7)),
    ],
)
def test_numbers_are_recognised(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["1,00", "abc", "1.2.3", "", "1e3", "12,34"])
def test_non_numbers_are_not_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("expected", "given", "match"),
    [
        ("0.5", "0.50", True),
        ("0.5", "０．５", True),
        ("1000", "1,000", True),
        ("1000", "1，000", True),
        ("3", "3.0", True),
        ("3", "3。", True),
        ("3", "4", False),
        ("3", "三", False),
        ("北京", "北 京", True),
        ("Beijing", "BEIJING.", True),
        ("北京", "", False),
        ("。", "", False),
        ("机动车", "非机动车", False),
    ],
)
def test_answers_match_after_normalisation_and_numerically(expected, given, match):
    assert answers_match(expected, given) is match
