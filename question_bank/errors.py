"""Errors raised by the exam engine; every message is Simplified Chinese for the person who sees it."""

from __future__ import annotations

from dataclasses import dataclass


class QuestionBankError(Exception):
    """Base class of every error the exam engine raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidQuestion(QuestionBankError):
    """A question (or a value for one) breaks a rule; `field` names the offending field if known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownQuestionType(QuestionBankError):
    """A type code or label names no registered question type."""


@dataclass(frozen=True)
class Issue:
    """One problem found in an imported or exported file, located by line or row when known."""

    filename: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.filename}：{self.message}" if self.filename else self.message


class FormatError(QuestionBankError):
    """A whole file cannot be read or written; `issues` says why."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues = list(issues)
        super().__init__("；".join(str(issue) for issue in self.issues) or "文件格式错误")
