"""Property tests: export then import gives back equal questions, for what each format can carry."""

# What each format drops (so the generators below leave it out):
# - GIFT: attachments; 填空 with more than one blank; 填空 answers containing "->".
# - Aiken: everything but 单选/多选 with plain one-line stems and one-line options: no title, category,
#   explanation, feedback, metadata or points; 单选 partial credit and 多选 weights other than the defaults;
#   a 多选 needs at least two correct options (one letter reads as 单选).
# - Moodle XML: 填空 with more than one blank.
# - CSV/Excel: title, stem format (always markdown), attachments, every kind of feedback, 单选 partial
#   credit and 多选 weights other than the defaults; 填空 answers containing | or ;.

import base64
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.choice import split_evenly
from question_bank.formats import export, parse
from question_bank.scoring import normalise_text
from question_bank.types import (
    BLANK_MARKER,
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
    default_multiple_weights,
)

PLAIN_CHARS = "甲乙丙丁交通法规安全驾驶辅警社区abcXYZ019 ，。、？！（）-*<>&\"'"
SPECIAL_CHARS = "~=#{}:\\[]%/@;|"


@dataclass(frozen=True)
class Carries:
    """What a format can carry."""

    metadata: bool = True
    title: bool = True
    formats: tuple[str, ...] = ("markdown", "html", "plain")
    attachments: bool = False
    feedback: bool = True
    weights: bool = True
    max_blanks: int = 1
    newlines: bool = True
    forbidden_in_answers: str = ""
    types: tuple[str, ...] = ("single", "multiple", "truefalse", "fill", "essay")


GIFT = Carries(forbidden_in_answers=">")
AIKEN = Carries(
    metadata=False,
    title=False,
    formats=("plain",),
    feedback=False,
    weights=False,
    newlines=False,
    types=("single", "multiple"),
)
MOODLE_XML = Carries(attachments=True)
TABLE = Carries(
    title=False,
    formats=("markdown",),
    feedback=False,
    weights=False,
    max_blanks=3,
    forbidden_in_answers="|;｜；",
)


def text(carries, *, min_size=0, max_size=12, newlines=None, exclude=""):
    allowed = "".join(c for c in PLAIN_CHARS + SPECIAL_CHARS if c not in exclude)
    if newlines if newlines is not None else carries.newlines:
        allowed += "\n"
    return st.text(alphabet=allowed, min_size=min_size, max_size=max_size)


def filled(strategy):
    return strategy.filter(lambda value: value.strip())


def words():
    return st.lists(filled(st.text(alphabet="ABCXYZ-甲乙丙012", max_size=6)), max_size=3).map(tuple)


@st.composite
def common_fields(draw, carries):
    fields = {"stem_format": draw(st.sampled_from(carries.formats))}
    if carries is AIKEN:
        fields["stem"] = "题" + draw(text(carries, exclude=":："))
        return fields
    fields["stem"] = draw(filled(text(carries, min_size=1)))
    fields["explanation"] = draw(text(carries))
    fields["category"] = draw(
        st.lists(filled(st.text(alphabet="甲乙丙abc 012", max_size=5)), max_size=3).map(tuple)
    )
    if carries.title:
        fields["title"] = draw(text(carries))
    if carries.metadata:
        fields["points"] = draw(st.integers(1, 100_000))
        fields["difficulty"] = draw(st.none() | st.integers(1, 5))
        fields["competencies"] = draw(words())
        fields["tags"] = draw(words())
        fields["legal_basis"] = draw(text(carries))
    if carries.attachments:
        names = draw(
            st.lists(
                st.text(alphabet="abc012._-甲", min_size=1, max_size=8), max_size=2, unique=True
            )
        )
        fields["attachments"] = tuple(
            (name, base64.b64encode(name.encode()).decode()) for name in names
        )
    return fields


def option_texts(carries):
    single_line = filled(text(carries, min_size=1, newlines=carries.newlines))
    return st.lists(
        single_line.filter(lambda t: normalise_text(t)),
        min_size=2,
        max_size=8,
        unique_by=normalise_text,
    )


def feedbacks(carries, count):
    return st.lists(
        text(carries) if carries.feedback else st.just(""), min_size=count, max_size=count
    )


@st.composite
def single_choice(draw, carries):
    texts = draw(option_texts(carries))
    correct = draw(st.integers(0, len(texts) - 1))
    others = st.integers(-100, 99) if carries.weights else st.just(0)
    weights = [100 if i == correct else draw(others) for i in range(len(texts))]
    options = build_options(texts, weights, draw(feedbacks(carries, len(texts))))
    return SingleChoice(options=options, **draw(common_fields(carries)))


@st.composite
def multiple_choice(draw, carries):
    texts = draw(option_texts(carries))
    fewest = 2 if carries is AIKEN else 1
    correct = draw(st.lists(st.integers(0, len(texts) - 1), min_size=fewest, unique=True))
    if carries.weights:
        shares = iter(split_evenly(100, len(correct)))
        weights = [
            next(shares) if i in correct else draw(st.integers(-100, 0)) for i in range(len(texts))
        ]
    else:
        weights = default_multiple_weights(len(texts), correct)
    options = build_options(texts, weights, draw(feedbacks(carries, len(texts))))
    return MultipleChoice(options=options, **draw(common_fields(carries)))


@st.composite
def true_false(draw, carries):
    feedback_true, feedback_false = draw(feedbacks(carries, 2))
    return TrueFalse(
        answer=draw(st.booleans()),
        feedback_true=feedback_true,
        feedback_false=feedback_false,
        **draw(common_fields(carries)),
    )


@st.composite
def fill_blank(draw, carries):
    fields = draw(common_fields(carries))
    marked = draw(st.integers(0, carries.max_blanks))
    inner = draw(
        st.lists(
            text(carries, min_size=1), min_size=max(marked - 1, 0), max_size=max(marked - 1, 0)
        )
    )
    parts = [
        draw(text(carries)),
        *inner,
        draw(text(carries)),
    ]  # adjacent markers would merge into one
    fields["stem"] = BLANK_MARKER.join(parts) if marked else fields["stem"]
    answer_text = filled(text(carries, min_size=1, exclude=carries.forbidden_in_answers))
    blanks = []
    for _ in range(max(marked, 1)):
        texts = draw(st.lists(answer_text, min_size=1, max_size=3))
        weights = [100] + [draw(st.integers(0, 100)) for _ in texts[1:]]
        notes = draw(feedbacks(carries, len(texts)))
        blanks.append(
            tuple(BlankAnswer(t, w, f) for t, w, f in zip(texts, weights, notes, strict=True))
        )
    return FillBlank(blanks=tuple(blanks), **fields)


@st.composite
def essay(draw, carries):
    extra = {"rubric": draw(text(carries))} if carries is not AIKEN else {}
    if carries.metadata:
        extra["reference_answer"] = draw(text(carries))
    return Essay(**extra, **draw(common_fields(carries)))


BUILDERS = {
    "single": single_choice,
    "multiple": multiple_choice,
    "truefalse": true_false,
    "fill": fill_blank,
    "essay": essay,
}


@st.composite
def banks(draw, carries):
    kinds = st.sampled_from(carries.types)
    questions = draw(
        st.lists(kinds.flatmap(lambda kind: BUILDERS[kind](carries)), min_size=1, max_size=5)
    )
    if carries is TABLE:
        ids = draw(st.lists(st.booleans(), min_size=len(questions), max_size=len(questions)))
        questions = [
            type(q).from_dict(q.to_dict() | {"external_id": f"ID-{i}" if use else ""})
            for i, (q, use) in enumerate(zip(questions, ids, strict=True))
        ]
    return questions


def assert_round_trip(fmt, questions):
    result = parse(fmt, export(fmt, questions), f"bank.{fmt}")
    assert result.issues == []
    assert [q.to_dict() for q in result.questions] == [q.to_dict() for q in questions]


PROPERTY = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(banks(GIFT))
def test_gift_round_trips(questions):
    assert_round_trip("gift", questions)


@PROPERTY
@given(banks(AIKEN))
def test_aiken_round_trips(questions):
    assert_round_trip("aiken", questions)


@PROPERTY
@given(banks(MOODLE_XML))
def test_moodle_xml_round_trips(questions):
    assert_round_trip("moodle-xml", questions)


@PROPERTY
@given(banks(TABLE))
def test_csv_round_trips(questions):
    assert_round_trip("csv", questions)


@settings(PROPERTY, max_examples=25)
@given(banks(TABLE))
def test_xlsx_round_trips(questions):
    assert_round_trip("xlsx", questions)


@PROPERTY
@given(st.one_of(*(BUILDERS[kind](MOODLE_XML) for kind in BUILDERS)))
def test_every_generated_question_survives_json(question):
    assert type(question).from_dict(question.to_dict()) == question
