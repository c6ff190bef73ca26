"""Following a handler's calls into project functions (inter-procedural, a few levels).

A call whose callee resolves to a ``def`` under the project root (``services.create_item(
item)``, ``_fetch_image(url)``, ``Repo.load(x)``) is a ``CallSite``: the callee's source
and its parameters bound to the argument expressions. ``reach`` asks one question of a
function and, when it answers no there, of the functions it calls, with the parameters
whose arguments carry the caller's tainted names as the callee's seeds, ``MAX_DEPTH``
levels down. Every answer is memoised per run by (question, function, seeds, depth left)
through ``SourceIndex.memo``, which also replays the files a cached answer read into the
cache scope of each route that asks it, so the analysis cache stays exact.

Return values come back for free: ``tainted_names`` taints a name assigned from any
expression that reads a tainted name, a call to a helper included.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from dataclasses import dataclass

from ..static.resolve import is_folder, module_file, package_dirs
from ..static.source import FunctionSource, ModuleSource, Resolved, SourceIndex
from ..static.syntax import dotted
from ._dataflow import class_of, derives, function_source
from ._models import method

MAX_DEPTH = 3
_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


class CallSite:
    """A call into a project function: the call, the callee, parameter -> arguments
    (``bound``, worked out on first use: the ``mentions`` walk never reads it)."""

    __slots__ = ("_bound", "call", "callee")

    def __init__(self, call: ast.Call, callee: FunctionSource) -> None:
        self.call, self.callee = call, callee
        self._bound: dict[str, tuple[ast.expr, ...]] | None = None

    @property
    def bound(self) -> dict[str, tuple[ast.expr, ...]]:
        if self._bound is None:
            self._bound = bind(self.callee, self.call)
        return self._bound


@dataclass(frozen=True)
class Hit:
    """What a question found: where (file, line), what (``detail``) and the call chain
    from the function first asked to the one it is in (``via``: callee qualnames)."""

    path: str
    line: int
    detail: str
    via: tuple[str, ...] = ()

    def through(self, callee: str) -> Hit:
        return Hit(self.path, self.line, self.detail, (callee, *self.via))

    def chain(self) -> str:
        """`` via `a` -> `b` `` (empty when found in the function asked)."""
        return " via " + " -> ".join(f"`{q}`" for q in self.via) if self.via else ""


# (index, function, seeds) -> the hit in that function's own body, or None
Local = Callable[[SourceIndex, FunctionSource, frozenset[str]], Hit | None]
# (function, seeds) -> the local names that carry the seeds (to bind the callee's seeds)
Taint = Callable[[FunctionSource, frozenset[str]], set[str]]
# (callee, seeds) -> whether to look into that callee at all
Follow = Callable[[FunctionSource, frozenset[str]], bool]
# (index, caller, argument, tainted names) -> whether the argument carries the taint
Carries = Callable[[SourceIndex, FunctionSource, ast.expr, set[str]], bool]


def reach(
    index: SourceIndex,
    fs: FunctionSource,
    seeds: frozenset[str],
    *,
    question: str,
    local: Local,
    taint: Taint | None,
    follow: Follow,
    depth: int = MAX_DEPTH,
    carries: Carries | None = None,
    words: tuple[str, ...] | None = None,
) -> Hit | None:
    """``local``'s answer in ``fs`` or, failing that, in a project function it calls
    (``depth`` levels down). With ``taint``, a callee's seeds are the parameters bound to
    an argument that reads a tainted name; without, every callee is asked with none.
    With ``words`` (``local`` answers no in a function whose text holds none of them), a
    callee is asked only when it or a function it calls, as deep as the question goes,
    has one of them: the shared ``mentions`` test, before any taint is computed."""
    key = ("reach", question, fs.path, fs.line, fs.name, seeds, depth)
    return index.memo(
        key,
        lambda: _reach(index, fs, seeds, question, local, taint, follow, depth, carries, words),
    )


def _reach(
    index: SourceIndex,
    fs: FunctionSource,
    seeds: frozenset[str],
    question: str,
    local: Local,
    taint: Taint | None,
    follow: Follow,
    depth: int,
    carries: Carries | None,
    words: tuple[str, ...] | None,
) -> Hit | None:
    hit = local(index, fs, seeds)
    if hit is not None or depth <= 0:
        return hit
    sites = project_calls(index, fs)
    if words is not None:
        sites = [s for s in sites if mentions(index, s.callee, words, depth - 1)]
    if not sites:
        return None
    tainted = taint(fs, seeds) if taint is not None else set()
    for site in sites:
        callee_seeds = bound_seeds(index, fs, site, tainted, carries)
        if not follow(site.callee, callee_seeds):
            continue
        found = reach(
            index,
            site.callee,
            callee_seeds,
            question=question,
            local=local,
            taint=taint,
            follow=follow,
            depth=depth - 1,
            carries=carries,
            words=words,
        )
        if found is not None:
            return found.through(site.callee.qualname)
    return None


def mentions(
    index: SourceIndex, fs: FunctionSource, words: tuple[str, ...], depth: int = MAX_DEPTH
) -> bool:
    """``fs`` or a project function it calls (``depth`` levels) has one of ``words`` in
    its text: a test once per function per run, to spare most handlers a data flow. The
    words of ``VOCABULARY`` are found for every rule in one pass per function."""
    text = fs.text
    if any(w in text for w in words):
        return True  # no call resolved: the function itself says it
    if all(w in _VOCABULARY_SET for w in words):
        found = vocabulary_in(index, fs, depth)
        return any(w in found for w in words)
    return index.memo(
        ("mentions", words, fs.path, fs.line, fs.name, depth),
        lambda: (
            any(w in fs.text for w in words)
            or (
                depth > 0
                and any(
                    mentions(index, s.callee, words, depth - 1) for s in project_calls(index, fs)
                )
            )
        ),
    )


# the words the rules' ``mentions`` tests ask for (HTTP clients, bulk writes)
VOCABULARY = (
    "requests", "httpx", "aiohttp", "urllib3", "urlopen", "Request(", "timeout=None",
    "**", "update", "setattr", "from_dict", "set_attributes", "merge",
)  # fmt: skip
_VOCABULARY_SET = frozenset(VOCABULARY)


def vocabulary_in(index: SourceIndex, fs: FunctionSource, depth: int = MAX_DEPTH) -> frozenset[str]:
    """The ``VOCABULARY`` words in ``fs``'s text or its callees' (``depth`` levels)."""
    return index.memo(
        ("vocabulary", fs.path, fs.line, fs.name, depth), lambda: _vocabulary(index, fs, depth)
    )


def _vocabulary(index: SourceIndex, fs: FunctionSource, depth: int) -> frozenset[str]:
    text = fs.text
    found = {w for w in VOCABULARY if w in text}
    if depth > 0:
        for site in project_calls(index, fs):
            found |= vocabulary_in(index, site.callee, depth - 1)
    return frozenset(found)


def bound_seeds(
    index: SourceIndex,
    fs: FunctionSource,
    site: CallSite,
    tainted: set[str],
    carries: Carries | None = None,
) -> frozenset[str]:
    """The callee's parameters bound to an argument that carries ``tainted`` names (by
    default: reads one, or request data)."""

    def test(arg: ast.expr) -> bool:
        if carries is not None:
            return carries(index, fs, arg, tainted)
        return derives(arg, tainted)

    return frozenset(p for p, args in site.bound.items() if any(test(a) for a in args))


def project_calls(index: SourceIndex, fs: FunctionSource) -> list[CallSite]:
    """The calls in ``fs``'s body whose callee is a project ``def`` (once per run)."""
    return index.memo(("project_calls", fs.path, fs.line, fs.name), lambda: _sites(index, fs))


def _sites(index: SourceIndex, fs: FunctionSource) -> list[CallSite]:
    if fs.is_lambda:
        return []
    calls = fs.calls
    if not calls:
        return []
    module = fs.module
    bindings, params = module.bindings, fs.params
    assigned: dict[str, list[ast.expr]] | None = None
    out = []
    # (head, rest) -> the callee, or None: a name called again (a logger, ``data.get``)
    # resolves the same way, and its files are already recorded in this scope
    seen: dict[tuple[str, str], FunctionSource | None] = {}
    for call in calls:
        func = call.func
        cls = func.__class__
        if cls is ast.Name:
            head, rest = func.id, ""  # type: ignore[attr-defined]
        elif cls is ast.Attribute and func.value.__class__ is ast.Name:  # type: ignore[attr-defined]
            head, rest = func.value.id, func.attr  # type: ignore[attr-defined]
        elif cls is ast.Attribute:
            name = dotted(func)
            if not name:
                continue  # db.query(X).filter(...): no name the resolver follows
            head, _, rest = name.partition(".")
        else:
            continue
        key = (head, rest)
        if key in seen:
            known = seen[key]
            if known is not None:
                out.append(CallSite(call, known))
            continue
        seen[key] = None
        if assigned is None and head not in bindings and head not in params:
            assigned = fs.assignments
        if head in params or (assigned is not None and head in assigned):
            if not rest or "." in rest:
                continue
            if (
                head in params
                and params[head][0].annotation is None
                and not (assigned and head in assigned)
            ):
                continue  # db=Depends(get_db): nothing says its class
            found = _method_of_local(index, fs, call)
        else:
            bound = bindings.get(head)
            if bound is None or (bound.__class__ is ast.ClassDef and not rest):
                continue  # a builtin, a constructor
            if bound.__class__ is ast.alias and not _project_import(index, module, head):
                continue  # fastapi.Depends, httpx.get: library code
            found = index.resolve(module, f"{head}.{rest}" if rest else head)
        if found is None or found.kind != "function" or not isinstance(found.node, _FUNCTION_NODES):
            continue
        if found.node is fs.node:
            continue  # direct recursion adds nothing
        callee = seen[key] = function_source(index, found.module, found.node)
        out.append(CallSite(call, callee))
    return out


def _project_import(index: SourceIndex, module: ModuleSource, head: str) -> bool:
    """The import that binds ``head`` in ``module`` may read a file under the root: its
    package (``from fastapi import ...``: one look per package and folder, not per name)
    or, for a namespace package, the submodule is a project file."""
    alias = module.bindings.get(head)
    stmt = module.import_of.get(id(alias))
    if isinstance(stmt, ast.ImportFrom):
        package, level = stmt.module, stmt.level
    elif isinstance(stmt, ast.Import) and isinstance(alias, ast.alias):
        package, level = alias.name.split(".")[0], 0
    else:
        return True  # not an import after all: let the resolver say
    folder = os.path.dirname(module.path)
    return index.memo(
        ("project_package", folder, package, level),
        lambda: _under_root(index, module, package, level),
    )


def _under_root(index: SourceIndex, module: ModuleSource, package: str | None, level: int) -> bool:
    """The package is a project file, or a folder under an import base (a namespace
    package: its submodules are project files)."""
    if module_file(index, module, package, level) is not None:
        return True
    return any(is_folder(index, d) for d in package_dirs(index, module, package, level))


def _method_of_local(index: SourceIndex, fs: FunctionSource, call: ast.Call) -> Resolved | None:
    """``obj.method(...)`` where ``obj``'s class is project code (annotation, constructor,
    fetch): that class's (or a base's) ``def``."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    cls = class_of(index, fs, func.value)
    found = method(cls, index, func.attr) if cls is not None else None
    return Resolved(found[0], func.attr, "function", found[1]) if found is not None else None


def bind(callee: FunctionSource, call: ast.Call) -> dict[str, tuple[ast.expr, ...]]:
    """Parameter -> the argument expressions it receives (``*args``/``**kwargs``
    parameters collect the surplus; a ``*x``/``**x`` argument binds every parameter it
    may fill)."""
    node = callee.node
    assert isinstance(node, _FUNCTION_NODES)
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if positional and positional[0] in {"self", "cls"}:
        positional = positional[1:]
    keyword_names = {*positional, *(a.arg for a in args.kwonlyargs)}
    out: dict[str, list[ast.expr]] = {}
    for number, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            for name in positional[number:] + ([args.vararg.arg] if args.vararg else []):
                out.setdefault(name, []).append(arg.value)
            break
        if number < len(positional):
            out.setdefault(positional[number], []).append(arg)
        elif args.vararg is not None:
            out.setdefault(args.vararg.arg, []).append(arg)
    for keyword in call.keywords:
        if keyword.arg is None:  # **mapping: any parameter not given otherwise
            for name in [*keyword_names, *([args.kwarg.arg] if args.kwarg else [])]:
                out.setdefault(name, []).append(keyword.value)
        elif keyword.arg in keyword_names:
            out.setdefault(keyword.arg, []).append(keyword.value)
        elif args.kwarg is not None:
            out.setdefault(args.kwarg.arg, []).append(keyword.value)
    return {name: tuple(values) for name, values in out.items()}
