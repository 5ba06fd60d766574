"""Trees of rows (org units, bank categories, competencies): materialised paths, name paths, forests.

An org unit or a bank category stores `path`, the ids from the root down to itself ("/1/4/9/").
These helpers are the one way to build that path, read the ancestor ids back out of it, and show
the chain of names ("交警支队/一大队/一中队").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db

SEPARATOR = "/"


@dataclass
class TreeNode:
    """One row of a tree page: the item, a count shown beside it, and its children."""

    item: Any
    count: int = 0
    children: list[TreeNode] = field(default_factory=list)


def build_forest(items: Iterable, counts: Mapping[int, int] | None = None) -> list[TreeNode]:
    """Nest items (with `id` and `parent_id`) under their parents, keeping their order; return the roots."""
    items = list(items)
    counts = counts or {}
    nodes = {item.id: TreeNode(item, count=counts.get(item.id, 0)) for item in items}
    roots = []
    for item in items:
        parent = nodes.get(item.parent_id)
        (parent.children if parent else roots).append(nodes[item.id])
    return roots


def ancestor_ids(node_or_path: Any) -> list[int]:
    """Return the ids on a node's materialised path (or on a path string), root first, itself last."""
    path = node_or_path if isinstance(node_or_path, str) else node_or_path.path
    return [int(part) for part in path.strip(SEPARATOR).split(SEPARATOR) if part]


def place(node: Any, parent: Any | None) -> None:
    """Set a flushed node's `path` (and `depth`, if it has one) for its place under `parent`."""
    node.path = (parent.path if parent else SEPARATOR) + f"{node.id}{SEPARATOR}"
    if hasattr(node, "depth"):
        node.depth = parent.depth + 1 if parent else 0


def in_tree_order(items: Iterable) -> list:
    """Return the items (with `id` and `parent_id`) each followed by its subtree; siblings keep their order."""
    ordered: list = []

    def visit(nodes: list[TreeNode]) -> None:
        for node in nodes:
            ordered.append(node.item)
            visit(node.children)

    visit(build_forest(items))
    return ordered


def shown_ids(node: Any, below: int | None = None) -> list[int]:
    """Return the ids of the names `name_path(node, …, below=below)` shows, top first."""
    ids = ancestor_ids(node)
    if below is not None and below in ids:
        return ids[ids.index(below) + 1:] or ids[-1:]
    return ids


def name_path(node: Any, by_id: Mapping[int, Any], *, below: int | None = None) -> str:
    """Return the names from the root down to the node, e.g. 交警支队/一大队.

    Ancestors missing from `by_id` are left out. With `below` (an ancestor's id) the names start
    under that ancestor: 一大队/一中队 below 交警支队 (the ancestor itself keeps its own name).
    """
    return SEPARATOR.join(by_id[i].name for i in shown_ids(node, below) if i in by_id)


def with_ancestors(model: type, nodes: Iterable, *, below: int | None = None) -> dict[int, Any]:
    """Return the nodes by id, plus every ancestor of theirs (those not given, in one query);
    with `below`, only the ancestors `name_path(…, below=below)` shows."""
    by_id = {node.id: node for node in nodes}
    missing = {i for node in by_id.values() for i in shown_ids(node, below)} - by_id.keys()
    if missing:
        by_id |= {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(missing)))}
    return by_id


def full_names(model: type, nodes: Iterable) -> dict[int, str]:
    """Return each node's whole name path from its root (ancestors looked up once)."""
    nodes = list(nodes)
    by_id = with_ancestors(model, nodes)
    return {node.id: name_path(node, by_id) for node in nodes}
