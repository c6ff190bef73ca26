"""What a handler returns, seen through the framework's response helpers."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ..static.source import FunctionSource
from ..static.syntax import call_name

_WRAPPERS = frozenset(
    {
        "jsonify",
        "JSONResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "make_response",
        "json_response",
        "dumps",
        "Response",
    }
)


_MAY_HOLD_OBJECTS = frozenset(
    {ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Dict, ast.List, ast.Set, ast.Tuple,
     ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.Await}
)  # fmt: skip


@dataclass(frozen=True)
class Returned:
    """One value the handler sends back; ``bindings`` maps comprehension names to iterables."""

    node: ast.expr
    line: int
    bindings: tuple[tuple[str, ast.expr], ...] = ()


def returned_values(handler: FunctionSource) -> Iterator[Returned]:
    """Each returned expression, unwrapped from jsonify/JSONResponse/tuples/comprehensions,
    and the values nested in a returned dict or list literal."""
    if handler.is_lambda:
        assert isinstance(handler.node, ast.Lambda)
        yield from _unwrap(handler.node.body, handler.node.lineno, ())
        return
    for ret in handler.returns:
        if ret.value is not None:
            yield from _unwrap(ret.value, ret.lineno, ())


def _unwrap(
    node: ast.expr, line: int, bindings: tuple[tuple[str, ast.expr], ...]
) -> Iterator[Returned]:
    if isinstance(node, ast.Await):
        yield from _unwrap(node.value, line, bindings)
    elif isinstance(node, ast.Tuple) and node.elts:  # (body, status) / (body, status, headers)
        yield from _unwrap(node.elts[0], line, bindings)
    elif isinstance(node, ast.Call) and call_name(node) in _WRAPPERS:
        content = next((k.value for k in node.keywords if k.arg in {"content", "body"}), None)
        for arg in [*node.args[:1], *([content] if content is not None else [])]:
            yield from _unwrap(arg, line, bindings)
    elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        yield from _unwrap(node.elt, line, bindings + _comprehension_bindings(node))
    elif isinstance(node, ast.DictComp):
        yield Returned(node, line, bindings)
        yield from _unwrap(node.value, line, bindings + _comprehension_bindings(node))
    elif isinstance(node, ast.List | ast.Set) and node.elts:
        for elt in node.elts:
            yield from _unwrap(elt, line, bindings)
    elif isinstance(node, ast.Dict):
        # the mapping itself, then what it nests: {"environment": dict(os.environ)} and
        # {"user": user, **extra} send every value whole
        yield Returned(node, line, bindings)
        for value in node.values:
            if value.__class__ in _MAY_HOLD_OBJECTS:  # not a literal, an f-string, a sum
                yield from _unwrap(value, line, bindings)
    else:
        yield Returned(node, line, bindings)


def _comprehension_bindings(
    node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
) -> tuple[tuple[str, ast.expr], ...]:
    out: list[tuple[str, ast.expr]] = []
    for gen in node.generators:
        if isinstance(gen.target, ast.Name):
            out.append((gen.target.id, gen.iter))
    return tuple(out)
