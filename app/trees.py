"""Forests of materialised-path rows (org units, bank categories) for tree pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TreeNode:
    """One row of a tree page: the item, a count shown beside it, and its children."""

    item: Any
    count: int = 0
    children: list[TreeNode] = field(default_factory=list)


def build_forest(items: Iterable, counts: Mapping[int, int]) -> list[TreeNode]:
    """Nest items (with `id` and `parent_id`, parents first) under their parents; return the roots."""
    items = list(items)
    nodes = {item.id: TreeNode(item, count=counts.get(item.id, 0)) for item in items}
    roots = []
    for item in items:
        parent = nodes.get(item.parent_id)
        (parent.children if parent else roots).append(nodes[item.id])
    return roots
