"""Regrading (重新评分): a fix to one question of an exam, applied to the stored answers.

An instructor fixes a question that turned out wrong after the exam, in one of four ways:

- `new_version` 改用新版本: grade against another version of the question (the bank's corrected
  one); the attempt keeps showing the version it showed. Only for an automatically graded type, and
  only when the new version has the same type and the same option keys (填空: the same number of blanks),
  so every stored response still means what it meant.
- `accept` 另认答案: another answer also counts. 单选: the chosen options earn full marks as the
  key does. 多选: choosing an accepted option or not is both right (the trainee's choice on it is
  read as the key's), so nobody loses. 判断: the other answer counts too. 填空: extra accepted texts
  per blank (full credit). Never lowers a score.
- `full_marks` 全部给满分: everyone earns the slot's points, answered or not, essays too.
- `drop` 不计入总分: the slot counts for nothing, in the score and in the maximum (status `dropped`).

Pure: `Adjustment` is built from the stored kind and data (`from_data`) plus, for a new version,
that version's engine question; `problem` says in Chinese why a fix does not fit a question;
`mark_item` grades one slot under a fix; `mark_paper` totals a paper as `marking.mark_paper` does.
A slot the engine leaves pending (an essay) keeps the score a person gave it (`kept`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from question_bank.base import Question
from question_bank.choice import ChoiceQuestion, MultipleChoice, SingleChoice
from question_bank.errors import QuestionBankError
from question_bank.fill import MAX_BLANK_CHARS, BlankAnswer, FillBlank
from question_bank.marking import PaperResult, mark, total
from question_bank.scoring import (
    DEFAULT_POLICY,
    GradingPolicy,
    Score,
    answers_match,
    normalise_text,
)
from question_bank.truefalse import TrueFalse

NEW_VERSION, ACCEPT, FULL_MARKS, DROP = "new_version", "accept", "full_marks", "drop"
KINDS = {NEW_VERSION: "改用新版本", ACCEPT: "另认答案", FULL_MARKS: "全部给满分", DROP: "不计入总分"}
ACCEPT_TYPES = ("single", "multiple", "truefalse", "fill")
GRADED_BY_PEOPLE = ("correct", "partial", "wrong")  # a stored status a marker may have set


class RegradeError(QuestionBankError):
    """A fix that cannot be read (the message is Chinese)."""


@dataclass(frozen=True)
class Adjustment:
    """One fix of one question; which fields matter depends on `kind`."""

    kind: str
    keys: frozenset[str] = frozenset()  # accept, 单选/多选: option keys (the question's own)
    answer: bool | None = None  # accept, 判断: the answer that counts too
    blanks: tuple[tuple[str, ...], ...] = ()  # accept, 填空: extra texts per blank
    version: Question | None = None  # new_version: the version graded against

    @classmethod
    def from_data(cls, kind: str, data: Mapping | None = None, version: Question | None = None) -> Adjustment:
        """Read a stored or submitted fix; RegradeError for a shape that cannot be one."""
        data = data or {}
        if kind not in KINDS:
            raise RegradeError("请选择调整方式。")
        if kind != ACCEPT:
            return cls(kind, version=version if kind == NEW_VERSION else None)
        keys = data.get("keys") or ()
        answer = data.get("answer")
        blanks = data.get("blanks") or ()
        if isinstance(keys, str) or not isinstance(keys, list | tuple | set | frozenset) \
                or not all(isinstance(key, str) for key in keys):
            raise RegradeError("另认的选项应为选项字母。")
        if answer is not None and not isinstance(answer, bool):
            raise RegradeError("判断题另认的答案应为“对”或“错”。")
        if isinstance(blanks, str) or not isinstance(blanks, list | tuple) or not all(
                isinstance(texts, list | tuple) and all(isinstance(t, str) for t in texts) for texts in blanks):
            raise RegradeError("填空题另认的答案应为每空的文字。")
        cleaned = tuple(tuple(dict.fromkeys(t.strip() for t in texts if t.strip())) for texts in blanks)
        return cls(kind, keys=frozenset(key.strip().upper() for key in keys), answer=answer, blanks=cleaned)

    def to_data(self) -> dict:
        """What is stored of the fix besides its kind (a new version is stored by the caller's id)."""
        if self.kind != ACCEPT:
            return {}
        if self.answer is not None:
            return {"answer": self.answer}
        if self.blanks:
            return {"blanks": [list(texts) for texts in self.blanks]}
        return {"keys": sorted(self.keys)}

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def problem(adjustment: Adjustment, question: Question) -> str | None:
    """Why the fix cannot apply to the question (the version the attempts showed), or None."""
    if adjustment.kind == NEW_VERSION:
        return _version_problem(adjustment.version, question)
    if adjustment.kind != ACCEPT:
        return None
    if question.code not in ACCEPT_TYPES:
        return f"{question.label}题不能另认答案，可以选择“全部给满分”或“不计入总分”。"
    if isinstance(question, ChoiceQuestion):
        return _keys_problem(adjustment.keys, question)
    if isinstance(question, TrueFalse):
        if adjustment.answer is None:
            return "请选择另认为正确的答案。"
        return "这本来就是正确答案。" if adjustment.answer == question.answer else None
    if isinstance(question, FillBlank):
        return _blanks_problem(adjustment.blanks, question)
    return None


def _version_problem(version: Question | None, question: Question) -> str | None:
    if version is None:
        return "题库中没有可以改用的新版本。"
    if not question.auto_graded:
        return f"{question.label}题由人工评分，改用新版本不会改变得分。"
    if version.code != question.code:
        return f"新版本的题型（{version.label}）与考试所用版本（{question.label}）不同，不能改用。"
    if isinstance(question, ChoiceQuestion) and \
            [o.key for o in version.options] != [o.key for o in question.options]:
        return "新版本的选项与考试所用版本不同（选项个数或字母不一致），考生的作答无法对应，不能改用。"
    if isinstance(question, FillBlank) and len(version.blanks) != len(question.blanks):
        return "新版本的空数与考试所用版本不同，考生的作答无法对应，不能改用。"
    if version.to_dict() == question.to_dict():
        return "新版本与考试所用版本内容相同，改用不会改变得分。"
    return None


def _keys_problem(keys: frozenset[str], question: ChoiceQuestion) -> str | None:
    if not keys:
        return "请选择另认为正确的选项。"
    unknown = sorted(key for key in keys if question.option(key) is None)
    if unknown:
        return f"本题没有选项{'、'.join(unknown)}。"
    if isinstance(question, SingleChoice) and question.correct_response() in keys:
        return f"选项{question.correct_response()}本来就是正确答案。"
    return None


def _blanks_problem(blanks: tuple[tuple[str, ...], ...], question: FillBlank) -> str | None:
    if len(blanks) != len(question.blanks):
        return f"本题有 {len(question.blanks)} 个空，请按空填写另认的答案。"
    if not any(blanks):
        return "请至少填写一个另认的答案。"
    for number, (texts, accepted) in enumerate(zip(blanks, question.blanks, strict=True), start=1):
        for text in texts:
            if len(text) > MAX_BLANK_CHARS:
                return f"第{number}空另认的答案不能超过 {MAX_BLANK_CHARS} 字。"
            if not normalise_text(text):
                return f"第{number}空另认的答案“{text}”只有标点或空白。"
            if any(a.weight == 100 and answers_match(a.text, text) for a in accepted):
                return f"第{number}空的“{text}”本来就是正确答案。"
    return None


def adjusted_question(question: Question, adjustment: Adjustment | None) -> Question:
    """The question a response is graded against under the fix (填空 with the extra answers)."""
    if adjustment is None:
        return question
    if adjustment.kind == NEW_VERSION and adjustment.version is not None:
        return adjustment.version
    if adjustment.kind == ACCEPT and isinstance(question, FillBlank) and len(adjustment.blanks) == len(question.blanks):
        blanks = tuple(blank + tuple(BlankAnswer(text) for text in extra)
                       for blank, extra in zip(question.blanks, adjustment.blanks, strict=True))
        return dataclasses.replace(question, blanks=blanks)
    return question


def _accepted_response(question: Question, response: object, adjustment: Adjustment) -> object:
    """The response read with the accepted answers counting as the key (choice and 判断)."""
    if isinstance(question, SingleChoice) and isinstance(response, str) \
            and response.strip().upper() in adjustment.keys:
        return question.correct_response()
    if isinstance(question, MultipleChoice) and isinstance(response, list | tuple) \
            and all(isinstance(key, str) for key in response):
        chosen = {key.strip().upper() for key in response}
        correct = question.correct_keys()
        return sorted((chosen - adjustment.keys) | (correct & adjustment.keys))
    if isinstance(question, TrueFalse) and isinstance(response, bool) and response == adjustment.answer:
        return question.answer
    return response


def mark_item(question: Question, response: object, points: int, policy: GradingPolicy = DEFAULT_POLICY,
              adjustment: Adjustment | None = None, kept: Score | None = None) -> Score:
    """One slot's score under a fix (None: as originally graded).

    `kept` is the stored score of the slot: when the engine leaves the slot pending but a person
    has graded it since (its status is one of GRADED_BY_PEOPLE), that grade stands.
    """
    if adjustment is not None and adjustment.kind == DROP:
        return Score.dropped()
    if adjustment is not None and adjustment.kind == FULL_MARKS:
        return Score(points, points, "correct")
    graded = adjusted_question(question, adjustment)
    score = mark(graded, response, points, policy)
    if adjustment is not None and adjustment.kind == ACCEPT and not isinstance(question, FillBlank):
        accepted = mark(question, _accepted_response(question, response, adjustment), points, policy)
        score = max(score, accepted, key=lambda s: s.earned)  # another answer counts too: never lower
    if score.status == "pending" and kept is not None and kept.status in GRADED_BY_PEOPLE:
        return kept
    return score


@dataclass(frozen=True)
class Slot:
    """One slot of a stored paper, for `mark_paper`."""

    question: Question  # the version the attempt showed
    response: object
    points: int  # the slot's points (units)
    adjustment: Adjustment | None = None
    kept: Score | None = None  # the stored score (manual grading), or None


def mark_paper(slots: Iterable[Slot], pass_percent: int, policy: GradingPolicy = DEFAULT_POLICY) -> PaperResult:
    """The paper's result with every fix applied (without fixes it equals `marking.mark_paper`)."""
    return total(tuple(mark_item(s.question, s.response, s.points, policy, s.adjustment, s.kept) for s in slots),
                 pass_percent)
