"""学时 shown from stored tenths (one function, the same as the `|hours` filter) and read from forms (one parser)."""

import pytest

from app.errors import DomainError
from app.hours import format_hours, parse_hours


@pytest.mark.parametrize(("tenths", "shown"), [
    (0, "0.0"), (None, "0.0"), (5, "0.5"), (10, "1.0"), (15, "1.5"), (1234, "123.4"),
    (-5, "-0.5"), (-15, "-1.5"),  # reversals are negative: never "-2.5" from floor division
])
def test_tenths_show_as_hours_with_one_decimal(tenths, shown):
    assert format_hours(tenths) == shown


def test_templates_use_the_same_function_as_the_hours_filter(app):
    assert app.jinja_env.from_string("{{ -15|hours }} {{ x|hours }}").render(x=None) == "-1.5 0.0"


@pytest.mark.parametrize(("text", "tenths"), [
    ("0", 0), ("2", 20), ("1.5", 15), (" 1.5 ", 15), ("1.50", 15), ("0.1", 1), ("007", 70), ("100", 1000),
    ("100.0", 1000),
])
def test_typed_hours_become_tenths(text, tenths):
    assert parse_hours(text, maximum=100) == tenths


@pytest.mark.parametrize("text", [
    None, "", " ", "abc", "NaN", "sNaN", "-NaN", "Infinity", "inf", "-0", "-1", "+1", "1e1", "1E1", "0x10", "1_0",
    "1,5", "1.", ".5", "0.25", "1.55", "100.1", "101", "9" * 400, "１．５", "１", "٣", "²", "1\x00", "1 5",
])
def test_anything_else_is_refused_in_chinese(text):
    with pytest.raises(DomainError, match="学时须为 0 到 100 之间的数，最多一位小数"):
        parse_hours(text, maximum=100)


def test_a_form_may_refuse_zero_and_set_its_own_maximum():
    assert parse_hours("0.1", maximum=1000, allow_zero=False) == 1
    assert parse_hours("1000", maximum=1000, allow_zero=False) == 10000
    for text in ("0", "0.0", "1000.1"):
        with pytest.raises(DomainError, match="学时须为大于 0、不超过 1000 的数"):
            parse_hours(text, maximum=1000, allow_zero=False)
