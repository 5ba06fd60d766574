"""Read and check `workforces.toml`: the workforces, their posts and grade ladders (set by policy).

The content loader reads it first, so courses, competencies and syllabi are checked against the
workforce and post codes it defines; the sync applies it through `org.reference` before the syllabi.
"""

from __future__ import annotations

import re

from app.curriculum.toml_checks import _has, _Table
from app.org.reference import PostSpec, WorkforceSpec

FILE = "workforces.toml"
_WORKFORCE = {"code": ("text", True), "name": ("text", True), "grades": ("texts", True),
              "post": ("tables", True)}
_POST = {"code": ("text", True), "name": ("text", True), "description": ("text", False)}
_WORKFORCE_CODE = re.compile(r"[a-z][a-z0-9]{0,19}")
_POST_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NAME_MAX, _POST_CODE_MAX, _DESCRIPTION_MAX = 50, 40, 500


def read_workforces(loader) -> tuple[WorkforceSpec, ...]:
    """Load the workforces file under the loader's root, adding its issues to the loader.

    Sets `loader.workforce_codes` and `loader.post_codes` (None when the file cannot be read, so the
    other files are not flooded with unknown-code issues).
    """
    loaded = loader.read_toml(loader.root / FILE)
    if loaded is None:
        return ()
    src, data = loaded
    top = _Table(loader, src, src.span()).fields(data, {"workforce": ("tables", True)})
    result, codes, post_codes, post_names = [], set(), {}, {}
    first_post = 0  # the number of [[workforce.post]] headers above this workforce's first one
    for i, item in enumerate(top.get("workforce", [])):
        table = _Table(loader, src, src.span("workforce", i), "[[workforce]] 中")
        fields = table.fields(item, _WORKFORCE)
        code = fields.get("code")
        if code is not None and not _WORKFORCE_CODE.fullmatch(code):
            table.issue(f'队伍代码 "{code}" 应以小写字母开头，只含小写字母和数字，不超过 20 个字符', key="code")
        elif code in codes:
            table.issue(f'队伍代码 "{code}" 重复', key="code")
        codes.add(code)
        _name(table, fields.get("name"), "队伍名称")
        grades = _grades(table, fields.get("grades"))
        items = item.get("post") if isinstance(item.get("post"), list) else []
        posts = _posts(loader, src, (i, first_post), items, post_codes, post_names)
        first_post += len(items)
        if _has(fields, _WORKFORCE) and code is not None and grades is not None and posts is not None:
            result.append(WorkforceSpec(code, fields["name"].strip(), posts, grades))
    loader.workforce_codes = {code for code in codes if code}
    loader.post_codes = set(post_codes)
    return tuple(result)


def _name(table: _Table, name: str | None, what: str, key: str = "name") -> None:
    if name is not None and len(name.strip()) > _NAME_MAX:
        table.issue(f"{what}“{name}”超过 {_NAME_MAX} 个字", key=key)


def _grades(table: _Table, grades: list[str] | None) -> tuple[str, ...] | None:
    if grades is None:
        return None
    names = [name.strip() for name in grades]
    if not names:
        table.issue('"grades" 至少要有一个岗位等级（由低到高）', key="grades")
        return None
    ok = True
    for name in names:
        if not name or len(name) > _NAME_MAX:
            table.issue(f"岗位等级名称不能为空，也不能超过 {_NAME_MAX} 个字", key="grades")
            ok = False
        elif names.count(name) > 1:
            table.issue(f"岗位等级“{name}”重复", text=f'"{name}"')
            ok = False
    return tuple(names) if ok else None


def _posts(loader, src, where: tuple[int, int], items: list, codes: dict[str, int], names: dict[str, str]
           ) -> tuple[PostSpec, ...] | None:
    """Check one workforce's [[workforce.post]] tables; return them, or None if any is wrong.

    `where` is (the workforce's index, the index of its first [[workforce.post]] header in the file).
    """
    posts, ok = [], True
    index, first = where
    if not items:
        _Table(loader, src, src.span("workforce", index), "[[workforce]] 中").issue(
            "每支队伍至少要有一个岗位 [[workforce.post]]")
        return None
    for j, item in enumerate(items):
        table = _Table(loader, src, src.span("workforce.post", first + j), "[[workforce.post]] 中",
                       (_WORKFORCE.keys(), "第一个 [[workforce.post]]"))
        fields = table.fields(item, _POST)
        code, name = fields.get("code"), (fields.get("name") or "").strip()
        if code is not None and (not _POST_CODE.fullmatch(code) or len(code) > _POST_CODE_MAX):
            table.issue(f'岗位代码 "{code}" 只能用小写字母、数字和连字符（如 fj-road），不超过 {_POST_CODE_MAX} 个字符',
                        key="code")
            ok = False
        elif code in codes:
            table.issue(f'岗位代码 "{code}" 重复', key="code")
            ok = False
        elif code:
            codes[code] = index
        _name(table, fields.get("name"), "岗位名称")
        if name and name in names:
            table.issue(f"岗位名称“{name}”重复（名册导入按名称找岗位，名称须唯一）", key="name")
            ok = False
        elif name:
            names[name] = code or ""
        description = (fields.get("description") or "").strip()
        if len(description) > _DESCRIPTION_MAX:
            table.issue(f"岗位说明超过 {_DESCRIPTION_MAX} 个字", key="description")
            ok = False
        if _has(fields, _POST) and ok:
            posts.append(PostSpec(code, name, description))
        elif not _has(fields, _POST):
            ok = False
    return tuple(posts) if ok else None

