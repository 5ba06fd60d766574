"""学时 (credit hours) are stored as whole tenths (`credit_tenths`, `tenths`); this reads and shows them.

Templates use the `|hours` filter, Python (exports, messages, form defaults) `format_hours`. Hours
typed into a form are read by `parse_hours` only (the class form, the course form).
"""

from __future__ import annotations

import re

from app.errors import DomainError

# ASCII digits only (re.ASCII: `\d` would take ٣ or ５), at most one decimal ("1.50" is 1.5).
# No sign, exponent, NaN, Infinity, "_" or "," — everything Decimal() or float() would also take.
_HOURS = re.compile(r"(\d{1,6})(?:\.(\d)0*)?", re.ASCII)


def parse_hours(text: str | None, *, maximum: int, allow_zero: bool = True) -> int:
    """Return hours typed into a form as tenths: "1.5" -> 15; raise DomainError (Chinese) otherwise.

    Accepted: 0 (or, without `allow_zero`, 0.1) to `maximum` hours with at most one decimal, in ASCII
    digits, blanks around allowed.
    """
    match = _HOURS.fullmatch((text or "").strip())
    tenths = int(match[1]) * 10 + int(match[2] or 0) if match else -1
    if tenths < (0 if allow_zero else 1) or tenths > maximum * 10:
        rule = f" 0 到 {maximum} 之间的数" if allow_zero else f"大于 0、不超过 {maximum} 的数"
        raise DomainError(f"学时须为{rule}，最多一位小数，用半角数字填写（如 2 或 1.5）。")
    return tenths


def format_hours(tenths: int | None) -> str:
    """Return tenths of 学时 as hours with one decimal: 15 -> "1.5", -5 -> "-0.5", None -> "0.0"."""
    tenths = tenths or 0
    whole, tenth = divmod(abs(tenths), 10)
    return f"{'-' if tenths < 0 else ''}{whole}.{tenth}"

