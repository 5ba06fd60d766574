"""What is worth a look about each question of an exam's item analysis, with a plain reason.

Thresholds are named constants below; an item is judged only once it has `MIN_FLAG_ANSWERS`
answers (fewer say little, especially on papers drawn per attempt).
"""

from __future__ import annotations

from dataclasses import dataclass

from question_bank.stats import MIN_SAMPLE, Analysis, ItemStats

MIN_FLAG_ANSWERS = 10
TOO_EASY = 0.95  # facility above: too easy
TOO_HARD = 0.2  # facility below: too hard
LOW_DISCRIMINATION = 0.1  # D below this (and not negative): barely separates strong from weak


@dataclass(frozen=True, slots=True)
class Flag:
    """Something about an item worth a look, with the reason in plain Chinese."""

    item_id: int
    code: str  # too_easy, too_hard, negative, low, distractor, key_unchosen
    reason: str


def flags(analysis: Analysis, min_answers: int = MIN_FLAG_ANSWERS) -> tuple[Flag, ...]:
    """Every item's flags, in the analysis's item order."""
    return tuple(flag for item in analysis.items for flag in flags_for(item, min_answers))


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def flags_for(item: ItemStats, min_answers: int = MIN_FLAG_ANSWERS) -> list[Flag]:
    """What is worth a look about one item, each with its reason.

    Facility outside [TOO_HARD, TOO_EASY] explains a small D by itself, so such an item is not
    flagged again for low (non-negative) discrimination.
    """
    if item.answers < max(min_answers, MIN_SAMPLE):
        return []
    flags = []
    facility, d = item.facility.value, item.discrimination.value
    d = None if d is None else round(d, 2) + 0.0  # judged as shown (two decimals, no "-0.00")
    extreme = facility is not None and not TOO_HARD <= facility <= TOO_EASY
    if facility is not None and facility > TOO_EASY:
        flags.append(Flag(item.item_id, "too_easy", f"太容易：得分率 {_percent(facility)}，几乎人人答对，"
                                                    "分不出掌握程度的差别"))
    if facility is not None and facility < TOO_HARD:
        flags.append(Flag(item.item_id, "too_hard", f"太难：得分率只有 {_percent(facility)}，"
                                                    "请检查答案是否正确、题目是否超出培训内容"))
    if d is not None and d < 0:
        flags.append(Flag(item.item_id, "negative", f"区分度为负（{d:.2f}）：高分组的得分率低于低分组，"
                                                    "请检查答案是否标错、题意是否含糊"))
    elif d is not None and d < LOW_DISCRIMINATION and not extreme:
        flags.append(Flag(item.item_id, "low", f"区分度过低（{d:.2f}）：高分组和低分组的得分率几乎相同，"
                                               "这道题分不出掌握程度的差别"))
    flags += _option_flags(item)
    return flags


def _option_flags(item: ItemStats) -> list[Flag]:
    keys = [option for option in item.options if option.is_key]
    flags = [Flag(item.item_id, "key_unchosen", f"没有人选择正确答案「{option.key}」，请检查答案是否标错")
             for option in keys if option.chosen == 0]
    rated = [option for option in item.options if option.upper_share.known]
    key_shares = [option for option in rated if option.is_key]
    distractors = [option for option in rated if not option.is_key]
    if key_shares and distractors:
        key = min(key_shares, key=lambda option: (option.upper_share.value, option.key))
        rival = min(distractors, key=lambda option: (-option.upper_share.value, option.key))
        if rival.upper_share.value > key.upper_share.value:
            flags.append(Flag(item.item_id, "distractor",
                              f"高分组选「{rival.key}」的比例（{_percent(rival.upper_share.value)}）高于选正确答案"
                              f"「{key.key}」的比例（{_percent(key.upper_share.value)}），"
                              f"请检查答案是否标错，或「{rival.key}」是否容易让人误选"))
    return flags
