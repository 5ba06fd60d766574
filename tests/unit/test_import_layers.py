"""The areas of `app/` import each other without a circle, and never each other's private names.

Every import counts, at module level or inside a function: an import hidden in a function still
ties the two areas together. An area is a package (app/auth, app/org, ...); `app/models` is one
node, and so is each shared module (app/audit.py, app/events.py, ...).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import ROOT

AREAS = {"auth", "org", "curriculum", "study", "classes", "bank", "me", "main", "models"}


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Return {dotted module name: file} for every module of the package under `root`."""
    files = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def area_of(module: str) -> str:
    """app.study.ledger -> study; app.events -> events; app -> app (the factory)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[tuple[str, str, int]]:
    """Return (imported module, imported name or '', line) for every import in the file."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names if alias.name in known]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(node, module, path.name == "__init__.py")
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    found.append((f"{source}.{alias.name}", "", node.lineno))
                elif source in known:
                    found.append((source, alias.name, node.lineno))
    return found


def private_attribute_uses(path: Path, known: set[str], module: str) -> list[tuple[str, str, int]]:
    """Return (module, name, line) where `mod._name` is read through an imported module's alias."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(node, module, path.name == "__init__.py")
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            aliases.update({alias.asname: alias.name for alias in node.names if alias.asname and alias.name in known})
    return [(aliases[node.value.id], node.attr, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
            and node.attr.startswith("_") and not node.attr.startswith("__")]


def area_edges(root: Path, package: str) -> dict[tuple[str, str], list[str]]:
    """Return {(area, imported area): ["module:line imports module", ...]} across areas."""
    files = module_files(root, package)
    edges: dict[tuple[str, str], list[str]] = {}
    for module, path in files.items():
        for target, _name, line in imports_of(module, path, set(files)):
            if area_of(target) != area_of(module) and area_of(module) != package:  # the factory wires all
                edges.setdefault((area_of(module), area_of(target)), []).append(f"{module}:{line} -> {target}")
    return edges


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one area (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def private_imports(root: Path, package: str) -> list[str]:
    """Return the imports of a `_private` name from another area's module or from a route module."""
    files = module_files(root, package)
    known = set(files)
    problems = []
    for module, path in files.items():
        uses = [(t, n, line) for t, n, line in imports_of(module, path, known) if n.startswith("_")]
        uses += private_attribute_uses(path, known, module)
        for target, name, line in uses:
            if name.startswith("__"):
                continue
            if area_of(target) != area_of(module) or target.rsplit(".", 1)[-1].startswith("routes"):
                problems.append(f"{module}:{line} uses {target}.{name}")
    return problems


def _explain(groups, edges) -> str:
    lines = []
    for group in groups:
        lines.append(" <-> ".join(group))
        lines += [f"    {how}" for (a, b), hows in edges.items() if a in group and b in group for how in hows]
    return "\n".join(lines)


def test_no_import_circle_between_the_areas_of_app():
    edges = area_edges(ROOT, "app")
    groups = cycles(edges)
    assert groups == [], "import circles between areas:\n" + _explain(groups, edges)


def test_the_areas_walked_include_every_area_package():
    walked = {area for pair in area_edges(ROOT, "app") for area in pair}
    assert AREAS <= walked


def test_no_module_imports_a_private_name_of_another_area_or_of_a_route_module():
    assert private_imports(ROOT, "app") == []


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_circle_hidden_in_a_function_level_import_is_found(tmp_path):
    _plant(tmp_path, {
        "pkg/__init__.py": "", "pkg/a/__init__.py": "", "pkg/b/__init__.py": "", "pkg/shared.py": "",
        "pkg/a/one.py": "from pkg.b import two\nfrom pkg import shared\n",
        "pkg/b/two.py": "def late():\n    from pkg.a.one import thing\n",
    })
    edges = area_edges(tmp_path, "pkg")
    assert cycles(edges) == [["a", "b"]]
    assert ("a", "shared") in edges


def test_private_names_from_other_areas_and_route_modules_are_found(tmp_path):
    _plant(tmp_path, {
        "pkg/__init__.py": "", "pkg/a/__init__.py": "", "pkg/b/__init__.py": "",
        "pkg/a/routes.py": "def _scope():\n    pass\n", "pkg/a/helpers.py": "def _inner():\n    pass\n",
        "pkg/a/routes_more.py": "from pkg.a.routes import _scope\nfrom pkg.a.helpers import _inner\n",
        "pkg/b/two.py": "from pkg.a import helpers\n\nhelpers._inner()\n",
    })
    assert private_imports(tmp_path, "pkg") == [
        "pkg.a.routes_more:1 uses pkg.a.routes._scope", "pkg.b.two:3 uses pkg.a.helpers._inner"]
