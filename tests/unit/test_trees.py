"""app/trees.py on plain objects: tree order and name paths below a root."""

from types import SimpleNamespace

from app.trees import in_tree_order, name_path


def _node(id_, name, parent=None):
    return SimpleNamespace(id=id_, name=name, parent_id=parent.id if parent else None,
                           path=(parent.path if parent else "/") + f"{id_}/")


def test_in_tree_order_puts_each_subtree_after_its_parent_and_keeps_sibling_order():
    root = _node(1, "支队")
    a, b = _node(2, "一大队", root), _node(3, "二大队", root)
    a1, b1 = _node(4, "一中队", a), _node(5, "一中队", b)
    level_by_level = [root, a, b, a1, b1]
    assert [n.id for n in in_tree_order(level_by_level)] == [1, 2, 4, 3, 5]


def test_name_path_below_a_root_drops_the_root_but_names_the_root_itself():
    root = _node(1, "支队")
    a = _node(2, "一大队", root)
    a1 = _node(4, "一中队", a)
    by_id = {n.id: n for n in (root, a, a1)}
    assert name_path(a1, by_id) == "支队/一大队/一中队"
    assert name_path(a1, by_id, below=1) == "一大队/一中队"
    assert name_path(root, by_id, below=1) == "支队"
    assert name_path(a1, by_id, below=2) == "一中队"
    assert name_path(a1, by_id, below=99) == "支队/一大队/一中队"  # not an ancestor: the whole path
