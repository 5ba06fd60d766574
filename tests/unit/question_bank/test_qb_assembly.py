"""The paper draw: determinism from the seed, least-seen order, equal difficulty, pool messages."""

from __future__ import annotations

import random
import statistics

import pytest

from question_bank.assembly import (
    AUTHOR_FACILITY,
    Blueprint,
    PoolQuestion,
    PoolTooSmall,
    Rule,
    draw,
    dry_run,
    expected_facility,
    pool_target,
    spread,
)


def pool(ids, facility=0.6, keys=("A", "B", "C", "D")):
    return tuple(PoolQuestion(i, 1000 + i, facility if not callable(facility) else facility(i), keys)
                 for i in ids)


def rule(ids, count, *, section="一、单选题", source="知识点「道路交通安全法」", qtype="single",
         points=100, facility=0.6, fixed=False):
    return Rule(section, source, qtype, count, points, pool(ids, facility), fixed)


def test_same_seed_same_paper_and_another_seed_another():
    blueprint = Blueprint((rule(range(1, 101), 20), rule(range(101, 201), 10, section="二、判断题")))
    first, again, other = draw(blueprint, 7), draw(blueprint, 7), draw(blueprint, 8)
    assert first == again
    assert [i.question_id for i in first.items] != [i.question_id for i in other.items]
    assert [i.slot for i in first.items] == list(range(1, 31))
    assert [i.section for i in first.items] == ["一、单选题"] * 20 + ["二、判断题"] * 10
    ids = [i.question_id for i in first.items]
    assert len(set(ids)) == 30
    assert all(i.version_id == 1000 + i.question_id for i in first.items)


def test_options_are_shuffled_per_attempt_and_relettered():
    blueprint = Blueprint((rule(range(1, 41), 40),))
    paper = draw(blueprint, 3)
    orders = {item.option_order for item in paper.items}
    assert len(orders) > 1
    assert all(sorted(item.option_order) == ["A", "B", "C", "D"] for item in paper.items)
    item = paper.items[0]
    for letter in "ABCD":
        assert item.display_key(item.own_key(letter)) == letter
    assert item.own_key("E") is None and item.own_key("AB") is None
    unshuffled = draw(Blueprint((rule(range(1, 41), 40),), shuffle_options=False), 3)
    assert all(item.option_order == ("A", "B", "C", "D") for item in unshuffled.items)


def test_least_seen_first_over_earlier_attempts():
    blueprint = Blueprint((rule(range(1, 31), 10),))
    seen: dict[int, int] = {}
    drawn_rounds = []
    for attempt in range(3):
        paper = draw(blueprint, 100 + attempt, seen)
        ids = {item.question_id for item in paper.items}
        drawn_rounds.append(ids)
        for question_id in ids:
            seen[question_id] = seen.get(question_id, 0) + 1
    # Three attempts of 10 from 30: every question exactly once.
    assert set().union(*drawn_rounds) == set(range(1, 31))
    assert all(count == 1 for count in seen.values())
    # The fourth attempt must again take unseen-most-rarely: all have been seen once, any 10 do.
    seen.update({q: 2 for q in range(1, 6)})
    fourth = {item.question_id for item in draw(blueprint, 200, seen).items}
    assert not fourth & set(range(1, 6))


def test_pool_too_small_names_the_rule():
    blueprint = Blueprint((rule(range(1, 31), 10),
                           rule(range(31, 45), 20, source="知识点「道路交通安全法」")))
    assert dry_run(blueprint) == ["第2条规则：知识点「道路交通安全法」的单选题仅有 14 道，需要 20 道"]
    with pytest.raises(PoolTooSmall) as raised:
        draw(blueprint, 1)
    assert raised.value.problems == ("第2条规则：知识点「道路交通安全法」的单选题仅有 14 道，需要 20 道",)


def test_every_small_pool_is_reported_and_a_zero_count_too():
    blueprint = Blueprint((rule(range(1, 4), 5, source="分类「事故处理」"),
                           rule(range(10, 20), 0, source="标签「重点」", qtype="multiple"),
                           rule((), 1, source="知识点「执法记录仪」", qtype="truefalse")))
    assert dry_run(blueprint) == [
        "第1条规则：分类「事故处理」的单选题仅有 3 道，需要 5 道",
        "第2条规则：题目数量应大于 0",
        "第3条规则：知识点「执法记录仪」的判断题仅有 0 道，需要 1 道",
    ]
    assert dry_run(Blueprint(())) == ["组卷规则中还没有任何题目"]


def test_shared_pools_are_checked_after_overlap():
    broad = rule(range(1, 13), 8, source="分类「道路执勤」")
    narrow = rule(range(1, 6), 5, source="分类「道路执勤/酒驾查处」")
    # 12 distinct questions for 13 places: the overlap leaves the broad rule short.
    messages = dry_run(Blueprint((broad, rule(range(1, 6), 5, source="分类「道路执勤/酒驾查处」"))))
    assert messages == ["第1条规则：分类「道路执勤」的单选题与其他规则共用题目，去掉已被抽走的题后仅剩 7 道，需要 8 道"]
    # With 7 in the broad rule it fits: the narrow rule is drawn first, so it is never starved.
    fitting = Blueprint((rule(range(1, 13), 7, source="分类「道路执勤」"), narrow))
    assert dry_run(fitting) == []
    for seed in range(30):
        ids = [i.question_id for i in draw(fitting, seed).items]
        assert len(ids) == len(set(ids)) == 12


def test_fixed_paper_keeps_its_order():
    chosen = (rule((9, 3, 7, 1), 4, fixed=True),)
    paper = draw(Blueprint(chosen, shuffle_questions=True, shuffle_options=False), 5)
    assert [i.question_id for i in paper.items] == [9, 3, 7, 1]


def test_questions_shuffle_within_sections_only_when_asked():
    rules = (rule(range(1, 11), 5), rule(range(11, 21), 5, section="一、单选题", source="另一来源"))
    unshuffled = draw(Blueprint(rules, shuffle_questions=False), 4)
    assert [i.rule for i in unshuffled.items] == [1] * 5 + [2] * 5
    mixed = {tuple(i.rule for i in draw(Blueprint(rules), seed).items) for seed in range(10)}
    assert any(order != (1,) * 5 + (2,) * 5 for order in mixed)


def test_expected_facility_measured_or_from_the_author():
    assert expected_facility(1) == AUTHOR_FACILITY[1]
    assert expected_facility(None) == 0.6
    assert expected_facility(5, measured=0.9, answers=29) == AUTHOR_FACILITY[5]
    assert expected_facility(5, measured=0.9, answers=30) == 0.9
    assert expected_facility(3, measured=1.4, answers=40) == 1.0


def _spread_pool(seed):
    rng = random.Random(seed)
    return lambda i: round(rng.uniform(0.2, 0.98), 3)


def test_papers_are_equally_hard_within_the_tolerance():
    facility = _spread_pool(1)
    rules = (rule(range(1, 201), 15, facility=facility),
             rule(range(201, 301), 5, section="二、多选题", qtype="multiple", facility=facility))
    blueprint = Blueprint(rules, tolerance=0.02)
    target = pool_target(blueprint)
    papers = [draw(blueprint, seed) for seed in range(200)]
    assert all(paper.within_tolerance for paper in papers)
    assert all(abs(paper.expected_facility - target) <= 0.02 + 1e-9 for paper in papers)
    for paper in papers:
        chosen = {i.question_id for i in paper.items}
        assert len(chosen) == 20
        measured = statistics.fmean(facility_of(rules, q) for q in chosen)
        assert measured == pytest.approx(paper.expected_facility)
    summary = spread(papers)
    assert summary["count"] == 200 and summary["max"] - summary["min"] <= 0.04 + 1e-9
    # Without balancing, random draws of this pool spread much wider: the balance did the work.
    swapped = sum(paper.swaps for paper in papers)
    assert swapped > 0


def facility_of(rules, question_id):
    return next(q.facility for r in rules for q in r.pool if q.question_id == question_id)


def test_a_set_target_is_reached_and_reported_when_out_of_reach():
    facility = _spread_pool(2)
    rules = (rule(range(1, 101), 10, facility=facility),)
    easy = draw(Blueprint(rules, target=0.8, tolerance=0.03), 9)
    assert easy.within_tolerance and abs(easy.expected_facility - 0.8) <= 0.03
    impossible = draw(Blueprint(rules, target=0.99, tolerance=0.001), 9)
    assert not impossible.within_tolerance
    assert impossible.target == 0.99


def test_balancing_stays_in_the_least_seen_tier_when_it_can():
    facility = _spread_pool(3)
    rules = (rule(range(1, 61), 10, facility=facility),)
    seen = {q: 1 for q in range(1, 31)}  # 30 seen once, 30 never seen: the draw takes unseen only
    for seed in range(40):
        paper = draw(Blueprint(rules, tolerance=0.03), seed, seen)
        assert all(item.question_id > 30 for item in paper.items), seed


def test_the_draw_is_deterministic_with_seen_counts_and_balancing():
    facility = _spread_pool(4)
    rules = (rule(range(1, 301), 25, facility=facility), rule(range(301, 401), 10, facility=facility,
                                                              section="二、判断题", qtype="truefalse"))
    seen = {q: q % 3 for q in range(1, 401)}
    blueprint = Blueprint(rules, tolerance=0.01)
    assert draw(blueprint, 12345, seen) == draw(blueprint, 12345, seen)
