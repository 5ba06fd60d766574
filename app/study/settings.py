"""Study settings: defaults here, overridable in app.config (see DESIGN.md "Study time and 学时")."""

from flask import current_app

DEFAULTS = {
    # The lesson page beats every STUDY_HEARTBEAT_SECONDS while visible and recently used.
    "STUDY_HEARTBEAT_SECONDS": 30,
    # An interval longer than this earns nothing (the learner was away; the interval restarts).
    "STUDY_HEARTBEAT_CAP_SECONDS": 60,
    # The page stops beating after this long without mouse, keyboard, scroll or touch input.
    "STUDY_IDLE_SECONDS": 180,
    # Courses without a fixed credit (credit_tenths == 0) convert studied minutes greedily:
    # each full 30 minutes gives 1 学时 (10 tenths), a remaining full 15 minutes gives 0.5.
    "CREDIT_TIERS": [(30, 10), (15, 5)],
    # At most this much excess (tenths) moves into next year's 选修 at year end.
    "CARRY_OVER_MAX_TENTHS": 100,
    # A lesson quiz passes at this share of its points (percent).
    "STUDY_QUIZ_PASS_PERCENT": 80,
    # 学时 (tenths) credited as 选修 the first time a person passes a lesson quiz; 0 turns it off.
    "QUIZ_PASS_BONUS_TENTHS": 0,
    # After this many failed lesson-quiz submissions in a row (within a study cycle) the quiz locks
    # for QUIZ_RETRY_WAIT_MINUTES, or until the person has studied the lesson
    # QUIZ_RETRY_STUDY_MINUTES more (0: only the wait unlocks it).
    "QUIZ_MAX_FAILED_TRIES": 3,
    "QUIZ_RETRY_WAIT_MINUTES": 30,
    "QUIZ_RETRY_STUDY_MINUTES": 10,
}


def setting(name: str):
    """Return a study setting from app.config, falling back to the default above."""
    return current_app.config.get(name, DEFAULTS[name])
