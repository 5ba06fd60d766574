"""The common shape of every question type: fields, cleaning, validation, JSON and fingerprints."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from question_bank.errors import InvalidQuestion
from question_bank.scoring import DEFAULT_POLICY, GradingPolicy, Score, normalise_text

STEM_FORMATS = ("markdown", "html", "plain")
MAX_POINTS = 100_000  # 1,000 points, in units
EXTERNAL_ID_MAX = 60  # characters of an 编号 (the bank stores it in a column of this width)
FIELD_LABELS = {
    "stem": "题干",
    "stem_format": "题干格式",
    "points": "分值",
    "explanation": "解析",
    "difficulty": "难度",
    "competencies": "知识点",
    "legal_basis": "法规依据",
    "tags": "标签",
    "category": "分类",
    "title": "标题",
    "external_id": "编号",
    "attachments": "附件",
    "options": "选项",
    "answer": "答案",
    "feedback_true": "答“对”时的反馈",
    "feedback_false": "答“错”时的反馈",
    "blanks": "填空答案",
    "reference_answer": "参考答案",
    "rubric": "评分要点",
}
_COMMON_TEXT = ("stem", "stem_format", "explanation", "legal_basis", "title", "external_id")
_COMMON_WORDS = ("competencies", "tags", "category")
# Control characters, lone surrogates and noncharacters: never meant, and XML cannot carry them.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_LIST_SEPARATORS = re.compile(r"[,，]")


def label_of(field: str) -> str:
    """Return the Chinese name of a field for messages."""
    return FIELD_LABELS.get(field, field)


def clean_text(value: object, field: str) -> str:
    """Check that a value is text; unify newlines, drop control characters, strip the ends."""
    if not isinstance(value, str):
        raise InvalidQuestion(f"{label_of(field)}应为文本", field=field)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", value).strip()


def as_tuple(value: object, field: str) -> tuple[Any, ...]:
    """Accept a list or tuple (not a string) and return it as a tuple."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise InvalidQuestion(f"{label_of(field)}应为列表", field=field)
    return tuple(value)


def check_int(value: object, field: str) -> int:
    """Check that a value is an int (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuestion(f"{label_of(field)}应为整数", field=field)
    return value


def jsonable(value: Any) -> Any:
    """Turn nested dataclasses and tuples into JSON-safe dicts and lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def set_field(obj: object, name: str, value: object) -> None:
    """Set a field on a frozen dataclass while it is being built."""
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Option:
    """One choice of a choice question; weight is the percent of the points it earns."""

    key: str
    text: str
    weight: int = 0
    feedback: str = ""

    def __post_init__(self) -> None:
        set_field(self, "key", clean_text(self.key, "options").upper())
        set_field(self, "text", clean_text(self.text, "options"))
        set_field(self, "feedback", clean_text(self.feedback, "options"))
        check_int(self.weight, "options")


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields and behaviour shared by every question type."""

    code: ClassVar[str] = ""
    label: ClassVar[str] = ""
    default_points: ClassVar[int] = 100
    order: ClassVar[int] = 100  # position in menus and lists of types
    auto_graded: ClassVar[bool] = True  # False when a person grades it (`grade` leaves it pending)
    text_fields: ClassVar[tuple[str, ...]] = ()

    stem: str
    stem_format: str = "markdown"
    points: int | None = None
    explanation: str = ""
    difficulty: int | None = None
    competencies: tuple[str, ...] = ()
    legal_basis: str = ""
    tags: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    title: str = ""
    external_id: str = ""
    attachments: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        self._clean()
        self.validate()

    def _clean(self) -> None:
        """Normalise field values in place (the object is not yet visible to anyone)."""
        for name in _COMMON_TEXT + self.text_fields:
            set_field(self, name, clean_text(getattr(self, name), name))
        for name in _COMMON_WORDS:
            words = as_tuple(getattr(self, name), name)
            set_field(self, name, tuple(clean_text(word, name) for word in words))
        attachments = as_tuple(self.attachments, "attachments")
        set_field(self, "attachments", tuple(_clean_attachment(pair) for pair in attachments))
        if self.points is None:
            set_field(self, "points", self.default_points)

    def validate(self) -> None:
        """Raise InvalidQuestion (in Chinese) when a rule is broken."""
        if not self.stem:
            raise InvalidQuestion("题干不能为空", field="stem")
        if len(self.external_id) > EXTERNAL_ID_MAX:
            raise InvalidQuestion(f"编号不能超过 {EXTERNAL_ID_MAX} 个字符（现有 {len(self.external_id)} 个）",
                                  field="external_id")
        if self.stem_format not in STEM_FORMATS:
            raise InvalidQuestion(
                f"题干格式应为 markdown、html 或 plain，不能是“{self.stem_format}”",
                field="stem_format",
            )
        points = check_int(self.points, "points")
        if not 0 < points <= MAX_POINTS:
            raise InvalidQuestion("分值应大于0且不超过1000分", field="points")
        if self.difficulty is not None and not 1 <= check_int(self.difficulty, "difficulty") <= 5:
            raise InvalidQuestion("难度应为1到5之间的整数", field="difficulty")
        for name in ("competencies", "tags"):
            if any(not word or _LIST_SEPARATORS.search(word) for word in getattr(self, name)):
                raise InvalidQuestion(f"{label_of(name)}不能为空，也不能包含逗号", field=name)
        if any(not part or "/" in part for part in self.category):
            raise InvalidQuestion("分类的每一级都不能为空，也不能包含“/”", field="category")
        self._validate_specific()

    def _validate_specific(self) -> None:
        """Check the rules of one type; overridden by types that have any."""

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        """Score a trainee's response; a response of the wrong shape scores zero."""
        raise NotImplementedError

    def correct_response(self) -> object:
        """Return a response that earns full marks (the reference answer for essays)."""
        raise NotImplementedError

    def response_problem(self, response: object) -> str | None:
        """Say in Chinese why a response cannot be stored for this question, or None when it can.

        `None` (no answer) always fits. Types narrow this; a type that does not accepts anything
        its `grade` can take (a response of the wrong shape then scores zero).
        """
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return every field as JSON-safe data, tagged with the type code."""
        return {"type": self.code} | {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build a question from `to_dict()` output; unknown or ill-typed fields are refused."""
        if not isinstance(data, Mapping):
            raise InvalidQuestion("试题数据应为字典")
        if data.get("type", cls.code) != cls.code:
            raise InvalidQuestion(f"题型不符：应为“{cls.code}”，实际为“{data.get('type')}”")
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key == "type":
                continue
            if key not in known:
                raise InvalidQuestion(f"未知字段：{key}", field=key)
            kwargs[key] = cls._decode_field(key, value)
        for name, spec in known.items():
            no_default = (
                spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            )
            if no_default and name not in kwargs:
                raise InvalidQuestion(f"缺少{label_of(name)}", field=name)
        return cls(**kwargs)

    @classmethod
    def _decode_field(cls, name: str, value: object) -> object:
        """Turn one JSON value back into a field value (lists become tuples)."""
        if name in _COMMON_WORDS:
            return as_tuple(value, name)
        if name == "attachments":
            return tuple(as_tuple(pair, name) for pair in as_tuple(value, name))
        return value

    def public_dict(self) -> dict[str, Any]:
        """Return what a trainee may see during an attempt: no answers, weights or explanations."""
        return type(self).public_from_stored(self.to_dict())

    @classmethod
    def public_from_stored(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """`public_dict()` read straight from `to_dict()` output, as versions are stored.

        A stored version was validated when it was saved, so nothing is cleaned or checked again:
        an exam page shows a hundred questions, and building each in full costs ten times more.
        """
        if not all(key in data for key in ("stem", "stem_format", "points")):
            return cls.from_dict(data).public_dict()  # an older or partial dict: build it in full
        base = {
            "type": cls.code,
            "stem": data["stem"],
            "stem_format": data["stem_format"],
            "points": data["points"],
            "attachments": [list(pair) for pair in data.get("attachments", ())],
        }
        return base | cls._public_extra(data)

    @classmethod
    def _public_extra(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return type-specific public fields from `to_dict()` output."""
        return {}

    def fingerprint(self) -> str:
        """Return a stable hash of the normalised stem and option texts, for duplicate detection."""
        texts = sorted(normalise_text(text) for text in self._fingerprint_texts())
        payload = "\x1f".join([normalise_text(self.stem), *texts])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _fingerprint_texts(self) -> Iterable[str]:
        """Return the option texts that identify the question besides its stem."""
        return ()


def _clean_attachment(pair: object) -> tuple[str, str]:
    """Check one (name, base64 data) attachment pair."""
    if isinstance(pair, str | bytes) or not isinstance(pair, tuple | list) or len(pair) != 2:
        raise InvalidQuestion("附件应为（名称，base64数据）", field="attachments")
    name, data = clean_text(pair[0], "attachments"), clean_text(pair[1], "attachments")
    if not name:
        raise InvalidQuestion("附件名称不能为空", field="attachments")
    return name, data
