"""A parsed file and the functions in it, with the tables the rules read.

Everything is computed on first use and kept for the run: bindings, the defs by
name, each def's nodes (one traversal per def, grouped by node class), its
parameters and assignments. Nothing here reads another file; ``source.SourceIndex``
does that and records it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from .syntax import (
    SCOPED,
    STATEMENT_LISTS,
    FunctionNode,
    NodeIndex,
    child_statements,
    target_names,
    top_level,
)

_DEF, _ASYNC_DEF, _MATCH = ast.FunctionDef, ast.AsyncFunctionDef, ast.Match

T = TypeVar("T")


class cached_property(Generic[T]):
    """``functools.cached_property`` without its lock: computed on first access and stored
    in the instance's ``__dict__``, which later accesses read directly. The static pass
    makes thousands of first accesses; a race between threads would only compute twice."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached_property[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> T | cached_property[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class ModuleSource:
    """One parsed file. Derived tables are computed on first use."""

    def __init__(self, path: str, data: bytes, tree: ast.Module, digest: str) -> None:
        self.path = path
        self.data = data
        self.tree = tree
        self.digest = digest
        self.import_of: dict[int, ast.Import | ast.ImportFrom] = {}
        self._index = NodeIndex()
        self._mentions: dict[re.Pattern[bytes], bool] = {}

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

    def may_mention(self, words: re.Pattern[bytes]) -> bool:
        """False only when no text of the file can match the case-insensitive ``words``.

        ``words`` is a lower-case bytes pattern; on an ASCII file, searching the lowered
        bytes is exact, so a rule can skip the file's functions without a per-function
        search. Non-ASCII files always answer True (Unicode case folding differs).
        """
        known = self._mentions.get(words)
        if known is None:
            known = not self.data.isascii() or bool(words.search(self.lowered))
            self._mentions[words] = known
        return known

    @cached_property
    def lowered(self) -> bytes:
        return self.data.lower()

    def segment(self, node: ast.AST) -> str:
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or first
        return "\n".join(self.lines[first - 1 : last])

    @cached_property
    def bindings(self) -> dict[str, ast.stmt | ast.alias]:
        """Module-level names: defs, classes, assignments and import aliases."""
        names: dict[str, ast.stmt | ast.alias] = {}
        for stmt in top_level(self.tree.body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    for name in target_names(target):
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
    def _statement_defs(self) -> tuple[list[ast.FunctionDef | ast.AsyncFunctionDef], set[int]]:
        """Every def of the module in statement-scan order (stack popped, children pushed in
        ``child_statements`` order), and the ids of those inside a ``match`` case."""
        found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        in_match: set[int] = set()
        stack: list[ast.stmt] = list(self.tree.body)
        pop, extend, append = stack.pop, stack.extend, found.append
        statement_lists = STATEMENT_LISTS
        while stack:
            stmt = pop()
            cls = stmt.__class__
            lists = statement_lists.get(cls)
            if lists is None:
                continue  # a simple statement nests none
            if cls is _DEF or cls is _ASYNC_DEF:
                append(stmt)  # type: ignore[arg-type]
            children = lists(stmt)
            if cls is _MATCH or (in_match and id(stmt) in in_match):
                in_match.update(map(id, children))
            extend(children)
        return found, in_match

    def defs(self, *, in_match_cases: bool = True) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The module's defs at any depth, in one shared statement-scan order; without those
        nested in ``match`` cases when told so."""
        found, in_match = self._statement_defs
        if in_match_cases or not in_match:
            return found
        return [d for d in found if id(d) not in in_match]

    @cached_property
    def _defs(self) -> dict[str, list[tuple[int, int, FunctionNode]]]:
        """name -> [(first line incl. decorators, def line, node)], in statement-scan order."""
        defs: dict[str, list[tuple[int, int, FunctionNode]]] = {}
        for stmt in self._statement_defs[0]:
            first = line = stmt.lineno
            for decorator in stmt.decorator_list:
                if decorator.lineno < first:
                    first = decorator.lineno
            item = (first, line, stmt)
            same = defs.get(stmt.name)
            if same is None:
                defs[stmt.name] = [item]
            else:
                same.append(item)
        return defs

    @cached_property
    def _def_at(self) -> dict[tuple[str, int], FunctionNode]:
        """(name, first or def line) -> the first def in scan order that starts there."""
        at: dict[tuple[str, int], FunctionNode] = {}
        for name, candidates in self._defs.items():
            for first, line, node in candidates:
                at.setdefault((name, first), node)
                at.setdefault((name, line), node)
        return at

    @cached_property
    def all_nodes(self) -> list[ast.AST]:
        """Every node of the module, from one traversal shared by every project rule."""
        index = NodeIndex()
        index.add(self.tree.body, index.module)
        out = list(index.module)
        for bucket in (*index.heads.values(), *index.bodies.values()):
            out.extend(bucket)
        return out

    def body_nodes(self, node: ast.AST) -> list[ast.AST]:
        """The nodes of a def's (lambda's, class's) own body, nested scopes excluded."""
        return self._scope(node).bodies.get(id(node), [])

    def _scope(self, node: ast.AST) -> NodeIndex:
        index = self._index
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
                todo.extend(n for n in bucket if isinstance(n, SCOPED))
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
        node = self._def_at.get((name, first_line))
        if node is not None:
            return node
        candidates = self._defs.get(name)
        if candidates:  # a code object compiled with shifted lines: take the nearest
            return min(candidates, key=lambda c: abs(c[0] - first_line))[2]
        return None

    @cached_property
    def _classes(self) -> dict[str, ast.ClassDef]:
        return {n.name: n for n in self.bindings.values() if isinstance(n, ast.ClassDef)}

    def classes(self) -> dict[str, ast.ClassDef]:
        return self._classes


class FunctionSource:
    """A handler, guard or helper: its module and ``def`` (or lambda) node."""

    def __init__(self, module: ModuleSource, node: FunctionNode, qualname: str) -> None:
        self.module = module
        self.node = node
        self.qualname = qualname
        self.derived: dict[str, Any] = {}  # rule helpers' facts about this function, per run

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

    @cached_property
    def body_nodes(self) -> list[ast.AST]:
        """Every node of this function's own body; nested defs and classes excluded."""
        return self.module.body_nodes(self.node)

    @cached_property
    def all_nodes(self) -> list[ast.AST]:
        """Every node including nested defs (a decorator's inner wrapper, say)."""
        return self.module.scope_nodes(self.node)

    @cached_property
    def by_type(self) -> dict[type, list[ast.AST]]:
        """``body_nodes`` grouped by node class, each group in ``body_nodes`` order."""
        groups: dict[type, list[ast.AST]] = {}
        for node in self.body_nodes:
            group = groups.get(node.__class__)
            if group is None:
                groups[node.__class__] = [node]
            else:
                group.append(node)
        return groups

    def of(self, cls: type[T]) -> list[T]:
        """The body nodes of exactly this class (``ast.Call``, ``ast.Compare``, ...)."""
        return self.by_type.get(cls, [])  # type: ignore[return-value]

    @property
    def calls(self) -> list[ast.Call]:
        return self.of(ast.Call)

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
                stack.extend(child_statements(stmt))
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
        by_type = self.by_type
        if not any(t in by_type for t in (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            return out
        for node in self.body_nodes:
            cls = node.__class__
            if cls is ast.Assign:
                for target in node.targets:  # type: ignore[attr-defined]
                    for name in target_names(target):
                        out.setdefault(name, []).append(node.value)  # type: ignore[attr-defined]
            elif (
                (cls is ast.AnnAssign or cls is ast.NamedExpr)
                and node.value is not None  # type: ignore[attr-defined]
                and isinstance(node.target, ast.Name)  # type: ignore[attr-defined]
            ):
                out.setdefault(node.target.id, []).append(node.value)  # type: ignore[attr-defined]
        return out
