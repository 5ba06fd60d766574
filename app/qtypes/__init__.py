"""Per-type web adapters beside `question_bank`'s type registry (STYLE habit 19).

`adapter_for(code)` returns the adapter of an engine type: form values → engine response, the
editor's fields, and the partial templates that show a question for answering, a graded answer,
and the answer key. The editor, the lesson quiz and (later) the exam pages use only these, so
adding a question type means one engine class in `question_bank/` and one adapter module here
(with its partials under templates/qtypes/), nothing else.
"""

from flask import Flask

from app.qtypes import essay, fill, multiple, single, truefalse  # noqa: F401 - each registers its adapter
from app.qtypes.base import (
    ScoreStatus,
    TypeAdapter,
    UnknownAdapter,
    adapter_for,
    all_adapters,
    register_adapter,
)

__all__ = ["ScoreStatus", "TypeAdapter", "UnknownAdapter", "adapter_for", "all_adapters", "init_app",
           "register_adapter"]


def init_app(app: Flask) -> None:
    """Let templates find an adapter, `qtype_adapter(code)`, and label a score status, `score_label(status)`."""
    app.add_template_global(adapter_for, "qtype_adapter")
    app.add_template_global(ScoreStatus.label_of, "score_label")
