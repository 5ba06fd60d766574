"""Load and check a course_content directory: TOML, Markdown and CSV in, frozen dataclasses out."""

import csv
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from app.curriculum.spec import (
    CertificationSpec,
    CompetencySpec,
    ContentError,
    ContentIssue,
    ContentTree,
    CourseSpec,
    LessonSpec,
    RequiredCourseSpec,
    SyllabusSpec,
    WorkforceSpec,
)
from app.curriculum.toml_checks import (
    _CERTIFY,
    _COMPETENCY,
    _COURSE,
    _FIRST_TABLE,
    _LESSON,
    _REQUIRED,
    _SYLLABUS,
    _check_certify,
    _check_competency,
    _check_cycles,
    _check_required,
    _check_syllabus_header,
    _check_syllabus_post,
    _has,
    _level,
    _meanings,
    _Source,
    _Table,
)
from app.curriculum.workforces_file import read_workforces
from app.models.curriculum import CreditKind

_LESSON_NAME = re.compile(r"(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_md = MarkdownIt("commonmark")


def check_tree(root: Path) -> list[ContentIssue]:
    """Return every issue in the content under root (empty when it is valid)."""
    return _Loader(root).run()[1]


def load_tree(root: Path) -> ContentTree:
    """Load the content under root; raise ContentError if it has any issue."""
    tree, issues = _Loader(root).run()
    if issues:
        raise ContentError(issues)
    return tree


def load_workforces(root: Path) -> tuple[WorkforceSpec, ...]:
    """Load only workforces.toml under root; raise ContentError if it has any issue."""
    loader = _Loader(root)
    workforces = read_workforces(loader)
    if loader.issues:
        raise ContentError(sorted(loader.issues, key=lambda issue: (issue.path, issue.line or 0)))
    return workforces


def format_issue(issue: ContentIssue) -> str:
    """Format an issue as `path:line: message` (`path: message` without a line)."""
    where = issue.path if issue.line is None else f"{issue.path}:{issue.line}"
    return f"{where}: {issue.message}"


def _image_problem(folder: Path, src: str) -> str | None:
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/"):
        return f'图片 "{src}" 应放在课程目录下并用相对路径引用'
    target = (folder / unquote(parts.path)).resolve()
    if not target.is_relative_to(folder.resolve()):
        return f'图片 "{src}" 指向课程目录之外'
    return None if target.is_file() else f'图片 "{src}" 不存在'


class _Loader:
    """One pass over a content root that builds the tree and collects the issues."""

    def __init__(self, root: Path):
        self.root = root
        self.issues: list[ContentIssue] = []
        self.codes: set[str] | None = None  # None while unknown: skip the checks rather than flood
        self.question_ids: set[str] = set()
        self.slugs: set[str] = set()
        self.exams: dict[str, str] = {}  # certification exam code -> the syllabus file naming it
        self.workforce_codes: set[str] | None = None  # from workforces.toml; None while unknown
        self.post_codes: set[str] | None = None

    def add(self, rel: str, line: int | None, message: str) -> None:
        self.issues.append(ContentIssue(rel, line, message))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def run(self) -> tuple[ContentTree, list[ContentIssue]]:
        if not self.root.is_dir():
            self.add(".", None, f"找不到课程内容目录 {self.root}")
            return ContentTree((), (), ()), self.issues
        workforces = read_workforces(self)
        competencies = self.competencies()
        self.question_ids = self.bank_ids()
        folders = sorted(path for path in (self.root / "courses").glob("*") if path.is_dir())
        self.slugs = {folder.name for folder in folders}
        courses = tuple(filter(None, map(self.course, folders)))
        files = sorted((self.root / "syllabi").glob("*.toml"))
        syllabi = tuple(filter(None, map(self.syllabus, files)))
        issues = sorted(self.issues, key=lambda issue: (issue.path, issue.line or 0))
        return ContentTree(competencies, syllabi, courses, workforces), issues

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

    def competencies(self) -> tuple[CompetencySpec, ...]:
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
            _check_competency(table, fields, self.codes)
            if "parent" in fields and "code" in fields:
                parents[fields["code"]] = (fields["parent"], table)
            if _has(fields, _COMPETENCY):
                result.append(CompetencySpec(fields["code"], fields["name"], fields.get("parent"),
                                             tuple(fields["workforces"]), fields["description"],
                                             _meanings(fields.get("levels", {}))))
        _check_cycles(parents)
        return tuple(result)

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

    def course(self, folder: Path) -> CourseSpec | None:
        loaded = self.read_toml(folder / "course.toml")
        if loaded is None:
            return None
        src, data = loaded
        table = _Table(self, src, src.span())
        fields = table.fields(data, _COURSE)
        table.workforces(fields.get("workforces"))
        try:  # the file says 必修 or 选修; the database stores the code
            kind = CreditKind.from_label(fields.get("kind", CreditKind.REQUIRED.label))
        except ValueError:
            kind = None
            table.issue(f'课程类型应为 "必修" 或 "选修"，而不是 "{fields["kind"]}"', key="kind")
        table.positive(fields, "credit_hours")
        lessons = self.lessons(src, folder, fields.get("lesson", []))
        if not _has(fields, _COURSE):
            return None
        return CourseSpec(folder.name, fields["title"], tuple(fields["workforces"]), kind,
                          Decimal(fields["credit_hours"]), fields["summary"], lessons)

    def lessons(self, src: _Source, folder: Path, items: list[dict]) -> tuple[LessonSpec, ...]:
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

    def lesson(self, table: _Table, folder: Path, item: dict) -> LessonSpec | None:
        fields = table.fields(item, _LESSON)
        table.positive(fields, "min_minutes")
        levels = table.sub("[lesson.competencies] 中", (_LESSON.keys(), " [lesson.competencies] "))
        competencies = levels.levels(fields.get("competencies", {}), self.codes)
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
        return LessonSpec(int(number[1]), name, fields["title"], fields["min_minutes"],
                          competencies, tuple(fields.get("quiz", ())), body)

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

    def syllabus(self, path: Path) -> SyllabusSpec | None:
        loaded = self.read_toml(path)
        if loaded is None:
            return None
        src, data = loaded
        table = _Table(self, src, src.span())
        fields = table.fields(data, _SYLLABUS)
        _check_syllabus_header(table, fields, path.stem)
        _check_syllabus_post(table, fields.get("post"), self.post_codes)
        outer = (_SYLLABUS.keys(), _FIRST_TABLE)
        targets = _Table(self, src, src.span("targets"), "[targets] 中", outer)
        levels = targets.levels(fields.get("targets", {}), self.codes)
        required = self.required(src, fields.get("required", []), outer)
        electives = tuple(fields.get("electives", ()))
        for slug in electives:
            table.code(slug, self.slugs, what="课程", text=f'"{slug}"')
            if slug in (rule.course for rule in required):
                table.issue(f'课程 "{slug}" 同时列为必修和选修', text=f'"{slug}"')
        certify = self.certify(src, fields.get("certify", []), outer)
        if not _has(fields, _SYLLABUS):
            return None
        return SyllabusSpec(fields["post"], fields["title"], fields["annual_hours"],
                            fields["annual_required_hours"], levels, required, electives, certify)

    def required(self, src: _Source, items: list[dict], outer: tuple) -> tuple[RequiredCourseSpec, ...]:
        rules: list[RequiredCourseSpec] = []
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("required", i), "[[required]] 中", outer)
            fields = table.fields(item, _REQUIRED)
            _check_required(table, fields, item)
            by_date = fields.get("by_date_each_year")
            course = fields.get("course")
            table.code(course, self.slugs, what="课程", key="course")
            if course in (rule.course for rule in rules):
                table.issue(f'必修课程 "{course}" 重复', key="course")
            elif course:
                rules.append(RequiredCourseSpec(course, fields.get("within_days_of_joining"), by_date))
        return tuple(rules)

    def certify(self, src: _Source, items: list[dict], outer: tuple) -> tuple[CertificationSpec, ...]:
        result = []
        for i, item in enumerate(items):
            table = _Table(self, src, src.span("certify", i), "[[certify]] 中", outer)
            fields = table.fields(item, _CERTIFY)
            _check_certify(table, fields, self.codes, self.exams)
            level = _level(fields.get("level"))
            if _has(fields, _CERTIFY) and level is not None:
                result.append(CertificationSpec(fields["competency"], level, fields["exam"], fields["title"]))
        return tuple(result)
