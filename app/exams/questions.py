"""Question versions as engine objects, parsed once per process.

A version's content never changes, so its stored JSON text is a safe key: the exam pages and the
grading read the text (`version_text`) and get the parsed, validated engine question from a cache
instead of rebuilding it for every slot of every paper.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import String, cast

from app.models import QuestionVersion
from question_bank import Question, question_from_dict
from question_bank.registry import get_type

version_text = cast(QuestionVersion.data, String)  # select this instead of `QuestionVersion.data`


@lru_cache(maxsize=20_000)
def question_of(text: str) -> Question:
    """The engine question of a version's stored JSON text."""
    return question_from_dict(json.loads(text))


@lru_cache(maxsize=20_000)
def public_of(text: str) -> dict:
    """What a trainee may see of a version (the engine's `public_from_stored`), from its JSON text."""
    data = json.loads(text)
    return get_type(data["type"]).public_from_stored(data)
