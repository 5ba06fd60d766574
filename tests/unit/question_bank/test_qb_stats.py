"""Item analysis (question_bank.stats) against figures computed by hand on small fixtures.

Fixture A — six trainees T1…T6, one fixed paper of four questions (points in brackets):

    item 1 单选 [1], key A, options A B C D     chosen: T1 A  T2 A  T3 B  T4 A  T5 C  T6 B
    item 2 单选 [1], key B, options A B C       chosen: T1 B  T2 B  T3 B  T4 A  T5 B  T6 —
    item 3 判断 [1], key 对                      chosen: T1 对 T2 错 T3 对 T4 对 T5 错 T6 错
    item 4 简答 [2], marked                      score:  T1 2  T2 1  T3 1  T4 0  T5 1  T6 0

    scores (points)  T1 T2 T3 T4 T5 T6
      item 1          1  1  0  1  0  0
      item 2          1  1  1  0  1  0
      item 3          1  0  1  1  0  0
      item 4          2  1  1  0  1  0
      total X         5  3  3  2  2  0

Exam: mean X = 15/6 = 2.5; E[X²] = (25+9+9+4+4+0)/6 = 51/6 = 8.5; σ²ₓ = 8.5 − 6.25 = 2.25; SD = 1.5.
Item variances (points, population): 1/4, 2/9 (p = 2/3), 1/4, and for item 4
E[x²] − E[x]² = 7/6 − 25/36 = 17/36; Σ = 9/36 + 8/36 + 9/36 + 17/36 = 43/36.
α = 4/3 · (1 − (43/36)/(9/4)) = 4/3 · (1 − 43/81) = 4/3 · 38/81 = 152/243 ≈ 0.6255.
SEM = 1.5 · √(1 − 152/243) = 1.5 · √(91/243) ≈ 0.9179.

Groups: n = 6, g = round(0.27 · 6) = round(1.62) = 2. Sorted high to low 5 3 3 2 2 0: the 2nd highest
is 3, and T3 ties with T2, so the upper group is {T1, T2, T3}; from the bottom 0 2 2: the 2nd lowest
is 2, tied by T4 and T5, so the lower group is {T6, T4, T5}.

Facility and D (upper mean − lower mean of score/possible):
    item 1: 3/6 = 0.5;   D = (1+1+0)/3 − (1+0+0)/3 = 1/3
    item 2: 4/6 = 2/3;   D = (1+1+1)/3 − (0+1+0)/3 = 2/3
    item 3: 3/6 = 0.5;   D = (1+0+1)/3 − (1+0+0)/3 = 1/3
    item 4: 2.5/6 = 5/12; D = (1+½+½)/3 − (0+½+0)/3 = 2/3 − 1/6 = 1/2

Corrected point-biserial, r(item score, rest = X − item score):
    item 1: x 1 1 0 1 0 0, rest 4 2 3 1 2 0 (mean 2). cov = 7/6 − ½·2 = 1/6; var x = 1/4;
            var rest = 34/6 − 4 = 5/3; r = (1/6)/√(1/4 · 5/3) = √(1/15) ≈ 0.2582
    item 2: x 1 1 1 0 1 0, rest 4 2 2 2 1 0 (mean 11/6). cov = 9/6 − (2/3)(11/6) = 5/18;
            var x = 2/9; var rest = 29/6 − 121/36 = 53/36; r = (5/18)/√(2/9 · 53/36) = 5/√106 ≈ 0.4856
    item 3: x 1 0 1 1 0 0, rest 4 3 2 1 2 0 (mean 2). cov = 7/6 − 1 = 1/6; var rest = 34/6 − 4 = 5/3;
            r = √(1/15), as item 1
    item 4: x 2 1 1 0 1 0, rest 3 2 2 2 1 0 (mean 5/3). cov = 11/6 − (5/6)(5/3) = 4/9; var x = 17/36;
            var rest = 22/6 − 25/9 = 8/9; r = (4/9)/√(17/36 · 8/9) = 8/√136 ≈ 0.6860

Options (share of all / of the upper group / of the lower group; r with the item's rest score):
    item 1 A (key): 3/6, 2/3, 1/3; r = √(1/15) (choosing A is the item score)
           B: 2/6, 1/3, 1/3; ind 0 0 1 0 0 1: cov = 3/6 − (1/3)·2 = −1/6; var ind = 2/9;
              r = (−1/6)/√(2/9 · 5/3) = −√(3/40) ≈ −0.2739
           C: 1/6, 0, 1/3; cov = 2/6 − (1/6)·2 = 0; r = 0
           D: nobody: 0, 0, 0, r unknown (无人选择)
    item 2 A: 1/6, 0, 1/3; cov = 2/6 − (1/6)(11/6) = 1/36; var ind = 5/36;
              r = (1/36)/√(5/36 · 53/36) = 1/√265 ≈ 0.0614
           B (key): 4/6, 1, 1/3; r = 5/√106.   C: 0.   unanswered: 1 (T6)
    item 3 对 (key): 3/6, 2/3, 1/3, r = √(1/15);  错: 3/6, 1/3, 2/3, r = −√(1/15)
No flags: facilities lie in [0.2, 0.95], every D ≥ 0.1, every key chosen, no distractor beats a key.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import stats
from question_bank.stats import Item, Response, analyse
from question_bank.stats_flags import flags

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

PEOPLE = ("T1", "T2", "T3", "T4", "T5", "T6")


def _responses(table: dict[int, list], points: dict[int, int], keys: dict[int, frozenset], scores=None):
    """Responses from per-item columns of choices (choice items) or scores in points (others)."""
    out = []
    for item_id, column in table.items():
        for person, entry in enumerate(column, start=1):
            if item_id in keys:
                chosen = frozenset() if entry is None else frozenset({entry})
                earned = points[item_id] if chosen & keys[item_id] else 0
            else:
                chosen, earned = None, entry * 100
            out.append(Response(person, item_id, earned, points[item_id], chosen))
    return out


FIXTURE_A_ITEMS = (Item(1, ("A", "B", "C", "D"), frozenset({"A"})), Item(2, ("A", "B", "C"), frozenset({"B"})),
                   Item(3, ("对", "错"), frozenset({"对"})), Item(4))
FIXTURE_A = _responses(
    {1: ["A", "A", "B", "A", "C", "B"], 2: ["B", "B", "B", "A", "B", None],
     3: ["对", "错", "对", "对", "错", "错"], 4: [2, 1, 1, 0, 1, 0]},
    {1: 100, 2: 100, 3: 100, 4: 200}, {item.item_id: item.keys for item in FIXTURE_A_ITEMS if item.options})


@pytest.fixture
def a():
    return analyse(FIXTURE_A_ITEMS, FIXTURE_A)


def test_exam_figures_of_fixture_a(a):
    exam = a.exam
    assert (exam.sittings, exam.items_per_paper, exam.max_score) == (6, 4, 500)
    assert exam.mean_score.value == pytest.approx(250)
    assert exam.sd.value == pytest.approx(150)
    assert exam.alpha.value == pytest.approx(152 / 243)
    assert exam.sem.value == pytest.approx(150 * math.sqrt(91 / 243))
    assert (exam.upper, exam.lower, exam.groups_note) == (3, 3, "")


def test_groups_include_everyone_tied_at_the_cut():
    upper, lower, note = stats.groups({1: 5, 2: 3, 3: 3, 4: 2, 5: 2, 6: 0})
    assert (upper, lower, note) == ({1, 2, 3}, {4, 5, 6}, "")
    # Without ties exactly g = round(0.27·n): n = 10 → 3 each.
    upper, lower, _ = stats.groups({i: i for i in range(10)})
    assert (upper, lower) == ({7, 8, 9}, {0, 1, 2})
    # Everybody equal: no groups, and the reason.
    assert stats.groups({1: 4, 2: 4, 3: 4}) == (frozenset(), frozenset(), stats.NO_GROUPS)


@pytest.mark.parametrize(("item_id", "facility", "d", "r"), [
    (1, 0.5, 1 / 3, math.sqrt(1 / 15)),
    (2, 2 / 3, 2 / 3, 5 / math.sqrt(106)),
    (3, 0.5, 1 / 3, math.sqrt(1 / 15)),
    (4, 5 / 12, 1 / 2, 8 / math.sqrt(136)),
])
def test_item_figures_of_fixture_a(a, item_id, facility, d, r):
    item = a.item(item_id)
    assert item.answers == 6
    assert item.facility.value == pytest.approx(facility)
    assert item.discrimination.value == pytest.approx(d)
    assert item.point_biserial.value == pytest.approx(r)


def _options(item):
    return {o.key: (o.is_key, o.chosen, o.share.value, o.upper_share.value, o.lower_share.value,
                    o.point_biserial.value) for o in item.options}


def test_option_figures_of_fixture_a(a):
    approx = pytest.approx
    assert _options(a.item(1)) == {
        "A": (True, 3, 0.5, approx(2 / 3), approx(1 / 3), approx(math.sqrt(1 / 15))),
        "B": (False, 2, approx(1 / 3), approx(1 / 3), approx(1 / 3), approx(-math.sqrt(3 / 40))),
        "C": (False, 1, approx(1 / 6), 0, approx(1 / 3), approx(0, abs=1e-12)),
        "D": (False, 0, 0, 0, 0, None)}
    assert a.item(1).options[3].point_biserial.note == stats.NOBODY
    assert _options(a.item(2)) == {
        "A": (False, 1, approx(1 / 6), 0, approx(1 / 3), approx(1 / math.sqrt(265))),
        "B": (True, 4, approx(2 / 3), 1, approx(1 / 3), approx(5 / math.sqrt(106))),
        "C": (False, 0, 0, 0, 0, None)}
    assert (a.item(2).unanswered, a.item(1).unanswered, a.item(4).unanswered) == (1, 0, 0)
    assert _options(a.item(3)) == {
        "对": (True, 3, 0.5, approx(2 / 3), approx(1 / 3), approx(math.sqrt(1 / 15))),
        "错": (False, 3, 0.5, approx(1 / 3), approx(2 / 3), approx(-math.sqrt(1 / 15)))}
    assert a.item(4).options == ()


def test_fixture_a_has_no_flags(a):
    assert flags(a, min_answers=6) == ()


# Fixture B — flags. Six trainees, five questions:
#   item 1 单选 [1] key A: everybody A                      → scores 1 1 1 1 1 1
#   item 2 单选 [1] key B: A C A C A —                      → scores 0 0 0 0 0 0
#   item 3 填空 [1]:                                         scores 0 0 1 0 1 1
#   item 4 单选 [1] key A: B B A A A C                      → scores 0 0 1 1 1 0
#   item 5 简答 [4]:                                         scores 4 4 2 2 0 0
#   totals: T1 5, T2 5, T3 5, T4 4, T5 3, T6 2
# g = 2; the 2nd highest total is 5 (T1, T2, T3 tie): upper {T1, T2, T3}; the 2nd lowest is 3: lower {T6, T5}.
#   item 1: facility 1 > 0.95 → too_easy (D = 0, but extreme facility explains it: no "low")
#   item 2: facility 0 < 0.2 → too_hard; nobody chose B → key_unchosen; upper group chose A 2/3 (T1, T3)
#           against the key's 0 → distractor A
#   item 3: D = (0+0+1)/3 − (1+1)/2 = −2/3 → negative
#   item 4: D = (0+0+1)/3 − (0+1)/2 = −1/6 → negative; upper group B 2/3 against key A 1/3 → distractor B
#   item 5: facility 12/24 = 0.5, D = (1+1+½)/3 − 0 = 5/6 → nothing
FIXTURE_B_ITEMS = (Item(1, ("A", "B", "C"), frozenset({"A"})), Item(2, ("A", "B", "C"), frozenset({"B"})),
                   Item(3), Item(4, ("A", "B", "C"), frozenset({"A"})), Item(5))
FIXTURE_B = _responses(
    {1: ["A"] * 6, 2: ["A", "C", "A", "C", "A", None], 3: [0, 0, 1, 0, 1, 1],
     4: ["B", "B", "A", "A", "A", "C"], 5: [4, 4, 2, 2, 0, 0]},
    {1: 100, 2: 100, 3: 100, 4: 100, 5: 400}, {1: frozenset("A"), 2: frozenset("B"), 4: frozenset("A")})


def test_flags_of_fixture_b_with_their_reasons():
    b = analyse(FIXTURE_B_ITEMS, FIXTURE_B)
    found = flags(b, min_answers=6)
    assert b.item(3).discrimination.value == pytest.approx(-2 / 3)
    assert b.item(4).discrimination.value == pytest.approx(-1 / 6)
    assert b.item(5).discrimination.value == pytest.approx(5 / 6)
    assert [(f.item_id, f.code) for f in found] == [
        (1, "too_easy"), (2, "too_hard"), (2, "key_unchosen"), (2, "distractor"), (3, "negative"),
        (4, "negative"), (4, "distractor")]
    reasons = {(f.item_id, f.code): f.reason for f in found}
    assert reasons[(1, "too_easy")].startswith("太容易：得分率 100%")
    assert reasons[(2, "too_hard")].startswith("太难：得分率只有 0%")
    assert reasons[(2, "key_unchosen")] == "没有人选择正确答案「B」，请检查答案是否标错"
    assert reasons[(2, "distractor")].startswith("高分组选「A」的比例（67%）高于选正确答案「B」的比例（0%）")
    assert reasons[(3, "negative")].startswith("区分度为负（-0.67）：高分组的得分率低于低分组")
    assert reasons[(4, "distractor")].startswith("高分组选「B」的比例（67%）高于选正确答案「A」的比例（33%）")
    # The same answers with too few of them (the default minimum is 10) flag nothing.
    assert flags(b) == ()


def test_low_discrimination():
    """Fixture C: four trainees, two 简答 [10]. Scores: main 10 8 2 0, flat 5 6 5 5 → totals 15 14 7 5.
    g = round(1.08) = 1: upper {T1}, lower {T4}; flat D = 0.5 − 0.5 = 0 < 0.1 with facility 21/40 = 0.525."""
    responses = [Response(p, 1, s * 100, 1000) for p, s in enumerate([10, 8, 2, 0], start=1)]
    responses += [Response(p, 2, s * 100, 1000) for p, s in enumerate([5, 6, 5, 5], start=1)]
    c = analyse([], responses)
    assert c.item(2).facility.value == pytest.approx(0.525)
    assert c.item(2).discrimination.value == 0
    found = flags(c, min_answers=4)
    assert [(f.item_id, f.code) for f in found] == [(2, "low")]
    assert found[0].reason.startswith("区分度过低（0.00）")


def test_no_attempts_and_one_attempt_give_reasons_not_numbers():
    empty = analyse([Item(1, ("A", "B"), frozenset("A"))], [])
    assert (empty.exam.sittings, empty.exam.alpha.note, empty.exam.sd.note, empty.exam.mean_score.note) == \
        (0, stats.FEW, stats.FEW, stats.FEW)
    assert empty.item(1).facility == stats.Figure(None, stats.FEW)
    assert [o.share.note for o in empty.item(1).options] == [stats.FEW, stats.FEW]
    one = analyse([Item(1, ("A", "B"), frozenset("A"))], [Response(7, 1, 100, 100, frozenset("A"))])
    assert one.exam.sittings == 1 and one.exam.mean_score.value == 100
    assert (one.exam.alpha.note, one.exam.groups_note, one.item(1).discrimination.note) == (stats.FEW,) * 3
    assert one.item(1).options[0].chosen == 1 and flags(one, min_answers=1) == ()


def test_nobody_differing_is_said_so():
    same = [Response(p, i, 100, 100) for p in range(1, 21) for i in (1, 2)]
    result = analyse([], same)
    assert result.exam.sd.value == 0
    assert (result.exam.alpha.note, result.exam.sem.note) == (stats.TOTALS_SAME, stats.TOTALS_SAME)
    assert result.item(1).point_biserial.note == stats.ALL_SAME
    assert result.item(1).discrimination.note == stats.NO_GROUPS
    assert [f.code for f in flags(result, min_answers=1)] == ["too_easy", "too_easy"]
    single = analyse([], [Response(p, 1, p % 2 * 100, 100) for p in range(10)])
    assert single.exam.alpha.note == stats.ONE_QUESTION


def test_random_papers_use_the_groups_members_who_had_the_item():
    """Item 9 is only on T1's (upper) and T4's (lower) papers: D = 1 − 0. Item 8 only on upper papers."""
    responses = [Response(p, 1, s, 100) for p, s in zip(range(1, 7), (100, 100, 100, 0, 0, 0), strict=True)]
    responses += [Response(1, 9, 100, 100), Response(4, 9, 0, 100), Response(2, 8, 100, 100), Response(3, 8, 0, 100)]
    result = analyse([], responses)
    assert result.item(9).discrimination.value == 1
    assert result.item(8).discrimination.note == stats.NOT_IN_GROUPS


# --- properties -----------------------------------------------------------------------------------

_sittings = st.lists(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=6),
                     min_size=0, max_size=25)


def _random_exam(papers):
    """Papers of (item id 0–4, score index); item i is worth (i+1) points, choice items 0 and 1."""
    items = [Item(0, ("A", "B", "C"), frozenset("A")), Item(1, ("A", "B", "C", "D"), frozenset("BC"))]
    responses = []
    for sitting, paper in enumerate(papers):
        for item_id, score in dict(paper).items():
            possible = (item_id + 1) * 100
            earned = min(score * 50, possible)
            chosen = None
            if item_id < 2:
                chosen = frozenset("ABCD"[: score % 4]) if item_id else frozenset("A" if earned else "BC"[score % 2])
            responses.append(Response(sitting, item_id, earned, possible, chosen))
    return items, responses


def _bounded(figure, low, high):
    return figure.value is None and figure.note or low - 1e-9 <= figure.value <= high + 1e-9


@FUZZ
@given(_sittings)
def test_every_figure_stays_in_its_bounds(papers):
    items, responses = _random_exam(papers)
    result = analyse(items, responses)
    assert result.exam.alpha.value is None or result.exam.alpha.value <= 1
    assert _bounded(result.exam.sem, 0, math.inf) and _bounded(result.exam.sd, 0, math.inf)
    for item in result.items:
        assert _bounded(item.facility, 0, 1)
        assert _bounded(item.discrimination, -1, 1)
        assert _bounded(item.point_biserial, -1, 1)
        for option in item.options:
            assert all(_bounded(f, 0, 1) for f in (option.share, option.upper_share, option.lower_share))
            assert _bounded(option.point_biserial, -1, 1)
    assert all(flag.reason for flag in flags(result, min_answers=1))


@FUZZ
@given(_sittings, st.randoms(use_true_random=False))
def test_the_order_of_the_answers_changes_nothing(papers, rng):
    items, responses = _random_exam(papers)
    shuffled = list(responses)
    rng.shuffle(shuffled)
    assert analyse(items, shuffled) == analyse(items, responses)


@FUZZ
@given(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=2, max_size=30))
def test_alpha_is_kr20_for_a_fixed_paper_of_right_or_wrong_items(rows):
    """KR-20 = k/(k−1)·(1 − Σ p·q / σ²ₓ), computed here independently of the engine."""
    responses = [Response(s, i, 100 * right, 100) for s, row in enumerate(rows) for i, right in enumerate(row)]
    result = analyse([], responses)
    n, k = len(rows), 4
    totals = [sum(row) for row in rows]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    pq = sum((p := sum(row[i] for row in rows) / n) * (1 - p) for i in range(k))
    if variance == 0:
        assert result.exam.alpha.note == stats.TOTALS_SAME
    else:
        assert result.exam.alpha.value == pytest.approx(min(1.0, k / (k - 1) * (1 - pq / variance)), abs=1e-9)
        assert result.exam.sd.value == pytest.approx(100 * math.sqrt(variance))


def test_a_large_exam_is_analysed_quickly():
    """5,000 attempts × 20 questions: the engine alone, well under the budget of a page."""
    import time

    rng = random.Random(5)
    items = [Item(i, ("A", "B", "C", "D"), frozenset("A")) for i in range(40)]
    responses = []
    for sitting in range(5000):
        ability = rng.random()
        for item_id in rng.sample(range(40), 20):
            chosen = "A" if rng.random() < ability else rng.choice("BCD")
            responses.append(Response(sitting, item_id, 100 * (chosen == "A"), 100, frozenset(chosen)))
    started = time.perf_counter()
    result = analyse(items, responses)
    assert time.perf_counter() - started < 20  # generous: the machine is shared; the bench records the figure
    assert result.exam.sittings == 5000
    assert all(item.discrimination.value > 0.3 for item in result.items)
