"""APS401: a page-size parameter with no upper bound."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Iterator

from ..model import Confidence, Finding, Kind, Severity
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import call_name, dotted, unparse, walk
from ._calls import project_calls
from ._project import project_def
from .base import Rule, RuleContext

_BOUND_KEYWORDS = frozenset({"le", "lt", "max_value", "maximum"})
# Defaults that declare a request parameter; any other call is a dependency that computes it.
_PARAM_DECLARATIONS = frozenset({"Query", "Body", "Path", "Header", "Cookie", "Form", "Field"})
_MAX_FACTORY_DEPTH = 3


class UnboundedLimit(Rule):
    """
    ## What it does
    Flags a ``limit`` / ``page_size`` / ``per_page`` style request parameter that has
    no upper bound: a FastAPI ``Query`` without ``le=``/``lt=`` (or a plain ``int``
    default), or a Flask ``request.args.get("limit", type=int)``, that the handler
    does not clamp (``min(limit, 100)``) or check (``if limit > 100: abort(400)``).

    ## Why is this bad?
    ``?limit=10000000`` makes the server load, serialise and send the whole table:
    one request ties up the database, memory and bandwidth (unrestricted resource
    consumption, OWASP API4:2023).

    ## Example
    ```python
    @router.get("/items")
    def list_items(limit: int = 50): ...
    ```

    ## Use instead
    ```python
    @router.get("/items")
    def list_items(limit: int = Query(50, ge=1, le=100)): ...
    ```

    A value computed by a dependency (``limit: int = Depends(get_limit)`` or a factory
    returning one, ``limit: int = LimitBody()``) is judged by that dependency's own
    parameter and checks; one that cannot be followed is not reported.

    ## Known problems
    Preview: recognises the parameter by name; a bound enforced by a project function
    the handler hands the value to (``validate_limit(limit)`` comparing it with a
    maximum) counts; one enforced deeper, by the database driver or by an upstream API
    the value is forwarded to, is not seen statically. With probes, APS451 asks the route for ten
    million rows: a 4xx lowers this finding.

    ## References
    - OWASP API4:2023 Unrestricted Resource Consumption
    - CWE-770: Allocation of Resources Without Limits or Throttling
    """

    code = "APS401"
    name = "unbounded-page-size"
    kind = Kind.RESOURCE_CONSUMPTION
    owasp = "API4:2023"
    severity = Severity.MEDIUM
    confidence = Confidence.POSSIBLE
    cwe = 770
    status = "preview"
    message = "{route} accepts `{param}` without an upper bound"
    remediation = (
        "Bound it: FastAPI `limit: int = Query(50, ge=1, le=100)`; Flask "
        "`limit = min(request.args.get('limit', 50, type=int), 100)`."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler = ctx.handler
        if handler is None:
            return
        for name, line in _unbounded(ctx.index, handler, ctx.knowledge.limit_name_re):
            yield self.finding(
                ctx,
                file=handler.path,
                line=line,
                symbol=handler.qualname,
                message=self.message.replace("{param}", name),
            )


def _unbounded(
    index: SourceIndex, handler: FunctionSource, limit_name: re.Pattern[str], depth: int = 0
) -> Iterator[tuple[str, int]]:
    for name, (arg, default) in handler.params.items():
        if not limit_name.match(name) or not _is_int_param(arg, default):
            continue
        if isinstance(default, ast.Call) and call_name(default) not in _PARAM_DECLARATIONS:
            dependency = _dependency(index, handler.module, default, depth)
            if dependency is not None and any(_unbounded(index, dependency, limit_name, depth + 1)):
                yield name, arg.lineno
        elif not (
            _declares_bound(arg, default)
            or _upper_bounded(handler, {name})
            or _clamped_by_helper(index, handler, {name})
        ):
            yield name, arg.lineno
    for name, call in _query_reads(handler, limit_name):
        targets = {
            n
            for n, values in handler.assignments.items()
            if any(_contains(v, call) for v in values)
        }
        if not (
            _clamped_inline(handler, call)
            or _upper_bounded(handler, targets)
            or _clamped_by_helper(index, handler, targets)
        ):
            yield name, call.lineno


def _clamped_by_helper(index: SourceIndex, handler: FunctionSource, names: set[str]) -> bool:
    """A project function the handler hands the value to bounds it (``validate_limit(limit)``
    comparing its parameter with a maximum, ``clamp(limit)`` returning ``min(...)``)."""
    if not names:
        return False
    for site in project_calls(index, handler):
        params = {
            p
            for p, args in site.bound.items()
            if any(isinstance(a, ast.Name) and a.id in names for a in args)
        }
        if params and _upper_bounded(site.callee, params):
            return True
    return False


def _upper_bounded(fs: FunctionSource, names: set[str]) -> bool:
    """In the handler or a helper it hands the value to: ``min(limit, N)``, or the value
    compared with anything but 0 or 1 (``limit > 100``, ``0 <= limit <= MAX``): a check of
    ``page_size < 1`` alone bounds nothing from above."""
    for node in fs.body_nodes:
        if (
            isinstance(node, ast.Call)
            and call_name(node) == "min"
            and any(isinstance(n, ast.Name) and n.id in names for a in node.args for n in walk(a))
        ):
            return True
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for (left, right), op in zip(itertools.pairwise(sides), node.ops, strict=True):
                if not isinstance(op, ast.Gt | ast.GtE | ast.Lt | ast.LtE):
                    continue
                for mine, other in ((left, right), (right, left)):
                    if isinstance(mine, ast.Name) and mine.id in names and not _floor(other):
                        return True
    return False


def _floor(node: ast.expr) -> bool:
    """0 or 1: what a lower bound compares with (``page_size < 1``)."""
    return isinstance(node, ast.Constant) and node.value in (0, 1)


def _dependency(
    index: SourceIndex, module: ModuleSource, call: ast.Call, depth: int
) -> FunctionSource | None:
    """The function FastAPI calls for ``Depends(f)``, or for a factory returning one."""
    if depth >= _MAX_FACTORY_DEPTH:
        return None
    if call_name(call) == "Depends":
        return project_def(index, module, _depends_on(call))
    factory = project_def(index, module, dotted(call.func))
    if factory is None:
        return None
    for ret in factory.returns:
        if isinstance(ret.value, ast.Call) and call_name(ret.value) == "Depends":
            inner = _depends_on(ret.value)
            nested = next(
                (
                    n
                    for n in factory.all_nodes
                    if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == inner
                ),
                None,
            )
            if nested is not None:  # def get_limit(...) inside the factory
                return FunctionSource(factory.module, nested, f"{factory.qualname}.{inner}")
            return _dependency(index, factory.module, ret.value, depth + 1)
    return None


def _depends_on(call: ast.Call) -> str:
    """The dotted name of the dependency of ``Depends(f)`` / ``Depends(dependency=f)``."""
    target = call.args[0] if call.args else None
    target = next((k.value for k in call.keywords if k.arg == "dependency"), target)
    return dotted(target)


def _is_int_param(arg: ast.arg, default: ast.expr | None) -> bool:
    annotation = unparse(arg.annotation) if arg.annotation is not None else ""
    if "int" in annotation:
        return True
    if isinstance(default, ast.Constant) and isinstance(default.value, int):
        return not isinstance(default.value, bool)
    return False


def _declares_bound(arg: ast.arg, default: ast.expr | None) -> bool:
    for node in (arg.annotation, default):
        if node is None:
            continue
        for sub in walk(node):
            if isinstance(sub, ast.Call) and any(k.arg in _BOUND_KEYWORDS for k in sub.keywords):
                return True
    return False


def _query_reads(
    handler: FunctionSource, limit_name: re.Pattern[str]
) -> Iterator[tuple[str, ast.Call]]:
    """``request.args.get("limit", ...)`` / ``request.args.get(key="per_page")`` reads."""
    if "args" not in handler.text:
        return
    for call in handler.calls:
        if call_name(call) == "get" and dotted(call.func).endswith("args.get"):
            key = (
                call.args[0]
                if call.args
                else next((k.value for k in call.keywords if k.arg == "key"), None)
            )
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and limit_name.match(key.value)
            ):
                yield key.value, call


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(sub is node for sub in walk(tree))


def _clamped_inline(handler: FunctionSource, call: ast.Call) -> bool:
    return any(
        isinstance(n, ast.Call) and call_name(n) == "min" and _contains(n, call)
        for n in handler.calls
    )
