"""Time parsing a 10,000-question bank from Excel and GIFT, with peak memory (tracemalloc)."""

# Run: .venv/bin/python bench/bench_import_parse.py [--count 10000] [--seed 7]
# Targets on a 2-core machine: xlsx ≤ 10 s and GIFT ≤ 3 s for 10,000 questions.
# Parse time is the best of three runs; peak memory is a separate run under tracemalloc.
#
# Recorded results (2-core build machine, Python 3.11.7, openpyxl 3.1.5, seed 7):
#   format  questions  parse s  questions/s  peak MiB  file KiB
#   xlsx        10000     5.15         1943      17.7       974
#   gift        10000     1.63         6129      31.0      4088
# (a second run on the shared machine gave xlsx 6.28 s and gift 1.47 s; openpyxl is ~3/4 of xlsx time)

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from question_bank.formats import export, parse  # noqa: E402
from question_bank.types import (  # noqa: E402
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    Question,
    SingleChoice,
    TrueFalse,
    build_options,
    default_multiple_weights,
)

WORDS = "机动车 驾驶人 道路 交通 安全 法规 辅警 执勤 执法 窗口 服务 社区 网格 居民 自治 党员 干部 监督 组织 建设".split()
CATEGORIES = (
    ("辅警", "道路交通安全法规"),
    ("辅警", "窗口服务"),
    ("社区工作者", "网格化管理"),
    ("组工干部", "干部监督"),
)


def sentence(rng: random.Random, words: int) -> str:
    """Return a Chinese-looking sentence of some words."""
    return "".join(rng.choice(WORDS) for _ in range(words))


def make_question(rng: random.Random, number: int) -> Question:
    """Return one realistic question of a random type (fill has one blank so GIFT can carry it)."""
    common = {
        "stem": f"第{number}题：{sentence(rng, 12)}？",
        "explanation": sentence(rng, 8),
        "difficulty": rng.randint(1, 5),
        "competencies": (rng.choice(("FJ-LAW", "GEN-POL", "SQ-GRID")),),
        "legal_basis": f"《中华人民共和国道路交通安全法》第{rng.randint(1, 124)}条",
        "category": rng.choice(CATEGORIES),
        "external_id": f"B-{number:05d}",
    }
    kind = rng.random()
    texts = [f"{chr(65 + i)}{sentence(rng, 3)}" for i in range(4)]
    if kind < 0.4:
        correct = rng.randrange(4)
        return SingleChoice(
            options=build_options(texts, [100 if i == correct else 0 for i in range(4)]), **common
        )
    if kind < 0.6:
        correct = rng.sample(range(4), rng.randint(2, 3))
        return MultipleChoice(
            options=build_options(texts, default_multiple_weights(4, correct)), **common
        )
    if kind < 0.8:
        return TrueFalse(answer=rng.random() < 0.5, **common)
    if kind < 0.95:
        common["stem"] = f"第{number}题：{sentence(rng, 6)}____{sentence(rng, 4)}。"
        return FillBlank(
            blanks=((BlankAnswer(sentence(rng, 2)), BlankAnswer(sentence(rng, 2), 50)),), **common
        )
    return Essay(reference_answer=sentence(rng, 20), rubric=sentence(rng, 10), **common)


def timed(call: Callable[[], object]) -> float:
    """Return the wall time of one call in seconds."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def peak_mib(call: Callable[[], object]) -> float:
    """Return the peak traced memory of one call in MiB."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    """Generate the bank, write it in each format, and time parsing it back."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    questions = [make_question(rng, number) for number in range(1, args.count + 1)]
    print(
        f"format  questions  parse s  questions/s  peak MiB  file KiB  (Python {sys.version.split()[0]})"
    )
    with tempfile.TemporaryDirectory() as folder:
        for fmt, name in (("xlsx", "bank.xlsx"), ("gift", "bank.gift.txt")):
            path = Path(folder) / name
            data = export(fmt, questions)
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            raw = path.read_bytes()
            result = parse(fmt, raw, name)
            assert len(result.questions) == args.count and not result.issues, result.issues[:3]
            seconds = min(
                timed(lambda fmt=fmt, raw=raw, name=name: parse(fmt, raw, name)) for _ in range(3)
            )
            memory = peak_mib(lambda fmt=fmt, raw=raw, name=name: parse(fmt, raw, name))
            rate = args.count / seconds
            print(
                f"{fmt:6}  {args.count:9}  {seconds:7.2f}  {rate:11.0f}  {memory:8.1f}  {len(raw) / 1024:8.0f}"
            )


if __name__ == "__main__":
    main()
