"""The years a typed date or time may name (clock.TYPED_DATES)."""

from datetime import date, datetime

import pytest

from app.clock import typed_date_problem


@pytest.mark.parametrize("value", [None, date(1900, 1, 1), date(2099, 12, 31), datetime(2026, 5, 1, 9, 0),
                                   datetime(2099, 12, 31, 23, 59)])
def test_dates_from_1900_to_2099_and_no_date_pass(value):
    assert typed_date_problem(value, "开始时间") is None


@pytest.mark.parametrize("value", [date(1, 1, 1), date(1899, 12, 31), date(2100, 1, 1), datetime(9999, 12, 31, 23, 59)])
def test_dates_outside_are_named_with_the_field(value):
    assert typed_date_problem(value, "入职日期") == "入职日期应在 1900 年到 2099 年之间"
