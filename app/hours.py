"""学时 (credit hours) are stored as whole tenths (`credit_tenths`, `tenths`); this shows them.

Templates use the `|hours` filter, Python (exports, messages, form defaults) `format_hours`.
"""

from __future__ import annotations

from decimal import Decimal


def format_hours(tenths: int | None) -> str:
    """Return tenths of 学时 as hours with one decimal: 15 -> "1.5", -5 -> "-0.5", None -> "0.0"."""
    tenths = tenths or 0
    whole, tenth = divmod(abs(tenths), 10)
    return f"{'-' if tenths < 0 else ''}{whole}.{tenth}"


def hours_value(tenths: int | None) -> Decimal:
    """Return tenths of 学时 as an exact Decimal number of hours (for number fields)."""
    return Decimal(format_hours(tenths))
