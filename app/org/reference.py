"""Workforces, their posts and grade ladders: reference data set by policy, applied from the content.

The source is `course_content/workforces.toml` (read and checked by `curriculum/workforces_file.py`);
the content sync applies it here, before the syllabi that name the posts, in its own transaction.
Rows are matched by code (workforces, posts) and by name within a workforce (grades, whose rank is
their place in the ladder). A row the file no longer has is deleted, unless something still refers
to it: then `still_used` names it, and the sync refuses before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import Grade, Post, Workforce

# What refers to a post, grade or workforce, by table (any foreign key is found; these name it).
_REFERRERS = {"person": "人员", "syllabus": "培训大纲", "exam_audience": "考试对象", "org_unit": "单位",
              "post": "岗位", "grade": "岗位等级"}


@dataclass(frozen=True)
class PostSpec:
    """A post (岗位) of a workforce."""

    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class WorkforceSpec:
    """A workforce (队伍) with its posts and its grade ladder, lowest first."""

    code: str
    name: str
    posts: tuple[PostSpec, ...]
    grades: tuple[str, ...]


@dataclass
class Changes:
    """What applying data did to one kind of row (the reference data here, all content in a sync)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        """How many rows of this kind the data now has."""
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "removed": self.removed}


@dataclass
class Applied:
    workforces: Changes = field(default_factory=Changes)
    posts: Changes = field(default_factory=Changes)
    grades: Changes = field(default_factory=Changes)


def _leaving(specs: tuple[WorkforceSpec, ...]) -> tuple[list[Workforce], list[Post], list[Grade]]:
    """Return the workforces, posts and grades in the database that the specs no longer have."""
    codes = {spec.code for spec in specs}
    post_codes = {post.code for spec in specs for post in spec.posts}
    ladders = {spec.code: set(spec.grades) for spec in specs}
    workforces = list(db.session.scalars(select(Workforce).order_by(Workforce.id)))
    posts = [post for post in db.session.scalars(select(Post).order_by(Post.id)) if post.code not in post_codes]
    by_id = {workforce.id: workforce for workforce in workforces}
    grades = [grade for grade in db.session.scalars(select(Grade).order_by(Grade.workforce_id, Grade.rank))
              if grade.name not in ladders.get(by_id[grade.workforce_id].code, ())]
    return [w for w in workforces if w.code not in codes], posts, grades


def _uses(table_name: str, ids: list[int], leaving: set[tuple[str, int]]) -> dict[int, list[str]]:
    """Return {id: ["人员 3", …]} for the rows of `table_name` that other rows still refer to
    (rows that leave with them, `leaving` as (table, id), do not count)."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name != table_name:
                continue
            column = key.parent
            query = select(column, func.count()).where(column.in_(ids)).group_by(column)
            if table.name in {name for name, _ in leaving} and "id" in table.c:
                gone = [i for name, i in leaving if name == table.name]
                query = query.where(table.c.id.not_in(gone))
            for referred, count in db.session.execute(query):
                found.setdefault(referred, []).append(f"{_REFERRERS.get(table.name, table.name)} {count}")
    return found


def still_used(specs: tuple[WorkforceSpec, ...]) -> list[str]:
    """Return a message for each row the specs drop that something still refers to (reads only)."""
    workforces, posts, grades = _leaving(specs)
    leaving = {("workforce", w.id) for w in workforces} | {("post", p.id) for p in posts} | {
        ("grade", g.id) for g in grades}
    messages = []
    for kind, table, rows, name in (("队伍", "workforce", workforces, lambda w: f"{w.name}（{w.code}）"),
                                    ("岗位", "post", posts, lambda p: f"{p.name}（{p.code}）"),
                                    ("岗位等级", "grade", grades, lambda g: g.name)):
        uses = _uses(table, [row.id for row in rows], leaving)
        for row in rows:
            if row.id in uses:
                messages.append(f"{kind}“{name(row)}”已从文件中删去，但仍被使用（{'、'.join(uses[row.id])}）；"
                                "请先调整这些记录，或把它写回文件")
    return messages


def apply(specs: tuple[WorkforceSpec, ...]) -> Applied:
    """Make the workforces, posts and grades say what the specs say (flushes; the caller commits).

    The caller has checked `still_used` first: whatever the specs drop is deleted.
    """
    applied = Applied()
    workforces, posts, grades = _leaving(specs)
    for rows, changes in ((grades, applied.grades), (posts, applied.posts)):
        for row in rows:
            db.session.delete(row)
            changes.removed += 1
    db.session.flush()
    existing = {w.code: w for w in db.session.scalars(select(Workforce))}
    known_posts = {p.code: p for p in db.session.scalars(select(Post))}
    for spec in specs:
        workforce = existing.get(spec.code)
        if workforce is None:
            workforce = Workforce(code=spec.code, name=spec.name)
            db.session.add(workforce)
            db.session.flush()
            applied.workforces.created += 1
        elif workforce.name != spec.name:
            workforce.name = spec.name
            applied.workforces.updated += 1
        else:
            applied.workforces.unchanged += 1
        for post_spec in spec.posts:
            _post(workforce, post_spec, known_posts.get(post_spec.code), applied.posts)
        _ladder(workforce, spec.grades, applied.grades)
    for workforce in workforces:
        db.session.delete(workforce)
        applied.workforces.removed += 1
    db.session.flush()
    return applied


def _post(workforce: Workforce, spec: PostSpec, post: Post | None, changes: Changes) -> None:
    values = {"workforce_id": workforce.id, "name": spec.name, "description": spec.description}
    if post is None:
        db.session.add(Post(code=spec.code, **values))
        changes.created += 1
    elif any(getattr(post, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(post, key, value)
        changes.updated += 1
    else:
        changes.unchanged += 1


def _ladder(workforce: Workforce, names: tuple[str, ...], changes: Changes) -> None:
    """Give the workforce's grades the ranks of `names` (1 = lowest), adding the missing ones."""
    current = {g.name: g for g in db.session.scalars(select(Grade).where(Grade.workforce_id == workforce.id))}
    moved = [g for g in current.values() if names.index(g.name) + 1 != g.rank]
    for grade in moved:  # out of the way first: (workforce, rank) is unique at every flush
        grade.rank = -grade.id
    if moved:
        db.session.flush()
    for rank, name in enumerate(names, start=1):
        grade = current.get(name)
        if grade is None:
            db.session.add(Grade(workforce_id=workforce.id, name=name, rank=rank))
            changes.created += 1
        elif grade in moved:
            grade.rank = rank
            changes.updated += 1
        else:
            changes.unchanged += 1
