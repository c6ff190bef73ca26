"""Operator-level mutants of one Python module, made with ``ast``.

Every site is found on the original tree in a fixed walk order, so a mutant is named by its
module, line and a short text (``"and -> or"``), and the same source always yields the same
list. A mutant is applied by walking a fresh parse of the source to the same site.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: comparison operators and the one each is flipped to
_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SYMBOL: dict[type[ast.AST], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    module: str  # path relative to the repository, e.g. pytest_apiposture/verdict.py
    line: int
    text: str  # what changes, e.g. "`a and b` -> drop operand 2"
    index: int  # the site's position in the walk (with ``variant``, how to re-apply it)
    variant: int
    swap: tuple[str, str] | None = None  # a hand-written mutant: replace this text by that
    end: int = 0  # the last line the changed code spans (``line`` when 0)

    @property
    def lines(self) -> range:
        """The lines of the changed code: when none of them runs, the mutant changes nothing."""
        return range(self.line, max(self.line, self.end) + 1)

    @property
    def key(self) -> str:
        return f"{self.module}:{self.line}: {self.text}"


# A site yields (description, function that mutates the node in place or returns a replacement).
Edit = Callable[[ast.AST], ast.AST]


def _short(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _in_annotation(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    while parent is not None:
        if isinstance(parent, (ast.arg, ast.AnnAssign)) and node is not getattr(
            parent, "value", None
        ):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is parent.returns:
            return True
        node, parent = parent, parents.get(id(parent))
    return False


def _status(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _edits(node: ast.AST) -> Iterator[tuple[str, Edit]]:
    """Every mutation of one node (the node itself, not its children)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _FLIP:
                new = _FLIP[type(op)]

                def flip(n: ast.AST, i: int = i, new: type[ast.cmpop] = new) -> ast.AST:
                    assert isinstance(n, ast.Compare)
                    n.ops[i] = new()
                    return n

                yield f"`{_short(node)}`: {_SYMBOL[type(op)]} -> {_SYMBOL[new]}", flip
        for i, right in enumerate(node.comparators):
            if isinstance(node.ops[i], (ast.In, ast.NotIn)) and isinstance(right, ast.Tuple):
                for j, element in enumerate(right.elts if len(right.elts) > 1 else ()):

                    def shrink(n: ast.AST, i: int = i, j: int = j) -> ast.AST:
                        assert isinstance(n, ast.Compare)
                        old = n.comparators[i]
                        assert isinstance(old, ast.Tuple)
                        elts = [e for k, e in enumerate(old.elts) if k != j]
                        n.comparators[i] = ast.Tuple(elts=elts, ctx=ast.Load())
                        return n

                    yield f"`{_short(node)}`: drop `{_short(element, 40)}` from the tuple", shrink
    elif isinstance(node, ast.BoolOp):
        # ``and`` <-> ``or`` is not made: with two operands, any input that kills dropping
        # one operand kills the swap too (a and not b: `a` is true, `a or b` is true, `a and b`
        # is false), so it would cost a test run and tell nothing new
        for i, value in enumerate(node.values):
            if _type_guard(value):
                continue  # dropping `isinstance(x, T)`: a crash or the same answer, no decision

            def drop(n: ast.AST, i: int = i) -> ast.AST:
                assert isinstance(n, ast.BoolOp)
                rest = [v for j, v in enumerate(n.values) if j != i]
                return rest[0] if len(rest) == 1 else ast.BoolOp(op=n.op, values=rest)

            yield f"`{_short(node)}`: drop `{_short(value, 40)}`", drop
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):

        def keep(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.UnaryOp)
            return n.operand

        yield f"`{_short(node)}` -> `{_short(node.operand)}`", keep
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):

        def invert(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.Constant)
            return ast.Constant(not n.value)

        yield f"`{node.value}` -> `{not node.value}`", invert
    elif isinstance(node, ast.Constant) and _status(node.value):
        status = node.value
        assert isinstance(status, int)
        for delta in (1, -1):

            def shift(n: ast.AST, value: int = status + delta) -> ast.AST:
                return ast.Constant(value)

            yield f"`{status}` -> `{status + delta}`", shift
    elif isinstance(node, (ast.If, ast.IfExp)) and not isinstance(
        node.test, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Constant)
    ):
        # ``if known.ok`` -> ``if True``: the guard removed. A comparison or a boolean
        # operation is not forced as a whole: its operands are mutated one by one instead.

        def force(n: ast.AST) -> ast.AST:
            n.test = ast.Constant(True)  # type: ignore[attr-defined]
            return n

        yield f"`if {_short(node.test)}` -> `if True`", force
    elif isinstance(node, ast.Return) and node.value is not None and _boolean(node.value):
        returned = node.value

        def negate(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.Return) and n.value is not None
            n.value = ast.UnaryOp(op=ast.Not(), operand=n.value)
            return n

        yield f"`return {_short(returned)}` -> `return not (...)`", negate


def _type_guard(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id
        in (
            "isinstance",
            "hasattr",
            "callable",
        )
    )


def _boolean(node: ast.AST | None) -> bool:
    """A comparison, ``and``/``or`` or ``not``: what a ``return`` of a bool looks like."""
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    return isinstance(node, (ast.Compare, ast.BoolOp))


def _skipped(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` and ``if __name__ == "__main__":`` are not decisions, nor is
    what a ``raise`` says (the ``if`` above it decides) or the text of an f-string."""
    if isinstance(node, (ast.Raise, ast.JoinedStr)):
        return True
    if isinstance(node, ast.If):
        text = ast.unparse(node.test)
        return "TYPE_CHECKING" in text or "__name__" in text
    return False


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """Depth-first, children in field order, skipping docstrings, annotations and what
    ``_skipped`` names; the same order on every parse of the same source."""
    parents: dict[int, ast.AST] = {}
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if _skipped(node):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if not _in_annotation(node, parents):
            yield node
        children = list(ast.iter_child_nodes(node))
        for child in children:
            parents[id(child)] = node
        stack.extend(reversed(children))


def mutants(module: str, source: str) -> list[Mutant]:
    found: list[Mutant] = []
    for index, node in enumerate(_walk(ast.parse(source))):
        line = getattr(node, "lineno", 0)
        # a forced ``if`` changes its test, not its body
        changed = node.test if isinstance(node, ast.If) else node
        end = getattr(changed, "end_lineno", None) or line
        for variant, (text, _) in enumerate(_edits(node)):
            found.append(Mutant(module, line, text, index, variant, end=end))
    return found


class _Apply(ast.NodeTransformer):
    def __init__(self, target: ast.AST, edit: Edit) -> None:
        self.target, self.edit = target, edit

    def visit(self, node: ast.AST) -> ast.AST:
        if node is self.target:
            return self.edit(node)
        visited: ast.AST = super().visit(node)
        return visited


def apply(source: str, mutant: Mutant) -> str:
    """The module's source with one mutant applied (re-emitted by ``ast.unparse``)."""
    if mutant.swap is not None:
        old, new = mutant.swap
        if source.count(old) != 1:
            raise ValueError(f"{mutant.key}: {old!r} is not in the source exactly once")
        return source.replace(old, new)
    tree = ast.parse(source)
    target = next(n for i, n in enumerate(_walk(tree)) if i == mutant.index)
    text, edit = list(_edits(target))[mutant.variant]
    if text != mutant.text:
        raise ValueError(f"{mutant.key}: the source changed under the mutant ({text})")
    return ast.unparse(ast.fix_missing_locations(_Apply(target, edit).visit(tree)))
