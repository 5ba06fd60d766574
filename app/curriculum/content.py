"""Load and check a course_content directory: TOML, Markdown and CSV in, frozen dataclasses out."""

import csv
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

LEVELS = ("初级", "中级", "高级")
WORKFORCES = ("fj", "sq", "zg")
COURSE_KINDS = ("必修", "选修")
_LESSON_NAME = re.compile(r"(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_md = MarkdownIt("commonmark")


@dataclass(frozen=True)
class ContentIssue:
    """A problem in one content file; path is relative to the content root."""
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Competency:
    """A node of the competency tree and what each level means."""
    code: str
    name: str
    parent: str | None
    workforces: tuple[str, ...]
    description: str
    levels: dict[str, str]


@dataclass(frozen=True)
class RequiredCourse:
    """A required course with its deadline rule (exactly one of the two is set)."""
    course: str
    within_days_of_joining: int | None = None
    by_date_each_year: str | None = None


@dataclass(frozen=True)
class Certification:
    """The exam that certifies a competency level."""
    competency: str
    level: str
    exam: str


@dataclass(frozen=True)
class Syllabus:
    """A post's training syllabus."""
    post: str
    title: str
    annual_hours: int
    annual_required_hours: int
    targets: dict[str, str]
    required: tuple[RequiredCourse, ...]
    electives: tuple[str, ...]
    certify: tuple[Certification, ...]


@dataclass(frozen=True)
class Lesson:
    """One lesson of a course with its Markdown body."""
    position: int
    file: str
    title: str
    min_minutes: int
    competencies: dict[str, str]
    quiz: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Course:
    """A course and its lessons in order."""
    slug: str
    title: str
    workforces: tuple[str, ...]
    kind: str
    credit_hours: Decimal
    summary: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class ContentTree:
    """Everything under a course_content directory."""
    competencies: tuple[Competency, ...]
    syllabi: tuple[Syllabus, ...]
    courses: tuple[Course, ...]

    @property
    def lesson_count(self) -> int:
        """Return the number of lessons in all courses."""
        return sum(len(course.lessons) for course in self.courses)


class ContentError(Exception):
    """Raised by load_tree when the content has issues."""

    def __init__(self, issues: list[ContentIssue]):
        super().__init__(f"课程内容有 {len(issues)} 个问题")
        self.issues = issues


_TYPES = {  # kind -> (test, what the value should be)
    "text": (lambda v: isinstance(v, str) and bool(v.strip()), "非空文本"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "整数"),
    "number": (lambda v: isinstance(v, int | Decimal) and not isinstance(v, bool), "数字"),
    "texts": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "文本列表"),
    "table": (lambda v: isinstance(v, dict), "表"),
    "tables": (lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v), "表数组"),
}
_COMPETENCY = {"code": ("text", True), "parent": ("text", False), "name": ("text", True),
               "workforces": ("texts", True), "description": ("text", True),
               "levels": ("table", False)}
_COURSE = {"title": ("text", True), "workforces": ("texts", True), "kind": ("text", True),
           "credit_hours": ("number", True), "summary": ("text", True), "lesson": ("tables", True)}
_LESSON = {"file": ("text", True), "title": ("text", True), "min_minutes": ("int", True),
           "quiz": ("texts", False), "competencies": ("table", False)}
_SYLLABUS = {"post": ("text", True), "title": ("text", True), "annual_hours": ("int", True),
             "annual_required_hours": ("int", True), "electives": ("texts", False),
             "targets": ("table", True), "required": ("tables", True), "certify": ("tables", False)}
_REQUIRED = {"course": ("text", True), "within_days_of_joining": ("int", False),
             "by_date_each_year": ("text", False)}
_CERTIFY = {"competency": ("text", True), "level": ("text", True), "exam": ("text", True)}
_FIRST_TABLE = "第一个表"


def check_tree(root: Path) -> list[ContentIssue]:
    """Return every issue in the content under root (empty when it is valid)."""
    return _Loader(root).run()[1]


def load_tree(root: Path) -> ContentTree:
    """Load the content under root; raise ContentError if it has any issue."""
    tree, issues = _Loader(root).run()
    if issues:
        raise ContentError(issues)
    return tree


def format_issue(issue: ContentIssue) -> str:
    """Format an issue as `path:line: message` (`path: message` without a line)."""
    where = issue.path if issue.line is None else f"{issue.path}:{issue.line}"
    return f"{where}: {issue.message}"


def _bad_level(level: object) -> str:
    return f'无效的能力等级 "{level}"（应为 初级、中级 或 高级）'


def _has(fields: dict, spec: dict) -> bool:
    return all(key in fields for key, (_, required) in spec.items() if required)


def _month_day(text: str) -> bool:
    if not re.fullmatch(r"\d{2}-\d{2}", text):
        return False
    try:
        date(2001, int(text[:2]), int(text[3:]))  # a non-leap year: the date must exist every year
    except ValueError:
        return False
    return True


def _head(line: str) -> str:
    return line.split("#")[0].strip().strip("[]").replace(" ", "")


def _image_problem(folder: Path, src: str) -> str | None:
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/"):
        return f'图片 "{src}" 应放在课程目录下并用相对路径引用'
    target = (folder / unquote(parts.path)).resolve()
    if not target.is_relative_to(folder.resolve()):
        return f'图片 "{src}" 指向课程目录之外'
    return None if target.is_file() else f'图片 "{src}" 不存在'


class _Source:
    """A TOML file's lines, to find the line that holds some text."""

    def __init__(self, rel: str, text: str):
        self.rel, self.lines = rel, text.splitlines()

    def span(self, table: str | None = None, index: int = 0) -> tuple[int, int, int | None]:
        """Return (start, end, header line) of the index-th [table] or [[table]], or of the top."""
        heads = [i for i, line in enumerate(self.lines) if line.lstrip().startswith("[")]
        if table is None:
            return 0, heads[0] if heads else len(self.lines), None
        own = [i for i in heads if _head(self.lines[i]) == table]
        if index >= len(own):
            return 0, len(self.lines), None
        start = own[index]
        later = (i for i in heads if i > start and not _head(self.lines[i]).startswith(f"{table}."))
        end = next(later, len(self.lines))
        return start, end, start + 1

    def line(self, span: tuple, key: str | None, text: str | None) -> int | None:
        """Return the first line in span holding `key =` or text, else the span's header line."""
        start, end, header = span
        key_re = re.compile(rf'\s*("?){re.escape(key)}\1\s*=') if key else None
        for number in range(start, end):
            line = self.lines[number]
            if line.lstrip().startswith("#"):
                continue
            if (key_re and key_re.match(line)) or (text and text in line):
                return number + 1
        return header


class _Table:
    """A TOML table being checked: its span, its name in messages, the keys that belong above it."""

    def __init__(self, loader, src: _Source, span: tuple, label: str = "", outer=((), "")):
        self.loader, self.src, self.span, self.label, self.outer = loader, src, span, label, outer

    def sub(self, label: str, outer: tuple) -> "_Table":
        return _Table(self.loader, self.src, self.span, label, outer)

    def issue(self, message: str, *, key: str | None = None, text: str | None = None) -> None:
        self.loader.add(self.src.rel, self.src.line(self.span, key, text), message)

    def misplaced(self, key: str) -> str:
        keys, where = self.outer
        return f"（应写在{where}之前，否则会被并入这个表）" if key in keys else ""

    def fields(self, data: dict, spec: dict) -> dict:
        """Check keys and value types against spec; return the entries that pass."""
        for key in [key for key in data if key not in spec]:
            self.issue(f'{self.label}有未知的键 "{key}"{self.misplaced(key)}', key=key)
        valid = {}
        for key, (kind, required) in spec.items():
            test, what = _TYPES[kind]
            if key not in data:
                if required:
                    self.issue(f'{self.label}缺少必填项 "{key}"')
            elif not test(data[key]):
                self.issue(f'"{key}" 应为{what}', key=key)
            else:
                valid[key] = data[key]
        return valid

    def positive(self, fields: dict, *keys: str) -> None:
        for key in keys:
            if key in fields and fields[key] <= 0:
                self.issue(f'"{key}" 必须大于 0', key=key)

    def workforces(self, codes: list[str] | None) -> None:
        if codes == []:
            self.issue('"workforces" 至少要有一个队伍代码', key="workforces")
        for code in codes or ():
            if code not in WORKFORCES:
                self.issue(f'未知的队伍代码 "{code}"（应为 fj、sq 或 zg）', text=f'"{code}"')

    def levels(self, mapping: dict, codes: set[str] | None) -> None:
        """Check a competency-code -> level table such as [targets]."""
        for code, level in mapping.items():
            if self.misplaced(code):
                self.issue(f'{self.label}有未知的键 "{code}"{self.misplaced(code)}', key=code)
            elif codes is not None and code not in codes:
                self.issue(f'未知能力项代码 "{code}"', key=code)
            elif level not in LEVELS:
                self.issue(_bad_level(level), key=code)

    def code(self, code: str | None, known: set[str] | None, *, what: str = "能力项代码",
             key: str | None = None, text: str | None = None) -> None:
        if code is not None and known is not None and code not in known:
            self.issue(f'未知{what} "{code}"', key=key, text=text)


class _Loader:
    """One pass over a content root that builds the tree and collects the issues."""

    def __init__(self, root: Path):
        self.root = root
        self.issues: list[ContentIssue] = []
        self.codes: set[str] | None = None  # None while unknown: skip the checks rather than flood
        self.question_ids: set[str] = set()
        self.slugs: set[str] = set()

    def add(self, rel: str, line: int | None, message: str) -> None:
        self.issues.append(ContentIssue(rel, line, message))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def run(self) -> tuple[ContentTree, list[ContentIssue]]:
        if not self.root.is_dir():
            self.add(".", None, f"找不到课程内容目录 {self.root}")
            return ContentTree((), (), ()), self.issues
        competencies = self.competencies()
        self.question_ids = self.bank_ids()
        folders = sorted(path for path in (self.root / "courses").glob("*") if path.is_dir())
        self.slugs = {folder.name for folder in folders}
        courses = tuple(filter(None, map(self.course, folders)))
        files = sorted((self.root / "syllabi").glob("*.toml"))
        syllabi = tuple(filter(None, map(self.syllabus, files)))
        issues = sorted(self.issues, key=lambda issue: (issue.path, issue.line or 0))
        return ContentTree(competencies, syllabi, courses), issues

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.add(self.rel(path), None, "文件不是 UTF-8 编码")
        except OSError:
            self.add(self.rel(path), None, f"缺少文件 {path.name}")
        return None

    def read_toml(self, path: Path) -> tuple[_Source, dict] | None:
        text = self.read_text(path)
        if text is None:
            return None
        try:
            return _Source(self.rel(path), text), tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as error:
            at = _TOML_AT.search(str(error))
            message = f"TOML 语法错误：{_TOML_AT.sub('', str(error))}"
            self.add(self.rel(path), int(at[1]) if at else None, message)
            return None

    def competencies(self) -> tuple[Competency, ...]:
        loaded = self.read_toml(self.root / "competencies.toml")
        if loaded is None:
            return ()
        src, data = loaded
        top = _Table(self, src, src.span()).fields(data, {"competency": ("tables", True)})
        items = top.get("competency", [])
        self.codes = {item["code"] for item in items if isinstance(item.get("code"), str)}
        result, seen, parents = [], set(), {}
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("competency", i), "[[competency]] 中")
            fields = table.fields(item, _COMPETENCY)
            if "code" in fields and fields["code"] in seen:
                table.issue(f'能力项代码 "{fields["code"]}" 重复', key="code")
            seen.add(fields.get("code"))
            self.check_competency(table, fields)
            if "parent" in fields and "code" in fields:
                parents[fields["code"]] = (fields["parent"], table)
            if _has(fields, _COMPETENCY):
                result.append(Competency(fields["code"], fields["name"], fields.get("parent"),
                                         tuple(fields["workforces"]), fields["description"],
                                         dict(fields.get("levels", {}))))
        self.check_cycles(parents)
        return tuple(result)

    def check_competency(self, table: _Table, fields: dict) -> None:
        table.code(fields.get("parent"), self.codes, what="上级能力项", key="parent")
        table.workforces(fields.get("workforces"))
        for level, meaning in fields.get("levels", {}).items():
            if level not in LEVELS:
                table.issue(_bad_level(level), key=level)
            elif not isinstance(meaning, str):
                table.issue(f'"{level}" 的说明应为文本', key=level)

    def check_cycles(self, parents: dict[str, tuple[str, _Table]]) -> None:
        for code, (_, table) in parents.items():
            walked, node = set(), code
            while node in parents and node not in walked:
                walked.add(node)
                node = parents[node][0]
            if node == code:
                table.issue(f'能力项 "{code}" 的上级关系形成了循环', key="parent")

    def bank_ids(self) -> set[str]:
        seen: dict[str, str] = {}
        for path in sorted((self.root / "banks").glob("*.csv")):
            rel = self.rel(path)
            try:
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    reader = csv.DictReader(handle)
                    if "编号" not in (reader.fieldnames or ()):
                        self.add(rel, 1, "题库缺少“编号”列")
                        continue
                    for row in reader:
                        qid = (row["编号"] or "").strip()
                        if qid in seen:
                            self.add(rel, reader.line_num, f'试题编号 "{qid}" 重复（已见于 {seen[qid]}）')
                        elif qid:
                            seen[qid] = rel
            except UnicodeDecodeError:
                self.add(rel, None, "文件不是 UTF-8 编码")
        return set(seen)

    def course(self, folder: Path) -> Course | None:
        loaded = self.read_toml(folder / "course.toml")
        if loaded is None:
            return None
        src, data = loaded
        table = _Table(self, src, src.span())
        fields = table.fields(data, _COURSE)
        table.workforces(fields.get("workforces"))
        if fields.get("kind", COURSE_KINDS[0]) not in COURSE_KINDS:
            table.issue(f'课程类型应为 "必修" 或 "选修"，而不是 "{fields["kind"]}"', key="kind")
        table.positive(fields, "credit_hours")
        lessons = self.lessons(src, folder, fields.get("lesson", []))
        if not _has(fields, _COURSE):
            return None
        return Course(folder.name, fields["title"], tuple(fields["workforces"]), fields["kind"],
                      Decimal(fields["credit_hours"]), fields["summary"], lessons)

    def lessons(self, src: _Source, folder: Path, items: list[dict]) -> tuple[Lesson, ...]:
        lessons, files, positions = [], set(), {}
        outer = (_COURSE.keys(), _FIRST_TABLE)
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("lesson", i), "[[lesson]] 中", outer)
            lesson = self.lesson(table, folder, item)
            name = item.get("file")
            if not isinstance(name, str):
                continue
            number = _LESSON_NAME.fullmatch(name)
            if name in files:
                table.issue(f'课时文件 "{name}" 重复', key="file")
            elif number and number[1] in positions:
                table.issue(f'课时序号 {number[1]} 与 "{positions[number[1]]}" 重复', key="file")
            elif lesson:
                lessons.append(lesson)
            files.add(name)
            if number:
                positions.setdefault(number[1], name)
        for path in sorted(folder.glob("*.md")):
            if path.name not in files:
                self.add(self.rel(path), None, "课时文件未在 course.toml 中列出")
        return tuple(sorted(lessons, key=lambda lesson: lesson.position))

    def lesson(self, table: _Table, folder: Path, item: dict) -> Lesson | None:
        fields = table.fields(item, _LESSON)
        table.positive(fields, "min_minutes")
        levels = table.sub("[lesson.competencies] 中", (_LESSON.keys(), " [lesson.competencies] "))
        levels.levels(fields.get("competencies", {}), self.codes)
        for qid in fields.get("quiz", ()):
            if qid not in self.question_ids:
                table.issue(f'题库中没有编号为 "{qid}" 的试题', text=f'"{qid}"')
        name = fields.get("file")
        if name is None:
            return None
        number = _LESSON_NAME.fullmatch(name)
        if not number:
            table.issue(f'课时文件名 "{name}" 不符合 "NN-名称.md" 格式（如 01-road-rights.md）', key="file")
        path = folder / name
        if not path.is_file():
            table.issue(f'课时文件 "{name}" 不存在', key="file")
            return None
        body = self.read_text(path) if number else None
        if body is not None:
            self.check_images(folder, path, body)
        if body is None or not _has(fields, _LESSON):
            return None
        return Lesson(int(number[1]), name, fields["title"], fields["min_minutes"],
                      dict(fields.get("competencies", {})), tuple(fields.get("quiz", ())), body)

    def check_images(self, folder: Path, path: Path, body: str) -> None:
        lines = body.splitlines()
        for block in _md.parse(body):
            for token in block.children or ():
                src = unquote(token.attrGet("src") or "") if token.type == "image" else ""
                problem = src and _image_problem(folder, src)
                if problem:
                    start, end = block.map or (0, len(lines))
                    line = next((n + 1 for n in range(start, end) if src in lines[n]), start + 1)
                    self.add(self.rel(path), line, problem)

    def syllabus(self, path: Path) -> Syllabus | None:
        loaded = self.read_toml(path)
        if loaded is None:
            return None
        src, data = loaded
        table = _Table(self, src, src.span())
        fields = table.fields(data, _SYLLABUS)
        self.check_syllabus_header(table, fields, path.stem)
        outer = (_SYLLABUS.keys(), _FIRST_TABLE)
        targets = _Table(self, src, src.span("targets"), "[targets] 中", outer)
        targets.levels(fields.get("targets", {}), self.codes)
        required = self.required(src, fields.get("required", []), outer)
        electives = tuple(fields.get("electives", ()))
        for slug in electives:
            table.code(slug, self.slugs, what="课程", text=f'"{slug}"')
            if slug in (rule.course for rule in required):
                table.issue(f'课程 "{slug}" 同时列为必修和选修', text=f'"{slug}"')
        certify = self.certify(src, fields.get("certify", []), outer)
        if not _has(fields, _SYLLABUS):
            return None
        return Syllabus(fields["post"], fields["title"], fields["annual_hours"],
                        fields["annual_required_hours"], dict(fields["targets"]), required, electives,
                        certify)

    def check_syllabus_header(self, table: _Table, fields: dict, stem: str) -> None:
        if fields.get("post", stem) != stem:
            table.issue(f'post "{fields["post"]}" 与文件名 "{stem}.toml" 不一致', key="post")
        table.positive(fields, "annual_hours", "annual_required_hours")
        total, required = fields.get("annual_hours"), fields.get("annual_required_hours")
        if total is not None and required is not None and required > total:
            table.issue("年度必修学时不能超过年度总学时", key="annual_required_hours")

    def required(self, src: _Source, items: list[dict], outer: tuple) -> tuple[RequiredCourse, ...]:
        rules: list[RequiredCourse] = []
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("required", i), "[[required]] 中", outer)
            fields = table.fields(item, _REQUIRED)
            if sum(key in item for key in ("within_days_of_joining", "by_date_each_year")) != 1:
                table.issue("[[required]] 须填写 within_days_of_joining 或 by_date_each_year 二者之一")
            table.positive(fields, "within_days_of_joining")
            by_date = fields.get("by_date_each_year")
            if by_date is not None and not _month_day(by_date):
                table.issue(f'"by_date_each_year" 应为有效的日期 MM-DD（如 06-30），而不是 "{by_date}"',
                            key="by_date_each_year")
            course = fields.get("course")
            table.code(course, self.slugs, what="课程", key="course")
            if course in (rule.course for rule in rules):
                table.issue(f'必修课程 "{course}" 重复', key="course")
            elif course:
                rules.append(RequiredCourse(course, fields.get("within_days_of_joining"), by_date))
        return tuple(rules)

    def certify(self, src: _Source, items: list[dict], outer: tuple) -> tuple[Certification, ...]:
        result = []
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("certify", i), "[[certify]] 中", outer)
            fields = table.fields(item, _CERTIFY)
            table.code(fields.get("competency"), self.codes, key="competency")
            if fields.get("level", LEVELS[0]) not in LEVELS:
                table.issue(_bad_level(fields["level"]), key="level")
            if _has(fields, _CERTIFY):
                result.append(Certification(fields["competency"], fields["level"], fields["exam"]))
        return tuple(result)
