"""The adaptive diagnostic (摸底测试): as few questions per competency as decide where the trainee stands.

Pure: a state machine per competency. Given the target level, the `Rules` and the answers so far
(level asked, fraction earned), `step` says which level to ask next (`Ask`) or that it is done
(`Stop`, with the assigned level). The decision is the mastery model's own (`question_bank.mastery`
on the diagnostic's answers alone, weighted as `Source.DIAGNOSTIC`), so what the diagnostic assigns
is what the profile shows from its answers, and every decided stop leaves a known gap.

Rules (defaults: `Settings()`, at most 4 questions):

- Ask at the target first. After an answer counted right (earned ≥ `threshold`) ask the same level
  again; after a wrong one, one level lower. Never ask a level already decided held (unless probing
  above it) or not held: the next level is clamped to the undecided levels between the highest held
  (0 if none) and the lowest not held above it (the target + 1 if none).
- Stop, decided, when the target is held (two right at the target: 0.8 + 0.8 ≥ `min_weight`), or
  when the edge is found — level L held (or L = 0) and L + 1 not held (one wrong at a level decides
  it not held: even topped up with right answers it stays below 70 %) — and the evidence is enough
  for a level at all (total weight ≥ `min_weight`, i.e. two answers).
- Stop, undecided, after `max_questions`, with whatever level the answers give (None when too few).
- `probe_ceiling`: a trainee who holds the target is asked one level higher, up to 高级.

So a trainee who knows the target level answers 2 questions per competency; one a level below,
3 (wrong at the target, two right below); nobody more than `max_questions`. `next_question` walks
all of a diagnostic's competencies round-robin: the one with the fewest answers so far goes next,
ties in the caller's order, so successive questions rarely share a competency and a trainee who
leaves early has been asked about everything.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from question_bank.mastery import (
    LEVELS,
    Estimate,
    Evidence,
    Settings,
    Source,
    Status,
    build,
    check_level,
    estimate,
)

DEFAULT_MAX_QUESTIONS = 4


@dataclass(frozen=True, slots=True)
class Answer:
    level: int  # the level of the question answered
    earned: float  # fraction of its points, 0..1


@dataclass(frozen=True, slots=True)
class Rules:
    max_questions: int = DEFAULT_MAX_QUESTIONS  # per competency
    probe_ceiling: bool = False  # ask above a target that is held

    def __post_init__(self) -> None:
        if isinstance(self.max_questions, bool) or not isinstance(self.max_questions, int) or self.max_questions < 1:
            raise ValueError("每个能力项最多题数应为正整数")


@dataclass(frozen=True, slots=True)
class Ask:
    level: int


@dataclass(frozen=True, slots=True)
class Stop:
    level: int | None  # as `Estimate.level`: None 未评估 (too few answers), 0 below every level, 1..3
    confidence: float
    decided: bool  # False: stopped at `max_questions` without a decision
    asked: int
    estimate: Estimate


def _answers_estimate(answers: Sequence[Answer], settings: Settings) -> Estimate:
    evidence = [Evidence(None, a.earned, a.level, Source.DIAGNOSTIC, 0) for a in answers]
    return estimate(build(evidence, settings), settings)


def step(target: int, answers: Sequence[Answer], rules: Rules | None = None,
         settings: Settings | None = None) -> Ask | Stop:
    """The next level to ask about one competency, or the stop with the level assigned."""
    target, rules, settings = check_level(target), rules or Rules(), settings or Settings()
    if not answers:
        return Ask(target)
    mastery = _answers_estimate(answers, settings)
    top = LEVELS[-1] if rules.probe_ceiling else target
    low, high = _edges(mastery, top)
    if mastery.level is not None and (low >= top or high == low + 1):
        return Stop(mastery.level, mastery.confidence, True, len(answers), mastery)
    if len(answers) >= rules.max_questions:
        return Stop(mastery.level, mastery.confidence, False, len(answers), mastery)
    last = answers[-1]
    wanted = last.level if last.earned >= settings.threshold else last.level - 1
    if low + 1 <= high - 1:
        return Ask(min(max(wanted, low + 1), high - 1))
    return Ask(min(max(last.level, 1), top))  # decided but on too little evidence: ask that level again


def _edges(mastery: Estimate, top: int) -> tuple[int, int]:
    """The highest level held (0 if none, at most `top`) and the lowest above it decided not held (else top + 1)."""
    held = max((f.level for f in mastery.levels if f.status is Status.HELD), default=0)
    low = min(held, top)
    return low, next((f.level for f in mastery.levels[low:top] if f.status is Status.NOT_HELD), top + 1)


def useful_levels(target: int, answers: Sequence[Answer], asked: int, rules: Rules | None = None,
                  settings: Settings | None = None) -> range:
    """The levels whose questions can still move the decision when none is left at the level `asked`:
    the undecided ones between the edges (a question at a level already decided held or not held
    only repeats what is known). `asked` itself is always in it."""
    target, rules, settings = check_level(target), rules or Rules(), settings or Settings()
    top = LEVELS[-1] if rules.probe_ceiling else target
    low, high = _edges(_answers_estimate(answers, settings), top) if answers else (0, top + 1)
    return range(min(low + 1, asked), max(high, asked + 1))


def steps(targets: Mapping[Hashable, int], answers: Mapping[Hashable, Sequence[Answer]],
          rules: Rules | None = None, settings: Settings | None = None) -> dict[Hashable, Ask | Stop]:
    """Each competency's step, in the order of `targets` (competency → target level)."""
    return {key: step(level, answers.get(key, ()), rules, settings) for key, level in targets.items()}


def next_question(targets: Mapping[Hashable, int], answers: Mapping[Hashable, Sequence[Answer]],
                  rules: Rules | None = None, settings: Settings | None = None) -> tuple[Hashable, int] | None:
    """The (competency, level) to ask next across the whole diagnostic; None once every one stopped."""
    pending = [(len(answers.get(key, ())), index, key, s.level)
               for index, (key, s) in enumerate(steps(targets, answers, rules, settings).items())
               if isinstance(s, Ask)]
    if not pending:
        return None
    _, _, key, level = min(pending, key=lambda p: (p[0], p[1]))
    return key, level


def questions_left_at_most(targets: Mapping[Hashable, int], answers: Mapping[Hashable, Sequence[Answer]],
                           rules: Rules | None = None, settings: Settings | None = None) -> int:
    """An upper bound on the questions still to come (for a progress bar)."""
    rules = rules or Rules()
    return sum(rules.max_questions - len(answers.get(key, ()))
               for key, s in steps(targets, answers, rules, settings).items() if isinstance(s, Ask))
