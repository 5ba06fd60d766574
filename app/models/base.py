"""Column helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (how every column stores time)."""
    return datetime.now(UTC).replace(tzinfo=None)
