"""Item analysis of one exam: how hard each question was, how well it told strong from weak
trainees, how its options were chosen, and how reliable the exam's total score is.

Pure: the caller hands over each graded answer as a `Response` (the attempt it belongs to, the
question version, the units earned and possible, the options chosen) and each choice question's
options as an `Item`; `analyse` returns an `Analysis` of small frozen dataclasses. Every figure
is a `Figure`: a value, or no value with a Chinese note saying why (样本不足, 得分全部相同 …),
so degenerate input (no or one attempt, nobody differing) never divides by zero. What is worth a
look about each item, with the reason, is `stats_flags.flags(analysis)`.

Definitions (population formulas, dividing by n, throughout):

- **Facility** (得分率): the mean of earned/possible over the item's answers (0–1; for 0/1 items
  the share answering correctly).
- **Groups**: attempts ranked by total score (earned units). The upper group is the
  g = round(0.27·n) highest (half rounded up, at least 1) *plus everyone tied with the g-th*;
  the lower group likewise from the bottom. Ties are thus never split by an arbitrary order, so a
  group may hold more than 27 %. When the two would meet (the g-th highest total is not above the
  g-th lowest), there are no groups (总分差别太小).
- **Discrimination index** D: the item's facility among the upper group minus among the lower group
  (−1…1), counting only the group members whose paper held the item (papers are drawn per attempt).
- **Point-biserial** r of an item: the corrected item–rest correlation, Pearson's r between the
  item's score and the *rest* score (the attempt's total minus this item's score), over the
  attempts whose paper held it; the item itself is excluded so it does not correlate with itself.
  For an option: r between choosing it (1/0) and the same rest score.
- **Reliability**: Cronbach's alpha with item scores in units (equal to KR-20 for 0/1 items):
  α = k/(k−1)·(1 − S/σ²ₓ), k the number of questions per paper, σ²ₓ the variance of totals and S
  the sum of the item variances of a paper. Papers drawn per attempt hold different questions, so
  S is the mean over attempts of the summed variances of the questions on that attempt's paper
  (Σ varᵢ·nᵢ/N); for a fixed paper that is exactly the textbook Σ varᵢ. α is at most 1 (a sparse
  random-paper sample could push the estimate past 1; it is capped).
- **SEM** (测量标准误) = SD·√(1 − α), with a negative α counted as 0 (SEM never exceeds SD).
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

GROUP_SHARE = 0.27
MIN_SAMPLE = 2  # answers before facility, groups or variances mean anything
MIN_CORRELATION_SAMPLE = 3  # with two points r is always ±1

FEW = "样本不足"
ALL_SAME = "得分全部相同"
REST_SAME = "其余题目的得分全部相同"
NO_GROUPS = "总分差别太小，分不出高分组和低分组"
NOT_IN_GROUPS = "高分组或低分组中无人抽到此题"
NOBODY = "无人选择"
EVERYBODY = "所有人都选了"
ONE_QUESTION = "每份试卷不足两道题"
TOTALS_SAME = "总分全部相同"
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Figure:
    """A statistic, or `None` with the reason it cannot be given (`note`)."""

    value: float | None
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None


def _unknown(note: str) -> Figure:
    return Figure(None, note)


@dataclass(frozen=True, slots=True)
class Item:
    """A question version as the analysis needs it: its options (choice questions) and the key."""

    item_id: int
    options: tuple[str, ...] = ()  # option keys in the question's order; empty for other types
    keys: frozenset[str] = frozenset()  # the options that are (part of) the correct answer


@dataclass(frozen=True, slots=True)
class Response:
    """One graded answer: which attempt, which item, units earned of units possible, options chosen.

    `chosen` is None for questions without options; an empty set is an unanswered choice question.
    """

    sitting: int
    item_id: int
    earned: int
    possible: int
    chosen: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class OptionStats:
    key: str
    is_key: bool
    chosen: int  # answers that chose it
    share: Figure  # of all the item's answers
    upper_share: Figure  # within the upper group (members who had the item)
    lower_share: Figure
    point_biserial: Figure


@dataclass(frozen=True, slots=True)
class ItemStats:
    item_id: int
    answers: int
    facility: Figure
    discrimination: Figure
    point_biserial: Figure
    options: tuple[OptionStats, ...] = ()
    unanswered: int = 0  # choice questions left blank


@dataclass(frozen=True, slots=True)
class ExamStats:
    sittings: int
    items_per_paper: float
    mean_score: Figure  # units
    max_score: float  # units, the mean paper's maximum
    sd: Figure  # units
    alpha: Figure
    sem: Figure  # units
    upper: int  # attempts in the upper group
    lower: int
    groups_note: str = ""


@dataclass(frozen=True)
class Analysis:
    exam: ExamStats
    items: tuple[ItemStats, ...]

    def item(self, item_id: int) -> ItemStats:
        return next(stats for stats in self.items if stats.item_id == item_id)


def analyse(items: Iterable[Item], responses: Iterable[Response]) -> Analysis:
    """Analyse an exam's graded answers (the flags are `stats_flags.flags(analysis)`).

    Items answered but not declared count as questions without options; declared items nobody
    answered report 样本不足. Responses with nothing possible (0 units) are ignored.
    """
    declared = {item.item_id: item for item in items}
    by_item: dict[int, list[Response]] = defaultdict(list)
    totals: dict[int, int] = defaultdict(int)
    possible: dict[int, int] = defaultdict(int)
    counts: dict[int, int] = defaultdict(int)
    for response in responses:
        if response.possible <= 0:
            continue
        by_item[response.item_id].append(response)
        totals[response.sitting] += response.earned
        possible[response.sitting] += response.possible
        counts[response.sitting] += 1
    upper, lower, groups_note = groups(totals)
    order = list(declared) + sorted(set(by_item) - set(declared))
    stats = tuple(_item_stats(declared.get(i, Item(i)), by_item.get(i, []), totals, upper, lower, groups_note)
                  for i in order)
    exam = _exam_stats(totals, possible, counts, by_item, upper, lower, groups_note)
    return Analysis(exam, stats)


def groups(totals: Mapping[int, float]) -> tuple[frozenset[int], frozenset[int], str]:
    """The upper and lower groups by total (ties at the cut included), or empty sets and why not."""
    if len(totals) < MIN_SAMPLE:
        return frozenset(), frozenset(), FEW
    size = max(1, math.floor(GROUP_SHARE * len(totals) + 0.5))
    ranked = sorted(totals.values())
    low_cut, high_cut = ranked[size - 1], ranked[-size]
    if high_cut <= low_cut:
        return frozenset(), frozenset(), NO_GROUPS
    return (frozenset(s for s, total in totals.items() if total >= high_cut),
            frozenset(s for s, total in totals.items() if total <= low_cut), "")


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    mean = _mean(values)
    return math.fsum((v - mean) ** 2 for v in values) / len(values)


@dataclass(frozen=True, slots=True)
class _Centered:
    """Values minus their mean, the sum of their squares, and whether they are all the same."""

    deviations: list[float]
    squares: float
    flat: bool


def _centered(values: Sequence[float]) -> _Centered:
    mean = math.fsum(values) / len(values)
    deviations = [v - mean for v in values]
    squares = math.fsum(map(operator.mul, deviations, deviations))
    return _Centered(deviations, squares, squares <= 1e-12 * max(1.0, mean * mean) * len(values))


def _correlation(x: _Centered, y: _Centered, *, x_same: str = ALL_SAME) -> Figure:
    """Pearson's r in [−1, 1], or why not (too few pairs, one side constant)."""
    if len(x.deviations) < MIN_CORRELATION_SAMPLE:
        return _unknown(FEW)
    if x.flat:
        return _unknown(x_same)
    if y.flat:
        return _unknown(REST_SAME)
    products = math.fsum(map(operator.mul, x.deviations, y.deviations))
    return Figure(min(1.0, max(-1.0, products / math.sqrt(x.squares * y.squares))))


def _item_stats(item: Item, answers: list[Response], totals: Mapping[int, int],
                upper: frozenset[int], lower: frozenset[int], groups_note: str) -> ItemStats:
    n = len(answers)
    if n < MIN_SAMPLE:
        few = _unknown(FEW)
        options = tuple(OptionStats(key, key in item.keys, sum(1 for a in answers if a.chosen and key in a.chosen),
                                    few, few, few, few) for key in item.options)
        return ItemStats(item.item_id, n, few, few, few, options,
                         sum(1 for a in answers if not a.chosen) if item.options else 0)
    fractions = [a.earned / a.possible for a in answers]
    rest = _centered([totals[a.sitting] - a.earned for a in answers])
    in_upper = [i for i, a in enumerate(answers) if a.sitting in upper]
    in_lower = [i for i, a in enumerate(answers) if a.sitting in lower]
    if groups_note:
        discrimination = _unknown(groups_note)
    elif not in_upper or not in_lower:
        discrimination = _unknown(NOT_IN_GROUPS)
    else:
        discrimination = Figure(_mean([fractions[i] for i in in_upper]) - _mean([fractions[i] for i in in_lower]))
    chosen = [a.chosen or _NONE for a in answers]
    options = _option_stats(item, chosen, rest, set(in_upper), set(in_lower), groups_note)
    unanswered = chosen.count(_NONE) if item.options else 0
    return ItemStats(item.item_id, n, Figure(_mean(fractions)), discrimination,
                     _correlation(_centered(fractions), rest), options, unanswered)


def _option_stats(item: Item, chosen: list[frozenset[str]], rest: _Centered, upper: set[int], lower: set[int],
                  groups_note: str) -> tuple[OptionStats, ...]:
    """Per option: who chose it (answer positions), the shares, and r of choosing it with the rest score.

    Choosing is 1/0, so Σ(x − x̄)(y − ȳ) = Σ over choosers of (y − ȳ) − x̄·Σ(y − ȳ) and
    Σ(x − x̄)² = c·(n − c)/n for c choosers of n.
    """
    positions: dict[str, list[int]] = {key: [] for key in item.options}
    for index, keys in enumerate(chosen):
        for key in keys:
            if key in positions:
                positions[key].append(index)
    n = len(chosen)
    rest_sum = math.fsum(rest.deviations)
    stats = []
    for key, picked in positions.items():
        count = len(picked)
        if n < MIN_CORRELATION_SAMPLE:
            r = _unknown(FEW)
        elif count in (0, n):
            r = _unknown(NOBODY if count == 0 else EVERYBODY)
        elif rest.flat:
            r = _unknown(REST_SAME)
        else:
            products = math.fsum(rest.deviations[i] for i in picked) - count / n * rest_sum
            r = Figure(min(1.0, max(-1.0, products / math.sqrt(count * (n - count) / n * rest.squares))))
        shares = [_unknown(groups_note) if groups_note else
                  Figure(sum(1 for i in picked if i in group) / len(group)) if group else _unknown(NOT_IN_GROUPS)
                  for group in (upper, lower)]
        stats.append(OptionStats(key, key in item.keys, count, Figure(count / n), shares[0], shares[1], r))
    return tuple(stats)


def _exam_stats(totals, possible, counts, by_item, upper, lower, groups_note) -> ExamStats:
    n = len(totals)
    per_paper = math.fsum(counts.values()) / n if n else 0.0
    max_score = math.fsum(possible.values()) / n if n else 0.0
    if n < MIN_SAMPLE:
        few = _unknown(FEW)
        mean = Figure(float(next(iter(totals.values())))) if n else few
        return ExamStats(n, per_paper, mean, max_score, few, few, few, 0, 0, groups_note)
    values = [float(v) for v in totals.values()]
    variance = _variance(values)
    sd = math.sqrt(variance)
    if per_paper < 2:
        alpha = _unknown(ONE_QUESTION)
    elif variance <= 1e-12 * max(1.0, _mean(values) ** 2):
        alpha = _unknown(TOTALS_SAME)
    else:
        summed = math.fsum(_variance([a.earned for a in answers]) * len(answers) for answers in by_item.values()) / n
        alpha = Figure(min(1.0, per_paper / (per_paper - 1) * (1 - summed / variance)))
    sem = Figure(sd * math.sqrt(1 - max(alpha.value, 0.0))) if alpha.known else _unknown(alpha.note)
    return ExamStats(n, per_paper, Figure(_mean(values)), max_score, Figure(sd), alpha, sem,
                     len(upper), len(lower), groups_note)
