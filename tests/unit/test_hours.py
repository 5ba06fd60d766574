"""学时 shown from stored tenths: one function for Python, the same as the `|hours` filter."""

from decimal import Decimal

import pytest

from app.hours import format_hours, hours_value


@pytest.mark.parametrize(("tenths", "shown"), [
    (0, "0.0"), (None, "0.0"), (5, "0.5"), (10, "1.0"), (15, "1.5"), (1234, "123.4"),
    (-5, "-0.5"), (-15, "-1.5"),  # reversals are negative: never "-2.5" from floor division
])
def test_tenths_show_as_hours_with_one_decimal(tenths, shown):
    assert format_hours(tenths) == shown


def test_hours_value_is_an_exact_decimal_for_number_fields():
    assert hours_value(25) == Decimal("2.5") and hours_value(None) == Decimal("0.0")


def test_templates_use_the_same_function_as_the_hours_filter(app):
    assert app.jinja_env.from_string("{{ -15|hours }} {{ x|hours }}").render(x=None) == "-1.5 0.0"
