"""From a route's callable to its source: file, ``def`` node and module AST.

Each file is read and parsed once per run. Every lookup records the files it
touched (and the notes it produced) in the active recording scopes, so that
``analysis`` can cache a unit of work keyed by the content of exactly the files
it depended on. Nothing here raises on bad input: an unparsable file, a handler
without Python source, a decorator that lost ``__wrapped__`` become notes.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from ..model import Route, relative_path
from . import resolve as _resolve
from .callables import code_owner, code_place, describe, lost_wraps
from .parsed import FunctionSource, ModuleSource
from .resolve import ABSENT, FOLDER, UNKNOWN, Resolved, norm
from .syntax import (
    call_name,
    dotted,
)

__all__ = [
    "ABSENT", "UNKNOWN", "FunctionSource", "ModuleSource", "Resolved", "SourceIndex",
    "call_name", "code_owner", "describe", "dotted",
]  # fmt: skip
T = TypeVar("T")


class _Scope:
    """The files and notes of one unit of work; a context manager on the index's stack
    (a plain class: the static pass opens one per route). What is read while a scope is
    open goes to the innermost scope, which hands it to the one around it when it
    closes: each read is recorded once, not once per open scope (memoised answers nest
    a dozen deep when calls are followed)."""

    __slots__ = ("_stack", "notes", "paths")

    def __init__(self, stack: list[_Scope] | None = None) -> None:
        self.paths: set[str] = set()
        self.notes: list[str] = []
        self._stack = stack

    def __enter__(self) -> _Scope:
        if self._stack is not None:
            self._stack.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        stack = self._stack
        if stack is not None:
            stack.pop()  # scopes nest: the innermost closes first
            if stack:
                outer = stack[-1]
                outer.paths.update(self.paths)
                outer.notes.extend(self.notes)


class SourceIndex:
    """Route callables -> source, for files under ``root``; each file parsed once."""

    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = norm(str(root))
        self._root_prefix = self.root.rstrip(os.sep) + os.sep
        self.cache_dir = cache_dir
        self.notes: list[str] = []
        self._data: dict[str, bytes | None] = {}
        self._digests: dict[str, str] = {}
        self._modules: dict[str, ModuleSource | None] = {}
        self._bad: dict[str, str] = {}  # path -> its syntax-error note
        self._folders: set[str] = set()  # paths read that are folders
        self._memo: dict[Hashable, tuple[Any, frozenset[str], tuple[str, ...]]] = {}
        self._scopes: list[_Scope] = []
        # directory -> (import bases, the __init__.py files that decided them): resolve.py
        self.import_bases: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._code_keys: dict[int, tuple[Any, str]] = {}  # id -> (object, key), unwrapped
        self._raw_code_keys: dict[int, tuple[Any, str]] = {}
        self._per_object: dict[tuple[int, Hashable], tuple[Any, Any]] = {}
        self._normed: dict[str, str] = {}  # a code object's file name -> its normed path

    # -- recording: which files (and notes) a unit of work depended on ----------
    def recording(self) -> _Scope:
        """``with index.recording() as scope``: what the block read, in ``scope``."""
        return _Scope(self._scopes)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Compute once per run; a hit replays the files and notes to the open scope."""
        hit = self._memo.get(key)
        scopes = self._scopes
        if hit is None:
            scope = _Scope()
            scopes.append(scope)
            try:
                value = compute()
            except BaseException:
                scopes.pop()
                if scopes:  # what the failed computation read still counts
                    scopes[-1].paths.update(scope.paths)
                    scopes[-1].notes.extend(scope.notes)
                raise
            scopes.pop()
            hit = (value, frozenset(scope.paths), tuple(scope.notes))
            self._memo[key] = hit
        value, paths, notes = hit
        if paths and scopes:
            scopes[-1].paths.update(paths)
        for note in notes:
            self.note(note)
        return value

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
        if self._scopes:
            self._scopes[-1].notes.append(text)

    def touch(self, path: str) -> None:
        if self._scopes:
            self._scopes[-1].paths.add(path)

    # -- files ---------------------------------------------------------------------
    def under_root(self, path: str) -> bool:
        return path == self.root or path.startswith(self._root_prefix)

    def display(self, path: str) -> str:
        return relative_path(path, self.root)

    def read(self, path: str) -> bytes | None:
        data = self._data.get(path, b"")
        if data != b"":
            return data
        path = norm(path)
        if path not in self._data:
            try:
                with open(path, "rb") as handle:
                    self._data[path] = handle.read()
            except FileNotFoundError:
                self._data[path] = None
            except OSError:  # a folder (IsADirectoryError; PermissionError on Windows)
                self._data[path] = None
                if os.path.isdir(path):
                    self._folders.add(path)
        return self._data[path]

    def digest(self, path: str) -> str:
        """Content hash of a file (``ABSENT`` when it does not exist, ``FOLDER`` for a
        folder); cached per run."""
        known = self._digests.get(path)
        if known is not None:
            return known
        data = self.read(path)
        if data is None:
            known = FOLDER if norm(path) in self._folders else ABSENT
        else:
            known = hashlib.blake2b(data, digest_size=16).hexdigest()
        self._digests[path] = self._digests[norm(path)] = known
        return known

    def module(self, path: str | Path) -> ModuleSource | None:
        """The parsed file, or None (not Python, unreadable, syntax error: noted once)."""
        key = path if isinstance(path, str) and path in self._modules else norm(str(path))
        self.touch(key)
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
        path = self._normed.get(filename)
        if path is None:
            path = self._normed[filename] = norm(filename)
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
        if lost_wraps(target):
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
        known = self._code_keys if unwrap else self._raw_code_keys
        hit = known.get(id(func))
        if hit is not None and hit[0] is func:
            return hit[1]
        key = code_place(func, unwrap=unwrap)
        known[id(func)] = (func, key)
        return key

    def per_object(self, obj: Any, kind: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per run per object (by identity; kept alive, so its id stays
        unique) and ``kind``: for values derived from the object alone, reading no file."""
        slot = (id(obj), kind)
        hit = self._per_object.get(slot)
        if hit is not None and hit[0] is obj:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        self._per_object[slot] = (obj, value)
        return value

    # -- names -----------------------------------------------------------------------
    def resolve(self, module: ModuleSource, name: str) -> Resolved | None:
        """What ``name`` (possibly dotted) means in ``module``, following imports under root."""
        return _resolve.resolve(self, module, name)

    def literal(self, module: ModuleSource, node: ast.AST | None, depth: int = 0) -> Any:
        """The value of a literal expression (``UNKNOWN`` when it is not one)."""
        return _resolve.literal(self, module, node, depth)
