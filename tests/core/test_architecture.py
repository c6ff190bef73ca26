"""Architecture rules from DESIGN.md "Layout": no import cycles, no module over 400 lines.

The import graph is built with ``ast`` rather than by importing, so it sees every import a
module can execute: module level and function level alike (a lazy import is still a
dependency, and is where cycles hide). Only imports under ``if TYPE_CHECKING:`` are left out,
because they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest_apiposture

PACKAGE_DIR = Path(pytest_apiposture.__file__).resolve().parent
MAX_LINES = 400


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    file: Path
    line: int

    def describe(self, root: Path) -> str:
        where = self.file.relative_to(root.parent)
        return f"{self.source} -> {self.target}  ({where}:{self.line})"


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under ``package_dir`` (a package is its
    ``__init__``, named like the package)."""
    modules: dict[str, Path] = {}
    for file in sorted(package_dir.rglob("*.py")):
        parts = list(file.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = file
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: anywhere in the module, not under TYPE_CHECKING."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the `else:` branch runs
            continue
        stack.extend(ast.iter_child_nodes(node))


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` names, or the closest enclosing one that exists (``a.b.attr`` -> a.b)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _base_of(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    # the package a relative import is relative to: the module's own package, or itself
    # when the module is a package's __init__
    anchor = module.split(".") if is_package else module.split(".")[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def import_edges(package_dir: Path) -> list[Edge]:
    """The package-internal import edges, one per (statement, target)."""
    modules = module_files(package_dir)
    edges: list[Edge] = []
    for module, file in modules.items():
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        is_package = file.name == "__init__.py"
        for node in _runtime_imports(tree):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            else:
                base = _base_of(node, module, is_package)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    # `from pkg import sub` imports the submodule; `from mod import name` the module
                    targets.append(submodule if submodule in modules else _known(base, modules))
            for target in dict.fromkeys(targets):
                if target is not None and target != module:
                    edges.append(Edge(module, target, file, node.lineno))
    return edges


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """The strongly connected components with more than one module, each as its inner edges."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())

    # Tarjan, iterative so a deep graph cannot hit the recursion limit
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)

    found = []
    for component in components:
        inner = [e for e in edges if e.source in component and e.target in component]
        found.append(sorted(inner, key=lambda e: (e.source, e.target, e.line)))
    return sorted(found, key=lambda c: c[0].source)


def describe_cycles(found: list[list[Edge]], root: Path) -> str:
    blocks = []
    for component in found:
        names = sorted({e.source for e in component})
        lines = [f"cycle between {len(names)} modules: {', '.join(names)}"]
        lines += [f"    {edge.describe(root)}" for edge in component]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def test_no_import_cycles() -> None:
    found = cycles(import_edges(PACKAGE_DIR))
    assert not found, "import cycles (cut one edge of each):\n\n" + describe_cycles(
        found, PACKAGE_DIR
    )


def oversized(package_dir: Path) -> dict[str, int]:
    """Modules over MAX_LINES physical lines -> their line count."""
    return {
        str(file.relative_to(package_dir.parent)): n
        for file in sorted(package_dir.rglob("*.py"))
        if (n := len(file.read_bytes().splitlines())) > MAX_LINES
    }


def test_no_module_over_400_lines() -> None:
    too_long = oversized(PACKAGE_DIR)
    assert not too_long, f"modules over {MAX_LINES} lines (split them): {too_long}"


# -- the checker can fail -------------------------------------------------------------------


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "fakepkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def _components(package: Path) -> list[set[str]]:
    return [{e.source for e in component} for component in cycles(import_edges(package))]


def test_cycle_finder_sees_a_lazy_import_cycle(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            "a.py": "from .b import thing\n",
            "b.py": "def thing():\n    from fakepkg import a\n    return a\n",
            "c.py": "from . import a\n",
        },
    )
    found = cycles(import_edges(package))
    assert [{e.source for e in component} for component in found] == [{"fakepkg.a", "fakepkg.b"}]
    text = describe_cycles(found, package)
    assert "fakepkg.a -> fakepkg.b  (fakepkg/a.py:1)" in text
    assert "fakepkg.b -> fakepkg.a  (fakepkg/b.py:2)" in text


def test_cycle_finder_sees_a_package_init_cycle(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            "rules/__init__.py": "from . import one\nclass Check: ...\n",
            "rules/one.py": "from . import Check\n",
        },
    )
    assert _components(package) == [{"fakepkg.rules", "fakepkg.rules.one"}]


def test_cycle_finder_passes_an_acyclic_package(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            "a.py": "import fakepkg.b\nfrom .sub import c\n",
            "b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .a import x\n"
                "else:\n    import json\n"
            ),
            "sub/__init__.py": "",
            "sub/c.py": "from ..b import y\n",
        },
    )
    edges = {(e.source, e.target) for e in import_edges(package)}
    assert edges == {
        ("fakepkg.a", "fakepkg.b"),
        ("fakepkg.a", "fakepkg.sub.c"),
        ("fakepkg.sub.c", "fakepkg.b"),
    }
    assert _components(package) == []


def test_line_limit_counts_physical_lines(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {"fits.py": "x = 1\n" * MAX_LINES, "long.py": "x = 1\n\n" + "y = (\n)\n" * MAX_LINES},
    )
    assert oversized(package) == {"fakepkg/long.py": 2 * MAX_LINES + 2}
