"""The shared readers of typed ids, the `next` check and the control-character message."""

import pytest

from app.formkit import ID_MAX, as_id, control_character_problem, ids, local_path, optional_int


def test_ids_keep_only_whole_positive_ascii_numbers_within_the_database_integers_once_each():
    typed = ["3", " 7 ", "²", "٣", "５", "-1", "0", "1e3", "1.5", "0x1f", "1_000", "", "abc", str(ID_MAX),
             str(ID_MAX + 1), "1" + "0" * 40, "3"]
    assert ids(typed) == [3, 7, ID_MAX]


@pytest.mark.parametrize("text", ["²", "-2", "0", "", None, "9223372036854775808", "12a"])
def test_as_id_refuses_what_is_not_an_id(text):
    assert as_id(text) is None


def test_optional_int_keeps_zero_and_signs_but_not_other_digits_or_huge_numbers():
    assert [optional_int(v) for v in ("0", "-3", "+4", " 5 ", 6)] == [0, -3, 4, 5, 6]
    assert [optional_int(v) for v in ("²", "٣", "", None, "1e3", str(2**63), 2**63, True)] == [None] * 8


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example",
                                    "/\t/evil.example", "/\n/evil.example", "/a\x00b", "evil.example", "javascript:alert(1)",
                                    "", None, " /bank/"])
def test_local_path_sends_anything_off_site_to_the_default(target):
    assert local_path(target, "/home") == "/home"
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/bank/?page=2&status=ready", "/bank/questions/3#history", "/a:b"])
def test_local_path_keeps_a_path_of_this_site(target):
    assert local_path(target, "/home") == target


def test_the_control_character_message_shows_where_in_chinese_and_never_echoes_a_password():
    message = control_character_problem("title", "路面执勤要点\x00第二段很长很长的文字")
    assert "控制字符" in message and "“路面执勤要点□第二段很长很长的…”" in message
    assert control_character_problem("title", "第一行\r\n\t第二行") is None
    assert "秘密" not in control_character_problem("password", "秘密\x01", echo=False)
