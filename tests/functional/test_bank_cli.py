"""`flask bank import` and `flask bank export`: exit codes, summary lines and database state."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, QuestionCategory
from question_bank.formats import parse
from tests.factories import make_competency

HEADER = "编号,分类,题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,知识点,分值,法规依据,标签\n"
ROWS = [
    "C-1,辅警/法规,单选,第一题,甲,乙,,,A,,1,FJ-LAW,1,,\n",
    "C-2,辅警/法规,判断,第二题,,,,,对,,1,,1,,\n",
    "C-3,辅警/服务,单选,第三题,甲,乙,,,B,,1,,1,,\n",
]
BAD = "C-4,辅警/法规,单选,坏题,甲,乙,,,,,1,,1,,\n"


def _file(tmp_path, *rows, name="bank.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8-sig"))
    return path


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_cli_imports_a_file_into_its_own_categories(app, runner, tmp_path):
    make_competency("FJ-LAW")
    result = runner.invoke(args=["bank", "import", str(_file(tmp_path, *ROWS))])
    assert result.exit_code == 0, result.output
    assert "导入 3 题，跳过 0 题" in result.output
    question = db.session.scalar(select(Question).where(Question.external_id == "C-1"))
    assert question.data["category"] == ["辅警", "法规"] and question.category.owner_unit_id is None
    assert question.status == "draft" and [c.code for c in question.competencies] == ["FJ-LAW"]


def test_cli_refuses_a_file_with_errors_unless_skipping(app, runner, tmp_path):
    make_competency("FJ-LAW")
    path = _file(tmp_path, *ROWS, BAD)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code != 0 and "第5行" in result.output and "导入 0 题，跳过 4 题" in result.output
    assert _count() == 0
    result = runner.invoke(args=["bank", "import", str(path), "--skip-invalid", "--category", "导入/二〇二六"])
    assert result.exit_code == 0 and "导入 3 题，跳过 1 题" in result.output
    assert {q.data["category"][1] for q in db.session.scalars(select(Question))} == {"二〇二六"}


def test_cli_dry_run_writes_nothing(app, runner, tmp_path):
    make_competency("FJ-LAW")
    result = runner.invoke(args=["bank", "import", str(_file(tmp_path, *ROWS)), "--dry-run"])
    assert result.exit_code == 0 and "导入 3 题，跳过 0 题（试运行" in result.output
    assert _count() == 0 and db.session.scalar(select(func.count()).select_from(QuestionCategory)) == 0


def test_cli_exits_non_zero_when_nothing_valid_is_found(app, runner, tmp_path):
    result = runner.invoke(args=["bank", "import", str(_file(tmp_path, BAD)), "--skip-invalid"])
    assert result.exit_code != 0 and "没有导入任何试题" in result.output
    empty = tmp_path / "empty.gift"
    empty.write_text("// 只有注释\n", encoding="utf-8")
    assert runner.invoke(args=["bank", "import", str(empty)]).exit_code != 0
    assert _count() == 0 and db.session.scalar(select(func.count()).select_from(QuestionCategory)) == 0


def test_cli_reimport_skips_duplicates(app, runner, tmp_path):
    make_competency("FJ-LAW")
    path = _file(tmp_path, *ROWS)
    runner.invoke(args=["bank", "import", str(path)])
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "3 题与题库中已有试题重复" in result.output and result.exit_code != 0 and _count() == 3


def test_cli_format_option_overrides_the_extension(app, runner, tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text("辅警可以独立执法吗？\nA. 可以\nB. 不可以\nANSWER: B\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path), "--format", "aiken", "--category", "Aiken"])
    assert result.exit_code == 0 and "导入 1 题" in result.output
    question = db.session.scalar(select(Question))
    assert question.category.name == "Aiken" and question.data["stem"] == "辅警可以独立执法吗？"


def test_cli_exports_a_category_and_reimport_is_identical(app, runner, tmp_path):
    make_competency("FJ-LAW")
    runner.invoke(args=["bank", "import", str(_file(tmp_path, *ROWS))])
    out = tmp_path / "out.xml"
    result = runner.invoke(args=["bank", "export", "--format", "moodle-xml", "--category", "辅警/法规", str(out)])
    assert result.exit_code == 0 and "已导出 2 题" in result.output
    stems = {q.stem for q in parse("moodle-xml", out.read_bytes(), "out.xml").questions}
    assert stems == {"第一题", "第二题"}
    result = runner.invoke(args=["bank", "export", "--format", "gift", "--category", "没有/这个", str(out)])
    assert result.exit_code != 0 and "不存在" in result.output


def test_cli_shows_a_progress_bar_for_large_files(app, runner, tmp_path):
    rows = [f"P-{n},大文件,判断,第{n}道判断题,,,,,对,,1,,1,,\n" for n in range(1, 1202)]
    result = runner.invoke(args=["bank", "import", str(_file(tmp_path, *rows))])
    assert result.exit_code == 0 and "正在解析" in result.output and "导入 1201 题，跳过 0 题" in result.output
    assert _count() == 1201
