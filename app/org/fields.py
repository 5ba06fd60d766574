"""The rules for a person's typed fields, one set for the person form and the roster import.

Each check takes stripped text and returns the problems found, in the wording both places show.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from app import clock

STAFF_NO_MAX = 40
NAME_MAX = 50
PHONE_MAX = 30
EMAIL_MAX = 254

STAFF_NO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # matched whole (fullmatch)
PHONE_RE = re.compile(r"1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}")  # a mobile, or a landline with its area code
# An address a mail server takes: ASCII, one @, a dotted domain (no spaces, quotes or angle brackets).
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# Control, format, separator and unassigned characters: invisible, or breaking lines and storage.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def shorten(text: str, limit: int = 30) -> str:
    """Quote at most `limit` characters of what someone typed in a message."""
    return text if len(text) <= limit else text[:limit] + "…"


def has_hidden_characters(text: str) -> bool:
    """Return whether text holds a control or other invisible character (NUL included)."""
    return any(unicodedata.category(char) in _HIDDEN for char in text)


def staff_no_problems(staff_no: str) -> list[str]:
    if not staff_no:
        return ["工号不能为空"]
    if len(staff_no) > STAFF_NO_MAX:
        return [f"工号不能超过 {STAFF_NO_MAX} 个字符"]
    if not STAFF_NO_RE.fullmatch(staff_no):
        return [f"工号“{shorten(staff_no)}”只能由字母、数字和 . _ - 组成，并以字母或数字开头"]
    return []


def name_problems(name: str) -> list[str]:
    if not name:
        return ["姓名不能为空"]
    if len(name) > NAME_MAX:
        return [f"姓名不能超过 {NAME_MAX} 个字"]
    if has_hidden_characters(name):
        return ["姓名中含有不可见的控制字符，请重新输入"]
    return []


def phone_problems(phone: str) -> list[str]:
    if phone and (len(phone) > PHONE_MAX or not PHONE_RE.fullmatch(phone)):
        return [f"手机号码“{shorten(phone)}”格式不正确（11 位手机号，或带区号的固定电话）"]
    return []


def email_problems(email: str) -> list[str]:
    if email and (len(email) > EMAIL_MAX or not EMAIL_RE.fullmatch(email)):
        return [f"电子邮箱“{shorten(email)}”格式不正确（如 zhangsan@example.com）"]
    return []


def joined_on_problems(joined_on: date | None) -> list[str]:
    problem = clock.typed_date_problem(joined_on, "入职日期")
    return [problem] if problem else []


def person_field_problems(*, staff_no: str, name: str, phone: str, email: str = "") -> list[str]:
    """Check a person's staff number, name, phone and e-mail (stripped); return every problem found."""
    return staff_no_problems(staff_no) + name_problems(name) + phone_problems(phone) + email_problems(email)
