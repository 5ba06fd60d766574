"""Drawing exam papers from a blueprint: the dry run, the per-attempt draw and equally hard papers.

Pure and deterministic: the caller resolves each rule's pool of usable questions (the bank's work)
and passes a seed stored with the attempt; the same blueprint, seen counts and seed give the same
paper, so a paper can be rebuilt and audited. The only randomness is `random.Random(seed)`.

A paper is drawn rule by rule (rules with the smallest pools first, so a narrow rule is not starved by
a broad one sharing its questions), least-seen-first within each rule's pool, no question twice.
Its expected facility (the mean of the questions' expected facility: measured where a question has
enough graded answers, from the author's difficulty otherwise) must lie within the tolerance of the
exam's target; when it does not, questions are swapped within their rule's pool — first only within
the least-seen tier the draw stopped in, then wider — until it does or no swap helps.
"""

from __future__ import annotations

import bisect
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from question_bank.errors import UnknownQuestionType
from question_bank.registry import get_type

MIN_MEASURED_ANSWERS = 30
DEFAULT_TOLERANCE = 0.05
# The facility an author's difficulty (1 易 … 5 难) predicts, until answers are measured.
AUTHOR_FACILITY = {1: 0.85, 2: 0.72, 3: 0.6, 4: 0.48, 5: 0.35}
UNKNOWN_FACILITY = 0.6
OPTION_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def expected_facility(difficulty: int | None, measured: float | None = None, answers: int = 0) -> float:
    """The share of trainees expected to answer correctly: measured when answers suffice."""
    if measured is not None and answers >= MIN_MEASURED_ANSWERS:
        return min(max(measured, 0.0), 1.0)
    return AUTHOR_FACILITY.get(difficulty or 0, UNKNOWN_FACILITY)


@dataclass(frozen=True)
class PoolQuestion:
    """A usable question as the draw sees it: which version, its options and how easy it is."""

    question_id: int
    version_id: int
    facility: float = UNKNOWN_FACILITY
    option_keys: tuple[str, ...] = ()  # choice types only; shuffled per attempt when allowed


@dataclass(frozen=True)
class Rule:
    """One row of a blueprint: `count` questions of one type from one source, `points` each.

    `source` names the source for messages (e.g. 知识点「道路交通安全法」). A fixed rule takes its
    whole pool in the given order (a chosen paper).
    """

    section: str
    source: str
    qtype: str
    count: int
    points: int  # units (1 point = 100)
    pool: tuple[PoolQuestion, ...]
    fixed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", tuple(_unique(self.pool)))  # a question once per pool

    @cached_property
    def by_facility(self) -> tuple[tuple[float, int, PoolQuestion], ...]:
        """The pool sorted by facility (then id), for the balancing swaps' binary searches."""
        return tuple(sorted((q.facility, q.question_id, q) for q in self.pool))

    @cached_property
    def mean_facility(self) -> float:
        return statistics.fmean(q.facility for q in self.pool) if self.pool else UNKNOWN_FACILITY


@dataclass(frozen=True)
class Blueprint:
    rules: tuple[Rule, ...]
    shuffle_questions: bool = True
    shuffle_options: bool = True
    target: float | None = None  # expected facility every paper should have; None: the pools' mean
    tolerance: float = DEFAULT_TOLERANCE


@dataclass(frozen=True)
class PaperItem:
    slot: int  # 1-based, in display order
    section: str
    rule: int  # 1-based rule number
    question_id: int
    version_id: int
    points: int
    option_order: tuple[str, ...]  # the question's own keys in display order (shown as A, B, C…)

    def display_key(self, key: str) -> str:
        """The letter the trainee sees for one of the question's own option keys."""
        return OPTION_LETTERS[self.option_order.index(key)]

    def own_key(self, letter: str) -> str | None:
        """The question's own key behind a displayed letter, or None for an unknown letter."""
        index = OPTION_LETTERS.find(letter) if len(letter) == 1 else -1
        return self.option_order[index] if 0 <= index < len(self.option_order) else None


@dataclass(frozen=True)
class Paper:
    items: tuple[PaperItem, ...]
    expected_facility: float
    target: float
    within_tolerance: bool
    swaps: int = 0

    @property
    def max_points(self) -> int:
        return sum(item.points for item in self.items)


class PoolTooSmall(ValueError):
    """A blueprint cannot be drawn: the messages name each rule that lacks questions."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("；".join(problems))
        self.problems = tuple(problems)


def _type_label(qtype: str) -> str:
    try:
        return get_type(qtype).label + "题"
    except UnknownQuestionType:
        return qtype


def dry_run(blueprint: Blueprint) -> list[str]:
    """Every reason the blueprint cannot be drawn, in Chinese, one per rule; empty when it can."""
    problems: list[str] = []
    if not blueprint.rules:
        return ["组卷规则中还没有任何题目"]
    for number, rule in enumerate(blueprint.rules, start=1):
        have = len(rule.pool)
        if rule.count <= 0:
            problems.append(f"第{number}条规则：题目数量应大于 0")
        elif have < rule.count:
            problems.append(f"第{number}条规则：{rule.source}的{_type_label(rule.qtype)}仅有 {have} 道，"
                            f"需要 {rule.count} 道")
    if problems:
        return problems
    taken: set[int] = set()
    for number, rule in _draw_order(blueprint.rules):
        free = [q for q in rule.pool if q.question_id not in taken] if taken else rule.pool
        if len(free) < rule.count:
            problems.append(f"第{number}条规则：{rule.source}的{_type_label(rule.qtype)}与其他规则共用题目，"
                            f"去掉已被抽走的题后仅剩 {len(free)} 道，需要 {rule.count} 道")
            continue
        taken.update(q.question_id for q in free[: rule.count])
    return problems


def pool_target(blueprint: Blueprint) -> float:
    """The exam's target facility: as set, or the mean over every rule's pool (what chance gives)."""
    if blueprint.target is not None:
        return blueprint.target
    weighted = [(rule.count, rule.mean_facility) for rule in blueprint.rules if rule.pool and rule.count > 0]
    total = sum(count for count, _ in weighted)
    return sum(count * mean for count, mean in weighted) / total if total else UNKNOWN_FACILITY


def draw(blueprint: Blueprint, seed: int, seen: Mapping[int, int] | None = None) -> Paper:
    """Draw one paper; raises `PoolTooSmall` with the dry run's messages when it cannot."""
    problems = dry_run(blueprint)
    if problems:
        raise PoolTooSmall(problems)
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret (the seed is stored)
    seen = seen or {}
    target = pool_target(blueprint)
    picks: dict[int, _RulePick] = {}
    taken: set[int] = set()
    for number, rule in _draw_order(blueprint.rules):
        pick = _pick(rule, rng, seen, taken)
        picks[number] = pick
        taken.update(q.question_id for q in pick.chosen)
    swaps = _balance(picks, target, blueprint.tolerance, seen, taken)
    return _lay_out(blueprint, picks, rng, target, swaps)


def spread(papers: Sequence[Paper]) -> dict[str, float]:
    """How alike the papers of an exam are: min, max, mean and standard deviation of facility."""
    values = [paper.expected_facility for paper in papers]
    if not values:
        return {"count": 0, "min": 0.0, "max": 0.0, "mean": 0.0, "stdev": 0.0}
    return {"count": len(values), "min": min(values), "max": max(values),
            "mean": statistics.fmean(values), "stdev": statistics.pstdev(values)}


# --- the draw -------------------------------------------------------------------------------------


@dataclass
class _RulePick:
    rule: Rule
    chosen: list[PoolQuestion]
    cutoff: int = 0  # the seen count of the tier the draw stopped in


def _unique(pool: Sequence[PoolQuestion]) -> list[PoolQuestion]:
    seen_ids: set[int] = set()
    unique = []
    for question in pool:
        if question.question_id not in seen_ids:
            seen_ids.add(question.question_id)
            unique.append(question)
    return unique


def _draw_order(rules: Sequence[Rule]) -> list[tuple[int, Rule]]:
    """Fixed rules first, then the narrowest pools, so shared questions go where they are needed."""
    numbered = list(enumerate(rules, start=1))
    return sorted(numbered, key=lambda item: (not item[1].fixed, len(item[1].pool), item[0]))


def _pick(rule: Rule, rng: random.Random, seen: Mapping[int, int], taken: set[int]) -> _RulePick:
    """Take `count` questions, the least seen first; within the tier the draw stops in, at random."""
    free = [q for q in rule.pool if q.question_id not in taken] if taken else rule.pool
    if rule.fixed:
        return _RulePick(rule, list(free[: rule.count]))
    if not seen:
        return _RulePick(rule, rng.sample(free, rule.count))
    by_seen: dict[int, list[PoolQuestion]] = {}
    for question in free:
        by_seen.setdefault(seen.get(question.question_id, 0), []).append(question)
    chosen: list[PoolQuestion] = []
    cutoff = 0
    for count in sorted(by_seen):
        need = rule.count - len(chosen)
        if need <= 0:
            break
        tier = by_seen[count]
        chosen.extend(tier if need >= len(tier) else rng.sample(tier, need))
        cutoff = count
    return _RulePick(rule, chosen, cutoff)


def _balance(picks: dict[int, _RulePick], target: float, tolerance: float,
             seen: Mapping[int, int], taken: set[int]) -> int:
    """Swap questions within their rules until the paper's mean is within tolerance of the target.

    A swap keeps least-seen-first as long as it can: first only questions of the tier the draw
    stopped in replace each other, then any unchosen question of the rule. Each step takes the one
    swap that brings the mean nearest the target (a binary search per chosen question).
    """
    size = sum(len(pick.chosen) for pick in picks.values())
    total = sum(q.facility for pick in picks.values() for q in pick.chosen)
    swaps = 0
    if not size or abs(total / size - target) <= tolerance:
        return 0
    for strict in ((True, False) if seen else (False,)):  # unseen pools have one tier: one pass
        pools = {number: _candidates(pick, seen, taken, strict) for number, pick in picks.items()
                 if not pick.rule.fixed}
        while abs(total / size - target) > tolerance and swaps < 4 * size:
            best = _best_swap(picks, pools, target, total, size, seen, strict)
            if best is None:
                break
            number, out, into = best
            pick, candidates = picks[number], pools[number]
            pick.chosen[pick.chosen.index(out)] = into
            taken.discard(out.question_id)
            taken.add(into.question_id)
            candidates.remove((into.facility, into.question_id, into))
            bisect.insort(candidates, (out.facility, out.question_id, out))
            total += into.facility - out.facility
            swaps += 1
    return swaps


def _candidates(pick: _RulePick, seen, taken: set[int], strict: bool) -> list[tuple[float, int, PoolQuestion]]:
    """The rule's unchosen questions a swap may bring in, sorted by facility."""
    if not strict or not seen:
        return [entry for entry in pick.rule.by_facility if entry[1] not in taken]
    return [entry for entry in pick.rule.by_facility
            if entry[1] not in taken and seen.get(entry[1], 0) == pick.cutoff]


def _best_swap(picks, pools, target, total, size, seen, strict):
    """The one swap that brings the mean nearest the target, or None when none improves it."""
    wanted = target * size - total  # the facility a swap should add to the paper's sum
    best, best_gap = None, abs(target - total / size)
    for number in sorted(pools):
        candidates = pools[number]
        if not candidates:
            continue
        for out in picks[number].chosen:
            if strict and seen.get(out.question_id, 0) != picks[number].cutoff:
                continue
            at = bisect.bisect_left(candidates, (out.facility + wanted,))
            for _f, _id, into in candidates[max(at - 1, 0): at + 1]:
                gap = abs(target - (total + into.facility - out.facility) / size)
                if gap < best_gap - 1e-12:
                    best, best_gap = (number, out, into), gap
    return best


def _lay_out(blueprint: Blueprint, picks: Mapping[int, _RulePick], rng: random.Random,
             target: float, swaps: int) -> Paper:
    """Order the questions by section (rules in blueprint order), shuffle, shuffle options."""
    sections: dict[str, list[tuple[int, PoolQuestion]]] = {}
    for number, rule in enumerate(blueprint.rules, start=1):
        chosen = sorted(picks[number].chosen, key=lambda q: q.question_id) if not rule.fixed \
            else picks[number].chosen
        if not rule.fixed:
            rng.shuffle(chosen)
        sections.setdefault(rule.section, []).extend((number, q) for q in chosen)
    items: list[PaperItem] = []
    for section, entries in sections.items():
        if blueprint.shuffle_questions and not all(blueprint.rules[n - 1].fixed for n, _ in entries):
            rng.shuffle(entries)
        for number, question in entries:
            order = list(question.option_keys)
            if blueprint.shuffle_options:
                rng.shuffle(order)
            items.append(PaperItem(len(items) + 1, section, number, question.question_id,
                                   question.version_id, blueprint.rules[number - 1].points, tuple(order)))
    facilities = [q.facility for pick in picks.values() for q in pick.chosen]
    mean = statistics.fmean(facilities) if facilities else UNKNOWN_FACILITY
    return Paper(tuple(items), mean, target, abs(mean - target) <= blueprint.tolerance + 1e-12, swaps)


# --- display letters ------------------------------------------------------------------------------


def to_own_keys(response: object, option_order: Sequence[str]) -> object:
    """Turn a response in displayed letters (A, B… in this paper's order) into the question's keys.

    Only choice questions have an option order; other responses pass unchanged. An unknown letter
    becomes "" (no question has that key), which the question's `response_problem` then refuses;
    `None` stays `None` (no answer).
    """
    if not option_order:
        return response
    own = dict(zip(OPTION_LETTERS, option_order, strict=False))
    if isinstance(response, str):
        return own.get(response, "")
    if isinstance(response, list | tuple):
        return [own.get(letter, "") if isinstance(letter, str) else letter for letter in response]
    return response


def to_display_letters(response: object, option_order: Sequence[str]) -> object:
    """The inverse of `to_own_keys`: a stored response as the trainee's letters."""
    if not option_order:
        return response
    shown = {key: OPTION_LETTERS[index] for index, key in enumerate(option_order)}
    if isinstance(response, str):
        return shown.get(response)
    if isinstance(response, list | tuple):
        return sorted(shown[key] for key in response if key in shown)
    return response
