"""Import a generated 10,000-question xlsx through the bank services into a fresh SQLite database.

    .venv/bin/python bench/bench_bank_import.py [--count 10000] [--seed 7] [--path web|cli]

`web` runs the wizard's service calls (upload + parse task: parse, check, stage in BankImport; confirm:
store + commit); `cli` runs `flask bank import`'s service in one go. Prints seconds per step
and the peak resident memory of the process (ru_maxrss). Target: ≤ 15 s for 10,000 questions.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_import_parse import make_question  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.scope import Scope  # noqa: E402
from app.bank import batch, staging, wizard  # noqa: E402
from app.bank.categories import add_category  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Competency, OrgUnit, Person, Question  # noqa: E402
from app.trees import place  # noqa: E402
from question_bank.formats import export  # noqa: E402


def _setup() -> tuple[int, int]:
    db.create_all()
    unit = OrgUnit(name="支队", path="")
    db.session.add(unit)
    db.session.flush()
    place(unit, None)
    person = Person(staff_no="bench", name="教官", unit_id=unit.id, password_hash="!")  # noqa: S106 - no login
    db.session.add(person)
    db.session.add_all(Competency(code=c, name=c) for c in ("FJ-LAW", "GEN-POL", "SQ-GRID"))
    category = add_category(None, "基准题库", None)
    db.session.commit()
    return person.id, category.id


def _web(data: bytes) -> dict[str, float]:
    actor_id, category_id = _setup()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as upload_dir:
        staged_id = staging.stage(actor_id, Scope(None), category_id=category_id, filename="bench.xlsx",
                               data=data, upload_dir=Path(upload_dir))
        staging.parse_staged(staged_id, upload_dir)
    middle = time.perf_counter()
    stored, _skipped = wizard.confirm(actor_id, Scope(None), staged_id, skip_invalid=False, import_duplicates=False)
    end = time.perf_counter()
    assert stored == db.session.scalar(select(func.count()).select_from(Question))
    return {"preview s": middle - start, "confirm s": end - middle, "total s": end - start, "stored": stored}


def _cli(data: bytes) -> dict[str, float]:
    _setup()
    start = time.perf_counter()
    report = batch.import_bytes("bench.xlsx", data)
    end = time.perf_counter()
    return {"total s": end - start, "stored": report.imported}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--path", choices=("web", "cli"), default="web")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data = export("xlsx", [make_question(rng, n) for n in range(1, args.count + 1)])
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "TESTING": True})
        with app.app_context():
            figures = (_web if args.path == "web" else _cli)(data)
            db.engine.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shown = "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
    print(f"{args.path}: {args.count} questions, xlsx {len(data) // 1024} KiB  {shown}  peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
