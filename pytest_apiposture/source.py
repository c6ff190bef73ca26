"""From a route's callable to its source: file, ``def`` node and module AST.

Each file is read and parsed once per run. Every lookup records the files it
touched (and the notes it produced) in the active recording scopes, so that
``analysis`` can cache a unit of work keyed by the content of exactly the files
it depended on. Nothing here raises on bad input: an unparsable file, a handler
without Python source, a decorator that lost ``__wrapped__`` become notes.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import inspect
import os
import sys
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from .model import Route, relative_path

T = TypeVar("T")
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
ABSENT = "-"  # digest of a path that does not exist (an import candidate, say)
_SCOPED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class ModuleSource:
    """One parsed file. Derived tables are computed on first use."""

    def __init__(self, path: str, data: bytes, tree: ast.Module, digest: str) -> None:
        self.path = path
        self.data = data
        self.tree = tree
        self.digest = digest

    def __repr__(self) -> str:
        return f"ModuleSource({self.path!r})"

    @cached_property
    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return self.data.decode("latin-1")

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def segment(self, node: ast.AST) -> str:
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or first
        return "\n".join(self.lines[first - 1 : last])

    @cached_property
    def bindings(self) -> dict[str, ast.stmt | ast.alias]:
        """Module-level names: defs, classes, assignments and import aliases."""
        names: dict[str, ast.stmt | ast.alias] = {}
        for stmt in _top_level(self.tree.body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    for name in _target_names(target):
                        names[name] = stmt
            elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and isinstance(
                stmt.target, ast.Name
            ):
                names[stmt.target.id] = stmt
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                for alias in stmt.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    names[bound] = alias
                    self.import_of[id(alias)] = stmt
        return names

    @cached_property
    def import_of(self) -> dict[int, ast.Import | ast.ImportFrom]:
        return {}

    @cached_property
    def _defs(self) -> dict[str, list[tuple[int, int, FunctionNode]]]:
        """name -> [(first line incl. decorators, def line, node)]; a statement-level scan."""
        defs: dict[str, list[tuple[int, int, FunctionNode]]] = {}
        stack: list[ast.stmt] = list(self.tree.body)
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([d.lineno for d in stmt.decorator_list] + [stmt.lineno])
                defs.setdefault(stmt.name, []).append((first, stmt.lineno, stmt))
            stack.extend(_child_statements(stmt))
        return defs

    @cached_property
    def _scopes(self) -> _NodeIndex:
        return _NodeIndex()

    @cached_property
    def all_nodes(self) -> list[ast.AST]:
        """Every node of the module, from one traversal shared by every project rule."""
        index = _NodeIndex()
        index.add(self.tree.body, index.module)
        out = list(index.module)
        for bucket in (*index.heads.values(), *index.bodies.values()):
            out.extend(bucket)
        return out

    def body_nodes(self, node: ast.AST) -> list[ast.AST]:
        """The nodes of a def's (lambda's, class's) own body, nested scopes excluded."""
        return self._scope(node).bodies.get(id(node), [])

    def _scope(self, node: ast.AST) -> _NodeIndex:
        index = self._scopes
        if id(node) not in index.bodies:  # traverse this def (and what it nests) once
            index.add([node], [])
        return index

    def scope_nodes(self, node: ast.AST) -> list[ast.AST]:
        """The def and everything in it: head, body and nested scopes."""
        index = self._scope(node)
        out: list[ast.AST] = [node]
        todo = [node]
        while todo:
            current = todo.pop()
            for bucket in (index.heads.get(id(current), ()), index.bodies.get(id(current), ())):
                out.extend(bucket)
                todo.extend(n for n in bucket if isinstance(n, _SCOPED))
        return out

    def function_at(self, name: str, first_line: int) -> FunctionNode | None:
        """The def called ``name`` whose first line (decorator or def) is ``first_line``."""
        if name == "<lambda>":
            return next(
                (
                    n
                    for n in ast.walk(self.tree)
                    if isinstance(n, ast.Lambda) and n.lineno == first_line
                ),
                None,
            )
        candidates = self._defs.get(name, [])
        for first, def_line, node in candidates:
            if first_line in (first, def_line):
                return node
        if candidates:  # a code object compiled with shifted lines: take the nearest
            return min(candidates, key=lambda c: abs(c[0] - first_line))[2]
        return None

    def classes(self) -> dict[str, ast.ClassDef]:
        return {n.name: n for n in self.bindings.values() if isinstance(n, ast.ClassDef)}


class FunctionSource:
    """A handler, guard or helper: its module and ``def`` (or lambda) node."""

    def __init__(self, module: ModuleSource, node: FunctionNode, qualname: str) -> None:
        self.module = module
        self.node = node
        self.qualname = qualname

    def __repr__(self) -> str:
        return f"FunctionSource({self.qualname!r} at {self.path}:{self.line})"

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def line(self) -> int:
        """The ``def`` line (not the decorator line)."""
        return self.node.lineno

    @property
    def name(self) -> str:
        return "<lambda>" if isinstance(self.node, ast.Lambda) else self.node.name

    @property
    def is_lambda(self) -> bool:
        return isinstance(self.node, ast.Lambda)

    @cached_property
    def text(self) -> str:
        return self.module.segment(self.node)

    @property
    def body_nodes(self) -> list[ast.AST]:
        """Every node of this function's own body; nested defs and classes excluded."""
        return self.module.body_nodes(self.node)

    @cached_property
    def all_nodes(self) -> list[ast.AST]:
        """Every node including nested defs (a decorator's inner wrapper, say)."""
        return self.module.scope_nodes(self.node)

    @cached_property
    def calls(self) -> list[ast.Call]:
        return [n for n in self.body_nodes if isinstance(n, ast.Call)]

    @cached_property
    def returns(self) -> list[ast.Return]:
        """``return`` statements of this function (a statement-level scan, no full walk)."""
        if isinstance(self.node, ast.Lambda):
            return []
        out: list[ast.Return] = []
        stack: list[ast.stmt] = list(self.node.body)
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.Return):
                out.append(stmt)
            elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.extend(_child_statements(stmt))
        return sorted(out, key=lambda r: r.lineno)

    @cached_property
    def params(self) -> dict[str, tuple[ast.arg, ast.expr | None]]:
        """Parameter name -> (arg node, default expression or None)."""
        args = self.node.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        out = {a.arg: (a, d) for a, d in zip(positional, defaults, strict=True)}
        for a, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            out[a.arg] = (a, kw_default)
        return out

    @cached_property
    def assignments(self) -> dict[str, list[ast.expr]]:
        """Local name -> values assigned to it (plain ``x = ...`` and walrus)."""
        out: dict[str, list[ast.expr]] = {}
        for node in self.body_nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in _target_names(target):
                        out.setdefault(name, []).append(node.value)
            elif (
                isinstance(node, ast.AnnAssign | ast.NamedExpr)
                and node.value is not None
                and isinstance(node.target, ast.Name)
            ):
                out.setdefault(node.target.id, []).append(node.value)
        return out


class _NodeIndex:
    """The nodes of each scope, from one traversal per subtree.

    ``heads[id(def)]`` holds a def's decorators, arguments and annotations,
    ``bodies[id(def)]`` its body; a nested def or class is one node of its parent's bucket
    and has buckets of its own. Cheaper than an ``ast.walk`` per rule.
    """

    def __init__(self) -> None:
        self.module: list[ast.AST] = []
        self.heads: dict[int, list[ast.AST]] = {}
        self.bodies: dict[int, list[ast.AST]] = {}

    def add(self, nodes: list[ast.stmt] | list[ast.AST], into: list[ast.AST]) -> None:
        stack: list[tuple[ast.AST, list[ast.AST]]] = [(n, into) for n in nodes]
        push = stack.append
        while stack:
            node, bucket = stack.pop()
            bucket.append(node)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                head = self.heads[id(node)] = []
                body = self.bodies[id(node)] = []
                for item in node.decorator_list:
                    push((item, head))
                push((node.args, head))
                if node.returns is not None:
                    push((node.returns, head))
                for stmt in node.body:
                    push((stmt, body))
                continue
            if isinstance(node, ast.Lambda):
                push((node.args, self.heads.setdefault(id(node), [])))
                push((node.body, self.bodies.setdefault(id(node), [])))
                continue
            if isinstance(node, ast.ClassDef):
                bucket = self.bodies[id(node)] = []
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST):
                            push((item, bucket))
                elif isinstance(value, ast.AST):
                    push((value, bucket))


@dataclass(frozen=True)
class Resolved:
    """What a name used in a module refers to, followed through imports."""

    module: ModuleSource
    name: str
    kind: Literal["class", "function", "assign", "module"]
    node: ast.AST  # ClassDef / FunctionDef / Assign value / Module


@dataclass(eq=False)
class _Scope:
    paths: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class SourceIndex:
    """Route callables -> source, for files under ``root``; each file parsed once."""

    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = _norm(str(root))
        self.cache_dir = cache_dir
        self.notes: list[str] = []
        self._data: dict[str, bytes | None] = {}
        self._digests: dict[str, str] = {}
        self._modules: dict[str, ModuleSource | None] = {}
        self._bad: dict[str, str] = {}  # path -> its syntax-error note
        self._memo: dict[Hashable, tuple[Any, frozenset[str], tuple[str, ...]]] = {}
        self._scopes: list[_Scope] = []
        self._bases: dict[str, tuple[str, ...]] = {}
        self._code_keys: dict[tuple[int, bool], tuple[Any, str]] = {}

    # -- recording: which files (and notes) a unit of work depended on ----------
    @contextmanager
    def recording(self) -> Iterator[_Scope]:
        scope = _Scope()
        self._scopes.append(scope)
        try:
            yield scope
        finally:
            self._scopes.pop()  # scopes nest: the innermost closes first

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Compute once per run; a hit replays the files and notes to open scopes."""
        hit = self._memo.get(key)
        if hit is None:
            with self.recording() as scope:
                value = compute()
            hit = (value, frozenset(scope.paths), tuple(scope.notes))
            self._memo[key] = hit
        for path in hit[1]:
            self._touch(path)
        for note in hit[2]:
            self.note(note)
        return hit[0]

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
        for scope in self._scopes:
            scope.notes.append(text)

    def _touch(self, path: str) -> None:
        for scope in self._scopes:
            scope.paths.add(path)

    # -- files ---------------------------------------------------------------------
    def under_root(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def display(self, path: str) -> str:
        return relative_path(path, self.root)

    def read(self, path: str) -> bytes | None:
        path = _norm(path)
        if path not in self._data:
            try:
                with open(path, "rb") as handle:
                    self._data[path] = handle.read()
            except OSError:
                self._data[path] = None
        return self._data[path]

    def digest(self, path: str) -> str:
        """Content hash of a file (``ABSENT`` when it does not exist); cached per run."""
        known = self._digests.get(path)
        if known is not None:
            return known
        path = _norm(path)
        if path not in self._digests:
            data = self.read(path)
            self._digests[path] = (
                ABSENT if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()
            )
        return self._digests[path]

    def module(self, path: str | Path) -> ModuleSource | None:
        """The parsed file, or None (missing or a syntax error, noted once)."""
        key = _norm(str(path))
        self._touch(key)
        if key in self._modules:
            if key in self._bad:
                self.note(self._bad[key])
            return self._modules[key]
        data = self.read(key)
        parsed: ModuleSource | None = None
        if data is not None:
            try:
                parsed = ModuleSource(key, data, ast.parse(data, filename=key), self.digest(key))
            except SyntaxError as exc:
                self._bad[key] = (
                    f"{self.display(key)}:{exc.lineno or 0}: syntax error: {exc.msg}"
                    " — the rules skipped this file"
                )
                self.note(self._bad[key])
            except ValueError as exc:  # null bytes, undecodable source
                self._bad[key] = f"{self.display(key)}:0: {exc} — the rules skipped this file"
                self.note(self._bad[key])
        self._modules[key] = parsed
        return parsed

    def parsed_modules(self) -> list[ModuleSource]:
        return [m for _, m in sorted(self._modules.items()) if m is not None]

    # -- functions -------------------------------------------------------------------
    def function(self, func: Callable[..., Any], *, unwrap: bool = True) -> FunctionSource | None:
        """The def behind ``func`` (unwrapped unless told not to), or None with a note."""
        target = code_owner(func, unwrap=unwrap)
        code = getattr(target, "__code__", None)
        if code is None:
            if not isinstance(target, type):  # a class with a C __init__ is not a handler
                self.note(
                    f"{describe(func)}: no Python source (C extension or builtin);"
                    " the rules skipped it"
                )
            return None
        # code objects compare equal across files (co_filename is not part of ==): key by place
        key = ("function", code.co_filename, code.co_firstlineno, code.co_name)
        return self.memo(key, lambda: self._locate(code, target))

    def _locate(self, code: Any, target: Any) -> FunctionSource | None:
        filename = code.co_filename
        if filename.startswith("<"):
            self.note(
                f"{describe(target)}: defined in {filename} (exec or generated code),"
                " no source file; the rules skipped it"
            )
            return None
        path = _norm(filename)
        if not self.under_root(path):
            return None  # library code: not the project's to judge
        module = self.module(path)
        if module is None:
            return None
        node = module.function_at(code.co_name, code.co_firstlineno)
        if node is None:
            self.note(
                f"{self.display(path)}:{code.co_firstlineno}: could not find the source of"
                f" {describe(target)}; the rules skipped it"
            )
            return None
        if isinstance(node, ast.Lambda):
            self.note(
                f"{self.display(path)}:{node.lineno}: {describe(target)} is a lambda;"
                " rules that need a function body skipped it"
            )
        qualname = getattr(target, "__qualname__", code.co_name)
        return FunctionSource(module, node, str(qualname))

    def handler(self, route: Route) -> FunctionSource | None:
        """The route's endpoint source (a class-based view: the method for the route's verb)."""
        endpoint: Any = route.endpoint
        if endpoint is None:
            return None
        view_class = getattr(endpoint, "view_class", None)
        if view_class is not None:  # Flask View.as_view() handed over unresolved
            endpoint = getattr(view_class, route.method.lower(), None) or getattr(
                view_class, "dispatch_request", endpoint
            )
        target = code_owner(endpoint)
        if _lost_wraps(target):
            self.note(
                f"{route.key}: {describe(target)} looks like a decorator's wrapper without"
                " functools.wraps (no __wrapped__); the rules read the wrapper, not the view"
                " — add @functools.wraps(view) to it"
            )
        return self.function(endpoint)

    def code_key(self, func: Any, *, unwrap: bool = True) -> str:
        """``file:line:name`` of the code behind a callable: what a cache key may use.

        Computed once per object per run (the object is kept alive, so its id is stable).
        """
        hit = self._code_keys.get((id(func), unwrap))
        if hit is not None and hit[0] is func:
            return hit[1]
        code = getattr(code_owner(func, unwrap=unwrap), "__code__", None)
        if code is not None:
            key = f"{code.co_filename}:{code.co_firstlineno}:{code.co_name}"
        else:
            key = f"{type(func).__module__}.{type(func).__qualname__}"
        self._code_keys[(id(func), unwrap)] = (func, key)
        return key

    # -- names -----------------------------------------------------------------------
    def resolve(self, module: ModuleSource, name: str) -> Resolved | None:
        """What ``name`` (possibly dotted) means in ``module``, following imports under root."""
        return self.memo(
            ("resolve", module.path, name),
            lambda: self._resolve(module, name.split("."), 0),
        )

    def literal(self, module: ModuleSource, node: ast.AST | None, depth: int = 0) -> Any:
        """The value of a literal expression, following names to module constants.

        Returns ``UNKNOWN`` when the value is not a literal (a call, a parameter).
        """
        if node is None or depth > 8:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = [self.literal(module, elt, depth + 1) for elt in node.elts]
            return UNKNOWN if UNKNOWN in items else tuple(items)
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                lit_key = self.literal(module, key, depth + 1)
                if key is None or lit_key is UNKNOWN or not isinstance(lit_key, Hashable):
                    return UNKNOWN
                out[lit_key] = self.literal(module, value, depth + 1)
            return out
        if isinstance(node, ast.Call) and dotted(node.func) in {
            "set",
            "frozenset",
            "tuple",
            "list",
        }:
            return self.literal(module, node.args[0], depth + 1) if node.args else ()
        name = dotted(node)
        if name:
            found = self.resolve(module, name)
            if found is not None and found.kind == "assign":
                return self.literal(found.module, found.node, depth + 1)
        return UNKNOWN

    def _resolve(self, module: ModuleSource, parts: list[str], depth: int) -> Resolved | None:
        if depth > 12 or not parts:
            return None
        head, rest = parts[0], parts[1:]
        bound = module.bindings.get(head)
        found: Resolved | None = None
        if isinstance(bound, ast.ClassDef):
            found = Resolved(module, head, "class", bound)
        elif isinstance(bound, ast.FunctionDef | ast.AsyncFunctionDef):
            found = Resolved(module, head, "function", bound)
        elif isinstance(bound, ast.Assign | ast.AnnAssign | ast.AugAssign):
            if bound.value is not None:
                found = Resolved(module, head, "assign", bound.value)
        elif isinstance(bound, ast.alias):
            found = self._follow_import(module, bound, depth)
        if found is None or not rest:
            return found
        if found.kind == "module":
            return self._resolve(found.module, rest, depth + 1)
        if found.kind == "class" and isinstance(found.node, ast.ClassDef):
            return _class_member(found.module, found.node, rest)
        return None

    def _follow_import(self, module: ModuleSource, alias: ast.alias, depth: int) -> Resolved | None:
        stmt = module.import_of.get(id(alias))
        if isinstance(stmt, ast.Import):
            dotted = alias.name if alias.asname else alias.name.split(".")[0]
            target = self._module_file(module, dotted, 0)
            found = self.module(target) if target else None
            return Resolved(found, dotted, "module", found.tree) if found else None
        if not isinstance(stmt, ast.ImportFrom):
            return None
        package = self._module_file(module, stmt.module, stmt.level)
        if package is None:
            return None
        source = self.module(package)
        if source is not None and alias.name in source.bindings:
            return self._resolve(source, [alias.name], depth + 1)
        dotted_name = f"{stmt.module}.{alias.name}" if stmt.module else alias.name
        submodule = self._module_file(module, dotted_name, stmt.level)
        found = self.module(submodule) if submodule else None
        return Resolved(found, alias.name, "module", found.tree) if found else None

    def _module_file(self, module: ModuleSource, dotted: str | None, level: int) -> str | None:
        parts = dotted.split(".") if dotted else []
        if level:
            base = os.path.dirname(module.path)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases: tuple[str, ...] = (base,)
        else:
            bases = self._import_bases(module.path)
        for base in bases:
            stem = os.path.join(base, *parts)
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                self._touch(candidate)
                if self.digest(candidate) != ABSENT:
                    return candidate
        return None

    def _import_bases(self, path: str) -> tuple[str, ...]:
        """Directories an absolute import from ``path`` may start from (all under root)."""
        directory = os.path.dirname(path)
        cached = self._bases.get(directory)
        if cached is not None:
            return cached
        top = directory
        while os.path.isfile(os.path.join(top, "__init__.py")):
            top = os.path.dirname(top)
        bases = [top, self.root, os.path.join(self.root, "src")]
        bases += [_norm(p) for p in sys.path if p and self.under_root(_norm(p))]
        found = tuple(dict.fromkeys(b for b in bases if self.under_root(b)))
        self._bases[directory] = found
        return found


# -- helpers -------------------------------------------------------------------------
class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def dotted(node: ast.AST | None) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ''."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_name(call: ast.Call) -> str:
    """The last component of a call's callee: ``abort`` for ``flask.abort(401)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def code_owner(func: Any, *, unwrap: bool = True) -> Any:
    """The plain function whose ``__code__`` implements ``func`` (or None)."""
    current = func
    for _ in range(16):
        if unwrap and _unwrappable(current):
            try:
                current = inspect.unwrap(current)
            except ValueError:  # a __wrapped__ cycle
                return None
        if isinstance(current, functools.partial):
            current = current.func
        elif inspect.ismethod(current):
            current = current.__func__
        elif inspect.isfunction(current):
            return current
        elif isinstance(current, type):
            init = current.__dict__.get("__init__") or getattr(current, "__init__", None)
            return init if inspect.isfunction(init) else current
        elif inspect.isfunction(_class_call(current)):
            current = _class_call(current)  # a callable instance (a dependency class)
        else:
            return current
    return None


def _class_call(obj: Any) -> Any:
    return next(
        (k.__dict__["__call__"] for k in type(obj).__mro__ if "__call__" in k.__dict__), None
    )


def describe(func: Any) -> str:
    module = getattr(func, "__module__", None) or type(func).__module__
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}:{name}"


def _unwrappable(obj: Any) -> bool:
    return hasattr(obj, "__wrapped__")


def _lost_wraps(func: Any) -> bool:
    """A ``*args, **kwargs`` closure over another function: a wrapper that hides its view."""
    code = getattr(func, "__code__", None)
    if code is None or not getattr(func, "__closure__", None) or not code.co_flags & 0x0C:
        return False
    values = []
    for cell in func.__closure__:
        with contextlib.suppress(ValueError):  # an empty cell
            values.append(cell.cell_contents)
    return any(inspect.isfunction(v) and v is not func for v in values)


def _class_member(module: ModuleSource, cls: ast.ClassDef, parts: list[str]) -> Resolved | None:
    if len(parts) != 1:
        return None
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == parts[0]:
            return Resolved(module, parts[0], "function", stmt)
        if isinstance(stmt, ast.Assign) and parts[0] in {
            n for t in stmt.targets for n in _target_names(t)
        }:
            return Resolved(module, parts[0], "assign", stmt.value)
    return None


def _norm(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module statements, looking inside ``if``/``try`` blocks (TYPE_CHECKING, fallbacks)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _top_level(stmt.body)
            for handler in stmt.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(stmt.orelse)
        else:
            yield stmt


def _child_statements(stmt: ast.stmt) -> list[ast.stmt]:
    """The statements directly nested in a compound statement (if/for/with/try/match/def)."""
    out = [s for name in ("body", "orelse", "finalbody") for s in getattr(stmt, name, ())]
    for part in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
        out.extend(part.body)
    return [s for s in out if isinstance(s, ast.stmt)]
