"""TOML checks: the key/type table of each file, line finding and per-table checks."""

import re
from datetime import date
from decimal import Decimal

from app.models.curriculum import Level

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
_CERTIFY = {"competency": ("text", True), "level": ("text", True), "exam": ("text", True),
            "title": ("text", True)}
_FIRST_TABLE = "第一个表"
_EXAM_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _level(label: object) -> Level | None:
    """Return the Level a content file names by its Chinese label, or None."""
    try:
        return Level.from_label(label)
    except ValueError:
        return None


def _meanings(levels: dict) -> dict[Level, str]:
    """Return a competency's {Level: meaning} from its [competency.levels] (bad entries are issues)."""
    found = {_level(label): meaning for label, meaning in levels.items() if isinstance(meaning, str)}
    return {level: found[level] for level in sorted(level for level in found if level is not None)}


def _bad_level(level: object) -> str:
    *first, last = (member.label for member in Level)
    return f'无效的能力等级 "{level}"（应为 {"、".join(first)} 或 {last}）'


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
        """Check a "workforces" list against the codes of workforces.toml (skipped while unknown)."""
        if codes == []:
            self.issue('"workforces" 至少要有一个队伍代码', key="workforces")
        known = self.loader.workforce_codes
        for code in codes or ():
            if known is not None and code not in known:
                self.issue(f'未知的队伍代码 "{code}"（应为 workforces.toml 中的 {"、".join(sorted(known))}）',
                           text=f'"{code}"')

    def levels(self, mapping: dict, codes: set[str] | None) -> dict[str, Level]:
        """Check a competency-code -> level table such as [targets]; return its valid entries."""
        valid = {}
        for code, label in mapping.items():
            level = _level(label)
            if self.misplaced(code):
                self.issue(f'{self.label}有未知的键 "{code}"{self.misplaced(code)}', key=code)
            elif codes is not None and code not in codes:
                self.issue(f'未知能力项代码 "{code}"', key=code)
            elif level is None:
                self.issue(_bad_level(label), key=code)
            else:
                valid[code] = level
        return valid

    def code(self, code: str | None, known: set[str] | None, *, what: str = "能力项代码",
             key: str | None = None, text: str | None = None) -> None:
        if code is not None and known is not None and code not in known:
            self.issue(f'未知{what} "{code}"', key=key, text=text)


def _check_competency(table: _Table, fields: dict, codes: set[str] | None) -> None:
    """Check a [[competency]] entry's parent, workforces and level meanings."""
    table.code(fields.get("parent"), codes, what="上级能力项", key="parent")
    table.workforces(fields.get("workforces"))
    for level, meaning in fields.get("levels", {}).items():
        if _level(level) is None:
            table.issue(_bad_level(level), key=level)
        elif not isinstance(meaning, str):
            table.issue(f'"{level}" 的说明应为文本', key=level)


def _check_cycles(parents: dict[str, tuple[str, _Table]]) -> None:
    """Report each competency whose chain of parents leads back to it."""
    for code, (_, table) in parents.items():
        walked, node = set(), code
        while node in parents and node not in walked:
            walked.add(node)
            node = parents[node][0]
        if node == code:
            table.issue(f'能力项 "{code}" 的上级关系形成了循环', key="parent")


def _check_syllabus_header(table: _Table, fields: dict, stem: str) -> None:
    """Check a syllabus's post against its file name, and its hour totals."""
    if fields.get("post", stem) != stem:
        table.issue(f'post "{fields["post"]}" 与文件名 "{stem}.toml" 不一致', key="post")
    table.positive(fields, "annual_hours", "annual_required_hours")
    total, required = fields.get("annual_hours"), fields.get("annual_required_hours")
    if total is not None and required is not None and required > total:
        table.issue("年度必修学时不能超过年度总学时", key="annual_required_hours")


def _check_syllabus_post(table: _Table, post: str | None, known: set[str] | None) -> None:
    """A syllabus is for a post that workforces.toml defines."""
    if post is not None and known is not None and post not in known:
        table.issue(f'未知岗位代码 "{post}"（岗位在 workforces.toml 中定义）', key="post")


def _check_required(table: _Table, fields: dict, item: dict) -> None:
    """Check a [[required]] entry's deadline rule: exactly one of the two, each valid."""
    if sum(key in item for key in ("within_days_of_joining", "by_date_each_year")) != 1:
        table.issue("[[required]] 须填写 within_days_of_joining 或 by_date_each_year 二者之一")
    table.positive(fields, "within_days_of_joining")
    by_date = fields.get("by_date_each_year")
    if by_date is not None and not _month_day(by_date):
        table.issue(f'"by_date_each_year" 应为有效的日期 MM-DD（如 06-30），而不是 "{by_date}"',
                    key="by_date_each_year")


def _check_certify(table: _Table, fields: dict, codes: set[str] | None, exams: dict[str, str]) -> None:
    """Check a [[certify]] entry's competency code, level and exam code (a slug unique in all
    syllabi; `exams` maps the codes seen so far to their file)."""
    table.code(fields.get("competency"), codes, key="competency")
    if "level" in fields and _level(fields["level"]) is None:
        table.issue(_bad_level(fields["level"]), key="level")
    exam = fields.get("exam")
    if exam is None:
        return
    if not _EXAM_CODE.fullmatch(exam) or len(exam) > 80:
        table.issue(f'考试代码 "{exam}" 只能用小写字母、数字和连字符（如 fj-law-mid），不超过 80 个字符',
                    key="exam")
    elif exam in exams:
        table.issue(f'考试代码 "{exam}" 重复（已见于 {exams[exam]}）', key="exam")
    else:
        exams[exam] = table.src.rel
