"""A view's decorator chain as guard candidates, each named after the decorator that built it.

``functools.wraps`` copies ``__name__``/``__qualname__``/``__module__`` from the wrapped
function, so those say nothing about the wrapper; its code object and its globals do:
``login_required.<locals>.decorated`` in module ``app.auth`` is ``app.auth.login_required``.
Used by the Flask adapter; framework-free so other adapters can reuse it.
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Guard, Location
from ._body_reads import body_reads
from ._def_store import DefStore, Facts
from ._shared import GuardTable

# Flask-HTTPAuth objects a wrapper may close over; the class name becomes the guard's scheme.
HTTPAUTH_CLASSES = frozenset(
    {"HTTPAuth", "HTTPTokenAuth", "HTTPBasicAuth", "HTTPDigestAuth", "MultiAuth"}
)
# The user callbacks such an object calls; classification may look for 401/403 in them.
_HTTPAUTH_CALLBACKS = ("verify_token_callback", "verify_password_callback", "get_password_callback")
_MAX_LAYERS = 64  # a __wrapped__ cycle must not hang the run

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


class SourceCache:
    """Parses each file once per enumeration and finds the ``def`` a code object came from.

    Where a ``def`` is and what a view reads from its body are also kept across runs per
    file content (``_def_store``): a file unchanged since the last run is not parsed.
    """

    def __init__(self) -> None:
        self._defs: dict[str, dict[tuple[str, int], tuple[_FunctionNode, str]] | None] = {}
        self._facts: dict[str, Facts | None] = {}
        self.guards = GuardTable()  # one object per distinct hook or decorator guard
        self.store = DefStore.current()

    def location(self, func: Callable[..., Any] | None) -> Location | None:
        code = code_of(func)
        if code is None or code.co_filename.startswith("<"):
            return None  # exec'd code, C functions: nothing to point at
        file = os.path.abspath(code.co_filename)
        found = self._fact(code)
        if found is None:
            return Location(file, code.co_firstlineno, qualname_of_code(code, self))
        line, end_line, qualname = found
        return Location(file, line, qualname, end_line)

    def definition(self, func: Callable[..., Any] | None) -> _FunctionNode | None:
        """The parsed ``def`` of ``func`` (None for exec'd code, C functions, lambdas'
        files that do not parse)."""
        code = code_of(func)
        found = self._find(code) if code is not None else None
        return found[0] if found else None

    def body_reads(
        self, func: Callable[..., Any], request_names: frozenset[str]
    ) -> tuple[str, ...]:
        """The body fields the view ``func`` reads (``_body_reads``), kept per file content."""
        code = code_of(func)
        if code is None:
            return ()
        key = (code.co_name, code.co_firstlineno, tuple(sorted(request_names)))
        stored = self.store.reads(code.co_filename, key) if self.store else None
        if stored is not None:
            return stored
        reads = body_reads(self.definition(func), request_names)
        if self.store:
            self.store.record_reads(code.co_filename, key, reads)
        return reads

    def qualname(self, code: types.CodeType) -> str | None:
        found = self._fact(code)
        return found[2] if found else None

    def _fact(self, code: types.CodeType) -> tuple[int, int | None, str] | None:
        """(def line, end line, qualname) of the ``def`` ``code`` came from."""
        filename = code.co_filename
        if filename not in self._facts:
            facts = self.store.facts(filename) if self.store else None
            if facts is None:
                stamp = self.store.stamp(filename) if self.store else None  # before reading
                index = self._index(filename)
                if index is not None:
                    facts = {
                        key: (node.lineno, getattr(node, "end_lineno", None), qualname)
                        for key, (node, qualname) in index.items()
                    }
                    if self.store and stamp is not None:
                        self.store.record_facts(filename, stamp, facts)
            self._facts[filename] = facts
        facts = self._facts[filename]
        return None if facts is None else facts.get((code.co_name, code.co_firstlineno))

    def _find(self, code: types.CodeType) -> tuple[_FunctionNode, str] | None:
        index = self._index(code.co_filename)
        return None if index is None else index.get((code.co_name, code.co_firstlineno))

    def _index(self, filename: str) -> dict[tuple[str, int], tuple[_FunctionNode, str]] | None:
        if filename not in self._defs:
            self._defs[filename] = _index_defs(filename)
        return self._defs[filename]


def _index_defs(filename: str) -> dict[tuple[str, int], tuple[_FunctionNode, str]] | None:
    """(co_name, co_firstlineno) -> (def node, qualname); co_firstlineno is the first decorator."""
    try:
        with open(filename, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    index: dict[tuple[str, int], tuple[_FunctionNode, str]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = prefix + child.name
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                index.setdefault((child.name, first), (child, qualname))
                visit(child, qualname + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.Lambda):
                index.setdefault(("<lambda>", child.lineno), (child, prefix + "<lambda>"))
                visit(child, prefix + "<lambda>.<locals>.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return index


def plain_function(obj: Any) -> Any:
    """The Python function behind a bound method, a functools.partial or a callable object."""
    for _ in range(_MAX_LAYERS):
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        elif isinstance(obj, functools.partial):
            obj = obj.func
        elif isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        else:
            break
    if callable(obj) and not inspect.isroutine(obj) and not isinstance(obj, type):
        call = type(obj).__call__
        return call if isinstance(call, types.FunctionType) else obj
    return obj


def code_of(func: Any) -> types.CodeType | None:
    code = getattr(plain_function(func), "__code__", None)
    return code if isinstance(code, types.CodeType) else None


def qualname_of_code(code: types.CodeType, sources: SourceCache) -> str:
    # co_qualname exists from Python 3.11; before that the AST gives the enclosing defs.
    return getattr(code, "co_qualname", None) or sources.qualname(code) or code.co_name


def handler_name(func: Any) -> str:
    """``module:qualname`` of an unwrapped function (its own names are truthful)."""
    target = plain_function(func)
    module = getattr(target, "__module__", None) or "?"
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}:{qualname}"


def decorator_name(wrapper: Any, sources: SourceCache) -> str:
    """``module.decorator`` for a wrapper function, from its code and globals, not its copied names."""
    target = plain_function(wrapper)
    code = code_of(target)
    if code is None:
        return f"{type(target).__module__}.{type(target).__qualname__}"
    globals_ = getattr(target, "__globals__", {})
    module = globals_.get("__name__") or getattr(target, "__module__", "?")
    # "roles_required.<locals>.deco.<locals>.wrapper" was built by roles_required
    return f"{module}.{qualname_of_code(code, sources).split('.<locals>')[0]}"


def _module_of(obj: Any) -> str:
    target = plain_function(obj)
    if isinstance(target, types.FunctionType):
        return str(target.__globals__.get("__name__", ""))
    return type(obj).__module__


@dataclass(frozen=True)
class ViewChain:
    """A view unwrapped: wrapper layers (outermost first), the function under them, what we saw."""

    layers: tuple[Any, ...]
    innermost: Any
    notes: tuple[str, ...] = ()


def walk_chain(
    view: Any, sources: SourceCache, plumbing_modules: tuple[str, ...] = ()
) -> ViewChain:
    """Follow ``__wrapped__`` down from ``view``; stop at a function from ``plumbing_modules``.

    A wrapper that lost ``__wrapped__`` (no functools.wraps) is followed through its closure
    when that is unambiguous: ``*args``/``**kwargs`` and exactly one function in the closure;
    with several the chain stops there. Either way a note says so: what lies below is inferred
    or invisible.
    """
    layers: list[Any] = []
    notes: list[str] = []
    current, seen = view, {id(view)}
    for _ in range(_MAX_LAYERS):
        module = _module_of(current)
        is_plumbing = any(module == m or module.startswith(m + ".") for m in plumbing_modules)
        below = getattr(current, "__wrapped__", None)
        if below is None and is_plumbing:
            break
        if below is None:
            candidates = _closure_functions(current)
            if not candidates:
                break
            where = sources.location(current)
            fix = f"add @functools.wraps(func) to {where.symbol if where else 'its wrapper'}"
            name = decorator_name(current, sources)
            if len(candidates) > 1:
                notes.append(
                    f"decorator {name} does not use functools.wraps and closes over several "
                    f"functions, so the view and decorators under it are unknown; {fix}"
                )
                break
            below = candidates[0]
            notes.append(
                f"decorator {name} does not use functools.wraps, so the layers under it were "
                f"found through its closure; {fix}"
            )
        if id(below) in seen:
            break
        seen.add(id(below))
        if not is_plumbing:  # the framework calling the view (connexion's operation wrapper)
            layers.append(current)
        current = below
    return ViewChain(tuple(layers), current, tuple(notes))


def _closure_functions(func: Any) -> list[Any]:
    """Functions a wrapper without ``__wrapped__`` closes over: what it may be wrapping."""
    if not isinstance(func, types.FunctionType) or not func.__closure__:
        return []
    if not func.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return []  # a pass-through wrapper takes *args/**kwargs; a view factory need not
    return [
        value
        for value in _closure_values(func)
        if value is not func
        and not isinstance(value, type)
        and isinstance(plain_function(value), types.FunctionType)
    ]


def _closure_values(func: types.FunctionType) -> Iterator[Any]:
    for cell in func.__closure__ or ():
        try:
            yield cell.cell_contents
        except ValueError:  # an empty cell
            continue


def _closure_by_name(func: types.FunctionType) -> dict[str, Any]:
    names = func.__code__.co_freevars
    out: dict[str, Any] = {}
    for name, cell in zip(names, func.__closure__ or (), strict=False):
        try:
            out[name] = cell.cell_contents
        except ValueError:
            continue
    return out


def decorator_guard(layer: Any, origin: str, sources: SourceCache) -> Guard:
    """One wrapper layer as a raw guard candidate; auth classification happens elsewhere."""
    func = plain_function(layer)
    scheme: str | None = None
    auto_error: bool | None = None
    scopes: tuple[str, ...] = ()
    chain: list[Any] = [func]
    if isinstance(func, types.FunctionType):
        cells = _closure_by_name(func)
        for value in cells.values():
            if any(c.__name__ in HTTPAUTH_CLASSES for c in type(value).__mro__):
                scheme = type(value).__name__
                chain.extend(_httpauth_callbacks(value))
                break
        if scheme is not None:
            # Flask-HTTPAuth's login_required(optional=..., role=...) keeps both in the closure
            auto_error = not cells.get("optional")
            scopes = _strings(cells.get("role"))
    return sources.guards.share(
        Guard(
            name=decorator_name(func, sources),
            origin=origin,
            scheme=scheme,
            auto_error=auto_error,
            scopes=scopes,
            location=sources.location(func),
            func=func if callable(func) else None,
            chain=tuple(chain),
        )
    )


def _httpauth_callbacks(auth: Any) -> list[Any]:
    """The user's verify callbacks on a Flask-HTTPAuth object (all of them for MultiAuth)."""
    objects = [getattr(auth, "main_auth", None), *getattr(auth, "additional_auths", ())]
    callbacks = [
        getattr(obj, name, None)
        for obj in [auth, *(o for o in objects if o is not None)]
        for name in _HTTPAUTH_CALLBACKS
    ]
    # Flask-HTTPAuth installs defaults of its own; only the user's code can deny or allow.
    return [
        cb for cb in callbacks if callable(cb) and not _module_of(cb).startswith("flask_httpauth")
    ]


def function_guard(func: Any, origin: str, sources: SourceCache) -> Guard:
    """A hook (before_request) as a guard candidate, named by its own module and qualname.

    A hook wrapped by a decorator (``@catch_exceptions`` with ``functools.wraps``) is the
    wrapper's code outside and the hook's inside: the chain holds every layer, so the
    hook's own code is what classification reads, and its ``def`` is where it points.
    """
    target = plain_function(func)
    layers = [target]
    for _ in range(_MAX_LAYERS):
        inner = getattr(layers[-1], "__wrapped__", None)
        if inner is None or any(inner is seen for seen in layers):
            break
        layers.append(plain_function(inner))
    innermost = layers[-1]
    return sources.guards.share(
        Guard(
            name=handler_name(innermost).replace(":", "."),
            origin=origin,
            location=sources.location(innermost),
            func=target if callable(target) else None,
            chain=tuple(layers),
        )
    )


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(s for item in value for s in _strings(item))
    return ()
