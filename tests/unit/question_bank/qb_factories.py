"""Plain factories for valid questions of every type, with keyword overrides."""

from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)


def make_single(**overrides):
    fields = {
        "stem": "机动车在道路上发生故障时，驾驶人应当立即开启什么灯？",
        "options": build_options(["危险报警闪光灯", "远光灯", "雾灯"], [100, 0, 0]),
    }
    return SingleChoice(**(fields | overrides))


def make_multiple(**overrides):
    fields = {
        "stem": "下列哪些属于机动车？",
        "options": build_options(["小型汽车", "摩托车", "自行车"], [50, 50, -100]),
    }
    return MultipleChoice(**(fields | overrides))


def make_truefalse(**overrides):
    return TrueFalse(**({"stem": "驾驶机动车可以不携带驾驶证。", "answer": False} | overrides))


def make_fill(**overrides):
    fields = {
        "stem": "我国的首都是____，简称____。",
        "blanks": (("北京",), ("京", BlankAnswer("燕", 50))),
    }
    return FillBlank(**(fields | overrides))


def make_essay(**overrides):
    fields = {
        "stem": "简述窗口服务的基本要求。",
        "reference_answer": "文明、规范、高效",
        "rubric": "每点2分",
    }
    return Essay(**(fields | overrides))


def full_single():
    return make_single(
        stem_format="html",
        points=150,
        explanation="见第五十二条",
        difficulty=3,
        competencies=("FJ-LAW", "GEN-POL"),
        legal_basis="《道路交通安全法》第五十二条",
        tags=("故障", "示警"),
        category=("辅警", "道路交通安全法规"),
        title="故障处置",
        external_id="FJ-0001",
        attachments=(("a.png", "aGVsbG8="),),
    )


ALL_FACTORIES = [make_single, make_multiple, make_truefalse, make_fill, make_essay, full_single]
