"""question_bank stays pure: it imports nothing from the web stack or the app."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "question_bank"
FORBIDDEN = ("flask", "sqlalchemy", "celery", "app", "werkzeug", "jinja2")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def is_forbidden(module):
    top = module.split(".")[0]
    return top in FORBIDDEN or top.startswith("flask_")


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_sources_to_check():
    assert len(SOURCES) >= 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_question_bank_module_imports_no_web_stack(path):
    bad = sorted(module for module in imported_modules(path) if is_forbidden(module))
    assert bad == [], f"{path} imports {bad}"


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("flask", True),
        ("flask_login.utils", True),
        ("sqlalchemy.orm", True),
        ("celery", True),
        ("app.models", True),
        ("werkzeug", True),
        ("jinja2", True),
        ("application", False),
        ("openpyxl", False),
        ("question_bank.types", False),
    ],
)
def test_the_check_recognises_forbidden_modules(module, forbidden):
    assert is_forbidden(module) is forbidden
