"""The hand-rolled walks visit exactly the nodes ``ast.walk`` does, in the same order."""

from __future__ import annotations

import ast

from pytest_apiposture.rules._decorators import _scan
from pytest_apiposture.static.parsed import ModuleSource
from pytest_apiposture.static.syntax import SCOPED, NodeIndex, walk

# every construct whose fields are unusual: optional children, lists that hold None,
# name-only nodes, patterns, nested scopes in heads and bodies
SOURCE = """
import os.path as p, sys
from .x import (a as b, c)
global_value: int = 1
counter += 1

@decorate(lambda q, *, k, m=1, **kw: q)
async def f(x, /, y: int = 2, *args: str, z, w=3, **kw) -> dict[str, int]:
    global g
    def inner(v=lambda: 1):
        nonlocal x
        return {**v, "k": v, None: 1}
    class Local(Base, metaclass=M):
        attr = [i for i in range(3) if i async for j in k]
        def method(self): return super().method()
    try:
        raise ValueError("x") from None
    except* (TypeError, KeyError) as exc:
        pass
    async with a as (b, c), d:
        await e
    match command:
        case {"k": 1, **rest}: pass
        case Point(x=0, y=y) | [1, *others] | None: pass
        case str() as s if s: return f"{s!r:>{w}}"
    del x[1:2:3], y
    assert x, "m"
    yield from (yield)
    return not -x if a and b or c < d <= e else {1, 2}
"""


def _relevant(node: ast.AST) -> bool:
    return not isinstance(
        node, ast.expr_context | ast.operator | ast.boolop | ast.unaryop | ast.cmpop
    )


def test_walk_matches_ast_walk_order() -> None:
    tree = ast.parse(SOURCE)
    expected = [n for n in ast.walk(tree) if _relevant(n)]
    assert [id(n) for n in walk(tree)] == [id(n) for n in expected]


def _reference_fill(nodes: list[ast.AST], bucket: list[ast.AST], index: NodeIndex) -> None:
    """The node index by definition: depth first, last sibling first, one bucket per scope."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        bucket.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            index.heads[id(node)], index.bodies[id(node)] = [], []
            _reference_fill(list(node.body), index.bodies[id(node)], index)
            head = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
            _reference_fill(head, index.heads[id(node)], index)
        elif isinstance(node, ast.Lambda):
            index.heads[id(node)], index.bodies[id(node)] = [], []
            _reference_fill([node.body], index.bodies[id(node)], index)
            _reference_fill([node.args], index.heads[id(node)], index)
        else:
            children = [c for c in ast.iter_child_nodes(node) if _relevant(c)]
            if isinstance(node, ast.ClassDef):
                index.bodies[id(node)] = []
                _reference_fill(children, index.bodies[id(node)], index)
            else:
                stack.extend(children)


def test_node_index_matches_reference() -> None:
    tree = ast.parse(SOURCE)
    got, want = NodeIndex(), NodeIndex()
    got.add(tree.body, got.module)
    _reference_fill(list(tree.body), want.module, want)
    assert [id(n) for n in got.module] == [id(n) for n in want.module]
    for table in ("heads", "bodies"):
        mine, theirs = getattr(got, table), getattr(want, table)
        assert {k: [id(n) for n in v] for k, v in mine.items()} == {
            k: [id(n) for n in v] for k, v in theirs.items()
        }
    scopes = [n for n in ast.walk(tree) if isinstance(n, SCOPED)]
    assert len(got.bodies) == len(scopes) == 6  # f, inner, Local, method and two lambdas


DEFS = """
if flag:
    @router.get("/a")
    def handler(): ...
else:
    @router.post("/a")
    def handler(): ...
match kind:
    case 1:
        @router.get("/m")
        def in_case(): ...
class View:
    @app.route("/v", methods=["put"])
    def handler(self): ...
"""


def _module(text: str) -> ModuleSource:
    return ModuleSource("m.py", text.encode(), ast.parse(text), "")


def test_function_at_finds_the_def_by_decorator_or_def_line() -> None:
    module = _module(DEFS)
    for first, line in ((3, 4), (6, 7), (13, 14)):
        for at in (first, line):
            node = module.function_at("handler", at)
            assert node is not None and node.lineno == line
    node = module.function_at("handler", 9)  # shifted lines: the nearest first line
    assert node is not None and node.lineno == 7
    assert module.function_at("in_case", 10) is not None
    assert module.function_at("missing", 3) is None


def test_route_decorators_skip_match_cases() -> None:
    module = _module(DEFS)
    found = [(d.function, d.line, d.methods, d.path) for d in _scan(module)]
    assert found == [
        ("handler", 3, ("GET",), "/a"),
        ("handler", 6, ("POST",), "/a"),
        ("handler", 13, ("PUT",), "/v"),
    ]
    assert [d.name for d in module.defs()] != [d.name for d in module.defs(in_match_cases=False)]
