"""The labelled code enums that statuses, kinds and levels are built on."""

import pytest

from app.codes import LabeledIntEnum, LabeledStrEnum


class Kind(LabeledStrEnum):
    REQUIRED = "required", "必修"
    ELECTIVE = "elective", "选修"


class Level(LabeledIntEnum):
    BASIC = 1, "初级"
    MIDDLE = 2, "中级"


def test_a_string_code_compares_and_formats_as_its_stored_value():
    assert Kind.REQUIRED == "required" and f"{Kind.ELECTIVE}" == "elective"
    assert Kind("elective") is Kind.ELECTIVE


def test_labels_come_from_one_map_in_declaration_order():
    assert Kind.labels() == {"required": "必修", "elective": "选修"}
    assert Kind.REQUIRED.label == "必修"
    assert Level.labels() == {1: "初级", 2: "中级"}


def test_a_label_maps_back_to_its_member_and_an_unknown_one_is_refused():
    assert Kind.from_label("选修") is Kind.ELECTIVE
    with pytest.raises(ValueError):
        Kind.from_label("其他")


def test_label_of_an_unknown_code_is_the_code_itself():
    assert Kind.label_of("elective") == "选修"
    assert Kind.label_of("legacy") == "legacy"


@pytest.mark.parametrize(("value", "member"), [
    ("elective", Kind.ELECTIVE), ("选修", Kind.ELECTIVE), ("", None), ("other", None), (None, None)])
def test_parse_takes_a_code_or_a_label_and_gives_none_otherwise(value, member):
    assert Kind.parse(value) is member


def test_levels_are_ordered_integers():
    assert Level.MIDDLE > Level.BASIC and Level(2).label == "中级" and Level.MIDDLE == 2
