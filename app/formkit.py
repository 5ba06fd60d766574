"""Small helpers shared by the areas' forms."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value) -> int | None:
    """Coerce a select's value to an int, or None for an empty or bad one (the service then says why)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
