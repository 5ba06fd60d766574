"""Mastery per competency (掌握程度): graded answers in, a level with a confidence out.

Pure. The caller turns each graded answer to a question linked to a competency into an `Evidence`
(one per linked competency) and keeps one small `State` per (person, competency); `add`/`remove`
change it in O(1) (events, no history scans) and `build` recomputes it (`flask needs rebuild`).
The model, its defaults and why: `question_bank/README.md` ("Mastery and the diagnostic"). In short,
with E_l, W_l the aged weighted earned and weight of the answers at level l, s = `cross_level`
and d the distance between levels, the evidence for level L is
  S_L = E_L + Σ_{l>L} s^d·E_l   and   W*_L = W_L + Σ_{l>L} s^d·E_l + Σ_{l<L} s^d·(W_l − E_l);
L is held when S_L/max(W*_L, min_weight) ≥ threshold, not held when (S_L + max(0, min_weight −
W*_L))/max(W*_L, min_weight) < threshold, else undecided. Level: None (未评估) below `min_weight` of
evidence in all; else the highest level held (0 if none). Score = level + progress to the next.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum

LEVELS = (1, 2, 3)  # 初级, 中级, 高级
FORMAT_VERSION = 1
EPSILON = 1e-9  # float rounding allowance at the threshold and the minimum weight
_EPOCH = datetime(1970, 1, 1)
_ZERO = (0.0, 0.0, 0.0)
# A question's difficulty (1 易 … 5 难) → the level it tests.
DIFFICULTY_LEVEL = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}


class Source(StrEnum):
    FORMAL = "formal"  # 正式考试
    DIAGNOSTIC = "diagnostic"  # 摸底测试
    PRACTICE = "practice"  # 练习
    QUIZ = "quiz"  # 课后测验
    RETEST = "retest"  # 复测: a formal re-test after a plan's lessons (weighted as formal; see `build`)


class Status(StrEnum):
    HELD = "held"
    NOT_HELD = "not_held"
    UNKNOWN = "unknown"


class StaleState(ValueError):
    """A stored state was built with another half-life or other source weights: rebuild it."""


def level_for(difficulty: int | None, default: int) -> int:
    """The level a question tests: from its difficulty 1–5, else `default` (e.g. the exam's level)."""
    if difficulty is None:
        return check_level(default)
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTY_LEVEL:
        raise ValueError("难度应为1到5之间的整数")
    return DIFFICULTY_LEVEL[difficulty]


def day_number(when: float | date | datetime) -> float:
    """Days since 1970-01-01 (UTC for datetimes; a naive datetime is taken as UTC, as columns store it)."""
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        return (when - _EPOCH).total_seconds() / 86400
    if isinstance(when, date):
        return float((when - _EPOCH.date()).days)
    if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
        raise ValueError("时间应为日期、时间或有限的天数")
    return float(when)


def check_level(level: int) -> int:
    if isinstance(level, bool) or level not in LEVELS:
        raise ValueError("能力等级应为 1（初级）、2（中级）或 3（高级）")
    return int(level)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One graded answer as evidence about one competency; `when` is kept as a day number."""

    competency: Hashable
    earned: float  # fraction of the question's points, 0..1
    level: int
    source: Source
    when: float

    def __post_init__(self) -> None:
        if isinstance(self.earned, bool) or not 0.0 <= self.earned <= 1.0:
            raise ValueError("得分比例应在 0 到 1 之间")
        object.__setattr__(self, "earned", float(self.earned))
        object.__setattr__(self, "level", check_level(self.level))
        object.__setattr__(self, "source", Source(self.source))
        object.__setattr__(self, "when", day_number(self.when))


@dataclass(frozen=True, slots=True)
class Settings:
    # A competency learnt half a year ago still counts, at half weight; a year ago, a quarter.
    half_life_days: float = 180.0
    # An invigilated exam says most; the diagnostic is short and untimed-ish; practice and lesson
    # quizzes can be retried with the lesson open, so they say least.
    formal_weight: float = 1.0
    diagnostic_weight: float = 0.8
    practice_weight: float = 0.5
    quiz_weight: float = 0.3
    # 70 % right at a level holds it (a common pass mark for 合格 on a level-graded test).
    threshold: float = 0.7
    # Evidence from a neighbouring level counts half; two levels apart, a quarter.
    cross_level: float = 0.5
    # Two diagnostic answers (1.6), two formal (2.0) or three practice answers (1.5) decide a level;
    # one answer never says 掌握.
    min_weight: float = 1.5
    # Twice the deciding weight (about four diagnostic answers) is full confidence.
    full_weight: float = 3.0
    # A passed re-test (复测, its answers ≥ `threshold` on average) follows the training that was meant
    # to change the answers before it: those then count this much (a quarter) and at most `min_weight`
    # per level, so proof after study outweighs mistakes from before it, yet the record is not forgotten. Not in `basis`: a state
    # with a passed re-test is always rebuilt from its evidence when older answers change (`apply`).
    superseded: float = 0.25

    def __post_init__(self) -> None:
        numbers = (self.half_life_days, *self.basis[1:], self.threshold, self.cross_level,
                   self.min_weight, self.full_weight)
        if not all(isinstance(x, int | float) and math.isfinite(x) for x in numbers):
            raise ValueError("掌握度参数应为有限的数")
        if self.half_life_days <= 0 or min(self.basis[1:]) <= 0:
            raise ValueError("半衰期和各来源权重应大于 0")
        if not 0 < self.threshold <= 1 or not 0 <= self.cross_level <= 1:
            raise ValueError("掌握标准应在 0 到 1 之间（不含 0），跨等级权重应在 0 到 1 之间")
        if not 0 <= self.superseded <= 1:
            raise ValueError("复测通过前作答的权重系数应在 0 到 1 之间")
        if not 0 < self.min_weight <= self.full_weight:
            raise ValueError("判定所需证据权重应大于 0 且不大于完全置信的证据权重")

    @property
    def basis(self) -> tuple[float, ...]:
        """What a state's sums depend on: a state built with another basis must be rebuilt."""
        return (float(self.half_life_days), float(self.formal_weight), float(self.diagnostic_weight),
                float(self.practice_weight), float(self.quiz_weight))

    def weight(self, source: Source) -> float:
        source = Source.FORMAL if source == Source.RETEST else Source(source)
        return self.basis[1 + list(Source).index(source)]


@dataclass(frozen=True, slots=True)
class State:
    """Per level (index level − 1): decayed weighted earned `earned`, weight `weight`, answers `count`."""

    basis: tuple[float, ...]
    as_of: float | None = None
    earned: tuple[float, ...] = _ZERO
    weight: tuple[float, ...] = _ZERO
    count: tuple[int, ...] = (0, 0, 0)

    def to_dict(self) -> dict:
        return {"v": FORMAT_VERSION, "basis": list(self.basis), "as_of": self.as_of,
                "earned": list(self.earned), "weight": list(self.weight), "count": list(self.count)}

    @classmethod
    def from_dict(cls, data: dict) -> State:
        """Read `to_dict`'s output; anything else (another version) raises ValueError."""
        try:
            if data["v"] != FORMAT_VERSION or set(data) != {"v", "basis", "as_of", "earned", "weight", "count"}:
                raise ValueError
            basis = tuple(float(x) for x in data["basis"])
            as_of = None if data["as_of"] is None else day_number(data["as_of"])
            earned = tuple(float(x) for x in data["earned"])
            weight = tuple(float(x) for x in data["weight"])
            count = tuple(data["count"])
            sizes_ok = len(basis) == 5 and len(earned) == len(weight) == len(count) == len(LEVELS)
            if not sizes_ok or not all(type(n) is int and n >= 0 for n in count):
                raise ValueError
            if not all(math.isfinite(x) and x >= 0 for x in (*basis, *earned, *weight)):
                raise ValueError
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError("掌握度数据格式不对，需要重新计算") from error
        return cls(basis, as_of, earned, weight, count)


def empty(settings: Settings) -> State:
    return State(settings.basis)


def _check(state: State, settings: Settings) -> None:
    if state.basis != settings.basis:
        raise StaleState("掌握度数据按其他参数计算，需要重新计算")


def decay_to(state: State, when: float | date | datetime, settings: Settings) -> State:
    """Age the sums to `when` (×0.5^(Δdays/half-life)); never backwards: an earlier `when` is ignored."""
    _check(state, settings)
    day = day_number(when)
    if state.as_of is None:
        return replace(state, as_of=day)
    if day <= state.as_of:
        return state
    factor = 0.5 ** ((day - state.as_of) / settings.half_life_days)
    return replace(state, as_of=day, earned=tuple(x * factor for x in state.earned),
                   weight=tuple(x * factor for x in state.weight))


def _contribution(state: State, evidence: Evidence, settings: Settings) -> tuple[State, int, float]:
    state = decay_to(state, evidence.when, settings)
    age = state.as_of - evidence.when
    return state, evidence.level - 1, settings.weight(evidence.source) * 0.5 ** (age / settings.half_life_days)


def _put(values: tuple, index: int, value) -> tuple:
    return values[:index] + (value,) + values[index + 1:]


def add(state: State, evidence: Evidence, settings: Settings) -> State:
    state, i, w = _contribution(state, evidence, settings)
    return replace(state, earned=_put(state.earned, i, state.earned[i] + w * evidence.earned),
                   weight=_put(state.weight, i, state.weight[i] + w), count=_put(state.count, i, state.count[i] + 1))


def remove(state: State, evidence: Evidence, settings: Settings) -> State:
    """Take back exactly what `add(…, evidence, …)` put in (a regrade: remove the old, add the new)."""
    _check(state, settings)
    i = evidence.level - 1
    if state.as_of is None or state.count[i] == 0 or evidence.when > state.as_of:
        raise ValueError("要撤回的作答不在掌握度数据中")
    state, i, w = _contribution(state, evidence, settings)
    n = state.count[i] - 1
    weight = max(0.0, state.weight[i] - w) if n else 0.0
    earned = min(max(0.0, state.earned[i] - w * evidence.earned), weight) if n else 0.0
    return replace(state, earned=_put(state.earned, i, earned), weight=_put(state.weight, i, weight),
                   count=_put(state.count, i, n))


def regrade(state: State, old: Evidence, new: Evidence, settings: Settings) -> State:
    return add(remove(state, old, settings), new, settings)


def supersede(state: State, settings: Settings) -> State:
    """Scale each level's sums so far by `superseded`, and further where that still leaves more than
    `min_weight` (a passed re-test is about to be added): a record from before the training then
    weighs at most as much as the answers that decide a level, however long it is."""
    _check(state, settings)
    factors = [min(settings.superseded, settings.min_weight / w) if w > 0 else 0.0 for w in state.weight]
    return replace(state, earned=tuple(x * f for x, f in zip(state.earned, factors, strict=True)),
                   weight=tuple(x * f for x, f in zip(state.weight, factors, strict=True)))


def passed_retest(answers: Iterable[Evidence], settings: Settings) -> bool:
    """Whether one re-test's answers (of one competency) were right on average at least at `threshold`."""
    earned = [a.earned for a in answers]
    return bool(earned) and sum(earned) / len(earned) >= settings.threshold - EPSILON


def add_retest(state: State, answers: list[Evidence], settings: Settings) -> State:
    """Add one re-test's answers, superseding what came before when it was passed."""
    if passed_retest(answers, settings):
        state = supersede(decay_to(state, answers[0].when, settings), settings)
    for item in answers:
        state = add(state, item, settings)
    return state


def build(evidence: Iterable[Evidence], settings: Settings) -> State:
    """One competency's state from all its evidence (oldest first); a re-test's answers (source
    `retest`, handed in together: one `when`) go in at once through `add_retest`."""
    state = empty(settings)
    ordered = sorted(evidence, key=lambda e: (e.when, e.source != Source.RETEST))
    i = 0
    while i < len(ordered):
        item = ordered[i]
        if item.source == Source.RETEST:
            group = [e for e in ordered[i:] if e.when == item.when and e.source == Source.RETEST]
            state = add_retest(state, group, settings)
            i += len(group)
        else:
            state = add(state, item, settings)
            i += 1
    return state


def build_all(evidence: Iterable[Evidence], settings: Settings) -> dict[Hashable, State]:
    """A state per competency from everything a person answered (what `flask needs rebuild` does)."""
    groups: dict[Hashable, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(item.competency, []).append(item)
    return {key: build(items, settings) for key, items in groups.items()}


def equivalent(a: State, b: State, settings: Settings, tol: float = 1e-9) -> bool:
    """Whether two states say the same once aged to the same day (relative tolerance `tol`)."""
    if a.basis != b.basis or a.count != b.count:
        return False
    days = [s.as_of for s in (a, b) if s.as_of is not None]
    if days:
        a, b = decay_to(a, max(days), settings), decay_to(b, max(days), settings)
    pairs = zip((*a.earned, *a.weight), (*b.earned, *b.weight), strict=True)
    return all(abs(x - y) <= tol * max(1.0, abs(x), abs(y)) for x, y in pairs)


@dataclass(frozen=True, slots=True)
class LevelFigures:
    level: int
    success: float  # S_L: weighted earned, with the other levels' evidence as described above
    weight: float  # W_L: the evidence weight behind it
    rate: float | None  # S_L / W_L, None without evidence
    status: Status


@dataclass(frozen=True, slots=True)
class Estimate:
    level: int | None  # None = 未评估; 0 = no level held yet (see `ceiling`); else 1..3
    ceiling: int | None  # the lowest level above `level` decided not held (None: none, or 未评估)
    score: float | None  # 0..3, whole part = level; None when 未评估
    confidence: float  # 0..1
    weight: float  # total evidence weight now (all levels, aged)
    levels: tuple[LevelFigures, ...]

    def status(self, level: int) -> Status:
        return self.levels[check_level(level) - 1].status


def _figures(state: State, settings: Settings, level: int) -> LevelFigures:
    s, m, t = settings.cross_level, settings.min_weight, settings.threshold
    success = weight = 0.0
    for other, earned, total in zip(LEVELS, state.earned, state.weight, strict=True):
        factor = s ** abs(other - level)
        if other == level:
            success, weight = success + earned, weight + total
        elif other > level:
            success, weight = success + factor * earned, weight + factor * earned
        else:
            weight += factor * (total - earned)
    topped = max(weight, m)
    if success / topped >= t - EPSILON:
        status = Status.HELD
    elif (success + topped - weight) / topped < t - EPSILON:
        status = Status.NOT_HELD
    else:
        status = Status.UNKNOWN
    return LevelFigures(level, success, weight, success / weight if weight > 0 else None, status)


def estimate(state: State, settings: Settings, now: float | date | datetime | None = None) -> Estimate:
    """What the evidence says on day `now` (default: the state's own day)."""
    if now is not None:
        state = decay_to(state, now, settings)
    _check(state, settings)
    levels = tuple(_figures(state, settings, level) for level in LEVELS)
    total = sum(state.weight)
    confidence = min(1.0, total / settings.full_weight)
    if total < settings.min_weight - EPSILON:
        return Estimate(None, None, None, confidence, total, levels)
    level = max((f.level for f in levels if f.status is Status.HELD), default=0)
    ceiling = next((f.level for f in levels[level:] if f.status is Status.NOT_HELD), None)
    score = float(level)
    if level < len(LEVELS):
        above = levels[level]
        progress = above.success / (settings.threshold * max(above.weight, settings.min_weight))
        score += min(progress, 1.0 - EPSILON)
    return Estimate(level, ceiling, score, confidence, total, levels)


def gap(target: int, mastery: Estimate) -> int | None:
    """Levels between what is held and the target: 0 met; None unknown (offer the diagnostic).

    Known unmet only when a level up to the target is decided not held; the size counts from the
    highest level held, so it is an upper bound when the levels in between are undecided.
    """
    target = check_level(target)
    if mastery.level is None:
        return None
    if mastery.level >= target:
        return 0
    if mastery.ceiling is not None and mastery.ceiling <= target:
        return target - mastery.level
    return None
