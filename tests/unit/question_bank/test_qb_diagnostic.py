"""The adaptive diagnostic: each branch of the stopping rule, the level it assigns, the question limit,
and a whole diagnostic with simulated trainees."""

from __future__ import annotations

import random

import pytest

from question_bank.diagnostic import (
    Answer,
    Ask,
    Rules,
    Stop,
    next_question,
    questions_left_at_most,
    step,
    steps,
    useful_levels,
)
from question_bank.mastery import Evidence, Settings, Source, build, estimate, gap

R, W = 1.0, 0.0


def answers(*pairs):
    return [Answer(level, earned) for level, earned in pairs]


def stopped(result, level, decided=True):
    assert isinstance(result, Stop), result
    assert (result.level, result.decided) == (level, decided)
    return result


@pytest.mark.parametrize("target", [1, 2, 3])
def test_the_first_question_is_at_the_target(target):
    assert step(target, []) == Ask(target)


def test_a_right_answer_at_the_target_asks_it_again_and_two_right_hold_it():
    assert step(2, answers((2, R))) == Ask(2)
    result = stopped(step(2, answers((2, R), (2, R))), 2)
    assert result.asked == 2
    assert result.confidence == pytest.approx(1.6 / 3)
    assert gap(2, result.estimate) == 0


def test_a_wrong_answer_at_the_target_asks_one_below():
    assert step(2, answers((2, W))) == Ask(1)
    assert step(3, answers((3, W))) == Ask(2)
    assert step(3, answers((3, R), (3, W))) == Ask(2)  # right then wrong: 50 % is not held


def test_wrong_at_the_target_then_two_right_below_stops_one_below():
    assert step(2, answers((2, W), (1, R))) == Ask(1)
    result = stopped(step(2, answers((2, W), (1, R), (1, R))), 1)
    assert result.estimate.ceiling == 2
    assert gap(2, result.estimate) == 1
    stopped(step(3, answers((3, W), (2, R), (2, R))), 2)


def test_wrong_below_the_target_stops_at_below():
    # one wrong at 初级 decides it (even with right answers up to the minimum weight it stays < 70 %)
    result = stopped(step(2, answers((2, W), (1, W))), 0)
    assert (result.estimate.ceiling, gap(2, result.estimate)) == (1, 2)
    stopped(step(2, answers((2, W), (1, R), (1, W))), 0)
    # two wrong below the target, then down to 初级
    assert step(3, answers((3, W), (2, W))) == Ask(1)
    stopped(step(3, answers((3, W), (2, W), (1, W))), 0)
    stopped(step(3, answers((3, W), (2, W), (1, R), (1, R))), 1)


def test_at_the_lowest_level_a_wrong_answer_asks_it_again_until_two_answers():
    assert step(1, answers((1, W))) == Ask(1)  # one answer is never enough for a level
    stopped(step(1, answers((1, W), (1, W))), 0)
    stopped(step(1, answers((1, W), (1, R))), 0)
    stopped(step(1, answers((1, R), (1, R))), 1)


def test_mixed_answers_continue_and_stop_at_the_limit_with_the_best_estimate():
    mixed = answers((3, R), (3, W), (2, W), (1, R))
    result = stopped(step(3, mixed), 0, decided=False)
    assert result.asked == 4 and result.estimate.ceiling == 2
    assert step(3, mixed[:3]) == Ask(1)
    # a lower limit stops sooner, with whatever the answers say (未评估 after one answer)
    stopped(step(3, answers((3, R), (3, W)), Rules(max_questions=2)), 0, decided=False)
    stopped(step(2, answers((2, R)), Rules(max_questions=1)), None, decided=False)


def test_partial_credit_below_the_threshold_counts_as_wrong_for_the_next_level():
    assert step(2, answers((2, 0.5))) == Ask(1)
    assert step(2, answers((2, 0.7))) == Ask(2)


def test_ceiling_probing_asks_above_a_held_target():
    probe = Rules(probe_ceiling=True)
    assert step(2, answers((2, R), (2, R)), probe) == Ask(3)
    stopped(step(2, answers((2, R), (2, R), (3, W)), probe), 2)
    stopped(step(2, answers((2, R), (2, R), (3, R), (3, R)), probe), 3)
    stopped(step(3, answers((3, R), (3, R)), probe), 3)  # nothing above 高级


def test_rules_and_targets_are_checked():
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="最多题数"):
            Rules(max_questions=bad)
    with pytest.raises(ValueError, match="能力等级"):
        step(4, [])


def walk(target, rules, taken=()):
    """Every path the diagnostic can take with right/wrong answers: (answers, stop)."""
    result = step(target, list(taken), rules)
    if isinstance(result, Stop):
        yield list(taken), result
        return
    for earned in (R, W):
        yield from walk(target, rules, (*taken, Answer(result.level, earned)))


@pytest.mark.parametrize("limit", [2, 3, 4, 6])
@pytest.mark.parametrize("probe", [False, True])
@pytest.mark.parametrize("target", [1, 2, 3])
def test_every_path_keeps_to_the_limit_and_a_decided_stop_leaves_a_known_gap(target, probe, limit):
    paths = list(walk(target, Rules(max_questions=limit, probe_ceiling=probe)))
    assert paths
    for taken, result in paths:
        assert len(taken) == result.asked <= limit
        assert all(1 <= a.level <= (3 if probe else target) for a in taken)
        if result.decided:
            assert result.level is not None and gap(target, result.estimate) is not None
        # what the diagnostic assigns is what the profile shows from the same answers
        profile = estimate(build([Evidence("c", a.earned, a.level, Source.DIAGNOSTIC, 9) for a in taken],
                                 Settings()), Settings())
        assert (profile.level, profile.ceiling) == (result.level, result.estimate.ceiling)
    if limit >= 5:  # with 4, one path of 高级 (3R 3W 2W 1R) is still undecided
        assert all(result.decided for _, result in paths)


def consistent_trainee(knows):
    """Right at every level up to `knows`, wrong above it."""
    return lambda level: R if level <= knows else W


def run(target, trainee, rules=None):
    taken = []
    while isinstance(result := step(target, taken, rules), Ask):
        taken.append(Answer(result.level, trainee(result.level)))
    return taken, result


@pytest.mark.parametrize(
    ("target", "knows", "questions"),
    [(1, 0, 2), (1, 1, 2), (1, 3, 2),
     (2, 0, 2), (2, 1, 3), (2, 2, 2), (2, 3, 2),
     (3, 0, 3), (3, 1, 4), (3, 2, 3), (3, 3, 2)],
)
def test_a_consistent_trainee_is_placed_at_their_level(target, knows, questions):
    taken, result = run(target, consistent_trainee(knows))
    assert len(taken) == questions
    assert stopped(result, min(knows, target)).asked == questions


def test_with_probing_a_consistent_trainee_above_the_target_is_placed_exactly():
    taken, result = run(1, consistent_trainee(3), Rules(probe_ceiling=True))
    assert [a.level for a in taken] == [1, 1, 2, 2]  # the limit stops it before 高级
    assert (result.level, result.decided) == (2, False)
    taken, result = run(2, consistent_trainee(2), Rules(probe_ceiling=True))
    assert ([a.level for a in taken], result.level, result.decided) == ([2, 2, 3], 2, True)


def whole(targets, trainee_for, rules=None):
    """Run a whole diagnostic: returns the order of questions and the stops."""
    taken: dict = {key: [] for key in targets}
    order = []
    while (question := next_question(targets, taken, rules)) is not None:
        key, level = question
        order.append(question)
        taken[key].append(Answer(level, trainee_for(key)(level)))
        assert questions_left_at_most(targets, taken, rules) <= (rules or Rules()).max_questions * len(targets)
    return order, steps(targets, taken, rules)


def test_a_trainee_who_knows_every_target_answers_exactly_two_per_competency_round_robin():
    targets = {f"K{i}": 1 + i % 3 for i in range(10)}
    assert questions_left_at_most(targets, {}) == 40
    order, stops = whole(targets, lambda key: consistent_trainee(targets[key]))
    assert len(order) == 20
    assert [key for key, _ in order[:10]] == list(targets) == [key for key, _ in order[10:]]
    assert all(level == targets[key] for key, level in order)
    assert {key: (s.level, s.decided) for key, s in stops.items()} == {key: (t, True) for key, t in targets.items()}


def test_a_simulated_mixed_group_takes_about_two_and_a_half_questions_per_competency():
    """Each competency: the trainee truly holds a random level 0–3 and answers right with
    probability 0.9 at or below it, 0.25 above it (a guess among four options)."""
    rnd = random.Random(2026)
    counts, right_placements, total = [], 0, 0
    for _ in range(100):  # 100 trainees × 10 competencies at target 2
        targets = {f"K{i}": 2 for i in range(10)}
        truth = {key: rnd.randint(0, 3) for key in targets}

        def trainee_for(key, truth=truth):
            return lambda level: R if rnd.random() < (0.9 if level <= truth[key] else 0.25) else W

        order, stops = whole(targets, trainee_for)
        assert len(order) <= 10 * Rules().max_questions
        counts.append(len(order) / 10)
        right_placements += sum(s.level == min(truth[key], 2) for key, s in stops.items())
        total += len(stops)
    mean = sum(counts) / len(counts)
    assert 2.2 <= mean <= 2.8, mean
    assert right_placements / total >= 0.75


def test_next_question_is_none_when_every_competency_has_stopped_and_skips_stopped_ones():
    targets = {"A": 1, "B": 2}
    taken = {"A": answers((1, R), (1, R))}
    assert next_question(targets, taken) == ("B", 2)
    taken["B"] = answers((2, R), (2, R))
    assert next_question(targets, taken) is None
    assert questions_left_at_most(targets, taken) == 0
    assert next_question({}, {}) is None


def test_useful_levels_leave_out_the_levels_already_decided():
    assert list(useful_levels(2, [], 2)) == [1, 2]  # nothing known: any level up to the target
    assert list(useful_levels(2, answers((2, R)), 2)) == [1, 2]  # one right at 中级 decides nothing
    held_1 = answers((2, R), (1, R), (1, R))  # 初级 held: only 中级 can still tell
    assert list(useful_levels(2, held_1, 2)) == [2]
    not_2 = answers((2, W))  # 中级 not held: only 初级 is open
    assert list(useful_levels(2, not_2, 1)) == [1]
    assert list(useful_levels(3, answers((3, W), (2, W)), 1)) == [1]
    assert list(useful_levels(2, [], 2, Rules(probe_ceiling=True))) == [1, 2, 3]


def test_undecided_stops_leave_the_gap_unknown():
    """Right at 初级 but never asked 中级 (none left): 初级 held, the target undecided, no gap claimed."""
    result = stopped(step(2, answers((2, R), (1, R), (1, R)), Rules(max_questions=3)), 1, decided=False)
    assert gap(2, result.estimate) is None
