"""Mastery per competency: decay, source weights, levels, gaps, incremental = rebuild, JSON.

Hand-computed figures use the default Settings: half-life 180 days; weights formal 1.0, diagnostic
0.8, practice 0.5, quiz 0.3; threshold 0.7; cross-level 0.5; min weight 1.5; full weight 3.0.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.mastery import (
    Evidence,
    Settings,
    Source,
    StaleState,
    State,
    Status,
    add,
    add_retest,
    build,
    build_all,
    day_number,
    decay_to,
    empty,
    equivalent,
    estimate,
    gap,
    level_for,
    passed_retest,
    regrade,
    remove,
)

S = Settings()
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def ev(earned, level, source=Source.FORMAL, when=0, competency="c"):
    return Evidence(competency, earned, level, source, when)


def state_of(*items, settings_=S):
    state = empty(settings_)
    for item in items:
        state = add(state, item, settings_)
    return state


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# --- evidence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("difficulty", "level"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 3), (None, 2)])
def test_difficulty_maps_to_a_level_and_none_takes_the_default(difficulty, level):
    assert level_for(difficulty, default=2) == level


@pytest.mark.parametrize(("difficulty", "default"), [(0, 1), (6, 1), (True, 1), (None, 0), (None, 4)])
def test_a_difficulty_or_default_out_of_range_is_refused(difficulty, default):
    with pytest.raises(ValueError, match="难度|能力等级"):
        level_for(difficulty, default)


def test_day_numbers_from_dates_naive_utc_and_aware_datetimes():
    assert day_number(date(1970, 1, 11)) == 10.0
    assert day_number(datetime(1970, 1, 2, 12)) == 1.5  # naive = UTC, as columns store it
    beijing = timezone(timedelta(hours=8))
    assert day_number(datetime(1970, 1, 2, 20, tzinfo=beijing)) == 1.5
    assert day_number(datetime(1970, 1, 2, 12, tzinfo=UTC)) == 1.5
    assert day_number(7) == 7.0
    for bad in (float("nan"), float("inf"), "3", True, None):
        with pytest.raises(ValueError, match="时间"):
            day_number(bad)


def test_evidence_keeps_its_time_as_a_day_number_and_refuses_bad_values():
    item = Evidence("c", 1, 2, "practice", datetime(1970, 1, 3))
    assert (item.earned, item.level, item.source, item.when) == (1.0, 2, Source.PRACTICE, 2.0)
    with pytest.raises(ValueError, match="得分比例"):
        ev(1.2, 1)
    with pytest.raises(ValueError, match="得分比例"):
        ev(-0.1, 1)
    with pytest.raises(ValueError, match="能力等级"):
        ev(1, 4)
    with pytest.raises(ValueError):
        Evidence("c", 1, 1, "exam", 0)


@pytest.mark.parametrize(
    "changes",
    [{"half_life_days": 0}, {"quiz_weight": 0}, {"threshold": 0}, {"threshold": 1.1}, {"cross_level": -0.1},
     {"min_weight": 0}, {"min_weight": 4, "full_weight": 3}, {"formal_weight": float("nan")}],
)
def test_settings_refuse_values_that_make_no_sense(changes):
    with pytest.raises(ValueError):
        Settings(**changes)


# --- weights and decay -------------------------------------------------------------------------


def test_sources_weigh_formal_diagnostic_practice_quiz():
    sources = [source for source in Source if source != Source.RETEST]
    state = state_of(*(ev(0.5, 1, source) for source in sources))
    assert state.weight[0] == approx(1.0 + 0.8 + 0.5 + 0.3)
    assert state.earned[0] == approx(0.5 * 2.6)
    assert state.count == (4, 0, 0)
    assert [S.weight(source) for source in Source] == [1.0, 0.8, 0.5, 0.3, 1.0]  # a re-test weighs as formal


# --- a passed re-test supersedes what came before -------------------------------------------------


def _retest(earned: list[float], when: float, level: int = 1):
    return [ev(e, level, Source.RETEST, when) for e in earned]


def test_a_passed_retest_outweighs_the_mistakes_before_the_training():
    history = [ev(0, 1, when=d) for d in range(8)] + [ev(1, 1, when=d) for d in range(3)]  # 3 of 11 right
    before = estimate(build(history, S), S)
    assert before.status(1) == Status.NOT_HELD
    plain = estimate(build(history + [ev(1, 1, when=20) for _ in range(5)], S), S)  # five right, formal
    assert plain.status(1) != Status.HELD  # a formal exam alone does not undo the record
    after = estimate(build(history + _retest([1] * 5, 20), S), S)
    assert after.status(1) == Status.HELD and gap(1, after) == 0
    passed = build(history + _retest([1] * 5, 20), S)
    assert passed.weight[0] == approx(1.5 + 5)  # the record (11 answers: a quarter is 2.75) capped at 1.5
    short = build([ev(0, 1, when=19)] * 2 + _retest([1] * 5, 20), S)
    assert short.weight[0] == approx(decay_to(build([ev(0, 1, when=19)] * 2, S), 20, S).weight[0] * 0.25 + 5)
    assert passed.count == (16, 0, 0)


def test_a_failed_retest_supersedes_nothing():
    history = [ev(1, 1, when=d) for d in range(4)]
    failed = build(history + _retest([1, 0, 0, 1, 0], 20), S)  # 40 %
    assert failed == build(history + [ev(e, 1, when=20) for e in (1, 0, 0, 1, 0)], S)  # as formal answers
    assert not passed_retest(_retest([1, 1, 0], 20), S) and passed_retest(_retest([1, 1, 1, 0], 20), S)


def test_a_retest_added_to_a_state_equals_the_build():
    history = [ev(e, level, when=d) for d, (e, level) in enumerate([(0, 1), (1, 2), (0, 1), (0.5, 3)])]
    state = add_retest(build(history, S), _retest([1, 1, 1, 0.5], 30), S)
    assert equivalent(state, build(history + _retest([1, 1, 1, 0.5], 30), S), S)
    later = add(state, ev(0, 1, when=40), S)  # answers after the re-test count in full
    assert equivalent(later, build(history + _retest([1, 1, 1, 0.5], 30) + [ev(0, 1, when=40)], S), S)


def test_superseded_must_be_a_fraction():
    with pytest.raises(ValueError):
        Settings(superseded=1.5)


def test_an_answer_one_half_life_old_weighs_half():
    state = state_of(ev(1, 2, when=100))
    assert estimate(state, S, now=280).weight == approx(0.5)
    assert estimate(state, S, now=460).weight == approx(0.25)
    # added to a state that is already a half-life later, it counts half at once
    later = decay_to(empty(S), 280, S)
    assert add(later, ev(1, 2, when=100), S).weight == approx((0.0, 0.5, 0.0))


def test_decay_never_goes_backwards():
    state = state_of(ev(1, 1, when=50))
    assert decay_to(state, 10, S) == state
    assert estimate(state, S, now=10).weight == approx(1.0)


def test_a_half_life_setting_changes_the_ageing():
    fast = Settings(half_life_days=30)
    state = state_of(ev(1, 1, when=0), settings_=fast)
    assert estimate(state, fast, now=60).weight == approx(0.25)


def test_confidence_grows_with_evidence_and_fades_with_age():
    state = empty(S)
    confidences = []
    for _ in range(4):
        state = add(state, ev(1, 2), S)
        confidences.append(estimate(state, S).confidence)
    assert confidences == [approx(1 / 3), approx(2 / 3), 1.0, 1.0]
    assert estimate(state, S, now=180).confidence == approx(2 / 3)  # 4 answers × ½


# --- levels --------------------------------------------------------------------------------------


def test_no_evidence_is_unassessed():
    mastery = estimate(empty(S), S)
    assert (mastery.level, mastery.ceiling, mastery.score, mastery.confidence, mastery.weight) == (
        None, None, None, 0.0, 0.0)
    assert [f.status for f in mastery.levels] == [Status.UNKNOWN] * 3
    assert [f.rate for f in mastery.levels] == [None] * 3


def test_one_answer_is_not_enough_for_a_level():
    mastery = estimate(state_of(ev(1, 2)), S)
    assert mastery.level is None and mastery.score is None
    assert mastery.status(2) is Status.UNKNOWN  # 1/1.5 < 0.7 even if right


def test_two_right_formal_answers_hold_the_level():
    mastery = estimate(state_of(ev(1, 2), ev(1, 2)), S)
    assert (mastery.level, mastery.ceiling) == (2, None)
    assert mastery.status(2) is Status.HELD
    # level 1 sees the two right answers at half weight: 1.0 of 1.0, but 1.0 < 1.5 → unknown
    assert (mastery.levels[0].success, mastery.levels[0].weight) == (approx(1.0), approx(1.0))
    assert mastery.status(1) is Status.UNKNOWN
    # level 3: nothing → progress 0, score exactly 2
    assert mastery.score == 2.0


def test_just_at_the_threshold_holds_the_level_and_just_below_does_not():
    at = state_of(*(ev(1, 2) for _ in range(7)), *(ev(0, 2) for _ in range(3)))
    assert estimate(at, S).levels[1].rate == approx(0.7)
    assert estimate(at, S).level == 2
    below = state_of(*(ev(0.69, 2) for _ in range(10)))
    mastery = estimate(below, S)
    assert mastery.status(2) is Status.NOT_HELD
    # …but the 6.9 earned at level 2 count for level 1 at half weight: 3.45 of 3.45 → held
    assert (mastery.levels[0].success, mastery.levels[0].weight) == (approx(3.45), approx(3.45))
    assert (mastery.level, mastery.ceiling) == (1, 2)
    assert mastery.score == approx(1 + 6.9 / (0.7 * 10))


def test_right_answers_at_a_higher_level_hold_it_directly():
    mastery = estimate(state_of(ev(1, 3), ev(1, 3)), S)
    assert mastery.level == 3 and mastery.score == 3.0
    # for level 2: 2 × 0.5 earned; for level 1: 2 × 0.25
    assert mastery.levels[1].success == approx(1.0) and mastery.levels[0].success == approx(0.5)


def test_wrong_answers_at_a_lower_level_count_against_the_higher():
    mastery = estimate(state_of(ev(1, 2), ev(1, 2), *(ev(0, 1) for _ in range(4))), S)
    level1, level2, level3 = mastery.levels
    # level 2: 2 right + 0.5 × 4 missed at level 1 → 2 of 4
    assert (level2.success, level2.weight, level2.status) == (approx(2), approx(4), Status.NOT_HELD)
    # level 1: 0 right of 4, + 0.5 × 2 earned at level 2 → 1 of 5
    assert (level1.success, level1.weight, level1.status) == (approx(1), approx(5), Status.NOT_HELD)
    # level 3: 0.25 × 4 missed at level 1 + 0.5 × 0 missed at level 2 → 0 of 1, even +0.5 right < 0.7
    assert (level3.success, level3.weight, level3.status) == (approx(0), approx(1), Status.NOT_HELD)
    assert (mastery.level, mastery.ceiling, mastery.score) == (0, 1, approx(1 / (0.7 * 5)))


def test_failing_advanced_questions_says_nothing_about_the_levels_below():
    mastery = estimate(state_of(ev(0, 3), ev(0, 3)), S)
    assert [f.status for f in mastery.levels] == [Status.UNKNOWN, Status.UNKNOWN, Status.NOT_HELD]
    assert (mastery.level, mastery.ceiling, mastery.score) == (0, 3, 0.0)
    assert [gap(target, mastery) for target in (1, 2, 3)] == [None, None, 3]


def test_a_level_is_decided_early_when_more_evidence_could_not_change_it():
    # one diagnostic wrong (0.8): topped up to 1.5 with right answers, 0.7/1.5 < 0.7 → not held
    assert estimate(state_of(ev(0, 1, Source.DIAGNOSTIC)), S).status(1) is Status.NOT_HELD
    # one quiz wrong (0.3): 1.2/1.5 = 0.8 → could still be held
    assert estimate(state_of(ev(0, 1, Source.QUIZ)), S).status(1) is Status.UNKNOWN
    # one formal right (1.0) and one quiz right (0.3): 1.3 topped up with wrong, 1.3/1.5 ≥ 0.7 → held
    both = estimate(state_of(ev(1, 1), ev(1, 1, Source.QUIZ)), S)
    assert both.status(1) is Status.HELD and both.level is None  # total 1.3 < 1.5: still 未评估


def test_score_is_the_level_plus_progress_to_the_next():
    mastery = estimate(state_of(ev(1, 1), ev(1, 1), ev(1, 2)), S)
    # level 1: 2 + 0.5 of 2.5 → held; level 2: 1 of 1 → 1/1.5 < 0.7 → unknown
    assert (mastery.level, mastery.ceiling) == (1, None)
    assert mastery.score == approx(1 + 1 / (0.7 * 1.5))
    assert mastery.confidence == 1.0


def test_old_evidence_fades_back_to_unassessed():
    state = state_of(ev(1, 2, when=0), ev(1, 2, when=0))
    assert estimate(state, S, now=0).level == 2
    assert estimate(state, S, now=180).level is None  # weight 1.0 < 1.5


# --- gap -----------------------------------------------------------------------------------------


def test_gap_values():
    held2 = estimate(state_of(ev(1, 2), ev(1, 2)), S)
    assert [gap(target, held2) for target in (1, 2, 3)] == [0, 0, None]  # level 3 never asked
    edge1 = estimate(state_of(*(ev(0.69, 2) for _ in range(10))), S)  # level 1, level 2 not held
    assert [gap(target, edge1) for target in (1, 2, 3)] == [0, 1, 2]
    nothing = estimate(state_of(*(ev(0, 1) for _ in range(2))), S)
    assert (nothing.level, nothing.ceiling) == (0, 1)
    assert [gap(target, nothing) for target in (1, 2, 3)] == [1, 2, 3]
    unassessed = estimate(empty(S), S)
    assert [gap(target, unassessed) for target in (1, 2, 3)] == [None, None, None]
    with pytest.raises(ValueError):
        gap(0, held2)


# --- incremental updates ------------------------------------------------------------------------


def test_add_then_remove_gives_back_the_state():
    base = state_of(ev(1, 1, when=3), ev(0.5, 2, Source.PRACTICE, when=10))
    extra = ev(0.25, 2, Source.QUIZ, when=7)
    assert equivalent(remove(add(base, extra, S), extra, S), base, S)
    # removing the last answer at a level leaves exact zeros, not rounding dust
    only = remove(state_of(ev(0.3, 3, when=1)), ev(0.3, 3, when=1), S)
    assert (only.earned, only.weight, only.count) == ((0.0,) * 3, (0.0,) * 3, (0, 0, 0))


def test_removing_what_was_never_added_is_refused():
    with pytest.raises(ValueError, match="撤回"):
        remove(empty(S), ev(1, 1), S)
    with pytest.raises(ValueError, match="撤回"):
        remove(state_of(ev(1, 1, when=5)), ev(1, 2, when=5), S)
    with pytest.raises(ValueError, match="撤回"):
        remove(state_of(ev(1, 1, when=5)), ev(1, 1, when=6), S)


def test_a_regrade_equals_having_graded_it_so_from_the_start():
    old, new = ev(0, 2, when=20), ev(1, 2, when=20)
    before = state_of(ev(1, 2, when=0), old, ev(1, 1, when=40))
    after = regrade(before, old, new, S)
    assert equivalent(after, build([ev(1, 2, when=0), new, ev(1, 1, when=40)], S), S)
    assert estimate(after, S).level == 2


def test_equivalent_compares_at_the_same_day_and_notices_differences():
    a = state_of(ev(1, 1, when=0))
    assert equivalent(a, decay_to(a, 500, S), S)
    assert not equivalent(a, state_of(ev(0.9, 1, when=0)), S)
    assert not equivalent(a, state_of(ev(1, 2, when=0)), S)
    assert equivalent(empty(S), decay_to(empty(S), 9, S), S)


def test_a_state_built_with_other_weights_must_be_rebuilt():
    state = state_of(ev(1, 1))
    for other in (Settings(half_life_days=90), Settings(quiz_weight=0.2)):
        with pytest.raises(StaleState, match="重新计算"):
            add(state, ev(1, 1), other)
        with pytest.raises(StaleState):
            estimate(state, other)
    # thresholds do not touch the sums: the same state reads under a stricter threshold
    assert estimate(state_of(ev(1, 2), ev(0.75, 2)), Settings(threshold=0.9)).status(2) is Status.NOT_HELD


def test_build_all_gives_one_state_per_competency():
    items = [ev(1, 1, competency=7), ev(0, 2, competency=8), ev(1, 1, competency=7, when=3)]
    states = build_all(items, S)
    assert set(states) == {7, 8}
    assert states[7].count == (2, 0, 0) and states[8].count == (0, 1, 0)
    assert states[7].as_of == 3.0


EVIDENCE = st.builds(
    Evidence,
    competency=st.just("c"),
    earned=st.sampled_from([0.0, 0.25, 0.5, 0.7, 1.0]) | st.floats(0, 1),
    level=st.sampled_from([1, 2, 3]),
    source=st.sampled_from([s for s in Source if s != Source.RETEST]),  # re-tests: rebuilt, not added
    when=st.integers(0, 2000) | st.floats(0, 2000, allow_nan=False),
)


@PROPERTY
@given(st.lists(st.tuples(EVIDENCE, st.booleans(), EVIDENCE), max_size=30), st.randoms(use_true_random=False),
       st.floats(0, 3000, allow_nan=False))
def test_incremental_updates_in_any_order_equal_a_rebuild(series, rnd, later):
    """Answers arrive in any order (not by date); some are regraded (old → new) some time later."""
    answers = [(first, Evidence("c", second.earned, second.level, second.source, first.when) if again else None)
               for first, again, second in series]
    tokens = [i for i, (_, new) in enumerate(answers) for _ in range(1 if new is None else 2)]
    rnd.shuffle(tokens)  # an answer's first token adds it, its second regrades it
    state, seen = empty(S), set()
    for i in tokens:
        old, new = answers[i]
        state = regrade(state, old, new, S) if i in seen else add(state, old, S)
        seen.add(i)
    rebuilt = build([old if new is None else new for old, new in answers], S)
    assert equivalent(state, rebuilt, S)
    now = later + max((old.when for old, _ in answers), default=0)
    a, b = estimate(state, S, now=now), estimate(rebuilt, S, now=now)
    assert (a.level, a.ceiling) == (b.level, b.ceiling)
    assert [f.status for f in a.levels] == [f.status for f in b.levels]
    assert a.confidence == pytest.approx(b.confidence, rel=1e-9, abs=1e-12)


@PROPERTY
@given(st.lists(EVIDENCE, max_size=20))
def test_the_state_round_trips_through_json(items):
    state = build(items, S)
    text = json.dumps(state.to_dict())
    assert State.from_dict(json.loads(text)) == state
    assert len(text) < 300


def test_the_json_form_is_small_and_versioned():
    state = state_of(ev(1, 1, when=2), ev(0.5, 3, Source.QUIZ, when=2))
    assert state.to_dict() == {"v": 1, "basis": [180.0, 1.0, 0.8, 0.5, 0.3], "as_of": 2.0,
                               "earned": [1.0, 0.0, 0.15], "weight": [1.0, 0.0, 0.3], "count": [1, 0, 1]}


@pytest.mark.parametrize(
    "change",
    [{"v": 2}, {"count": [1, 0]}, {"count": [-1, 0, 1]}, {"count": [1.0, 0, 1]}, {"weight": [1.0, "x", 0.3]},
     {"earned": [float("inf"), 0, 0]}, {"as_of": "today"}, {"extra": 1}, {"basis": [180.0]}],
)
def test_a_damaged_or_foreign_json_form_is_refused(change):
    data = state_of(ev(1, 1, when=2), ev(0.5, 3, Source.QUIZ, when=2)).to_dict() | change
    with pytest.raises(ValueError, match="格式"):
        State.from_dict(data)
    with pytest.raises(ValueError, match="格式"):
        State.from_dict({k: v for k, v in data.items() if k != "as_of"})


def test_many_updates_stay_constant_in_size():
    rnd = random.Random(12)
    state = empty(S)
    for day in range(3000):
        state = add(state, ev(rnd.choice([0, 1]), rnd.choice([1, 2, 3]), rnd.choice(list(Source)), when=day), S)
    assert len(json.dumps(state.to_dict())) < 300
    assert sum(state.count) == 3000
