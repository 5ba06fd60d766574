"""Content checks over the real course_content and over small broken trees; `flask content check`."""

from decimal import Decimal
from pathlib import Path

import pytest

from app.curriculum import cli
from app.curriculum.content import ContentError, check_tree, format_issue, load_tree
from app.curriculum.spec import CertificationSpec
from app.models import Level

REAL_ROOT = Path(__file__).resolve().parents[2] / "course_content"
K, C, S = "competencies.toml", "courses/fj-law/course.toml", "syllabi/fj-road.toml"
MD = "courses/fj-law/01-intro.md"

W = "workforces.toml"
BASE = {
    W: """[[workforce]]
code = "fj"
name = "辅警"
grades = ["见习辅警", "四级辅警"]
[[workforce.post]]
code = "fj-road"
name = "路面执勤"
[[workforce.post]]
code = "fj-window"
name = "窗口服务"

[[workforce]]
code = "sq"
name = "社区工作者"
grades = ["一级"]
[[workforce.post]]
code = "sq-grid"
name = "网格员"

[[workforce]]
code = "zg"
name = "组工干部"
grades = ["一级科员"]
[[workforce.post]]
code = "zg-cadre"
name = "干部选拔任用岗"
""",
    K: """[[competency]]
code = "GEN"
name = "通用素质"
workforces = ["fj", "sq", "zg"]
description = "三支队伍共同需要的基本素质。"

[[competency]]
code = "GEN-LAW"
parent = "GEN"
name = "法治素养"
workforces = ["fj"]
description = "依法办事。"
[competency.levels]
"初级" = "能说出本岗位的主要法规。"
"中级" = "能在具体情形中正确适用。"
""",
    "banks/fj.csv": "\ufeff编号,分类,题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案\n"
                    "FJ-0001,辅警/法规,判断,辅警可以当场罚款。,,,,,,,,,错\n"
                    "FJ-0002,辅警/法规,判断,人行横道应当礼让行人。,,,,,,,,,对\n",
    C: """title = "道路交通安全法规"
workforces = ["fj"]
kind = "必修"
credit_hours = 1.5
summary = "法规入门。"

[[lesson]]
file = "01-intro.md"
title = "法规体系"
min_minutes = 20
quiz = ["FJ-0001", "FJ-0002"]
[lesson.competencies]
"GEN-LAW" = "初级"
""",
    MD: "# 法规体系\n\n![路口示意图](img/crossing.png)\n\n```\n![代码块里的不是图片](nowhere.png)\n```\n",
    "courses/fj-law/img/crossing.png": "png",
    "courses/fj-extra/course.toml": """title = "窗口服务"
workforces = ["fj"]
kind = "选修"
credit_hours = 1
summary = "选修课。"

[[lesson]]
file = "01-window.md"
title = "窗口礼仪"
min_minutes = 15
""",
    "courses/fj-extra/01-window.md": "# 窗口礼仪\n",
    S: """post = "fj-road"
title = "路面执勤岗培训大纲"
annual_hours = 40
annual_required_hours = 24
electives = ["fj-extra"]

[targets]
"GEN-LAW" = "中级"

[[required]]
course = "fj-law"
within_days_of_joining = 90

[[certify]]
competency = "GEN-LAW"
level = "中级"
exam = "gen-law-mid"
title = "法治素养中级认定考试"
""",
}
EXTRA_LESSON = '"GEN-LAW" = "初级"\n\n[[lesson]]\nfile = "{}"\ntitle = "重复"\nmin_minutes = 10\n'
LEVEL_HINT = "（应为 初级、中级 或 高级）"
FIRST = "（应写在第一个表之前，否则会被并入这个表）"


def build(root: Path, *edits) -> Path:
    """Write BASE under root after edits: (path, old, new) replaces, (path, None, text|None) sets."""
    files = dict(BASE)
    for path, old, new in edits:
        if old is None:
            files[path] = new
        else:
            assert old in files[path], (path, old)
            files[path] = files[path].replace(old, new)
    for path, text in files.items():
        if text is not None:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
    return root


CASES = [
    ("unknown code in a lesson", [(C, '"GEN-LAW"', '"FJ-XYZ"')], [f'{C}:13: 未知能力项代码 "FJ-XYZ"']),
    ("unknown code in targets", [(S, '"GEN-LAW" =', '"FJ-XYZ" =')], [f'{S}:8: 未知能力项代码 "FJ-XYZ"']),
    ("unknown code to certify", [(S, 'competency = "GEN-LAW"', 'competency = "FJ-XYZ"')],
     [f'{S}:15: 未知能力项代码 "FJ-XYZ"']),
    ("unknown parent", [(K, 'parent = "GEN"', 'parent = "GENX"')], [f'{K}:9: 未知上级能力项 "GENX"']),
    ("parent cycle", [(K, 'parent = "GEN"', 'parent = "GEN-LAW"')], [f'{K}:9: 能力项 "GEN-LAW" 的上级关系形成了循环']),
    ("duplicate code", [(K, "正确适用。\"\n", '正确适用。"\n\n[[competency]]\ncode = "GEN"\nname = "重复"\n'
                                             'workforces = ["fj"]\ndescription = "重复。"\n')],
     [f'{K}:18: 能力项代码 "GEN" 重复']),
    ("bad level name", [(K, '"中级" = "能在', '"熟练" = "能在')], [f'{K}:15: 无效的能力等级 "熟练"{LEVEL_HINT}']),
    ("bad target level", [(S, '"GEN-LAW" = "中级"', '"GEN-LAW" = "专家"')], [f'{S}:8: 无效的能力等级 "专家"{LEVEL_HINT}']),
    ("bad lesson level", [(C, '"GEN-LAW" = "初级"', '"GEN-LAW" = "入门"')], [f'{C}:13: 无效的能力等级 "入门"{LEVEL_HINT}']),
    ("bad certify level", [(S, 'level = "中级"', 'level = "中"')], [f'{S}:16: 无效的能力等级 "中"{LEVEL_HINT}']),
    ("exam code not a slug", [(S, '"gen-law-mid"', '"法治素养中级"')],
     [f'{S}:17: 考试代码 "法治素养中级" 只能用小写字母、数字和连字符（如 fj-law-mid），不超过 80 个字符']),
    ("certify without title", [(S, 'title = "法治素养中级认定考试"\n', "")],
     [f'{S}:14: [[certify]] 中缺少必填项 "title"']),
    ("exam code twice", [(S, 'exam = "gen-law-mid"', 'exam = "gen-law-mid"\ntitle = "另一考试"\n'
                                                      '[[certify]]\ncompetency = "GEN"\nlevel = "初级"\n'
                                                      'exam = "gen-law-mid"')],
     [f'{S}:22: 考试代码 "gen-law-mid" 重复（已见于 {S}）']),
    ("bad course workforce", [(C, '["fj"]', '["fj", "jj"]')], [f'{C}:2: 未知的队伍代码 "jj"（应为 workforces.toml 中的 fj、sq、zg）']),
    ("bad competency workforce", [(K, 'workforces = ["fj"]', 'workforces = ["police"]')],
     [f'{K}:11: 未知的队伍代码 "police"（应为 workforces.toml 中的 fj、sq、zg）']),
    ("bad kind", [(C, 'kind = "必修"', 'kind = "专业"')], [f'{C}:3: 课程类型应为 "必修" 或 "选修"，而不是 "专业"']),
    ("zero credit", [(C, "= 1.5", "= 0")], [f'{C}:4: "credit_hours" 必须大于 0']),
    ("credit as text", [(C, "= 1.5", '= "1.5"')], [f'{C}:4: "credit_hours" 应为数字']),
    ("negative minutes", [(C, "= 20", "= -5")], [f'{C}:10: "min_minutes" 必须大于 0']),
    ("minutes as text", [(C, "= 20", '= "20"')], [f'{C}:10: "min_minutes" 应为整数']),
    ("hours not integer", [(S, "annual_hours = 40", "annual_hours = 40.5")], [f'{S}:3: "annual_hours" 应为整数']),
    ("missing lesson key", [(C, 'title = "法规体系"\n', "")], [f'{C}:7: [[lesson]] 中缺少必填项 "title"']),
    ("missing top key", [(C, 'summary = "法规入门。"\n', "")], [f'{C}: 缺少必填项 "summary"']),
    ("unknown lesson key", [(C, "= 20\n", "= 20\nminutes = 5\n")], [f'{C}:11: [[lesson]] 中有未知的键 "minutes"']),
    ("unknown top key", [(C, 'kind = "必修"\n', 'kind = "必修"\nlevel = "初级"\n')], [f'{C}:4: 有未知的键 "level"']),
    ("electives merged into required",
     [(S, 'electives = ["fj-extra"]\n', ""), (S, "= 90\n", '= 90\nelectives = ["fj-extra"]\n')],
     [f'{S}:12: [[required]] 中有未知的键 "electives"{FIRST}']),
    ("electives merged into targets",
     [(S, 'electives = ["fj-extra"]\n', ""),
      (S, '= "中级"\n\n[[required]]', '= "中级"\nelectives = ["fj-extra"]\n\n[[required]]')],
     [f'{S}:8: [targets] 中有未知的键 "electives"{FIRST}']),
    ("quiz merged into lesson.competencies",
     [(C, 'quiz = ["FJ-0001", "FJ-0002"]\n', ""), (C, '"初级"\n', '"初级"\nquiz = ["FJ-0001"]\n')],
     [f'{C}:13: [lesson.competencies] 中有未知的键 "quiz"（应写在 [lesson.competencies] 之前，否则会被并入这个表）']),
    ("missing lesson file", [(MD, None, None)], [f'{C}:8: 课时文件 "01-intro.md" 不存在']),
    ("unlisted lesson file", [("courses/fj-law/02-extra.md", None, "# 多余\n")],
     ["courses/fj-law/02-extra.md: 课时文件未在 course.toml 中列出"]),
    ("duplicate lesson file", [(C, '"GEN-LAW" = "初级"\n', EXTRA_LESSON.format("01-intro.md"))],
     [f'{C}:16: 课时文件 "01-intro.md" 重复']),
    ("duplicate lesson position",
     [(C, '"GEN-LAW" = "初级"\n', EXTRA_LESSON.format("01-again.md")),
      ("courses/fj-law/01-again.md", None, "# 又一课\n")],
     [f'{C}:16: 课时序号 01 与 "01-intro.md" 重复']),
    ("lesson file badly named",
     [(C, '"01-intro.md"', '"intro.md"'), (MD, None, None), ("courses/fj-law/intro.md", None, "# 法规体系\n")],
     [f'{C}:8: 课时文件名 "intro.md" 不符合 "NN-名称.md" 格式（如 01-road-rights.md）']),
    ("missing image", [(MD, "img/crossing.png", "img/missing.png")], [f'{MD}:3: 图片 "img/missing.png" 不存在']),
    ("image outside the course", [(MD, "img/crossing.png", "../fj-extra/01-window.md")],
     [f'{MD}:3: 图片 "../fj-extra/01-window.md" 指向课程目录之外']),
    ("image by url", [(MD, "img/crossing.png", "https://example.com/a.png")],
     [f'{MD}:3: 图片 "https://example.com/a.png" 应放在课程目录下并用相对路径引用']),
    ("post differs from file name", [(S, 'post = "fj-road"', 'post = "fj-window"')],
     [f'{S}:1: post "fj-window" 与文件名 "fj-road.toml" 不一致']),
    ("unknown required course", [(S, 'course = "fj-law"', 'course = "fj-lwa"')], [f'{S}:11: 未知课程 "fj-lwa"']),
    ("unknown elective", [(S, '["fj-extra"]', '["fj-extar"]')], [f'{S}:5: 未知课程 "fj-extar"']),
    ("required and elective", [(S, '["fj-extra"]', '["fj-extra", "fj-law"]')],
     [f'{S}:5: 课程 "fj-law" 同时列为必修和选修']),
    ("impossible date", [(S, "within_days_of_joining = 90", 'by_date_each_year = "02-30"')],
     [f'{S}:12: "by_date_each_year" 应为有效的日期 MM-DD（如 06-30），而不是 "02-30"']),
    ("date not MM-DD", [(S, "within_days_of_joining = 90", 'by_date_each_year = "6-30"')],
     [f'{S}:12: "by_date_each_year" 应为有效的日期 MM-DD（如 06-30），而不是 "6-30"']),
    ("no deadline", [(S, "within_days_of_joining = 90\n", "")],
     [f"{S}:10: [[required]] 须填写 within_days_of_joining 或 by_date_each_year 二者之一"]),
    ("two deadlines", [(S, "= 90\n", '= 90\nby_date_each_year = "06-30"\n')],
     [f"{S}:10: [[required]] 须填写 within_days_of_joining 或 by_date_each_year 二者之一"]),
    ("zero days", [(S, "= 90", "= 0")], [f'{S}:12: "within_days_of_joining" 必须大于 0']),
    ("required hours above total", [(S, "= 24", "= 48")], [f"{S}:4: 年度必修学时不能超过年度总学时"]),
    ("unknown question", [(C, '"FJ-0002"]', '"FJ-0099"]')], [f'{C}:11: 题库中没有编号为 "FJ-0099" 的试题']),
    ("duplicate question id", [("banks/more.csv", None, "编号,题型\nFJ-0001,判断\n")],
     ['banks/more.csv:2: 试题编号 "FJ-0001" 重复（已见于 banks/fj.csv）']),
    ("bank without id column", [("banks/more.csv", None, "\ufeff题号,题型\nX-1,判断\n")],
     ["banks/more.csv:1: 题库缺少“编号”列"]),
    ("missing course.toml", [("courses/fj-extra/course.toml", None, None)],
     ["courses/fj-extra/course.toml: 缺少文件 course.toml"]),
    ("missing competencies.toml", [(K, None, None)], [f"{K}: 缺少文件 competencies.toml"]),
]


def test_the_real_course_content_has_no_issues():
    assert [format_issue(issue) for issue in check_tree(REAL_ROOT)] == []
    tree = load_tree(REAL_ROOT)
    assert tree.competencies and tree.syllabi and tree.courses and tree.lesson_count


def test_a_valid_tree_loads_into_dataclasses(tmp_path):
    tree = load_tree(build(tmp_path))
    law = next(course for course in tree.courses if course.slug == "fj-law")
    assert law.credit_hours == Decimal("1.5") and law.kind == "required" and law.workforces == ("fj",)
    lesson = law.lessons[0]
    assert (lesson.position, lesson.min_minutes, lesson.quiz) == (1, 20, ("FJ-0001", "FJ-0002"))
    assert lesson.competencies == {"GEN-LAW": Level.BASIC} and lesson.body.startswith("# 法规体系")
    [syllabus] = tree.syllabi
    assert syllabus.electives == ("fj-extra",) and syllabus.targets == {"GEN-LAW": Level.INTERMEDIATE}
    assert syllabus.required[0].course == "fj-law" and syllabus.required[0].within_days_of_joining == 90
    assert syllabus.required[0].by_date_each_year is None
    assert syllabus.certify == (CertificationSpec("GEN-LAW", Level.INTERMEDIATE, "gen-law-mid", "法治素养中级认定考试"),)
    assert [c.parent for c in tree.competencies] == [None, "GEN"]


@pytest.mark.parametrize(("edits", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_check_reports_each_kind_of_error_at_its_line(tmp_path, edits, expected):
    assert [format_issue(issue) for issue in check_tree(build(tmp_path, *edits))] == expected


def test_bad_toml_is_reported_at_the_parser_line(tmp_path):
    [issue] = check_tree(build(tmp_path, (C, 'kind = "必修"', "kind = 必修")))
    assert (issue.path, issue.line) == (C, 3) and issue.message.startswith("TOML 语法错误：")
    assert "(at line" not in issue.message


def test_load_tree_refuses_content_with_issues(tmp_path):
    with pytest.raises(ContentError) as caught:
        load_tree(build(tmp_path, (C, 'kind = "必修"', 'kind = "专业"')))
    assert [issue.line for issue in caught.value.issues] == [3]


def test_a_missing_root_is_one_issue(tmp_path):
    missing = tmp_path / "nope"
    assert [format_issue(issue) for issue in check_tree(missing)] == [f".: 找不到课程内容目录 {missing}"]


@pytest.fixture
def content_runner(app, runner):
    """The CLI runner with `flask content` registered even before app/cli.py does it."""
    if "content" not in app.cli.commands:
        cli.init_app(app)
    return runner


def test_content_check_passes_on_the_real_content(content_runner):
    result = content_runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("检查通过：") and "门课程" in result.output


def test_content_check_lists_issues_and_fails(content_runner, tmp_path):
    root = build(tmp_path, (C, '"GEN-LAW" = "初级"', '"FJ-XYZ" = "初级"'), (MD, "img/crossing.png", "x.png"))
    result = content_runner.invoke(args=["content", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f'{MD}:3: 图片 "x.png" 不存在', f'{C}:13: 未知能力项代码 "FJ-XYZ"', "发现 2 个问题"]
